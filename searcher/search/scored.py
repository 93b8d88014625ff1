"""What a query matches, as arrays: sorted docnums and their scores, combined as AND, OR,
ANDMAYBE and AND NOT combine them in Whoosh (scores added in the same order).

Most arrays here are small (a rare word's few posts): numpy's sorts in np.intersect1d,
np.isin and np.unique would sort again what is sorted, so docnums are found by binary
search instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from whoosh import query

from searcher.search.positions import FloatArray, IntArray, within

NO_DOCS = np.zeros(0, dtype=np.int64)  # a term no segment holds (shared: read-only)
NO_SCORES = np.zeros(0, dtype=np.float64)
NO_DOCS.flags.writeable = NO_SCORES.flags.writeable = False


@dataclass
class Scored:
    """The documents a query matches (sorted docnums) and their scores."""

    docs: IntArray
    scores: FloatArray

    def scores_of(self, docs: Iterable[int]) -> dict[int, float]:
        """The scores of those of ``docs`` that match."""
        wanted = np.fromiter(docs, dtype=np.int64)
        at = np.searchsorted(self.docs, wanted)
        inside = at < len(self.docs)
        found = np.zeros(len(wanted), dtype=bool)
        found[inside] = self.docs[at[inside]] == wanted[inside]
        return dict(zip(wanted[found].tolist(), self.scores[at[found]].tolist(), strict=True))


def nothing() -> Scored:
    """No document."""
    return Scored(NO_DOCS, NO_SCORES)  # read-only: nothing changes an empty match


def boosted(scored: Scored, q: query.Query) -> Scored:
    """``scored`` times ``q``'s boost."""
    boost = getattr(q, "boost", 1.0)
    if boost != 1.0:
        scored.scores = scored.scores * boost
    return scored


def maybe(required: Scored, optional: Scored) -> Scored:
    """ANDMAYBE: the required documents, plus the optional score where there is one."""
    scores = required.scores.copy()
    if len(optional.docs) and len(required.docs):
        at = np.searchsorted(optional.docs, required.docs)
        inside = at < len(optional.docs)
        hit = np.zeros(len(at), dtype=bool)
        hit[inside] = optional.docs[at[inside]] == required.docs[inside]
        scores[hit] += optional.scores[at[hit]]
    return Scored(required.docs, scores)


def without(kept: Scored, dropped: Scored) -> Scored:
    """AND NOT: the documents of ``kept`` not in ``dropped``."""
    keep = ~within(kept.docs, dropped.docs)
    return Scored(kept.docs[keep], kept.scores[keep])


def intersection(parts: list[Scored]) -> Scored:
    """Documents of every part, scores added in the parts' order (each part's docnums
    looked up in the next by binary search: np.intersect1d sorts them both again)."""
    docs, scores = parts[0].docs, parts[0].scores.copy()
    for part in parts[1:]:
        if not len(part.docs):
            return nothing()
        at = np.minimum(part.docs.searchsorted(docs), len(part.docs) - 1)
        hit = part.docs[at] == docs
        docs, scores = docs[hit], scores[hit] + part.scores[at[hit]]
    return Scored(docs, scores)


def union(parts: list[Scored], size: int) -> Scored:
    """Documents of any part, scores added in the parts' order; among ``size`` documents
    (a dense union adds into one array over all of them)."""
    parts = [part for part in parts if len(part.docs)]
    if not parts:
        return nothing()
    if len(parts) == 1:
        return Scored(parts[0].docs, parts[0].scores.copy())
    if sum(len(part.docs) for part in parts) * 8 >= size:  # dense, over every document
        sums = np.zeros(size, dtype=np.float64)
        present = np.zeros(size, dtype=bool)
        for part in parts:  # a part's docnums are distinct: += adds each score once
            sums[part.docs] += part.scores
            present[part.docs] = True
        found = np.flatnonzero(present).astype(np.int64)
        return Scored(found, sums[found])
    docs = np.concatenate([part.docs for part in parts])
    order = docs.argsort(kind="stable")  # a document's scores stay in the parts' order
    docs, scores = docs[order], np.concatenate([part.scores for part in parts])[order]
    first = np.empty(len(docs), dtype=bool)
    first[0] = True
    np.not_equal(docs[1:], docs[:-1], out=first[1:])
    groups = first.cumsum() - 1
    added = np.bincount(groups, weights=scores, minlength=int(groups[-1]) + 1)
    return Scored(docs[first], np.asarray(added, dtype=np.float64))  # float64 already
