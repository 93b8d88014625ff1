"""Geographic search: our engine against SQLite's R*Tree (and plain Whoosh), on the same points.

For each point set (the real located posts of the shared corpora, then each ``--points``
count of located posts re-sampled from them) it builds the indexes and times the k=10 nearest
and a 50 km radius's 10 nearest with its total, at the same query points: a warm-up pass over
other points of the same mix, then one timed pass in which every distinct query point is
asked once of each engine, the engines taking turns query by query (their order rotating).
Our engine is timed twice: through the API (``ours-api``: ``Index.near`` and
``Index.search(near=..., radius_km=...)``, hits built) and at the level of its spatial index
(``ours-engine``: ``GeoIndex.nearest`` and ``within_radius``, docnums and distances). SQLite
is an R*Tree of points plus the exact haversine of each candidate, in the same process.
Answers at a sample of the query points are checked against a brute force over every point.
With ``--geo-cost`` it also measures what the geographic fields cost our index to build
(every post indexed with, then without, its location). It prints tables and writes every
figure to ``<out>/geo-<time>.json``.

Run from the repository root::

    python bench/geo_bench.py [--points 50000,200000] [--queries 500] [--out bench/out]
        [--reuse DIR] [--only real|resampled] [--plain-whoosh] [--geo-cost]

Indexes are built in a temporary folder outside the repository, or with ``--reuse DIR`` kept
in ``DIR/<point set>`` and reused by later runs (build times are then NaN, and the geo-field
build cost, which needs fresh builds, is skipped).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import corpus
import geo_report
from geo_engines import (
    Answer,
    BruteForce,
    Engine,
    Ours,
    OursEngine,
    PlainWhoosh,
    SqliteRtree,
    by_near_ties,
    points_of,
)
from geo_report import KINDS, Figures

from searcher.models import Post

K = 10
RADIUS_KM = 50.0
CHECKED = 50  # queries checked against brute force, per point set
TOLERANCE_KM = 2e-5  # our index stores points to 1e-7 degrees (about 1 cm per axis)
ENGINES = (Ours, OursEngine, SqliteRtree, PlainWhoosh)  # plain Whoosh with --plain-whoosh
GEO_COST_POSTS = 20_000  # the smaller re-sampled scale of the geo-field build cost
# Query points on purpose at the poles and the 180th meridian, besides random ones there.
EDGE_POINTS = [
    (90.0, 0.0),
    (-90.0, 0.0),
    (0.0, 180.0),
    (0.0, -180.0),
    (89.9995, 179.9995),
    (-89.99, -179.99),
    (52.0, 179.999),
    (-16.5, -179.95),
    (65.5, -180.0),
]
_STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


# -- points and queries ----------------------------------------------------------------------


@dataclass(frozen=True)
class PointSet:
    """Located posts to index, and how they were made."""

    name: str
    posts: list[Post]
    how: str

    @property
    def distinct(self) -> int:
        return len({(lat, lon) for lat, lon, _ in points_of(self.posts)})


@dataclass(frozen=True)
class QueryPoint:
    lat: float
    lon: float
    kind: str  # near-real, globe, pole, antimeridian, edge


def make_queries(
    real: Sequence[Post], count: int, seed: int, *, edges: bool = True
) -> list[QueryPoint]:
    """80% near a real point (jittered 1-20 km), 20% over the globe: uniform, near the poles,
    near the 180th meridian, and (``edges``) a few fixed points exactly on them; shuffled."""
    rng = random.Random(seed)
    points = [(lat, lon) for lat, lon, _ in points_of(real)]
    far = count - round(0.8 * count)
    fixed = EDGE_POINTS[: far // 2] if edges else []
    queries = [QueryPoint(lat, lon, "edge") for lat, lon in fixed]
    while len(queries) < far:
        lat, lon = corpus.uniform_point(rng)
        kind = rng.choice(("globe", "globe", "pole", "antimeridian"))
        if kind == "pole":
            lat = math.copysign(rng.uniform(85.0, 90.0), rng.random() - 0.5)
        elif kind == "antimeridian":
            lon = math.copysign(rng.uniform(178.0, 180.0), rng.random() - 0.5)
        queries.append(QueryPoint(round(lat, 6), round(lon, 6), kind))
    while len(queries) < count:
        lat, lon = corpus.jittered(rng, *rng.choice(points), (1.0, 20.0))
        queries.append(QueryPoint(round(lat, 6), round(lon, 6), "near-real"))
    rng.shuffle(queries)
    return queries


def checked_sample(queries: Sequence[QueryPoint], count: int) -> list[int]:
    """Indexes of the queries checked against brute force: every edge point, then evenly."""
    edges = [i for i, q in enumerate(queries) if q.kind == "edge"]
    step = max(1, len(queries) // max(1, count - len(edges)))
    rest = [i for i in range(0, len(queries), step) if i not in edges]
    return sorted(edges + rest[: max(0, count - len(edges))])


# -- one point set ---------------------------------------------------------------------------


def call(engine: Engine, kind: str, q: QueryPoint) -> Any:
    if kind == "nearest":
        return engine.nearest(q.lat, q.lon, K)
    return engine.within(q.lat, q.lon, RADIUS_KM)


def count_of(raw: Any, kind: str) -> int:
    """How many posts an answer found; for the API's radius page (its nearest 10), its total."""
    hits = getattr(raw, "hits", None)
    if hits is None:
        return len(raw)
    return len(hits) if kind == "nearest" else int(raw.total)


def build_all(
    points: PointSet, work: Path, reuse: bool = False, plain: bool = False
) -> tuple[list[Engine], dict[str, Figures]]:
    """Every engine built over the point set (or, with ``reuse``, the index a finished
    earlier build left in ``work``) and opened, with its build time (NaN if reused) and size."""
    work.mkdir(parents=True, exist_ok=True)
    ours = Ours()
    engines: list[Engine] = [ours, OursEngine(ours), SqliteRtree()]
    if plain:
        engines.append(PlainWhoosh())
    figures: dict[str, Figures] = {}
    for engine in engines:
        build_s = None
        if isinstance(engine, OursEngine):  # it opens the index ``ours`` built
            pass
        elif reuse and engine.attach(work):
            progress(f"  {engine.name}: reusing the index built earlier in {work}")
            build_s = math.nan
        else:
            progress(f"  {engine.name}: building")
            start = time.perf_counter()
            engine.build(points.posts, work)
            build_s = time.perf_counter() - start
        start = time.perf_counter()
        engine.open()
        open_ms = (time.perf_counter() - start) * 1000
        figures[engine.name] = Figures(engine.name, build_s, engine.size_bytes() / 1e6, open_ms)
        progress(f"  {engine.name}: {build_s or 0:.1f} s, {figures[engine.name].size_mb:.1f} MB")
    return engines, figures


def run_point_set(
    points: PointSet,
    queries: Sequence[QueryPoint],
    warmups: Sequence[QueryPoint],
    work: Path,
    reuse: bool = False,
    plain: bool = False,
) -> tuple[dict[str, Figures], list[dict[str, Any]]]:
    """Build (or reuse) every engine, then per kind: a warm-up pass, and a timed pass in which
    the engines take turns query by query (so load from elsewhere falls on all alike). Answers
    at the checked sample are compared with brute force as they come, outside the timed calls."""
    progress(f"{points.name}: {len(points.posts):,} located posts ({points.how})")
    engines, figures = build_all(points, work, reuse, plain)
    brute = BruteForce(points_of(points.posts))
    sample = set(checked_sample(queries, CHECKED))
    for kind in KINDS:
        progress(f"  {kind}: warm-up pass over {len(warmups)} other query points")
        for q in warmups:
            for engine in engines:
                call(engine, kind, q)
        progress(f"  {kind}: timed pass over {len(queries)}, {len(sample)} checked")
        for i, q in enumerate(queries):
            wants = brute_answers(brute, kind, q) if i in sample else None
            for engine in engines[i % len(engines) :] + engines[: i % len(engines)]:
                start = time.perf_counter()
                raw = call(engine, kind, q)
                elapsed_ms = (time.perf_counter() - start) * 1000
                fig = figures[engine.name]
                fig.times_ms[kind].append(round(elapsed_ms, 4))
                fig.results[kind].append(count_of(raw, kind))
                if wants is not None:
                    check(engine, fig, kind, q, raw, wants)
            if (i + 1) % 100 == 0:
                progress(f"    {i + 1} queries")
    slow = retime(geo_report.slowest(figures, queries), engines)
    for engine in engines:
        engine.close()
    return figures, slow


def retime(slow: list[dict[str, Any]], engines: Sequence[Engine]) -> list[dict[str, Any]]:
    """The slow queries timed again (best of two), with SQLite's: a blip, or slow every time?"""
    by_name = {e.name: e for e in engines}
    for s in slow:
        q = QueryPoint(s["lat"], s["lon"], s["query_kind"])
        for key, name in (("again_ms", s["engine"]), ("sqlite_again_ms", "sqlite-rtree")):
            times = []
            for _ in range(2):
                start = time.perf_counter()
                call(by_name[name], s["kind"], q)
                times.append((time.perf_counter() - start) * 1000)
            s[key] = min(times)
    return slow


def brute_answers(brute: BruteForce, kind: str, q: QueryPoint) -> tuple[Answer, Answer]:
    """The brute-force answer with ties only between equal distances, then with near ties
    (distances less than a micrometre apart, our engine's rule) also ordered by path."""
    if kind == "nearest":
        found = brute.nearest(q.lat, q.lon, K)
        return found[:K], by_near_ties(found)[:K]
    found = brute.within(q.lat, q.lon, RADIUS_KM)
    return found, by_near_ties(found)


def check(
    engine: Engine, fig: Figures, kind: str, q: QueryPoint, raw: Any, wants: tuple[Answer, Answer]
) -> None:
    """Record whether the answer's paths (in order), distances and count are the brute force's:
    exactly, or but for the order of near ties (counted apart), or not (a mismatch)."""
    got, found, expected = engine.answer(raw)[:K], count_of(raw, kind), len(wants[0])
    wants = (wants[0][:K], wants[1][:K])  # a radius's nearest 10, and its total
    for near_ties, want in enumerate(wants):
        delta = compare(got, want)
        if delta is not None and delta <= TOLERANCE_KM and found == expected:
            fig.max_delta_km = max(fig.max_delta_km, delta)
            fig.near_tie_orders += near_ties
            return
    fig.mismatches.append(mismatch(kind, q, got, wants[0], found, expected))


def compare(got: Answer, want: Answer) -> float | None:
    """The largest distance difference if the paths agree in order, else None."""
    if [p for _, p in got] != [p for _, p in want]:
        return None
    return max((abs(a - b) for (a, _), (b, _) in zip(got, want, strict=True)), default=0.0)


def mismatch(
    kind: str, q: QueryPoint, got: Answer, want: Answer, found: int, expected: int
) -> dict[str, Any]:
    pairs = enumerate(zip(got, want, strict=False))
    shorter = min(len(got), len(want)) if len(got) != len(want) else None
    first = next(
        (i for i, (g, w) in pairs if g[1] != w[1] or abs(g[0] - w[0]) > TOLERANCE_KM), shorter
    )
    return {
        "kind": kind,
        "lat": q.lat,
        "lon": q.lon,
        "query_kind": q.kind,
        "found": found,
        "expected": expected,
        "first_difference": first,
        "got": got[:K],
        "want": want[:K],
    }


# -- the build cost of the geographic fields -------------------------------------------------


def geo_cost(posts: Sequence[Post], name: str, work: Path, repeat: int) -> dict[str, Any]:
    """Our index built from ``posts`` with, then without, their locations (best of ``repeat``)."""
    progress(f"geo-field cost at {name}: {len(posts):,} posts with and without locations")
    bare = corpus.without_locations(posts)
    found: dict[str, Any] = {"name": name, "posts": len(posts), "repeat": repeat}
    for label, chosen in (("with", posts), ("without", bare)):
        times, size = [], 0
        for n in range(repeat):
            engine = Ours()
            start = time.perf_counter()
            engine.build(chosen, work / f"cost-{name}-{label}-{n}")
            times.append(time.perf_counter() - start)
            size = engine.size_bytes()
            shutil.rmtree(engine.dir, ignore_errors=True)
        found[f"{label}_s"], found[f"{label}_mb"] = min(times), size / 1e6
    found["geo_s"] = found["with_s"] - found["without_s"]
    found["geo_mb"] = found["with_mb"] - found["without_mb"]
    found["geo_ms_per_post"] = found["geo_s"] * 1000 / len(posts)
    found["geo_bytes_per_post"] = found["geo_mb"] * 1e6 / len(posts)
    return found


# -- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--points",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[50_000, 200_000],
        help="counts of located posts re-sampled from the real ones, one point set each"
        " (default: 50000,200000)",
    )
    parser.add_argument(
        "--plain-whoosh", action="store_true", help="time plain Whoosh too (slow to build)"
    )
    parser.add_argument(
        "--geo-cost", action="store_true", help="measure the build cost of the geo fields"
    )
    parser.add_argument("--queries", type=int, default=500, help="query points (default: 500)")
    parser.add_argument("--corpora", type=Path, default=corpus.DEFAULT_CORPORA)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument(
        "--full-text",
        action="store_true",
        help="re-sampled copies keep their body text (slow: ~4 ms a post)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where to build indexes (default: a temporary folder)",
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        default=None,
        help="keep indexes in DIR/<point set> and reuse those a finished build left there (no"
        " build times); skips the geo-field build cost. For timing query changes without"
        " rebuilding 200,000 posts",
    )
    parser.add_argument(
        "--only",
        choices=("real", "resampled"),
        default=None,
        help="run one point set only (default: both)",
    )
    return parser.parse_args(argv)


def point_sets(real: list[Post], args: argparse.Namespace) -> list[PointSet]:
    """The real located posts, then one re-sampled set per ``--points`` count."""
    located = corpus.located(real)
    sets = [PointSet("real", located, "the corpora's own, with full text, duplicates kept")]
    for count in args.points:
        copies = corpus.resample_located(real, count).posts
        if not args.full_text:
            copies = [replace(p, text="") for p in copies]
        how = (
            f"RE-SAMPLED with replacement from the {len(located)} real ones, seed {corpus.SEED}:"
            " the point of a random real post + Gaussian noise of 1-20 km, 10% uniform over the"
            " globe; "
            + ("full text" if args.full_text else "title, tags and address kept, body text dropped")
        )
        name = f"resampled-{count}" + ("-full-text" if args.full_text else "")
        sets.append(PointSet(name, copies, how))
    return sets


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if min(args.points) < K or args.queries < 10:
        sys.exit(f"Error: --points must be at least {K} and --queries at least 10")
    report: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": geo_report.machine(),
        "args": {k: str(v) for k, v in vars(args).items()},
        "k": K,
        "radius_km": RADIUS_KM,
        "api_radius_limit": Ours.RADIUS_LIMIT,
        "tolerance_km": TOLERANCE_KM,
        "engines": {e.name: (e.__doc__ or "").split("\n")[0] for e in ENGINES},
        "point_sets": [],
    }
    progress(f"reading posts from {args.corpora}")
    sets = point_sets(corpus.load(args.corpora).posts, args)
    queries = make_queries(sets[0].posts, args.queries, corpus.SEED + 2)
    warmups = make_queries(sets[0].posts, max(10, args.queries // 25), corpus.SEED + 3, edges=False)
    checked = checked_sample(queries, CHECKED)
    report["queries"] = [vars(q) for q in queries]
    report["checked_queries"] = checked
    report["warmup_queries"] = [vars(q) for q in warmups]
    reuse = args.reuse is not None
    work = args.reuse if reuse else Path(tempfile.mkdtemp(prefix="geo-bench-", dir=args.workdir))
    chosen = [s for s in sets if args.only is None or s.name.startswith(args.only)]
    done: list[tuple[str, dict[str, Figures], list[dict[str, Any]]]] = []
    verdicts: list[str] = []
    costs: list[dict[str, Any]] = []
    try:
        if args.geo_cost:
            costs.append(geo_cost(sets[0].posts, "real", work, repeat=3))
        for points in chosen:
            figures, slow = run_point_set(
                points, queries, warmups, work / points.name, reuse, args.plain_whoosh
            )
            if not reuse:
                shutil.rmtree(work / points.name, ignore_errors=True)
            title = (
                f"{points.name}: {len(points.posts):,} located posts, {points.distinct:,}"
                f" distinct points ({points.how})"
            )
            done.append((title, figures, slow))
            about = {
                "name": points.name,
                "how": points.how,
                "posts": len(points.posts),
                "distinct_points": points.distinct,
            }
            report["point_sets"].append(geo_report.set_report(about, figures, slow))
            verdicts += geo_report.verdict(figures, len(points.posts), len(checked))
        if args.geo_cost:
            small = sets[1].posts[:GEO_COST_POSTS]
            costs.append(geo_cost(small, f"resampled-{len(small)}", work, repeat=1))
    finally:
        if not reuse:
            shutil.rmtree(work, ignore_errors=True)
    report["geo_cost"] = costs
    report["machine"]["load_average_end"] = os.getloadavg()
    report["verdict"] = verdicts
    report["seconds"] = time.perf_counter() - _STARTED
    print_all(done, costs, report["verdict"], len(checked))
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"geo-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nFigures: {out} (whole run: {report['seconds'] / 60:.1f} min)")


def print_all(
    done: list[tuple[str, dict[str, Figures], list[dict[str, Any]]]],
    costs: list[dict[str, Any]],
    verdict: list[str],
    checked: int,
) -> None:
    for title, figures, slow in done:
        geo_report.print_point_set(title, figures)
        geo_report.print_slowest(slow)
        geo_report.print_mismatches(figures)
    if costs:
        geo_report.print_geo_cost(costs)
    print("\n" + "\n".join(verdict))
    print(
        f"\nLatency: one timed pass over the query points, each asked once of each engine"
        f" (engines take turns, their order rotating), after a warm-up pass over other points"
        f" of the same mix. ours-api is the public API, hits built: Index.near (k=10) and"
        f" Index.search(near=..., radius_km=50, limit={Ours.RADIUS_LIMIT}) (the nearest"
        f" {Ours.RADIUS_LIMIT} and the total); ours-engine is GeoIndex alone (docnums); the"
        f" others return every (km, path) within 50 km. 'wrong' counts answers, of {checked}"
        " query points x 2 kinds, that differ from brute force (paths in order, distances within"
        f" {TOLERANCE_KM * 1e5:.0f} cm, counts); 'ties~' those right but for the order of posts"
        " less than a micrometre apart, which our engine orders by path as ties."
    )


if __name__ == "__main__":
    main()
