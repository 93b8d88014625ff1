"""Building and updating the on-disk index: the single writer.

``blogsearch index`` is incremental: only files added or changed since the last run are read
(size and mtime first, then a content hash), posts of deleted files are removed, and a run
with nothing to do opens no writer at all. Posts are read and analysed in worker processes,
a batch of files at a time; the one writer (``segbuild``) files each batch's arrays and writes
one Whoosh segment at the commit, its postings encoded in fresh worker processes.

Crash safety comes from Whoosh's commit (a new generation becomes visible only when its table
of contents is renamed into place) and from versioned index names: a schema change builds a
new index next to the old one, which stays searchable until the new one is committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from searcher.errors import IndexBusy, IndexWriteError, SourceError
from searcher.indexing import postings, processes, schema, store
from searcher.indexing._whoosh import segbuild
from searcher.indexing._whoosh.segruns import Batch
from searcher.indexing.manifest import Entry, Manifest
from searcher.indexing.ondisk import INDEX_NAME, META_FILE, older_versions, read_meta
from searcher.ingest import files, reader, sites, wxr
from searcher.ingest.drafts import excluded
from searcher.models import DEFAULT_MAX_BYTES, Post, Skipped, Summary

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

DEFAULT_SOURCE = Path("content")
PARALLEL_FROM = 200  # files; below this, worker processes cost more than they save
READ_BATCH = 16  # files a worker reads per task
# postings from which worker processes, not threads, encode them at the commit: starting two
# costs ~0.7 s CPU; two threads share one GIL (~0.85 s CPU per million postings to encode)
ENCODE_IN_PROCESSES_FROM = 1_000_000
LOCK_WAIT = 600.0  # seconds a second indexer waits for the first one


@dataclass(frozen=True)
class BuildOptions:
    """How to read sources and what to keep."""

    drafts: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    drop_private_locations: bool = False
    geocode: bool = True  # place posts that only name a place, with the offline gazetteer


@dataclass
class BuildReport:
    """What one run did; for a sharded index, summed over its shards, each shard's own
    report in ``shards`` (empty for a plain index)."""

    summary: Summary
    indexed: int  # posts written (added or updated)
    index_dir: Path
    built_at: str
    removed: int = 0
    unchanged: int = 0  # files found unchanged and not read
    rebuilt: str | None = None  # why the index was built from scratch, if it was
    notes: list[str] = field(default_factory=list)
    shards: list[BuildReport] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _File:
    """A file to read, named by strings: a Path object and its parts took 300 bytes more
    per file, 19 MB held through a 60,000-post build."""

    key: str  # absolute path: the manifest key
    path: str  # where to read it: the key itself for a file found in a folder
    root: Path
    prefix: str  # put before post paths when several sources are indexed together


# what a worker is asked to read: path, root, prefix, max bytes, geocode, known hash, and the
# options to analyse its posts with; what it gives back: records (None if the hash is the
# known one) and manifest entry
_ReadJob = tuple[str, Path, str, int, bool, str, BuildOptions]
_ReadResult = tuple[list[Post | Skipped] | None, Entry]


def count_files(sources: Sequence[Path], *, drafts: bool = False) -> int:
    """How many files a build will look at (for a progress bar's total)."""
    return sum(1 for _, _, found, _ in _sources(sources, drafts) for _ in found)


def build(
    sources: Sequence[Path],
    index_dir: Path,
    options: BuildOptions = BuildOptions(),
    *,
    rebuild: bool = False,
    progress: Callable[[Post], None] | None = None,
    workers: int | None = None,
    on_wait: Callable[[], None] | None = None,
    on_plan: Callable[[int, str | None], None] | None = None,
    select: Callable[[str], bool] | None = None,
) -> BuildReport:
    """Bring the index in ``index_dir`` up to date with ``sources`` (from scratch if asked).

    One build at a time per folder: another waits (``on_wait`` is told) or, without
    ``on_wait``, raises :class:`IndexBusy`. A folder that cannot be written (a full disk)
    raises :class:`IndexWriteError`; what the failed run wrote is removed, here or by the
    next run. ``select`` keeps only the files whose post path (relative, with its source's
    prefix) it accepts: a shard of a sharded index is built from its own files this way.
    """
    for source in sources:
        if not source.exists():
            raise SourceError(f"{source}: no such content folder or export file")
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        with store.build_lock(index_dir, on_wait=on_wait, timeout=LOCK_WAIT):
            try:
                store.remove_leftovers(index_dir, INDEX_NAME)
                return _build(sources, index_dir, options, rebuild, progress, workers, on_wait,
                              on_plan, select)  # fmt: skip
            except OSError:
                store.remove_leftovers(index_dir, INDEX_NAME)
                raise
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise IndexWriteError(f"cannot write the index in {index_dir}/: {reason}") from None


def _build(
    sources: Sequence[Path],
    index_dir: Path,
    options: BuildOptions,
    rebuild: bool,
    progress: Callable[[Post], None] | None,
    workers: int | None,
    on_wait: Callable[[], None] | None,
    on_plan: Callable[[int, str | None], None] | None,
    select: Callable[[str], bool] | None,
) -> BuildReport:
    site = sites.fingerprint(sources)
    why = "asked to rebuild" if rebuild else _why_rebuild(index_dir, options, site)
    manifest = Manifest() if why else Manifest.load(index_dir)
    summary = Summary()
    for source in sources:
        if source.is_dir():
            reader.note_site(source, summary)
    changed, seen, unchanged = _survey(sources, options.drafts, manifest, select, summary.skipped)
    gone = [key for key in manifest if key not in seen]
    if on_plan:
        on_plan(len(changed), why)
    if why is None and not changed and not gone:
        return BuildReport(summary, 0, index_dir, read_meta(index_dir).get("built_at", ""),
                           unchanged=unchanged)  # fmt: skip
    ix = _open_for_writing(index_dir, fresh=why is not None)
    writer = _writer(ix, on_wait=on_wait, index_dir=index_dir)
    indexed = removed = 0
    count = workers if workers is not None else (os.cpu_count() or 1)
    pool = _pool(len(changed), count)
    encoders = _Encoders(count, writer)
    try:
        for key in gone:
            for path in manifest.pop(key).paths:
                removed += writer.delete_by_term(schema.PATH, path)
        read = _read(changed, manifest, options, pool, 4 * count, encoders.reading_ends)
        for results, batch in read:
            for file, records, entry in results:
                summary.files += 1
                old = manifest.get(file.key)
                if records is None and old is not None:  # touched, not changed: same hash
                    unchanged += 1
                    manifest.put(file.key, replace(entry, paths=old.paths))
                    continue
                entry.paths = _count_posts(records or [], summary, options, progress)
                indexed += len(entry.paths)
                if why is None:
                    removed += _delete_old(writer, old.paths if old else [], entry.paths)
                manifest.put(file.key, entry)
            writer.add_batch(batch)
        if why is None and not indexed and not removed:
            writer.cancel()  # only touched files: a commit would change nothing
        else:
            _commit(writer, fresh=why is not None, readers=pool, encoders=encoders)
    except BaseException:
        _cancel(writer)
        raise
    finally:
        if pool is not None:
            processes.let_go(pool)
        encoders.let_go()
    built_at = _save(index_dir, manifest, options, sources, site)
    if why:
        _remove_older_versions(index_dir)
    return BuildReport(summary, indexed, index_dir, built_at, removed, unchanged, why)


def _commit(
    writer: segbuild.IndexWriter,
    *,
    fresh: bool,
    readers: ProcessPoolExecutor | None,
    encoders: _Encoders,
) -> None:
    """Commit what was read; when worker processes read it and it holds many postings, fresh
    ones (``encoders``) encode them (the writer's threads share one GIL: 1.35-1.75 times one
    thread). Not the readers: each holds some 130 MB of what it read, at the commit, the
    build's peak of memory; they are let go."""
    if readers is not None:
        processes.let_go(readers)
    if readers is None or writer.postings < ENCODE_IN_PROCESSES_FROM:
        writer.commit(fresh=fresh)
        return
    writer.commit(fresh=fresh, encoders=encoders.started())


class _Encoders:
    """The worker processes that encode a large build's postings at the commit, started as
    the last files are sent to be read: they start while the readers finish and the writer
    sorts its last postings, not after (a core sat idle while they started)."""

    def __init__(self, count: int, writer: segbuild.IndexWriter) -> None:
        self._count, self._writer = count, writer
        self._pool: ProcessPoolExecutor | None = None

    def reading_ends(self) -> None:
        """The last files are being read: start now if the commit will want them."""
        if self._writer.postings >= ENCODE_IN_PROCESSES_FROM:
            self.started()

    def started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = processes.pool(self._count)
            processes.start(self._pool, self._count)
        return self._pool

    def let_go(self) -> None:
        if self._pool is not None:
            processes.let_go(self._pool)


def _save(
    index_dir: Path,
    manifest: Manifest,
    options: BuildOptions,
    sources: Sequence[Path],
    site: str,
) -> str:
    """Write the manifest and the build's metadata next to the committed index; the time."""
    built_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    manifest.options = asdict(options)
    manifest.save(index_dir)
    sources_text = [str(s) for s in sources]
    write_meta(index_dir, {"schema": schema.SCHEMA_VERSION, "built_at": built_at,
                           "sources": sources_text, "options": asdict(options),
                           "site": site, "reader": reader.READER_REVISION})  # fmt: skip
    return built_at


def _cancel(writer: Any) -> None:
    """Cancel a writer after a failure, whose error matters more than cancel's own (on a
    full disk, cancel fails too: a second traceback hid the first)."""
    try:
        writer.cancel()
    except Exception:
        with suppress(Exception):  # cancel stopped before it let the lock go
            writer.writelock.release()


def _count_posts(
    records: list[Post | Skipped],
    summary: Summary,
    options: BuildOptions,
    progress: Callable[[Post], None] | None,
) -> list[str]:
    """The paths of the posts a file's records index (the worker analysed the same ones)."""
    paths = []
    for record in records:
        if isinstance(record, Skipped):
            summary.skipped.append(record)
        elif excluded(record, drafts=options.drafts):
            summary.drafts_excluded += 1
        else:
            summary.count(record)
            paths.append(record.path)
            if progress:
                progress(record)
    return paths


def _delete_old(writer: segbuild.IndexWriter, old: list[str], new: list[str]) -> int:
    """Delete the indexed versions of a changed file's posts; how many of its old posts are
    gone (the others are replaced: Whoosh's ``update_document``)."""
    for path in new:
        writer.delete_by_term(schema.PATH, path)
    return sum(writer.delete_by_term(schema.PATH, path) for path in set(old) - set(new))


def write(
    posts: Iterable[Post], index_dir: Path, options: BuildOptions = BuildOptions()
) -> tuple[int, str]:
    """Index ready-made ``posts`` into a fresh index (benchmarks re-sample posts this way)."""
    ix = _open_for_writing(index_dir, fresh=True)
    writer = _writer(ix, on_wait=None, index_dir=index_dir)
    count = 0
    keep_private = not options.drop_private_locations
    try:
        documents = (schema.document(post, keep_private_location=keep_private) for post in posts)
        while group := list(islice(documents, READ_BATCH * 4)):
            writer.add_batch(postings.batch(group))
            count += len(group)
        writer.commit(fresh=True)
    except BaseException:
        _cancel(writer)
        raise
    built_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    Manifest(options=asdict(options)).save(index_dir)
    write_meta(index_dir, {"schema": schema.SCHEMA_VERSION, "built_at": built_at,
                           "sources": [], "options": asdict(options),
                           "reader": reader.READER_REVISION})  # fmt: skip
    return count, built_at


# -- what to read ----------------------------------------------------------------------------


def _sources(
    sources: Sequence[Path], drafts: bool
) -> Iterator[tuple[Path, str, Any, list[Skipped]]]:
    """(root, prefix, directory entries or a file's path, and the folders and links the
    entries leave out, once they are read) for each source."""
    chosen = reader.distinct_sources(sources)
    for source, prefix in zip(chosen, reader.source_prefixes(chosen), strict=True):
        skipped: list[Skipped] = []
        if source.is_dir():
            root = source.resolve()  # absolute, so that the paths of files below it are too
            yield root, prefix, reader.site_files(root, drafts=drafts, skipped=skipped), skipped
        elif source.is_file():
            yield source.resolve().parent, prefix, [source], skipped


def _survey(
    sources: Sequence[Path],
    drafts: bool,
    manifest: Manifest,
    select: Callable[[str], bool] | None = None,
    skipped: list[Skipped] | None = None,
) -> tuple[list[_File], set[str], int]:
    """Files to read, every file's key, and how many are unchanged (same size and mtime as in
    the manifest: those are not even opened). Folders and links left out go to ``skipped``."""
    changed, seen, unchanged = [], set(), 0
    is_current = manifest.is_current
    for root, prefix, found, left_out in _sources(sources, drafts):
        for item in found:
            key = item.path if isinstance(item, os.DirEntry) else str(item.resolve())
            if select is not None and not select(
                prefix + files.printable(os.path.relpath(key, root))
            ):
                continue  # chosen by the path the index gives it (a name may not be UTF-8)
            seen.add(key)
            try:
                stat = item.stat()
            except OSError:
                stat = None  # read_file will report why
            if stat is not None and is_current(key, stat.st_size, stat.st_mtime_ns):
                unchanged += 1
            else:
                changed.append(_File(key, os.fspath(item), root, prefix))
        if skipped is not None:
            skipped.extend(Skipped(prefix + s.path, s.reason) for s in left_out
                           if select is None or select(prefix + s.path))  # fmt: skip
    return changed, seen, unchanged


def _pool(files: int, count: int) -> ProcessPoolExecutor | None:
    """``count`` worker processes when ``files`` are many to read, else None: everything is
    then done in this process."""
    if files < PARALLEL_FROM or count < 2:
        return None
    return processes.pool(count)


def _read(
    files: list[_File], manifest: Manifest, options: BuildOptions,
    pool: ProcessPoolExecutor | None, ahead: int, sent: Callable[[], None] | None = None,
) -> Iterator[tuple[list[tuple[_File, *_ReadResult]], Batch]]:  # fmt: skip
    """(file, records, manifest entry) of each file of a batch of files, and the batch's
    posts analysed for the writer; read by the ``pool``'s workers if there is one, with at
    most ``ahead`` batches read and not yet taken (``sent`` is called once the last batch
    is sent to them).

    Records are None for a file whose content hash is the one in the manifest (touched, or
    checked out again): it is not parsed and its posts stay as they are.
    """
    jobs: list[_ReadJob] = []
    for f in files:
        known = manifest.get(f.key)
        sha1 = known.sha1 if known else ""
        jobs.append((f.path, f.root, f.prefix, options.max_bytes, options.geocode, sha1,
                     options))  # fmt: skip
    groups = [(files[i : i + READ_BATCH], jobs[i : i + READ_BATCH])
              for i in range(0, len(jobs), READ_BATCH)]  # fmt: skip
    if pool is None:
        for group, batch_jobs in groups:
            results, batch = _read_batch(batch_jobs)
            yield [(f, *r) for f, r in zip(group, results, strict=True)], batch
        return
    read = _read_ahead(pool, [batch_jobs for _, batch_jobs in groups], ahead, sent)
    for (group, _), (results, batch) in zip(groups, read, strict=True):
        yield [(f, *r) for f, r in zip(group, results, strict=True)], batch


def _read_ahead(
    pool: ProcessPoolExecutor, batches: list[list[_ReadJob]], ahead: int,
    sent: Callable[[], None] | None = None,
) -> Iterator[tuple[list[_ReadResult], Batch]]:  # fmt: skip
    """Results in order, with at most ``ahead`` batches read but not yet taken; ``sent`` is
    called once the last batch is submitted.

    Not ``pool.map``: it submits every job at once and keeps every result until it is taken,
    so with the writer slower than the readers a 60,000-post build held all its parsed posts
    in memory.
    """
    waiting = iter(batches)
    pending = deque(pool.submit(_read_batch, batch) for batch in islice(waiting, ahead))
    submitted = len(pending)
    while pending:
        if sent is not None and submitted == len(batches):
            sent()
            sent = None
        results = pending.popleft().result()
        for batch in islice(waiting, 1):
            pending.append(pool.submit(_read_batch, batch))
            submitted += 1
        yield results


def _read_batch(jobs: list[_ReadJob]) -> tuple[list[_ReadResult], Batch]:
    """Read files (in a worker process) and analyse the posts they index into one batch."""
    results = [_read_one(job) for job in jobs]
    options = jobs[0][6]
    keep = not options.drop_private_locations
    documents = [schema.document(record, keep_private_location=keep)
                 for records, _ in results for record in records or ()
                 if isinstance(record, Post)
                 and not excluded(record, drafts=options.drafts)]  # fmt: skip
    return results, postings.batch(documents)


def _read_one(job: _ReadJob) -> _ReadResult:
    """Read one source file (runs in a worker process): its records, or None when its content
    hash is ``known``, and its manifest entry."""
    name, root, prefix, max_bytes, geocode, known, _ = job
    path = Path(name)
    records: list[Post | Skipped]
    if path.suffix.lower() == ".xml":
        try:
            stat = path.stat()
            data = path.read_bytes() if stat.st_size <= max_bytes * 40 else b""
        except OSError as exc:
            skipped = Skipped(prefix + path.name, f"unreadable: {exc.strerror}")
            return [skipped], Entry(0, 0, "")
        digest = hashlib.sha1(data).hexdigest() if data else ""
        entry = Entry(stat.st_size, stat.st_mtime_ns, digest)
        if digest and digest == known:
            return None, entry
        records = list(wxr.read_export(path, max_bytes=max_bytes, geocode=geocode))
    else:
        source = reader.open_post(path, root, max_bytes)  # read once: hashed, then parsed
        opened = source.opened
        digest = hashlib.sha1(opened.data).hexdigest() if opened.data is not None else ""
        entry = Entry(opened.size, opened.mtime_ns, digest)
        if digest and digest == known:
            return None, entry
        records = [reader.parse_post(source, geocode=geocode)]
    if prefix:
        records = [_prefixed(r, prefix) for r in records]
    return records, entry


def _prefixed(record: Post | Skipped, prefix: str) -> Post | Skipped:
    return replace(record, path=prefix + record.path)


# -- the Whoosh side -------------------------------------------------------------------------


def _why_rebuild(index_dir: Path, options: BuildOptions, site: str = "") -> str | None:
    """Why the index must be built from scratch, or None when an update will do."""
    if not whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME):
        older = older_versions(index_dir)
        if older:
            return f"the index in {index_dir}/ was built by an older version; rebuilding it"
        return "no index yet"
    meta = read_meta(index_dir)
    if meta.get("options") != asdict(options):
        return "the reading options changed since the last build"
    if meta.get("reader", 1) != reader.READER_REVISION:
        return "this version of blogsearch reads posts differently; re-reading every file"
    if meta.get("site", site) != site:
        return "the site's configuration changed since the last build (URLs may have)"
    return None


def _open_for_writing(index_dir: Path, *, fresh: bool) -> Any:
    """The index to write, its segments read through file handles rather than mmap.

    whoosh-reloaded wraps a memory-mapped segment's postings and terms in a BytesIO, which
    copies them: updating one post of a 60,000-post index read 500 MB into memory (the
    writer reads the index to find the post it replaces). Read through a file handle, the
    update touches only the few blocks it needs.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    storage = FileStorage(str(index_dir), supports_mmap=False)
    if whoosh_index.exists_in(str(index_dir), indexname=INDEX_NAME):
        return storage.open_index(INDEX_NAME)
    return storage.create_index(schema.build_schema(), indexname=INDEX_NAME)


def _writer(ix: Any, *, on_wait: Callable[[], None] | None, index_dir: Path) -> Any:
    """The index's one writer, in this process; waits for another indexer if asked to."""
    try:
        return segbuild.IndexWriter(ix)
    except whoosh_index.LockError:
        if on_wait is None:
            raise IndexBusy(f"{index_dir}: another blogsearch index is writing here") from None
    on_wait()
    try:
        return segbuild.IndexWriter(ix, timeout=LOCK_WAIT, delay=0.25)
    except whoosh_index.LockError:
        raise IndexBusy(
            f"{index_dir}: another indexer held the index for {LOCK_WAIT:.0f} s"
        ) from None


def _remove_older_versions(index_dir: Path) -> None:
    """Delete the files of indexes built by older versions, once the new one is committed."""
    for name in older_versions(index_dir):
        for path in index_dir.glob(f"*{name}_*"):
            path.unlink(missing_ok=True)


def write_meta(index_dir: Path, data: dict[str, Any]) -> None:
    store.write_atomically(index_dir / META_FILE, json.dumps(data, indent=2) + "\n")
