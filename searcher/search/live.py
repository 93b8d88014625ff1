"""Document frequencies of live documents only.

Whoosh keeps a deleted document's postings, and counts them in ``doc_frequency``, until a
merge rewrites its segment: every edited post leaves its old copy deleted that way, often in
the biggest segment, which is rarely merged. What users are shown (stats, completions, "did
you mean") counts live posts only, so those counts subtract the deleted documents found in
a term's postings.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from whoosh.matching.wrappers import FilterMatcher

from searcher.support.caches import Bounded

MEMO = 50_000  # live frequencies remembered per lexicon
WORDS_KEPT = 2_000_000  # words of first-letter word lists kept per lexicon (~100 MB at most)
_LAST = "\U0010ffff"  # sorts after every character: [p, p + _LAST) holds the words with prefix p
_SKIP_COST = 8  # a skip to a deleted document costs about as much as reading this many ids


def doc_frequency(reader: Any, fieldname: str, text: Any) -> int:
    """Live documents of ``reader`` holding the term."""
    total = 0
    for leaf, _ in reader.leaf_readers():
        found = int(leaf.doc_frequency(fieldname, text))
        if found and leaf.has_deletions():
            found -= _deleted_postings(leaf, fieldname, text, found)
        total += found
    return total


def _deleted_postings(leaf: Any, fieldname: str, text: Any, found: int) -> int:
    """How many of the term's ``found`` postings in one segment are deleted documents': by
    skipping to each deleted one when they are few, else by reading every posting."""
    deleted = leaf.deleted_docs_set
    matcher = leaf.postings(fieldname, text)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child  # every posting, deleted documents' too: from the first one,
        matcher.reset()  # not from where the filter moved it
    if len(deleted) * _SKIP_COST >= found:
        return sum(1 for docnum in matcher.all_ids() if docnum in deleted)
    count = 0
    for docnum in sorted(deleted):
        if not matcher.is_active():
            break
        matcher.skip_to(docnum)
        count += matcher.is_active() and matcher.id() == docnum
    return count


class Lexicon:
    """One reader's terms as :mod:`searcher.search.suggest` reads them (``doc_count``,
    ``doc_frequency``, ``leaf_readers``, ``terms_within``), deleted documents left out.
    Keep one per reader generation: it remembers the frequencies it counted."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.has_deletions = any(leaf.has_deletions() for leaf, _ in reader.leaf_readers())
        self._frequencies: Bounded[tuple[str, Any], int] = Bounded(MEMO)
        self._by_letter: Bounded[tuple[str, str], list[str]] = Bounded(
            budget=WORDS_KEPT, weigh=lambda words: len(words) + 1
        )

    def doc_count(self) -> int:
        return int(self.reader.doc_count())

    def doc_frequency(self, fieldname: str, text: Any) -> int:
        if not self.has_deletions:
            return int(self.reader.doc_frequency(fieldname, text))
        key = (fieldname, text)
        found = self._frequencies.get(key)
        if found is None:
            found = self._frequencies.put(key, doc_frequency(self.reader, fieldname, text))
        return found

    def leaf_readers(self) -> list[tuple[Lexicon, int]]:
        return [(self, 0)]

    def terms_within(self, fieldname: str, text: str, maxdist: int, prefix: int = 0) -> set[str]:
        """Words within ``maxdist`` edits (Levenshtein) of ``text``, their first ``prefix``
        letters as in ``text``, that a live document holds: what Whoosh's automaton finds in
        each segment, computed in C (rapidfuzz) over the words sharing the first letter. The
        automaton took 20-50 ms a lookup at two edits, most of a rare word's query time."""
        from rapidfuzz.distance import Levenshtein  # a typo lookup's only: not at start-up
        from rapidfuzz.process import cdist

        start = text[:prefix]
        words = self._words(fieldname, start[:1])
        if len(start) > 1:
            words = words[
                bisect.bisect_left(words, start) : bisect.bisect_left(words, start + _LAST)
            ]
        found: set[str] = set()
        if words:
            distances = cdist([text], words, scorer=Levenshtein.distance, score_cutoff=maxdist)[0]
            found = {words[i] for i in (distances <= maxdist).nonzero()[0].tolist()}
        if self.has_deletions:
            found = {word for word in found if self.doc_frequency(fieldname, word)}
        return found

    def _words(self, fieldname: str, letter: str) -> list[str]:
        """The field's words beginning with ``letter`` (every word for ""), sorted; from
        the spelling field Whoosh's automaton reads, every segment's words (deleted
        documents' too, as there)."""
        key = (fieldname, letter)
        words = self._by_letter.get(key)
        if words is None:
            field = self.reader.schema[fieldname]
            spelling = field.spelling_fieldname(fieldname)
            found = (field.from_bytes(b) for b in _prefixed(self.reader, spelling, letter))
            words = self._by_letter.put(key, sorted(found))
        return words


def _prefixed(reader: Any, fieldname: str, prefix: str) -> Iterable[bytes]:
    """``reader.expand_prefix(fieldname, prefix)``, in no order: each segment's terms read
    in bulk where it can be, words several segments hold once."""
    from searcher.indexing._whoosh import segreader  # with numpy: a typo lookup's only

    found = [segreader.prefixed_terms(leaf, fieldname, prefix) for leaf, _ in reader.leaf_readers()]
    if any(words is None for words in found):
        whooshs: Iterable[bytes] = reader.expand_prefix(fieldname, prefix)
        return whooshs
    return found[0] if len(found) == 1 and found[0] is not None else {
        word for words in found if words is not None for word in words}  # fmt: skip
