"""Phrase positions read in bulk against Whoosh's own decoding, and the store that keeps
them: merged and read back as a dict of lists gives them."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import formats

from searcher.indexing._whoosh import segwriter
from searcher.search import positions


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(0, 2**31 - 1), min_size=1, max_size=1200).map(sorted),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_positions_read_together_equal_whooshs_one_by_one(
    terms: list[tuple[list[int], bool]],
) -> None:
    """Posting values as Whoosh writes them (pickled deltas) and as our writer compacts them
    (no PROTO, memo or STOP), alone or mixed: each value's positions as Whoosh decodes it."""
    form = formats.Positions()
    values = []
    for where, compact in terms:
        value = form.encode(where)
        if compact:
            sizes = np.array([len(value)], dtype=np.int64)
            value = segwriter.compact_positions(value, sizes, np.ones(1, dtype=bool))[0]
        values.append(value)
    expected = [form.decode_positions(value) for value in values]
    assert _lists(*positions.positions_decoder(form)(values)) == expected
    compact = [value for value, (_, kept) in zip(values, terms, strict=True) if kept]
    assert _lists(*positions.positions_decoder(form)(compact)) == [
        form.decode_positions(value) for value in compact
    ]


class _Segment:
    """A segment's reader and term reader for :class:`positions.PositionStore`: one term's
    posting values (Whoosh's Positions) by segment docnum."""

    def __init__(self, count: int, held: dict[int, list[int]]) -> None:
        self._count = count
        self._values = {doc: formats.Positions().encode(where) for doc, where in held.items()}

    def doc_count_all(self) -> int:
        return self._count

    def values(self, fieldname: str, text: bytes, docs: Any) -> dict[int, Any]:
        return {doc: self._values[doc] for doc in docs.tolist() if doc in self._values}


@settings(max_examples=100, deadline=None)
@given(
    held=st.dictionaries(
        st.integers(0, 59), st.lists(st.integers(0, 300), min_size=1, max_size=5, unique=True)
    ),
    cut=st.integers(0, 60),
    asks=st.lists(st.lists(st.integers(0, 59), max_size=20), min_size=1, max_size=4),
)
def test_kept_positions_answer_each_ask_over_segments(
    held: dict[int, list[int]], cut: int, asks: list[list[int]]
) -> None:
    """A term's positions in the documents asked (sorted, all holding it), over two segments
    split at ``cut``, ask after ask (read, kept, read again): as the values give them."""
    segments = [
        _Segment(cut, {d: sorted(p) for d, p in held.items() if d < cut}),
        _Segment(60 - cut, {d - cut: sorted(p) for d, p in held.items() if d >= cut}),
    ]
    store = positions.PositionStore(
        [(segment, offset) for segment, offset in zip(segments, [0, cut], strict=True)],
        segments,  # type: ignore[arg-type]
        threading.Lock(),
    )
    for ask in asks:
        docs = np.array(sorted({d for d in ask if d in held}), dtype=np.int64)
        found = store.positions("body", b"term", docs, formats.Positions())
        assert _lists(*found) == [sorted(held[d]) for d in docs.tolist()]


def _lists(sizes: Any, flat: Any) -> list[list[int]]:
    """Each value's positions from the number in each and all of them."""
    ends = np.cumsum(sizes).tolist()
    return [flat[end - size : end].tolist() for size, end in zip(sizes.tolist(), ends, strict=True)]


@given(
    kept=st.dictionaries(
        st.integers(0, 60), st.lists(st.integers(0, 500), max_size=6).map(sorted), max_size=25
    ),
    parts=st.integers(1, 4),
    asked=st.lists(st.integers(0, 70), max_size=30),
)
def test_kept_positions_merge_and_read_back(
    kept: dict[int, list[int]], parts: int, asked: list[int]
) -> None:
    """Positions read in several goes, merged into one store, read back for any documents
    (none where not read) as a dict of lists gives them."""
    docs = sorted(kept)
    stores = [positions.NO_POSITIONS]
    for part in range(parts):
        mine = docs[part::parts]
        sizes = np.array([len(kept[d]) for d in mine], dtype=np.int64)
        flat = np.array([p for d in mine for p in kept[d]], dtype=np.int64)
        starts = positions.starts_of(sizes)
        stores.append(positions.Positions(np.array(mine, dtype=np.int64), starts, flat))
    store = positions.Positions.merged(stores)
    wanted = np.array(sorted(set(asked)), dtype=np.int64)
    assert store.holds(wanted).tolist() == [d in kept for d in wanted.tolist()]
    assert _lists(*store.of(wanted)) == [kept.get(d, []) for d in wanted.tolist()]


@given(
    values=st.lists(st.integers(-50, 50), max_size=40).map(sorted),
    known=st.lists(st.integers(-50, 50), max_size=40).map(lambda v: sorted(set(v))),
)
def test_within_and_distinct_are_isin_and_unique(values: list[int], known: list[int]) -> None:
    found = np.array(values, dtype=np.int64)
    held = np.array(known, dtype=np.int64)
    assert positions.within(found, held).tolist() == np.isin(found, held).tolist()
    assert positions.distinct(found).tolist() == sorted(set(values))
    sizes = np.array([len(known), len(values)], dtype=np.int64)
    assert positions.starts_of(sizes).tolist() == [0, len(known), len(known) + len(values)]
