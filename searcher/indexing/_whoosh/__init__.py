"""The Whoosh door: the only modules that patch whoosh-reloaded or read its private parts.

We read Whoosh's on-disk blocks and private attributes as whoosh-reloaded 2.7.5 lays them out,
so another version is refused, clearly, the first time an index is opened, rather than
misread. Nothing here changes a Whoosh class: our indexes are opened through our own storage
(:class:`~searcher.indexing._whoosh.viewfile.MappedStorage`), and other Whoosh indexes in the
same process are read by Whoosh's own code.
"""

from __future__ import annotations

import functools
from importlib import metadata

from searcher.errors import BlogsearchError

SUPPORTED = "2.7.5"  # the whoosh-reloaded this code reads the internals of (pyproject pins it)


@functools.cache
def check_version() -> None:
    """Refuse another whoosh-reloaded than :data:`SUPPORTED` (checked once per process)."""
    try:
        found = metadata.version("whoosh-reloaded")
    except metadata.PackageNotFoundError:
        found = "none"
    if found != SUPPORTED:
        raise BlogsearchError(
            f"blogsearch needs whoosh-reloaded {SUPPORTED}, which it reads the files of "
            f"directly; {found} is installed (pip install 'whoosh-reloaded=={SUPPORTED}')"
        )
