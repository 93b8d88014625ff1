"""The Whoosh door: the only modules that patch whoosh-reloaded or read its private parts.

We read Whoosh's on-disk blocks and private attributes as whoosh-reloaded 2.7.5 lays them out,
so another version is refused, clearly, the first time an index is opened, rather than
misread. Nothing here changes a Whoosh class: our indexes are opened through our own storage
(:class:`~searcher.indexing._whoosh.viewfile.MappedStorage`), and other Whoosh indexes in the
same process are read by Whoosh's own code.

Whoosh is imported here first (:mod:`~searcher.indexing._whoosh.loading`: without the
modules it imports and never uses), before any module of ours imports a part of it: the
packages ``searcher.indexing`` and ``searcher.search`` import this door.
"""

from __future__ import annotations

import functools
from typing import Any

from searcher.errors import BlogsearchError
from searcher.indexing._whoosh import loading

whoosh = loading.load()

SUPPORTED = "2.7.5"  # the whoosh-reloaded this code reads the internals of (pyproject pins it)


@functools.cache
def check_version() -> None:
    """Refuse another whoosh-reloaded than :data:`SUPPORTED` (checked once per process).

    The version Whoosh itself declares: asking the installed package's metadata imported
    ``importlib.metadata`` and searched every folder on ``sys.path`` for it, in every search
    command."""
    found = ".".join(map(str, getattr(whoosh, "__version__", ()))) or "unknown"
    if found != SUPPORTED:
        raise BlogsearchError(
            f"blogsearch needs whoosh-reloaded {SUPPORTED}, which it reads the files of "
            f"directly; {found} is installed (pip install 'whoosh-reloaded=={SUPPORTED}')"
        )


def searcher_index(searcher: Any) -> tuple[str, str] | None:
    """(folder, index name) of the on-disk index a Whoosh searcher reads, or None for one
    that is not in a folder (Whoosh keeps its index only in a private attribute)."""
    ix = getattr(searcher, "_ix", None)
    folder = getattr(getattr(ix, "storage", None), "folder", None)
    if ix is None or not isinstance(folder, str):
        return None
    return folder, str(ix.indexname)


def field_b(weighting: Any, fieldname: str) -> float:
    """The B of BM25F for ``fieldname``: its own (``title_B=``) or the weighting's."""
    return float(weighting._field_B.get(fieldname, weighting.B))


def pattern_words(pattern: Any, reader: Any) -> Any:
    """The words (bytes) a Prefix or Wildcard query expands to in ``reader``."""
    return pattern._btexts(reader)
