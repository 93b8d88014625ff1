"""Building the on-disk index from content sources: the single writer.

The index lives in a folder (default ``index/``, or ``$BLOGSEARCH_INDEX``) next to a small
``blogsearch.json`` that records the schema version, the sources and when it was built.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.writing import CLEAR

from searcher import ingest, schema
from searcher.errors import IndexBusy, IndexMissing
from searcher.models import Post

META_FILE = "blogsearch.json"
INDEX_NAME = "blogsearch"
DEFAULT_INDEX_DIR = Path("index")
DEFAULT_SOURCE = Path("content")


def default_index_dir() -> Path:
    """``$BLOGSEARCH_INDEX`` if set, else ``index/`` in the current folder."""
    return Path(os.environ.get("BLOGSEARCH_INDEX") or DEFAULT_INDEX_DIR)


@dataclass(frozen=True)
class BuildOptions:
    """How to read sources and what to keep."""

    drafts: bool = False
    max_bytes: int = ingest.DEFAULT_MAX_BYTES
    drop_private_locations: bool = False


@dataclass(frozen=True)
class BuildReport:
    """What one build did."""

    summary: ingest.Summary
    indexed: int
    index_dir: Path
    built_at: str


def count_files(sources: Sequence[Path], *, drafts: bool = False) -> int:
    """How many files a build will read (for a progress bar's total)."""
    total = 0
    for source in sources:
        if source.is_dir():
            total += sum(1 for _ in ingest.walk(source, drafts=drafts))
        elif source.is_file():
            total += 1
    return total


def build(
    sources: Sequence[Path],
    index_dir: Path,
    options: BuildOptions = BuildOptions(),
    *,
    progress: Callable[[Post], None] | None = None,
) -> BuildReport:
    """Index every post of ``sources`` into ``index_dir`` from scratch."""
    summary = ingest.Summary()
    posts = _posts(sources, options, summary)
    indexed, built_at = write(posts, index_dir, options, sources=sources, progress=progress)
    return BuildReport(summary, indexed, index_dir, built_at)


def write(
    posts: Iterable[Post],
    index_dir: Path,
    options: BuildOptions = BuildOptions(),
    *,
    sources: Sequence[Path] = (),
    progress: Callable[[Post], None] | None = None,
) -> tuple[int, str]:
    """Index ``posts`` into a fresh index in ``index_dir``; how many, and when."""
    ix = _fresh_or_cleared(index_dir)
    try:
        writer = ix.writer(limitmb=256)
    except whoosh_index.LockError as exc:
        raise IndexBusy(f"{index_dir}: another blogsearch index is writing here") from exc
    indexed = 0
    keep_private = not options.drop_private_locations
    try:
        for post in posts:
            writer.add_document(**schema.document(post, keep_private_location=keep_private))
            indexed += 1
            if progress:
                progress(post)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=CLEAR)  # replaces every old segment in one new generation
    built_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    write_meta(index_dir, {"schema": schema.SCHEMA_VERSION, "built_at": built_at,
                           "sources": [str(s) for s in sources],
                           "drop_private_locations": options.drop_private_locations})  # fmt: skip
    return indexed, built_at


def _fresh_or_cleared(index_dir: Path) -> Any:
    """The index to rebuild into: the existing one when its schema is current, else a new one.

    Rebuilding inside the existing index keeps generation numbers rising, so open searchers
    notice the new generation; ``create_in`` would restart at 0 and look unchanged to them.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    wanted = schema.build_schema()
    current = read_meta(index_dir).get("schema") == schema.SCHEMA_VERSION
    if current and whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME):
        existing = whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)
        if existing.schema.names() == wanted.names():
            return existing
    return whoosh_index.create_in(str(index_dir), wanted, indexname=INDEX_NAME)


def _posts(
    sources: Sequence[Path], options: BuildOptions, summary: ingest.Summary
) -> Iterator[Post]:
    """Posts of every source; with several sources, paths are prefixed by the source's name."""
    prefix = len(sources) > 1
    for source in sources:
        posts: Iterable[Post] = ingest.scan(
            [source], drafts=options.drafts, max_bytes=options.max_bytes, summary=summary
        )
        for post in posts:
            if prefix and not source.is_file():
                yield _prefixed(post, source.name)
            else:
                yield post


def _prefixed(post: Post, name: str) -> Post:
    from dataclasses import replace

    return replace(post, path=f"{name}/{post.path}")


def open_existing(index_dir: Path) -> Any:
    """The Whoosh index in ``index_dir``; :class:`IndexMissing` if there is none."""
    if not whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME):
        raise IndexMissing(f"no index in {index_dir}/ (run: blogsearch index)")
    return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME)


def read_meta(index_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((index_dir / META_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_meta(index_dir: Path, data: dict[str, Any]) -> None:
    temp = index_dir / (META_FILE + ".tmp")
    temp.write_text(json.dumps(data, indent=2) + "\n")
    temp.replace(index_dir / META_FILE)


def index_bytes(index_dir: Path) -> int:
    """Bytes the index takes on disk."""
    return sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file())
