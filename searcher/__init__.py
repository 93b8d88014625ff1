"""blogsearch: full-text and geographic search for blog archives.

The public names below are imported on first use (PEP 562), so that ``import searcher`` and a
command that needs none of them (``blogsearch --version``) do not pay for Whoosh, numpy,
shapely or the post readers: importing all of them took most of a command's start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from searcher.api import Index, open_index
    from searcher.errors import (
        BlogsearchError,
        IndexBusy,
        IndexMissing,
        InvalidCoordinates,
        InvalidParameter,
        QuerySyntaxError,
        ShardUnavailable,
        SourceError,
        UsageError,
    )
    from searcher.indexing.indexer import BuildOptions, BuildReport
    from searcher.indexing.indexer import build as build_index
    from searcher.ingest.reader import read_file, scan
    from searcher.models import Hit, IngestWarning, Location, Post, Results, Skipped, Stats, Summary
    from searcher.shards.layout import build as build_shards

# public name → (module, name in that module)
_WHERE: dict[str, tuple[str, str]] = {
    "Index": ("searcher.api", "Index"),
    "open_index": ("searcher.api", "open_index"),
    **{
        name: ("searcher.errors", name)
        for name in (
            "BlogsearchError",
            "IndexBusy",
            "IndexMissing",
            "InvalidCoordinates",
            "InvalidParameter",
            "QuerySyntaxError",
            "ShardUnavailable",
            "SourceError",
            "UsageError",
        )
    },
    "BuildOptions": ("searcher.indexing.indexer", "BuildOptions"),
    "BuildReport": ("searcher.indexing.indexer", "BuildReport"),
    "build_index": ("searcher.indexing.indexer", "build"),
    **{name: ("searcher.ingest.reader", name) for name in ("read_file", "scan")},
    **{
        name: ("searcher.models", name)
        for name in (
            "Hit",
            "IngestWarning",
            "Location",
            "Post",
            "Results",
            "Skipped",
            "Stats",
            "Summary",
        )
    },
    "build_shards": ("searcher.shards.layout", "build"),
}

__all__ = [
    "BlogsearchError",
    "BuildOptions",
    "BuildReport",
    "Hit",
    "Index",
    "IndexBusy",
    "IndexMissing",
    "IngestWarning",
    "InvalidCoordinates",
    "InvalidParameter",
    "Location",
    "Post",
    "QuerySyntaxError",
    "Results",
    "ShardUnavailable",
    "Skipped",
    "SourceError",
    "Stats",
    "Summary",
    "UsageError",
    "build_index",
    "build_shards",
    "open_index",
    "read_file",
    "scan",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'searcher' has no attribute {name!r}")
    value = getattr(importlib.import_module(where[0]), where[1])
    globals()[name] = value  # later look-ups find it directly
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
