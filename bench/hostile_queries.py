"""The most expensive queries anyone can type, timed one by one on a large index.

A match-all (``*``, ``body:*``), negations alone, wildcards with no stem or a short one,
thousand-character pastes, deep parentheses, many ORs and typos: each is asked once, in a
fresh process state for that query (nothing of it cached), and its wall time printed with
the answer (hits, or the one-line error). Over 60,000 posts none may take more than 1 s;
a refusal (a clear usage error) is an answer too.

Run from the repository root against an existing index, for instance one of 60,000 posts
re-sampled from the shared corpora (``bench/corpus.py``)::

    python bench/hostile_queries.py [--budget 1.0] [--timeout 120] -- INDEX_DIR [QUERY...]

Each query runs in its own child process, killed after ``--timeout`` seconds, so one that
never ends cannot stop the run. Figures go to ``bench/out/hostile-queries-<time>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
LOREM = (
    "release security ruby rails performance memory garbage collector thread fiber ractor "
    "compiler parser syntax error warning deprecation update version patch bug fix test "
)
QUERIES = [
    "*",
    "body:*",
    "* -ruby",
    "ruby *",
    "???*",
    "-ruby",
    "NOT ruby NOT rust",
    "a*",
    "r*",
    "re*",
    "*a",
    "*ing",
    "*a*",
    "?",
    "??",
    "tag:*",
    "title:*",
    "[a TO z]",
    "date:[0001 TO 9999]",
    "date:[* TO *] ruby",
    "(" * 200 + "ruby" + ")" * 200,
    '"' * 101,
    " OR ".join(LOREM.split() * 3)[:1000],
    (LOREM * 10)[:1000],
    ("secruity relase perfromance rubby" + " ") * 28,
    ('"ruby rails" ' * 80)[:1000],
    ("-ruby " * 170)[:1000],
    ("ruby* " * 160)[:1000],
    ("ru?y " * 200)[:1000],
    ("near:Paris~20km " * 2).strip(),
    "</b><script>alert(1)</script>" * 30,
    ("the " * 250)[:1000],  # stop words alone: the words field, every post
    "the of and to a in is it you that he was for on are with as",
    ("2019-05 " * 125)[:1000],  # each a word OR a month
    "date:1900..2099",
    "near:Rio de Janeiro~20000km the",
    ("\u201cruby on rails\u201d " * 60)[:1000],
]


def _run(index_dir: str, text: str, out: Any) -> None:
    import searcher
    from searcher.errors import BlogsearchError

    index = searcher.open_index(index_dir)
    index.search("warm up the generation")  # opening, columns, geo: not the query's cost
    started = time.perf_counter()
    try:
        results = index.search(text)
        answer = f"{results.total} hits"
    except BlogsearchError as exc:
        answer = f"refused: {exc}"[:160]
    out.put((time.perf_counter() - started, answer))


def measure(index_dir: Path, text: str, timeout: float) -> dict[str, Any]:
    """One query in a child process: its seconds and answer, or that it ran out of time."""
    queue: Any = multiprocessing.Queue()
    child = multiprocessing.Process(target=_run, args=(str(index_dir), text, queue))
    child.start()
    child.join(timeout + 60)  # opening the index is not timed
    if child.is_alive():
        child.kill()
        child.join()
        return {"query": text, "seconds": None, "answer": f"over {timeout:.0f} s: killed"}
    if queue.empty():
        return {"query": text, "seconds": None, "answer": f"crashed ({child.exitcode})"}
    seconds, answer = queue.get()
    return {"query": text, "seconds": seconds, "answer": answer}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--budget", type=float, default=1.0, help="seconds a query may take")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("queries", nargs="*", help="these queries instead of the list")
    args = parser.parse_args()
    rows = []
    for text in args.queries or QUERIES:
        row = measure(args.index, text, args.timeout)
        rows.append(row)
        took = "   killed" if row["seconds"] is None else f"{row['seconds']:8.3f}s"
        flag = "" if row["seconds"] is not None and row["seconds"] <= args.budget else "  OVER"
        shown = text if len(text) <= 40 else f"{text[:37]}... ({len(text)} chars)"
        print(f"{took}{flag}  {shown!r:<55} {row['answer']}", flush=True)
    over = [r for r in rows if r["seconds"] is None or r["seconds"] > args.budget]
    print(f"{len(over)} of {len(rows)} over {args.budget} s (load average {os.getloadavg()})")
    OUT.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (OUT / f"hostile-queries-{stamp}.json").write_text(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()
