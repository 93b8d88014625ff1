"""Sharded indexes on a real Dask cluster: the single index's answers, routing, updates, faults.

One module-scoped ``LocalCluster`` of two worker processes (one thread each) on 127.0.0.1
serves every test; indexes are built with three shards so that a worker holds two.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CONTENT, build_index, corpus
from shapely.geometry import box

import searcher
from searcher.api import ShardedIndex
from searcher.errors import IndexMissing, ShardUnavailable, UsageError
from searcher.models import Results
from searcher.shards import layout
from searcher.shards.layout import build, connect, read_layout, shard_of

SHARDS = 3
CLOUD_POST = "_posts/2011-03-01-cloud-paris.md"  # of content/


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a local cluster of two single-threaded worker processes."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    )  # fmt: skip
    try:
        yield str(cluster.scheduler_address)
    finally:
        cluster.close()


def _pair(
    sources: list[Path], root: Path, scheduler: str, audience: str = "public"
) -> tuple[searcher.Index, ShardedIndex]:
    single = build_index(sources, root / "single")
    build(sources, root / "sharded", shards=SHARDS, scheduler=scheduler)
    sharded = searcher.open_index(root / "sharded", audience=audience, scheduler=scheduler)
    assert isinstance(sharded, ShardedIndex)
    return searcher.open_index(single, audience=audience), sharded


@pytest.fixture(scope="module")
def content_pair(
    tmp_path_factory: pytest.TempPathFactory, scheduler: str
) -> Iterator[tuple[searcher.Index, ShardedIndex]]:
    single, sharded = _pair([CONTENT], tmp_path_factory.mktemp("content"), scheduler)
    yield single, sharded
    sharded.close()


# -- the same answers --------------------------------------------------------------------


def assert_same(one: Results, other: Results) -> None:
    """Same page, same order, same totals and facets; scores equal within rounding."""
    assert [h.path for h in other.hits] == [h.path for h in one.hits]
    assert (other.total, other.suggestion) == (one.total, one.suggestion)
    for name in one.facets or {}:
        assert list((other.facets or {})[name].items()) == list(one.facets[name].items()), name
    assert (other.query, other.center, other.page, other.limit) == (
        one.query, one.center, one.page, one.limit)  # fmt: skip
    for a, b in zip(one.hits, other.hits, strict=True):
        assert math.isclose(a.score, b.score, rel_tol=1e-9, abs_tol=1e-12), a.path
        assert a.distance_km == b.distance_km and a.snippet == b.snippet and a.title == b.title


def requests(single: searcher.Index) -> list[dict[str, Any]]:
    """Many kinds of request, with tags, places and dates taken from the archive itself."""
    stats = single.stats()
    tags, categories = list(stats.tags)[:3], list(stats.categories)[:2]
    langs = list(stats.languages)[:2]
    found: list[dict[str, Any]] = [
        {"text": "the"}, {"text": "the", "page": 3, "limit": 7}, {"text": "release"},
        {"text": "open source", "facets": True}, {"text": '"open source"'},
        {"text": "ruby OR rust OR python", "limit": 50}, {"text": "data AND NOT cloud"},
        {"text": "title:release"}, {"text": "performance", "sort": "date"},
        {"text": "relase"}, {"text": "pyhton progrmming"}, {"text": "cloud", "facets": True},
        {"sort": "date", "limit": 20, "facets": True}, {"sort": "date-asc", "page": 2},
        {"text": "the", "since": "2012", "until": "2020-06"}, {"text": "the", "lang": langs},
        {"has_location": True, "facets": True},
    ]  # fmt: skip
    if tags:
        found += [{"text": "the", "tags": tags[:1], "facets": True},
                  {"tags": tags[:2], "any_tag": True}]  # fmt: skip
    if categories:
        found.append({"categories": categories[:1], "sort": "date"})
    located = single.search(has_location=True, sort="date", limit=1)
    if located.hits and located.hits[0].location is not None:
        where = located.hits[0].location
        lat, lon = where.lat, where.lon
        assert lat is not None and lon is not None
        found += [
            {"near": (lat, lon), "limit": 15}, {"near": (lat, lon), "page": 2, "limit": 4},
            {"near": (lat, lon), "radius_km": 500, "facets": True},
            {"text": "the", "near": (lat, lon), "radius_km": 2000},
            {"text": "the", "near": (lat, lon), "sort": "distance"},
            {"bbox": f"{lat - 5},{lon - 5},{lat + 5},{lon + 5}", "sort": "date"},
            {"text": "the", "within": box(lon - 8, lat - 8, lon + 8, lat + 8), "facets": True},
            {"near": (lat, lon), "sort": "date", "has_location": True},
        ]  # fmt: skip
    return found


def check_everything(single: searcher.Index, sharded: ShardedIndex) -> int:
    checked = 0
    for request in requests(single):
        assert_same(single.search(**request), sharded.search(**request))
        checked += 1
    located = single.search(has_location=True, limit=1)
    if located.hits and located.hits[0].location is not None:
        place = located.hits[0].location
        for kwargs in ({"limit": 12}, {"text": "the", "radius_km": 300}):
            assert_same(single.near(place.lat, place.lon, **kwargs),
                        sharded.near(place.lat, place.lon, **kwargs))  # fmt: skip
    related = 0
    for hit in single.search(sort="date", limit=8).hits:  # key terms weighed over every shard
        one = single.similar(hit.path, limit=8)
        assert hit.path not in [h.path for h in one.hits]
        assert_same(one, sharded.similar(hit.path, limit=8))
        related += bool(one.hits)
    assert related >= 4
    return checked + related


def test_content_answers_as_one_index(content_pair: tuple[searcher.Index, ShardedIndex]) -> None:
    single, sharded = content_pair
    assert check_everything(single, sharded) > 20
    for text in ("cloud paris", "ferry date line", "conférences", "tag:cloud", "chalutiers"):
        assert_same(single.search(text), sharded.search(text))
    for tag in single.stats().tags:  # most tags live in one shard: the others must find none
        assert_same(single.search("the", tags=[tag]), sharded.search("the", tags=[tag]))


@pytest.mark.corpora
@pytest.mark.parametrize(
    ("name", "audience"),
    [("chamerling", "owner"), ("evert", "public")],  # chamerling's points are all private
)
def test_corpus_answers_as_one_index(
    name: str, audience: str, tmp_path: Path, scheduler: str
) -> None:
    single, sharded = _pair([corpus(name)], tmp_path, scheduler, audience)
    try:
        check_everything(single, sharded)
    finally:
        sharded.close()


def test_wildcards_answer_as_one_index(content_pair: tuple[searcher.Index, ShardedIndex]) -> None:
    """A pattern ranks its matches alike (fastscore): Whoosh's own score for one depends on
    what it expands to in the reader at hand, which a shard's lexicon is not."""
    single, sharded = content_pair
    for text in ("clo*", "f?rry", "par*", "clo* paris"):
        one, other = single.search(text, limit=100), sharded.search(text, limit=100)
        assert one.total > 0, text
        assert_same(one, other)


def test_stats_sum_the_shards(content_pair: tuple[searcher.Index, ShardedIndex]) -> None:
    single, sharded = content_pair
    one, other = single.stats(), sharded.stats()
    same = ("posts", "located", "located_private", "languages", "tags", "categories",
            "first_date", "last_date")  # fmt: skip
    assert {k: getattr(other, k) for k in same} == {k: getattr(one, k) for k in same}


def test_errors_are_the_single_index_errors(
    content_pair: tuple[searcher.Index, ShardedIndex],
) -> None:
    single, sharded = content_pair
    with pytest.raises(UsageError, match="distance needs a centre"):
        sharded.search("cloud", sort="distance")
    with pytest.raises(UsageError, match="nothing to search"):
        sharded.search("!!!")
    with pytest.raises(UsageError, match="not available on a sharded index"):
        sharded.complete("clo")
    with pytest.raises(UsageError) as single_error:
        single.similar("_posts/nope.md")
    with pytest.raises(UsageError) as sharded_error:
        sharded.similar("_posts/nope.md")
    assert str(sharded_error.value) == str(single_error.value)


# -- routing and building ------------------------------------------------------------------


def test_routing_is_a_stable_hash_of_the_path() -> None:
    assert [shard_of(p, 4) for p in ("a.md", "_posts/x.md", "é.md")] == [
        shard_of(p, 4) for p in ("a.md", "_posts/x.md", "é.md")]  # fmt: skip
    assert shard_of("_posts/2019-05-01-hello.md", 4) == 2  # never hash(): same forever
    assert {shard_of(f"post-{i}.md", 3) for i in range(100)} == {0, 1, 2}


def test_every_post_in_exactly_one_shard(tmp_path: Path, scheduler: str) -> None:
    report = build([CONTENT], tmp_path, shards=SHARDS, scheduler=scheduler)
    layout = read_layout(tmp_path)
    assert layout is not None and layout.shards == SHARDS
    assert sorted(r.indexed for r in report.shards) != [0, 0, report.indexed]
    from searcher.indexing import ondisk

    owned: list[str] = []
    for number, shard_dir in enumerate(layout.shard_dirs()):
        ix = ondisk.open_existing(shard_dir)
        with ix.searcher() as s:
            paths = [fields["path"] for fields in s.all_stored_fields()]
        assert all(shard_of(p, SHARDS) == number for p in paths)
        owned += paths
    assert len(owned) == len(set(owned)) == report.indexed == report.summary.posts


def test_one_report_for_single_and_sharded_builds(tmp_path: Path) -> None:
    """A sharded run's report is a BuildReport summing its shards' (kept in ``shards``), so
    the CLI prints both alike; a plain index's has no shards."""
    import io

    from searcher.cli.render import print_report
    from searcher.indexing import indexer
    from searcher.models import Summary

    single = indexer.build([CONTENT], tmp_path / "single")
    assert isinstance(single, searcher.BuildReport) and single.shards == []
    parts = [
        indexer.BuildReport(Summary(files=2, posts=2, drafts_excluded=1), 2, tmp_path / f"s{n}",
                            f"2026-01-0{n + 1}", removed=n, unchanged=3, notes=[f"n{n}"])
        for n in range(2)
    ]  # fmt: skip
    report = layout._combined(parts, tmp_path / "sharded", None)
    assert isinstance(report, searcher.BuildReport) and report.shards == parts
    assert (report.indexed, report.removed, report.unchanged, report.built_at) == (
        4, 1, 6, "2026-01-02")  # fmt: skip
    assert (report.summary.files, report.summary.posts, report.summary.drafts_excluded) == (
        4, 4, 2)  # fmt: skip
    assert report.notes == ["n0", "n1"] and report.rebuilt is None
    out = io.StringIO()
    print_report(report, quiet=True, stream=out)
    assert out.getvalue().split() == (
        f"updated {tmp_path / 'sharded'}/: 4 posts written, 1 removed, 6 files unchanged".split()
    )


def test_an_update_goes_to_the_owning_shard(tmp_path: Path, scheduler: str) -> None:
    content = shutil.copytree(CONTENT, tmp_path / "content")
    index_dir = tmp_path / "index"
    build([content], index_dir, shards=SHARDS, scheduler=scheduler)
    sharded = searcher.open_index(index_dir, scheduler=scheduler)
    post = next(p for p in sorted((content / "_posts").glob("*.md")) if "cloud" not in p.name)
    post.write_text(post.read_text().replace("\n\n", "\n\nsharded-update-marker\n\n", 1))
    report = build([content], index_dir, shards=SHARDS, scheduler=scheduler)
    owner = shard_of(post.relative_to(content).as_posix(), SHARDS)
    assert [r.indexed for r in report.shards] == [int(n == owner) for n in range(SHARDS)]
    (content / "_posts" / "2011-03-01-cloud-paris.md").unlink()
    report = build([content], index_dir, shards=SHARDS, scheduler=scheduler)
    assert report.removed == 1 and sum(r.removed for r in report.shards) == 1
    time.sleep(1.1)  # an open sharded index notices within a second
    with sharded:
        assert [h.path for h in sharded.search("sharded-update-marker").hits] == [
            post.relative_to(content).as_posix()]  # fmt: skip
        assert sharded.search("cloud paris").total == single_after(content, tmp_path)


def single_after(content: Path, tmp_path: Path) -> int:
    with searcher.open_index(build_index([content], tmp_path / "single")) as single:
        return single.search("cloud paris").total


def test_a_new_shard_count_rebuilds(tmp_path: Path, scheduler: str) -> None:
    build([CONTENT], tmp_path, shards=2, scheduler=scheduler)
    report = build([CONTENT], tmp_path, shards=3, scheduler=scheduler)
    assert report.rebuilt and report.indexed == report.summary.posts
    assert sorted(p.name for p in tmp_path.glob("shard-*")) == ["shard-00", "shard-01", "shard-02"]


def test_a_plain_index_folder_is_not_sharded_over(tmp_path: Path, scheduler: str) -> None:
    build_index([CONTENT], tmp_path)
    with pytest.raises(UsageError, match="plain index"):
        build([CONTENT], tmp_path, shards=2, scheduler=scheduler)


def test_a_missing_shard_is_index_missing(tmp_path: Path, scheduler: str) -> None:
    build([CONTENT], tmp_path, shards=2, scheduler=scheduler)
    shutil.rmtree(tmp_path / "shard-01")
    with pytest.raises(IndexMissing, match="shard-01"):
        searcher.open_index(tmp_path, scheduler=scheduler)


def test_an_unreachable_scheduler_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("searcher.shards.layout.CONNECT_TIMEOUT", "1s")
    with pytest.raises(ShardUnavailable, match="cannot reach the Dask scheduler"):
        build([CONTENT], tmp_path, shards=2, scheduler="tcp://127.0.0.1:9")


# -- faults and safe defaults ----------------------------------------------------------------


def test_a_killed_worker_gives_the_right_answer_or_a_clear_error(
    content_pair: tuple[searcher.Index, ShardedIndex],
) -> None:
    """SIGKILL the worker holding shard 0 while requests stream in: each answer is the whole
    right one (the actors placed again, the request run again) or ShardUnavailable."""
    single, sharded = content_pair
    expected = single.search("the", facets=True, limit=20)
    assert_same(expected, sharded.search("the", facets=True, limit=20))
    related = single.similar(CLOUD_POST)  # similar posts too: their key terms ask every shard
    assert_same(related, sharded.similar(CLOUD_POST))
    victim = sharded.worker_pids()[sharded.shard_workers()[0]]
    killer = threading.Timer(0.3, os.kill, (victim, signal.SIGKILL))
    killer.start()
    answered = failed = 0
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        for ask, right in ((lambda: sharded.search("the", facets=True, limit=20), expected),
                           (lambda: sharded.similar(CLOUD_POST), related)):  # fmt: skip
            try:
                found = ask()
            except ShardUnavailable as exc:
                assert "did not answer" in str(exc) and "\n" not in str(exc)
                failed += 1
            else:
                assert_same(right, found)
                answered += 1
    killer.join()
    assert answered > 0
    assert victim not in sharded.worker_pids().values()  # it did die, and was restarted


def test_a_local_cluster_listens_on_loopback_only(tmp_path: Path) -> None:
    psutil = pytest.importorskip("psutil")
    with connect(None, 1) as client:
        pids = [os.getpid(), *client.run(os.getpid).values()]
        addresses = {c.laddr.ip for pid in pids for c in psutil.Process(pid).net_connections()
                     if c.status == psutil.CONN_LISTEN}  # fmt: skip
    assert addresses and addresses <= {"127.0.0.1"}


# -- the command line ----------------------------------------------------------------------


def test_cli_builds_updates_and_searches_shards(
    tmp_path: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from searcher.cli.commands import main

    runner = CliRunner()
    target = str(tmp_path / "index")
    args = ["index", str(CONTENT), "--index-dir", target, "--scheduler", scheduler, "-q"]
    result = runner.invoke(main, [*args, "--shards", "2"])
    assert result.exit_code == 0, result.output
    assert "indexed" in result.output and read_layout(tmp_path / "index") is not None
    result = runner.invoke(main, args)  # the layout keeps its two shards
    assert result.exit_code == 0 and "up to date" in result.output, result.output
    monkeypatch.setenv("BLOGSEARCH_SCHEDULER", scheduler)
    result = runner.invoke(main, ["query", "cloud paris", "--index-dir", target, "--json"])
    assert result.exit_code == 0, result.output
    assert '"_posts/2011-03-01-cloud-paris.md"' in result.output


def test_cli_reports_an_unreachable_scheduler_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from searcher.cli.commands import main

    monkeypatch.setattr("searcher.shards.layout.CONNECT_TIMEOUT", "1s")
    args = ["index", str(CONTENT), "--index-dir", str(tmp_path), "--shards", "2",
            "--scheduler", "tcp://127.0.0.1:9"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot reach the Dask scheduler")
    assert result.output.count("\n") == 1
