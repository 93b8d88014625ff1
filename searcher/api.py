"""The Python API for site backends: open an index once, search it from many threads.

See the README for a worked example (it runs as a doctest).
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from searcher.errors import InvalidCoordinates, UsageError
from searcher.geo import BBox, parse_radius_km
from searcher.indexing import ondisk

# What the CLI and the web app use besides Index: they import nothing below this module.
from searcher.indexing.ondisk import default_index_dir
from searcher.indexing.schema import partial_date_span
from searcher.models import DEFAULT_MAX_BYTES, MAX_SHARDS, Center, Completion, Results, Stats
from searcher.search import arguments, warmup
from searcher.search.backend import Backend, LocalBackend, Searchable
from searcher.search.planning import SORTS, Filters, Request, resolve_center
from searcher.search.query import MAX_QUERY_CHARS
from searcher.search.visibility import Audience, Visibility, audience_of
from searcher.shards.layout import read_layout

if TYPE_CHECKING:  # shapely is imported by a request with a shape, not by every search
    from shapely.geometry.base import BaseGeometry

    from searcher.indexing.indexer import DEFAULT_SOURCE, BuildOptions, BuildReport
    from searcher.indexing.indexer import build as build_index
    from searcher.ingest.reader import content_root, read_source_file, scan
    from searcher.shards.layout import build as build_shards

# The build side (the writer, the post readers), imported on first use (PEP 562): a search
# never imports it (it took 0.26 s of a 0.6 s ``blogsearch query``).
_BUILD_SIDE: dict[str, tuple[str, str]] = {
    "DEFAULT_SOURCE": ("searcher.indexing.indexer", "DEFAULT_SOURCE"),
    "BuildOptions": ("searcher.indexing.indexer", "BuildOptions"),
    "BuildReport": ("searcher.indexing.indexer", "BuildReport"),
    "build_index": ("searcher.indexing.indexer", "build"),
    "content_root": ("searcher.ingest.reader", "content_root"),
    "read_source_file": ("searcher.ingest.reader", "read_source_file"),
    "scan": ("searcher.ingest.reader", "scan"),
    "build_shards": ("searcher.shards.layout", "build"),
}


def __getattr__(name: str) -> Any:
    where = _BUILD_SIDE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where[0]), where[1])
    globals()[name] = value  # later look-ups find it directly
    return value


__all__ = [  # Index and what the CLI and the web app use besides it
    "DEFAULT_MAX_BYTES",
    "DEFAULT_SOURCE",
    "MAX_QUERY_CHARS",
    "MAX_SHARDS",
    "REFRESH_INTERVAL",
    "SORTS",
    "BuildOptions",
    "BuildReport",
    "Center",
    "Index",
    "ShardedIndex",
    "Visibility",
    "build_index",
    "build_shards",
    "content_root",
    "default_index_dir",
    "open_index",
    "partial_date_span",
    "read_layout",
    "read_source_file",
    "resolve_center",
    "scan",
    "watch",
]

# What a caller may pass for a centre, a radius and a polygon (each checked in search.arguments)
Near: TypeAlias = Center | tuple[float | str, float | str] | Sequence[float] | str
Radius: TypeAlias = float | str  # kilometres, or "20km", "500m", "5mi"
Within: TypeAlias = (
    "str | Mapping[str, Any] | BaseGeometry"  # WKT or GeoJSON text, GeoJSON, shapely
)

REFRESH_INTERVAL = 1.0  # seconds between checks that the index changed on disk
MAX_LIMIT = 1000


class Index:
    """An opened index. Thread-safe; notices rebuilds on disk and refreshes its one searcher.

    ``audience="public"`` (the default) never returns, filters or sorts by a location its
    author marked private; ``"owner"`` sees everything, private places marked as such.
    ``backend`` is what is searched (by default the index folder, opened here).
    """

    def __init__(
        self, index_dir: Path, audience: Audience = "public", *, backend: Backend | None = None
    ) -> None:
        self.index_dir = Path(index_dir)
        self.audience = audience
        self._backend = backend or LocalBackend(self.index_dir, audience)

    def close(self) -> None:
        self._backend.close()

    def warm(self) -> None:
        """Build now what the first search, listing, distance sort and completion would
        (a server calls it before it serves: its first requests are then as fast as the
        others)."""
        with self._using() as generation:
            warmup.warm(generation)

    def refresh_in_background(self) -> None:
        """From now on, a rebuild found on disk is warmed in a background thread while
        searches keep using the index as it was, then switched to: what a server wants, so
        that the first requests after a rebuild are as fast as the others (the web app asks
        for it). A sharded index refreshes each shard as before."""
        if isinstance(self._backend, LocalBackend):
            self._backend.refresh_in_background()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _current(self) -> Any:
        """The generation a request would run on now (for tests that look inside)."""
        with self._using() as generation:
            return generation

    def _using(self) -> AbstractContextManager[Searchable]:
        return self._backend.using(REFRESH_INTERVAL)

    def search(
        self,
        text: str | None = None,
        *,
        limit: int | None = None,
        page: int | None = None,
        near: Near | None = None,
        radius_km: Radius | None = None,
        bbox: BBox | str | Sequence[float] | None = None,
        within: Within | None = None,
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
        lat: float | str | None,
        lon: float | str | None,
        *,
        text: str | None = None,
        radius_km: Radius | None = None,
        limit: int | None = None,
        page: int | None = None,
        bbox: BBox | str | Sequence[float] | None = None,
        within: Within | None = None,
    ) -> Results:
        """Located posts nearest to (lat, lon), nearest first; ``text`` narrows, radius bounds."""
        if lat is None or lon is None:
            raise InvalidCoordinates("near needs both a latitude and a longitude")
        request = _request(text, limit, page, (lat, lon), radius_km, bbox, within, "distance")
        with self._using() as generation:
            return generation.run(request)

    def complete(self, prefix: str | None, *, limit: int | None = None) -> list[Completion]:
        """Search-as-you-type: titles, then words, completing the last word of ``prefix``."""
        typed = arguments.text(prefix, "prefix")
        count = arguments.number(limit, "limit", 10, 1, MAX_LIMIT)
        if typed is None or not typed.strip():
            return []
        with self._using() as generation:
            return generation.complete(typed, count)

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
        return self._backend.stats(REFRESH_INTERVAL)


class ShardedIndex(Index):
    """An opened sharded index: the :class:`Index` API over per-shard Dask actors.

    ``scheduler`` is a Dask scheduler address (default ``$BLOGSEARCH_SCHEDULER``); without
    one a local cluster of worker processes is started on 127.0.0.1 and stopped on close.
    """

    def __init__(
        self, index_dir: Path, audience: Audience = "public", *, scheduler: str | None = None
    ) -> None:
        from searcher.shards.coordinator import ShardedBackend  # imports Dask: only here

        self._sharded = ShardedBackend(Path(index_dir), audience, scheduler)
        super().__init__(index_dir, audience, backend=self._sharded)

    @property
    def shard_count(self) -> int:
        return self._sharded.shard_count

    def shard_workers(self) -> list[str]:
        """The address of the Dask worker holding each shard's actor."""
        return self._sharded.shard_workers()

    def worker_pids(self) -> dict[str, int]:
        """Each Dask worker's process id (for the fault tests)."""
        return self._sharded.worker_pids()


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


def watch(sources: Sequence[Path], index_dir: Path, options: BuildOptions) -> Iterator[BuildReport]:
    """Keep the index of ``sources`` current as files change: one report per update."""
    from searcher.indexing.watch import watch as watch_files  # imports watchfiles: only here

    yield from watch_files(sources, index_dir, options)


def open_index(
    index_dir: Path | str | None = None, *, audience: str = "public", scheduler: str | None = None
) -> Index:
    """Open the index in ``index_dir`` (default ``$BLOGSEARCH_INDEX`` or ``index/``).

    A sharded index (``blogsearch index --shards N``) is searched through Dask actors on the
    cluster at ``scheduler`` (default ``$BLOGSEARCH_SCHEDULER``, else a local one).
    """
    path = Path(index_dir) if index_dir is not None else ondisk.default_index_dir()
    if read_layout(path) is not None:
        return ShardedIndex(path, audience_of(audience), scheduler=scheduler)
    return Index(path, audience_of(audience))
