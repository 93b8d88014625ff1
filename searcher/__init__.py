"""blogsearch: full-text and geographic search for blog archives."""

from searcher.errors import (
    BlogsearchError,
    IndexBusy,
    IndexMissing,
    InvalidCoordinates,
    QuerySyntaxError,
    SourceError,
    UsageError,
)
from searcher.ingest import Skipped, Summary, read_file, scan
from searcher.models import IngestWarning, Location, Post

__all__ = [
    "BlogsearchError",
    "IndexBusy",
    "IndexMissing",
    "IngestWarning",
    "InvalidCoordinates",
    "Location",
    "Post",
    "QuerySyntaxError",
    "Skipped",
    "SourceError",
    "Summary",
    "UsageError",
    "read_file",
    "scan",
]
