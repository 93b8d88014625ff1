"""Running one search request against one searcher generation: text, places, shapes, order.

A request combines an optional text query (with its ``near:`` clauses), an optional centre
(coordinates or a place name) with a radius, a box, a polygon, and a sort order. Text is
matched by Whoosh; places by :mod:`searcher.search.geosearch` over the cells the audience may see.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, Literal, Protocol, TypeVar

import numpy as np
from whoosh import query, scoring
from whoosh.collectors import FilterCollector, TopCollector
from whoosh.fields import datetime_to_long
from whoosh.searching import Searcher

from searcher.errors import InvalidParameter, UsageError
from searcher.geo import BBox, parse_coordinate, parse_radius_km
from searcher.indexing import analysis, schema
from searcher.models import Center, Completion, Hit, Results
from searcher.search import fastscore, live, postpaths, snippets, suggest
from searcher.search.facets import FacetIndex
from searcher.search.geosearch import GeoIndex
from searcher.search.nearclause import NearSpec
from searcher.search.patterns import Patterns
from searcher.search.query import (
    ParsedQuery,
    QueryParser,
    make_hit,
    ranks_alike,
    shown_place,
    title_clause,
)
from searcher.search.visibility import Audience, Visibility

Sort = Literal["relevance", "distance", "date", "date-asc"]
SORTS: tuple[Sort, ...] = ("relevance", "distance", "date", "date-asc")
_NO_DATE = 2**62
SNIPPET_SOURCE_CHARS = 40_000  # long posts are marked up within their first 40k characters
PLAIN_HITS = 4096  # hits without marked words kept per generation (a few MB)
DOCUMENT_CHARS = 4_000_000  # characters of recently shown posts' text kept per generation
MARKED_QUERIES = 1024  # (parsed query, language) pairs whose snippet targets are kept
E = TypeVar("E")  # an entry of a ranked page, as a backend ranks it
_LATLON = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*[, ]\s*([-+]?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Request:
    """Everything one search asks for."""

    text: str | None = None
    near: Center | None = None
    radius_km: float | None = None
    bbox: BBox | None = None
    within: Any = None  # a shapely Polygon or MultiPolygon, lon/lat
    sort: Sort = "relevance"
    limit: int = 10
    page: int = 1
    located_only: bool = False
    filters: Filters | None = None
    facets: bool = False


@dataclass(frozen=True)
class Filters:
    """Exact restrictions that do not change scores: tags, categories, languages, dates, place."""

    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    any_tag: bool = False
    langs: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    has_location: bool = False

    def __bool__(self) -> bool:
        return bool(self.tags or self.categories or self.langs or self.since or self.until
                    or self.has_location)  # fmt: skip


def request_center(
    request: Request, clauses: tuple[NearSpec, ...]
) -> tuple[Center | None, float | None]:
    """The centre and radius of a request: its near option or one near: clause, not both."""
    if len(clauses) > 1 or (clauses and request.near is not None):
        raise UsageError("give one centre: either near: in the query or the near option")
    if clauses:
        center = resolve_center(clauses[0].place)
        given = clauses[0].radius
        radius = parse_radius_km(given) if given is not None else request.radius_km
        return center, radius
    if request.near is None and request.radius_km is not None:
        raise UsageError("a radius needs a centre (near)")
    return request.near, request.radius_km


def resolve_center(value: Any) -> Center:
    """A :class:`Center` from (lat, lon), "lat,lon" or a place name (offline gazetteer)."""
    if isinstance(value, Center):
        return value
    if isinstance(value, tuple | list) and len(value) == 2:
        return Center(parse_coordinate(value[0], "lat"), parse_coordinate(value[1], "lon"))
    if isinstance(value, str):
        match = _LATLON.match(value)
        if match:
            return Center(parse_coordinate(match[1], "lat"), parse_coordinate(match[2], "lon"))
        from searcher.geo import gazetteer

        place = gazetteer.resolve(value)
        label = f"{place.name}, {place.country}"
        return Center(place.lat, place.lon, label)
    raise UsageError(f"near must be (lat, lon), 'lat,lon' or a place name, not {value!r}")


def held_langs(given: tuple[str, ...], held: tuple[str, ...]) -> tuple[str, ...]:
    """The language codes of the index that ``given`` names: ``FR`` is ``fr``, ``zh`` is
    ``zh_cn`` and ``zh_tw``; a code the index does not hold is a :class:`UsageError` naming
    those it does (an unknown code would otherwise quietly find nothing)."""
    found: list[str] = []
    for code in given:
        wanted = _lang_form(code)
        same = [h for h in held if _lang_form(h) == wanted]
        same = same or [h for h in held if _lang_form(h).split("-")[0] == wanted]
        if not same:
            holds = ", ".join(sorted(set(held))) or "no language codes"
            message = f"lang {code!r} is not a language of this index; it holds {holds}"
            raise InvalidParameter("lang", message)
        found += same
    return tuple(dict.fromkeys(found))


def narrowed(request: Request, held: tuple[str, ...]) -> Request:
    """``request`` with its language filter narrowed to the languages the index holds."""
    if request.filters and request.filters.langs:
        langs = held_langs(request.filters.langs, held)
        request = replace(request, filters=replace(request.filters, langs=langs))
    return request


def chosen_sort(request: Request, text: query.Query | None, center: Center | None) -> Sort:
    """The order of a request's hits: a query that ranks every post alike is a listing."""
    sort = request.sort
    if sort == "distance" and center is None:
        raise UsageError("sorting by distance needs a centre (near)")
    if sort == "relevance" and (text is None or ranks_alike(text)):
        sort = "distance" if center is not None else "date"  # a listing
    return sort


class Vocabulary(Protocol):
    """Where the relevance rule looks close spellings up: a generation's live words."""

    @property
    def lexicon(self) -> Any: ...  # read as suggest reads a reader

    @property
    def keys(self) -> list[str]: ...  # the language keys of its words


@dataclass(frozen=True)
class RelevancePage(Generic[E]):
    """A page by relevance, ranked but not made: its hits are made once, for ``text``."""

    text: query.Query  # the query that filled the page
    entries: list[E]  # what ``rank`` returned for it
    total: int
    suggestion: str | None = None  # "did you mean", where close spellings were tried


def relevance_page(
    request: Request,
    text: query.Query,
    words: Vocabulary,
    rank: Callable[[query.Query, bool], tuple[list[E], int]],
) -> RelevancePage[E]:
    """The relevance rule of both backends: the exact words; if they find nothing at all,
    a pasted title's; on a first page that is not full, close spellings too (from ``words``,
    ranked below exact matches) and a "did you mean" suggestion.

    ``rank(query, close)`` gives the requested page's entries and the total (``close``: the
    query holds close spellings); pages are ranked first and the caller makes hits once, for
    the query that filled the page (hits and snippets of a ranking then replaced took a third
    of such a query's time)."""
    shown, (entries, total) = text, rank(text, False)
    titled = title_clause(request.text or "") if not total else None
    if titled is not None:  # 'Google Wave -style collaboration', pasted as it is
        shown, (entries, total) = titled, rank(titled, False)
    if total >= request.limit or request.page != 1:
        return RelevancePage(shown, entries, total)
    lexicon, keys = words.lexicon, words.keys  # read once: ranking may refresh them
    widened = suggest.fuzzy_query(text, lexicon, keys)  # live posts' words only
    if widened is not None:
        shown, (entries, total) = widened, rank(widened, True)
    assert request.text is not None
    return RelevancePage(shown, entries, total, suggest.suggestion(request.text, lexicon, keys))


def page_of(request: Request, hits: list[Hit], total: int, center: Center | None) -> Results:
    """One page of ``hits``, labelled with the query or the centre searched around."""
    label = request.text or (f"near {center.label or f'{center.lat:.5f},{center.lon:.5f}'}"
                             if center else "")  # fmt: skip
    return Results(label, total, tuple(hits), request.page, request.limit, center)


def _lang_form(code: str) -> str:
    return code.strip().lower().replace("_", "-")


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
        self._plain_hits: dict[int, Hit] = {}
        self._documents = _Documents(searcher, DOCUMENT_CHARS)
        self._spans = snippets.Kept()  # where query words occur in shown posts
        self._marked: dict[tuple[int, str], tuple[query.Query, snippets.Targets]] = {}
        self.facets = FacetIndex(reader)
        self._date_longs: np.ndarray[Any, Any] | None = None
        self._orders: dict[bool, np.ndarray[Any, Any]] = {}  # newest first or not: every doc
        self._has_date: np.ndarray[Any, Any] = np.zeros(0, dtype=bool)
        self.patterns = Patterns(reader)
        weighting = searcher.weighting
        self.fast = (
            fastscore.Scorer(searcher, weighting, expand=self.patterns.words, ranges=self._in_range)
            if isinstance(weighting, scoring.BM25F)
            else None
        )
        self._last_scored: tuple[query.Query, fastscore.Scored] | None = None

    def run(self, request: Request) -> Results:
        request = narrowed(request, self.langs)
        parsed = self.parser.parse(request.text) if request.text else ParsedQuery(None)
        self.patterns.check(parsed.text)
        center, radius = request_center(request, parsed.near)
        circle: list[tuple[float, int]] | None = None
        if center is not None and radius is not None:  # measured once, used to filter and sort
            circle = self.geo.within_radius(center.lat, center.lon, radius)
        allowed = self._geo_filter(request, circle)
        sort = chosen_sort(request, parsed.text, center)
        if sort == "relevance":
            assert parsed.text is not None
            results = self._by_relevance(request, parsed.text, allowed, center)
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
            docs = self._candidates(parsed.text, allowed, located)
            results = replace(results, facets=self.facets.counts(docs))
        return results

    def similar(self, path: str, limit: int) -> Results:
        """Posts most related to the post at ``path``, by its key terms."""
        path = postpaths.stored_path(self.searcher, path)
        found = suggest.similar(self.searcher, path, limit)
        hits = [self._hit(docnum, score, None, None) for docnum, score in found]
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
        if self._date_longs is None:
            reader = self.searcher.reader()
            size = reader.doc_count_all()
            column = (
                reader.column_reader(schema.DATE, translate=False)
                if self._dates is not None  # a multi-segment column reader is falsy
                else None
            )
            # an undated document holds the column's default, 2**64 - 1: clamp it and mask it
            if column is None:
                raw: Any = (_NO_DATE for _ in range(size))
            else:
                raw = (min(column[d], _NO_DATE) for d in range(size))
            self._date_longs = np.fromiter(raw, np.int64, size)
            self._has_date = self._date_longs < _NO_DATE
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
    ) -> Results:
        page = relevance_page(
            request, text, self, lambda q, _close: self._rank(request, q, allowed)
        )
        results = self._results(request, page.text, page.entries, page.total, center)
        return replace(results, suggestion=page.suggestion)

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
        try:
            scored = self.fast.evaluate(text)
        except fastscore.Unsupported:
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
        hits = [self._hit(docnum, score, text, center, known.get(docnum))
                for docnum, score in page]  # fmt: skip
        return page_of(request, hits, total, center)

    def _hit(
        self,
        docnum: int,
        score: float,
        text: query.Query | None,
        center: Center | None,
        distance: float | None = None,
    ) -> Hit:
        if distance is None and center is not None:
            distance = self.geo.distance_km(docnum, center.lat, center.lon)
        near = (center.lat, center.lon) if center is not None else None
        if text is None:  # nothing to mark: the same hit every time, but for score and distance
            return self._plain_hit(docnum, score, distance, near)
        stored, source = self._documents.get(docnum)
        key = analysis.language_key((stored.get(schema.RECORD) or {}).get("lang"))
        analyzer = analysis.text_analyzer(key)
        html = snippets.build(source, analyzer, self._targets(text, key), self._spans, docnum)
        return make_hit(stored, score=score, snippet_html=html, visibility=self.visibility,
                        distance_km=distance, near=near)  # fmt: skip

    def _targets(self, text: query.Query, key: str) -> snippets.Targets:
        """What to mark in posts of language ``key``: kept per parsed query, which the
        parser keeps too, so a repeated query finds its targets by identity."""
        kept = self._marked.get((id(text), key))
        if kept is not None and kept[0] is text:
            return kept[1]
        found = snippets.targets(text, schema.BODY, key)
        if len(self._marked) >= MARKED_QUERIES:
            self._marked.clear()
        self._marked[id(text), key] = (text, found)
        return found

    def _plain_hit(
        self, docnum: int, score: float, distance: float | None, near: tuple[float, float] | None
    ) -> Hit:
        """The hit of a doc with the opening of its text as snippet, kept for later requests:
        reading the stored record (its whole text, compressed) is most of a hit's cost."""
        kept = self._plain_hits.get(docnum)
        if kept is None:
            if len(self._plain_hits) >= PLAIN_HITS:
                self._plain_hits.clear()
            stored = self.searcher.stored_fields(docnum)
            html = snippets.opening(stored.get(schema.TEXT, "")[:SNIPPET_SOURCE_CHARS])
            hit = make_hit(stored, score=score, snippet_html=html, visibility=self.visibility,
                           distance_km=distance, near=near)  # fmt: skip
            self._plain_hits[docnum] = hit
            return hit
        # built anew rather than by dataclasses.replace(), which takes 2.5 times as long
        return Hit(path=kept.path, title=kept.title, url=kept.url, date=kept.date,
                   tags=kept.tags, categories=kept.categories, lang=kept.lang,
                   score=0.0 if math.isnan(score) else float(score), snippet=kept.snippet,
                   location=shown_place(kept.locations, near), distance_km=distance,
                   locations=kept.locations)  # fmt: skip


class _Documents:
    """The stored fields of recently shown posts, with their text cut to what snippets read
    and lower-cased: decompressing and unpickling a post's stored fields, then lower-casing
    its text, took a third of a hit's time, and the same posts come back in query after
    query (Solr's documentCache does the same). Bounded by the characters kept."""

    def __init__(self, searcher: Searcher, budget: int) -> None:
        self._searcher = searcher
        self._budget = budget
        self._kept: dict[int, tuple[dict[str, Any], snippets.Source]] = {}
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, docnum: int) -> tuple[dict[str, Any], snippets.Source]:
        """The stored fields of ``docnum``, and its text for snippets."""
        kept = self._kept.get(docnum)
        if kept is not None:
            return kept
        stored = self._searcher.stored_fields(docnum)
        kept = (stored, snippets.Source.of(stored.get(schema.TEXT, "")[:SNIPPET_SOURCE_CHARS]))
        with self._lock:
            while self._kept and self._chars + _size(kept) > self._budget:
                oldest = next(iter(self._kept))  # insertion order: the first kept goes first
                self._chars -= _size(self._kept.pop(oldest))
            if docnum not in self._kept:
                self._kept[docnum] = kept
                self._chars += _size(kept)
        return kept


def _size(kept: tuple[dict[str, Any], snippets.Source]) -> int:
    """What a kept post counts against the budget: its text as written, lowered and (where
    it has accents) unaccented, and a little for its record."""
    source = kept[1]
    return (2 if source.plain else 3) * len(source.text) + 500


def top_hits(
    searcher: Searcher,
    text: query.Query,
    limit: int,
    allowed: set[int] | None,
    path: Callable[[int], str],
) -> tuple[list[tuple[int, float]], int]:
    """The best ``limit`` (docnum, score) pairs, equal scores in path order, and the total.

    Whoosh breaks ties by document number, which follows the order posts were written in (and
    differs between the shards of a sharded index). One hit more than asked for shows whether
    a tie straddles the cut; while one does, the cut is widened.
    """
    if allowed is not None and not allowed:
        return [], 0  # Whoosh reads an empty filter as no filter at all
    want = limit
    while True:
        results = _ranked(searcher, text, want + 1, allowed)
        found = [(hit.docnum, hit.score) for hit in results]
        if len(found) <= want or found[limit][1] < found[limit - 1][1]:
            break
        want *= 4
    found.sort(key=lambda item: (-item[1], path(item[0])))
    return found[:limit], len(results)


def _ranked(searcher: Searcher, text: query.Query, limit: int, allowed: set[int] | None) -> Any:
    """Top ``limit`` hits and an exact total, in the cheaper of two ways for this query.

    A compound query is scored and counted in one pass. Whoosh's optimised pass replaces
    matchers that cannot reach the top N (and skips blocks), so counting then walks every
    posting again: twice the cost of 'ruby 2.7 released' at 30,000 posts. Replacement must
    be off in the one pass too, or the total misses documents of pruned branches (an OR
    counted 77 of 340). A single clause keeps the optimised pass, whose block skipping pays
    for the recount.
    """
    if not isinstance(text, query.CompoundQuery | query.BinaryQuery | query.Phrase):
        return searcher.search(text, limit=limit, filter=allowed)
    top = TopCollector(limit=limit, usequality=False)
    top.replace = 0
    collector = top if allowed is None else FilterCollector(top, allowed)
    searcher.search_with_collector(text, collector)
    return collector.results()


def _long(moment: dt.datetime) -> int:
    return int(datetime_to_long(moment))


def _text(term: Any) -> str:
    return term.decode() if isinstance(term, bytes) else str(term)
