"""A full build's timeline: when each process does what, to see where the wall clock is not
covered by every core.

Runs ``indexer.build`` (as ``blogsearch index --rebuild`` does) in this process with its stages
timed: the survey, each batch a worker reads and each chunk of postings a worker encodes at the
commit (in the worker: start, end, CPU), each batch the writer files, the commit and the
manifest save. Times are seconds from the start of the build
(``time.monotonic`` is one clock for every process). Prints each stage's span, how busy the
cores were (work in flight, summed over processes) second by second, and the idle core time
by phase; ``--json`` writes every event.

    python bench/build_timeline.py [--corpora ../shared/corpora] [--workers N] [--json F]
                                   [--source DIR ...] [NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from searcher.indexing import indexer
from searcher.indexing._whoosh import segbuild, segwriter

NAMES = ("chamerling", "evert", "ruby-lang", "rust-blog")
_LOG_DIR = "BLOGSEARCH_TIMELINE_DIR"
_original_read_batch = indexer._read_batch
_original_encode = segwriter.encode_postings


def _logged(stage: str, function: Any, *args: Any) -> Any:
    """``function(*args)`` in a worker, its span and CPU appended to a per-process log."""
    start, cpu = time.monotonic(), time.thread_time()
    result = function(*args)
    end = time.monotonic()
    folder = os.environ.get(_LOG_DIR)
    if folder:
        with open(os.path.join(folder, f"w{os.getpid()}"), "a") as log:
            row = [os.getpid(), stage, start, end, time.thread_time() - cpu]
            log.write(json.dumps(row) + "\n")
    return result


def timed_read_batch(jobs: list[Any]) -> Any:
    return _logged("read batch", _original_read_batch, jobs)


def timed_encode(chunk: Any, fields: Any) -> Any:
    """A chunk of the commit's postings encoded (in a worker process when the build has
    them, else in a thread of this one: its CPU then counts in the commit's too)."""
    return _logged("encode chunk", _original_encode, chunk, fields)


class Events:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, float, float, float]] = []  # proc, stage, start, end, cpu

    def wrap(self, owner: Any, name: str, stage: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start, cpu = time.monotonic(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                end = time.monotonic()
                self.rows.append(("main", stage, start, end, time.process_time() - cpu))

        setattr(owner, name, timed)

    def wrap_iterator(self, owner: Any, name: str, stage: str) -> None:
        """Time each step of a generator function: the main process waiting for the next."""
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            it = original(*args, **kwargs)
            while True:
                start, cpu = time.monotonic(), time.process_time()
                try:
                    item = next(it)
                except StopIteration:
                    return
                finally:
                    end = time.monotonic()
                    self.rows.append(("main", stage, start, end, time.process_time() - cpu))
                yield item

        setattr(owner, name, timed)


def run(sources: list[Path], workers: int | None) -> tuple[list[Any], float, float, int]:
    events = Events()
    events.wrap(indexer, "_survey", "survey")
    events.wrap(indexer.Manifest, "save", "manifest save")
    events.wrap(indexer, "write_meta", "meta save")
    events.wrap(segbuild.IndexWriter, "add_batch", "writer add_batch")
    events.wrap(segbuild.IndexWriter, "commit", "writer commit")
    events.wrap(segbuild._Segment, "write", "  commit: segment write")
    events.wrap(segbuild._PerDoc, "finish", "  commit: columns finish")
    events.wrap(indexer, "_remove_older_versions", "remove older")
    events.wrap_iterator(indexer, "_read", "main waits for a batch")
    indexer._read_batch = timed_read_batch  # type: ignore[assignment]
    segwriter.encode_postings = timed_encode
    logs = Path(tempfile.mkdtemp(prefix="timeline-logs-"))
    target = Path(tempfile.mkdtemp(prefix="timeline-ix-"))
    os.environ[_LOG_DIR] = str(logs)
    try:
        start, cpu = time.monotonic(), time.process_time()
        report = indexer.build(sources, target, rebuild=True, workers=workers)
        end = time.monotonic()
        main_cpu = time.process_time() - cpu
        rows: list[Any] = [list(r) for r in events.rows]
        for log in logs.iterdir():
            for line in log.read_text().splitlines():
                pid, stage, a, b, used = json.loads(line)
                rows.append([f"worker {pid}", stage, a, b, used])
    finally:
        shutil.rmtree(logs, ignore_errors=True)
        shutil.rmtree(target, ignore_errors=True)
    rows = [[p, s, a - start, b - start, c] for p, s, a, b, c in rows]
    return rows, end - start, main_cpu, report.indexed


def summarise(rows: list[Any], wall: float, main_cpu: float, posts: int) -> None:
    spans: dict[tuple[str, str], list[float]] = defaultdict(lambda: [1e9, 0.0, 0.0, 0])
    for proc, stage, a, b, cpu in rows:
        key = ("worker" if proc.startswith("worker") else proc, stage)
        span = spans[key]
        span[0], span[1] = min(span[0], a), max(span[1], b)
        span[2] += cpu
        span[3] += 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{posts} posts in {wall:.2f} s wall = {posts / wall:.0f} posts/s; "
          f"main process CPU {main_cpu:.2f} s, peak RSS {peak:.0f} MB")  # fmt: skip
    print(f"  {'stage':<32} {'first':>7} {'last':>7} {'CPU s':>7} {'count':>6}")
    for (proc, stage), (a, b, cpu, n) in sorted(spans.items(), key=lambda kv: kv[1][0]):
        print(f"  {proc + ': ' + stage:<32} {a:7.2f} {b:7.2f} {cpu:7.2f} {n:6d}")
    workers = [r for r in rows if r[0].startswith("worker")]
    by_worker: dict[str, list[float]] = defaultdict(lambda: [1e9, 0.0, 0.0])
    for proc, _, a, b, cpu in workers:
        w = by_worker[proc]
        w[0], w[1] = min(w[0], a), max(w[1], b)
        w[2] += cpu
    for proc, (a, b, cpu) in sorted(by_worker.items()):
        print(f"  {proc}: first job starts {a:.2f} s, last ends {b:.2f} s, CPU {cpu:.2f} s")
    busy = [0.0] * (int(wall) + 1)  # core-seconds of work in flight per wall second
    for _, stage, a, b, _ in rows:
        if stage.startswith("  ") or stage == "main waits for a batch":
            continue
        t = a
        while t < b:
            second = int(t)
            step = min(b, second + 1) - t
            busy[min(second, len(busy) - 1)] += step
            t += step
    print("  cores busy, second by second: " + " ".join(f"{b:.1f}" for b in busy))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    shared = Path(__file__).parents[2] / "shared" / "corpora"
    parser.add_argument("names", nargs="*", default=list(NAMES))
    parser.add_argument("--corpora", type=Path, default=shared)
    parser.add_argument("--source", type=Path, nargs="*", default=[])
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    sources = args.source or [args.corpora / n for n in args.names]
    rows, wall, main_cpu, posts = run(sources, args.workers)
    summarise(rows, wall, main_cpu, posts)
    if args.json:
        args.json.write_text(json.dumps(rows) + "\n")
    print(f"load average {os.getloadavg()[0]:.1f} (the machine is shared)", file=sys.stderr)


if __name__ == "__main__":
    main()
