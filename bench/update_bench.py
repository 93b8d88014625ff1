"""Updates of a large archive: the full build once, then no-op re-index, one changed post and
one deleted file, each a ``blogsearch index`` subprocess measured by ``procstat`` (wall, CPU,
the largest process's and the whole tree's peak memory), with ``blogsearch --version`` as the
start-up to subtract.

The archive (``N`` post files re-sampled from the four shared corpora, see
``corpus.resample_files``) and its index are kept in ``--work`` between runs, so the full
build (minutes at 60,000 posts) is paid once: ``--steps`` picks what to run again.

    python bench/update_bench.py [--files 60000] [--work /tmp/bench-60k]
                                 [--steps build noop change delete] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import corpus
import procstat
from index_report import CORPORA

BLOGSEARCH = str(Path(sys.executable).with_name("blogsearch"))
STEPS = ("build", "noop", "change", "delete")


def report(label: str, usage: procstat.Usage) -> None:
    line = " ".join(usage.output.split())[-120:]
    print(
        f"{label:<18} wall {usage.wall_s:6.2f} s  CPU {usage.cpu_s:6.2f} s  largest process "
        f"{usage.peak_rss_mb:5.0f} MB  tree RSS {usage.tree_rss_mb:5.0f} MB  "
        f"PSS {usage.tree_pss_mb:5.0f} MB  others' cores {usage.others_cores:.1f}  | {line}",
        flush=True,
    )
    if usage.exit_code:
        sys.exit(f"{label}: exit {usage.exit_code}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=60_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-60k"))
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    source, index_dir = args.work / "src", args.work / "ix"
    if not source.exists():
        print(f"writing {args.files:,} re-sampled post files to {source}", flush=True)
        corpus.resample_files(source / "partial", args.files, names=CORPORA)
        (source / "partial").rename(source / "posts")
    files = sorted(p for p in source.rglob("*") if p.is_file())
    argv = [BLOGSEARCH, "index", str(source), "--index-dir", str(index_dir), "-q"]
    for _ in range(args.repeat):
        report("start-up", procstat.run([BLOGSEARCH, "--version"]))
    if "build" in args.steps:
        shutil.rmtree(index_dir, ignore_errors=True)
        report("full build", procstat.run(argv))
    for step in args.steps:
        for i in range(args.repeat if step in ("noop", "change") else 0):
            if step == "change":
                with files[len(files) // 3].open("a", encoding="utf-8") as post:
                    post.write(f"\nOne more line for the update benchmark, run {i + 1}.\n")
            report(f"{step} {i + 1}", procstat.run(argv))
    if "delete" in args.steps:
        victim = files[2 * len(files) // 3]
        kept = victim.read_bytes()
        victim.unlink()
        report("one deleted file", procstat.run(argv))
        victim.write_bytes(kept)  # back, so the archive stays as built
        report("file back", procstat.run(argv))


if __name__ == "__main__":
    main()
