"""Our index against SQLite FTS5 and plain Whoosh, on the same posts, in one run.

For each scale (the real corpora, and a larger set re-sampled from them) it builds the three
indexes, then times the queries below: top 10 hits with snippets, one warm-up round, then
``--repeat`` rounds in which the engines take turns query by query. It prints a table and
writes every figure to ``<out>/search-<time>.json``.

Run from the repository root::

    python bench/search_bench.py [--scale 0 60000] [--corpora ../shared/corpora] [--out bench/out]

Beside those repeated queries, the distinct-query mode (``--distinct N``, 400 by default)
asks N one- and two-word queries drawn from the posts, each once, of ours and SQLite FTS5
in turn (see ``distinct.py``): what a search box sees, with no per-query cache to serve it.

``--scale 0`` means the real posts as they are; any other N is N posts re-sampled with
replacement from them (seed 42). Indexes are built in a temporary folder outside the repository.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import corpus
import distinct
import whoosh
from whoosh import fields, index, qparser, scoring
from whoosh.analysis import StemmingAnalyzer

from searcher.indexing import indexer, ondisk
from searcher.models import Post

try:
    from searcher import open_index
except ImportError:  # not yet re-exported by the package
    from searcher.api import open_index

QUERIES: list[str] = [
    "release",
    "webassembly",
    "async await",
    "borrow checker",
    "cargo registry",
    "rust 2018 edition",
    '"denial of service"',
    "CVE-2013-4164",
    "rubygems security",
    "ruby 2.7 released",
    "sécurité",
    "脆弱性",
    "уязвимость",
    "veröffentlicht",
    "cloud paris",
    "petals esb",
    "oauth2 server",
    "hateoas",
    "webdav",
    "ruby on rails",
]
DEFAULT_SCALES = (0, 60_000)
LIMIT = 10
BOOSTS = {"title": 3.0, "tags": 2.0, "body": 1.0}
_STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


# -- engines ---------------------------------------------------------------------------------

Hits = list[tuple[str, str, str]]  # (path, title, snippet HTML) of the top hits


class Engine(Protocol):
    name: str

    def attach(self, posts: Sequence[Post], where: Path) -> bool: ...
    def build(self, posts: Sequence[Post], where: Path) -> None: ...
    def open(self) -> None: ...
    def search(self, text: str) -> Hits: ...
    def count(self, text: str) -> int: ...
    def size_bytes(self) -> int: ...
    def close(self) -> None: ...


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


class Ours:
    """blogsearch: ``indexer.write`` to build, ``open_index(...).search`` (snippets included)."""

    name = "ours"

    def attach(self, posts: Sequence[Post], where: Path) -> bool:
        """Whether this version's index is there to reuse (an older version's is rebuilt)."""
        self.dir = where / "ours"
        return self.dir.is_dir() and not ondisk.older_versions(self.dir)

    def build(self, posts: Sequence[Post], where: Path) -> None:
        self.attach(posts, where)
        if ondisk.older_versions(self.dir):
            shutil.rmtree(self.dir)
        indexer.write(posts, self.dir)

    def open(self) -> None:
        self.index = open_index(self.dir, audience="owner")

    def search(self, text: str) -> Hits:
        results = self.index.search(text, limit=LIMIT)
        return [(h.path, h.title, h.snippet) for h in results.hits]

    def count(self, text: str) -> int:
        return self.index.search(text, limit=1).total

    def size_bytes(self) -> int:
        return folder_bytes(self.dir)

    def close(self) -> None:
        self.index.close()


class Fts5:
    """SQLite FTS5, unicode61 with diacritics removed; bm25 weighted 3/2/1 as the rank."""

    name = "sqlite-fts5"
    SELECT = (
        "SELECT rowid, title, snippet(t, 2, '<mark>', '</mark>', '…', 24) FROM t "
        "WHERE t MATCH ? ORDER BY rank LIMIT ?"
    )

    def attach(self, posts: Sequence[Post], where: Path) -> bool:
        self.file = where / "fts5.sqlite"
        self.paths = [p.path for p in posts]
        return self.file.is_file()

    def build(self, posts: Sequence[Post], where: Path) -> None:
        self.attach(posts, where)
        db = sqlite3.connect(self.file)
        with db:
            db.execute(
                "CREATE VIRTUAL TABLE t USING fts5(title, tags, body, "
                "tokenize = 'unicode61 remove_diacritics 2')"
            )
            db.execute("INSERT INTO t(t, rank) VALUES('rank', 'bm25(3.0, 2.0, 1.0)')")
            rows = ((p.title, ", ".join(p.tags + p.categories), p.text) for p in posts)
            db.executemany("INSERT INTO t(title, tags, body) VALUES (?, ?, ?)", rows)
            db.execute("INSERT INTO t(t) VALUES('optimize')")
        db.close()

    def open(self) -> None:
        self.db = sqlite3.connect(self.file)

    def search(self, text: str) -> Hits:
        rows = self.db.execute(self.SELECT, (fts5_query(text), LIMIT)).fetchall()
        return [(self.paths[rowid - 1], title, snippet) for rowid, title, snippet in rows]

    def count(self, text: str) -> int:
        sql = "SELECT count(*) FROM t WHERE t MATCH ?"
        return int(self.db.execute(sql, (fts5_query(text),)).fetchone()[0])

    def size_bytes(self) -> int:
        return self.file.stat().st_size

    def close(self) -> None:
        self.db.close()


def fts5_query(text: str) -> str:
    """Benchmark query → FTS5: every bare word and phrase a quoted string, ANDed together.

    >>> fts5_query('CVE-2013-4164 "denial of service"')
    '"CVE-2013-4164" "denial of service"'
    """
    parts = re.findall(r'"([^"]*)"|(\S+)', text)
    strings = [phrase or word for phrase, word in parts if (phrase or word).strip()]
    return " ".join('"' + s.replace('"', '""') + '"' for s in strings)


class PlainWhoosh:
    """What a Whoosh user writes first: stemmed title and body, keyword tags, BM25F, 3/2/1."""

    name = "plain-whoosh"

    def attach(self, posts: Sequence[Post], where: Path) -> bool:
        self.dir = where / "plain-whoosh"
        return self.dir.is_dir()

    def build(self, posts: Sequence[Post], where: Path) -> None:
        self.attach(posts, where)
        self.dir.mkdir(parents=True)
        schema = fields.Schema(
            path=fields.ID(stored=True, unique=True),
            title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
            # Tags may hold spaces ("Rust 2018"): comma-separated, lower-cased to meet queries.
            tags=fields.KEYWORD(lowercase=True, commas=True, scorable=True),
            body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
        )
        ix = index.create_in(str(self.dir), schema)
        writer = ix.writer(limitmb=256)
        for p in posts:
            tags = ",".join(p.tags + p.categories)
            writer.add_document(path=p.path, title=p.title, tags=tags, body=p.text)
        writer.commit()

    def open(self) -> None:
        ix = index.open_dir(str(self.dir))
        self.searcher = ix.searcher(weighting=scoring.BM25F())
        self.parser = qparser.MultifieldParser(list(BOOSTS), ix.schema, fieldboosts=BOOSTS)

    def search(self, text: str) -> Hits:
        results = self.searcher.search(self.parser.parse(text), limit=LIMIT)
        return [(h["path"], h["title"], h.highlights("body")) for h in results]

    def count(self, text: str) -> int:
        return len(self.searcher.search(self.parser.parse(text), limit=1))

    def size_bytes(self) -> int:
        return folder_bytes(self.dir)

    def close(self) -> None:
        self.searcher.close()


# -- measuring -------------------------------------------------------------------------------


@dataclass
class QueryFigures:
    """One query on one engine: timed runs, and what the top hits looked like."""

    query: str
    times_ms: list[float] = field(default_factory=list)
    # CPU time of this process: on a shared machine, wall time also counts other programs'
    cpu_ms: list[float] = field(default_factory=list)
    first_ms: float | None = None  # the first run, before any cache of the engine's is warm
    total: int | None = None
    marked: int = 0  # top hits whose snippet highlights something
    top: str | None = None
    error: str | None = None

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.times_ms) if self.times_ms else None


@dataclass
class EngineFigures:
    engine: str
    posts: int
    build_s: float
    size_mb: float
    open_ms: float
    queries: list[QueryFigures]
    # Latency is summed up over the queries every engine answered, so that ratios compare alike.
    compared: list[str] = field(default_factory=list)

    @property
    def posts_per_s(self) -> float:
        return self.posts / self.build_s

    @property
    def samples(self) -> list[float]:
        return [t for q in self.queries if q.query in self.compared for t in q.times_ms]

    @property
    def cpu_samples(self) -> list[float]:
        return [t for q in self.queries if q.query in self.compared for t in q.cpu_ms]

    @property
    def first_median_ms(self) -> float:
        firsts = [q.first_ms for q in self.queries if q.query in self.compared and q.first_ms]
        return statistics.median(firsts) if firsts else math.nan

    @property
    def cpu_median_ms(self) -> float:
        return statistics.median(self.cpu_samples) if self.cpu_samples else math.nan

    @property
    def cpu_p95_ms(self) -> float:
        return percentile(self.cpu_samples, 95)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) if self.samples else math.nan

    @property
    def p95_ms(self) -> float:
        return percentile(self.samples, 95)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["queries"] = [{**asdict(q), "median_ms": q.median_ms} for q in self.queries]
        extra = {
            "posts_per_s": self.posts_per_s,
            "median_ms": self.median_ms,
            "p95_ms": self.p95_ms,
            "cpu_median_ms": self.cpu_median_ms,
            "first_median_ms": self.first_median_ms,
            "cpu_p95_ms": self.cpu_p95_ms,
        }
        return {**data, **extra}


def percentile(samples: Sequence[float], pct: int) -> float:
    if len(samples) < 2:
        return samples[0] if samples else math.nan
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def prepare(
    engine: Engine, posts: Sequence[Post], where: Path, reuse: bool = False
) -> EngineFigures:
    """Build (or reuse) and open one engine. A reused index has no build time (NaN)."""
    if reuse and engine.attach(posts, where):
        progress(f"  {engine.name}: reusing the index built earlier in {where}")
        build_s = math.nan
    else:
        progress(f"  {engine.name}: building {len(posts):,} posts")
        start = time.perf_counter()
        engine.build(posts, where)
        build_s = time.perf_counter() - start
    size_mb = engine.size_bytes() / 1e6
    progress(f"  {engine.name}: built in {build_s:.1f} s, {size_mb:.1f} MB")
    start = time.perf_counter()
    engine.open()
    open_ms = (time.perf_counter() - start) * 1000
    figures = [QueryFigures(q) for q in QUERIES]
    return EngineFigures(engine.name, len(posts), build_s, size_mb, open_ms, figures)


def measure(engines: Sequence[Engine], figures: Sequence[EngineFigures], repeat: int) -> None:
    """A warm-up round, then ``repeat`` timed rounds in which the engines take turns query by
    query, so that a burst of load elsewhere on the machine falls on all of them alike; then
    every match is counted."""
    progress(f"  querying: 1 warm-up round and {repeat} timed rounds, engines taking turns")
    for round_no in range(repeat + 1):
        for i in range(len(QUERIES)):
            for engine, engine_figures in zip(engines, figures, strict=True):
                fig = engine_figures.queries[i]
                if fig.error is None:
                    run_query(engine, fig, timed=round_no > 0)
    for engine, engine_figures in zip(engines, figures, strict=True):
        for fig in engine_figures.queries:
            if fig.error is None:
                fig.total = engine.count(fig.query)


def run_query(engine: Engine, fig: QueryFigures, *, timed: bool) -> None:
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        hits = engine.search(fig.query)
    except Exception as exc:  # one engine failing one query must not end the run
        fig.error = f"{type(exc).__name__}: {exc}"
        progress(f"  {engine.name}: {fig.query!r} failed: {fig.error}")
        return
    elapsed_ms = (time.perf_counter() - start) * 1000
    cpu_ms = (time.process_time() - cpu_start) * 1000
    if timed:
        fig.times_ms.append(round(elapsed_ms, 3))
        fig.cpu_ms.append(round(cpu_ms, 3))
    else:  # the warm-up round: each query's first run on a freshly opened index
        fig.first_ms = round(elapsed_ms, 3)
        fig.marked = sum("<mark>" in s or 'class="match' in s for _, _, s in hits)
        fig.top = hits[0][1] if hits else None


# -- reporting -------------------------------------------------------------------------------


def ratios(figures: dict[str, EngineFigures]) -> dict[str, dict[str, float]]:
    ours = figures["ours"]
    found = {}
    for other in ("sqlite-fts5", "plain-whoosh"):
        them = figures[other]
        found[f"ours/{other}"] = {
            "median": ours.median_ms / them.median_ms,
            "p95": ours.p95_ms / them.p95_ms,
            "cpu_median": ours.cpu_median_ms / them.cpu_median_ms,
            "first_median": ours.first_median_ms / them.first_median_ms,
            "cpu_p95": ours.cpu_p95_ms / them.cpu_p95_ms,
            "build_s": ours.build_s / them.build_s,
            "size_mb": ours.size_mb / them.size_mb,
        }
    return found


def print_scale(label: str, figures: dict[str, EngineFigures], verbose: bool) -> None:
    print(f"\n== {label}")
    print(
        f"{'engine':<13} {'build s':>8} {'posts/s':>8} {'size MB':>8} {'open ms':>8}"
        f" {'median ms':>10} {'p95 ms':>8} {'cpu median':>11} {'cpu p95':>8} {'1st run':>8}"
    )
    for f in figures.values():
        print(
            f"{f.engine:<13} {f.build_s:8.1f} {f.posts_per_s:8.0f} {f.size_mb:8.1f}"
            f" {f.open_ms:8.0f} {f.median_ms:10.2f} {f.p95_ms:8.2f}"
            f" {f.cpu_median_ms:11.2f} {f.cpu_p95_ms:8.2f} {f.first_median_ms:8.2f}"
        )
    for name, r in ratios(figures).items():
        print(
            f"{name:<25} median x{r['median']:.2f}  p95 x{r['p95']:.2f}"
            f"  cpu median x{r['cpu_median']:.2f}  cpu p95 x{r['cpu_p95']:.2f}"
            f"  1st run x{r['first_median']:.2f}"
            f"  build x{r['build_s']:.2f}  size x{r['size_mb']:.2f}"
        )
    for f in figures.values():
        for q in f.queries:
            if q.error:
                print(
                    f"{f.engine} failed {q.query!r} (left out of every latency figure): {q.error}"
                )
    if verbose:
        print_queries(figures)


def print_queries(figures: dict[str, EngineFigures]) -> None:
    """Per query and engine: median ms, matching posts, top hits with a highlight (of 10)."""
    print("\nPer query: median wall ms / posts matched / top hits with a highlighted snippet")
    names = list(figures)
    print(f"{'query':<22}" + "".join(f"{name:>30}" for name in names))
    for i, text in enumerate(QUERIES):
        cells = []
        for name in names:
            q = figures[name].queries[i]
            if q.error or q.median_ms is None:
                cells.append(f"{'error':>30}")
            else:
                cells.append(f"{q.median_ms:14.2f} {q.total:>9} {q.marked:>5}")
        print(pad(text, 22) + "".join(cells))


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (CJK characters take two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "whoosh": whoosh.versionstring(),
        "sqlite": sqlite3.sqlite_version,
    }


# -- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--scale",
        type=int,
        nargs="+",
        default=list(DEFAULT_SCALES),
        help="0 for the real corpora, N for N re-sampled posts (default: 0 60000)",
    )
    parser.add_argument("--corpora", type=Path, default=corpus.DEFAULT_CORPORA)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (default: 5)")
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
        help="keep indexes in DIR/<scale> and reuse those already there (no build times); "
        "for timing query changes without rebuilding 60,000 posts",
    )
    parser.add_argument(
        "--distinct",
        type=int,
        default=400,
        help="queries drawn from the posts, each asked once (default: 400; 0: none)",
    )
    parser.add_argument("--verbose", action="store_true", help="per-query medians and totals")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.repeat < 1 or any(n < 0 for n in args.scale):
        sys.exit("Error: --repeat must be 1 or more and --scale 0 or more")
    progress(f"reading posts from {args.corpora}")
    start = time.perf_counter()
    real = corpus.load(args.corpora)
    ingest_s = time.perf_counter() - start
    progress(f"read {len(real.posts):,} posts in {ingest_s:.1f} s")
    report: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "queries": QUERIES,
        "repeat": args.repeat,
        "limit": LIMIT,
        "corpora": str(args.corpora),
        "ingest_s": ingest_s,
        "scales": [],
    }
    for n in args.scale:
        chosen = real if n == 0 else corpus.resample(real.posts, n)
        report["scales"].append(run_scale(chosen, args))
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out / f"search-{stamp}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nFigures: {out}")
    print("Latency: top 10 hits with snippets; median and p95 over every timed run of every")
    print("query all three engines answered. Ours also counts every match (Results.total).")
    print("cpu: this process's CPU time per query, which other programs on a shared machine")
    print("do not inflate as they do wall time (all three engines run in this process).")
    print("1st run: median over the queries of each one's first (warm-up) run, before the")
    print("engine's caches hold it. Ours keeps, per index generation: decoded postings, term")
    print("scores, each query word's scored forms, parsed queries and the stored fields of")
    print("shown posts (as Solr's queryResultCache and documentCache do), and where each query")
    print("word occurs in each shown post (a term vector built on first use, as Lucene stores")
    print("them at index time); each hit's passages are still chosen and marked up anew. The")
    print("timed rounds repeat the queries, so these caches serve them.")


def run_scale(chosen: corpus.Corpus, args: argparse.Namespace) -> dict[str, Any]:
    how = "RE-SAMPLED with replacement from the real posts, seed 42" if chosen.resampled else "real"
    label = f"{chosen.name}: {len(chosen.posts):,} posts ({how}), {chosen.text_mb:.0f} MB of text"
    progress(label)
    figures: dict[str, EngineFigures] = {}
    if args.reuse is not None:
        work = args.reuse / chosen.name
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="search-bench-", dir=args.workdir))
    try:
        engines: list[Engine] = [Ours(), Fts5(), PlainWhoosh()]
        for engine in engines:
            figures[engine.name] = prepare(engine, chosen.posts, work, reuse=args.reuse is not None)
        measure(engines, [figures[e.name] for e in engines], args.repeat)
        distinct_figures = measure_distinct(engines, chosen.posts, args.distinct)
        for engine in engines:
            engine.close()
    finally:
        if args.reuse is None:
            shutil.rmtree(work, ignore_errors=True)
    answered = [
        t for i, t in enumerate(QUERIES) if all(f.queries[i].times_ms for f in figures.values())
    ]
    for f in figures.values():
        f.compared = answered
    print_scale(label, figures, args.verbose)
    if distinct_figures is not None:
        distinct_report = distinct.report(distinct_figures, args.distinct)
    return {
        "name": chosen.name,
        "posts": len(chosen.posts),
        "resampled": chosen.resampled,
        "text_mb": chosen.text_mb,
        "engines": {k: f.to_dict() for k, f in figures.items()},
        "ratios": ratios(figures),
        "distinct": distinct_report if distinct_figures is not None else None,
    }


def measure_distinct(
    engines: Sequence[Engine], posts: Sequence[Post], count: int
) -> dict[str, distinct.Timings] | None:
    """``count`` queries drawn from ``posts``, each asked once of ours and SQLite FTS5."""
    if count <= 0:
        return None
    queries = distinct.draw(posts, count, avoid=QUERIES)
    progress(f"  distinct mode: {len(queries)} queries from the posts, each asked once")
    chosen = {e.name: e.search for e in engines if e.name in ("ours", "sqlite-fts5")}
    return distinct.measure(chosen, queries)


if __name__ == "__main__":
    main()
