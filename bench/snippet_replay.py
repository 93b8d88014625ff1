"""Snippets alone, replayed: the snippet work of first-time queries, recorded once, then
timed (CPU) and compared between two versions without the rest of a search around it.

``record`` asks distinct queries of an index (as ``snippet_cost.py`` does) and writes, in
order, each snippet source made (post and its flat text) and each snippet built (post, language,
what it marks); ``replay`` makes the same sources and builds the same snippets with the code
at hand, fresh caches and all, prints the CPU they take and writes the snippets, so two
versions' outputs can be compared::

    python bench/snippet_replay.py record INDEX calls.pickle --count 3000
    PYTHONPATH=/tmp/before python bench/snippet_replay.py replay calls.pickle --out old.json
    python bench/snippet_replay.py replay calls.pickle --out new.json --compare old.json
"""

from __future__ import annotations

import argparse
import functools
import json
import pickle
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import distinct
from same_results import EXTRA, stored_posts

from searcher.api import open_index
from searcher.indexing import analysis
from searcher.search import snippets

Event = tuple[Any, ...]  # ("source", text) or ("build", source number, language key, leaves)


def record(index_dir: Path, out: Path, count: int) -> None:
    posts = stored_posts(index_dir)
    queries = distinct.draw(posts, count) + EXTRA
    events: list[Event] = []
    numbers: dict[int, int] = {}  # id(Source) → its number in events
    sources: list[snippets.Source] = []  # kept alive, so ids stay unique
    make = snippets.Source
    build = snippets.build

    def of(text: str) -> snippets.Source:  # hits.py makes a post's source from flat text
        source = make(text)
        numbers[id(source)] = len(sources)
        sources.append(source)
        events.append(("source", text))
        return source

    @functools.wraps(build)
    def built(source: Any, analyzer: Any, wanted: snippets.Targets, *args: Any) -> str:
        key = next(k for k in analysis.LANGUAGE_KEYS if analysis.text_analyzer(k) is analyzer)
        events.append(("build", numbers[id(source)], key, wanted.leaves()))
        return build(source, analyzer, wanted, *args)

    snippets.Source = of  # type: ignore[misc,assignment]
    snippets.build = built  # type: ignore[assignment]
    index = open_index(index_dir, audience="owner")
    for text in queries:
        index.search(text, limit=10)
    with out.open("wb") as f:
        pickle.dump(events, f)
    print(f"{len(queries)} queries: {len(sources)} sources, {len(events) - len(sources)} snippets")


def replay(calls: Path, out: Path | None, compare: Path | None, rounds: int) -> int:
    with calls.open("rb") as f:
        events: list[Event] = pickle.load(f)
    analyzers = {k: analysis.text_analyzer(k) for k in analysis.LANGUAGE_KEYS}
    targets = {}
    for event in events:
        if event[0] == "build" and event[3] not in targets:
            targets[event[3]] = _targets(event[3])
    best: list[float] = []
    for _ in range(rounds):
        _forget()  # a fresh start, as a new process has
        kept = snippets.Kept()
        sources: list[snippets.Source] = []
        made: list[str] = []
        start = time.process_time()
        spent_sources = 0.0
        for event in events:
            if event[0] == "source":
                at = time.process_time()
                sources.append(snippets.Source(event[1]))
                spent_sources += time.process_time() - at
            else:
                _, number, key, leaves = event
                made.append(
                    snippets.build(sources[number], analyzers[key], targets[leaves], kept, number)
                )
        spent = time.process_time() - start
        best.append(spent)
        print(f"{len(made)} snippets, {len(sources)} sources: CPU {spent:.3f} s"
              f" (sources {spent_sources:.3f} s)")  # fmt: skip
    print(f"best of {rounds}: {min(best):.3f} s")
    if out is not None:
        out.write_text(json.dumps(made, ensure_ascii=False))
    if compare is not None:
        old = json.loads(compare.read_text())
        differ = [i for i, (a, b) in enumerate(zip(old, made, strict=True)) if a != b]
        print(f"{len(made)} snippets compared with {compare}: {len(differ)} differ")
        for i in differ[:5]:
            print(f"  #{i}\n    before {old[i][:300]!r}\n    after  {made[i][:300]!r}")
        return 1 if differ or len(old) != len(made) else 0
    return 0


def _forget() -> None:
    """Forget every remembered window and word form, whichever version this is."""
    memo = getattr(snippets, "_TOKENS", None)  # before snippetwords
    if memo is not None:
        memo.clear()
    else:
        from searcher.search import snippetwords

        snippetwords.clear()
    analysis._FOLDED.clear()
    for forms in analysis._STEMMED.values():
        forms.clear()


def _targets(leaves: Sequence[tuple[str, Any]]) -> snippets.Targets:
    found = snippets.Targets()
    for leaf in leaves:
        one = snippets.Targets.of(leaf)
        found.terms |= one.terms
        found.prefixes |= one.prefixes
        found.wildcards |= one.wildcards
        found.phrases |= one.phrases
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    r = sub.add_parser("record")
    r.add_argument("index_dir", type=Path)
    r.add_argument("out", type=Path)
    r.add_argument("--count", type=int, default=3000)
    p = sub.add_parser("replay")
    p.add_argument("calls", type=Path)
    p.add_argument("--out", type=Path)
    p.add_argument("--compare", type=Path)
    p.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    if args.what == "record":
        record(args.index_dir, args.out, args.count)
    else:
        sys.exit(replay(args.calls, args.out, args.compare, args.rounds))


if __name__ == "__main__":
    main()
