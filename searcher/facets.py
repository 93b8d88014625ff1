"""Facet counts (tag, category, year, language) over a whole result set.

Each facet is two parallel arrays built once per index generation from the field's postings:
for every (document, value) pair, the document number and the value's number. Counting a
result set is then one ``numpy.bincount`` over the pairs whose document is in the set, so
it costs the same whatever the query, about a millisecond for 60,000 posts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from searcher import schema

FACETS = {"tags": schema.TAG, "categories": schema.CATEGORY, "languages": schema.LANG}
TOP = 20


class _Facet:
    """(document, value) pairs of one field, and the values' names."""

    def __init__(self, reader: Any, fieldname: str) -> None:
        docs: list[np.ndarray[Any, Any]] = []
        values: list[np.ndarray[Any, Any]] = []
        self.names: list[str] = []
        for number, term in enumerate(reader.lexicon(fieldname)):
            ids = np.fromiter(reader.postings(fieldname, term).all_ids(), dtype=np.int64)
            docs.append(ids)
            values.append(np.full(len(ids), number, dtype=np.int64))
            self.names.append(term.decode() if isinstance(term, bytes) else str(term))
        self.docs = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
        self.values = np.concatenate(values) if values else np.zeros(0, dtype=np.int64)

    def counts(self, selected: np.ndarray[Any, Any], top: int | None) -> dict[str, int]:
        counts = np.bincount(self.values[selected[self.docs]], minlength=len(self.names))
        order = sorted(
            (i for i in np.flatnonzero(counts)), key=lambda i: (-counts[i], self.names[i])
        )
        return {self.names[i]: int(counts[i]) for i in (order[:top] if top else order)}


class FacetIndex:
    """The facets of one reader generation, built on first use."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._facets: dict[str, _Facet] = {}
        self._years: np.ndarray[Any, Any] | None = None

    def counts(self, docs: Iterable[int], top: int | None = TOP) -> dict[str, dict[str, int]]:
        """Tags, categories and languages (the ``top`` 20; all with None) and years (all) of
        the documents ``docs``."""
        size = self._reader.doc_count_all()
        selected = np.zeros(size + 1, dtype=bool)
        index = np.fromiter(docs, dtype=np.int64)
        selected[index] = True
        result = {name: self._facet(field).counts(selected, top) for name, field in FACETS.items()}
        result["years"] = self._year_counts(index)
        return result

    def _facet(self, fieldname: str) -> _Facet:
        if fieldname not in self._facets:
            self._facets[fieldname] = _Facet(self._reader, fieldname)
        return self._facets[fieldname]

    def _year_counts(self, index: np.ndarray[Any, Any]) -> dict[str, int]:
        if self._years is None:
            reader = self._reader
            if reader.has_column(schema.YEAR):
                column = reader.column_reader(schema.YEAR)
                self._years = np.fromiter((column[d] for d in range(reader.doc_count_all())),
                                          dtype=np.int64)  # fmt: skip
            else:
                self._years = np.zeros(reader.doc_count_all(), dtype=np.int64)
        years = self._years[index[index < len(self._years)]]
        years = years[(years > 0) & (years < 10_000)]  # undated: the column's default, 2**31 - 1
        values, counts = np.unique(years, return_counts=True)
        return {
            str(int(v)): int(c) for v, c in sorted(zip(values, counts, strict=True), reverse=True)
        }


def merged(
    parts: Iterable[dict[str, dict[str, int]]], top: int | None = TOP
) -> dict[str, dict[str, int]]:
    """The counts of disjoint document sets (the shards of an index, each counted with
    ``top=None``) as :meth:`FacetIndex.counts` gives them for their union."""
    sums: dict[str, dict[str, int]] = {name: {} for name in (*FACETS, "years")}
    for part in parts:
        for name, counts in part.items():
            total = sums.setdefault(name, {})
            for value, count in counts.items():
                total[value] = total.get(value, 0) + count
    result: dict[str, dict[str, int]] = {}
    for name in FACETS:
        order = sorted(sums[name].items(), key=lambda kv: (-kv[1], kv[0]))
        result[name] = dict(order[:top] if top else order)
    result["years"] = dict(sorted(sums["years"].items(), key=lambda kv: -int(kv[0])))
    return result
