"""A location marked private never leaves through a public surface (chamerling: 87 of them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import build_index, corpus

import searcher
from searcher import indexer, ingest, schema
from searcher.cli import main

pytestmark = pytest.mark.corpora
EVERYTHING = "date:[1990 TO 2100]"


@pytest.fixture(scope="module")
def private_points() -> list[tuple[float, float]]:
    posts = ingest.scan([corpus("chamerling")])
    points = [
        (p.location.lat, p.location.lon)
        for p in posts
        if p.location is not None and not p.location.public and p.location.lat is not None
    ]
    assert len(points) == 87
    return points  # type: ignore[return-value]


def needles(points: list[tuple[float, float]]) -> set[str]:
    """Every way a coordinate could be printed: as written, rounded, or as the stored integer."""
    found: set[str] = set()
    for lat, lon in points:
        for value in (lat, lon):
            found |= {
                repr(value),
                f"{value:.6f}",
                f"{value:.5f}",
                f"{value:.4f}",
                str(schema.to_e7(value)),
            }
    return found


def leaks(output: str, points: list[tuple[float, float]]) -> list[str]:
    return sorted(n for n in needles(points) if n in output)


PUBLIC_COMMANDS = [
    ["query", EVERYTHING, "--limit", "1000"],
    ["query", EVERYTHING, "--limit", "1000", "--json"],
    ["query", EVERYTHING, "--limit", "1000", "--geojson"],
    ["query", "cloud paris", "--json"],
    ["query", "Poussan"],
    ["query", EVERYTHING, "--near", "43.4844,3.6770", "--sort", "distance", "--json"],
    ["near", "43.4844", "3.6770", "--json"],
    ["near", "43.4844", "3.6770", "--geojson"],
    ["near", "43.4844", "3.6770"],
    ["query", EVERYTHING, "--bbox", "43,3,44,4", "--json"],
    ["stats", "--json"],
    ["stats"],
]


@pytest.mark.parametrize("args", PUBLIC_COMMANDS, ids=lambda a: " ".join(a[:1] + a[-1:]))
def test_cli_public_outputs_hold_no_private_coordinates(
    chamerling_index: Path, private_points: list[tuple[float, float]], args: list[str]
) -> None:
    result = CliRunner().invoke(
        main, [*args, "--audience", "public", "--index-dir", str(chamerling_index)]
    )
    assert result.exit_code == 0, result.output
    assert leaks(result.output, private_points) == []


@pytest.mark.parametrize("suffix", [".svg", ".html"])
def test_public_map_draws_no_private_point(
    chamerling_index: Path, private_points: list[tuple[float, float]], tmp_path: Path, suffix: str
) -> None:
    picture = tmp_path / f"map{suffix}"
    result = CliRunner().invoke(
        main,
        ["map", "-o", str(picture), "--audience", "public", "--index-dir", str(chamerling_index)],
    )
    assert result.exit_code == 0, result.output
    assert "drew 0 posts" in result.output  # every located chamerling post is private
    assert leaks(picture.read_text(), private_points) == []


def test_owner_sees_them_marked_private(chamerling_index: Path) -> None:
    result = CliRunner().invoke(
        main, ["near", "43.4844", "3.6770", "--json", "--index-dir", str(chamerling_index)]
    )
    hits = json.loads(result.output)["hits"]
    assert hits and all(h["location"]["public"] is False for h in hits)


def test_public_api_never_filters_or_sorts_by_private_points(
    chamerling_index: Path, private_points: list[tuple[float, float]]
) -> None:
    with searcher.open_index(chamerling_index) as index:
        for lat, lon in sorted(set(private_points)):
            assert index.search(near=(lat, lon), radius_km=0.01).total == 0
            assert index.near(lat, lon).total == 0
            ranked = index.search(EVERYTHING, near=(lat, lon), limit=200).to_dict()
            assert all(h["location"] is None and h["distance_km"] is None for h in ranked["hits"])
            assert leaks(json.dumps(ranked), private_points) == []


def test_dropped_private_locations_are_not_stored(
    tmp_path: Path, private_points: list[tuple[float, float]]
) -> None:
    index_dir = build_index([corpus("chamerling")], tmp_path / "ix", drop_private_locations=True)
    with searcher.open_index(index_dir, audience="owner") as index:
        assert index.stats().located == 0
        everything = index.search(EVERYTHING, limit=1000)
        assert everything.total == 176 and all(h.location is None for h in everything.hits)
    from whoosh import index as whoosh_index

    reader = whoosh_index.open_dir(str(index_dir), indexname=indexer.INDEX_NAME).reader()
    assert (
        list(reader.lexicon(schema.CELL_PRIVATE)) == []
        and list(reader.lexicon(schema.PLACE_PRIVATE)) == []
    )
    stored = json.dumps([reader.stored_fields(d)[schema.RECORD] for d in reader.all_doc_ids()])
    assert leaks(stored, private_points) == []
    reader.close()
