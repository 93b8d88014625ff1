"""The Python API for site backends: open an index once, search it from many threads.

See the README for a worked example (it runs as a doctest).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from whoosh.searching import Searcher

from searcher import indexer, shards, whoosh_io
from searcher.engine import SORTS, Center, Filters, Generation, Request, resolve_center
from searcher.errors import UsageError
from searcher.geo import BBox, parse_bbox, parse_radius_km
from searcher.models import Results, Stats
from searcher.query import WEIGHTING, Audience, audience_of
from searcher.schema import partial_date_span
from searcher.stats import index_stats

REFRESH_INTERVAL = 1.0  # seconds between checks that the index changed on disk
MAX_LIMIT = 1000


class Index:
    """An opened index. Thread-safe; notices rebuilds on disk and refreshes its one searcher.

    ``audience="public"`` (the default) never returns, filters or sorts by a location its
    author marked private; ``"owner"`` sees everything, private places marked as such.
    """

    def __init__(self, index_dir: Path, audience: Audience = "public") -> None:
        self.index_dir = Path(index_dir)
        self.audience = audience
        self._lock = threading.RLock()
        self._ix, self._searcher = _open_searcher(self.index_dir)
        self._generation = Generation(self._searcher, audience)
        self._checked = time.monotonic()

    def close(self) -> None:
        with self._lock:
            self._searcher.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _current(self) -> Generation:
        """The generation to search now, refreshed (and the old one closed) if the index changed."""
        with self._lock:
            now = time.monotonic()
            if now - self._checked >= REFRESH_INTERVAL:
                self._checked = now
                if not self._searcher.up_to_date():
                    # a whole new searcher, not refresh(): refresh() shares segment readers
                    # with the old one, which must be closed to release its files
                    self._ix, fresh = _open_searcher(self.index_dir)
                    self._searcher.close()
                    self._searcher = fresh
                    self._generation = Generation(fresh, self.audience)
            return self._generation

    def search(
        self,
        text: str | None = None,
        *,
        limit: int = 10,
        page: int = 1,
        near: Any = None,
        radius_km: Any = None,
        bbox: BBox | str | None = None,
        within: Any = None,
        sort: str = "relevance",
        located_only: bool = False,
        tags: Sequence[str] = (),
        categories: Sequence[str] = (),
        any_tag: bool = False,
        lang: str | Sequence[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        has_location: bool = False,
        facets: bool = False,
    ) -> Results:
        """Posts matching ``text`` (Whoosh syntax, ``near:`` clauses too), one page of hits.

        ``near`` is (lat, lon), "lat,lon" or a place name; ``radius_km`` a number or "20km",
        "500m", "5mi"; ``bbox`` a :class:`BBox` or "S,W,N,E"; ``within`` a shapely polygon;
        ``sort`` one of relevance, distance, date, date-asc; ``located_only`` keeps posts with
        a point the audience may see. Filters: every tag in ``tags`` (any, with ``any_tag``),
        every category, a language, dates ``since``/``until`` (YYYY, YYYY-MM or YYYY-MM-DD),
        ``has_location``. ``facets`` adds counts by tag, category, year and language.
        """
        filters = _filters(tags, categories, any_tag, lang, since, until, has_location)
        request = _request(text, limit, page, near, radius_km, bbox, within, sort, bool(filters))
        request = replace(request, located_only=located_only, filters=filters, facets=facets)
        with self._lock:
            return self._current().run(request)

    def near(
        self,
        lat: Any,
        lon: Any,
        *,
        text: str | None = None,
        radius_km: Any = None,
        limit: int = 10,
        page: int = 1,
        bbox: BBox | str | None = None,
        within: Any = None,
    ) -> Results:
        """Located posts nearest to (lat, lon), nearest first; ``text`` narrows, radius bounds."""
        request = _request(text, limit, page, (lat, lon), radius_km, bbox, within, "distance")
        with self._lock:
            return self._current().run(request)

    def complete(self, prefix: str, *, limit: int = 10) -> list[dict[str, Any]]:
        """Search-as-you-type: titles, then words, completing the last word of ``prefix``."""
        _check_paging(limit, 1)
        with self._lock:
            return list(self._current().completer.complete(prefix, limit))

    def similar(self, path: str, *, limit: int = 10) -> Results:
        """The posts most related to the post at ``path`` (by its key terms)."""
        _check_paging(limit, 1)
        with self._lock:
            return self._current().similar(path, limit)

    def stats(self) -> Stats:
        """Counts, languages, top tags and categories, date span, size and build time."""
        with self._lock:
            generation = self._current()
            return index_stats(generation.searcher, self.index_dir, self.audience)


def _open_searcher(index_dir: Path, attempts: int = 5) -> tuple[Any, Searcher]:
    """Open the newest generation. A writer committing at that moment may delete the files of
    the generation just read from its table of contents: then read the newer one."""
    whoosh_io.install()  # read the segment's memory map in place, not a copy of it
    for attempt in range(attempts):
        try:
            ix = indexer.open_existing(index_dir)
            return ix, ix.searcher(weighting=WEIGHTING)
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _request(
    text: str | None,
    limit: int,
    page: int,
    near: Any,
    radius_km: Any,
    bbox: BBox | str | None,
    within: Any,
    sort: str,
    filtered: bool = False,
) -> Request:
    _check_paging(limit, page)
    if sort not in SORTS:
        raise UsageError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    narrowed = near is not None or bbox is not None or within is not None or filtered
    if not (text and text.strip()) and not narrowed and (text is not None or sort == "relevance"):
        raise UsageError("empty query")
    center: Center | None = resolve_center(near) if near is not None else None
    radius = parse_radius_km(radius_km) if radius_km is not None else None
    box = parse_bbox(bbox) if isinstance(bbox, str) else bbox
    return Request(
        text=text if text and text.strip() else None,
        near=center,
        radius_km=radius,
        bbox=box,
        within=within,
        sort=sort,
        limit=limit,
        page=page,
    )


def _filters(
    tags: Sequence[str],
    categories: Sequence[str],
    any_tag: bool,
    lang: str | Sequence[str] | None,
    since: str | None,
    until: str | None,
    has_location: bool,
) -> Filters:
    for value in (since, until):
        if value is not None:
            partial_date_span(value)  # a clear error now rather than an empty result later
    langs = (lang,) if isinstance(lang, str) else tuple(lang or ())
    return Filters(tuple(tags), tuple(categories), any_tag, langs, since, until, has_location)


def _check_paging(limit: int, page: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}, not {limit!r}")
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise UsageError(f"page must be 1 or more, not {page!r}")


def open_index(
    index_dir: Path | str | None = None, *, audience: str = "public", scheduler: str | None = None
) -> Index:
    """Open the index in ``index_dir`` (default ``$BLOGSEARCH_INDEX`` or ``index/``).

    A sharded index (``blogsearch index --shards N``) is searched through Dask actors on the
    cluster at ``scheduler`` (default ``$BLOGSEARCH_SCHEDULER``, else a local one).
    """
    path = Path(index_dir) if index_dir is not None else indexer.default_index_dir()
    if shards.read_layout(path) is not None:
        from searcher.sharded import ShardedIndex  # imports Dask: only for sharded indexes

        return ShardedIndex(path, audience_of(audience), scheduler=scheduler)
    return Index(path, audience_of(audience))
