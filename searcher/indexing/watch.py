"""Keeping the index current while files change: ``blogsearch index --watch``.

watchfiles (Rust-backed inotify/FSEvents, debounced) reports batches of changes; each batch
runs the same incremental update as ``blogsearch index``, so added, changed, renamed and
deleted posts are handled by the manifest diff rather than by interpreting events.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from searcher.indexing import indexer
from searcher.ingest import reader
from searcher.ingest.drafts import skipped_folders

DEBOUNCE_MS = 400


class _PostFilter:
    """Events worth an update, outside build output and dot folders: post files and WXR
    exports, and folders, which a rename (a page bundle's), a move or a removal changes
    with every post inside: a path that is a folder, or is gone and may have been one."""

    def __init__(self, drafts: bool) -> None:
        self._skip = skipped_folders(reader.SKIP_DIRS, drafts=drafts)

    def __call__(self, change: Any, path: str) -> bool:
        parts = Path(path).parts
        if any(p.startswith(".") or p in self._skip for p in parts[:-1]):
            return False
        suffix = Path(path).suffix.lower()
        if suffix in reader.POST_SUFFIXES or suffix == ".xml":
            return True
        if parts and (parts[-1].startswith(".") or parts[-1] in self._skip):
            return False
        return os.path.isdir(path) or not os.path.lexists(path)


def watch(
    sources: Sequence[Path],
    index_dir: Path,
    options: indexer.BuildOptions,
    *,
    stop: threading.Event | None = None,
) -> Iterator[indexer.BuildReport]:
    """Yield the report of each update made after files under ``sources`` change."""
    from watchfiles import watch as file_events

    batches = file_events(
        *sources,
        watch_filter=_PostFilter(options.drafts),
        debounce=DEBOUNCE_MS,
        step=50,
        stop_event=stop,
        raise_interrupt=False,
    )
    for _ in batches:
        yield indexer.build(sources, index_dir, options)
