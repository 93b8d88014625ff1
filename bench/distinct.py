"""Distinct queries: words drawn from the posts themselves, each asked once.

A search box mostly sees queries it has not seen before, so per-query caches do not serve
them. The queries here are one or two consecutive words of a random post's title or text,
lower-cased as people type them, drawn with a fixed seed; each is asked once of every engine,
the engines taking turns (and alternating who goes first) so load elsewhere falls on all alike.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from searcher.models import Post

SEED = 19
# Letters only (no digits, no underscore), 3 to 15 of them: words people type into a box.
_WORD = re.compile(r"[^\W\d_]{3,15}")


def draw(
    posts: Sequence[Post], count: int, seed: int = SEED, avoid: Sequence[str] = ()
) -> list[str]:
    """``count`` distinct one- and two-word queries (about half each) from ``posts``."""
    rng = random.Random(seed)
    seen = {q.lower() for q in avoid}
    queries: list[str] = []
    tries = 0
    while len(queries) < count and tries < count * 50:
        tries += 1
        post = posts[rng.randrange(len(posts))]
        source = post.title if rng.random() < 0.2 else post.text[:20_000]
        words = _WORD.findall(source)
        if not words:
            continue
        start = rng.randrange(len(words))
        size = 1 if rng.random() < 0.5 or start + 1 >= len(words) else 2
        text = " ".join(words[start : start + size]).lower()
        if text not in seen:
            seen.add(text)
            queries.append(text)
    return queries


@dataclass
class Timings:
    """Wall and CPU milliseconds of each query, once, for one engine."""

    engine: str
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        return {
            "median_ms": statistics.median(self.wall_ms),
            "p95_ms": percentile(self.wall_ms, 95),
            "cpu_median_ms": statistics.median(self.cpu_ms),
            "cpu_p95_ms": percentile(self.cpu_ms, 95),
        }


def percentile(samples: Sequence[float], pct: int) -> float:
    if len(samples) < 2:
        return samples[0] if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def measure(engines: dict[str, Callable[[str], Any]], queries: Sequence[str]) -> dict[str, Timings]:
    """Each query once per engine, engines interleaved query by query, first mover rotating."""
    names = list(engines)
    found = {name: Timings(name) for name in names}
    for i, text in enumerate(queries):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            start, cpu = time.perf_counter(), time.process_time()
            try:
                engines[name](text)
            except Exception as exc:  # one failure must not end the run
                found[name].failed.append(f"{text!r}: {type(exc).__name__}: {exc}")
                continue
            found[name].wall_ms.append((time.perf_counter() - start) * 1000)
            found[name].cpu_ms.append((time.process_time() - cpu) * 1000)
    return found


def report(found: dict[str, Timings], queries: int) -> dict[str, Any]:
    """Print one line per engine and ours/other ratios; return the figures."""
    print(f"\n-- distinct queries: {queries} drawn from the posts, each asked once")
    print(f"{'engine':<13} {'median ms':>10} {'p95 ms':>8} {'cpu median':>11} {'cpu p95':>8}")
    summaries = {name: t.summary() for name, t in found.items() if t.wall_ms}
    for name, s in summaries.items():
        print(
            f"{name:<13} {s['median_ms']:10.2f} {s['p95_ms']:8.2f}"
            f" {s['cpu_median_ms']:11.2f} {s['cpu_p95_ms']:8.2f}"
        )
    ratios: dict[str, dict[str, float]] = {}
    ours = summaries.get("ours")
    for name, s in summaries.items():
        if ours is None or name == "ours":
            continue
        r = {key: ours[key] / s[key] for key in s}
        ratios[f"ours/{name}"] = r
        print(
            f"ours/{name:<20} median x{r['median_ms']:.2f}  p95 x{r['p95_ms']:.2f}"
            f"  cpu median x{r['cpu_median_ms']:.2f}  cpu p95 x{r['cpu_p95_ms']:.2f}"
        )
    for t in found.values():
        for failure in t.failed[:5]:
            print(f"{t.engine} failed {failure}")
    return {"queries": queries, "engines": summaries, "ratios": ratios}
