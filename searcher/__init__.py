"""blogsearch: full-text and geographic search for blog archives."""

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
