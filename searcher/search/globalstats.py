"""BM25F over the statistics of a whole sharded index, while each shard scores its own posts.

BM25F weighs a term by its inverse document frequency and a field by its average length:
both are statistics of the whole collection. A shard scoring with its own would rank a post
differently from one index holding every post. So the coordinator sums each shard's document
count, field lengths and the query terms' document frequencies, and every shard scores with
a :class:`GlobalStatsSearcher` carrying those sums, computed exactly as Whoosh computes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from math import log
from typing import Any

from whoosh import query
from whoosh.searching import Searcher

TermKey = tuple[str, bytes]


@dataclass(frozen=True)
class GlobalStats:
    """Collection statistics of every shard together."""

    doc_count_all: int  # documents, deleted or not, as Whoosh counts them for IDF
    field_lengths: dict[str, int]
    doc_frequencies: dict[TermKey, int] = field(default_factory=dict)

    def idf(self, key: TermKey) -> float:
        """Whoosh's ``WeightingModel.idf`` over the whole collection."""
        try:
            frequency = self.doc_frequencies[key]
        except KeyError:
            raise MissingStatistics(f"no collection frequency gathered for {key!r}") from None
        return log(self.doc_count_all / (frequency + 1)) + 1

    def avg_field_length(self, fieldname: str) -> float:
        """Whoosh's ``Searcher.avg_field_length`` over the whole collection."""
        return self.field_lengths.get(fieldname, 0) / (self.doc_count_all or 1)


class MissingStatistics(RuntimeError):
    """A shard was asked to score a term the coordinator gathered no frequency for (a bug:
    the shard must not fall back on its own statistics)."""


class GlobalStatsSearcher(Searcher):  # type: ignore[misc]
    """A searcher whose IDF and average field lengths are those of ``stats`` when set.

    Whoosh's BM25F scorer reads both from the top-level searcher (``get_parent()``), as does
    any scorer that asks the searcher rather than counting itself; document lengths and term
    weights stay the shard's own. While ``stats`` is None the shard's own figures are used.
    """

    stats: GlobalStats | None = None

    def idf(self, fieldname: str, text: Any) -> float:
        if self.stats is None:
            return float(super().idf(fieldname, text))
        return self.stats.idf((fieldname, term_bytes(self.schema, fieldname, text)))

    def avg_field_length(self, fieldname: str, default: Any = None) -> Any:
        if self.stats is None or not self.schema[fieldname].scorable:
            return super().avg_field_length(fieldname, default)
        return self.stats.avg_field_length(fieldname)


def term_bytes(whoosh_schema: Any, fieldname: str, text: Any) -> bytes:
    value = text if isinstance(text, bytes) else whoosh_schema[fieldname].to_bytes(text)
    return bytes(value)


def scored_terms(q: query.Query, reader: Any) -> Iterator[TermKey]:
    """Every term of ``q`` in a scored field that exists in ``reader``, wildcards expanded:
    the terms a search of ``q`` may ask the weighting to score there."""
    whoosh_schema = reader.schema
    for leaf in q.leaves():
        fieldname = leaf.field()
        if fieldname is None or fieldname not in whoosh_schema:
            continue
        if not whoosh_schema[fieldname].scorable:
            continue
        for name, text in leaf.expanded_terms(reader, phrases=True):
            try:
                key = (name, term_bytes(whoosh_schema, name, text))
            except ValueError:
                continue
            if key in reader:
                yield key


def doc_frequencies(q: query.Query | None, reader: Any) -> dict[TermKey, int]:
    """One shard's share of the document frequencies of ``q``'s terms."""
    if q is None:
        return {}
    return {key: int(reader.doc_frequency(*key)) for key in set(scored_terms(q, reader))}


def summed(parts: Iterable[dict[TermKey, int]]) -> dict[TermKey, int]:
    total: dict[TermKey, int] = {}
    for part in parts:
        for key, count in part.items():
            total[key] = total.get(key, 0) + count
    return total
