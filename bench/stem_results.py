"""Does every answer that changed with the stemmer change because of a stem? Sorts the queries
of two ``same_results.py`` dumps (one on an index built with Whoosh's stemmers, one on an
index of the same posts built with ours) by the reason their answers differ:

- scores only: the same hits, order and snippets; BM25's average field lengths moved
  because some words now index one form instead of two (or two instead of one);
- a query word's stem changed in one of the index's languages (``added`` is now ``add``
  in English, not ``ad``; ``ruby`` keeps its letters in Russian);
- a post word's stem now meets a query word's, or no longer does (a post saying "Added" is
  found by ``add``);
- reordered: the hits' scores were within 1 %, or a hit holds a word that now indexes one
  form instead of two or two instead of one (its field length changed, so did its score);
- unexplained: none of these, printed in full::

    PYTHONPATH=/tmp/before python bench/same_results.py dump OLD_INDEX before.jsonl
    python bench/same_results.py dump NEW_INDEX after.jsonl
    python bench/stem_results.py before.jsonl after.jsonl NEW_INDEX
"""

from __future__ import annotations

import argparse
import functools
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh.lang import stemmer_for_language

from searcher.indexing import analysis, ondisk, records
from searcher.indexing.records import StoredPost


class Stems:
    """Whoosh's and our stems of words, in the stemmed languages of one index."""

    def __init__(self, posts: dict[str, StoredPost]) -> None:
        self.posts = posts
        keys = {analysis.language_key(post.lang) for post in posts.values()}
        self.langs = sorted(keys & set(analysis.SNOWBALL_LANGUAGES))
        self.theirs = {key: stemmer_for_language(key) for key in self.langs}

    @functools.cache  # noqa: B019 (one instance per run)
    def of(self, key: str, word: str, ours: bool) -> frozenset[str]:
        """The forms ``word`` indexes as in ``key``: fold(stem(lowered)) and stem(folded)."""
        stem: Callable[[str], str] = analysis.stemmer(key) if ours else self.theirs[key]
        lowered, folded = analysis.folded_forms(word)
        return frozenset({analysis.fold(stem(lowered)), stem(folded)})

    def changed(self, key: str, word: str) -> bool:
        return self.of(key, word, False) != self.of(key, word, True)

    @functools.cache  # noqa: B019
    def words(self, text: str, key: str = "any") -> frozenset[str]:
        tokenizer = analysis.text_analyzer(key).items[0]
        return frozenset(token.text for token in tokenizer(text, mode="query"))

    def query_change(self, query: str) -> str | None:
        """A query word whose stems changed in one of the index's languages."""
        for word in self.words(query):
            for key in self.langs:
                if self.changed(key, word):
                    return f"{word!r} in {key}: {self._shown(key, word)}"
        return None

    def post_change(self, query: str, path: str, meets: bool) -> str | None:
        """A word of post ``path`` whose stems changed: ``meets``, to or from a query word's;
        else from one form to two or from two to one (the post's field length changed)."""
        post = self.posts.get(path)
        key = analysis.language_key(post.lang) if post else "any"
        if post is None or key not in self.theirs:
            return None
        asked = self.words(query)
        for word in self.words(f"{post.title}\n{post.text}", key):
            if not self.changed(key, word):
                continue
            if meets:
                if self._meets(key, word, asked, False) != self._meets(key, word, asked, True):
                    return f"{path}: {word!r} in {key}: {self._shown(key, word)}"
            elif len(self.of(key, word, False)) != len(self.of(key, word, True)):
                return f"{path}: {word!r} in {key}: {self._shown(key, word)}"
        return None

    def _meets(self, key: str, word: str, asked: frozenset[str], ours: bool) -> bool:
        return any(self.of(key, word, ours) & self.of(key, q, ours) for q in asked)

    def _shown(self, key: str, word: str) -> str:
        old, new = sorted(self.of(key, word, False)), sorted(self.of(key, word, True))
        return f"whoosh {'/'.join(old)}, ours {'/'.join(new)}"


def hits(answer: Any) -> list[dict[str, Any]]:
    pages = answer if isinstance(answer, list) else [answer]
    return [hit for page in pages for hit in page.get("hits", [])]


def without_scores(value: Any) -> Any:
    if isinstance(value, list):
        return [without_scores(v) for v in value]
    if isinstance(value, dict):
        return {k: without_scores(v) for k, v in value.items() if k != "score"}
    return value


def reason(stems: Stems, query: str, old: Any, new: Any) -> tuple[str, str]:
    """Why ``query``'s answer went from ``old`` to ``new``: (kind, an example)."""
    if old == new:
        return "same", ""
    if without_scores(old) == without_scores(new):
        return "scores only", ""
    asked = stems.query_change(query)
    if asked:
        return "a query word's stem changed", asked
    before, after = hits(old), hits(new)
    snippets = {h["path"]: h["snippet"] for h in before}
    paths = [h["path"] for h in before], [h["path"] for h in after]
    involved = [*(set(paths[0]) ^ set(paths[1]))]
    involved += [h["path"] for h in after if snippets.get(h["path"], h["snippet"]) != h["snippet"]]
    if not involved and paths[0] == paths[1]:
        involved = list(stems.posts)  # a total or a suggestion: any post may be the cause
    for path in involved:
        found = stems.post_change(query, path, meets=True)
        if found:
            return "a post word's stem now (or no longer) meets a query word's", found
    scores = {h["path"]: h["score"] for h in before}
    moved = [p for p, q in zip(*paths, strict=False) if p != q and p in scores]
    if moved and max(scores[p] for p in moved) <= 1.01 * min(scores[p] for p in moved):
        return "reordered: scores within 1 %", ", ".join(moved)
    for path in dict.fromkeys([*paths[0], *paths[1]]):
        found = stems.post_change(query, path, meets=False)
        if found:
            return "reordered: a hit's field length changed", found
    return "UNEXPLAINED", json.dumps([old, new], ensure_ascii=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("index_dir", type=Path, help="the index the after dump asked")
    parser.add_argument("--examples", type=int, default=6)
    args = parser.parse_args()
    old = [json.loads(line) for line in args.before.open()]
    new = [json.loads(line) for line in args.after.open()]
    if [o["query"] for o in old] != [n["query"] for n in new]:
        raise SystemExit("the two files hold different queries")
    ix = ondisk.open_existing(args.index_dir)
    with ix.searcher() as searcher:
        stored = [records.read(fields) for _, fields in searcher.reader().iter_docs()]
    stems = Stems({post.path: post for post in stored})
    kinds: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for o, n in zip(old, new, strict=True):
        kind, example = reason(stems, o["query"], o["answer"], n["answer"])
        kinds[kind] += 1
        examples.setdefault(kind, []).append(f"{o['query']!r}: {example}")
    print(f"{len(old)} queries; the index's stemmed languages: {', '.join(stems.langs)}")
    for kind, count in kinds.most_common():
        print(f"{count:6d}  {kind}")
        for example in examples[kind][: args.examples if kind != "UNEXPLAINED" else None]:
            print(f"          {example[:300]}")


if __name__ == "__main__":
    main()
