"""The one exception hierarchy of blogsearch.

Every error the library raises on purpose derives from :class:`BlogsearchError`. Each class
knows the CLI exit code and the HTTP status it maps to, so the CLI and the web layer each
translate errors in exactly one place.
"""

from __future__ import annotations


class BlogsearchError(Exception):
    """Base class: a failure the user can act on, reported as one line."""

    exit_code = 1
    http_status = 500


class UsageError(BlogsearchError):
    """Arguments that cannot be used as given (bad query, bad coordinates, bad option)."""

    exit_code = 2
    http_status = 400


class QuerySyntaxError(UsageError):
    """A query string that cannot be parsed."""


class InvalidCoordinates(UsageError):
    """Latitude/longitude that are not numbers or lie outside the globe."""


class InvalidParameter(UsageError):
    """One named request parameter that cannot be used (the web layer reports its name)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class SourceError(BlogsearchError):
    """A content folder or export file that cannot be read at all."""


class IndexMissing(BlogsearchError):
    """No index where one was expected."""

    http_status = 503


class IndexWriteError(BlogsearchError):
    """The index folder cannot be written (a full disk, no permission): the index stays as
    it was before the run."""


class OutputError(BlogsearchError):
    """A file blogsearch was asked to write (a map) cannot be written."""


class IndexBusy(BlogsearchError):
    """Another writer holds the index."""

    http_status = 503


class ShardUnavailable(BlogsearchError):
    """A shard of a sharded index, or the Dask cluster serving it, did not answer: no partial
    result is given in its place."""

    http_status = 503
