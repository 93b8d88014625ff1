"""A sharded index on Dask (two worker processes) against one index, on the same posts.

Re-samples ``--posts`` post files from the shared corpora (seed 42, as bench/corpus.py does),
then times ``blogsearch index`` both ways: one index (the indexer's own reading processes),
and ``--shards`` shards built as Dask tasks on a local cluster of two single-threaded
worker processes (the cluster's start-up is timed apart). Then it times requests of every
kind against both, checks that the answers are the same (pages, order, totals, facets and
scores within 1e-9), and writes every figure to ``<out>/shard-<time>.json``.

Run from the repository root::

    python bench/shard_bench.py [--posts 60000] [--shards 2] [--repeat 5] [--out bench/out]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import corpus

from searcher import shards
from searcher.api import open_index
from searcher.indexing import indexer
from searcher.models import Results

REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("word", {"text": "release"}),
    ("two words", {"text": "async await"}),
    ("three words", {"text": "ruby 2.7 released"}),
    ("phrase", {"text": '"denial of service"'}),
    ("boolean", {"text": "security AND NOT ruby"}),
    ("page 5", {"text": "release", "page": 5}),
    ("facets", {"text": "security", "facets": True}),
    ("tag filter", {"text": "release", "tags": ["release"]}),
    ("date sort", {"text": "rust", "sort": "date"}),
    ("typo", {"text": "secrity relase"}),
    ("near", {"near": (52.37, 4.89)}),
    ("radius", {"near": (52.37, 4.89), "radius_km": 50}),
    ("text near", {"text": "conference", "near": (52.37, 4.89), "sort": "distance"}),
    ("bbox", {"bbox": "45,-10,55,10", "sort": "date"}),
]


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    work = args.reuse or Path(tempfile.mkdtemp(prefix="blogsearch-shards-"))
    try:
        report = run(args, work)
    finally:
        if args.reuse is None:
            shutil.rmtree(work, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = args.out / f"shard-{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print_report(report)
    print(f"\nfigures written to {path}")


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from distributed import LocalCluster

    source = work / "posts"
    if not source.is_dir():
        print(f"re-sampling {args.posts} post files …", file=sys.stderr)
        corpus.resample_files(source, args.posts, corpora_dir=args.corpora)
    single_dir, sharded_dir = work / "single", work / "sharded"

    started = time.perf_counter()
    built = indexer.build([source], single_dir)
    single_s = time.perf_counter() - started
    print(f"single index: {built.indexed} posts in {single_s:.1f} s", file=sys.stderr)

    started = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address="127.0.0.1:0")  # fmt: skip
    cluster_s = time.perf_counter() - started
    try:
        started = time.perf_counter()
        sharded_report = shards.build([source], sharded_dir, shards=args.shards,
                                      scheduler=cluster.scheduler_address)  # fmt: skip
        sharded_s = time.perf_counter() - started
        print(f"{args.shards} shards: {sharded_report.indexed} posts in {sharded_s:.1f} s",
              file=sys.stderr)  # fmt: skip
        started = time.perf_counter()
        sharded = open_index(sharded_dir, scheduler=cluster.scheduler_address)
        open_s = time.perf_counter() - started
        single = open_index(single_dir)
        try:
            queries = time_requests(single, sharded, args.repeat)
        finally:
            sharded.close()
            single.close()
    finally:
        cluster.close()
    return {
        "posts": built.indexed,
        "shards": args.shards,
        "workers": 2,
        "machine": machine(),
        "build_s": {"single": single_s, "sharded": sharded_s, "cluster_start": cluster_s},
        "open_sharded_s": open_s,
        "requests": queries,
    }


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "load_average": os.getloadavg()}  # fmt: skip


def time_requests(single: Any, sharded: Any, repeat: int) -> list[dict[str, Any]]:
    """Median and worst of ``repeat`` timed rounds per request (after one warm-up), and
    whether the two answers are the same."""
    figures = []
    for name, request in REQUESTS:
        one, other = single.search(**request), sharded.search(**request)  # warm-up
        times: dict[str, list[float]] = {"single": [], "sharded": []}
        for _ in range(repeat):
            for label, index in (("single", single), ("sharded", sharded)):
                started = time.perf_counter()
                index.search(**request)
                times[label].append((time.perf_counter() - started) * 1000)
        figures.append({
            "request": name,
            "total": one.total,
            "same": same(one, other),
            **{f"{label}_ms": statistics.median(ts) for label, ts in times.items()},
            **{f"{label}_max_ms": max(ts) for label, ts in times.items()},
        })  # fmt: skip
    return figures


def same(one: Results, other: Results) -> bool:
    """Same page, order, totals, facets and suggestion; scores equal within 1e-9."""
    if [h.path for h in one.hits] != [h.path for h in other.hits]:
        return False
    if (one.total, one.facets, one.suggestion) != (other.total, other.facets, other.suggestion):
        return False
    return all(math.isclose(a.score, b.score, rel_tol=1e-9, abs_tol=1e-12)
               for a, b in zip(one.hits, other.hits, strict=True))  # fmt: skip


def print_report(report: dict[str, Any]) -> None:
    build = report["build_s"]
    print(f"\n{report['posts']} posts, {report['shards']} shards on {report['workers']} Dask "
          f"worker processes, {report['machine']['cpus']} CPUs")  # fmt: skip
    print(f"build: single {build['single']:.1f} s, sharded {build['sharded']:.1f} s "
          f"(+ {build['cluster_start']:.1f} s cluster start); sharded open "
          f"{report['open_sharded_s']:.2f} s")  # fmt: skip
    print(f"\n{'request':<14} {'total':>7} {'single ms':>10} {'sharded ms':>11} {'same':>5}")
    for row in report["requests"]:
        print(f"{row['request']:<14} {row['total']:>7} {row['single_ms']:>10.1f} "
              f"{row['sharded_ms']:>11.1f} {'yes' if row['same'] else 'NO':>5}")  # fmt: skip


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--posts", type=int, default=60_000, help="posts re-sampled (60000)")
    parser.add_argument("--shards", type=int, default=2, help="shards (default: 2)")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (default: 5)")
    parser.add_argument("--corpora", type=Path, default=corpus.DEFAULT_CORPORA)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument(
        "--reuse", type=Path, help="keep posts and indexes in this folder, and reuse them "
        "(an index found up to date is timed as a no-op update)",
    )  # fmt: skip
    return parser.parse_args(argv)


if __name__ == "__main__":
    main()
