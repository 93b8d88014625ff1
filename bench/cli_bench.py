"""Whole-process times of the ``blogsearch`` commands a user types, on a warm index.

Each command runs ``--runs`` times as a fresh process (after one untimed run that warms the
operating system's file cache); the median and best wall times are printed beside the
issue's targets, with CPU time (user + system) of the child, which other programs on a shared
machine do not inflate as they do wall time. Run from the repository root::

    python bench/cli_bench.py --index-dir INDEX [--runs 7] [--out bench/out]

INDEX must exist (``blogsearch index --index-dir INDEX SOURCE…``). The text query, the point
and the place name default to ones that fit the shared corpora; change them for another index.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

TARGETS_S = {"version": 0.15, "query": 0.25, "near-point": 0.25, "near-place": 0.35,
             "complete": 0.30}  # fmt: skip


# An installed program has its bytecode compiled; without it, every run compiles every module
# again (PYTHONDONTWRITEBYTECODE, set in some shells and CI, would time that instead).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def commands(args: argparse.Namespace) -> dict[str, list[str]]:
    """The commands timed, by name: what a user types, with the index given."""
    exe = args.blogsearch
    where = ["--index-dir", str(args.index_dir)]
    return {
        "version": [exe, "--version"],
        "query": [exe, "query", args.query, *where],
        "near-point": [exe, "near", *args.point.split(), *where],
        "near-place": [exe, "near", args.place, *where],
        "complete": [exe, "complete", args.prefix, *where],
    }


def run_once(argv: Sequence[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of the child, and its exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False,
                          env=CHILD_ENV)  # fmt: skip
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        print(f"  {' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-300:]}")
    return wall, cpu, done.returncode


def measure(argv: Sequence[str], runs: int) -> dict[str, float]:
    run_once(argv)  # warms the file cache (and Python's bytecode cache)
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu, _code = run_once(argv)
        walls.append(wall)
        cpus.append(cpu)
    return {"median_s": statistics.median(walls), "best_s": min(walls),
            "cpu_median_s": statistics.median(cpus)}  # fmt: skip


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--blogsearch", default=shutil.which("blogsearch") or "blogsearch")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--query", default="borrow checker")
    parser.add_argument("--point", default="48.8566 2.3522", help="LAT LON (default: Paris)")
    parser.add_argument("--place", default="Amsterdam")
    parser.add_argument("--prefix", default="rub")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if not args.index_dir.is_dir():
        sys.exit(f"Error: no index at {args.index_dir}")
    figures: dict[str, dict[str, float]] = {}
    print(f"{'command':<12} {'median s':>9} {'best s':>7} {'cpu s':>6} {'target s':>9}  met")
    for name, argv_ in commands(args).items():
        figures[name] = found = measure(argv_, args.runs)
        met = "yes" if found["median_s"] <= TARGETS_S[name] else "no"
        print(f"{name:<12} {found['median_s']:9.3f} {found['best_s']:7.3f}"
              f" {found['cpu_median_s']:6.3f} {TARGETS_S[name]:9.2f}  {met}")  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out / f"cli-{stamp}.json"
    report = {"started": stamp, "runs": args.runs, "cpu_count": os.cpu_count(),
              "commands": {k: " ".join(v) for k, v in commands(args).items()},
              "figures": figures, "targets_s": TARGETS_S}  # fmt: skip
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nFigures: {out}")
    print("Wall time of whole processes (median of the runs after one warm-up run); a shared")
    print("machine inflates wall time, the child's CPU time less so.")


if __name__ == "__main__":
    main()
