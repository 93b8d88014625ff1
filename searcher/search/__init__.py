"""Search: one index snapshot → :class:`~searcher.models.Results`.

Vocabulary: a *query* is the user's text, *repaired* (:mod:`~searcher.search.typed`) and
*parsed* into Whoosh query objects plus lifted ``near:`` clauses (:mod:`~searcher.search.query`);
a *request* is a query with its filters, sort, centre and page; the *audience* decides which
locations a caller may see, through its :class:`~searcher.search.visibility.Visibility` policy;
a *generation* (:mod:`~searcher.search.generation`) is one open
snapshot of the index that runs requests: scoring (:mod:`~searcher.search.fastscore`), the
*geo index* (:mod:`~searcher.search.geosearch`), *snippets*, *facets*, *stats*, spelling and
completion (:mod:`~searcher.search.suggest`).

The API uses the backend protocol (:class:`Backend`, :class:`Searchable`, :class:`LocalBackend`),
a :class:`Request` with its :class:`Filters`, :func:`resolve_center`, the :class:`Visibility`
of an :data:`Audience` and :mod:`~searcher.search.arguments` (the facade's argument checks); the
sharded backend also shares the planning of :mod:`~searcher.search.planning`
(:func:`chosen_sort`, :func:`narrowed`, :func:`request_center`, :func:`relevance_page`,
:func:`page_of`), :func:`top_hits`, the parser and the collection-wide statistics
(:mod:`~searcher.search.globalstats`). Imported on first use:
importing one module never imports its siblings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# Whoosh imported through its door before any module below imports a part of it
import searcher.indexing._whoosh  # noqa: F401
from searcher.support.lazy import exports

if TYPE_CHECKING:
    from searcher.search import arguments, facets, globalstats
    from searcher.search.backend import Backend, LocalBackend, Searchable
    from searcher.search.generation import Generation
    from searcher.search.geosearch import order_by_distance
    from searcher.search.planning import (
        SORTS,
        Filters,
        Request,
        Sort,
        chosen_sort,
        narrowed,
        page_of,
        relevance_page,
        request_center,
        resolve_center,
    )
    from searcher.search.query import (
        MAX_QUERY_CHARS,
        WEIGHTING,
        ParsedQuery,
        QueryParser,
        WhooshQuery,
        title_clause,
    )
    from searcher.search.ranking import top_hits
    from searcher.search.stats import index_stats
    from searcher.search.visibility import Audience, Visibility, audience_of

__getattr__, __dir__ = exports(
    __name__,
    {
        "searcher.search.backend": ("Backend", "LocalBackend", "Searchable"),
        "searcher.search.generation": ("Generation",),
        "searcher.search.geosearch": ("order_by_distance",),
        "searcher.search.planning": (
            "SORTS",
            "Filters",
            "Request",
            "Sort",
            "chosen_sort",
            "narrowed",
            "page_of",
            "relevance_page",
            "request_center",
            "resolve_center",
        ),
        "searcher.search.query": (
            "MAX_QUERY_CHARS",
            "WEIGHTING",
            "ParsedQuery",
            "QueryParser",
            "WhooshQuery",
            "title_clause",
        ),
        "searcher.search.ranking": ("top_hits",),
        "searcher.search.stats": ("index_stats",),
        "searcher.search.visibility": ("Audience", "Visibility", "audience_of"),
    },
    ("arguments", "facets", "globalstats"),
)

__all__ = [
    "MAX_QUERY_CHARS",
    "SORTS",
    "WEIGHTING",
    "Audience",
    "Backend",
    "Filters",
    "Generation",
    "LocalBackend",
    "ParsedQuery",
    "QueryParser",
    "Request",
    "Searchable",
    "Sort",
    "Visibility",
    "WhooshQuery",
    "arguments",
    "audience_of",
    "chosen_sort",
    "facets",
    "globalstats",
    "index_stats",
    "narrowed",
    "order_by_distance",
    "page_of",
    "relevance_page",
    "request_center",
    "resolve_center",
    "title_clause",
    "top_hits",
]
