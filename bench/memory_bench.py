"""What an opened index costs a process in memory: reading its segment in place, or copying it.

Each run is a fresh process that opens the index, answers search_bench's 20 queries once (cold
engine caches) and three times more (warm), and reports its resident memory from
/proc/self/status: ``RssAnon`` (the process's own) and ``RssFile`` (mapped pages of the index,
shared with every other process that maps it). "in place" is blogsearch as it runs;
"copying" opens it with Whoosh's own ``FileStorage``, whose ``BufferFile`` copies each mapped
sub-file.

Run from the repository root::

    python bench/memory_bench.py INDEX_DIR [--rounds 3] [--out bench/out]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MODES = ("in place", "copying")


def resident_mb() -> dict[str, float]:
    """RssAnon and RssFile of this process, in MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("RssAnon", "RssFile"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


def child(index_dir: str, copying: bool) -> dict[str, Any]:
    """One measured run, in this process."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from search_bench import QUERIES
    from whoosh.filedb.filestore import FileStorage

    import searcher
    from searcher.indexing import ondisk

    if copying:  # Whoosh's own storage: its BufferFiles copy the map
        ondisk.Storage = FileStorage
    figures: dict[str, Any] = {"start": resident_mb()}
    cpu = time.process_time()
    index = searcher.open_index(index_dir, audience="owner")
    figures["open_cpu_ms"] = (time.process_time() - cpu) * 1000
    figures["opened"] = resident_mb()
    cpu = time.process_time()
    for text in QUERIES:
        index.search(text)
    figures["cold_cpu_ms"] = (time.process_time() - cpu) * 1000
    cpu = time.process_time()
    for _ in range(3):
        for text in QUERIES:
            index.search(text)
    figures["warm_cpu_ms"] = (time.process_time() - cpu) * 1000 / 3
    figures["queried"] = resident_mb()
    index.close()
    return figures


def measure(index_dir: Path, rounds: int) -> dict[str, list[dict[str, Any]]]:
    """``rounds`` runs of each mode, the modes taking turns."""
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    for _ in range(rounds):
        for mode in MODES:
            argv = [sys.executable, __file__, str(index_dir), "--child"]
            argv += ["--copying"] if mode == "copying" else []
            done = subprocess.run(argv, check=True, capture_output=True, text=True)
            runs[mode].append(json.loads(done.stdout))
    return runs


def median_of(samples: list[dict[str, Any]], *keys: str) -> float:
    """The median over the runs of ``run[key][subkey]...``."""
    values = []
    for sample in samples:
        value: Any = sample
        for key in keys:
            value = value[key]
        values.append(value)
    return statistics.median(values)


def print_table(index_dir: Path, runs: dict[str, list[dict[str, Any]]]) -> None:
    print(f"\n== {index_dir}: medians of {len(runs[MODES[0]])} runs, MB and CPU ms")
    print(f"{'mode':10} {'RssAnon open':>12} {'RssAnon end':>12} {'RssFile end':>12} "
          f"{'open ms':>8} {'20 cold ms':>10} {'20 warm ms':>10}")  # fmt: skip
    for mode, samples in runs.items():
        print(f"{mode:10} {median_of(samples, 'opened', 'RssAnon'):12.0f} "
              f"{median_of(samples, 'queried', 'RssAnon'):12.0f} "
              f"{median_of(samples, 'queried', 'RssFile'):12.0f} "
              f"{median_of(samples, 'open_cpu_ms'):8.0f} "
              f"{median_of(samples, 'cold_cpu_ms'):10.0f} "
              f"{median_of(samples, 'warm_cpu_ms'):10.0f}")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each mode (default: 3)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--copying", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(str(args.index_dir), args.copying)))
        return
    runs = measure(args.index_dir, args.rounds)
    print_table(args.index_dir, runs)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out / f"memory-{stamp}.json"
    out.write_text(json.dumps({"index": str(args.index_dir), "runs": runs}, indent=2) + "\n")
    print(f"\nFigures: {out}")


if __name__ == "__main__":
    main()
