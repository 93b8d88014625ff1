"""Planning one search request, alike for a local and a sharded index.

A request combines an optional text query (with its ``near:`` clauses), an optional centre
(coordinates or a place name) with a radius, a box, a polygon, filters and a sort order.
Before any post is read, both backends decide here: the languages held (:func:`narrowed`),
the centre and radius (:func:`request_center`), the order (:func:`chosen_sort`: a query that
ranks every post alike is a listing), the relevance rule when little is found
(:func:`relevance_page`: a pasted title, close spellings, "did you mean") and the page's
label (:func:`page_of`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, Literal, Protocol, TypeVar

from whoosh import query

from searcher.errors import InvalidParameter, UsageError
from searcher.geo import BBox, parse_coordinate, parse_radius_km
from searcher.models import Center, Hit, Results
from searcher.search import suggest, typed
from searcher.search.nearclause import NearSpec
from searcher.search.query import lang_code, ranks_alike, title_clause

Sort = Literal["relevance", "distance", "date", "date-asc"]
SORTS: tuple[Sort, ...] = ("relevance", "distance", "date", "date-asc")
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
        from searcher.geo import coords, gazetteer

        point = coords.parse_pair(value)  # 48°51'N 2°21'E, 48.85N 2.35E: as posts write them
        if point is not None:
            return Center(*point)

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
        same = same or [h for h in held if h == lang_code(code)]  # fr-FR, zh_CN: fr, zh
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
    counted: query.Query  # whose matches facets count: the exact words or the pasted title
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
    titled = title_clause(typed.plain_letters(request.text or "")) if not total else None
    if titled is not None:  # 'Google Wave -style collaboration', pasted as it is
        shown, (entries, total) = titled, rank(titled, False)
    counted = shown  # close spellings widen the page, never the facet counts
    if total >= request.limit or request.page != 1:
        return RelevancePage(shown, entries, total, counted)
    lexicon, keys = words.lexicon, words.keys  # read once: ranking may refresh them
    known: dict[str, list[str]] = {}  # each suspect word's corrections, worked out once
    widened = suggest.fuzzy_query(text, lexicon, keys, known=known)  # live posts' words only
    if widened is not None:
        shown, (entries, total) = widened, rank(widened, True)
    assert request.text is not None
    suggestion = suggest.suggestion(request.text, lexicon, keys, known)
    return RelevancePage(shown, entries, total, counted, suggestion)


def page_of(request: Request, hits: list[Hit], total: int, center: Center | None) -> Results:
    """One page of ``hits``, labelled with the query or the centre searched around."""
    label = request.text or (f"near {center.label or f'{center.lat:.5f},{center.lon:.5f}'}"
                             if center else "")  # fmt: skip
    return Results(label, total, tuple(hits), request.page, request.limit, center)


def _lang_form(code: str) -> str:
    return code.strip().lower().replace("_", "-")
