"""A phrase's words in order, over arrays: where each word stands in the documents that hold
them all, and whether they follow one another there.

The scorer (:mod:`~searcher.search.fastscore`) finds a phrase's candidates (the documents
holding every word) and scores its matches; :class:`PositionStore` says which candidates
match. A word's positions are read from its postings' blocks for those candidates only, and
kept (within :data:`POSITIONS_BUDGET` documents) for the next phrase: a CJK word is a phrase
of bigrams, and the same bigrams come back query after query.

Small arrays: numpy's fixed cost per call (``np.r_`` alone about 10 µs) is what a phrase of
a few candidates pays, so starts and firsts are filled in place rather than built by
``np.r_`` and ``np.cumsum``'s wrapper.
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain
from typing import Any

import numpy as np
from whoosh import formats

from searcher.indexing._whoosh import segreader
from searcher.support.caches import Bounded

POSITIONS_BUDGET = 200_000  # (term, document) positions kept per generation

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True)
class Positions:
    """A term's positions in some documents (sorted docnums): document i's are
    ``flat[starts[i] : starts[i + 1]]``."""

    docs: IntArray
    starts: IntArray
    flat: IntArray

    def holds(self, docs: IntArray) -> BoolArray:
        """Whether each of ``docs`` has its positions here."""
        return within(docs, self.docs)

    def of(self, docs: IntArray) -> tuple[IntArray, IntArray]:
        """The number of positions in each of ``docs`` (0 where not here), and them all."""
        if not len(self.docs):
            return np.zeros(len(docs), dtype=np.int64), self.flat
        at = np.minimum(self.docs.searchsorted(docs), len(self.docs) - 1)
        sizes = np.where(self.docs[at] == docs, self.starts[at + 1] - self.starts[at], 0)
        return sizes, runs(self.flat, self.starts[at], sizes)

    @staticmethod
    def merged(parts: list[Positions]) -> Positions:
        """One store of the documents of ``parts`` (none in two)."""
        docs = np.concatenate([part.docs for part in parts])
        order = np.argsort(docs, kind="stable")
        bases = starts_of(np.array([len(part.flat) for part in parts[:-1]], dtype=np.int64))
        starts = np.concatenate(
            [part.starts[:-1] + base for part, base in zip(parts, bases.tolist(), strict=True)]
        )
        sizes = np.concatenate([np.diff(part.starts) for part in parts])[order]
        flat = runs(np.concatenate([part.flat for part in parts]), starts[order], sizes)
        return Positions(docs[order], starts_of(sizes), flat)


NO_POSITIONS = Positions(  # a term's positions not read yet (shared: read-only)
    np.zeros(0, dtype=np.int64), np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64)
)


class PositionStore:
    """The positions of terms in the documents of one searcher generation (its segments'
    ``leaves`` and their :class:`~segreader.TermReader`), kept; read under ``lock``, the
    one its owner reads those term readers under."""

    def __init__(
        self,
        leaves: list[tuple[Any, int]],
        terms: list[segreader.TermReader],
        lock: threading.Lock,
        budget: int = POSITIONS_BUDGET,
    ) -> None:
        self._leaves, self._terms, self._lock = leaves, terms, lock
        self._known: Bounded[tuple[str, bytes], Positions] = Bounded(
            budget=budget,
            weigh=_positions_weight,
            locked=False,  # under _lock
        )

    def chained(
        self, fieldname: str, texts: list[bytes], docs: IntArray, format_: Any, slop: int
    ) -> BoolArray:
        """For each of ``docs`` (all holding every word), whether the words stand in order,
        each 1 to ``slop`` positions after the one before; a word's positions are read only
        for the documents where the chain still holds."""
        owners = np.arange(len(docs), dtype=np.int64)
        alive = owners
        starts = owners[:0]  # (owner << 32) + the position the chain has reached there
        steps = np.arange(1, max(slop, 1) + 1, dtype=np.int64)
        for i, text in enumerate(texts):
            sizes, flat = self.positions(fieldname, text, docs[alive], format_)
            keys = flat + np.repeat(alive << 32, sizes)
            if i == 0:
                starts = keys
            elif slop <= 1:
                starts = starts[within(starts + 1, keys)] + 1
            else:  # every end 1 to slop after an end reached: each once
                reached = (starts[:, None] + steps).ravel()
                starts = keys[within(keys, np.sort(reached))]  # sorted, as keys are
            if not len(starts):
                break
            alive = distinct(starts >> 32)
        found = np.zeros(len(docs), dtype=bool)
        found[starts >> 32] = True
        return found

    def positions(
        self, fieldname: str, text: bytes, docs: IntArray, format_: Any
    ) -> tuple[IntArray, IntArray]:
        """The positions of a term in each of ``docs`` (sorted, all holding the term), as the
        number in each document and all of them one document after another; those read once
        are kept for the next phrase."""
        key = (fieldname, text)
        with self._lock:
            known = self._known.get(key) or NO_POSITIONS
            missing = docs[~known.holds(docs)]
            answer: tuple[IntArray, IntArray] | None = None
            if len(missing):
                decode = positions_decoder(format_)
                parts = [known] if len(known.docs) else []
                for (reader, offset), terms in zip(self._leaves, self._terms, strict=True):
                    end = offset + reader.doc_count_all()
                    mine = missing[(missing >= offset) & (missing < end)] - offset
                    if not len(mine):
                        continue
                    read = terms.values(fieldname, text, mine)
                    sizes, flat = decode(list(read.values()))
                    held = np.fromiter(read, dtype=np.int64, count=len(read)) + offset
                    parts.append(Positions(held, starts_of(sizes), flat))
                    if len(read) == len(docs):  # all of docs, from one segment: as asked
                        answer = sizes, flat
                if len(parts) > 1:
                    known = Positions.merged(parts)
                elif parts:  # read in one go, in docnum order
                    known = parts[0]
                self._known.put(key, known)
                if answer is not None:
                    return answer
            return known.of(docs)


def _positions_weight(kept: Positions) -> int:
    return len(kept.docs)  # documents: what POSITIONS_BUDGET counts


def starts_of(sizes: IntArray) -> IntArray:
    """Where each of runs of ``sizes`` starts, one after another, and where the last ends."""
    starts = np.zeros(len(sizes) + 1, dtype=np.int64)
    sizes.cumsum(out=starts[1:])
    return starts


def runs(values: IntArray, starts: IntArray, sizes: IntArray) -> IntArray:
    """``values[start : start + size]`` for each start and size, one after another."""
    ends = sizes.cumsum()
    total = int(ends[-1]) if len(ends) else 0
    at = np.repeat(starts - (ends - sizes), sizes) + np.arange(total, dtype=np.int64)
    found: IntArray = values[at]
    return found


def within(values: IntArray, known: IntArray) -> BoolArray:
    """Whether each of ``values`` is in ``known`` (sorted): np.isin without its sorts, and
    without the import of numpy.ma (47 ms, on a process's first call) that np.unique
    makes to test for masked arrays."""
    if not len(known):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(known.searchsorted(values), len(known) - 1)
    found: BoolArray = known[at] == values
    return found


def distinct(values: IntArray) -> IntArray:
    """The distinct values of sorted ``values``: np.unique without its sort (nor its
    import of numpy.ma)."""
    if not len(values):
        return values
    first = np.empty(len(values), dtype=bool)
    first[0] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return values[first]


def positions_decoder(format_: Any) -> Callable[[list[bytes]], tuple[IntArray, IntArray]]:
    """How posting values of ``format_`` give their positions (the number in each value, and
    them all): Whoosh's Positions format read without its Python loop, others value by value
    by Whoosh."""
    if type(format_) is formats.Positions:
        return _positions_of
    return lambda values: _flat([format_.decode_positions(value) for value in values])


def _positions_of(values: list[bytes]) -> tuple[IntArray, IntArray]:
    """``Positions.decode_positions`` of each value: a count (4 bytes), then the pickled
    deltas. Compact values (``segwriter.compact_positions``: no PROTO, memo or STOP, each
    a list built by its own opcodes) are read in one unpickling, as a tuple of lists, and
    summed over all of them at once: a phrase of CJK characters reads hundreds of thousands."""
    if any(value.endswith(b".") for value in values):  # as Whoosh's own writer leaves them
        return _flat([
            list(accumulate(pickle.loads(value[4:] if value.endswith(b".") else value[4:] + b".")))
            for value in values
        ])  # fmt: skip
    joined = b"".join([b"(", *(value[4:] for value in values), b"t."])
    sizes, deltas = _flat(pickle.loads(joined))
    sums = starts_of(deltas)  # 0, then the running sums
    before = sums[starts_of(sizes)[:-1]]  # the sum of the values before each
    return sizes, sums[1:] - np.repeat(before, sizes)


def _flat(lists: Sequence[list[int]]) -> tuple[IntArray, IntArray]:
    """The length of each list, and their items one after another."""
    sizes = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    items = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(sizes.sum()))
    return sizes, items
