"""Ingest: content folders and WordPress exports → :class:`~searcher.models.Post`.

Vocabulary: a *source* is a content folder or a WXR ``.xml`` export given by the user; a *post
file* is one Markdown or HTML file in it; a *site* is the static-site generator whose
configuration decides what a folder publishes (:mod:`~searcher.ingest.sites`); *front matter*
is the metadata block of a post (:mod:`~searcher.ingest.meta`); a *location* is where a post
is, read from front matter, microformats or place names (:mod:`~searcher.ingest.places`).
A post that cannot be read is *skipped* with a reason; one read in part carries *warnings*.
:mod:`~searcher.ingest.reader` walks sources and builds posts; nothing here knows the index.
"""

from searcher.ingest.reader import read_file, read_source_file, scan
from searcher.models import Skipped, Summary

__all__ = ["Skipped", "Summary", "read_file", "read_source_file", "scan"]
