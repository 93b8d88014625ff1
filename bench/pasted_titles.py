"""Pasted titles: does each post's exact title, pasted into the search box, find it first?

People paste titles into a search box as they are written: with question marks, quotes,
dashes, brackets, markup. For every shared corpus, indexed on its own as ``blogsearch
index`` reads it, each post's title is searched as it is and the post counts as found when
it ranks first, or shares the top with posts of the same title. Prints the count per corpus
and every miss; writes ``bench/out/pasted-titles-<time>.json``.

Run from the repository root::

    python bench/pasted_titles.py [--corpora ../shared/corpora] [--cache /tmp/titles]

Indexes are kept in ``--cache`` and only updated on later runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import corpus

import searcher
from searcher.errors import BlogsearchError
from searcher.indexing import indexer, records, wordforms
from searcher.ingest.reader import walk

OUT = Path(__file__).resolve().parent / "out"


@dataclass
class Tally:
    """Titles tried in one corpus, and the ones whose post did not come first."""

    name: str
    tried: int = 0
    misses: list[dict[str, object]] = field(default_factory=list)

    @property
    def found(self) -> int:
        return self.tried - len(self.misses)


def sources(folder: Path) -> list[Path]:
    """What ``blogsearch index`` is given for a corpus folder: the folder, or the WordPress
    exports in it when it holds no post files."""
    if next(iter(walk(folder)), None) is not None:
        return [folder]
    return sorted(folder.glob("*.xml"))


def titles(index: searcher.Index) -> Iterator[tuple[str, str]]:
    """(path, title) of every live post with a title."""
    reader = index._current().searcher.reader()
    for _, stored in reader.iter_docs():
        post = records.read(stored)
        if post.title.strip():
            yield post.path, post.title


def first(index: searcher.Index, path: str, title: str) -> dict[str, object] | None:
    """None when the post at ``path`` ranks first for its pasted title (or ties on top with
    posts of the same title); else what went wrong."""
    try:
        results = index.search(title, limit=10)
    except BlogsearchError as exc:
        return {"path": path, "title": title, "error": str(exc)}
    same = wordforms.title_key(title)
    for hit in results.hits:
        if hit.path == path:
            return None
        if wordforms.title_key(hit.title) != same:  # a post of the same title may tie
            return {"path": path, "title": title, "rank": _rank(results, path), "first": hit.path}
    return {"path": path, "title": title, "rank": None, "total": results.total}


def _rank(results: searcher.Results, path: str) -> int | None:
    found = [hit.path for hit in results.hits]
    return found.index(path) + 1 if path in found else None


def measure(folder: Path, cache: Path, sample: int | None = None) -> Tally:
    """The tally of one corpus (every ``n``-th title when ``sample`` bounds how many)."""
    target = cache / folder.name
    indexer.build(sources(folder), target, indexer.BuildOptions())
    tally = Tally(folder.name)
    with searcher.open_index(target) as index:
        every = sorted(titles(index))
        step = max(1, len(every) // sample) if sample else 1
        for path, title in every[::step]:
            tally.tried += 1
            miss = first(index, path, title)
            if miss is not None:
                tally.misses.append(miss)
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=corpus.DEFAULT_CORPORA)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/blogsearch-pasted-titles"))
    parser.add_argument("--sample", type=int, default=None, help="at most this many per corpus")
    args = parser.parse_args()
    tallies = []
    for folder in corpus.folders(args.corpora):
        started = time.perf_counter()
        tally = measure(folder, args.cache, args.sample)
        tallies.append(tally)
        took = time.perf_counter() - started
        print(f"{tally.name:<16} {tally.found:>5} / {tally.tried:<5} first  ({took:.0f} s)")
        for miss in tally.misses:
            print("   ", json.dumps(miss, ensure_ascii=False))
    found, tried = sum(t.found for t in tallies), sum(t.tried for t in tallies)
    print(f"{'all':<16} {found:>5} / {tried:<5} first")
    OUT.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    figures = [{"corpus": t.name, "tried": t.tried, "found": t.found, "misses": t.misses}
               for t in tallies]  # fmt: skip
    (OUT / f"pasted-titles-{stamp}.json").write_text(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
