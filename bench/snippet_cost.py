"""What snippets cost a first-time query: CPU in ``snippets.build`` (and in making a post's
snippet source) per query, beside the query's whole CPU; and where the rest of a page goes,
stage by stage (parsing, scoring, the fallbacks, reading stored posts, snippets, making hits,
``to_dict``, the cyclic garbage collector's passes), each stage's CPU inclusive of the
stages it calls.

Draws distinct one- and two-word queries from the posts an index holds (``distinct.draw``,
as ``same_results.py`` does), asks each once through ``Index.search`` and times, with
``time.process_time_ns``, the whole query and the snippet work inside it. Run it on the same
index for two versions (the old one from its own checkout) to compare them::

    PYTHONPATH=/tmp/before python bench/snippet_cost.py INDEX      # cwd=/tmp/before
    python bench/snippet_cost.py INDEX [--profile]

The machine's load falls on both versions alike only if they run at about the same time:
run them in turn, more than once.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import pstats
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import distinct
from same_results import EXTRA, stored_posts

from searcher.api import open_index
from searcher.indexing import records
from searcher.search import generation, hits, query, snippets

# (label, owner, attribute): the stages of a page whose CPU is metered, each inclusive
STAGES = (
    ("parse", query.QueryParser, "parse"),
    ("score", generation.Generation, "_top"),
    ("rank + fallbacks", generation, "relevance_page"),
    ("hits", generation.Generation, "_results"),
    ("  stored post", hits._Documents, "get"),
    ("  snippet", snippets, "build"),
    ("  make_hit", hits, "make_hit"),
)


class Meter:
    """CPU nanoseconds spent inside the wrapped functions (outermost calls only)."""

    def __init__(self, profiler: cProfile.Profile | None = None) -> None:
        self.spent = 0
        self.calls = 0  # outermost calls, never reset
        self._depth = 0
        self.profiler = profiler  # enabled inside the wrapped functions only

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth:
                return fn(*args, **kwargs)
            self._depth += 1
            self.calls += 1
            if self.profiler is not None:
                self.profiler.enable()
            start = time.process_time_ns()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent += time.process_time_ns() - start
                if self.profiler is not None:
                    self.profiler.disable()
                self._depth -= 1

        return timed


def run(index_dir: Path, count: int, profile: str | None) -> None:
    posts = stored_posts(index_dir)
    queries = distinct.draw(posts, count) + EXTRA
    profiler = cProfile.Profile() if profile else None
    meter = Meter(profiler if profile == "snippets" else None)
    snippets.build = meter.wrap(snippets.build)  # type: ignore[method-assign]
    sources = Meter(profiler if profile == "snippets" else None)
    records.flat_text = sources.wrap(records.flat_text)  # a hit's snippet source
    stages = {label: Meter() for label, _, _ in STAGES}
    for label, owner, name in STAGES:
        if label.strip() != "snippet":  # metered above
            setattr(owner, name, stages[label].wrap(getattr(owner, name)))
    stages["  snippet"] = meter
    index = open_index(index_dir, audience="owner")
    index.search("warm up the generation", limit=10)
    whole: list[float] = []
    snip: list[float] = []
    made: list[float] = []
    spent: dict[str, list[float]] = {label: [] for label in (*stages, "to_dict", "collector")}
    collector = _Collector()
    gc.callbacks.append(collector)
    for text in queries:
        for m in (*stages.values(), sources):
            m.spent = 0
        collector.spent = 0
        start = time.process_time_ns()
        if profile == "whole" and profiler is not None:
            profiler.enable()
        results = index.search(text, limit=10)
        if profile == "whole" and profiler is not None:
            profiler.disable()
        whole.append((time.process_time_ns() - start) / 1e6)
        start = time.process_time_ns()
        results.to_dict()
        spent["to_dict"].append((time.process_time_ns() - start) / 1e6)
        spent["collector"].append(collector.spent / 1e6)  # within the query, to_dict or not
        snip.append((meter.spent + sources.spent) / 1e6)
        made.append(sources.spent / 1e6)
        for label, m in stages.items():
            spent[label].append(m.spent / 1e6)
    print(f"{len(queries)} queries, CPU ms per query: whole median {statistics.median(whole):.3f}"
          f" mean {statistics.mean(whole):.3f}; snippets median {statistics.median(snip):.3f}"
          f" mean {statistics.mean(snip):.3f} p95 {_p95(snip):.3f}"
          f" ({100 * sum(snip) / sum(whole):.1f} % of the whole), of which sources"
          f" (records.flat_text) mean {statistics.mean(made):.3f}; {meter.calls} snippets,"
          f" CPU us per snippet (sources in)"
          f" {1000 * sum(snip) / max(meter.calls, 1):.1f}")  # fmt: skip
    print("stage (CPU ms per query, inclusive)  median   mean    p95")
    for label, samples in spent.items():
        print(f"{label:<35} {statistics.median(samples):7.3f} {statistics.mean(samples):6.3f}"
              f" {_p95(samples):6.3f}")  # fmt: skip
    if profiler is not None:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(25)


class _Collector:
    """CPU nanoseconds the cyclic garbage collector spends (a ``gc.callbacks`` entry)."""

    def __init__(self) -> None:
        self.spent = 0
        self._start = 0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.process_time_ns()
        else:
            self.spent += time.process_time_ns() - self._start


def _p95(samples: Sequence[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[94]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument(
        "--profile", choices=("whole", "snippets"), help="cProfile the queries, or their snippets"
    )
    args = parser.parse_args(argv)
    run(args.index_dir, args.count, args.profile)


if __name__ == "__main__":
    main()
