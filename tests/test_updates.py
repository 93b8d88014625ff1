"""Incremental updates answer as a fresh rebuild does: geo searches, completions, suggestions
and stats, for both audiences.

Random sequences of edits (add, edit, move, delete, rename, make private or public, of
located and unlocated posts) go through incremental ``index`` runs; after each run every geo
answer and the stats must equal those of an index rebuilt from the same files.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import searcher
from searcher.indexing import indexer
from searcher.ingest.reader import scan

# a few points, some shared (ties are broken by path), some far apart, one on the meridian
POINTS = [(43.48, 3.67), (43.5, 3.7), (43.48, 3.67), (-33.9, 151.2), (0.0, 180.0), (64.1, -21.9)]
QUERIES = [(43.48, 3.67), (-30.0, 150.0), (0.0, -179.0)]
SLOTS = 5

point = st.sampled_from(POINTS) | st.none()
slot = st.integers(0, SLOTS - 1)
operation = st.one_of(
    st.tuples(st.just("add"), slot, point, st.booleans()),
    st.tuples(st.just("edit"), slot),
    st.tuples(st.just("move"), slot, point),
    st.tuples(st.just("delete"), slot),
    st.tuples(st.just("rename"), slot),
    st.tuples(st.just("public"), slot, st.booleans()),
)
runs = st.lists(st.lists(operation, min_size=1, max_size=3), min_size=1, max_size=5)


@dataclass
class Draft:
    """One post file as the test wrote it."""

    name: str
    point: tuple[float, float] | None
    public: bool
    edits: int = 0


@dataclass
class Site:
    """A content folder edited by the operations, and its file names."""

    root: Path
    posts: dict[int, Draft] = field(default_factory=dict)
    renames: int = 0
    tick: int = 0

    def apply(self, op: tuple[Any, ...]) -> None:
        kind, number, *args = op
        draft = self.posts.get(number)
        if kind == "add" or draft is None:
            if draft is not None:
                self._remove(draft)
            located = args[0] if kind in ("add", "move") else POINTS[number % len(POINTS)]
            draft = Draft(f"2020-01-0{number + 1}-post{number}.md", located,
                          args[1] if kind == "add" else True)  # fmt: skip
            self.posts[number] = draft
        elif kind == "edit":
            draft.edits += 1
        elif kind == "move":
            draft.point = args[0]
        elif kind == "delete":
            self._remove(draft)
            del self.posts[number]
            return
        elif kind == "rename":
            self._remove(draft)
            self.renames += 1
            draft.name = f"2020-02-0{number + 1}-renamed{self.renames}.md"
        elif kind == "public":
            draft.public = args[0]
        self._write(draft, number)

    def _write(self, draft: Draft, number: int) -> None:
        lines = ["---", f"title: Post {number}", "tags: [walk]"]
        if draft.point is not None:
            lines.append(f"geo: [{draft.point[0]}, {draft.point[1]}]")
            if not draft.public:
                lines.append('geo_public: "0"')
        text = " ".join(["hello"] + ["again"] * draft.edits)
        path = self.root / "_posts" / draft.name
        path.write_text("\n".join([*lines, "---", text, ""]))
        self.tick += 1  # a distinct mtime for each write, however fast the test runs
        os.utime(path, ns=(10**18 + self.tick * 10**9, 10**18 + self.tick * 10**9))

    def _remove(self, draft: Draft) -> None:
        (self.root / "_posts" / draft.name).unlink()


def answers_of(index_dir: Path, audience: str) -> dict[str, Any]:
    """Every kind of geo answer, completions, a suggestion and the stats, as plain values."""
    index = searcher.open_index(index_dir, audience=audience)
    try:
        answers: dict[str, Any] = {}
        for lat, lon in QUERIES:
            answers[f"near {lat},{lon}"] = index.near(lat, lon, limit=20)
            answers[f"radius {lat},{lon}"] = index.near(lat, lon, radius_km=500, limit=20)
            answers[f"sort {lat},{lon}"] = index.search(
                "hello", near=(lat, lon), sort="distance", limit=20
            )
        answers["bbox"] = index.search(bbox="40,0,50,10", limit=20)
        answers["bbox across 180"] = index.search(bbox="-40,150,10,-170", limit=20)
        answers["located"] = index.search(tags=["walk"], has_location=True, limit=20)
        answers = {name: _plain(results) for name, results in answers.items()}
        answers["complete"] = [index.complete(prefix) for prefix in ("a", "h", "post", "w")]
        answers["did you mean"] = index.search("helo agian").suggestion
        stats = index.stats()
        answers["stats"] = dataclasses.replace(stats, index_bytes=0, built_at=None)
        return answers
    finally:
        index.close()


def _plain(results: Any) -> Any:
    return results.total, [
        (hit.path, hit.distance_km, hit.location.to_dict() if hit.location else None)
        for hit in results.hits
    ]


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A folder for one hypothesis example after another (function-scoped tmp_path is not)."""
    folder = Path(tempfile.mkdtemp(prefix="blogsearch-updates-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(runs)
def test_incremental_runs_answer_as_a_rebuild(scratch: Path, batches: list[list[Any]]) -> None:
    for leftover in scratch.iterdir():
        shutil.rmtree(leftover)
    site = Site(scratch / "content")
    (site.root / "_posts").mkdir(parents=True)
    site.apply(("add", 0, POINTS[0], True))
    indexer.build([site.root], scratch / "index")
    for run, batch in enumerate(batches):
        for op in batch:
            site.apply(op)
        indexer.build([site.root], scratch / "index")
        fresh = scratch / f"rebuilt{run}"
        indexer.build([site.root], fresh, rebuild=True)
        for audience in ("owner", "public"):
            assert answers_of(scratch / "index", audience) == answers_of(fresh, audience), (
                audience,
                run,
            )


# -- deleted means gone ------------------------------------------------------------------------


def _post(folder: Path, name: str, body: str, **front: str) -> Path:
    path = folder / "_posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}: {value}" for key, value in front.items()]
    path.write_text("\n".join(["---", *lines, "---", body, ""]))
    return path


@pytest.mark.parametrize("audience", ["owner", "public"])
def test_a_deleted_posts_words_are_neither_completed_nor_suggested(
    tmp_path: Path, audience: str
) -> None:
    site = tmp_path / "site"
    gone = _post(site, "2020-01-01-zebra.md", "The hunterzebra crossed.", title="Zebras")
    _post(site, "2020-01-02-other.md", "Plain words about hunting.", title="Other")
    indexer.build([site], tmp_path / "index")
    with searcher.open_index(tmp_path / "index", audience=audience) as index:
        assert [c["text"] for c in index.complete("hunterz")] == ["hunterzebra"]
        assert index.search("hunterzebro").suggestion == "hunterzebra"
    gone.unlink()
    indexer.build([site], tmp_path / "index")
    with searcher.open_index(tmp_path / "index", audience=audience) as index:
        assert index.complete("hunterz") == []
        assert index.complete("hunt") == [{"kind": "term", "text": "hunting", "count": 1}]
        assert index.search("hunterzebro").suggestion is None


def test_stats_count_live_posts_only(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for name in ("a", "b"):
        _post(site, f"2020-01-01-{name}.md", "Words.", title=name, tags="[Hérault, walk]",
              lang="fr", geo="[43.48, 3.67]")  # fmt: skip
    indexer.build([site], tmp_path / "index")
    for edit in range(3):  # each edit leaves the old copy deleted in an older segment
        _post(site, "2020-01-01-a.md", "Words." + " more" * edit, title="a",
              tags="[herault, walk]",
            lang="fr", geo="[43.5, 3.7]", geo_public='"0"')  # fmt: skip
        _post(
            site, "2020-01-01-b.md", "Words." + " more" * edit, title="b", tags="[walk]", lang="de"
        )
        indexer.build([site], tmp_path / "index")
    with searcher.open_index(tmp_path / "index", audience="owner") as index:
        stats = index.stats()
    assert (stats.posts, stats.located, stats.located_private) == (2, 1, 1)
    assert stats.tags == {"walk": 2, "herault": 1}
    assert stats.languages == {"de": 1, "fr": 1}


# -- every post exactly once -------------------------------------------------------------------


def _item(post_id: str, slug: str, kind: str = "post", title: str = "Item") -> str:
    return (
        f"<item><title>{title} {post_id}</title><wp:post_id>{post_id}</wp:post_id>"
        f"<wp:post_name><![CDATA[{slug}]]></wp:post_name><wp:post_type>{kind}</wp:post_type>"
        f"<wp:status>publish</wp:status><content:encoded>words of {post_id}</content:encoded>"
        "</item>"
    )


def _export(path: Path, items: list[str]) -> None:
    path.write_text(
        '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        + "".join(items)
        + "</channel></rss>"
    )


def _hits(index_dir: Path, text: str) -> list[str]:
    with searcher.open_index(index_dir, audience="owner") as index:
        return sorted(hit.path for hit in index.search(text, limit=100).hits)


def test_export_items_sharing_a_name_are_each_indexed_once(tmp_path: Path) -> None:
    export = tmp_path / "export.xml"
    items = [_item("1", "about"), _item("2", "about", "page"), _item("3", ""), _item("4", ""),
             _item("5", "3"), _item("6", "", title="Same"), _item("7", "", title="Same"),
             _item("8", "dup"), _item("8", "dup")]  # fmt: skip
    _export(export, items)
    paths = [post.path for post in scan([export])]
    assert len(set(paths)) == len(paths) == 9
    for edit in range(3):  # each update must replace the posts, not add to them
        indexer.build([export], tmp_path / "index")
        assert len(_hits(tmp_path / "index", "words")) == 9
        _export(export, [*items, f"<!-- edit {edit} -->"])
    _export(export, items[1:])
    indexer.build([export], tmp_path / "index")
    assert len(_hits(tmp_path / "index", "words")) == 8


def test_sources_with_the_same_relative_paths_keep_their_posts_apart(tmp_path: Path) -> None:
    for parent in ("a", "b", "c/a"):
        post = tmp_path / parent / "blog" / "_posts" / "2020-01-01-x.md"
        post.parent.mkdir(parents=True)
        post.write_text(f"---\ntitle: {parent}\n---\nshared words\n")
    sources = [tmp_path / "a" / "blog", tmp_path / "b" / "blog", tmp_path / "c" / "a" / "blog"]
    indexer.build([*sources, sources[0]], tmp_path / "index")  # a source given twice: once
    # each source's paths start with the end of its own path that no other source shares
    a_blog = f"{tmp_path.name}/a/blog/_posts/2020-01-01-x.md"
    b_blog, c_a_blog = "b/blog/_posts/2020-01-01-x.md", "c/a/blog/_posts/2020-01-01-x.md"
    assert _hits(tmp_path / "index", "shared") == [b_blog, c_a_blog, a_blog]
    (sources[0] / "_posts" / "2020-01-01-x.md").unlink()
    indexer.build(sources, tmp_path / "index")
    assert _hits(tmp_path / "index", "shared") == [b_blog, c_a_blog]
    assert sorted(p.path for p in scan(sources)) == [b_blog, c_a_blog]  # scan agrees
