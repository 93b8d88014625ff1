"""The index benchmark's records and report: steps, scales, the issue's targets, the table.

Run as a script, it says where an index's bytes go: per segment part (``.trm``, ``.pst``,
each column) and, in the terms and postings, per field, CJK terms apart::

    python bench/index_report.py INDEX_DIR [INDEX_DIR ...]
"""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import struct
import sys
from collections import Counter
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import index_profile
import procstat

REPO = Path(__file__).resolve().parents[1]
CORPORA = ("chamerling", "evert", "ruby-lang", "rust-blog")  # the "corpora" scale
TARGET_SCALE = 60_000
TARGET_NOOP_S = 2.0  # re-index an unchanged 60,000-post archive
TARGET_CHANGE_S = 1.0  # one changed post, beyond start-up
TARGET_RATE = 1_000.0  # posts/s, full build over the four corpora, end to end
TARGET_MB_S = 5.0  # MB/s of source files, full build of the long-post corpus
LONG_POSTS = "kaigai-matome"
TARGET_MB = 500.0  # peak memory at 60,000 posts
TARGET_FTS5 = 1.5  # index size, at most this times SQLite FTS5's on the same posts
TARGET_SOURCE = 4.0  # the long-post corpus's index, at most this times its source files
BUSY = 0.3  # other processes using more CPUs than this make a step's figures suspect


@dataclass
class Step:
    """One measured step: a command run once or several times."""

    scale: str  # the scale's label; "-" for start-up
    engine: str  # ours / plain / fts5
    name: str
    runs: list[procstat.Usage]
    posts: int | None = None  # as the command reported them
    outcome: str = ""  # the command's last words, to show it did what the step says
    index_mb: float | None = None  # what a full build left on disk
    note: str = ""
    inner_s: float | None = None  # FTS5's own build time, without reading the posts

    @property
    def wall_s(self) -> float:
        return statistics.median(r.wall_s for r in self.runs)

    @property
    def peak_rss_mb(self) -> float:
        return max(r.peak_rss_mb for r in self.runs)

    @property
    def tree_rss_mb(self) -> float:
        return max(r.tree_rss_mb for r in self.runs)

    @property
    def tree_pss_mb(self) -> float:
        return max(r.tree_pss_mb for r in self.runs)

    @property
    def rate(self) -> float | None:
        return self.posts / self.wall_s if self.posts and self.name == "full build" else None

    def to_dict(self) -> dict[str, Any]:
        runs = [_rounded(r) | {"processes": [_rounded(p) for p in r.processes]} for r in self.runs]
        return {
            "scale": self.scale,
            "engine": self.engine,
            "step": self.name,
            "posts": self.posts,
            "wall_s": round(self.wall_s, 3),
            "posts_per_s": round(self.rate, 1) if self.rate else None,
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "tree_rss_mb": round(self.tree_rss_mb, 1),
            "tree_pss_mb": round(self.tree_pss_mb, 1),
            "outcome": self.outcome,
            "index_mb": None if self.index_mb is None else round(self.index_mb, 2),
            "note": self.note,
            "inner_s": self.inner_s,
            "runs": runs,
        }


def _rounded(record: Any) -> dict[str, Any]:
    skip = ("output", "processes")
    return {
        k: round(v, 3) if isinstance(v, float) else v
        for k, v in vars(record).items()
        if k not in skip
    }


@dataclass
class Scale:
    label: str  # "corpora", a number of re-sampled posts, or a corpus's name
    how: str
    files: int
    folders: int
    walk_s: float  # listing and stat-ing every file in this process, caches warm
    source_mb: float  # the post files' bytes
    steps: list[Step] = field(default_factory=list)

    def mb_s(self, step: Step) -> float:
        return self.source_mb / step.wall_s

    def step(self, engine: str, name: str) -> Step | None:
        return next((s for s in self.steps if s.engine == engine and s.name == name), None)


def targets(scales: list[Scale], start: Step) -> list[dict[str, Any]]:
    """Each target of the issue with the figure measured for it, and whether it is met."""
    by = {s.label: s for s in scales}
    found: list[dict[str, Any]] = []

    def add(name: str, value: float | None, limit: float, met: bool | None, how: str) -> None:
        found.append(
            {
                "target": name,
                "value": None if value is None else round(value, 3),
                "limit": limit,
                "met": met,
                "how": how,
            }
        )

    big = by.get(str(TARGET_SCALE))
    noop = big.step("ours", "no-op re-index") if big else None
    add(
        f"no-op re-index, {TARGET_SCALE:,} posts <= {TARGET_NOOP_S} s",
        noop and noop.wall_s,
        TARGET_NOOP_S,
        noop and noop.wall_s <= TARGET_NOOP_S,
        "median wall, incl. start-up",
    )
    for s in scales:
        one = s.step("ours", "one changed post")
        if one:
            extra = one.wall_s - start.wall_s
            add(
                f"one changed post, {s.label}: <= {TARGET_CHANGE_S} s beyond start-up",
                extra,
                TARGET_CHANGE_S,
                extra <= TARGET_CHANGE_S,
                f"median wall {one.wall_s:.2f} s - start-up {start.wall_s:.2f} s",
            )
    full = by["corpora"].step("ours", "full build") if "corpora" in by else None
    add(
        f"full build, {', '.join(CORPORA)} >= {TARGET_RATE:,.0f} posts/s",
        full and full.rate,
        TARGET_RATE,
        full and (full.rate or 0) >= TARGET_RATE,
        f"posts reported / wall, {os.cpu_count()} CPUs",
    )
    long = by.get(LONG_POSTS)
    built = long.step("ours", "full build") if long else None
    if long and built:
        rate, ratio = long.mb_s(built), (built.index_mb or 0) / long.source_mb
        add(
            f"full build, {LONG_POSTS} >= {TARGET_MB_S} MB/s of source",
            rate,
            TARGET_MB_S,
            rate >= TARGET_MB_S,
            f"{long.source_mb:.1f} MB of post files / wall",
        )
        add(
            f"index of {LONG_POSTS} <= {TARGET_SOURCE}x its post files",
            ratio,
            TARGET_SOURCE,
            ratio <= TARGET_SOURCE,
            f"{built.index_mb:.1f} MB / {long.source_mb:.1f} MB",
        )
    for s in scales:
        ours, fts5 = s.step("ours", "full build"), s.step("fts5", "full build")
        if ours and fts5 and ours.index_mb and fts5.index_mb:
            ratio = ours.index_mb / fts5.index_mb
            add(
                f"index size, {s.label}: <= {TARGET_FTS5}x SQLite FTS5's",
                ratio,
                TARGET_FTS5,
                ratio <= TARGET_FTS5,
                f"{ours.index_mb:.1f} MB (whole folder) / {fts5.index_mb:.1f} MB",
            )
    if big:
        _memory(big, add)
    return found


def _memory(big: Scale, add: Any) -> None:
    steps = [st for st in big.steps if st.engine == "ours"]
    worst = max(steps, key=lambda st: st.tree_pss_mb)
    peak = max(st.peak_rss_mb for st in steps)
    add(
        f"peak memory, {TARGET_SCALE:,} posts <= {TARGET_MB:.0f} MB (largest process)",
        peak,
        TARGET_MB,
        peak <= TARGET_MB,
        "wait4 ru_maxrss, any step",
    )
    add(
        f"peak memory, {TARGET_SCALE:,} posts <= {TARGET_MB:.0f} MB (all processes)",
        worst.tree_pss_mb,
        TARGET_MB,
        worst.tree_pss_mb <= TARGET_MB,
        "PSS summed over the indexer and its workers, sampled every 0.1 s then 0.5 s, "
        f"{worst.name}; summed RSS {worst.tree_rss_mb:.0f} MB",
    )


def print_table(scales: list[Scale], start: list[Step]) -> None:
    head = (
        f"{'scale':>13} {'engine':<6} {'step':<20} {'posts':>6} {'wall s':>7} {'posts/s':>7} "
        f"{'MB/s':>5} {'index MB':>8} {'RSS MB':>6} {'treePSS':>7} {'CPU s':>6} {'others':>6}"
        "  runs (wall s)"
    )
    print(head)
    print("-" * len(head))
    rows = [(None, st) for st in start] + [(s, st) for s in scales for st in s.steps]
    for scale, st in rows:
        others = max(r.others_cores for r in st.runs)
        walls = " ".join(f"{r.wall_s:.2f}" for r in st.runs) if len(st.runs) > 1 else ""
        mb_s = f"{scale.mb_s(st):.2f}" if scale and st.rate else ""
        size = f"{st.index_mb:.1f}" if st.index_mb is not None else ""
        print(
            f"{st.scale:>13} {st.engine:<6} {st.name:<20} "
            f"{st.posts if st.posts is not None else '':>6} {st.wall_s:7.2f} "
            f"{f'{st.rate:.0f}' if st.rate else '':>7} {mb_s:>5} {size:>8} "
            f"{st.peak_rss_mb:6.0f} {st.tree_pss_mb:7.0f} {max(r.cpu_s for r in st.runs):6.1f} "
            f"{others:6.2f}{' !' if others > BUSY else '  '} {walls}"
        )
    print(
        "wall s: median of the runs. MB/s: post files' bytes / wall. index MB: the folder or "
        "file a full build left.\nRSS MB: peak of the largest single process (wait4). "
        "treePSS: peak PSS summed over the command and\nits worker processes (sampled every "
        "0.1 s for 5 s, then 0.5 s). CPU s: user+sys, worst run. others:\nCPUs busy with "
        f"other processes meanwhile (! above {BUSY}: the figures are inflated)."
    )
    for _, st in rows:
        if st.note:
            print(f"  {st.scale} {st.engine} {st.name}: {st.note}")


def print_processes(scales: list[Scale]) -> None:
    """Each process of our full builds and updates: which one holds the memory."""
    print("\nper process, worst run (peak RSS MB / CPU s; sampled, so a lower bound):")
    for s in scales:
        for st in s.steps:
            if st.engine != "ours" or not st.runs[0].processes:
                continue
            run = max(st.runs, key=lambda r: r.tree_rss_mb)
            shown = ", ".join(
                f"{'worker' if 'multiprocessing' in p.command else 'main'} "
                f"{p.peak_rss_mb:.0f}/{p.cpu_s:.1f}"
                for p in run.processes
                if p.peak_rss_mb >= 1 and "resource_tracker" not in p.command
            )
            print(f"  {s.label:>13} {st.name:<20} {shown}")


def print_ratios(scales: list[Scale]) -> None:
    print(
        "\nfull builds, ours / peer (plain Whoosh indexes path, title and body only; FTS5 "
        "path, title, tags\nand body; 'FTS5 itself' leaves out its reading of the posts):"
    )
    for s in scales:
        ours = s.step("ours", "full build")
        for engine in ("plain", "fts5"):
            peer = s.step(engine, "full build")
            if not (ours and peer and ours.rate and peer.rate):
                continue
            line = (
                f"  {s.label:>13} vs {engine:<5}: posts/s x{ours.rate / peer.rate:.2f} "
                f"({ours.rate:.0f} vs {peer.rate:.0f}), wall x{ours.wall_s / peer.wall_s:.2f}, "
                f"peak RSS x{ours.peak_rss_mb / peer.peak_rss_mb:.2f}, "
                f"CPU x{ours.runs[0].cpu_s / peer.runs[0].cpu_s:.2f}"
            )
            if ours.index_mb and peer.index_mb:
                line += f", index x{ours.index_mb / peer.index_mb:.2f}"
            if peer.inner_s and peer.posts:
                line += f"; FTS5 itself {peer.posts / peer.inner_s:,.0f} posts/s"
            print(line)


def print_report(report: dict[str, Any], scales: list[Scale], start: list[Step]) -> None:
    m = report["machine"]
    print(
        f"\nIndex build and update: blogsearch CLI vs plain Whoosh ({m['whoosh']}) and SQLite "
        f"FTS5 ({m['sqlite']}), {m['cpu_count']} CPUs, Python {m['python']}"
    )
    for s in scales:
        print(
            f"  scale {s.label}: {s.files:,} files ({s.source_mb:.1f} MB) in {s.folders:,} "
            f"folders - {s.how}; walking and stat-ing them in-process: {s.walk_s:.2f} s"
        )
    print()
    print_table(scales, start)
    print_processes(scales)
    print_ratios(scales)
    print("\ntargets from the issue:")
    for t in report["targets"]:
        verdict = {True: "MET", False: "NOT MET", None: "not measured"}[t["met"]]
        value = "-" if t["value"] is None else f"{t['value']:,.2f}"
        print(f"  {verdict:<12} {t['target']}: {value} ({t['how']})")
    if report.get("profile"):
        for name in ("cli", "one_process", "one_change"):
            data = report["profile"][name]
            title = (
                f"profile, {report['profile']['files']:,} re-sampled files, {name} "
                f"(wall {data['wall_s']} s under cProfile)"
            )
            index_profile.print_summary(title, data)


def machine(blogsearch: str) -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((x.split(":", 1)[1].strip() for x in cpuinfo if x.startswith("model name")), "")
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "whoosh": f"whoosh-reloaded {metadata.version('whoosh-reloaded')}",
        "sqlite": sqlite3.sqlite_version,
        "blogsearch": blogsearch,
        "pythondontwritebytecode": os.environ.get("PYTHONDONTWRITEBYTECODE"),
        "load_average": os.getloadavg(),
    }


def segment_sizes(index_dir: Path) -> tuple[dict[str, int], dict[str, Counter[str]]]:
    """Bytes of each part of every segment of an index (summed by extension), and per field
    (CJK terms as ``field:cjk``): terms, inlined terms, ``.trm`` bytes (an entry's key,
    value, lengths, 1.5 hash slots and its index position), ``.pst`` bytes."""
    from whoosh.codec.whoosh3 import W3TermInfo
    from whoosh.filedb import filetables
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage

    from searcher.indexing import analysis

    parts: Counter[str] = Counter()
    fields: dict[str, Counter[str]] = {}
    storage = FileStorage(str(index_dir))
    for seg in sorted(index_dir.glob("*.seg")):
        compound = CompoundStorage(storage.open_file(seg.name), use_mmap=False)
        for name in compound.list():
            parts[name.split(".", 1)[1]] += compound.file_length(name)
        trm = next(name for name in compound.list() if name.endswith(".trm"))
        terms = filetables.OrderedHashReader(compound.open_file(trm), compound.file_length(trm))
        names = {number: name for name, number in terms.extras["fieldmap"].items()}
        for key, value in terms.items():
            field = names[struct.unpack(">H", key[:2])[0]]
            field += ":cjk" if analysis.is_cjk(key[2:].decode("utf-8", "replace")[:1]) else ""
            found = fields.setdefault(field, Counter())
            found["terms"] += 1
            found["trm"] += 8 + len(key) + len(value) + 18 + 4
            if value[0]:
                found["inlined"] += 1
            else:
                found["pst"] += struct.unpack(">i", value[W3TermInfo._struct.size + 8 :][:4])[0]
    return dict(parts), fields


def print_sizes(index_dir: Path) -> None:
    parts, fields = segment_sizes(index_dir)
    print(f"{index_dir}: {sum(parts.values()) / 1e6:.2f} MB in segments")
    for name, size in sorted(parts.items(), key=lambda item: -item[1]):
        print(f"  {name:<24} {size / 1e6:8.2f} MB")
    print(f"  {'field':<24} {'terms':>8} {'inlined':>8} {'.trm MB':>8} {'.pst MB':>8}")
    for name, found in sorted(fields.items(), key=lambda item: -item[1]["trm"] - item[1]["pst"]):
        print(
            f"  {name:<24} {found['terms']:8d} {found['inlined']:8d} "
            f"{found['trm'] / 1e6:8.2f} {found['pst'] / 1e6:8.2f}"
        )


if __name__ == "__main__":
    for folder in sys.argv[1:]:
        print_sizes(Path(folder))
