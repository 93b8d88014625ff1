"""One searcher generation running requests: text, places, shapes, order.

Text is matched by the fast scorer (:mod:`searcher.search.fastscore`) or Whoosh; places by
:mod:`searcher.search.geosearch` over the cells the audience may see; what both backends
decide alike comes from :mod:`searcher.search.planning`, and hits from
:mod:`searcher.search.hits`.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from whoosh import query, scoring
from whoosh.fields import datetime_to_long
from whoosh.searching import Searcher

from searcher.indexing import analysis, records, schema
from searcher.models import Center, Completion, Results
from searcher.search import live, postpaths, suggest
from searcher.search.geosearch import GeoIndex
from searcher.search.hits import Hits
from searcher.search.patterns import Patterns
from searcher.search.planning import (
    Filters,
    Request,
    Sort,
    chosen_sort,
    narrowed,
    page_of,
    relevance_page,
    request_center,
)
from searcher.search.query import ParsedQuery, QueryParser
from searcher.search.ranking import top_hits
from searcher.search.visibility import Audience, Visibility
from searcher.support import lazy

if TYPE_CHECKING:  # numpy and what needs it are imported by the requests that use them: a
    # request near a point of a small index does without (see geosearch)
    import numpy as np

    from searcher.search import fastscore
    from searcher.search.facets import FacetIndex


class Generation:
    """What one searcher generation needs for requests: parser, geo index, sort columns."""

    def __init__(self, searcher: Searcher, audience: Audience) -> None:
        reader = searcher.reader()
        codes = [_text(t) for t in reader.lexicon(schema.LANG)]
        keys = sorted({analysis.language_key(code) for code in codes} | {"any"})
        self.searcher = searcher
        self.audience = audience
        self.visibility = visibility = Visibility.for_audience(audience)
        self.keys = keys
        self.langs = tuple(codes)
        self.parser = QueryParser(searcher.schema, keys, visibility)
        self.completer = suggest.Completer(searcher, suggest.table_file(searcher))
        self.lexicon = live.Lexicon(reader)
        self.geo = GeoIndex(reader, include_private=visibility.private_places)
        self._dates = reader.column_reader(schema.DATE) if reader.has_column(schema.DATE) else None
        self._paths = reader.column_reader(schema.PATH) if reader.has_column(schema.PATH) else None
        self._located: set[int] | None = None
        self.hits = Hits(searcher, visibility, self.geo)
        self._date_longs: np.ndarray[Any, Any] | None = None
        # every doc, newest first or not: two entries at most, a plain dict
        self._orders: dict[bool, np.ndarray[Any, Any]] = {}
        self._has_date: np.ndarray[Any, Any]  # set with _date_longs
        self.patterns = Patterns(reader)
        self._last_scored: tuple[query.Query, fastscore.Scored] | None = None

    @cached_property
    def fast(self) -> fastscore.Scorer | None:
        if not isinstance(self.searcher.weighting, scoring.BM25F):
            return None
        lazy.load("searcher.search.fastscore")  # with numpy, the collector paused
        from searcher.search import fastscore

        return fastscore.Scorer(self.searcher, self.searcher.weighting,
                                expand=self.patterns.words, ranges=self._in_range)  # fmt: skip

    @cached_property
    def facets(self) -> FacetIndex:
        lazy.load("searcher.search.facets")  # with numpy, the collector paused
        from searcher.search.facets import FacetIndex

        return FacetIndex(self.searcher.reader())

    def run(self, request: Request) -> Results:
        request = narrowed(request, self.langs)
        parsed = self.parser.parse(request.text) if request.text else _NO_TEXT
        if not parsed.plain:  # plain words hold no pattern: no walk of their tree
            self.patterns.check(parsed.text)
        center, radius = request_center(request, parsed.near)
        circle: list[tuple[float, int]] | None = None
        if center is not None and radius is not None:  # measured once, used to filter and sort
            circle = self.geo.within_radius(center.lat, center.lon, radius)
        allowed = self._geo_filter(request, circle)
        sort = chosen_sort(request, parsed.text, center)
        counted = parsed.text  # the query whose matches facets count
        if sort == "relevance":
            assert parsed.text is not None
            results, counted = self._by_relevance(request, parsed.text, allowed, center)
        elif sort == "distance":
            assert center is not None
            results = self._by_distance(request, parsed.text, allowed, center, circle)
        else:
            located = center is not None or request.located_only
            results = self._by_date(
                request, parsed.text, self._candidates(parsed.text, allowed, located), center, sort
            )
        if request.facets:
            located = sort == "distance" or request.located_only
            docs = self._candidates(counted, allowed, located)
            results = replace(results, facets=self.facets.counts(docs))
        return results

    def similar(self, path: str, limit: int) -> Results:
        """Posts most related to the post at ``path``, by its key terms
        (:func:`suggest.key_terms`), ranked as a search ranks them."""
        path = postpaths.stored_path(self.searcher, path)
        docnum = self.searcher.document_number(path=path)
        post = records.read(self.searcher.stored_fields(docnum))
        reader = self.searcher.reader()
        terms = suggest.key_terms(suggest.similar_source(post), post.lang,
                                  reader.doc_count_all(), reader.field_length(schema.WORDS),
                                  functools.partial(suggest.term_frequencies, reader))  # fmt: skip
        found: list[tuple[int, float]] = []
        if terms:
            # by Whoosh, as :meth:`_top` would rank it without numpy (40 % of the command)
            ranked, _ = top_hits(self.searcher, suggest.similar_query(terms), limit + 1, None,
                                 self._path)  # fmt: skip
            found = [(d, score) for d, score in ranked if d != docnum][:limit]
        hits = [self.hits.hit(d, score, None, None) for d, score in found]
        return Results(f"similar to {path}", len(hits), tuple(hits), 1, limit)

    def complete(self, prefix: str, limit: int) -> list[Completion]:
        """Search-as-you-type: titles, then words, completing the last word of ``prefix``."""
        return list(self.completer.complete(prefix, limit))

    # -- filters -----------------------------------------------------------------------------

    def _geo_filter(
        self, request: Request, circle: list[tuple[float, int]] | None
    ) -> set[int] | None:
        """Documents the geo and exact filters allow (None: no restriction)."""
        sets: list[set[int]] = []
        if request.filters:
            exact = self._filter_query(request.filters)
            if exact is not None:
                sets.append(set(self.searcher.docs_for_query(exact)))
            if request.filters.since or request.filters.until:
                sets.append(self._dated(request.filters.since, request.filters.until))
        if circle is not None:
            sets.append({d for _, d in circle})
        if request.bbox is not None:
            sets.append(set(self.geo.in_bbox(request.bbox)))
        if request.within is not None:
            sets.append(set(self.geo.in_shape(request.within)))
        if not sets:
            return None
        return set.intersection(*sets)

    def _filter_query(self, filters: Filters) -> query.Query | None:
        whoosh_schema = self.searcher.schema
        parts: list[query.Query] = []

        def terms(field: str, values: tuple[str, ...]) -> list[query.Query]:
            analyzer = whoosh_schema[field].analyzer
            folded = [t.text for v in values for t in analyzer(v, mode="query")]
            return [query.Term(field, value) for value in folded]

        if filters.tags:
            tags = terms(schema.TAG, filters.tags)
            parts.append(query.Or(tags) if filters.any_tag else query.And(tags))
        if filters.categories:
            parts.append(query.And(terms(schema.CATEGORY, filters.categories)))
        if filters.langs:
            parts.append(query.Or([query.Term(schema.LANG, lang) for lang in filters.langs]))
        if filters.has_location:
            parts.append(query.Or([query.Term(schema.GEO, t) for t in self.visibility.geo_terms]))
        if not parts:
            return None
        return query.And(parts) if len(parts) > 1 else parts[0]

    def _candidates(
        self, text: query.Query | None, allowed: set[int] | None, located: bool
    ) -> set[int]:
        """Docs the text matches, within the geo filter, located (visibly) if asked."""
        docs = None
        if text is not None:
            scored = self._scored(text)
            matched = self.searcher.docs_for_query(text) if scored is None else scored.docs.tolist()
            docs = set(matched)
        if allowed is not None:
            docs = allowed if docs is None else docs & allowed
        if located:
            docs = self.located() if docs is None else docs & self.located()
        return docs if docs is not None else set(self.searcher.reader().all_doc_ids())

    def _dated(self, since: str | None, until: str | None) -> set[int]:
        """Documents dated within [since, until], from the date column (a Whoosh range query
        over dates expands into thousands of terms: 475 ms at 60,000 posts)."""
        import numpy as np

        longs, dated = self._date_arrays()
        mask = dated.copy()
        if since:
            mask &= longs >= _long(schema.partial_date_span(since)[0])
        if until:
            mask &= longs <= _long(schema.partial_date_span(until)[1])
        return set(np.flatnonzero(mask).tolist())

    def _in_range(self, q: query.NumericRange) -> np.ndarray[Any, Any] | None:
        """The documents a ``date:`` range holds, from the date column (Whoosh expands a range
        into the terms of every date in it: 1.4 s for 'date:2011 ruby' at 60,000 posts)."""
        import numpy as np

        if q.fieldname != schema.DATE:
            return None
        longs, dated = self._date_arrays()
        mask = dated.copy()
        if q.start is not None:
            mask &= longs >= int(q.start) + bool(q.startexcl)
        if q.end is not None:
            mask &= longs <= int(q.end) - bool(q.endexcl)
        return np.flatnonzero(mask).astype(np.int64)

    def _date_arrays(self) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Each document's date as Whoosh's microsecond count, and whether it has one."""
        import numpy as np

        if self._date_longs is None:
            reader = self.searcher.reader()
            size = reader.doc_count_all()
            column = (
                reader.column_reader(schema.DATE, translate=False)
                if self._dates is not None  # a multi-segment column reader is falsy
                else None
            )
            # an undated document holds schema.NO_DATE: clamp it to a signed key and mask it
            if column is None:
                raw: Any = (schema.UNDATED_KEY for _ in range(size))
            else:
                raw = (min(column[d], schema.UNDATED_KEY) for d in range(size))
            self._date_longs = np.fromiter(raw, np.int64, size)
            self._has_date = self._date_longs < schema.UNDATED_KEY
        return self._date_longs, self._has_date

    def located(self) -> set[int]:
        """Every doc with a point this audience may see (worked out once per generation)."""
        if self._located is None:
            terms = [query.Term(schema.GEO, t) for t in self.visibility.geo_terms]
            self._located = set(self.searcher.docs_for_query(query.Or(terms)))
        return self._located

    # -- ordering ----------------------------------------------------------------------------

    def _by_relevance(
        self, request: Request, text: query.Query, allowed: set[int] | None, center: Center | None
    ) -> tuple[Results, query.Query]:
        """A page by relevance, and the query its facets count (a pasted title's, where the
        title was searched: the posts shown, as on a sharded index)."""
        page = relevance_page(
            request, text, self, lambda q, _close: self._rank(request, q, allowed)
        )
        results = self._results(request, page.text, page.entries, page.total, center)
        return replace(results, suggestion=page.suggestion), page.counted

    def _rank(
        self, request: Request, text: query.Query, allowed: set[int] | None
    ) -> tuple[list[tuple[int, float]], int]:
        """The (docnum, score) pairs of the requested page, and the total."""
        end = request.page * request.limit
        ranked, total = self._top(text, end, allowed)
        return ranked[end - request.limit : end], total

    def _top(
        self, text: query.Query, end: int, allowed: set[int] | None
    ) -> tuple[list[tuple[int, float]], int]:
        """The first ``end`` (docnum, score) pairs by relevance, equal scores in path order,
        and the total: by the fast scorer where it can, else by Whoosh."""
        scored = self._scored(text)
        if scored is not None and self.fast is not None:
            mask = None if allowed is None else self.fast.allowed(allowed)
            return self.fast.top(scored, end, mask, self._path)
        return top_hits(self.searcher, text, end, allowed, self._path)

    def _scored(self, text: query.Query | None) -> fastscore.Scored | None:
        """Every match of ``text`` with its score, as arrays; None where Whoosh must search.

        A request may ask twice (its candidates, then a page's scores; its hits, then its
        facets): the last query evaluated is kept, by identity, for the second ask."""
        if text is None or self.fast is None:
            return None
        last = self._last_scored
        if last is not None and last[0] is text:
            return last[1]
        from searcher.search.fastscore import Unsupported  # imported with self.fast

        try:
            scored = self.fast.evaluate(text)
        except Unsupported:
            return None
        self._last_scored = (text, scored)  # one assignment: safe between threads
        return scored

    def _by_distance(
        self,
        request: Request,
        text: query.Query | None,
        allowed: set[int] | None,
        center: Center,
        circle: list[tuple[float, int]] | None,
    ) -> Results:
        end = request.page * request.limit
        docs = self._candidates(text, allowed, located=False) if text or allowed else None
        keep = docs.__contains__ if docs is not None else None
        if circle is not None:
            found = [(dist, d) for dist, d in circle if keep is None or keep(d)]
            total = len(found)
        else:
            found = self.geo.nearest(center.lat, center.lon, end, allowed=keep)
            total = len(docs & self.located()) if docs is not None else self.geo.count()
        distances = {d: dist for dist, d in found[(request.page - 1) * request.limit : end]}
        scores = self._scores(text, list(distances))
        page = [(d, scores.get(d, 0.0)) for d in distances]
        return self._results(request, text, page, total, center, distances)

    def _by_date(
        self,
        request: Request,
        text: query.Query | None,
        docs: set[int],
        center: Center | None,
        sort: Sort,
    ) -> Results:
        import numpy as np

        order = self._date_order(newest=sort == "date")
        wanted = np.zeros(len(order), dtype=bool)
        wanted[np.fromiter(docs, np.int64, len(docs))] = True
        ordered = order[wanted[order]]
        start = (request.page - 1) * request.limit
        chosen = ordered[start : start + request.limit].tolist()
        scores = self._scores(text, chosen)
        page = [(d, scores.get(d, 0.0)) for d in chosen]
        return self._results(request, text, page, len(ordered), center)

    def _date_order(self, newest: bool) -> np.ndarray[Any, Any]:
        """Every document, newest (or oldest) first, undated last, equal dates in path order:
        sorted once per generation, so a listing picks its page from it (sorting 60,000 posts
        by a Python key took 0.3 s per listing)."""
        import numpy as np

        kept = self._orders.get(newest)
        if kept is None:
            longs, dated = self._date_arrays()
            paths = [self._path(d) for d in range(len(longs))]
            path_rank = np.empty(len(paths), dtype=np.int64)
            path_rank[sorted(range(len(paths)), key=paths.__getitem__)] = np.arange(len(paths))
            key = np.where(dated, -longs if newest else longs, np.iinfo(np.int64).max)
            kept = self._orders[newest] = np.lexsort((path_rank, key))
        return kept

    def _scores(self, text: query.Query | None, docs: list[int]) -> dict[int, float]:
        if text is None or not docs:
            return {}
        scored = self._scored(text)
        if scored is not None:
            return scored.scores_of(docs)
        found = self.searcher.search(text, limit=None, filter=set(docs))
        return {hit.docnum: hit.score for hit in found}

    def _date_key(self, docnum: int, newest: bool) -> float:
        longs, dated = self._date_arrays()
        if docnum >= len(dated) or not dated[docnum]:
            return float("inf")  # undated posts last either way
        value = float(longs[docnum])
        return -value if newest else value

    def _path(self, docnum: int) -> str:
        value = self._paths[docnum] if self._paths is not None else b""
        return value.decode() if isinstance(value, bytes) else str(value)

    # -- hits --------------------------------------------------------------------------------

    def _results(
        self,
        request: Request,
        text: query.Query | None,
        page: list[tuple[int, float]],
        total: int,
        center: Center | None,
        distances: dict[int, float] | None = None,
    ) -> Results:
        """A page of hits; ``distances`` from the centre, where already measured."""
        known = distances or {}
        hits = [self.hits.hit(docnum, score, text, center, known.get(docnum))
                for docnum, score in page]  # fmt: skip
        return page_of(request, hits, total, center)


_NO_TEXT = ParsedQuery(None, plain=True)  # a request without text: nothing to parse or check


def _long(moment: dt.datetime) -> int:
    return int(datetime_to_long(moment))


def _text(term: Any) -> str:
    return term.decode() if isinstance(term, bytes) else str(term)
