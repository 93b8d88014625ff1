"""The Python API for site backends: open an index once, search it from many threads.

See the README for a worked example (it runs as a doctest).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from whoosh.searching import Searcher

from searcher import arguments, indexer, shards, whoosh_io
from searcher.engine import SORTS, Center, Filters, Generation, Request, resolve_center
from searcher.errors import InvalidCoordinates, UsageError
from searcher.geo import BBox, parse_radius_km
from searcher.models import Results, Stats
from searcher.query import WEIGHTING, Audience, audience_of
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
        self._users: dict[int, int] = {}  # id(searcher): requests searching it now
        self._retired: list[Searcher] = []  # replaced by a rebuild, closed once unused

    def close(self) -> None:
        with self._lock:
            self._searcher.close()
            for old in self._retired:
                old.close()
            self._retired = []

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _current(self) -> Generation:
        """The generation to search now, refreshed if the index changed on disk."""
        with self._lock:
            now = time.monotonic()
            if now - self._checked >= REFRESH_INTERVAL:
                self._checked = now
                if not self._searcher.up_to_date():
                    # a whole new searcher, not refresh(): refresh() shares segment readers
                    # with the old one, which must be closed to release its files
                    self._ix, fresh = _open_searcher(self.index_dir)
                    self._retired.append(self._searcher)
                    self._searcher = fresh
                    self._generation = Generation(fresh, self.audience)
                    self._close_unused()
            return self._generation

    @contextmanager
    def _using(self) -> Iterator[Generation]:
        """The current generation, for one request. Requests run side by side, each on the
        generation it started with (the lock is held only to pick it): one slow search no
        longer holds up every other. A generation replaced meanwhile is closed by the last
        request using it."""
        with self._lock:
            generation = self._current()
            key = id(generation.searcher)
            self._users[key] = self._users.get(key, 0) + 1
        try:
            yield generation
        finally:
            with self._lock:
                self._users[key] -= 1
                if not self._users[key]:
                    del self._users[key]
                    self._close_unused()

    def _close_unused(self) -> None:
        """Close the replaced searchers no request is using any more."""
        unused = [old for old in self._retired if id(old) not in self._users]
        self._retired = [old for old in self._retired if id(old) in self._users]
        for old in unused:
            old.close()

    def search(
        self,
        text: str | None = None,
        *,
        limit: int | None = None,
        page: int | None = None,
        near: Any = None,
        radius_km: Any = None,
        bbox: BBox | str | Sequence[float] | None = None,
        within: Any = None,
        sort: str | None = None,
        located_only: bool | None = None,
        tags: str | Iterable[str] | None = None,
        categories: str | Iterable[str] | None = None,
        any_tag: bool | None = None,
        lang: str | Iterable[str] | None = None,
        since: str | int | dt.date | None = None,
        until: str | int | dt.date | None = None,
        has_location: bool | None = None,
        facets: bool | None = None,
    ) -> Results:
        """Posts matching ``text`` (Whoosh syntax, ``near:`` clauses too), one page of hits.

        ``near`` is (lat, lon), "lat,lon" or a place name; ``radius_km`` a number or "20km",
        "500m", "5mi"; ``bbox`` a :class:`BBox`, "S,W,N,E" or four numbers; ``within`` a
        polygon (shapely, GeoJSON or WKT); ``sort`` one of relevance, distance, date,
        date-asc; ``located_only`` keeps posts with a point the audience may see. Filters:
        every tag in ``tags`` (any, with ``any_tag``; one string is one tag), every category,
        languages, dates ``since``/``until`` (YYYY, YYYY-MM, YYYY-MM-DD, a year or a date),
        ``has_location``. ``facets`` adds counts by tag, category, year and language. Every
        argument takes None for "not given".
        """
        filters = _filters(tags, categories, any_tag, lang, since, until, has_location)
        request = _request(text, limit, page, near, radius_km, bbox, within, sort, bool(filters))
        request = replace(request, located_only=arguments.flag(located_only, "located_only"),
                          filters=filters, facets=arguments.flag(facets, "facets"))  # fmt: skip
        with self._using() as generation:
            return generation.run(request)

    def near(
        self,
        lat: Any,
        lon: Any,
        *,
        text: str | None = None,
        radius_km: Any = None,
        limit: int | None = None,
        page: int | None = None,
        bbox: BBox | str | Sequence[float] | None = None,
        within: Any = None,
    ) -> Results:
        """Located posts nearest to (lat, lon), nearest first; ``text`` narrows, radius bounds."""
        if lat is None or lon is None:
            raise InvalidCoordinates("near needs both a latitude and a longitude")
        request = _request(text, limit, page, (lat, lon), radius_km, bbox, within, "distance")
        with self._using() as generation:
            return generation.run(request)

    def complete(self, prefix: str | None, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Search-as-you-type: titles, then words, completing the last word of ``prefix``."""
        typed = arguments.text(prefix, "prefix")
        count = arguments.number(limit, "limit", 10, 1, MAX_LIMIT)
        if typed is None or not typed.strip():
            return []
        with self._using() as generation:
            return list(generation.completer.complete(typed, count))

    def similar(self, path: str | os.PathLike[str] | None, *, limit: int | None = None) -> Results:
        """The posts most related to the post at ``path`` (by its key terms): the path as the
        index stores it, or the post's file, relative to the current folder or absolute."""
        if isinstance(path, os.PathLike):
            path = os.fspath(path)
        given = arguments.text(path, "path")
        count = arguments.number(limit, "limit", 10, 1, MAX_LIMIT)
        if given is None or not given.strip():
            raise UsageError("similar needs the path of a post")
        with self._using() as generation:
            return generation.similar(given, count)

    def stats(self) -> Stats:
        """Counts, languages, top tags and categories, date span, size and build time."""
        with self._using() as generation:
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
    text: Any,
    limit: Any,
    page: Any,
    near: Any,
    radius_km: Any,
    bbox: Any,
    within: Any,
    sort: Any,
    filtered: bool = False,
) -> Request:
    words = arguments.text(text, "text")
    count = arguments.number(limit, "limit", 10, 1, MAX_LIMIT)
    number = arguments.number(page, "page", 1, 1)
    order = arguments.choice(sort, "sort", SORTS, "relevance")
    box, shape = arguments.box(bbox), arguments.shape(within)
    narrowed = near is not None or box is not None or shape is not None or filtered
    blank = not (words and words.strip())
    if blank and not narrowed and (words is not None or order == "relevance"):
        raise UsageError("empty query")
    center: Center | None = resolve_center(near) if near is not None else None
    radius = parse_radius_km(radius_km) if radius_km is not None else None
    return Request(
        text=None if blank else words,
        near=center,
        radius_km=radius,
        bbox=box,
        within=shape,
        sort=order,  # type: ignore[arg-type]  # checked against SORTS
        limit=count,
        page=number,
    )


def _filters(
    tags: Any,
    categories: Any,
    any_tag: Any,
    lang: Any,
    since: Any,
    until: Any,
    has_location: Any,
) -> Filters:
    return Filters(
        arguments.labels(tags, "tags"),
        arguments.labels(categories, "categories"),
        arguments.flag(any_tag, "any_tag"),
        arguments.labels(lang, "lang"),
        arguments.date(since, "since"),
        arguments.date(until, "until"),
        arguments.flag(has_location, "has_location"),
    )


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
