"""The on-disk index: what is stored for a post, and the writer that keeps it up to date.

Vocabulary: the *schema* names the Whoosh fields (:mod:`~searcher.indexing.schema`), whose
text goes through our *analysers* (:mod:`~searcher.indexing.analysis`); a post's *record* is
what is stored to show it, written and read back typed by the codec
(:mod:`~searcher.indexing.records`); the *manifest* remembers which file gave which
post so a rebuild only reads what changed; the *store* locks the index folder and
:mod:`~searcher.indexing.ondisk` names its files; a *generation* is one committed state of the
index that readers open. Only this layer and :mod:`searcher.search` import Whoosh; its
internals are touched only in :mod:`searcher.indexing._whoosh`.

Other layers use: :func:`build` with its :class:`BuildOptions` and :class:`BuildReport`
(the writer, for the API and the shard builder), :func:`default_index_dir`, and the modules
:mod:`~searcher.indexing.schema` (field names), :mod:`~searcher.indexing.records` (the stored
record), :mod:`~searcher.indexing.analysis` and :mod:`~searcher.indexing.wordforms` (query
words analysed as the index's), :mod:`~searcher.indexing.ondisk` (what readers open) and
:mod:`~searcher.indexing.watch`. The search layer's scorer and geo table also read through
the door, ``indexing._whoosh``. Imported on first use: importing one module never imports its
siblings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# Whoosh imported through its door before any module below imports a part of it
import searcher.indexing._whoosh  # noqa: F401
from searcher.support.lazy import exports

if TYPE_CHECKING:
    from searcher.indexing import analysis, indexer, ondisk, schema, watch, wordforms
    from searcher.indexing.indexer import DEFAULT_SOURCE, BuildOptions, BuildReport, build
    from searcher.indexing.ondisk import default_index_dir
    from searcher.indexing.schema import partial_date_span

__getattr__, __dir__ = exports(
    __name__,
    {
        "searcher.indexing.indexer": ("DEFAULT_SOURCE", "BuildOptions", "BuildReport", "build"),
        "searcher.indexing.ondisk": ("default_index_dir",),
        "searcher.indexing.schema": ("partial_date_span",),
    },
    ("analysis", "indexer", "ondisk", "schema", "watch", "wordforms"),
)

__all__ = [
    "DEFAULT_SOURCE",
    "BuildOptions",
    "BuildReport",
    "analysis",
    "build",
    "default_index_dir",
    "indexer",
    "ondisk",
    "partial_date_span",
    "schema",
    "watch",
    "wordforms",
]
