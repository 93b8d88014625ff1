"""Tables, ratios, the verdict and the JSON report of ``geo_bench.py``."""

from __future__ import annotations

import math
import os
import platform
import sqlite3
import statistics
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import whoosh

KINDS = ("nearest", "radius")
OURS = ("ours-api", "ours-engine")
OTHERS = ("sqlite-rtree", "plain-whoosh")


class Located(Protocol):
    """A query point as the report reads it."""

    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...
    @property
    def kind(self) -> str: ...


@dataclass
class Figures:
    """One engine on one point set."""

    engine: str
    build_s: float | None
    size_mb: float
    open_ms: float
    times_ms: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    results: dict[str, list[int]] = field(default_factory=lambda: {k: [] for k in KINDS})
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    max_delta_km: float = 0.0
    near_tie_orders: int = 0  # answers right but for the order of distances < 1 µm apart

    def latency(self, kind: str) -> dict[str, float]:
        times = self.times_ms[kind]
        return {
            "median": statistics.median(times),
            "p95": percentile(times, 95),
            "mean": statistics.fmean(times),
            "max": max(times),
        }


def percentile(samples: Sequence[float], pct: int) -> float:
    if len(samples) < 2:
        return samples[0] if samples else math.nan
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def ratios(figures: dict[str, Figures]) -> dict[str, dict[str, float]]:
    found = {}
    for ours in OURS:
        for other in (name for name in OTHERS if name in figures):
            r = {}
            for kind in KINDS:
                mine, theirs = figures[ours].latency(kind), figures[other].latency(kind)
                r[f"{kind}_median"] = mine["median"] / theirs["median"]
                r[f"{kind}_p95"] = mine["p95"] / theirs["p95"]
            found[f"{ours}/{other}"] = r
    return found


def print_point_set(title: str, figures: dict[str, Figures]) -> None:
    print(f"\n== {title}")
    print(
        f"{'engine':<13} {'build s':>8} {'size MB':>8} {'open ms':>8} |"
        f" {'k=10 median ms':>14} {'p95':>7} | {'50 km median ms':>15} {'p95':>7}"
        f" {'found (median)':>14} | {'wrong':>5} {'ties~':>5}"
    )
    for f in figures.values():
        near, radius = f.latency("nearest"), f.latency("radius")
        build = f"{f.build_s:8.1f}" if f.build_s is not None else f"{'(same)':>8}"
        print(
            f"{f.engine:<13} {build} {f.size_mb:8.1f} {f.open_ms:8.0f} |"
            f" {near['median']:14.3f} {near['p95']:7.2f} | {radius['median']:15.3f}"
            f" {radius['p95']:7.2f} {statistics.median(f.results['radius']):14.0f} |"
            f" {len(f.mismatches):>5} {f.near_tie_orders:>5}"
        )
    for name, r in ratios(figures).items():
        print(
            f"{name:<26} k=10 median x{r['nearest_median']:.2f} p95 x{r['nearest_p95']:.2f}"
            f"   50 km median x{r['radius_median']:.2f} p95 x{r['radius_p95']:.2f}"
        )


def slowest(figures: dict[str, Figures], queries: Sequence[Located]) -> list[dict[str, Any]]:
    """Each engine's slowest query of each kind, and ours' worst against SQLite, with points."""
    found = []
    sqlite = figures["sqlite-rtree"]
    for f in figures.values():
        for kind in KINDS:
            times = np.array(f.times_ms[kind])
            picks = [("slowest", int(np.argmax(times)))]
            if f.engine in OURS:
                picks.append(("worst vs sqlite", int(np.argmax(times / sqlite.times_ms[kind]))))
            for why, i in picks:
                q = queries[i]
                found.append(
                    {
                        "why": why,
                        "engine": f.engine,
                        "kind": kind,
                        "ms": f.times_ms[kind][i],
                        "sqlite_ms": sqlite.times_ms[kind][i],
                        "lat": q.lat,
                        "lon": q.lon,
                        "query_kind": q.kind,
                        "found": f.results[kind][i],
                    }
                )
    return found


def print_slowest(found: list[dict[str, Any]]) -> None:
    print("slow queries:")
    for s in found:
        print(
            f"  {s['why']:<15} {s['engine']:<12} {s['kind']:<7} {s['ms']:8.2f} ms"
            f" (sqlite {s['sqlite_ms']:.2f}) at {s['lat']:.6f},{s['lon']:.6f}"
            f" ({s['query_kind']}, {s['found']} found); again: {s['again_ms']:.2f} ms"
            f" (sqlite {s['sqlite_again_ms']:.2f})"
        )


def print_mismatches(figures: dict[str, Figures]) -> None:
    for f in figures.values():
        for m in f.mismatches[:3]:
            print(
                f"  MISMATCH {f.engine} {m['kind']} at {m['lat']},{m['lon']}: found"
                f" {m['found']} expected {m['expected']}, first difference at"
                f" {m['first_difference']}: got {m['got'][:3]} want {m['want'][:3]}"
            )


def print_geo_cost(costs: list[dict[str, Any]]) -> None:
    print("\n== build cost of the geo fields (our index, every post with vs without its location)")
    print(
        f"{'posts':<28} {'with s':>7} {'without s':>9} {'geo s':>7} {'ms/post':>8} |"
        f" {'with MB':>8} {'without MB':>10} {'geo MB':>7} {'bytes/post':>10}"
    )
    for c in costs:
        print(
            f"{c['name']:<28} {c['with_s']:7.2f} {c['without_s']:9.2f} {c['geo_s']:7.2f}"
            f" {c['geo_ms_per_post']:8.3f} | {c['with_mb']:8.2f} {c['without_mb']:10.2f}"
            f" {c['geo_mb']:7.2f} {c['geo_bytes_per_post']:10.0f}"
        )


def verdict(figures: dict[str, Figures], posts: int, checked: int) -> list[str]:
    """The issue's target at one point set, stated plainly."""
    lines = []
    exact = all(not figures[n].mismatches for n in OURS)
    ties = sum(figures[n].near_tie_orders for n in OURS)
    lines.append(
        f"results identical to brute force ({checked} queries, k=10 and 50 km, {posts:,} posts): "
        f"{'MET' if exact else 'NOT MET'}"
        + (f" ({ties} answers right but for the order of near ties < 1 µm)" if ties else "")
    )
    for ours in OURS:
        for kind in KINDS:
            mine = figures[ours].latency(kind)["median"]
            theirs = figures["sqlite-rtree"].latency(kind)["median"]
            met = "MET" if mine <= theirs else "NOT MET"
            lines.append(
                f"{ours} median no slower than SQLite R*Tree, {kind}, "
                f"{posts:,} posts: {met} ({mine:.3f} vs {theirs:.3f} ms)"
            )
    return lines


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "whoosh": whoosh.versionstring(),
        "sqlite": sqlite3.sqlite_version,
        "numpy": np.__version__,
        "load_average": os.getloadavg(),
        "git": git_state(),
    }


def git_state() -> dict[str, Any]:
    """The commit measured, and files changed since (others may be editing ``searcher/``)."""
    root = Path(__file__).resolve().parents[1]

    def git(*words: str) -> str:
        done = subprocess.run(["git", *words], cwd=root, capture_output=True, text=True)
        return done.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "changed": git("status", "--short").splitlines()}


def set_report(
    about: dict[str, Any], figures: dict[str, Figures], slow: list[dict[str, Any]]
) -> dict[str, Any]:
    """The JSON of one point set: ``about`` it, then every engine's figures."""
    return {
        **about,
        "engines": {
            name: {
                "build_s": f.build_s,
                "size_mb": f.size_mb,
                "open_ms": f.open_ms,
                "latency_ms": {k: f.latency(k) for k in KINDS},
                "mismatches": f.mismatches,
                "max_delta_km": f.max_delta_km,
                "near_tie_orders": f.near_tie_orders,
                "times_ms": f.times_ms,
                "found": f.results,
            }
            for name, f in figures.items()
        },
        "ratios": ratios(figures),
        "slow_queries": slow,
    }
