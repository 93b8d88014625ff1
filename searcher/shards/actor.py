"""The shard side of a sharded search: a Dask actor holding one shard's searcher open.

The coordinator (:mod:`searcher.shards.coordinator`) parses a request once and sends each shard a
:class:`Plan`: the parsed query, the centre, the sort. A shard answers in two steps, each
with the collection statistics of every shard (:mod:`searcher.search.globalstats`): its best
candidates with their sort keys and its counts (:meth:`ShardActor.candidates`), then the hits
of the candidates the merge kept (:meth:`ShardActor.render`). The orderings are the engine's:
equal scores, distances and dates are ordered by path, which every shard can compare.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from searcher.indexing import ondisk, records
from searcher.models import Center, Hit, Stats
from searcher.search import facets, postpaths, suggest
from searcher.search.generation import Generation
from searcher.search.globalstats import GlobalStats, GlobalStatsSearcher, TermKey, doc_frequencies
from searcher.search.planning import Filters, Request, Sort
from searcher.search.query import WEIGHTING, WhooshQuery
from searcher.search.stats import index_stats
from searcher.search.visibility import audience_of

REFRESH_INTERVAL = 1.0  # seconds between checks that the shard changed on disk

SortKey = tuple[float, str]  # (score negated, distance or date; then the path)


@dataclass(frozen=True)
class Plan:
    """One request as every shard runs it: parsed once, by the coordinator."""

    request: Request
    text: WhooshQuery | None
    center: Center | None
    radius_km: float | None
    sort: Sort
    facets: bool = False


@dataclass(frozen=True)
class ShardInfo:
    """What the coordinator sums into collection statistics, and the shard's languages."""

    generation: int  # of the shard's Whoosh index: changes whenever the shard does
    doc_count_all: int
    doc_count: int
    field_lengths: dict[str, int]
    langs: tuple[str, ...]


@dataclass(frozen=True)
class Candidates:
    """A shard's best ``page * limit`` candidates in order, how many matched, its counts."""

    entries: list[tuple[SortKey, int, float]]  # (sort key, docnum, score)
    total: int
    facets: dict[str, dict[str, int]] | None


class ShardGeneration(Generation):
    """A generation of one shard, answering plans rather than requests."""

    def candidates(self, plan: Plan) -> Candidates:
        request, text, center = plan.request, plan.text, plan.center
        circle: list[tuple[float, int]] | None = None
        if center is not None and plan.radius_km is not None:
            circle = self.geo.within_radius(center.lat, center.lon, plan.radius_km)
        allowed = self._geo_filter(request, circle)
        end = request.page * request.limit
        if plan.sort == "relevance":
            assert text is not None
            ranked, total = self._top(text, end, allowed)
            entries = [((-score, self._path(d)), d, score) for d, score in ranked]
        elif plan.sort == "distance":
            assert center is not None
            found, total = self._nearest(text, allowed, center, circle, end)
            entries = [((dist, self._path(d)), d, 0.0) for dist, d in found]
        else:
            located = center is not None or request.located_only
            docs = self._candidates(text, allowed, located)
            newest = plan.sort == "date"
            firsts = heapq.nsmallest(end, docs, key=lambda d: (self._date_key(d, newest),
                                                               self._path(d)))  # fmt: skip
            entries = [((self._date_key(d, newest), self._path(d)), d, 0.0) for d in firsts]
            total = len(docs)
        counts = None
        if plan.facets:
            located = plan.sort == "distance" or request.located_only
            counts = self.facets.counts(self._candidates(text, allowed, located), top=None)
        return Candidates(entries, total, counts)

    def _nearest(
        self,
        text: WhooshQuery | None,
        allowed: set[int] | None,
        center: Center,
        circle: list[tuple[float, int]] | None,
        end: int,
    ) -> tuple[list[tuple[float, int]], int]:
        """The engine's distance ordering: the first ``end`` (km, docnum) and the total."""
        docs = self._candidates(text, allowed, located=False) if text or allowed else None
        keep = docs.__contains__ if docs is not None else None
        if circle is not None:
            found = [(dist, d) for dist, d in circle if keep is None or keep(d)]
            return found[:end], len(found)
        found = self.geo.nearest(center.lat, center.lon, end, allowed=keep)
        total = len(docs & self.located()) if docs is not None else self.geo.count()
        return found, total

    def render(self, plan: Plan, chosen: list[tuple[int, float]]) -> list[Hit]:
        """Hits for (docnum, score) pairs; scores of distance and date sorts worked out here."""
        if plan.sort != "relevance":
            scores = self._scores(plan.text, [d for d, _ in chosen])
            chosen = [(d, scores.get(d, 0.0)) for d, _ in chosen]
        return [self.hits.hit(d, score, plan.text, plan.center) for d, score in chosen]


class ShardActor:
    """Lives on a Dask worker (``client.submit(ShardActor, path, audience, actor=True)``):
    keeps one shard's searcher open, refreshed when the shard changes on disk."""

    def __init__(self, shard_dir: str, audience: str) -> None:
        self.shard_dir = Path(shard_dir)
        self.audience = audience_of(audience)
        self._searcher, self._generation = self._open()
        self._checked = time.monotonic()

    def _open(self) -> tuple[GlobalStatsSearcher, ShardGeneration]:
        ix = ondisk.open_existing(self.shard_dir)
        searcher = GlobalStatsSearcher(ix.reader(), weighting=WEIGHTING, fromindex=ix)
        return searcher, ShardGeneration(searcher, self.audience)

    def prepare(
        self, text: WhooshQuery | None, filters: Filters | None = None
    ) -> tuple[ShardInfo, dict[TermKey, int]]:
        """Refresh if the shard changed; its statistics and the frequencies of the terms of
        ``text`` and of the ``filters`` (Whoosh weighs filter terms too, if to no effect)."""
        now = time.monotonic()
        if now - self._checked >= REFRESH_INTERVAL:
            self._checked = now
            if not self._searcher.up_to_date():
                old = self._searcher
                self._searcher, self._generation = self._open()
                old.close()
        reader = self._searcher.reader()
        self._generation.patterns.check(text)  # before the frequencies expand them
        frequencies = doc_frequencies(text, reader)
        exact = self._generation._filter_query(filters) if filters else None
        frequencies.update(doc_frequencies(exact, reader))
        return self._info(), frequencies

    def _info(self) -> ShardInfo:
        reader = self._searcher.reader()
        whoosh_schema = reader.schema
        lengths = {name: int(reader.field_length(name)) for name in whoosh_schema.names()
                   if whoosh_schema[name].scorable}  # fmt: skip
        langs = tuple(sorted(_text(t) for t in reader.lexicon("lang")))
        return ShardInfo(int(reader.generation()), int(reader.doc_count_all()),
                         int(reader.doc_count()), lengths, langs)  # fmt: skip

    def candidates(self, plan: Plan, stats: GlobalStats) -> Candidates:
        self._searcher.stats = stats
        try:
            return self._generation.candidates(plan)
        finally:
            self._searcher.stats = None

    def render(self, plan: Plan, stats: GlobalStats, chosen: list[tuple[int, float]]) -> list[Hit]:
        self._searcher.stats = stats
        try:
            return self._generation.render(plan, chosen)
        finally:
            self._searcher.stats = None

    def locate(self, paths: list[str]) -> tuple[int, str, int, str, str | None] | None:
        """The first of ``paths`` that names a post of this shard: (its place in ``paths``,
        the path, its docnum, the text of its key terms, its language); None if none does."""
        for i, path in enumerate(paths):
            docnum = self._searcher.document_number(path=path)
            if docnum is not None:
                post = records.read(self._searcher.stored_fields(docnum))
                return i, path, docnum, suggest.similar_source(post), post.lang
        return None

    def path_example(self, given: str) -> tuple[int, str] | None:
        """A stored path near ``given``, for the error naming no post."""
        return postpaths.example(self._searcher, given)

    def occurrences(self, keys: list[tuple[str, str]]) -> list[int]:
        """How often each (field, word) occurs in this shard: similar posts' key terms."""
        return suggest.term_frequencies(self._searcher.reader(), keys)

    def frequencies(self, keys: list[tuple[str, str]]) -> list[int]:
        """Document frequencies of (field, word) pairs: "did you mean" over every shard."""
        return [self._generation.lexicon.doc_frequency(field, word) for field, word in keys]

    def terms_within(self, fieldname: str, text: str, maxdist: int, prefix: int) -> set[str]:
        return self._generation.lexicon.terms_within(fieldname, text, maxdist, prefix)

    def stats(self) -> Stats:
        return index_stats(self._searcher, self.shard_dir, self.audience, top=None)

    def labels(self) -> dict[str, dict[str, str]]:
        """This shard's spellings of its tags and categories (see :func:`facets.labels`)."""
        reader = self._searcher.reader()
        return {field: facets.labels(reader, field) for field in facets.LABELS}

    def close(self) -> None:
        self._searcher.close()


def _text(term: Any) -> str:
    return term.decode() if isinstance(term, bytes) else str(term)
