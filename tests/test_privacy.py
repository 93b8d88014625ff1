"""A location marked private never leaves through a public surface (chamerling: 87 of them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import build_index, corpus

import searcher
from searcher.cli.commands import main
from searcher.indexing import ondisk, schema
from searcher.ingest.reader import scan

pytestmark = pytest.mark.corpora
EVERYTHING = "date:[1990 TO 2100]"


@pytest.fixture(scope="module")
def private_points() -> list[tuple[float, float]]:
    posts = scan([corpus("chamerling")])
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


@pytest.mark.parametrize("small_table", [10**9, -1], ids=["plain-list", "cell-table"])
def test_public_api_never_filters_or_sorts_by_private_points(
    chamerling_index: Path,
    private_points: list[tuple[float, float]],
    small_table: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # both tables of visible points (searcher.search.geosearch): a small index's and a large one's
    monkeypatch.setattr("searcher.search.geosearch.SMALL_TABLE", small_table)
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

    reader = whoosh_index.open_dir(str(index_dir), indexname=ondisk.INDEX_NAME).reader()
    assert (
        list(reader.lexicon(schema.CELL_PRIVATE)) == []
        and list(reader.lexicon(schema.PLACE_PRIVATE)) == []
    )
    stored = json.dumps([reader.stored_fields(d)[schema.RECORD] for d in reader.all_doc_ids()])
    assert leaks(stored, private_points) == []
    reader.close()


def test_the_shown_column_holds_no_private_coordinates(
    chamerling_index: Path, private_points: list[tuple[float, float]]
) -> None:
    """What plain hits show is read without the audience's say: it must hold nothing private."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(chamerling_index), indexname=ondisk.INDEX_NAME)
    with ix.reader() as reader:
        shown = b"\n".join(reader.column_reader(schema.SHOWN)).decode()
    assert shown.count('"public":false') == 0 and shown.count("\n") == 175
    assert leaks(shown, private_points) == []


WEB_URLS = [
    f"/api/search?q={EVERYTHING}&limit=100",
    f"/api/search?q={EVERYTHING}&limit=100&page=2",
    "/api/search?q=cloud paris&facets=1",
    "/api/search?q=Poussan",
    f"/api/search?q={EVERYTHING}&near=43.4844,3.6770&sort=distance&limit=100",
    "/api/search?near=43.4844,3.6770&radius=5000km&limit=100",
    "/api/search?bbox=43,3,44,4&limit=100",
    "/api/search?has_location=1&limit=100",
    "/api/near?lat=43.4844&lon=3.6770&limit=100",
    "/api/near?near=Montpellier&radius=100km&limit=100",
    "/api/complete?q=po&limit=20",
    "/api/stats",
    "/openapi.json",
    f"/?q={EVERYTHING}&limit=100",
    f"/?q={EVERYTHING}&limit=100&page=2",
    "/?near=43.4844,3.6770&sort=distance&limit=100",
    "/?near=Montpellier&radius=100km&limit=100",
    "/?bbox=43,3,44,4",
    "/?has_location=1&limit=100",
]


@pytest.fixture(scope="module")
def web_client(chamerling_index: Path) -> Any:
    from starlette.testclient import TestClient

    from searcher import web

    return TestClient(web.create_app(searcher.open_index(chamerling_index)))


@pytest.mark.parametrize("url", WEB_URLS)
def test_web_public_outputs_hold_no_private_coordinates(
    web_client: Any, private_points: list[tuple[float, float]], url: str
) -> None:
    response = web_client.get(url)
    assert response.status_code == 200, response.text
    assert leaks(response.text, private_points) == []


def test_web_public_near_each_private_point_finds_nothing(
    web_client: Any, private_points: list[tuple[float, float]]
) -> None:
    """Centred on a private point (the request's own numbers are echoed back), nothing is found."""
    for lat, lon in sorted(set(private_points)):
        found = web_client.get(f"/api/near?lat={lat}&lon={lon}&radius=0.01").json()
        assert found["total"] == 0 and found["hits"] == []
        page = web_client.get(f"/?near={lat},{lon}&radius=0.01")
        assert page.status_code == 200 and "No posts match" in page.text


def test_the_web_scan_would_see_a_leak(
    chamerling_index: Path, private_points: list[tuple[float, float]]
) -> None:
    """The same scan over owner mode finds the coordinates: the public scan is not blind."""
    from starlette.testclient import TestClient

    from searcher import web

    with searcher.open_index(chamerling_index, audience="owner") as index:
        response = TestClient(web.create_app(index)).get("/api/near?lat=43.4844&lon=3.6770")
    assert leaks(response.text, private_points) != []
