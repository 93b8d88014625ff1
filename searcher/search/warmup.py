"""Warming a new generation before requests use it: what a server's first requests would build.

A generation builds much of what requests use on first need: the date columns and orders of a
listing, the facet counts, the geo table, the completion table, the parser's and scorer's
word forms. The first request of each kind after a rebuild would pay for it (hundreds of
milliseconds at a few thousand posts). :func:`warm` asks one request of each kind, through
the generation's own entry points, so that whatever a generation builds lazily, now or after
a change to it, is built here: in a background thread, while requests keep using the old one
(:class:`searcher.search.backend.LocalBackend`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from searcher.errors import BlogsearchError
from searcher.models import Center, Completion, Results
from searcher.search.planning import Request

log = logging.getLogger("searcher.search")
BEYOND_ASCII = "café"  # a query word that is not ASCII, whatever the archive's languages


class Warmable(Protocol):
    """What warming asks of a generation, local or sharded (backend.Searchable has more)."""

    def run(self, request: Request) -> Results: ...

    def complete(self, prefix: str, limit: int) -> list[Completion]: ...


def warm(generation: Warmable) -> None:
    """Run one request of each kind on ``generation`` (a listing with facets, a text query,
    a distance sort, a completion, a word beyond ASCII) and drop the answers. A step that
    fails is logged and skipped: the generation still serves, only that kind's first request
    pays."""
    listing = _step("listing", lambda: generation.run(Request(sort="date", facets=True)))
    _step("near", lambda: generation.run(Request(near=Center(0.0, 0.0), sort="distance")))
    title = listing.hits[0].title if listing is not None and listing.hits else ""
    if title.strip():  # a real query: the newest post's title, as users paste them
        _step("text", lambda: generation.run(Request(text=title)))
        _step("complete", lambda: generation.complete(title.strip()[:3], 10))
    # a word beyond ASCII is read by the Unicode token pattern, compiled on a process's first
    # need: 6 ms of its first such request (an ASCII title leaves it to the first user)
    _step("text beyond ASCII", lambda: generation.run(Request(text=BEYOND_ASCII)))


def _step(kind: str, ask: Callable[[], Any]) -> Any:
    try:
        return ask()
    except BlogsearchError as exc:
        log.debug("warming a new generation: the %s request failed: %s", kind, exc)
    except Exception:  # a bug shows in the log; the new generation is still served
        log.exception("warming a new generation: the %s request failed", kind)
    return None
