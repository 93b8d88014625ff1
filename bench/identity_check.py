"""Same answers before and after a change: CLI ``--json`` output of two checkouts, byte for byte.

Builds one single and one sharded index per checkout (whole ``blogsearch index`` processes,
timed), runs the same few hundred distinct commands (``query``, ``near``, ``complete``,
``similar``, ``stats``; all with ``--json``) against each through the click entry point in one
process per checkout and index, and compares their output byte for byte. The "before" checkout
is imported through ``PYTHONPATH`` (for example a ``git worktree add /tmp/before <commit>``), so
both run in this virtual environment with the same libraries::

    python bench/identity_check.py --before /tmp/before --work /tmp/identity

Two fields of ``stats`` differ between any two builds, even of the same code: ``built_at``
(when) and ``index_bytes`` (Whoosh names its segments at random, and the names are stored); the
comparison leaves them out, and the report also counts the outputs that are byte-identical.

Queries come from the corpora themselves (words of titles and tags, places of located posts,
misspellings, prefixes), drawn with a fixed seed. Timings are the same run's, interleaved
before/after, on a shared machine: compare them with each other, not with other runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

VOLATILE = re.compile(r'^  "(built_at|index_bytes)": .*$', re.M)  # when built; random segment names
ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
DEFAULT_CORPORA = ("chamerling", "evert", "rust-blog", "tinkerthon", "chrisjrob-wxr")
SEED = 17
RUNNER = "run"  # the sub-command a child process runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser(RUNNER, help="(internal) run commands against one index")
    run.add_argument("--index-dir", type=Path, required=True)
    run.add_argument("--commands", type=Path, required=True)
    run.add_argument("--out", type=Path, required=True)
    parser.add_argument("--before", type=Path, help="checkout to compare with (on PYTHONPATH)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/identity-check"))
    parser.add_argument("--corpora", nargs="*", default=list(DEFAULT_CORPORA))
    parser.add_argument("--queries", type=int, default=300, help="commands per index")
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="timing rounds (alternating)")
    args = parser.parse_args()
    if args.command == RUNNER:
        run_commands(args.index_dir, args.commands, args.out)
    elif args.before is None:
        parser.error("--before is required")
    else:
        compare(args)


def compare(args: argparse.Namespace) -> None:
    """Build, run and compare both checkouts; print the report as JSON."""
    work: Path = args.work
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    sources = [CORPORA / name for name in args.corpora]
    commands = make_commands(sources, args.queries)
    (work / "commands.json").write_text(json.dumps(commands, ensure_ascii=False))
    sides = {"before": args.before.resolve(), "after": ROOT}
    builds: dict[str, dict[str, list[float]]] = {s: {"single": [], "sharded": []} for s in sides}
    runs: dict[str, dict[str, list[float]]] = {s: {"single": [], "sharded": []} for s in sides}
    outputs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for round_ in range(args.rounds):
        order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
        for side in order:
            for kind in ("single", "sharded"):
                index_dir = work / f"{side}-{kind}"
                shutil.rmtree(index_dir, ignore_errors=True)
                extra = ["--shards", str(args.shards)] if kind == "sharded" else []
                seconds = timed(
                    sides[side],
                    ["index", *map(str, sources), "-q", *extra, "--index-dir", str(index_dir)],
                )
                builds[side][kind].append(seconds)
                out = work / f"{side}-{kind}-{round_}.json"
                chosen = commands if kind == "single" else commands[: len(commands) // 3]
                (work / f"{kind}.json").write_text(json.dumps(chosen, ensure_ascii=False))
                timed(sides[side], None, runner=(index_dir, work / f"{kind}.json", out))
                answers = json.loads(out.read_text())
                runs[side][kind].append(statistics.median(a["ms"] for a in answers))
                outputs[(side, kind)] = answers
    report = {
        "corpora": args.corpora,
        "commands": {k: len(outputs[("after", k)]) for k in ("single", "sharded")},
        "differences": differences(outputs),
        "build_s": {
            s: {k: [round(x, 2) for x in v] for k, v in b.items()} for s, b in builds.items()
        },
        "median_query_ms": {
            s: {k: [round(x, 2) for x in v] for k, v in r.items()} for s, r in runs.items()
        },
    }
    print(json.dumps(report, indent=2))


def differences(outputs: dict[tuple[str, str], list[dict[str, Any]]]) -> dict[str, Any]:
    """Commands whose exit code or output differ between the checkouts, per index kind."""
    found: dict[str, Any] = {}
    for kind in ("single", "sharded"):
        before, after = outputs[("before", kind)], outputs[("after", kind)]
        diff = [
            {"argv": a["argv"], "before": b["output"][:300], "after": a["output"][:300]}
            for b, a in zip(before, after, strict=True)
            if (b["exit"], _stable(b["output"])) != (a["exit"], _stable(a["output"]))
        ]
        same = sum(b["output"] == a["output"] for b, a in zip(before, after, strict=True))
        found[kind] = {"differing": len(diff), "byte_identical": same, "examples": diff[:5]}
    return found


def _stable(output: str) -> str:
    """``output`` without the fields that differ between two builds of the same code."""
    return VOLATILE.sub("", output)


def timed(
    checkout: Path, argv: list[str] | None, runner: tuple[Path, Path, Path] | None = None
) -> float:
    """Seconds one child process takes: the CLI with ``argv``, or this script's runner."""
    env = dict(os.environ, PYTHONPATH=str(checkout), BLOGSEARCH_INDEX="")
    if argv is not None:
        code = [
            "-c",
            "import sys; from searcher.cli import main; sys.argv[0] = 'blogsearch'; main()",
            *argv,
        ]
    else:
        assert runner is not None
        index_dir, commands, out = runner
        code = [
            str(Path(__file__).resolve()),
            RUNNER,
            "--index-dir",
            str(index_dir),
            "--commands",
            str(commands),
            "--out",
            str(out),
        ]
    start = time.perf_counter()
    subprocess.run([sys.executable, *code], env=env, check=True, cwd=checkout)
    return time.perf_counter() - start


def run_commands(index_dir: Path, commands_file: Path, out: Path) -> None:
    """Run every command in one process through click, recording exit code, output and time."""
    from click.testing import CliRunner

    import searcher
    from searcher.cli import main as cli

    assert Path(searcher.__file__).resolve().is_relative_to(Path.cwd().resolve()), searcher.__file__
    runner = CliRunner()
    if (index_dir / "shards.json").exists():  # one local cluster for all commands, as a server has
        from distributed import LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
        os.environ["BLOGSEARCH_SCHEDULER"] = cluster.scheduler_address
    answers = []
    for argv in json.loads(commands_file.read_text()):
        start = time.perf_counter()
        result = runner.invoke(cli, [argv[0], "--index-dir", str(index_dir), *argv[1:]])
        ms = (time.perf_counter() - start) * 1000
        answers.append({"argv": argv, "exit": result.exit_code, "output": result.stdout, "ms": ms})
    out.write_text(json.dumps(answers, ensure_ascii=False))


def make_commands(sources: list[Path], count: int) -> list[list[str]]:
    """Distinct commands drawn from the posts of ``sources`` (titles, tags, places, paths)."""
    from searcher import scan

    rng = random.Random(SEED)
    posts = list(scan(sources, geocode=True))  # under the paths the index gives them
    words = sorted({w for p in posts for w in p.title.split() if w.isalpha() and len(w) > 3})
    tags = sorted({t for p in posts for t in p.tags if " " not in t and ":" not in t})
    located = [p for p in posts if p.location is not None]
    paths = sorted(p.path for p in posts)
    made: list[list[str]] = [["stats", "--json"], ["stats", "--json", "--audience", "public"]]
    makers = [
        lambda: ["query", rng.choice(words), "--json"],
        lambda: ["query", f"{rng.choice(words)} {rng.choice(words)}", "--json", "--facets"],
        lambda: ["query", f'"{rng.choice(words)}"', "--json", "--sort", "date", "--limit", "20"],
        lambda: ["query", rng.choice(words)[:4] + "*", "--json", "--audience", "public"],
        lambda: ["query", _typo(rng, rng.choice(words)), "--json"],
        lambda: ["query", f"tag:{rng.choice(tags)}", "--json", "--sort", "date-asc"],
        lambda: [
            "query",
            rng.choice(words),
            "--json",
            "--since",
            str(rng.randint(2005, 2020)),
            "--page",
            "2",
        ],
        lambda: [
            "query",
            f"{rng.choice(words)} OR {rng.choice(words)}",
            "--json",
            "--has-location",
        ],
        lambda: _near(rng, located, words),
        lambda: ["complete", rng.choice(words)[: rng.randint(1, 5)].lower(), "--json"],
        lambda: ["similar", rng.choice(paths), "--json"],
    ]
    seen = {tuple(c) for c in made}
    while len(made) < count:
        command = rng.choice(makers)()
        if tuple(command) not in seen:
            seen.add(tuple(command))
            made.append(command)
    return made


def _typo(rng: random.Random, word: str) -> str:
    """``word`` with two letters swapped: what "did you mean" and typo tolerance handle."""
    i = rng.randrange(len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _near(rng: random.Random, located: list[Any], words: list[str]) -> list[str]:
    """A ``near`` command around a located post, with text, a radius or an audience."""
    if not located:
        return ["near", "48.85", "2.35", "--json"]
    loc = rng.choice(located).location
    lat, lon = round(loc.lat + rng.uniform(-1, 1), 4), round(loc.lon + rng.uniform(-1, 1), 4)
    extra = rng.choice([[], ["--radius", f"{rng.randint(5, 800)}km"], ["--audience", "public"]])
    text = [rng.choice(words)] if rng.random() < 0.3 else []
    return ["near", "--json", *extra, "--", str(lat), str(lon), *text]


if __name__ == "__main__":
    main()
