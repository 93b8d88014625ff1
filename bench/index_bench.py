"""Index build and update: the ``blogsearch index`` CLI against plain Whoosh and SQLite FTS5,
on the same posts in the same run.

Scales: ``corpora`` (the four shared corpora chamerling, evert, ruby-lang and rust-blog as
they are), a number N (N post files re-sampled with replacement from their real files) or a
shared corpus's name (``kaigai-matome``: long Japanese posts). Every command runs as a real
subprocess, measured one by one: wall time, CPU, the child's own peak RSS (``os.wait4``) and
the summed memory of its process tree (our indexer reads posts in worker processes).

* ours: ``blogsearch index SRC... --index-dir DIR -q`` into an empty folder, the same command
  again (nothing changed), after appending a line to one post file, after deleting another;
* plain Whoosh and SQLite FTS5: full builds by ``bench/index_engines.py`` (see there); FTS5
  reads the posts with blogsearch's own ingest, so it indexes the very same posts, and its
  own insert time is reported apart from the reading.

Each full build's rate is given in posts/s and in MB/s of source files, with its index size.
The issue's targets are checked, a small build is profiled (cProfile) when the four corpora
miss 1,000 posts/s, and every figure goes to ``<out>/index-<time>.json``::

    python bench/index_bench.py [--scale corpora 60000 kaigai-matome] [--repeat 3]
                                [--out bench/out] [--profile-files 1500] [--wait-idle MINUTES]

Every child imports a copy of the committed ``searcher/`` (HEAD at the start), so edits made
meanwhile cannot change the code under test. Sources and indexes live in a temporary folder
outside the repository, removed at the end; the shared corpora are copied there first, so
changing and deleting files never touches them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import index_engines
import index_profile
import procstat
from index_report import (
    BUSY,
    CORPORA,
    REPO,
    TARGET_RATE,
    TARGET_SCALE,
    Scale,
    Step,
    machine,
    print_report,
    targets,
)

SCRIPT = Path(__file__).resolve()
BLOGSEARCH = shutil.which("blogsearch") or "blogsearch"  # the command a user runs (PATH)
BLOGSEARCH_SCRIPT = Path(sys.executable).with_name("blogsearch")  # behind any pyenv shim
_children_cwd: Path | None = None  # the code snapshot, once taken (see snapshot())
_STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


def git(*words: str) -> str:
    done = subprocess.run(["git", "-C", str(REPO), *words], capture_output=True, check=True)
    return done.stdout.decode().strip()


def snapshot(dest: Path) -> dict[str, Any]:
    """Export the committed ``searcher`` package to ``dest``; every child imports that copy.

    Others may edit ``searcher/`` while the benchmark runs (a schema change mid-run turns the
    next "no-op" into a rebuild), so every step measures HEAD as it was at the start:
    ``PYTHONPATH`` puts the copy first, and children run in ``dest`` so ``python -m`` finds it.
    """
    global _children_cwd
    commit = git("rev-parse", "HEAD")
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, "searcher"], capture_output=True, check=True
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(dest, filter="data")
    paths = [str(dest), os.environ.get("PYTHONPATH", "")]
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    sys.path.insert(0, str(dest))
    _children_cwd = dest
    probe = [sys.executable, "-c", "import searcher; print(searcher.__file__)"]
    imported = subprocess.run(probe, capture_output=True, text=True, cwd=dest).stdout.strip()
    if not imported.startswith(str(dest)):
        sys.exit(f"children would not import the snapshot in {dest}: {imported}")
    return {
        "commit": commit,
        "snapshot": "git archive HEAD searcher",
        "uncommitted_in_searcher_at_start": git("status", "--short", "searcher").splitlines(),
    }


def wait_for_quiet(minutes: float) -> float:
    """Wait up to ``minutes`` for other processes to leave the CPUs alone; the load last seen."""
    deadline = time.monotonic() + 60 * minutes
    while True:
        load = procstat.busy_cores(10.0)
        if load < BUSY or time.monotonic() > deadline:
            return load
        progress(f"other processes keep {load:.2f} CPUs busy; waiting (at most {minutes} min)")


# -- running and checking commands -----------------------------------------------------------


def measure(argv: list[str], expect: str, label: str) -> tuple[procstat.Usage, re.Match[str]]:
    """Run one command; stop the benchmark if it fails or does not report what ``expect`` says."""
    usage = procstat.run(argv, cwd=_children_cwd)
    said = " ".join(usage.output.split())  # rich may wrap a long line
    found = re.search(expect, said)
    if usage.exit_code != 0 or found is None:
        sys.exit(f"{label}: exit {usage.exit_code}, expected /{expect}/, got:\n{usage.output}")
    progress(f"  {label}: {usage.wall_s:.2f} s, {usage.peak_rss_mb:.0f} MB; {found.group(0)}")
    return usage, found


def repeated(
    scale: str,
    name: str,
    argv: list[str],
    expect: str,
    count: int,
    before: Callable[[int], None] | None = None,
) -> Step:
    """A CLI step run ``count`` times, ``before(i)`` first each time (to change a file, say)."""
    runs, outcome = [], ""
    for i in range(count):
        if before:
            before(i)
        usage, found = measure(argv, expect, f"ours {name} {i + 1}/{count}")
        runs.append(usage)
        outcome = found.group(0)
    return Step(scale, "ours", name, runs, outcome=outcome)


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def ours(scale: Scale, sources: list[Path], files: list[Path], work: Path, repeat: int) -> None:
    """Full build, no-op re-index, one changed post, one deleted file: each a CLI subprocess."""
    index_dir = work / "ix-ours"
    argv = [BLOGSEARCH, "index", *map(str, sources), "--index-dir", str(index_dir), "-q"]
    n = scale.label
    usage, found = measure(argv, r"indexed (\d+) posts?", "ours full build")
    whoosh_mb = sum(p.stat().st_size for p in index_dir.glob("*blogsearch*_*")) / 1e6
    note = f"Whoosh files {whoosh_mb:.1f} MB, the rest manifest and metadata"
    scale.steps.append(
        Step(
            n,
            "ours",
            "full build",
            [usage],
            int(found.group(1)),
            found[0],
            index_mb=folder_mb(index_dir),
            note=note,
        )
    )
    scale.steps.append(repeated(n, "no-op re-index", argv, r"is up to date", repeat))
    changed, deleted = files[len(files) // 3], files[2 * len(files) // 3]

    def append_line(i: int) -> None:
        with changed.open("a", encoding="utf-8") as post:
            post.write(f"\nOne more line for the index benchmark, run {i + 1}.\n")

    written = r"1 posts? written, 0 removed"
    scale.steps.append(repeated(n, "one changed post", argv, written, repeat, append_line))
    removed = r"0 posts? written, 1 removed"
    scale.steps.append(
        repeated(n, "one deleted file", argv, removed, 1, lambda _: deleted.unlink())
    )


def peer(scale: Scale, engine: str, sources: list[Path], target: Path) -> None:
    """A full build by plain Whoosh or SQLite FTS5 (see index_engines)."""
    argv = [sys.executable, str(SCRIPT), f"--{engine}", *map(str, sources), str(target)]
    usage, found = measure(argv, r"indexed (\d+) posts", f"{engine} full build")
    inner = re.search(r"fts5 ([\d.]+) s", usage.output)
    size = folder_mb(target) if target.is_dir() else target.stat().st_size / 1e6
    note = f"FTS5 itself {float(inner[1]):.2f} s, the rest reading the posts" if inner else ""
    scale.steps.append(
        Step(
            scale.label,
            engine,
            "full build",
            [usage],
            int(found.group(1)),
            found[0],
            index_mb=size,
            note=note,
            inner_s=float(inner[1]) if inner else None,
        )
    )


def startup(repeat: int) -> list[Step]:
    """Start-up: ``blogsearch --version`` as on PATH, and the script behind any pyenv shim."""
    version = r"version \S+"
    steps = [repeated("-", "start-up (--version)", [BLOGSEARCH, "--version"], version, repeat)]
    if BLOGSEARCH_SCRIPT.exists() and str(BLOGSEARCH_SCRIPT) != BLOGSEARCH:
        argv = [str(BLOGSEARCH_SCRIPT), "--version"]
        steps.append(repeated("-", "start-up, no shim", argv, version, repeat))
    return steps


# -- sources ---------------------------------------------------------------------------------


def make_sources(label: str, dest: Path) -> tuple[Scale, list[Path], list[Path]]:
    """The source folders for a scale, written under ``dest``, and their post files."""
    import corpus  # here, not at the top: the --plain child must not pay for importing searcher

    from searcher.ingest.reader import walk

    if label.isdigit():
        count = int(label)
        real = len(corpus.post_files(names=CORPORA))
        progress(f"writing {count:,} re-sampled post files")
        corpus.resample_files(dest / "resampled", count, names=CORPORA)
        sources = [dest / "resampled"]
        how = (
            f"{count:,} post files RE-SAMPLED with replacement from the {real:,} real post "
            f"files of {', '.join(CORPORA)} (random.Random({corpus.SEED})), each copied byte "
            "for byte to cNN/<corpus>/<path> (the n-th draw of a file in the n-th copy of the "
            "corpora's layout): real posts, every copy a distinct post"
        )
    else:
        names = CORPORA if label == "corpora" else (label,)
        sources = [shutil.copytree(corpus.DEFAULT_CORPORA / n, dest / n) for n in names]
        how = (
            f"the shared corpora {', '.join(names)} as they are (byte-identical copies in a "
            "temp folder, so changing and deleting a file never touches ../shared)"
        )
    start = time.perf_counter()
    files = [p for s in sources for p in walk(s)]
    source_mb = sum(path.stat().st_size for path in files) / 1e6
    walk_s = time.perf_counter() - start
    folders = sum(len(dirs) for s in sources for _, dirs, _ in os.walk(s))
    return Scale(label, how, len(files), folders, walk_s, source_mb), sources, files


def run_scale(label: str, work: Path, repeat: int) -> Scale:
    progress(f"scale {label}: preparing sources")
    result, sources, files = make_sources(label, work / "src")
    progress(
        f"scale {label}: {result.files:,} files ({result.source_mb:.1f} MB) in "
        f"{result.folders:,} folders; {result.how}"
    )
    peer(result, "fts5", sources, work / "fts5.sqlite")
    peer(result, "plain", sources, work / "ix-plain")
    ours(result, sources, files, work, repeat)
    shutil.rmtree(work)
    return result


# -- profile ---------------------------------------------------------------------------------


def profile(files: int, work: Path, out: Path, stamp: str) -> dict[str, Any]:
    """cProfile a full build of ``files`` re-sampled posts (the real CLI, then one process),
    and the CLI re-indexing one changed post of it."""
    import corpus

    progress(f"profiling a full build of {files:,} re-sampled files")
    copies = corpus.resample_files(work / "src", files, names=CORPORA)
    cli = [str(BLOGSEARCH_SCRIPT), "index", str(work / "src"), "--index-dir", str(work / "a")]
    runs = {
        "cli": [*cli, "-q"],
        "one_process": [str(SCRIPT), "--serial", str(work / "src"), str(work / "b")],
        "one_change": [*cli, "-q"],
    }
    expect = {"cli": r"indexed \d+ posts?", "one_process": r"indexed \d+ posts?"}
    result: dict[str, Any] = {"files": files}
    for name, argv in runs.items():
        if name == "one_change":
            with copies[len(copies) // 3].open("a", encoding="utf-8") as post:
                post.write("\nOne more line for the profile.\n")
        prof = out / f"index-{stamp}-{name}.prof"
        usage, _ = measure(
            [sys.executable, "-m", "cProfile", "-o", str(prof), *argv],
            expect.get(name, r"1 posts? written"),
            f"profile {name}",
        )
        result[name] = {
            "wall_s": round(usage.wall_s, 2),
            "cpu_s": round(usage.cpu_s, 2),
            "prof": str(prof),
            **index_profile.summary(prof),
        }
    shutil.rmtree(work)
    return result


# -- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        nargs="+",
        default=["corpora", str(TARGET_SCALE), "kaigai-matome"],
        help="corpora = the four corpora; N = N re-sampled post files; or a corpus's name",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each re-index step")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument(
        "--profile-files",
        type=int,
        default=1500,
        help="files in the profiled build (0: no profile)",
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="MINUTES",
        help="first wait up to this long for other processes to leave the CPUs idle",
    )
    for engine in index_engines.BUILDS:
        parser.add_argument(f"--{engine}", nargs="+", metavar="SRC... DIR", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    for engine, build in index_engines.BUILDS.items():
        if getattr(args, engine):
            *sources, target = map(Path, getattr(args, engine))
            return build(sources, target)
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    report: dict[str, Any] = {
        "command": " ".join(["python", *sys.argv]),
        "machine": machine(BLOGSEARCH),
    }
    work = Path(tempfile.mkdtemp(prefix="blogsearch-index-bench-"))
    try:
        report["code"] = snapshot(work / "code")
        if args.wait_idle:
            report["machine"]["others_cores_at_start"] = wait_for_quiet(args.wait_idle)
        start = startup(max(args.repeat, 5))
        scales = [run_scale(n, work / f"scale-{n}", args.repeat) for n in args.scale]
        report["code"]["head_at_end"] = git("rev-parse", "HEAD")
        report["targets"] = targets(scales, start[0])
        full = next((s.step("ours", "full build") for s in scales if s.label == "corpora"), None)
        if args.profile_files and (full is None or (full.rate or 0) < TARGET_RATE):
            report["profile"] = profile(args.profile_files, work / "profile", args.out, stamp)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["machine"]["load_average_end"] = os.getloadavg()
    report["startup"] = [st.to_dict() for st in start]
    report["scales"] = [
        {k: v for k, v in vars(s).items() if k != "steps"}
        | {"steps": [st.to_dict() for st in s.steps]}
        for s in scales
    ]
    print_report(report, scales, start)
    out = args.out / f"index-{stamp}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")


if __name__ == "__main__":
    main()
