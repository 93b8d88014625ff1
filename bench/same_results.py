"""Do two versions of blogsearch answer the same queries the same way? Dump, then compare.

Draws distinct one- and two-word queries (``distinct.draw``) from the posts stored in an index,
asks each once through ``Index.search`` and writes one JSON line per query: the whole of
``Results.to_dict()`` (hits, their order, scores, snippets, totals, suggestion). Run it once
per version on the same index and compare the files::

    PYTHONPATH=/tmp/before python bench/same_results.py dump INDEX before.jsonl
    python bench/same_results.py dump INDEX after.jsonl
    python bench/same_results.py compare before.jsonl after.jsonl

``dump --facets --pages 2`` asks each query with facet counts and for its second page too
(an answer is then the list of its pages); a sharded index is dumped alike. ``dump --profile``
also prints where the time of those first-time queries goes (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import pstats
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import distinct

from searcher.api import open_index
from searcher.indexing import ondisk, records
from searcher.models import Post
from searcher.shards.layout import read_layout

EXTRA = [  # the syntax people also type, beside the drawn words
    '"borrow checker"', "ruby -rails", "title:release", "tag:security", "rust OR ruby",
    "sécurité", "脆弱性", "уязвимость", "rubyy", "borow chekcer", "the", "on", "ruby on rails",
    "date:2019 release", "webassembl*", "cve-2013-4164", "2.7.0", "c++", "a b c",
]  # fmt: skip


def stored_posts(index_dir: Path) -> list[Post]:
    """The posts an index holds (every shard's), with their stored title and text (enough to
    draw queries)."""
    layout = read_layout(index_dir)
    if layout is not None:
        return [post for shard in layout.shard_dirs() for post in stored_posts(shard)]
    ix = ondisk.open_existing(index_dir)
    posts = []
    with ix.searcher() as searcher:
        for _docnum, stored in searcher.reader().iter_docs():
            post = records.read(stored)
            posts.append(Post(path=str(len(posts)), title=post.title, date=None, text=post.text))
    ix.close()
    return posts


def ask(index: Any, text: str, pages: int, facets: bool) -> Any:
    """``text``'s answer: page 1 alone (as before), or each of ``pages`` pages."""
    if pages == 1 and not facets:
        return index.search(text, limit=10).to_dict()
    return [index.search(text, limit=10, page=page, facets=facets).to_dict()
            for page in range(1, pages + 1)]  # fmt: skip


def dump(
    index_dir: Path, out: Path, count: int, profile: bool, pages: int = 1, facets: bool = False
) -> None:
    posts = stored_posts(index_dir)
    queries = distinct.draw(posts, count) + EXTRA
    index = open_index(index_dir, audience="owner")
    index.search("warm up the generation", limit=10)
    profiler = cProfile.Profile() if profile else None
    times = []
    with out.open("w") as f:
        for text in queries:
            start = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            try:
                answer: Any = ask(index, text, pages, facets)
            except Exception as exc:  # an error is an answer too, and must stay the same
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            if profiler is not None:
                profiler.disable()
            times.append((time.perf_counter() - start) * 1000)
            f.write(json.dumps({"query": text, "answer": answer}, ensure_ascii=False) + "\n")
    times.sort()
    print(f"{len(queries)} queries, median {times[len(times) // 2]:.2f} ms,"
          f" p95 {times[int(len(times) * 0.95)]:.2f} ms")  # fmt: skip
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


def same(a: Any, b: Any) -> bool:
    """Equal, with scores compared to 1e-9 relative (sums in another order may differ in ulps)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def compare(before: Path, after: Path) -> int:
    old = [json.loads(line) for line in before.open()]
    new = [json.loads(line) for line in after.open()]
    if [o["query"] for o in old] != [n["query"] for n in new]:
        print("the two files hold different queries")
        return 2
    differ = [(o, n) for o, n in zip(old, new, strict=True) if not same(o["answer"], n["answer"])]
    hits = sum(len(page.get("hits", [])) for o in old for page in _pages(o["answer"]))
    print(f"{len(old)} queries, {hits} hits compared: {len(differ)} differ")
    for o, n in differ[:10]:
        print(f"  {o['query']!r}:\n    before {json.dumps(o['answer'])[:400]}"
              f"\n    after  {json.dumps(n['answer'])[:400]}")  # fmt: skip
    return 1 if differ else 0


def _pages(answer: Any) -> list[Any]:
    return answer if isinstance(answer, list) else [answer]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    d = sub.add_parser("dump")
    d.add_argument("index_dir", type=Path)
    d.add_argument("out", type=Path)
    d.add_argument("--count", type=int, default=3000)
    d.add_argument("--profile", action="store_true")
    d.add_argument("--pages", type=int, default=1, help="pages asked of each query")
    d.add_argument("--facets", action="store_true", help="count facets too")
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.what == "dump":
        dump(args.index_dir, args.out, args.count, args.profile, args.pages, args.facets)
    else:
        sys.exit(compare(args.before, args.after))


if __name__ == "__main__":
    main()
