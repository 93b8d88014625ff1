"""What :class:`searcher.api.Index` searches through: a local index folder or a sharded one.

A *backend* hands out the *generation* to run one request on (:meth:`Backend.using`) and
answers statistics; :class:`LocalBackend` is an index folder opened here, refreshed when a
rebuild commits; :class:`searcher.shards.coordinator.ShardedBackend` is a sharded index
searched on Dask. The facade checks arguments and never knows which one it has.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from whoosh.searching import Searcher

from searcher.indexing import ondisk
from searcher.models import Completion, Results, Stats
from searcher.search.generation import Generation
from searcher.search.planning import Request
from searcher.search.query import WEIGHTING
from searcher.search.visibility import Audience
from searcher.search.warmup import warm

log = logging.getLogger("searcher.search")


class Searchable(Protocol):
    """One generation of an index: what a request runs on."""

    def run(self, request: Request) -> Results: ...

    def similar(self, path: str, limit: int) -> Results: ...

    def complete(self, prefix: str, limit: int) -> list[Completion]: ...


class Backend(Protocol):
    """An opened index, local or sharded."""

    def using(self, refresh_interval: float) -> AbstractContextManager[Searchable]: ...

    def stats(self, refresh_interval: float) -> Stats: ...

    def close(self) -> None: ...


class LocalBackend:
    """An index folder opened in this process. Thread-safe; notices rebuilds on disk and
    refreshes its one searcher.

    With ``background`` (what a server wants: :meth:`refresh_in_background`), a rebuild is
    opened by the request that notices it, then warmed (:func:`warmup.warm`) in a thread
    while requests keep using the old generation, and switched to once warm: the first
    requests after a rebuild are as fast as the others."""

    def __init__(self, index_dir: Path, audience: Audience, *, background: bool = False) -> None:
        self.index_dir = index_dir
        self.audience = audience
        self.background = background
        self._warming: threading.Thread | None = None  # the new generation being warmed
        self._closed = False
        self._lock = threading.RLock()
        self._ix, self._searcher = open_searcher(self.index_dir)
        self._generation = Generation(self._searcher, audience)
        self._checked = time.monotonic()
        self._users: dict[int, int] = {}  # id(searcher): requests searching it now
        self._retired: list[Searcher] = []  # replaced by a rebuild, closed once unused

    def refresh_in_background(self) -> None:
        """Warm each new generation in a thread before switching to it (see the class)."""
        self.background = True

    def close(self) -> None:
        with self._lock:
            self._closed = True  # a generation being warmed is closed by its thread
            self._searcher.close()
            for old in self._retired:
                old.close()
            self._retired = []

    def current(self, refresh_interval: float) -> Generation:
        """The generation to search now, refreshed if the index changed on disk."""
        with self._lock:
            now = time.monotonic()
            if now - self._checked >= refresh_interval and self._warming is None:
                self._checked = now
                if not self._searcher.up_to_date():
                    # a whole new searcher, not refresh(): refresh() shares segment readers
                    # with the old one, which must be closed to release its files. Opened
                    # here, so that a removed index is said at once (IndexMissing)
                    ix, fresh = open_searcher(self.index_dir)
                    if self.background:
                        self._warming = threading.Thread(
                            target=self._warm, args=(ix, fresh), name="blogsearch-warm", daemon=True
                        )
                        self._warming.start()
                    else:
                        self._switch(ix, fresh, Generation(fresh, self.audience))
            return self._generation

    def _warm(self, ix: Any, fresh: Searcher) -> None:
        """In the warming thread: build and warm the new generation, then switch to it."""
        try:
            generation = Generation(fresh, self.audience)
            warm(generation)
        except Exception:  # the next check opens it again; requests keep the old one
            log.exception("opening the new generation of %s failed", self.index_dir)
            fresh.close()
            with self._lock:
                self._warming = None
            return
        with self._lock:
            self._warming = None
            if self._closed:
                fresh.close()
            else:
                self._switch(ix, fresh, generation)

    def _switch(self, ix: Any, fresh: Searcher, generation: Generation) -> None:
        """Make ``generation`` the one new requests use (the lock held)."""
        self._ix = ix
        self._retired.append(self._searcher)
        self._searcher = fresh
        self._generation = generation
        self._close_unused()

    def using(self, refresh_interval: float) -> AbstractContextManager[Generation]:
        """The current generation, for one request. Requests run side by side, each on the
        generation it started with (the lock is held only to pick it): one slow search no
        longer holds up every other. A generation replaced meanwhile is closed by the last
        request using it. A plain context manager, not a generator's: it is on every
        request's path (2.0 µs a request, down to 0.9 µs)."""
        return _Use(self, refresh_interval)

    def _enter(self, refresh_interval: float) -> Generation:
        """Count one more request on the current generation (see :meth:`using`)."""
        with self._lock:
            generation = self.current(refresh_interval)
            key = id(generation.searcher)
            self._users[key] = self._users.get(key, 0) + 1
        return generation

    def _leave(self, generation: Generation) -> None:
        """One request less on ``generation``; close it if it was replaced and is unused."""
        key = id(generation.searcher)
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

    def stats(self, refresh_interval: float) -> Stats:
        from searcher.search.stats import index_stats  # facets, with numpy: stats only

        with self.using(refresh_interval) as generation:
            return index_stats(generation.searcher, self.index_dir, self.audience)


class _Use:
    """One request's use of a :class:`LocalBackend`'s current generation."""

    __slots__ = ("_backend", "_generation", "_interval")

    def __init__(self, backend: LocalBackend, refresh_interval: float) -> None:
        self._backend = backend
        self._interval = refresh_interval
        self._generation: Generation | None = None

    def __enter__(self) -> Generation:
        self._generation = self._backend._enter(self._interval)
        return self._generation

    def __exit__(self, *exc: object) -> None:
        if self._generation is not None:
            self._backend._leave(self._generation)
            self._generation = None


def open_searcher(index_dir: Path, attempts: int = 5) -> tuple[Any, Searcher]:
    """Open the newest generation. A writer committing at that moment may delete the files of
    the generation just read from its table of contents: then read the newer one."""
    for attempt in range(attempts):
        try:
            ix = ondisk.open_existing(index_dir)
            return ix, ix.searcher(weighting=WEIGHTING)
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")
