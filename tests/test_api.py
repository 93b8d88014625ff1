"""The embeddable API: search, near, stats, audiences, refresh and threads."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from conftest import CONTENT, build_index, paths

import searcher
from searcher import api
from searcher.errors import IndexMissing, InvalidCoordinates, QuerySyntaxError, UsageError

CLOUD = "_posts/2011-03-01-cloud-paris.md"
SETE = "_posts/2011-03-12-sete-le-quai-au-matin.html"
FERRY = "posts/ferry-across-the-date-line/index.md"


def test_cloud_paris_first(owner: searcher.Index) -> None:
    results = owner.search("cloud paris")
    assert paths(results)[0] == CLOUD
    hit = results.hits[0]
    assert hit.lang == "fr" and hit.date == "2011-03-01T09:22:54" and "cloud" in hit.tags
    assert "<mark>" in hit.snippet and hit.score > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("interoperabilite", CLOUD),  # accents folded
        ("conférences", CLOUD),  # French plural stemmed
        ('"cloud computing"', CLOUD),
        ("title:cloud", CLOUD),
        ("tag:cloud", CLOUD),
        ('tag:"open source"', CLOUD),
        ("category:cloud", CLOUD),
        ("chalutiers", SETE),
        ("ferry date line", FERRY),
    ],
)
def test_known_answers(owner: searcher.Index, text: str, expected: str) -> None:
    assert paths(owner.search(text))[0] == expected


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("lang:de", 3),
        ("date:2011", 2),
        ("date:2011-03", 2),
        ("date:2011-03-01", 1),
        ("date:[2011-03-02 TO 2011-03-31]", 1),
        ("date:{2011-03-01 TO 2011-03-12}", 0),
        ("date:[2011-03-01 TO 2011-03-12]", 2),
        ("date:>2023", 1),
        ("date:>=2023", 3),
        ("date:<2011", 1),
    ],
)
def test_filters_count(owner: searcher.Index, text: str, count: int) -> None:
    assert owner.search(text, limit=50).total == count


def test_not_excludes(owner: searcher.Index) -> None:
    assert CLOUD not in paths(owner.search("cloud NOT paris"))
    assert CLOUD not in paths(owner.search("cloud -paris"))


def test_paging(owner: searcher.Index) -> None:
    every = paths(owner.search("date:[2000 TO 2030]", limit=20))
    pages = [paths(owner.search("date:[2000 TO 2030]", limit=4, page=p)) for p in (1, 2, 3, 4)]
    assert [p for page in pages for p in page] == every and len(every) == 15


@pytest.mark.parametrize(
    ("text", "error"),
    [("", UsageError), ("   ", UsageError), ("!!!", QuerySyntaxError),
     ("?", QuerySyntaxError), ("near:Paris~-1km", UsageError),
     ("date:yesterday", QuerySyntaxError), ("x" * 1001, UsageError)],
)  # fmt: skip
def test_bad_queries(owner: searcher.Index, text: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        owner.search(text)


@pytest.mark.parametrize(("limit", "page"), [(0, 1), (1001, 1), (10, 0)])
def test_bad_paging(owner: searcher.Index, limit: int, page: int) -> None:
    with pytest.raises(UsageError):
        owner.search("cloud", limit=limit, page=page)


def test_public_audience_hides_private_locations(public: searcher.Index) -> None:
    hit = public.search("cloud paris").hits[0]
    assert hit.path == CLOUD and hit.location is None  # the text stays findable
    assert public.search("Poussan").total == 0  # a private address is not searchable
    nearby = public.near(43.48, 3.67, limit=3)
    assert CLOUD not in paths(nearby) and paths(nearby)[0] == SETE


def test_owner_sees_private_locations_marked(owner: searcher.Index) -> None:
    assert paths(owner.search("Poussan")) == [CLOUD]
    nearest = owner.near(43.48, 3.67, limit=1).hits[0]
    assert nearest.path == CLOUD and nearest.location is not None
    assert nearest.location.public is False
    assert nearest.distance_km is not None and 0.3 < nearest.distance_km < 1.0


def test_near_is_nearest_first_with_radius_and_text(owner: searcher.Index) -> None:
    results = owner.near("43.48", "3.67", limit=20)
    distances = [h.distance_km or 0 for h in results.hits]
    assert distances == sorted(distances) and results.total == 12
    within = owner.near(43.48, 3.67, radius_km="20km")
    assert paths(within) == [CLOUD, SETE]
    by_text = owner.near(43.48, 3.67, text="compteurs")
    assert paths(by_text) == ["posts/compteurs-velo-montpellier/index.md"]


def test_near_across_the_antimeridian(owner: searcher.Index) -> None:
    hit = owner.near(-17.7, -179.95, limit=1).hits[0]
    assert hit.path == FERRY and hit.distance_km is not None and hit.distance_km < 20


@pytest.mark.parametrize(("lat", "lon"), [(95, 0), ("abc", 3), (0, 181), (None, 3)])
def test_bad_coordinates(owner: searcher.Index, lat: object, lon: object) -> None:
    with pytest.raises(InvalidCoordinates):
        owner.near(lat, lon)


def test_stats(owner: searcher.Index) -> None:
    stats = owner.stats().to_dict()
    assert stats["posts"] == 15 and stats["located"] == 12 and stats["located_private"] == 2
    assert stats["languages"]["en"] == 7 and stats["languages"]["fr"] == 4
    assert stats["first_date"].startswith("2010-06-23") and stats["last_date"].startswith("2024")
    assert stats["index_bytes"] > 10_000 and stats["built_at"]
    assert set(stats) == {
        "posts", "located", "located_private", "languages", "tags", "categories", "first_date",
        "last_date", "index_bytes", "built_at",
    }  # fmt: skip


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing):
        searcher.open_index(tmp_path / "none")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_notices_rebuilds_without_leaking_file_handles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api, "REFRESH_INTERVAL", 0.0)
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    index_dir = build_index([content], tmp_path / "index")
    index = searcher.open_index(index_dir, audience="owner")
    assert index.search("zeppelin").total == 0
    (content / "new.md").write_text("---\ntitle: Zeppelin over the lake\n---\nA zeppelin flew by.")
    baseline = None
    for _ in range(5):
        build_index([content], index_dir)
        time.sleep(0.01)
        assert paths(index.search("zeppelin")) == ["new.md"]
        baseline = baseline or open_fds()
    assert open_fds() <= baseline
    index.close()


def test_many_threads_get_the_same_answers(owner: searcher.Index) -> None:
    queries = ["cloud paris", "vélo", "date:2011", "ferry", "lang:de", "interoperabilite"]
    expected = {q: paths(owner.search(q)) for q in queries}
    failures: list[str] = []

    def worker(n: int) -> None:
        for i in range(40):
            q = queries[(n + i) % len(queries)]
            try:
                got = paths(owner.search(q))
                near = owner.near(43.48, 3.67, limit=3)
            except Exception as exc:  # pragma: no cover - reported below
                failures.append(repr(exc))
                return
            if got != expected[q] or len(near.hits) != 3:
                failures.append(q)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_stats_of_an_index_with_an_undated_post(tmp_path: Path) -> None:
    """An undated post keeps the date column's empty default (2**64 - 1), no datetime."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "dated.md").write_text("---\ntitle: Dated\ndate: 2019-05-04\n---\nText.\n", "utf-8")
    (source / "undated.md").write_text("---\ntitle: Undated\n---\nMore text.\n", "utf-8")
    with searcher.open_index(build_index([source], tmp_path / "ix")) as index:
        stats = index.stats()
    assert stats.posts == 2
    assert stats.first_date is not None and stats.first_date.startswith("2019-05-04")
    assert stats.last_date is not None and stats.last_date.startswith("2019-05-04")
