"""The on-disk contract of an index folder: what a reader needs to open what the writer wrote.

The index's name carries the schema version (``blogsearch<N>``), so a schema change builds a
new index next to the old one; ``blogsearch.json`` (the *meta file*) records how and when it
was built. The read path (:mod:`searcher.search`, :mod:`searcher.shards`) opens indexes
through this module and never imports the writer (:mod:`searcher.indexing.indexer`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from searcher.errors import IndexMissing
from searcher.indexing import _whoosh, schema
from searcher.indexing._whoosh.viewfile import MappedStorage

META_FILE = "blogsearch.json"
INDEX_NAME = f"blogsearch{schema.SCHEMA_VERSION}"
DEFAULT_INDEX_DIR = Path("index")
Storage: Any = MappedStorage  # reads segment files in place (Whoosh's FileStorage copies them)


def default_index_dir() -> Path:
    """``$BLOGSEARCH_INDEX`` if set, else ``index/`` in the current folder."""
    return Path(os.environ.get("BLOGSEARCH_INDEX") or DEFAULT_INDEX_DIR)


def open_existing(index_dir: Path) -> Any:
    """The Whoosh index in ``index_dir``; :class:`IndexMissing` if there is none (or only an
    older version's, which must be rebuilt rather than misread).

    Opened at once, not after Whoosh's ``exists_in``, which opens the index to see whether it
    can (listing the folder and unpickling the schema a third time in every search)."""
    _whoosh.check_version()
    if index_dir.is_dir():
        try:
            return Storage(str(index_dir)).open_index(INDEX_NAME)
        except whoosh_index.EmptyIndexError:
            pass
    if older_versions(index_dir):
        raise IndexMissing(f"the index in {index_dir}/ was built by an older version of "
                           "blogsearch (run: blogsearch index)")  # fmt: skip
    raise IndexMissing(f"no index in {index_dir}/ (run: blogsearch index)")


def read_meta(index_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((index_dir / META_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def older_versions(index_dir: Path) -> list[str]:
    """The names of indexes an older version of blogsearch built in ``index_dir``."""
    if not index_dir.is_dir():
        return []
    return sorted({p.name.split("_")[1] for p in index_dir.glob("_blogsearch*_*.toc")
                   if p.name.split("_")[1] != INDEX_NAME})  # fmt: skip


def index_bytes(index_dir: Path) -> int:
    """Bytes the index takes on disk."""
    return sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file())
