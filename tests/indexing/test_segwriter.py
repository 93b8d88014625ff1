"""Our segment writer against Whoosh's own: the same index, term by term, document by document.

Each test writes the same posts with whoosh-reloaded's ``SegmentWriter`` (``add_document``,
``delete_by_term``, ``commit``) and with ours, then compares every segment part by part:
terms with their statistics, postings (docnum, weight, value: the positions), field lengths,
stored fields and columns. Parts are compared by digest; a differing part is shown as a diff.
"""

from __future__ import annotations

import difflib
import hashlib
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import CONTENT, FIXTURES, GOLDEN, corpus
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import columns, formats, qparser
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from searcher.indexing import indexer, ondisk, postings, schema
from searcher.indexing._whoosh import segbuild, segreader, segruns, segwriter
from searcher.ingest import wxr
from searcher.ingest.reader import read_file, scan, walk
from searcher.models import DEFAULT_MAX_BYTES, Post

NAME = ondisk.INDEX_NAME
QUERIES = ["cloud", "paris OR montpellier", '"cloud computing"', "ruby security", "vélo"]


def own_posts() -> list[Post]:
    """The project's sample posts, golden files (drafts too) and a WordPress export."""
    found = [p for p in scan([CONTENT, GOLDEN], drafts=True) if isinstance(p, Post)]
    found += [
        p
        for p in wxr.read_export(FIXTURES / "export.xml", max_bytes=DEFAULT_MAX_BYTES)
        if isinstance(p, Post)
    ]
    return found


def documents(posts: Sequence[Post]) -> list[dict[str, Any]]:
    return [schema.document(post) for post in posts]


def whoosh_build(posts: Sequence[Post], target: Path) -> Path:
    """The posts written by Whoosh's own writer, in one segment."""
    target.mkdir(parents=True)
    ix = whoosh_index.create_in(str(target), schema.build_schema(), indexname=NAME)
    writer = ix.writer()
    for document in documents(posts):
        writer.add_document(**document)
    writer.commit()
    return target


def our_build(posts: Sequence[Post], target: Path) -> Path:
    indexer.write(posts, target)
    return target


# -- what a segment holds, part by part --------------------------------------------------------


def parts(index_dir: Path) -> Iterator[tuple[str, list[str]]]:
    """(part name, lines) of every segment of an index, in segment order."""
    ix = whoosh_index.open_dir(str(index_dir), indexname=NAME)
    with ix.reader() as reader:
        for number, (leaf, base) in enumerate(reader.leaf_readers()):
            yield from ((f"segment {number} {name}", lines) for name, lines in _leaf(leaf, base))


def _leaf(reader: Any, base: int) -> Iterator[tuple[str, list[str]]]:
    names = reader.schema.names()
    yield "counts", [f"base {base}", f"documents {reader.doc_count_all()}",
                     f"deleted {sorted(reader.deleted_docs_set)}",
                     *(f"length {f} {reader.field_length(f)}" for f in names)]  # fmt: skip
    terms: dict[str, list[str]] = {}
    for fieldname, text in reader.all_terms():
        info = reader.term_info(fieldname, text)
        stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                 info.max_weight(), info.min_id(), info.max_id())  # fmt: skip
        terms.setdefault(fieldname, []).append(
            f"{text!r} {stats} {_postings(reader, fieldname, text)}"
        )
    for fieldname, lines in terms.items():
        yield f"terms {fieldname}", lines
    yield (
        "documents",
        [
            f"{d} {sorted(reader.stored_fields(d).items())} "
            f"{[reader.doc_field_length(d, f) for f in names]}"
            for d in range(reader.doc_count_all())
            if not reader.is_deleted(d)
        ],
    )
    for name in names:
        if reader.schema[name].column_type and reader.has_column(name):
            values = list(reader.column_reader(name, translate=False))
            yield f"column {name}", [repr(v) for v in values]


def _postings(reader: Any, fieldname: str, text: bytes) -> list[tuple[int, float, Any]]:
    """(docnum, weight, value) of each posting: positions decoded (the same positions may be
    pickled differently), weights as floats (whole ones may be pickled as ints)."""
    matcher = reader.postings(fieldname, text)
    form = reader.schema[fieldname].format
    found = []
    while matcher.is_active():
        value = matcher.value()
        if form.supports("positions"):
            value = (form.decode_frequency(value), form.decode_positions(value))
        found.append((matcher.id(), float(matcher.weight()), value))
        matcher.next()
    return found


def assert_same_index(ours: Path, theirs: Path) -> None:
    """Every part of every segment equal; else a readable diff of the parts that differ."""
    mine, whooshs = dict(parts(ours)), dict(parts(theirs))
    assert sorted(mine) == sorted(whooshs), "the indexes hold different parts"
    digest = {name: hashlib.sha1("\n".join(lines).encode()).hexdigest()
              for name, lines in mine.items()}  # fmt: skip
    differing = [n for n in mine if digest[n] != hashlib.sha1(
        "\n".join(whooshs[n]).encode()).hexdigest()]  # fmt: skip
    if differing:
        diff = []
        for name in differing[:3]:
            diff += list(difflib.unified_diff(whooshs[name], mine[name], f"whoosh: {name}",
                                              f"ours: {name}", lineterm="", n=1))[:30]  # fmt: skip
        pytest.fail(f"parts differ: {differing}\n" + "\n".join(line[:300] for line in diff))


def search(index_dir: Path) -> list[list[tuple[int, float]]]:
    """Plain Whoosh searches: (docnum, score) of the hits of each of QUERIES."""
    ix = whoosh_index.open_dir(str(index_dir), indexname=NAME)
    parser = qparser.MultifieldParser([schema.TITLE, schema.BODY], ix.schema)
    with ix.searcher() as searcher:
        return [[(hit.docnum, round(hit.score, 9)) for hit in searcher.search(
            parser.parse(text), limit=20)] for text in QUERIES]  # fmt: skip


# -- fresh builds -----------------------------------------------------------------------------


@pytest.mark.parametrize("run, chunk", [(None, None), (1_500, 700)], ids=["one-run", "spilled"])
def test_own_posts_write_the_index_whoosh_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: int | None, chunk: int | None
) -> None:
    """Also with runs spilled to disk every 1,500 postings, merged 700 postings at a time,
    their keys read back 97 at a time."""
    if run and chunk:
        monkeypatch.setattr(indexer, "READ_BATCH", 1)  # batches of 4 posts
        monkeypatch.setattr(segbuild, "RUN_POSTINGS", run)
        monkeypatch.setattr(segruns, "CHUNK_POSTINGS", chunk)
        monkeypatch.setattr(segruns, "KEY_PAGE", 97)
    posts = own_posts()
    assert len(posts) > 30
    ours = our_build(posts, tmp_path / "ours")
    theirs = whoosh_build(posts, tmp_path / "whoosh")
    assert_same_index(ours, theirs)
    assert search(ours) == search(theirs)
    assert any(search(ours))


@pytest.mark.corpora
def test_shared_corpora_write_the_index_whoosh_writes(tmp_path: Path) -> None:
    """A share of each corpus's posts (WordPress HTML, Jekyll, 17 languages, long Zola posts,
    Japanese), small enough to keep the suite fast: about 650 posts."""
    every = {"chamerling": 2, "evert": 2, "ruby-lang": 20, "rust-blog": 12, "kaigai-matome": 80}
    posts: list[Post] = []
    for name, step in every.items():
        root = corpus(name)
        found = (read_file(f, root) for f in list(walk(root))[::step])
        posts += [p for p in found if isinstance(p, Post)]
    ours = our_build(posts, tmp_path / "ours")
    theirs = whoosh_build(posts, tmp_path / "whoosh")
    assert_same_index(ours, theirs)
    assert search(ours) == search(theirs)


def test_blocks_big_docnums_weights_and_values_read_back(tmp_path: Path) -> None:
    """What small samples do not reach: docnums past 65,535 (4-byte ints), weights that all
    differ, values over 255 bytes, terms of several blocks, hash tables that wrap round."""
    count = 70_000
    fields = schema.build_schema()
    numbers = segbuild.field_numbers(fields)
    rng = np.random.default_rng(7)
    docs = np.sort(rng.choice(count, 300, replace=False))
    keys = [
        int(number).to_bytes(2, "big") + f"w{i:05d}".encode()
        for number in (numbers[schema.BODY], numbers[schema.WORDS])
        for i in range(3000)
    ]
    builder_terms, per_doc = [], np.zeros(count, dtype=np.int32)
    for doc in docs.tolist():
        chosen = np.unique(np.r_[0:5, 3000:3005, rng.choice(len(keys), 40, replace=False)])
        builder_terms.append(chosen)  # the first five of each field in every document
        per_doc[doc] = len(chosen)
    terms = np.concatenate(builder_terms).astype(np.int32)
    weights = rng.integers(1, 400, len(terms)).astype(np.float32) / 4
    body = terms < 3000
    encoded = [fields[schema.BODY].format.encode(list(range(0, 400 * int(w), 400)))
               if is_body else b""
               for w, is_body in zip(weights.tolist(), body.tolist(), strict=True)]  # fmt: skip
    lengths = {name: (docs.astype(np.int64), np.full(len(docs), 500, dtype=np.int64))
               for name in (schema.BODY, schema.WORDS)}  # fmt: skip
    batch = segruns.Batch(
        count, keys, terms, per_doc, weights,
        np.fromiter(map(len, encoded), np.uint32), b"".join(encoded), lengths,
        (b"", np.zeros(count, dtype=np.int64)), {},
    )  # fmt: skip
    assert max(map(len, encoded)) > 255
    (tmp_path / "ix").mkdir()
    ix = FileStorage(str(tmp_path / "ix")).create_index(fields, indexname=NAME)
    writer = segbuild.IndexWriter(ix)
    writer.add_batch(batch)
    writer.commit(fresh=True)
    doc_of = np.repeat(np.arange(count), per_doc)
    inlined = {True: 0, False: 0}
    with whoosh_index.open_dir(str(tmp_path / "ix"), indexname=NAME).reader() as reader:
        assert reader.doc_count_all() == count
        for k in [0, 3000, *rng.choice(len(keys), 200, replace=False).tolist()]:
            fieldname = schema.BODY if k < 3000 else schema.WORDS
            text = keys[k][2:]
            mine = terms == k
            expected = list(zip(doc_of[mine].tolist(), weights[mine].tolist(),
                                [e for e, m in zip(encoded, mine, strict=True) if m],
                                strict=True))  # fmt: skip
            if not expected:
                assert (fieldname, text) not in reader
                continue
            found = _postings(reader, fieldname, text)
            form = fields[fieldname].format
            if form.supports("positions"):
                expected = [(d, w, (form.decode_frequency(v), form.decode_positions(v)))
                            for d, w, v in expected]  # fmt: skip
            else:  # Whoosh reads a format without values as None
                expected = [(d, w, None) for d, w, _ in expected]
            assert found == expected
            info = reader.term_info(fieldname, text)
            assert info.doc_frequency() == len(expected) == (300 if k in (0, 3000) else len(found))
            assert info.max_weight() == max(w for _, w, _ in expected)
            inlined[info.is_inlined()] += 1
            assert reader.doc_field_length(int(doc_of[mine][0]), fieldname) in range(480, 521)
    assert min(inlined.values()) > 10, inlined  # terms in .pst and terms inlined alike


def test_inlined_postings_read_back_as_whoosh_reads_them(tmp_path: Path) -> None:
    """Terms of few postings keep them in their term info when that is smaller: segreader's
    bulk reading gives what Whoosh's matchers give, deleted documents left out."""
    posts = own_posts()
    ix = whoosh_index.open_dir(str(our_build(posts, tmp_path / "ix")), indexname=NAME)
    writer = segbuild.IndexWriter(ix)
    for post in posts[::5]:
        writer.delete_by_term(schema.PATH, post.path)
    writer.commit(fresh=False)
    inlined = {True: 0, False: 0}
    with whoosh_index.open_dir(str(tmp_path / "ix"), indexname=NAME).reader() as reader:
        assert reader.has_deletions()
        for fieldname, text in reader.all_terms():
            inlined[reader.term_info(fieldname, text).is_inlined()] += 1
            walked = [(d, float(w), v or b"") for d, w, v in _walk(reader, fieldname, text)]
            found = segreader.leaf_postings(reader.postings(fieldname, text), values=True)
            assert found.value_sizes is not None
            sizes = found.value_sizes.tolist()
            ends = np.cumsum(sizes).tolist()
            values = [found.values[end - size : end] for end, size in zip(ends, sizes, strict=True)]
            assert walked == list(zip(found.docs.tolist(), found.weights.tolist(), values,
                                      strict=True))  # fmt: skip
    assert inlined[True] > inlined[False] > 30, inlined


def _walk(reader: Any, fieldname: str, text: bytes) -> list[tuple[int, float, Any]]:
    matcher = reader.postings(fieldname, text)
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return found


# -- updates and merges -----------------------------------------------------------------------


def test_updates_deletions_and_merges_write_what_whoosh_writes(tmp_path: Path) -> None:
    """Rounds of one changed, two new and one deleted post, each committed with Whoosh's
    MERGE_SMALL policy: after five rounds small segments are merged."""
    posts = own_posts()
    fields = schema.build_schema()
    theirs = whoosh_index.create_in(str(_dir(tmp_path / "whoosh")), fields, indexname=NAME)
    ours = FileStorage(str(_dir(tmp_path / "ours"))).create_index(fields, indexname=NAME)
    live = posts[:8]
    _round(theirs, ours, add=live, delete=[])
    merged = False
    for i in range(8):
        changed = _changed(live[i % len(live)], i)
        new = posts[8 + 2 * i : 10 + 2 * i]
        gone = live[(i + 3) % len(live)]
        live = [p for p in live if p.path not in (changed.path, gone.path)] + [changed, *new]
        _round(theirs, ours, add=[changed, *new], delete=[changed.path, gone.path])
        assert_same_index(tmp_path / "ours", tmp_path / "whoosh")
        merged |= len(ours._segments()) < i + 2
    assert merged, "no round merged segments"
    assert search(tmp_path / "ours") == search(tmp_path / "whoosh")


def _dir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def _changed(post: Post, i: int) -> Post:
    from dataclasses import replace

    return replace(post, title=f"{post.title} (revised {i})", text=f"{post.text}\nRevised {i}.")


def _round(theirs: Any, ours: Any, *, add: list[Post], delete: list[str]) -> None:
    writer = theirs.writer()
    for path in delete:
        writer.delete_by_term(schema.PATH, path)
    for document in documents(add):
        writer.add_document(**document)
    writer.commit()
    mine = segbuild.IndexWriter(ours)
    for path in delete:
        mine.delete_by_term(schema.PATH, path)
    mine.add_batch(postings.batch(documents(add)))
    mine.commit()


@pytest.mark.parametrize("count", [0, 1, 50_000])
@pytest.mark.parametrize("high", [1, 7, 1 << 16, (1 << 16) + 1, 100_000, 2**33, 2**60])
def test_stable_order_is_a_stable_argsort(count: int, high: int) -> None:
    """By one 16-bit digit and by two to four of them."""
    ranks = np.random.default_rng(3).integers(0, high, count)
    assert (segruns.stable_order(ranks) == np.argsort(ranks, kind="stable")).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2**31 - 1) | st.integers(0, 300), min_size=1,
                         max_size=2100), min_size=1, max_size=6))  # fmt: skip
def test_position_values_are_whooshs_encoded_positions(terms: list[list[int]]) -> None:
    """Each term's value is ``Positions.encode`` of its positions, compacted: past the
    pickler's batches of 1,000 deltas, with ints of every width."""
    positions = [np.cumsum(deltas).tolist() for deltas in terms]
    form = formats.Positions()
    values = [form.encode(p) for p in positions]
    sizes = np.array(list(map(len, values)), dtype=np.int64)
    expected = segwriter.compact_positions(b"".join(values), sizes, np.ones(len(sizes), bool))
    counts = np.array(list(map(len, terms)), dtype=np.int64)
    found = segwriter.position_values(counts, np.concatenate([np.array(t) for t in terms]))
    assert found[0] == expected[0]
    assert found[1].tolist() == expected[1].tolist()


def test_spans_joined_and_copied_are_the_slices() -> None:
    rng = np.random.default_rng(5)
    source = rng.integers(0, 256, 5_000).astype(np.uint8)
    starts, sizes = rng.integers(0, 4_000, 300), rng.integers(0, 900, 300)
    joined = segwriter.joined_spans(source, starts, sizes)
    assert joined.tobytes() == b"".join(source[a : a + n].tobytes()
                                        for a, n in zip(starts, sizes, strict=True))  # fmt: skip
    out = np.zeros(len(joined) + 10, dtype=np.uint8)
    segwriter.copy_spans(out, np.cumsum(sizes) - sizes + 10, source, starts, sizes)
    assert out[10:].tobytes() == joined.tobytes()


def test_length_bytes_are_whooshs() -> None:
    from whoosh.util.numeric import length_to_byte

    lengths = np.array([0, 1, 2, 7, 8, 100, 1000, 65535, 65536, 106373, 106374, 10**7])
    assert segwriter.length_bytes(lengths).tolist() == [length_to_byte(n) for n in lengths]


def test_blocks_and_stored_fields_deflated_by_isal_are_zlib_streams(tmp_path: Path) -> None:
    """ISA-L deflates blocks and stored fields (faster than zlib) into streams zlib inflates."""
    plain = bytes(range(256)) * 3  # a block's data pickle, say
    assert zlib.decompress(segwriter.deflate(plain)) == plain
    assert segwriter.deflate(plain) != zlib.compress(plain)
    our_build(own_posts(), tmp_path / "ix")
    ix = whoosh_index.open_dir(str(tmp_path / "ix"), indexname=NAME)
    with ix.reader() as reader:
        raw = reader._perdoc.column_reader("_stored", columns.VarBytesColumn())
        values = [raw[d] for d in range(reader.doc_count_all())]
        assert all(values)
        for value in values:
            assert value == segwriter.deflate(zlib.decompress(value), segbuild.STORED_LEVEL)


def test_a_commit_that_fails_leaves_the_index_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    posts = own_posts()
    our_build(posts[:10], tmp_path / "ix")
    before = sorted(p.name for p in (tmp_path / "ix").iterdir())
    ix = whoosh_index.open_dir(str(tmp_path / "ix"), indexname=NAME)
    writer = segbuild.IndexWriter(ix)
    writer.delete_by_term(schema.PATH, posts[0].path)
    writer.add_batch(postings.batch(documents(posts[10:20])))

    def broken(*args: object) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(segwriter, "encode_postings", broken)
    with pytest.raises(OSError, match="No space"):
        writer.commit()
    assert sorted(p.name for p in (tmp_path / "ix").iterdir()) == before  # no segment, no temp
    with whoosh_index.open_dir(str(tmp_path / "ix"), indexname=NAME).searcher() as searcher:
        assert searcher.doc_count() == 10  # the deletion was not committed either
    segbuild.IndexWriter(ix).cancel()  # the lock was released
