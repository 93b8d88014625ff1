"""The zero-copy segment file (``indexing._whoosh.viewfile``): Whoosh reads a memory-mapped
segment in place, and answers as it did copying it."""

from __future__ import annotations

import gc
import io
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import whoosh
from click.testing import CliRunner
from conftest import paths
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile

import searcher
from searcher import web
from searcher.cli.commands import main
from searcher.errors import BlogsearchError
from searcher.indexing import _whoosh, ondisk
from searcher.indexing._whoosh.viewfile import MappedFile, ViewFile
from searcher.shards.actor import ShardActor

QUERIES = [
    "cloud paris",
    "vélo",
    "interoperabilite",
    '"cloud computing"',
    "berlin OR madrid",
    "date:2011",
    "lang:de",
    "tag:iceland",
    "ferry",
    "clou*",
]

# -- the file object -------------------------------------------------------------------------

sizes = st.integers(min_value=-1, max_value=80)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("seek"), st.integers(0, 90), st.just(io.SEEK_SET)),
        st.tuples(st.just("seek"), st.integers(-20, 20), st.sampled_from([1, 2])),
        st.tuples(st.just("read"), sizes),
        st.tuples(st.just("readline"), sizes),
        st.tuples(st.just("readinto"), st.integers(0, 80)),
        st.tuples(st.just("tell")),
    ),
    max_size=30,
)


def apply(f: Any, operation: tuple[Any, ...]) -> Any:
    name, *args = operation
    if name == "readinto":
        target = bytearray(args[0])
        return f.readinto(target), bytes(target)
    try:
        return getattr(f, name)(*args)
    except ValueError as exc:  # a seek before the start
        return type(exc)


@given(st.binary(max_size=60).map(lambda b: b.replace(b"\x00", b"\n")), operations)
def test_reads_as_bytesio_does(data: bytes, ops: list[tuple[Any, ...]]) -> None:
    copied, in_place = io.BytesIO(data), ViewFile(memoryview(data))
    for op in ops:
        assert apply(in_place, op) == apply(copied, op), op
    assert list(in_place) == list(copied)


@given(st.binary(max_size=40), st.integers(0, 50), st.integers(0, 50))
def test_peek_shows_what_comes_without_consuming_it(data: bytes, pos: int, size: int) -> None:
    f = ViewFile(data)
    f.seek(pos)
    assert bytes(f.peek(size)) == data[pos : pos + max(size, 1)]
    assert f.tell() == pos


@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_pickle_load_reads_each_pickle_and_stops_after_it(protocol: int) -> None:
    """What Whoosh's read_pickle does between a posting block's length and its data."""
    objects = [(128, 5, 3.5, 0, 12, 200), list(range(60_000)), "é" * 10, b"x" * 300_000, {}]
    data = b"".join(pickle.dumps(o, protocol) + b"DATA" for o in objects)
    f, copied = ViewFile(data), io.BytesIO(data)
    for expected in objects:
        assert pickle.load(f) == pickle.load(copied) == expected
        assert f.tell() == copied.tell()
        assert f.read(4) == copied.read(4) == b"DATA"


def test_closing_lets_go_of_the_memory() -> None:
    data = bytearray(b"abc\ndef")
    f = ViewFile(data)
    assert f.readline() == b"abc\n"
    f.close()
    data.extend(b"g")  # a bytearray cannot grow while a view of it is held
    for read in (f.read, f.readline, f.tell, lambda: f.seek(0)):
        with pytest.raises(ValueError):
            read()
    f.close()  # twice is fine, as for any file
    assert f.closed


def test_is_read_only() -> None:
    f = ViewFile(b"abc")
    assert f.readable() and f.seekable() and not f.writable()
    with pytest.raises(io.UnsupportedOperation):
        f.write(b"x")


# -- an index ------------------------------------------------------------------------------


def segments(index: searcher.Index) -> list[Any]:
    """The segment readers of the searcher ``index`` holds now."""
    return [leaf for leaf, _ in index._current().searcher.reader().leaf_readers()]


def shares_memory(buffer: memoryview, mapped: Any) -> bool:
    return bool(np.shares_memory(np.frombuffer(buffer, np.uint8), np.frombuffer(mapped, np.uint8)))


@pytest.fixture
def index(content_index: Path) -> Iterator[searcher.Index]:
    opened = searcher.open_index(content_index, audience="owner")
    yield opened
    opened.close()


def test_the_index_reads_its_map_in_place(index: searcher.Index) -> None:
    for segment in segments(index):
        compound = segment._storage.a  # the segment's one file, mapped
        mapped = compound._file._buf
        terms = segment._terms
        opened = [terms._postfile, terms._dbfile]
        opened += [compound.open_file(name) for name in compound.list()]
        for f in opened:
            assert isinstance(f.file, ViewFile)
            assert shares_memory(f.file.getbuffer(), mapped), f
        # whoosh's own BufferFile over the same bytes copies them: the check above can fail
        copying = BufferFile(terms._postfile._buf)
        assert not shares_memory(copying.file.getbuffer(), mapped)


def open_with_api(index_dir: Path) -> list[Any]:
    with searcher.open_index(index_dir) as index:
        return segments(index)


def open_with_shard_actor(index_dir: Path) -> list[Any]:
    actor = ShardActor(str(index_dir), "owner")  # what a Dask worker runs, here in-process
    leaves = [leaf for leaf, _ in actor._searcher.reader().leaf_readers()]
    actor._searcher.close()
    return leaves


def open_with_cli(index_dir: Path) -> list[Any]:
    for command in (["query", "cloud"], ["complete", "clo"], ["stats"]):
        result = CliRunner().invoke(main, [*command, "--index-dir", str(index_dir)])
        assert result.exit_code == 0, result.output
    return []


def open_with_web_app(index_dir: Path) -> list[Any]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("BLOGSEARCH_INDEX", str(index_dir))
        app = web.app_from_env()
    assert TestClient(app).get("/api/search", params={"q": "cloud"}).status_code == 200
    with app.state.index as index:
        return segments(index)


@pytest.mark.parametrize(
    "open_with", [open_with_api, open_with_shard_actor, open_with_cli, open_with_web_app]
)
def test_every_way_of_opening_an_index_reads_in_place(open_with: Any, content_index: Path) -> None:
    opened = open_with(content_index)
    for segment in opened:
        assert isinstance(segment._terms._postfile.file, ViewFile)


def test_whoosh_indexes_of_the_host_application_are_left_as_whoosh_reads_them(
    index: searcher.Index, content_index: Path
) -> None:
    assert isinstance(segments(index)[0]._terms._postfile.file, ViewFile)  # ours: in place
    assert BufferFile.__init__ is not MappedFile.__init__  # no class patched
    theirs = whoosh_index.open_dir(str(content_index), indexname=ondisk.INDEX_NAME)
    with theirs.searcher() as plain:
        leaves = [leaf for leaf, _ in plain.reader().leaf_readers()]
        assert leaves and all(type(leaf._terms._postfile) is BufferFile for leaf in leaves)
        assert all(isinstance(leaf._terms._postfile.file, io.BytesIO) for leaf in leaves)
        assert plain.doc_count() == index.stats().posts


def test_another_whoosh_version_is_refused_clearly(
    content_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whoosh, "__version__", (2, 7, 6))
    _whoosh.check_version.cache_clear()
    try:
        with pytest.raises(BlogsearchError, match=r"needs whoosh-reloaded 2\.7\.5.*2\.7\.6"):
            searcher.open_index(content_index)
    finally:
        _whoosh.check_version.cache_clear()


def answers(index: searcher.Index) -> list[Any]:
    """Everything the API answers, and every posting Whoosh reads from the segment files."""
    found: list[Any] = [index.search(q, limit=20, facets=True) for q in QUERIES]
    found += [index.near(43.48, 3.67, limit=5), index.near(64.1, -21.9, text="ferry")]
    found += [index.complete("clo"), index.complete("ber"), index.stats()]
    found += [index.similar(path) for path in paths(index.search("cloud"))]
    for segment in segments(index):
        for fieldname, text in segment.all_terms():
            info = segment.term_info(fieldname, text)
            postings = segment.postings(fieldname, text)
            found.append((fieldname, text, info.weight(), info.doc_frequency()))
            found.append(list(postings.all_items()))
        found.append([segment.stored_fields(n) for n in range(segment.doc_count_all())])
    return found


def test_answers_as_whoosh_does_copying(
    content_index: Path, index: searcher.Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_place = answers(index)
    monkeypatch.setattr(ondisk, "Storage", FileStorage)  # Whoosh's own, which copies
    with searcher.open_index(content_index, audience="owner") as copying:
        assert isinstance(segments(copying)[0]._terms._postfile.file, io.BytesIO)
        assert answers(copying) == in_place
    assert len(in_place) > 1000  # terms and postings, not only the API's answers


STAGES = ("closed", "dropped", "collected", "never")


def unmapped_when(index_dir: Path) -> str:
    """When an opened index's memory map goes: once it is closed, dropped, or garbage collected."""
    maps = Path("/proc/self/maps")

    def mapped() -> int:
        return maps.read_text().count(str(index_dir))

    gc.collect()  # maps of earlier tests' dropped indexes, which a collection mid-test would unmap
    before = mapped()
    opened = searcher.open_index(index_dir, audience="owner")
    opened.search("cloud paris")
    assert mapped() > before
    opened.close()
    if mapped() <= before:
        return "closed"
    del opened
    if mapped() <= before:
        return "dropped"
    gc.collect()
    return "collected" if mapped() <= before else "never"


def test_the_map_goes_no_later_than_when_copying(
    content_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not Path("/proc/self/maps").exists():
        pytest.skip("needs /proc")
    in_place = unmapped_when(content_index)
    monkeypatch.setattr(ondisk, "Storage", FileStorage)  # Whoosh's own, which copies
    copying = unmapped_when(content_index)
    assert in_place != "never"
    assert STAGES.index(in_place) <= STAGES.index(copying)
