"""Facets, completion, typo tolerance, filters and similar posts: our index against SQLite FTS5.

For each scale (the real corpora, and a larger set re-sampled from them) it builds our index and
an FTS5 database of the same posts, then times each feature: one warm-up call, then ``--runs``
timed calls, reported as median and p95 (and ours/FTS5 ratios). It prints a table and writes
every figure to ``<out>/query-power-<time>.json``. Run from the repository root::

    python bench/query_power_bench.py [--scale 0 60000] [--runs 10] [--wait-idle MINUTES]

``--scale 0`` means the real posts as they are; any other N is N posts RE-SAMPLED with
replacement from them (seed 42). Both indexes are built in a temporary folder.

The FTS5 side is what a careful SQLite user would write: a ``posts`` table (body last, so that
lang and year are read without the body's overflow pages), an external-content FTS5 table over
title and body (unicode61, diacritics removed), and ``tags`` / ``categories`` tables of
(path, lower-cased value) indexed by path (tags by tag too). Facets are GROUP BYs over the match;
completion is ``MATCH 'secu*' LIMIT 10`` (no prefix index, no ranking), as FTS5 users write it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import corpus
import procstat
from search_bench import folder_bytes, fts5_query, machine, percentile

from searcher import open_index
from searcher.api import Index
from searcher.indexing import indexer
from searcher.models import Post

FACET_QUERIES = ["release", "security", "rust", "cloud", "ruby 2.7"]
BROAD_QUERY = "release"  # the tag facet target is timed over this query's matches
PREFIXES = (  # what people type: 2-6 letters, the last word partial, accents and all
    "ru|rel|secu|cloud c|asyn|conf|veröff|interop|we|http|java|rust 20|webas|borr|vuln|ruby 2|"
    "sécu|pet|deplo|migra"
).split("|")
TYPOS = {  # query → the word the top hit should hold once the typo is tolerated
    "securty": "security",
    "conferance": "conference",
    "rubygem securty": "security",
    "borow checker": "borrow",
}
FILTERS: dict[str, dict[str, Any]] = {
    "tags=[security]": {"tags": ["security"]},
    "lang=fr": {"lang": "fr"},
    "since=2019": {"since": "2019"},
}
FILTER_TEXT = "release"
SIMILAR_POSTS = 5
DEFAULT_SCALES = (0, 60_000)
LIMIT = 10
TARGET_TAG_FACET_MS = 50.0
TARGET_COMPLETE_MS = 20.0
QUIET_CORES = 0.5  # --wait-idle waits until other processes keep fewer CPUs than this busy
_STARTED = time.perf_counter()
T = TypeVar("T")


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


# -- timing ----------------------------------------------------------------------------------


@dataclass
class Timing:
    """Timed calls of one operation, and the warm-up call before them."""

    times_ms: list[float] = field(default_factory=list)
    first_ms: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        return percentile(self.times_ms, 95)

    @property
    def max(self) -> float:
        return max(self.times_ms)

    def add(self, other: Timing) -> Timing:
        self.times_ms += other.times_ms
        self.first_ms += other.first_ms
        return self

    def summary(self) -> dict[str, Any]:
        return {"median_ms": self.median, "p95_ms": self.p95, "max_ms": self.max, **asdict(self)}


def clock(call: Callable[[], T], runs: int) -> tuple[Timing, T]:
    """One warm-up call (its result is returned), then ``runs`` timed calls."""
    start = time.perf_counter()
    result = call()
    timing = Timing(first_ms=[ms_since(start)])
    for _ in range(runs):
        start = time.perf_counter()
        call()
        timing.times_ms.append(ms_since(start))
    return timing, result


def ms_since(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 3)


# -- SQLite FTS5 -----------------------------------------------------------------------------


class Fts5:
    """The same posts in SQLite: posts, an external-content FTS5 table, tags and categories."""

    MATCHED = "SELECT rowid FROM fts WHERE fts MATCH :q"
    TOP = (
        "SELECT p.path, p.title, snippet(fts, 1, '<mark>', '</mark>', '…', 24) "
        "FROM fts JOIN posts p ON p.id = fts.rowid WHERE fts MATCH :q {where} "
        "ORDER BY fts.rank LIMIT 10"
    )
    COUNT = f"SELECT count(*) FROM posts p WHERE p.id IN ({MATCHED}) {{where}}"
    FACETS: ClassVar[dict[str, str]] = {
        "tags": "SELECT tag, count(*) FROM tags JOIN (SELECT path FROM posts WHERE id IN "
        f"({MATCHED})) USING(path) GROUP BY tag ORDER BY 2 DESC LIMIT 20",
        "categories": "SELECT category, count(*) FROM categories JOIN (SELECT path FROM posts "
        f"WHERE id IN ({MATCHED})) USING(path) GROUP BY category ORDER BY 2 DESC LIMIT 20",
        "languages": f"SELECT lang, count(*) FROM posts WHERE id IN ({MATCHED}) "
        "AND lang IS NOT NULL GROUP BY lang ORDER BY 2 DESC LIMIT 20",
        "years": f"SELECT year, count(*) FROM posts WHERE id IN ({MATCHED}) "
        "AND year IS NOT NULL GROUP BY year ORDER BY 1 DESC",
    }
    FILTERS: ClassVar[dict[str, str]] = {
        "tags=[security]": "AND EXISTS (SELECT 1 FROM tags t WHERE t.path = p.path"
        " AND t.tag = 'security')",
        "lang=fr": "AND p.lang = 'fr'",
        "since=2019": "AND p.year >= 2019",
    }

    def __init__(self, file: Path) -> None:
        self.file = file

    def build(self, posts: Sequence[Post]) -> None:
        db = sqlite3.connect(self.file)
        with db:
            db.executescript(
                "CREATE TABLE posts(id INTEGER PRIMARY KEY, path TEXT UNIQUE, title TEXT,"
                " lang TEXT, year INTEGER, body TEXT);"
                "CREATE VIRTUAL TABLE fts USING fts5(title, body, content='posts',"
                " content_rowid='id', tokenize='unicode61 remove_diacritics 2');"
                "CREATE TABLE tags(path TEXT, tag TEXT);"
                "CREATE TABLE categories(path TEXT, category TEXT);"
            )
            rows = (
                (p.path, p.title, p.lang, p.date.year if p.date else None, p.text) for p in posts
            )
            db.executemany(
                "INSERT INTO posts(path, title, lang, year, body) VALUES (?, ?, ?, ?, ?)", rows
            )
            db.executemany("INSERT INTO tags VALUES (?, ?)", folded(posts, "tags"))
            db.executemany("INSERT INTO categories VALUES (?, ?)", folded(posts, "categories"))
            db.executescript(
                "INSERT INTO fts(fts) VALUES('rebuild'); INSERT INTO fts(fts) VALUES('optimize');"
                "CREATE INDEX tags_path ON tags(path, tag);"
                "CREATE INDEX tags_tag ON tags(tag, path);"
                "CREATE INDEX cats_path ON categories(path, category);"
                "CREATE INDEX posts_lang ON posts(lang); CREATE INDEX posts_year ON posts(year);"
                "ANALYZE;"
            )
        db.close()

    def open(self) -> None:
        self.db = sqlite3.connect(self.file)

    def top(self, text: str, filter_name: str | None = None) -> list[tuple[str, str, str]]:
        """The 10 best hits with a snippet, as a search page shows them."""
        sql = self.TOP.format(where=self.FILTERS[filter_name] if filter_name else "")
        return list(self.db.execute(sql, {"q": fts5_query(text)}))

    def count(self, text: str, filter_name: str | None = None) -> int:
        sql = self.COUNT.format(where=self.FILTERS[filter_name] if filter_name else "")
        return int(self.db.execute(sql, {"q": fts5_query(text)}).fetchone()[0])

    def page(self, text: str, filter_name: str | None = None) -> int:
        """What ``Index.search`` gives: the top hits and how many posts matched."""
        self.top(text, filter_name)
        return self.count(text, filter_name)

    def facets(self, text: str, names: Sequence[str] = tuple(FACETS)) -> dict[str, list[Any]]:
        params = {"q": fts5_query(text)}
        return {name: self.db.execute(self.FACETS[name], params).fetchall() for name in names}

    def all_tags(self) -> list[Any]:
        sql = "SELECT tag, count(*) FROM tags GROUP BY tag ORDER BY 2 DESC LIMIT 20"
        return self.db.execute(sql).fetchall()

    def complete(self, prefix: str) -> list[str]:
        """Titles of the first 10 posts matching every word, the last one as a prefix."""
        words = prefix.split()
        if not words:
            return []
        quoted = ['"' + w.replace('"', '""') + '"' for w in words]
        if not prefix[-1].isspace():
            quoted[-1] += "*"
        sql = "SELECT title FROM fts WHERE fts MATCH ? LIMIT 10"
        return [title for (title,) in self.db.execute(sql, (" ".join(quoted),))]

    def close(self) -> None:
        self.db.close()


def folded(posts: Sequence[Post], attribute: str) -> list[tuple[str, str]]:
    """(path, value) of every post's tags or categories, lower-cased, each pair once."""
    pairs = {(p.path, v.strip().lower()) for p in posts for v in getattr(p, attribute)}
    return sorted((path, value) for path, value in pairs if value)


# -- measuring -------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: a feature on both engines (FTS5 ``None``: it has no equivalent)."""

    section: str
    name: str
    ours_median: float
    ours_p95: float
    fts5_median: float | None = None
    fts5_p95: float | None = None
    note: str = ""

    @classmethod
    def of(
        cls, section: str, name: str, ours: Timing, fts5: Timing | None = None, note: str = ""
    ) -> Row:
        if fts5 is None:
            return cls(section, name, ours.median, ours.p95, note=note)
        return cls(section, name, ours.median, ours.p95, fts5.median, fts5.p95, note)

    def ratios(self) -> tuple[float | None, float | None]:
        if self.fts5_median is None or self.fts5_p95 is None:
            return None, None
        return self.ours_median / self.fts5_median, self.ours_p95 / self.fts5_p95


def bench_facets(index: Index, fts: Fts5, runs: int) -> tuple[list[Row], dict[str, Any]]:
    """Search with and without facets, FTS5's page and GROUP BYs, per query and pooled."""
    timings = {k: Timing() for k in ("with", "without", "fts5_page", "fts5_facets", "fts5_both")}
    per_query: dict[str, Any] = {}
    for q in FACET_QUERIES:
        t_with, results = clock(partial(index.search, q, limit=LIMIT, facets=True), runs)
        t_without, _ = clock(partial(index.search, q, limit=LIMIT), runs)
        t_page, fts_total = clock(partial(fts.page, q), runs)
        t_facets, fts_facets = clock(partial(fts.facets, q), runs)
        t_both, _ = clock(partial(page_and_facets, fts, q), runs)
        for key, t in zip(timings, (t_with, t_without, t_page, t_facets, t_both), strict=True):
            timings[key].add(t)
        facets = results.facets or {}
        per_query[q] = {
            "ours_total": results.total,
            "fts5_total": fts_total,
            "ours_top_tags": list(facets.get("tags", {}).items())[:5],
            "fts5_top_tags": [list(row) for row in fts_facets["tags"][:5]],
            "ours_with_ms": t_with.summary(),
            "ours_without_ms": t_without.summary(),
            "facet_cost_median_ms": t_with.median - t_without.median,
            "fts5_page_ms": t_page.summary(),
            "fts5_facets_ms": t_facets.summary(),
        }
    cost = Row(
        "facets",
        "facet cost: with - without",
        timings["with"].median - timings["without"].median,
        timings["with"].p95 - timings["without"].p95,
        timings["fts5_facets"].median,
        timings["fts5_facets"].p95,
        "FTS5: its 4 GROUP BYs alone",
    )
    rows = [
        Row.of(
            "facets",
            "search, facets=True",
            timings["with"],
            timings["fts5_both"],
            "FTS5: top 10 + count + 4 GROUP BYs",
        ),
        Row.of(
            "facets",
            "search, no facets",
            timings["without"],
            timings["fts5_page"],
            "FTS5: top 10 + count",
        ),
        cost,
    ]
    pooled = {k: t.summary() for k, t in timings.items()}
    return rows, {"queries": per_query, "pooled": pooled}


def page_and_facets(fts: Fts5, text: str) -> None:
    fts.page(text)
    fts.facets(text)


def bench_tag_facet(index: Index, fts: Fts5, runs: int) -> tuple[list[Row], dict[str, Any]]:
    """``facets.counts(docs)`` alone (every facet, tags included) for a broad query and all."""
    generation = index._current()
    parsed = generation.parser.parse(BROAD_QUERY)
    docs = sorted(generation.searcher.docs_for_query(parsed.text))
    everything = list(generation.searcher.reader().all_doc_ids())
    t_broad, _ = clock(partial(generation.facets.counts, docs), runs)
    t_all, _ = clock(partial(generation.facets.counts, everything), runs)
    f_broad, _ = clock(partial(fts.facets, BROAD_QUERY, ["tags"]), runs)
    f_all, _ = clock(fts.all_tags, runs)
    rows = [
        Row.of(
            "facets",
            f"facets.counts({BROAD_QUERY!r} docs)",
            t_broad,
            f_broad,
            f"{len(docs):,} docs; FTS5: tag GROUP BY of the match",
        ),
        Row.of(
            "facets",
            "facets.counts(all docs)",
            t_all,
            f_all,
            f"{len(everything):,} docs; FTS5: tag GROUP BY of all",
        ),
    ]
    figures = {
        "query": BROAD_QUERY,
        "docs": len(docs),
        "broad": t_broad.summary(),
        "all_docs": t_all.summary(),
        "fts5_broad": f_broad.summary(),
        "fts5_all": f_all.summary(),
    }
    return rows, figures


def first_calls(index_dir: Path) -> dict[str, float]:
    """On a freshly opened index: opening, the first facet count, the first completion."""
    start = time.perf_counter()
    fresh = open_index(index_dir, audience="owner")
    found = {"open_ms": ms_since(start)}
    try:
        generation = fresh._current()
        docs = sorted(generation.searcher.docs_for_query(generation.parser.parse(BROAD_QUERY).text))
        start = time.perf_counter()
        generation.facets.counts(docs)
        found["first_facet_counts_ms"] = ms_since(start)
        start = time.perf_counter()
        fresh.complete(PREFIXES[0], limit=LIMIT)
        found["first_complete_ms"] = ms_since(start)
    finally:
        fresh.close()
    return found


def bench_complete(index: Index, fts: Fts5, runs: int) -> tuple[list[Row], dict[str, Any]]:
    """Completion of every prefix; the completion table is built before timing starts."""
    index.complete("a", limit=LIMIT)  # the per-generation build, timed by first_calls
    ours, theirs = Timing(), Timing()
    per_prefix: dict[str, Any] = {}
    for prefix in PREFIXES:
        t, found = clock(partial(index.complete, prefix, limit=LIMIT), runs)
        f, titles = clock(partial(fts.complete, prefix), runs)
        ours.add(t)
        theirs.add(f)
        per_prefix[prefix] = {
            "ours": t.summary(),
            "fts5": f.summary(),
            "ours_top": [c["text"] for c in found[:3]],
            "fts5_top": titles[:3],
        }
    rows = [
        Row.of(
            "complete",
            f"complete() x{len(PREFIXES)} prefixes",
            ours,
            theirs,
            f"max {ours.max:.1f} ms; first per prefix max {max(ours.first_ms):.1f} ms"
            "; FTS5: MATCH 'p*' LIMIT 10",
        )
    ]
    return rows, {"pooled": ours.summary(), "fts5_pooled": theirs.summary(), "prefixes": per_prefix}


def bench_typos(
    index: Index, fts: Fts5, by_path: dict[str, Post], runs: int
) -> tuple[list[Row], list[dict[str, Any]]]:
    """Misspelt queries: latency, whether the top hit holds the meant word, the suggestion."""
    rows, found = [], []
    for text, word in TYPOS.items():
        t, results = clock(partial(index.search, text, limit=LIMIT), runs)
        f, fts_total = clock(partial(fts.page, text), runs)
        top = by_path.get(results.hits[0].path) if results.hits else None
        holds = top is not None and word in searchable(top)
        found.append(
            {
                "query": text,
                "word": word,
                "ours": t.summary(),
                "fts5": f.summary(),
                "ours_total": results.total,
                "top_hit": top.path if top else None,
                "top_hit_has_word": holds,
                "suggestion": results.suggestion,
                "fts5_total": fts_total,
            }
        )
        note = (
            f"cold {t.first_ms[0]:.0f} ms; {results.total} hits, top has {word!r}: "
            f"{'yes' if holds else 'NO'}; suggests {results.suggestion!r}; FTS5 {fts_total} hits"
        )
        rows.append(Row.of("typos", repr(text), t, f, note))
    return rows, found


def searchable(post: Post) -> str:
    """Everything a query word can match in a post, lower-cased: title, text, tags, categories."""
    return "\n".join((post.title, post.text, *post.tags, *post.categories)).lower()


def bench_filters(index: Index, fts: Fts5, runs: int) -> tuple[list[Row], dict[str, Any]]:
    rows, found = [], {}
    for name, options in FILTERS.items():
        t, results = clock(partial(index.search, FILTER_TEXT, limit=LIMIT, **options), runs)
        f, fts_total = clock(partial(fts.page, FILTER_TEXT, name), runs)
        note = f"{results.total} hits; FTS5 {fts_total} (top 10 + count, JOIN/WHERE)"
        rows.append(Row.of("filters", f"{FILTER_TEXT!r} {name}", t, f, note))
        found[name] = {
            "ours": t.summary(),
            "fts5": f.summary(),
            "ours_total": results.total,
            "fts5_total": fts_total,
        }
    return rows, found


def bench_similar(index: Index, posts: Sequence[Post], runs: int) -> tuple[list[Row], Any]:
    paths = [posts[i * len(posts) // SIMILAR_POSTS].path for i in range(SIMILAR_POSTS)]
    pooled, found = Timing(), {}
    for path in paths:
        t, results = clock(partial(index.similar, path, limit=LIMIT), runs)
        pooled.add(t)
        found[path] = {"ms": t.summary(), "top": [h.path for h in results.hits[:3]]}
    row = Row.of("similar", f"similar() x{len(paths)} posts", pooled, None, "FTS5: none")
    return [row], {"pooled": pooled.summary(), "posts": found}


# -- reporting -------------------------------------------------------------------------------


def print_scale(
    label: str, build: dict[str, Any], load: dict[str, Any], rows: Sequence[Row]
) -> None:
    print(f"\n== {label}")
    print(
        f"machine: {os.cpu_count()} CPUs; other processes kept {load['others_cores_before']:.2f}"
        f" busy as timing began; load average {load['loadavg_before'][0]:.2f} before,"
        f" {load['loadavg_after'][0]:.2f} after"
    )
    print(
        f"build: ours {build['ours_s']:.1f} s, {build['ours_mb']:.1f} MB; "
        f"FTS5 {build['fts5_s']:.1f} s, {build['fts5_mb']:.1f} MB. First calls on a fresh "
        f"index: open {build['open_ms']:.0f} ms, facet table "
        f"{build['first_facet_counts_ms']:.0f} ms, completion table (first complete()) "
        f"{build['first_complete_ms']:.0f} ms"
    )
    head = f"{'section':<9} {'what':<34} {'ours med':>9} {'ours p95':>9} {'FTS5 med':>9}"
    print(f"{head} {'FTS5 p95':>9} {'x med':>7} {'x p95':>7}  note")
    for row in rows:
        median, p95 = row.ratios()
        cells = [
            fmt(row.ours_median),
            fmt(row.ours_p95),
            fmt(row.fts5_median),
            fmt(row.fts5_p95),
            fmt(median, 7),
            fmt(p95, 7),
        ]
        print(f"{row.section:<9} {row.name:<34} " + " ".join(cells) + f"  {row.note}")


def fmt(value: float | None, width: int = 9) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:{width}.2f}"


def targets(scale: dict[str, Any]) -> dict[str, Any]:
    """The latency targets at this scale: met when the p95 is within the target."""
    tag, done = scale["tag_facet"]["broad"], scale["complete"]["pooled"]
    return {
        "tag_facet_ms": {
            "target": TARGET_TAG_FACET_MS,
            "median": tag["median_ms"],
            "p95": tag["p95_ms"],
            "max": tag["max_ms"],
            "met": tag["p95_ms"] <= TARGET_TAG_FACET_MS,
        },
        "complete_ms": {
            "target": TARGET_COMPLETE_MS,
            "median": done["median_ms"],
            "p95": done["p95_ms"],
            "max": done["max_ms"],
            "first_per_prefix_max": max(done["first_ms"]),
            "met": done["p95_ms"] <= TARGET_COMPLETE_MS,
        },
    }


def print_targets(scale: dict[str, Any]) -> None:
    tag, done = scale["targets"]["tag_facet_ms"], scale["targets"]["complete_ms"]
    how = "RE-SAMPLED" if scale["resampled"] else "real"
    print(f"targets at {scale['posts']:,} posts ({scale['name']}, {how}):")
    print(
        f"  tag facet (facets.counts of {BROAD_QUERY!r} docs, all 4 facets) <= "
        f"{tag['target']:.0f} ms: median {tag['median']:.2f}, p95 {tag['p95']:.2f}, "
        f"max {tag['max']:.2f} -> {'MET' if tag['met'] else 'NOT MET'}"
    )
    print(
        f"  completion <= {done['target']:.0f} ms: median {done['median']:.2f}, p95 "
        f"{done['p95']:.2f}, max {done['max']:.2f} (first call per prefix max "
        f"{done['first_per_prefix_max']:.2f}) -> {'MET' if done['met'] else 'NOT MET'}"
    )


# -- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "--scale",
        type=int,
        nargs="+",
        default=list(DEFAULT_SCALES),
        help="0 for the real corpora, N for N re-sampled posts (default: 0 60000)",
    )
    parser.add_argument("--corpora", type=Path, default=corpus.DEFAULT_CORPORA)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="MINUTES",
        help="before building and before timing, wait up to MINUTES for a quiet machine",
    )
    parser.add_argument("--runs", type=int, default=10, help="timed calls after the warm-up")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where to build the indexes (default: a temporary folder)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.runs < 1 or any(n < 0 for n in args.scale):
        sys.exit("Error: --runs must be 1 or more and --scale 0 or more")
    progress(f"reading posts from {args.corpora}")
    real = corpus.load(args.corpora)
    progress(f"read {len(real.posts):,} posts")
    report: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "runs": args.runs,
        "limit": LIMIT,
        "corpora": str(args.corpora),
        "scales": [],
    }
    for n in args.scale:
        chosen = real if n == 0 else corpus.resample(real.posts, n)
        report["scales"].append(run_scale(chosen, args))
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"query-power-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nFigures: {out}")
    print(
        f"Milliseconds: one warm-up call, then median and p95 of {args.runs} timed calls "
        "(pooled over a section's queries); x = ours / FTS5."
    )
    for scale in report["scales"]:
        print_targets(scale)


def run_scale(chosen: corpus.Corpus, args: argparse.Namespace) -> dict[str, Any]:
    how = "RE-SAMPLED with replacement from the real posts, seed 42" if chosen.resampled else "real"
    label = f"{chosen.name}: {len(chosen.posts):,} posts ({how}), {chosen.text_mb:.0f} MB of text"
    progress(label)
    work = Path(tempfile.mkdtemp(prefix="query-power-", dir=args.workdir))
    try:
        if args.wait_idle:
            quiet(args.wait_idle)
        build = build_both(chosen.posts, work)
        load: dict[str, Any] = {
            "others_cores_before": quiet(args.wait_idle),
            "loadavg_before": os.getloadavg(),
        }
        index = open_index(work / "ours", audience="owner")
        fts = Fts5(work / "fts5.sqlite")
        fts.open()
        try:
            scale = measure(chosen, index, fts, args.runs)
        finally:
            index.close()
            fts.close()
        build.update(first_calls(work / "ours"))
        load["loadavg_after"] = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    scale.update(
        name=chosen.name,
        posts=len(chosen.posts),
        resampled=chosen.resampled,
        text_mb=chosen.text_mb,
        build=build,
        load=load,
    )
    scale["targets"] = targets(scale)
    print_scale(label, build, load, [Row(**row) for row in scale["rows"]])
    return scale


def quiet(minutes: float) -> float:
    """Wait up to ``minutes`` for other processes to leave the CPUs; the CPUs they keep busy."""
    deadline = time.monotonic() + 60 * minutes
    told = False
    while True:
        busy = procstat.busy_cores(2.0)
        if busy < QUIET_CORES or time.monotonic() >= deadline:
            return busy
        if not told:
            progress(f"  others keep {busy:.2f} CPUs busy; waiting at most {minutes} min for quiet")
            told = True


def build_both(posts: Sequence[Post], work: Path) -> dict[str, Any]:
    progress(f"  ours: building {len(posts):,} posts")
    start = time.perf_counter()
    indexer.write(posts, work / "ours")
    ours_s = time.perf_counter() - start
    progress(f"  ours: built in {ours_s:.1f} s; FTS5: building")
    start = time.perf_counter()
    Fts5(work / "fts5.sqlite").build(posts)
    fts5_s = time.perf_counter() - start
    progress(f"  FTS5: built in {fts5_s:.1f} s")
    return {
        "ours_s": ours_s,
        "ours_mb": folder_bytes(work / "ours") / 1e6,
        "fts5_s": fts5_s,
        "fts5_mb": (work / "fts5.sqlite").stat().st_size / 1e6,
    }


def measure(chosen: corpus.Corpus, index: Index, fts: Fts5, runs: int) -> dict[str, Any]:
    """Every section on the opened engines; rows for the table, details for the JSON."""
    rows: list[Row] = []
    found: dict[str, Any] = {}
    by_path = {p.path: p for p in chosen.posts}
    sections: list[tuple[str, Callable[[], tuple[list[Row], Any]]]] = [
        ("facets", partial(bench_facets, index, fts, runs)),
        ("tag_facet", partial(bench_tag_facet, index, fts, runs)),
        ("complete", partial(bench_complete, index, fts, runs)),
        ("typos", partial(bench_typos, index, fts, by_path, runs)),
        ("filters", partial(bench_filters, index, fts, runs)),
        ("similar", partial(bench_similar, index, chosen.posts, runs)),
    ]
    for name, section in sections:
        progress(f"  timing {name}")
        section_rows, found[name] = section()
        rows += section_rows
    found["rows"] = [asdict(row) for row in rows]
    return found


if __name__ == "__main__":
    main()
