"""The visibility policy: the one place that decides what an audience sees of private places."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from searcher.errors import UsageError
from searcher.indexing import records, schema
from searcher.models import Location
from searcher.search.visibility import Visibility

ROOT = Path(__file__).resolve().parents[2] / "searcher"
READ_PATH = ["search", "shards", "web", "cli", "api.py"]
PUBLIC_PLACE = {"lat": 48.85, "lon": 2.35, "public": True, "address": "Paris", "source": "front"}
PRIVATE_PLACE = {"lat": 45.76, "lon": 4.84, "public": False, "address": "Lyon", "source": "front"}


def test_owner_sees_private_places_and_public_does_not() -> None:
    owner, public = Visibility.for_audience("owner"), Visibility.for_audience("public")
    assert (owner.audience, owner.private_places) == ("owner", True)
    assert (public.audience, public.private_places) == ("public", False)
    assert owner.shows(Location(**PRIVATE_PLACE)) and owner.shows(Location(**PUBLIC_PLACE))
    assert not public.shows(Location(**PRIVATE_PLACE)) and public.shows(Location(**PUBLIC_PLACE))


@pytest.mark.parametrize("audience", ["", "Public", "everyone", "owner "])
def test_an_unknown_audience_is_refused(audience: str) -> None:
    with pytest.raises(UsageError, match="audience must be 'owner' or 'public'"):
        Visibility.for_audience(audience)


def test_public_reads_no_private_field_or_term() -> None:
    public, owner = Visibility.for_audience("public"), Visibility.for_audience("owner")
    assert public.geo_terms == ("public",)
    assert schema.PLACE_PRIVATE not in public.text_fields()
    assert set(public.place_fields()) == {schema.PLACE}
    assert set(owner.geo_terms) == {"public", "private"}
    assert owner.text_fields()[schema.PLACE_PRIVATE] == owner.text_fields()[schema.PLACE]
    assert set(owner.place_fields()) == {schema.PLACE, schema.PLACE_PRIVATE}


@pytest.mark.parametrize(
    ("record", "owner_sees", "public_sees"),
    [
        ({"locations": [PRIVATE_PLACE, PUBLIC_PLACE]}, ["Lyon", "Paris"], ["Paris"]),
        ({"locations": [PRIVATE_PLACE]}, ["Lyon"], []),
        ({"location": PRIVATE_PLACE}, ["Lyon"], []),  # a record written before "locations"
        ({"location": PUBLIC_PLACE}, ["Paris"], ["Paris"]),
        ({"location": None}, [], []),
        ({}, [], []),
    ],
)
def test_a_stored_record_is_redacted_for_the_public(
    record: dict[str, Any], owner_sees: list[str], public_sees: list[str]
) -> None:
    stored = records.read({"path": "p.md", "record": record}).locations
    seen = {
        a: [p.address for p in Visibility.for_audience(a).places(stored)]
        for a in ("owner", "public")
    }
    assert seen == {"owner": owner_sees, "public": public_sees}
    assert all(place.public for place in Visibility.for_audience("public").places(stored))


def _audience_tests(path: Path) -> list[int]:
    """Lines of ``path`` that compare something with the string "owner" or "public"."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(
                isinstance(o, ast.Constant) and o.value in ("owner", "public") for o in operands
            ):
                found.append(node.lineno)
    return found


def test_the_read_path_asks_the_policy_instead_of_testing_the_audience() -> None:
    files = [
        p
        for part in READ_PATH
        for p in ([ROOT / part] if part.endswith(".py") else sorted((ROOT / part).rglob("*.py")))
    ]
    assert len(files) > 20
    tests = {
        str(p.relative_to(ROOT)): _audience_tests(p) for p in files if p.name != "visibility.py"
    }
    assert {name: lines for name, lines in tests.items() if lines} == {}
