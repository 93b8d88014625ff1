"""Postings sorted by term then document, in runs: in memory, or spilled to disk when large.

The writer collects each batch's postings in a :class:`Pending` run, sorts it once (numpy)
into a :class:`Run` and spills it to temporary files when it holds many postings; at the
commit :func:`chunks` merges all runs a chunk of terms at a time for ``segwriter`` to encode.
Runs come in docnum order, so a stable sort by term keeps each term's documents in order.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from searcher import segreader, segwriter
from searcher.segwriter import I64, Chunk

if TYPE_CHECKING:  # the batches a writer takes (segbuild imports this module)
    from searcher.segbuild import Batch

CHUNK_POSTINGS = 200_000  # postings merged and encoded at a time


@dataclass
class Run:
    """Sorted postings, in memory or (``path`` set) in files: docs, weights, sizes, values."""

    keys: list[bytes]
    key_postings: I64  # where each key's postings start, and the end
    key_bytes: I64  # where each key's value bytes start, and the end
    arrays: tuple[Any, ...] = ()
    path: str = ""

    _DTYPES = (np.int32, np.float32, np.uint32, np.uint8)

    def read(self, a: int, b: int) -> tuple[Any, ...]:
        """Docs, weights, value sizes and value bytes of keys a..b."""
        p, q = int(self.key_postings[a]), int(self.key_postings[b])
        v, w = int(self.key_bytes[a]), int(self.key_bytes[b])
        if not self.path:
            docs, weights, sizes, values = self.arrays
            return docs[p:q], weights[p:q], sizes[p:q], values[v:w]
        found = []
        for i, dtype in enumerate(self._DTYPES):
            start, stop = (v, w) if i == 3 else (p, q)
            found.append(np.fromfile(f"{self.path}.{i}", dtype=dtype, count=stop - start,
                                     offset=start * np.dtype(dtype).itemsize))  # fmt: skip
        return tuple(found)

    def spill(self, path: str) -> Run:
        for i, array in enumerate(self.arrays):
            np.ascontiguousarray(array, dtype=self._DTYPES[i]).tofile(f"{path}.{i}")
        return Run(self.keys, self.key_postings, self.key_bytes, path=path)

    def remove(self) -> None:
        for i in range(len(self._DTYPES)):
            if self.path:
                os.unlink(f"{self.path}.{i}")


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
        perm = np.argsort(term_rank, kind="stable")
        counts = np.bincount(term_rank, minlength=len(keys))
        starts = (np.cumsum(sizes, dtype=np.int64) - sizes)[perm]
        sizes = sizes[perm]
        sorted_values = np.empty(len(values), dtype=np.uint8)
        ends = np.cumsum(sizes, dtype=np.int64)
        step = CHUNK_POSTINGS
        for i in range(0, len(perm), step):  # bytes in sorted order, a slice at a time
            part = slice(i, i + step)
            segwriter._copy(sorted_values, ends[part] - sizes[part], values, starts[part],
                            sizes[part].astype(np.int64))  # fmt: skip
        used = counts > 0  # by rank; a batch may list keys no posting uses
        counts = counts[used]
        key_postings = np.concatenate(([0], np.cumsum(counts)))
        key_bytes = np.concatenate(([0], ends[key_postings[1:] - 1]))
        kept = [keys[i] for i, use in zip(order, used.tolist(), strict=True) if use]
        return Run(kept, key_postings, key_bytes,
                    (docs[perm], weights[perm], sizes, sorted_values))  # fmt: skip


def chunks(runs: list[Run]) -> Iterator[Chunk]:
    """The postings of all runs, merged by term a chunk at a time (runs in docnum order).

    Chunks end at keys of the largest run, one every CHUNK_POSTINGS of all runs' postings
    (the runs of one build hold much the same terms)."""
    if not runs:
        return
    largest = max(runs, key=lambda run: int(run.key_postings[-1]))
    total = sum(int(run.key_postings[-1]) for run in runs)
    mine = int(largest.key_postings[-1])
    step = max(CHUNK_POSTINGS * mine // max(total, 1), 1)
    cuts = np.searchsorted(largest.key_postings, np.arange(step, mine, step), side="right")
    bounds = sorted({largest.keys[i - 1] for i in cuts.tolist() if 0 < i <= len(largest.keys)})
    for low, high in zip([None, *bounds], [*bounds, None], strict=True):
        parts = []
        for run in runs:
            a = 0 if low is None else bisect.bisect_right(run.keys, low)
            b = len(run.keys) if high is None else bisect.bisect_right(run.keys, high)
            if a < b:
                parts.append((run, a, b))
        if parts:
            yield merge(parts)


def merge(parts: list[tuple[Run, int, int]]) -> Chunk:
    if len(parts) == 1:
        run, a, b = parts[0]
        docs, weights, sizes, values = run.read(a, b)
        sizes = sizes.astype(np.int64)
        counts = np.diff(run.key_postings[a : b + 1])
        return Chunk(run.keys[a:b], counts, docs.astype(np.int64), weights, sizes,
                     np.cumsum(sizes) - sizes, values)  # fmt: skip
    keys = sorted(set().union(*(run.keys[a:b] for run, a, b in parts)))
    rank = {key: i for i, key in enumerate(keys)}
    pieces, offset = [], 0
    for run, a, b in parts:
        ranks = np.fromiter(map(rank.__getitem__, run.keys[a:b]), np.int64, count=b - a)
        docs, weights, sizes, values = run.read(a, b)
        sizes = sizes.astype(np.int64)
        term_rank = np.repeat(ranks, np.diff(run.key_postings[a : b + 1]))
        pieces.append((term_rank, docs, weights, sizes, np.cumsum(sizes) - sizes + offset, values))
        offset += len(values)
    term_rank, docs, weights, sizes, starts, values = (
        np.concatenate(p) for p in zip(*pieces, strict=True)
    )
    perm = np.argsort(term_rank, kind="stable")
    counts = np.bincount(term_rank, minlength=len(keys))
    return Chunk(keys, counts, docs[perm].astype(np.int64), weights[perm], sizes[perm],
                 starts[perm], values)  # fmt: skip


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
    return Run(keys, key_postings, key_bytes, (docs, weights, sizes.astype(np.uint32), values))
