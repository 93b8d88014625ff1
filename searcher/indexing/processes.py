"""A build's worker processes: spawned, gone with the indexer that started them.

Readers and encoders are started through this small module, which imports nothing of the
indexer: a spawned worker imports the module of its initializer before its first job, and an
encoder that imported the indexer (and so the post readers and analysers) took 0.3-0.5 s
more to start than one that imports only the segment writer its jobs need.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


def pool(count: int) -> ProcessPoolExecutor:
    """A pool of ``count`` worker processes, each started by its first job."""
    # imported here: an update of a few files needs no workers (multiprocessing and the pool
    # took 15-30 ms of a one-post update's imports)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawned, not forked: a forked worker inherits the writer's lock file descriptor and,
    # orphaned by a killed indexer, would hold the lock for ever
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(count, mp_context=context, initializer=_exit_with_parent,
                               initargs=(os.getpid(),))  # fmt: skip


def start(workers: ProcessPoolExecutor, count: int) -> None:
    """Start ``count`` workers of a pool now, not at their first real job."""
    for _ in range(count):
        workers.submit(_started)  # each submit starts a worker


def let_go(workers: ProcessPoolExecutor) -> None:
    """Stop a pool's workers without waiting for them to exit: an interpreter that read
    thousands of posts takes a while to free them (the writer sat idle 1.3-4 s of a loaded
    build)."""
    workers.shutdown(wait=False, cancel_futures=True)


def _started() -> None:
    """A job that does nothing: submitted, it starts a worker process."""


def _exit_with_parent(parent: int) -> None:
    """In a worker: exit as soon as the indexer that started it is gone (killed, say), and
    without freeing what it holds when it is let go (:func:`_exit_now`)."""
    atexit.register(_exit_now)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _exit_now() -> None:
    """At a worker's exit, once multiprocessing has said its last: end the process without
    the interpreter's teardown, which frees every object one by one. A reader that read
    thousands of posts spent CPU on it during the commit, beside the writer and encoders.
    Registered by the initializer, it runs after the exit functions jobs register and
    instead of those registered before it (multiprocessing's own ran as the worker's
    bootstrap ended)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, OSError, ValueError):  # closed, or None
            stream.flush()
    os._exit(0)
