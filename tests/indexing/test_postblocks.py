"""postblocks and segreader.TermReader against Whoosh's own matchers: the same docnums,
weights, values and document frequency for every term of a segment, ours or Whoosh's, with
deleted documents; and the front of a data pickle read as the whole pickle reads."""

from __future__ import annotations

import pickle
import pickletools
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import CONTENT, GOLDEN
from hypothesis import given
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.filedb.filestore import RamStorage

from searcher.indexing import indexer, ondisk, schema
from searcher.indexing._whoosh import postblocks, segbuild, segreader
from searcher.ingest.reader import scan
from searcher.models import Post


def _posts(copies: int = 1) -> list[Post]:
    """The fixtures' posts; with copies (other paths), terms of several blocks too."""
    posts = [p for p in scan([CONTENT, GOLDEN], drafts=True) if isinstance(p, Post)]
    return [replace(p, path=f"{i}/{p.path}") if i else p for i in range(copies) for p in posts]


def _walk(matcher: Any) -> tuple[list[int], list[float], list[bytes]]:
    docs, weights, values = [], [], []
    while matcher.is_active():
        docs.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value() or b"")
        matcher.next()
    return docs, weights, values


def _same_as_whoosh(index: Any) -> int:
    """Every term of every segment read both ways; how many had several W3 blocks."""
    blocks = 0
    with index.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            terms = segreader.TermReader(leaf)
            for fieldname, text in leaf.all_terms():
                docs, weights, values = _walk(leaf.postings(fieldname, text))
                found, frequency = terms.postings(fieldname, text)
                assert frequency == leaf.doc_frequency(fieldname, text)
                assert found is not None
                assert found.docs.tolist() == docs, (fieldname, text)
                assert found.weights.tolist() == weights, (fieldname, text)
                with_values = segreader.leaf_postings(leaf.postings(fieldname, text), values=True)
                assert with_values.docs.tolist() == docs
                assert with_values.values == b"".join(values)
                assert with_values.value_sizes is not None
                assert with_values.value_sizes.tolist() == [len(v) for v in values]
                matcher = getattr(leaf.postings(fieldname, text), "child", None)  # deletions
                matcher = matcher or leaf.postings(fieldname, text)
                blocks += isinstance(matcher, W3LeafMatcher) and not matcher._lastblock
                assert terms.postings(fieldname, text + b"\xff\x00") == (None, 0)
            assert terms.postings("no such field", b"a") == (None, 0)
    return blocks


def test_our_segments_decode_as_whoosh_reads_them(tmp_path: Path) -> None:
    posts = _posts(copies=3)
    indexer.write(posts, tmp_path / "ix")
    assert _same_as_whoosh(ondisk.open_existing(tmp_path / "ix")) > 5
    writer = segbuild.IndexWriter(whoosh_index.open_dir(str(tmp_path / "ix"), ondisk.INDEX_NAME))
    for post in posts[::3]:  # deleted documents: left out, still counted in the frequency
        writer.delete_by_term(schema.PATH, post.path)
    writer.commit(fresh=False)
    index = ondisk.open_existing(tmp_path / "ix")
    assert index.reader().has_deletions()
    assert _same_as_whoosh(index) > 5


def test_whooshs_own_segments_decode_alike() -> None:
    """Whoosh's writer pickles blocks with protocol 2 and a memo: read whole."""
    store = RamStorage()
    writer = store.create_index(schema.build_schema()).writer()
    for post in _posts(copies=2):
        writer.add_document(**schema.document(post))
    writer.commit()
    assert _same_as_whoosh(store.open_index()) > 5


def test_not_postings_are_refused() -> None:
    with pytest.raises(ValueError, match="W3"):
        postblocks.read_blocks(b"XXXX\x00\x00\x00\x00", None, False)


_INTS = st.integers(min_value=0, max_value=2**31 - 1)
_WEIGHTS = st.one_of(
    st.none(),
    st.floats(min_value=0.5, max_value=1e6, allow_nan=False),
    st.just("each"),
)


@given(
    deltas=st.lists(_INTS, min_size=1, max_size=140),
    weights=_WEIGHTS,
    whole=st.booleans(),
    values=st.sampled_from(["none", "joined", "each"]),
    ours=st.booleans(),
)
def test_a_blocks_front_is_the_whole_pickles(
    deltas: list[int], weights: Any, whole: bool, values: str, ours: bool
) -> None:
    """Deltas and weights from the front of a data pickle, compressed or not, as the whole
    pickle gives them: pickles without PROTO and memo (ours: small tuples as TUPLE1-3,
    numbers of every width) and Whoosh's protocol-2 ones."""
    count = len(deltas)
    if weights == "each":
        weights = tuple(d % 7 if whole else d / 3 for d in deltas)
    stored = {"none": None, "joined": b"\x00\x01" * count,
              "each": tuple(bytes([d % 256]) * (d % 5) for d in deltas)}[values]  # fmt: skip
    data = (tuple(deltas), weights, stored)
    if ours:
        plain = pickletools.optimize(pickle.dumps(data, 3))[2:]  # no PROTO, no memo
        assert plain[:1] != b"\x80"
    else:
        plain = pickle.dumps(data, 2)
    assert postblocks._front(memoryview(plain), 0, count) == data[:2]
    packed = zlib.compress(plain, 6)
    assert postblocks._front(memoryview(packed), 6, count) == data[:2]


def test_weights_are_whooshs_floats() -> None:
    found = postblocks._weights((1, 2.1, 3), 3)
    assert found.tolist() == np.array([1, 2.1, 3], dtype=np.float32).tolist()
    assert postblocks._weights(None, 2).tolist() == [1.0, 1.0]
    assert postblocks._weights(2.5, 2).tolist() == [2.5, 2.5]


def _extent(blocks: list[tuple[tuple[int, ...], Any]]) -> bytes:
    """A term's postings as Whoosh's writer lays them out: the W3 header, then each block's
    length (negative for the last), info pickle and data pickle (deltas from the block's
    start, weights, no values)."""
    out, last = [b"W3Bl"], 0
    for i, (docs, weights) in enumerate(blocks):
        deltas = tuple(d - p for d, p in zip(docs, (0, *docs[:-1]), strict=True))
        info = pickle.dumps((len(docs), docs[-1], 1.0, 0, 1, 1), 2)
        data = pickle.dumps((deltas, weights, None), 2)
        size = len(info) + len(data)
        out += [(-size if i == len(blocks) - 1 else size).to_bytes(4, "big", signed=True),
                info, data]  # fmt: skip
        last = docs[-1]
    assert last
    return b"".join(out)


@pytest.mark.parametrize("first", [None, 2, 0.1, (1, 2.1)])
def test_blocks_gather_into_one_array_as_whoosh_reads_each(first: Any) -> None:
    """Docnums go on across blocks; weights: a tuple's as 32-bit floats, one weight for all
    (even 0.1, which no 32-bit float is) as stored, None as 1.0."""
    extent = _extent([((3, 8), first), ((9, 40, 41), (2.1, 1, 3))])
    found = postblocks.read_blocks(extent, None, False)
    assert found.docs.tolist() == [3, 8, 9, 40, 41]
    head = [1.0, 1.0] if first is None else [first, first] if not isinstance(first, tuple) else (
        np.array(first, dtype=np.float32).tolist())  # fmt: skip
    assert found.weights.tolist() == head + np.array([2.1, 1, 3], dtype=np.float32).tolist()
    assert found.weights.tolist() == postblocks.read_blocks(extent, 0, True).weights.tolist()
