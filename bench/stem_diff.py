"""Which words stem differently under Whoosh's Python stemmers and ours (Snowball in C)?

Reads the posts of the given corpora, cuts each into words with its language's tokenizer and,
for every stemmed language, stems every distinct word (lowercased and accent-folded, the two
forms the index stems) with ``whoosh.lang.stemmer_for_language`` and with
``analysis.stemmer``. A query word is stemmed in every language of the index, so every word is
compared in every language; ``in posts`` counts only the words of that language's posts (what
its index terms are made of). Differences are reported by script apart: Whoosh's Russian
stemmer transliterates Latin letters into Cyrillic ('ruby' -> 'rub', 'bản' -> 'бảн'), so its
other-script differences are that bug, not the algorithm's new version::

    python bench/stem_diff.py ../shared/corpora [--corpora evert ruby-lang] [--lang en ru]
"""

from __future__ import annotations

import argparse
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import corpus
from whoosh.lang import stemmer_for_language

from searcher.indexing import analysis
from searcher.ingest.reader import scan
from searcher.models import Post

OWN_SCRIPT = {"ru": "CYRILLIC", "ar": "ARABIC"}  # every other language we stem writes Latin


def words(posts: Sequence[Post]) -> tuple[Counter[str], dict[str, Counter[str]]]:
    """Occurrences of each lowercased word (CJK runs left out: no Snowball stemmer takes
    them) in all posts, and by the analysis key of the posts that hold it."""
    every: Counter[str] = Counter()
    by_key: dict[str, Counter[str]] = {}
    for post in posts:
        key = analysis.language_key(post.lang)
        tokenizer = analysis.text_analyzer(key).items[0]
        found = Counter(
            analysis.folded_forms(token.text)[0]
            for token in tokenizer(f"{post.title}\n{post.text}", mode="query")
        )
        for word in [w for w in found if not stemmable(w)]:
            del found[word]
        every.update(found)
        by_key.setdefault(key, Counter()).update(found)
    return every, by_key


def stemmable(word: str) -> bool:
    """Whether ``word`` holds a letter and no CJK character."""
    return any(ch.isalpha() for ch in word) and not any(map(analysis.is_cjk, word))


def script(word: str) -> str:
    """The script of a word's first letter (LATIN, CYRILLIC, ARABIC...)."""
    letter = next((ch for ch in word if ch.isalpha()), "")
    return unicodedata.name(letter, "OTHER").split()[0] if letter else "OTHER"


def differing(
    key: str, every: Counter[str]
) -> list[tuple[str, tuple[str, ...], tuple[str, ...], int]]:
    """(word, Whoosh's stems, ours, occurrences) of each word whose stems differ in ``key``.
    A word is cut as ``key``'s analyzer cuts it (French elisions, English 's) and its stop
    words are left out, as they are never stemmed; each piece is stemmed lowercased and
    accent-folded, the two forms the index keeps."""
    theirs: Callable[[str], str] = stemmer_for_language(key)
    ours = analysis.stemmer(key)
    tokenizer, folder, *_ = analysis.text_analyzer(key).items
    found = []
    for word, count in every.items():
        pieces = [analysis.folded_forms(t.text) for t in tokenizer(word, mode="query")]
        pieces = [(low, fold) for low, fold in pieces if fold not in folder.stops]
        old = tuple(stem for low, fold in pieces for stem in (theirs(low), theirs(fold)))
        new = tuple(stem for low, fold in pieces for stem in (ours(low), ours(fold)))
        if old != new:
            found.append((word, old, new, count))
    return sorted(found, key=lambda d: (-d[3], d[0]))


def report(key: str, every: Counter[str], in_posts: Counter[str], examples: int) -> None:
    own = OWN_SCRIPT.get(key, "LATIN")
    diff = differing(key, every)
    for label, keep in ((f"{own.lower()} words", True), ("other scripts", False)):
        part = [d for d in diff if (script(d[0]) == own) == keep]
        total = sum(n for w, n in every.items() if (script(w) == own) == keep)
        posts_total = sum(n for w, n in in_posts.items() if (script(w) == own) == keep)
        posts_diff = sum(in_posts[d[0]] for d in part)
        print(f"{key} {label}: {len(part)} of "
              f"{sum(1 for w in every if (script(w) == own) == keep)} distinct words differ, "
              f"{sum(d[3] for d in part)} of {total} occurrences; in {key} posts "
              f"{posts_diff} of {posts_total} occurrences")  # fmt: skip
        for word, old, new, count in part[:examples]:
            shown = "/".join(dict.fromkeys(old)), "/".join(dict.fromkeys(new))
            print(f"    {word!r} x{count} (in {key} posts x{in_posts[word]}): "
                  f"whoosh {shown[0]!r}, ours {shown[1]!r}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora_dir", type=Path, nargs="?", default=corpus.DEFAULT_CORPORA)
    parser.add_argument("--corpora", nargs="*", help="only these corpus folders")
    parser.add_argument("--lang", nargs="*", default=list(analysis.SNOWBALL_LANGUAGES))
    parser.add_argument("--examples", type=int, default=8, help="most frequent shown per part")
    args = parser.parse_args()
    folders = corpus.folders(args.corpora_dir, args.corpora)
    posts = [post for folder in folders for post in scan([folder], drafts=False)]
    every, by_key = words(posts)
    langs = Counter(analysis.language_key(post.lang) for post in posts)
    print(f"{len(posts)} posts, {len(every)} distinct words; posts by language: "
          f"{dict(langs.most_common())}")  # fmt: skip
    for key in args.lang:
        report(key, every, by_key.get(key, Counter()), args.examples)


if __name__ == "__main__":
    main()
