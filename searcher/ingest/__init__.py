"""Ingest: content folders and WordPress exports → :class:`~searcher.models.Post`.

Vocabulary: a *source* is a content folder or a WXR ``.xml`` export given by the user; a *post
file* is one Markdown or HTML file in it; a *site* is the static-site generator whose
configuration decides what a folder publishes (:mod:`~searcher.ingest.sites`); *front matter*
is the metadata block of a post (:mod:`~searcher.ingest.meta`); a *location* is where a post
is, read from front matter, microformats or place names (:mod:`~searcher.ingest.places`).
A post that cannot be read is *skipped* with a reason; one read in part carries *warnings*.
:mod:`~searcher.ingest.reader` walks sources and builds posts; nothing here knows the index.

The indexer reads sources through this surface: :func:`scan` and :func:`read_source_file` (a
post file or a WXR export, the one dispatch), :func:`content_root`, and the modules
:mod:`~searcher.ingest.files` (which files are read), :mod:`~searcher.ingest.sites` (what a
site publishes) and :mod:`~searcher.ingest.wxr`. Imported on first use: importing one module
never imports its siblings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from searcher.support.lazy import exports

if TYPE_CHECKING:
    from searcher.ingest import files, reader, sites, wxr
    from searcher.ingest.reader import content_root, read_file, read_source_file, scan

__getattr__, __dir__ = exports(
    __name__,
    {
        "searcher.ingest.reader": ("content_root", "read_file", "read_source_file", "scan"),
    },
    ("files", "reader", "sites", "wxr"),
)

__all__ = [
    "content_root",
    "files",
    "read_file",
    "read_source_file",
    "reader",
    "scan",
    "sites",
    "wxr",
]
