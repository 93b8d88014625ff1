"""The index folder's own files: the build lock, leftovers of failed runs, small files.

Every build holds ``blogsearch.lock`` from its first look at the index to its last write, so
two indexers started at the same instant on an empty folder never create the index over
each other: the second waits, then finds the first one's work. A run that failed (a full
disk, a kill) may leave files of a segment it never committed; the next run removes them
before writing, or they would keep the disk full.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, EmptyIndexError, clean_files
from whoosh.util.filelock import FileLock

from searcher.errors import IndexBusy

LOCK_FILE = "blogsearch.lock"
_TEMP = re.compile(r"^\.(.+)\.(\d+)\.tmp$")  # write_atomically's: .NAME.PID.tmp


@contextmanager
def build_lock(
    index_dir: Path, *, on_wait: Callable[[], None] | None, timeout: float
) -> Iterator[None]:
    """Hold the index folder's build lock; wait for it (telling ``on_wait`` once) if asked
    to, else raise :class:`IndexBusy`. A folder where no lock can be made (read only) is
    not locked: no build can write there anyway."""
    try:
        lock = FileLock(str(index_dir / LOCK_FILE))
        held = lock.acquire(blocking=False)
    except OSError:
        yield
        return
    if not held:
        if on_wait is None:
            raise IndexBusy(f"{index_dir}: another blogsearch index is writing here")
        on_wait()
        held = _wait(lock, timeout)
        if not held:
            raise IndexBusy(f"{index_dir}: another indexer held the index for {timeout:.0f} s")
    try:
        yield
    finally:
        lock.release()


def _wait(lock: FileLock, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if lock.acquire(blocking=False):
            return True
    return False


def remove_leftovers(index_dir: Path, indexname: str) -> None:
    """Delete what failed runs left in ``index_dir``: files of segments the index does not
    list, tables of contents half written, the writer's temporary files, and half-written
    small files of processes that are gone. Only when no Whoosh writer is at work there."""
    storage = FileStorage(str(index_dir))
    writelock = storage.lock(f"{indexname}_WRITELOCK")
    if not writelock.acquire(blocking=False):
        return
    try:
        try:
            toc = TOC.read(storage, indexname)
        except (EmptyIndexError, OSError, ValueError):
            return  # no index to compare with: nothing is known to be left over
        clean_files(storage, indexname, toc.generation, toc.segments)
        shutil.rmtree(index_dir / f"{indexname}.tmp", ignore_errors=True)
        half_written_toc = re.compile(rf"^_{re.escape(indexname)}_\d+\.toc\..+$")
        for name in os.listdir(index_dir):
            temp = _TEMP.match(name)
            if half_written_toc.match(name) or (temp and not _alive(int(temp.group(2)))):
                _unlink(index_dir / name)
    finally:
        writelock.release()


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write ``path`` so that a reader or a crash sees the old file or the new one; a
    failed write (a full disk) leaves no temporary file behind."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if isinstance(content, bytes):
            temp.write_bytes(content)
        else:
            temp.write_text(content)
        temp.replace(path)
    except BaseException:
        _unlink(temp)
        raise


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except OSError:
        return True  # someone else's: alive
    return True


def _unlink(path: Path) -> None:
    with suppress(OSError):
        path.unlink()
