"""A sharded index: several ordinary indexes under one folder, built on a Dask cluster.

``index_dir/shards.json`` names the layout; ``index_dir/shard-00`` … ``shard-NN`` are each a
normal blogsearch index with its own manifest. A post belongs to the shard its path hashes
to: BLAKE2b (8 bytes, big-endian) of the UTF-8 path, modulo the number of shards. That is
stable across processes, machines and Python runs (``hash()`` is salted per process), so an
update reads a changed file into the shard that already holds it. A WordPress export's posts
stay together in the shard of the export file's name.

Without a scheduler address, a :class:`distributed.LocalCluster` of worker processes is
started on 127.0.0.1 (its dashboard too) for the duration of the work.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from searcher.errors import BlogsearchError, ShardUnavailable, SourceError, UsageError
from searcher.indexing import ondisk
from searcher.models import MAX_SHARDS, Summary

if TYPE_CHECKING:  # the writer is imported by a build, not by opening an index to search it
    from searcher.indexing import indexer

LAYOUT_FILE = "shards.json"
LAYOUT_FORMAT = 1
ROUTING = "blake2b-64 of the post path, mod shards"
LOCAL = "127.0.0.1"
CONNECT_TIMEOUT = "10s"  # to reach a scheduler


@dataclass(frozen=True)
class Layout:
    """How many shards an index has, and where they are."""

    index_dir: Path
    shards: int

    def shard_dir(self, number: int) -> Path:
        return self.index_dir / f"shard-{number:02d}"

    def shard_dirs(self) -> list[Path]:
        return [self.shard_dir(n) for n in range(self.shards)]


def shard_of(path: str, shards: int) -> int:
    """The shard a post path belongs to (stable everywhere, unlike ``hash()``).

    >>> shard_of("_posts/2019-05-01-hello.md", 4)
    2
    """
    digest = hashlib.blake2b(path.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


@dataclass(frozen=True)
class _Owns:
    """The file filter of one shard's build (picklable, for the Dask worker)."""

    number: int
    shards: int

    def __call__(self, path: str) -> bool:
        return shard_of(path, self.shards) == self.number


def read_layout(index_dir: Path) -> Layout | None:
    """The layout of a sharded index in ``index_dir``, or None for a plain index (or none)."""
    try:
        data = json.loads((index_dir / LAYOUT_FILE).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{index_dir / LAYOUT_FILE}: unreadable ({exc})") from None
    shards = data.get("shards") if isinstance(data, dict) else None
    if data.get("format") != LAYOUT_FORMAT or not isinstance(shards, int) or shards < 1:
        raise UsageError(f"{index_dir / LAYOUT_FILE}: not a layout this version understands")
    return Layout(index_dir, shards)


def _write_layout(layout: Layout) -> None:
    layout.index_dir.mkdir(parents=True, exist_ok=True)
    data = {"format": LAYOUT_FORMAT, "shards": layout.shards, "routing": ROUTING}
    temp = layout.index_dir / f".{LAYOUT_FILE}.{os.getpid()}.tmp"
    temp.write_text(json.dumps(data, indent=2) + "\n")
    temp.replace(layout.index_dir / LAYOUT_FILE)


# -- the cluster -----------------------------------------------------------------------------


@contextmanager
def connect(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A Dask client of ``scheduler``, or of a local cluster of ``workers`` processes bound
    to 127.0.0.1, its HTTP endpoint too (on a free port: Dask would otherwise take 8787 or
    another port); closed (and the local cluster stopped) on exit."""
    dask: Any = importlib.import_module("distributed")  # untyped: kept out of mypy's sight
    cluster = None
    try:
        if scheduler:
            client = dask.Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        else:
            cluster = dask.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   host=LOCAL, dashboard_address=f"{LOCAL}:0",
                                   silence_logs=logging.ERROR)  # fmt: skip
            client = dask.Client(cluster, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        where = scheduler or "a local cluster"
        raise ShardUnavailable(f"cannot reach the Dask scheduler at {where}: {exc}") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def local_workers(shards: int) -> int:
    return max(1, min(shards, os.cpu_count() or 1))


# -- building --------------------------------------------------------------------------------


def build(
    sources: Sequence[Path],
    index_dir: Path,
    options: indexer.BuildOptions | None = None,
    *,
    shards: int,
    scheduler: str | None = None,
    rebuild: bool = False,
) -> indexer.BuildReport:
    """Build or update ``shards`` shards in ``index_dir``, one Dask task per shard.

    Paths are resolved here: a remote worker must see the sources and the index at the same
    paths (shared storage). A different number of shards than last time rebuilds them all.
    """
    if isinstance(shards, bool) or not 1 <= shards <= MAX_SHARDS:
        raise UsageError(f"shards must be between 1 and {MAX_SHARDS}, not {shards!r}")
    for source in sources:
        if not source.exists():
            raise SourceError(f"{source}: no such content folder or export file")
    index_dir = index_dir.resolve()
    if ondisk.INDEX_NAME in {p.name.split("_")[1] for p in index_dir.glob("_*_*.toc")}:
        raise UsageError(f"{index_dir}/ holds a plain index; give the sharded one its own folder")
    old = read_layout(index_dir)
    layout = Layout(index_dir, shards)
    if old is not None and old.shards != shards:
        for stale in old.shard_dirs():
            shutil.rmtree(stale, ignore_errors=True)
        rebuild = True
    _write_layout(layout)
    resolved = [s.resolve() for s in sources]
    from searcher.indexing import indexer

    options = options or indexer.BuildOptions()
    with connect(scheduler, local_workers(shards)) as client:
        futures = [
            client.submit(_build_shard, resolved, layout.shard_dir(n), options, _Owns(n, shards),
                          rebuild, pure=False, key=f"blogsearch-build-{n}-{os.urandom(4).hex()}")
            for n in range(shards)
        ]  # fmt: skip
        try:
            reports: list[indexer.BuildReport] = client.gather(futures)
        except BlogsearchError:
            raise
        except Exception as exc:  # KilledWorker, a lost connection, …
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ShardUnavailable(f"a shard build did not finish: {detail}") from None
    return _combined(reports, index_dir, "rebuilt with a new number of shards" if old and
                     old.shards != shards else None)  # fmt: skip


def _build_shard(
    sources: list[Path],
    shard_dir: Path,
    options: indexer.BuildOptions,
    owns: _Owns,
    rebuild: bool,
) -> indexer.BuildReport:
    """One shard's build, on a Dask worker: the ordinary incremental indexer, its own files.

    Posts are read in the worker itself: a Dask worker process may not start others, and
    the shards already keep every worker busy."""
    from searcher.indexing import indexer

    return indexer.build(sources, shard_dir, options, rebuild=rebuild, workers=1, select=owns)


def _combined(
    reports: list[indexer.BuildReport], index_dir: Path, why: str | None
) -> indexer.BuildReport:
    """The report of a sharded run: the shards' summed, each shard's kept in ``shards``."""
    from searcher.indexing import indexer  # the writer: imported by builds only

    summary = Summary()
    for report in reports:
        part = report.summary
        summary.files += part.files
        summary.posts += part.posts
        summary.drafts_excluded += part.drafts_excluded
        summary.skipped.extend(part.skipped)
        summary.warnings.update(part.warnings)
        summary.warned_posts += part.warned_posts
    rebuilt = why or next((r.rebuilt for r in reports if r.rebuilt), None)
    return indexer.BuildReport(
        summary,
        sum(r.indexed for r in reports),
        index_dir,
        max((r.built_at for r in reports), default=""),
        sum(r.removed for r in reports),
        sum(r.unchanged for r in reports),
        rebuilt,
        [note for r in reports for note in r.notes],
        reports,
    )
