"""Postings sorted by term then document, in runs: in memory, or spilled to disk when large.

The writer collects each batch's postings in a :class:`Pending` run, sorts it once (numpy)
into a :class:`Run` and spills it to temporary files when it holds many postings; at the
commit :func:`chunks` merges all runs a chunk of terms at a time for ``segwriter`` to encode.
Runs come in docnum order, so a stable sort by term keeps each term's documents in order.
"""

from __future__ import annotations

import bisect
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from searcher.indexing._whoosh import segreader, segwriter
from searcher.indexing._whoosh.segwriter import I64, Chunk

# postings merged and encoded at a time (~450 bytes each meanwhile); the writer encodes two
# chunks at once, so two of 75,000 hold what one of 150,000 held (two of 150,000 made the
# writer's peak 66 MB higher on the four corpora, 100,000 46 MB)
CHUNK_POSTINGS = 75_000
SAMPLE_POSTINGS = 10_000  # a run's key every so many postings, to cut chunks between runs by
KEY_PAGE = 10_000  # keys of a spilled run read back at a time
_DTYPES = (np.int32, np.float32, np.uint32, np.uint8)  # docs, weights, value sizes, values


@dataclass
class Batch:
    """Analysed documents as arrays: postings grouped by document, in document order."""

    count: int
    keys: list[bytes]  # distinct terms: field number (!H) + term bytes
    terms: np.ndarray[Any, np.dtype[np.int32]]  # each posting's index in keys
    per_doc: np.ndarray[Any, np.dtype[np.int32]]  # postings of each document
    weights: np.ndarray[Any, np.dtype[np.float32]]
    value_sizes: np.ndarray[Any, np.dtype[np.uint32]]
    values: bytes
    lengths: dict[str, tuple[I64, I64]]  # scorable field -> (documents, lengths)
    stored: tuple[bytes, I64]  # stored fields as the stored column keeps them, and sizes
    columns: dict[str, tuple[list[int], list[Any]]]  # column field -> (documents, values)


@dataclass
class Run:
    """Sorted postings: the keys, where each key's postings and value bytes start (and the
    end), and the postings (docs, weights, value sizes, value bytes); all in memory, or all
    in files at ``path``: ``.0`` to ``.3`` the postings' arrays, ``.4`` where each key's bytes
    start in ``.7`` (the keys), ``.5`` and ``.6`` where its postings and value bytes start:
    a spilled run holds no memory, however many a large build makes."""

    count: int  # keys
    samples: list[tuple[bytes, int]]  # a key every SAMPLE_POSTINGS postings, and where it ends
    keys: list[bytes] = field(default_factory=list)
    key_postings: I64 = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    key_bytes: I64 = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    arrays: tuple[Any, ...] = ()
    path: str = ""

    @classmethod
    def of(cls, keys: list[bytes], key_postings: I64, key_bytes: I64, arrays: tuple[Any, ...]
           ) -> Run:  # fmt: skip
        total = int(key_postings[-1])
        every = np.arange(SAMPLE_POSTINGS, total, SAMPLE_POSTINGS)
        ends = np.unique(np.searchsorted(key_postings, every, side="right"))
        samples = [(keys[i - 1], int(key_postings[i])) for i in ends.tolist()]
        return cls(len(keys), samples, keys, key_postings, key_bytes, arrays)

    def page(self, a: int, b: int) -> tuple[list[bytes], I64, I64]:
        """Keys a..b, and where their postings and value bytes start (and end)."""
        if not self.path:
            return self.keys[a:b], self.key_postings[a : b + 1], self.key_bytes[a : b + 1]
        offsets = self._read(4, np.int64, a, b + 1)
        blob = self._read(7, np.uint8, int(offsets[0]), int(offsets[-1])).tobytes()
        ends = (offsets - offsets[0]).tolist()
        keys = [blob[ends[i] : ends[i + 1]] for i in range(b - a)]
        return keys, self._read(5, np.int64, a, b + 1), self._read(6, np.int64, a, b + 1)

    def read(self, postings: tuple[int, int], values: tuple[int, int]) -> tuple[Any, ...]:
        """Docs, weights, value sizes and value bytes of a range of postings and bytes."""
        ranges = (postings, postings, postings, values)
        if not self.path:
            return tuple(
                a[start:stop] for a, (start, stop) in zip(self.arrays, ranges, strict=True)
            )
        return tuple(self._read(i, dtype, *ranges[i]) for i, dtype in enumerate(_DTYPES))

    def _read(self, part: int, dtype: Any, start: int, stop: int) -> np.ndarray[Any, Any]:
        size = np.dtype(dtype).itemsize
        return np.fromfile(f"{self.path}.{part}", dtype=dtype, count=stop - start,
                           offset=start * size)  # fmt: skip

    def spill(self, path: str) -> Run:
        """The run written to files at ``path`` (its memory is then free), keys and all."""
        for i, array in enumerate(self.arrays):
            np.ascontiguousarray(array, dtype=_DTYPES[i]).tofile(f"{path}.{i}")
        sizes = np.fromiter(map(len, self.keys), np.int64, count=self.count)
        np.concatenate(([0], np.cumsum(sizes))).tofile(f"{path}.4")
        self.key_postings.astype(np.int64).tofile(f"{path}.5")
        self.key_bytes.astype(np.int64).tofile(f"{path}.6")
        with open(f"{path}.7", "wb") as file:
            file.write(b"".join(self.keys))
        return Run(self.count, self.samples, path=path)

    def remove(self) -> None:
        for part in range(8 if self.path else 0):
            os.unlink(f"{self.path}.{part}")


class _Cursor:
    """Reads a run's keys forward, a page at a time."""

    def __init__(self, run: Run) -> None:
        self.run, self.next = run, 0
        self._start = 0
        self._keys: list[bytes] = []
        self._postings = self._bytes = np.zeros(1, dtype=np.int64)

    def take(self, high: bytes | None) -> tuple[list[bytes], I64, I64]:
        """The next keys up to ``high`` (all that are left if None), and where their postings
        and value bytes start (and end)."""
        keys: list[bytes] = []
        starts: list[I64] = []
        bytes_at: list[I64] = []
        end = (self._postings[-1:], self._bytes[-1:])
        while self.next < self.run.count:
            if self.next >= self._start + len(self._keys):
                self._start = self.next
                stop = min(self.next + KEY_PAGE, self.run.count)
                self._keys, self._postings, self._bytes = self.run.page(self.next, stop)
            i = self.next - self._start
            j = len(self._keys) if high is None else bisect.bisect_right(self._keys, high, i)
            keys += self._keys[i:j]
            starts.append(self._postings[i:j])
            bytes_at.append(self._bytes[i:j])
            end = (self._postings[j : j + 1], self._bytes[j : j + 1])
            self.next += j - i
            if j < len(self._keys):
                break
        return keys, np.concatenate([*starts, end[0]]), np.concatenate([*bytes_at, end[1]])


class Pending:
    """Postings of new documents as they come, until sorted into a run."""

    def __init__(self) -> None:
        # each key's number: how many keys had come before it first came, so that one dict
        # probe per key numbers it (they were 40 % of add_batch); run() ranks the numbers
        self._ids: dict[bytes, int] = {}
        self._seen = 0
        self._parts: list[tuple[Any, ...]] = []
        self.postings = self.value_bytes = 0

    def add(self, batch: Batch, base: int) -> None:
        count = len(batch.keys)
        numbers = map(self._ids.setdefault, batch.keys, range(self._seen, self._seen + count))
        mapped = np.fromiter(numbers, np.int32, count=count)
        self._seen += count
        docs = np.repeat(np.arange(base, base + batch.count, dtype=np.int32), batch.per_doc)
        self._parts.append((mapped[batch.terms], docs, batch.weights, batch.value_sizes,
                            np.frombuffer(batch.values, dtype=np.uint8)))  # fmt: skip
        self.postings += len(docs)
        self.value_bytes += len(batch.values)

    def run(self) -> Run:
        """The postings so far, sorted by term then document (then forgotten here)."""
        keys = list(self._ids)
        order = sorted(range(len(keys)), key=keys.__getitem__)
        rank = np.empty(self._seen, dtype=np.int64)
        rank[np.fromiter(self._ids.values(), np.int64, count=len(keys))[order]] = np.arange(
            len(keys)
        )
        terms, docs, weights, sizes, values = (
            np.concatenate(p) for p in zip(*self._parts, strict=True)
        )
        self._ids, self._seen, self._parts = {}, 0, []
        self.postings = self.value_bytes = 0
        term_rank = rank[terms]
        del terms
        perm = stable_order(term_rank)
        counts = np.bincount(term_rank, minlength=len(keys))
        starts = (np.cumsum(sizes, dtype=np.int64) - sizes)[perm]
        sizes = sizes[perm]
        sorted_values = np.empty(len(values), dtype=np.uint8)
        ends = np.cumsum(sizes, dtype=np.int64)
        step = CHUNK_POSTINGS
        for i in range(0, len(perm), step):  # bytes in sorted order, a slice at a time
            part = slice(i, i + step)
            piece = segwriter.joined_spans(values, starts[part], sizes[part].astype(np.int64))
            end = int(ends[part][-1])
            sorted_values[end - len(piece) : end] = piece  # sorted, the slices tile the bytes
        used = counts > 0  # by rank; a batch may list keys no posting uses
        counts = counts[used]
        key_postings = np.concatenate(([0], np.cumsum(counts)))
        key_bytes = np.concatenate(([0], ends[key_postings[1:] - 1]))
        kept = list(itertools.compress(map(keys.__getitem__, order), used.tolist()))
        return Run.of(kept, key_postings, key_bytes,
                      (docs[perm], weights[perm], sizes, sorted_values))  # fmt: skip


def stable_order(ranks: I64) -> I64:
    """``np.argsort(ranks, kind="stable")`` of non-negative ranks: stable sorts of their
    16-bit digits, lowest first, which numpy sorts by radix (on a run's postings 0.36 of the
    time of one plain 64-bit sort of each rank times the count plus its place)."""
    if not len(ranks):
        return np.zeros(0, dtype=np.int64)
    top, shift = int(ranks.max()), 0
    order: I64 | None = None
    while order is None or top >> shift:
        digits = (ranks >> shift).astype(np.uint16)  # the low 16 bits: the digit
        found = np.argsort(digits if order is None else digits[order], kind="stable")
        order = found if order is None else order[found]
        shift += 16
    return order


def chunks(runs: list[Run]) -> Iterator[Chunk]:
    """The postings of all runs, merged by term a chunk at a time (runs in docnum order);
    each run is read forward once."""
    cursors = [_Cursor(run) for run in runs]
    for high in [*_bounds(runs), None]:
        parts = []
        for cursor in cursors:
            keys, starts, bytes_at = cursor.take(high)
            if keys:
                parts.append((cursor.run, keys, starts, bytes_at))
        if parts:
            yield merge(parts)


def _bounds(runs: list[Run]) -> list[bytes]:
    """Keys to end chunks at, about CHUNK_POSTINGS postings of all runs apart: the runs'
    samples in key order, each moving its run's count of postings so far (the runs of one
    build hold much the same keys, so a key every CHUNK_POSTINGS of each run would cut a
    chunk of CHUNK_POSTINGS of every run: 2.4 million postings, 950 MB to encode)."""
    samples = sorted((key, i, end) for i, run in enumerate(runs) for key, end in run.samples)
    reached = [0] * len(runs)
    total = cut = 0
    bounds: list[bytes] = []
    for key, i, end in samples:
        total += end - reached[i]
        reached[i] = end
        if total - cut >= CHUNK_POSTINGS and (not bounds or key > bounds[-1]):
            bounds.append(key)
            cut = total
    return bounds


def merge(parts: list[tuple[Run, list[bytes], I64, I64]]) -> Chunk:
    """One chunk from the same range of keys of several runs: each run's postings of a term
    placed after those of the runs before it (where a stable sort of them all by term took
    0.4 ms of a Japanese post)."""
    if len(parts) == 1:
        run, keys, starts, bytes_at = parts[0]
        docs, weights, sizes, values = _postings(run, starts, bytes_at)
        return Chunk(keys, np.diff(starts), docs, weights, sizes, np.cumsum(sizes) - sizes,
                     values)  # fmt: skip
    union = sorted(set().union(*(keys for _, keys, _, _ in parts)))
    rank = {key: i for i, key in enumerate(union)}
    places = [np.fromiter(map(rank.__getitem__, keys), np.int64, count=len(keys))
              for _, keys, _, _ in parts]  # fmt: skip
    counts = np.zeros(len(union), dtype=np.int64)
    for (_, _, starts, _), place in zip(parts, places, strict=True):
        counts[place] += np.diff(starts)  # a run lists a key once
    filled = np.cumsum(counts) - counts  # where each term's next postings go
    total = int(counts.sum())
    docs, sizes, at = (np.empty(total, dtype=np.int64) for _ in range(3))
    weights = np.empty(total, dtype=np.float32)
    pieces, offset = [], 0
    for (run, _, starts, bytes_at), place in zip(parts, places, strict=True):
        run_docs, run_weights, run_sizes, values = _postings(run, starts, bytes_at)
        per_term = np.diff(starts)
        to = segwriter._spans(filled[place], per_term)
        docs[to], weights[to], sizes[to] = run_docs, run_weights, run_sizes
        at[to] = np.cumsum(run_sizes) - run_sizes + offset
        filled[place] += per_term
        pieces.append(values)
        offset += len(values)
    return Chunk(union, counts, docs, weights, sizes, at, np.concatenate(pieces))


def _postings(run: Run, starts: I64, bytes_at: I64) -> tuple[Any, ...]:
    docs, weights, sizes, values = run.read((int(starts[0]), int(starts[-1])),
                                            (int(bytes_at[0]), int(bytes_at[-1])))  # fmt: skip
    return docs.astype(np.int64), weights, sizes.astype(np.int64), values


def decoded_run(
    keys: list[bytes], counts: list[int], parts: list[segreader.Postings], docmap: I64
) -> Run:
    order = sorted(range(len(keys)), key=keys.__getitem__)  # Whoosh numbers fields its way
    keys = [keys[i] for i in order]
    parts = [parts[i] for i in order]
    sizes = np.concatenate([p.value_sizes for p in parts if p.value_sizes is not None])
    key_postings = np.concatenate(([0], np.cumsum(np.array(counts, dtype=np.int64)[order])))
    ends = np.cumsum(sizes)
    key_bytes = np.concatenate(([0], ends[key_postings[1:] - 1]))
    docs = docmap[np.concatenate([p.docs for p in parts])].astype(np.int32)
    weights = np.concatenate([p.weights for p in parts]).astype(np.float32)
    values = np.frombuffer(b"".join(p.values for p in parts), dtype=np.uint8)
    return Run.of(keys, key_postings, key_bytes, (docs, weights, sizes.astype(np.uint32), values))
