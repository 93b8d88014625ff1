"""Phrase-strict snippets: the passages of a post where the query matched, marked up safely.

The text is re-tokenised with the field's own analyser, so a match is exactly what the index
matched: a phrase is marked only where its words stand together, a word under NOT is never
marked, and stemmed or accent-folded forms are marked in the words as written. Whoosh's own
strict-phrase highlighter aligns whitespace-split words with analyser tokens and marks the
wrong words; this module replaces it.
"""

from __future__ import annotations

import bisect
import fnmatch
import functools
import html
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from whoosh import query

from searcher import analysis, schema

FRAGMENT_CHARS = 240
FRAGMENTS = 2
MAX_MATCHES = 400
FIRST_WINDOW = 4000  # characters analysed when no cheap candidate search is possible
SPOTS = 12  # the first candidate places, and every other one up to REACH characters after them
REACH = 400
MAX_SPOTS = 64
WORD_CHARS = 64  # a candidate's word is looked for this far back; longer runs are CJK or URLs
# letters an accent-folded form may stand for in the text, for the candidate search
_VARIANTS = {
    "a": "aàáâãäåāăą", "c": "cçćĉċč", "e": "eèéêëēĕėęě", "i": "iìíîïĩīĭį\u0131", "n": "nñńņň",
    "o": "oòóôõöøōŏő", "u": "uùúûüũūŭůűų", "y": "yýÿŷ", "s": "sśŝşšß", "z": "zźżž",
    "d": "dďđ", "g": "gĝğġģ", "l": "lĺļľł", "r": "rŕŗř", "t": "tţťŧ",
    "\u0435": "\u0435\u0451",  # Cyrillic e and yo
}  # fmt: skip
_VARIANT_LETTERS = frozenset(_VARIANTS)
_ACCENTED = re.compile("[" + "".join(sorted({c for v in _VARIANTS.values() for c in v[1:]})) + "]")


@dataclass
class Targets:
    """What to mark: single terms, prefixes, wildcards and phrases (as token-text tuples)."""

    terms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    wildcards: set[str] = field(default_factory=set)
    phrases: set[tuple[str, ...]] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.terms or self.prefixes or self.wildcards or self.phrases)

    def stems(self) -> tuple[str, ...] | None:
        """Word beginnings every match starts with, or None when one cannot be given."""
        if self.wildcards:
            return None
        firsts = {*self.terms, *self.prefixes, *(phrase[0] for phrase in self.phrases)}
        return tuple(sorted(firsts))

    def __contains__(self, text: str) -> bool:
        return self.single(text)

    def single(self, text: str) -> bool:
        if text in self.terms:
            return True
        if not self.prefixes and not self.wildcards:  # the usual case: terms alone
            return False
        return any(text.startswith(p) for p in self.prefixes) or any(
            fnmatch.fnmatchcase(text, w) for w in self.wildcards
        )


def targets(q: query.Query, fieldname: str, language: str | None = None) -> Targets:
    """The positive leaves of ``q`` that apply to ``fieldname`` (and, for leaves that search
    posts of some languages only, to posts analysed in ``language``)."""
    found = Targets()
    _collect(q, fieldname, found, language)
    return found


def _collect(q: query.Query, fieldname: str, found: Targets, language: str | None) -> None:
    if isinstance(q, query.Not):
        return
    if isinstance(q, query.AndNot):
        _collect(q.a, fieldname, found, language)
        return
    if isinstance(q, query.Require):  # a form scoped to some languages (schema.form_query)
        scope = {leaf.text for leaf in q.b.leaves() if leaf.field() == schema.ANALYSIS}
        if language is None or not scope or language in scope:
            _collect(q.a, fieldname, found, language)
        return
    name = getattr(q, "fieldname", None)
    if isinstance(q, query.Phrase):
        if name == fieldname:
            found.phrases.add(tuple(q.words))
    elif isinstance(q, query.Prefix):
        if name == fieldname:
            found.prefixes.add(q.text)
    elif isinstance(q, query.Wildcard):
        if name == fieldname:
            found.wildcards.add(q.text)
    elif isinstance(q, query.Term):
        if name == fieldname:
            found.terms.add(q.text if isinstance(q.text, str) else q.text.decode())
    else:
        for child in q.children():
            _collect(child, fieldname, found, language)


@dataclass(frozen=True)
class Source:
    """A text to build snippets from, with what the candidate search needs of it: worth
    keeping for a text that is marked up again and again."""

    text: str
    lowered: str | None  # text.lower(), or None if a letter lower-cases into two
    plain: bool  # no letter in it that an accent-folded form may stand for but its own

    @classmethod
    def of(cls, text: str) -> Source:
        lowered: str | None = text.lower()
        if lowered is not None and len(lowered) != len(text):
            lowered = None
        plain = lowered is not None and (lowered.isascii() or not _ACCENTED.search(lowered))
        return cls(text, lowered, plain)


def build(source: str | Source, analyzer: Any, wanted: Targets) -> str:
    """HTML: up to two passages of a text around the matches, matches in ``<mark>``.

    A cheap accent-insensitive search for the forms' beginnings finds candidate places; only
    the words there (and, for phrases, the words after them) are analysed, and the analyser
    decides what really matches.
    """
    if isinstance(source, str):
        source = Source.of(source)
    text = source.text
    if not wanted:
        return opening(text)
    stems = wanted.stems()
    places = _places(source, stems) if stems else None
    if places is None:
        spans = _matches(text[:FIRST_WINDOW], analyzer, wanted, 0)
    else:
        spans = []
        if wanted.phrases:
            # a phrase's other words, and one more: a stop word may stand between them
            after = max(len(phrase) for phrase in wanted.phrases)
            for start, end in _windows(text, places, after):
                spans.extend(_matches(text[start:end], analyzer, wanted, start))
        else:  # single words, the usual case: _matches inlined, as windows are many and short
            single: Targets | set[str] = (
                wanted if wanted.prefixes or wanted.wildcards else wanted.terms)  # fmt: skip
            for start, end in _windows(text, places, 0):
                marked = {pos: (first + start, last + start, word)
                          for pos, word, first, last in _tokens(text[start:end], analyzer)
                          if word in single}  # fmt: skip
                spans.extend(marked.values())  # one mark per position, in position order
    if not spans:
        return opening(text)
    spans = sorted(set(spans))[:MAX_MATCHES]
    fragments = _best_windows(text, spans)
    return " ".join(_render(text, start, end, spans) for start, end in fragments)


def _places(source: Source, stems: tuple[str, ...]) -> list[tuple[int, int]] | None:
    """(start, end) of the candidate places in the text, in order: where a word may start
    like one of ``stems``, accents and case aside (a stem's last letter may differ: Snowball
    turns "ruby" into "rubi"). None when a stem is too short to search for.

    Each stem is looked for on its own: by ``str.find`` where no letter of it can be written
    otherwise in the text (no accented letters in it; CJK and most Cyrillic stems), else by a
    regex of its letters' variants. Only as many places are kept as :func:`_windows` uses.
    """
    lowered = source.lowered
    if lowered is None:  # a letter lower-cased into two: offsets would drift
        pattern = _candidates(stems, re.IGNORECASE)
        if pattern is None:
            return None
        matches = pattern.finditer(source.text)
        return [m.span() for _, m in zip(range(MAX_SPOTS), matches, strict=False)]
    plain_text = source.plain
    found: list[tuple[int, int]] = []
    for stem in stems:
        stem = stem[:-1] if len(stem) > 3 else stem
        if not stem:
            return None
        if plain_text or not _VARIANT_LETTERS.intersection(stem):
            size, at, reach = len(stem), lowered.find(stem), -1
            for count in range(MAX_SPOTS):
                if at < 0 or (count >= SPOTS and at > reach):
                    break
                found.append((at, at + size))
                if count < SPOTS:
                    reach = at + size + REACH
                at = lowered.find(stem, at + size)
        else:
            reach = -1
            for count, match in enumerate(_stem_pattern(stem).finditer(lowered)):
                if count >= MAX_SPOTS or (count >= SPOTS and match.start() > reach):
                    break
                found.append(match.span())
                if count < SPOTS:
                    reach = match.end() + REACH
    if len(stems) > 1:
        found.sort()
    return found


@functools.lru_cache(maxsize=1024)
def _stem_pattern(stem: str) -> re.Pattern[str]:
    return re.compile("".join(_letter(ch) for ch in stem))


@functools.lru_cache(maxsize=256)
def _candidates(
    stems: tuple[str, ...], flags: re.RegexFlag = re.NOFLAG
) -> re.Pattern[str] | None:
    """A regex for words starting like any of ``stems``."""
    parts = []
    for stem in stems:
        stem = stem[:-1] if len(stem) > 3 else stem
        if not stem:
            return None
        parts.append("".join(_letter(ch) for ch in stem))
    return re.compile("|".join(parts), flags)


def _letter(ch: str) -> str:
    variants = _VARIANTS.get(ch)
    return f"[{variants}]" if variants else re.escape(ch)


def _windows(text: str, places: list[tuple[int, int]], words: int) -> list[tuple[int, int]]:
    """Merged windows over the candidate places: the first SPOTS, and the others within REACH
    characters of them. A window holds the candidate's whole word and the ``words`` words
    after it (a phrase's length), and starts at a space, so its tokens are the indexer's."""
    windows: list[tuple[int, int]] = []
    match_tail = _tail(words).match
    rfind, is_cjk = text.rfind, analysis.is_cjk
    reach = last_end = -1
    for count, (at, after) in enumerate(places):
        if count < SPOTS:
            reach = after + REACH
        elif at > reach or count >= MAX_SPOTS:
            break
        if text[at] >= "\u1100" and is_cjk(text[at]):
            # CJK runs are cut into overlapping bigrams: any character starts real tokens, and
            # a phrase of n bigrams spans n + 1 characters
            start, end = at, min(len(text), after + words + 2)
        else:
            start = rfind(" ", at - WORD_CHARS if at > WORD_CHARS else 0, at) + 1
            if start == 0 and at > WORD_CHARS:  # a long unspaced run: a URL
                start = max(rfind(" ", 0, at) + 1, at - 4 * WORD_CHARS)
            found = match_tail(text, after)
            end = found.end() if found else after
        if start <= last_end:
            if end > last_end:
                windows[-1] = (windows[-1][0], end)
                last_end = end
        else:
            windows.append((start, end))
            last_end = end
    return windows


@functools.lru_cache(maxsize=16)
def _tail(words: int) -> re.Pattern[str]:
    """The rest of a word, then ``words`` more."""
    return re.compile(rf"\S{{0,{WORD_CHARS}}}(?:\s+\S{{1,{WORD_CHARS}}}){{0,{words}}}")


def opening(text: str, chars: int = 200) -> str:
    """The first words of ``text`` as escaped HTML, for hits with nothing to mark."""
    if len(text) <= chars:
        return html.escape(text, quote=False)
    cut = text[:chars].rsplit(" ", 1)[0]
    return html.escape(cut, quote=False) + "…"


def _matches(text: str, analyzer: Any, wanted: Targets, offset: int) -> list[tuple[int, int, str]]:
    """(start, end, key) of every marked word, ``offset`` added; analysers may emit several
    forms per position."""
    tokens = _tokens(text, analyzer)
    if not wanted.phrases:  # single words only: no need to line positions up
        single = wanted.single
        hits = {pos: (start + offset, end + offset, word)
                for pos, word, start, end in tokens if single(word)}  # fmt: skip
        if len(hits) < 2:  # a window is most often one word
            return list(hits.values())
        return [hits[pos] for pos in sorted(hits)][:MAX_MATCHES]
    at: dict[int, list[tuple[str, int, int]]] = {}
    for pos, word, start, end in tokens:
        at.setdefault(pos, []).append((word, start + offset, end + offset))
    marked: dict[int, tuple[int, int, str]] = {}
    for pos, forms in at.items():
        for word, start, end in forms:
            if wanted.single(word):
                marked[pos] = (start, end, word)
    for phrase in wanted.phrases:
        for pos in at:
            if all(any(f[0] == word for f in at.get(pos + j, ())) for j, word in enumerate(phrase)):
                for j in range(len(phrase)):
                    _, start, end = at[pos + j][0]
                    marked[pos + j] = (start, end, " ".join(phrase))
        if len(marked) > MAX_MATCHES:
            break
    return [marked[pos] for pos in sorted(marked)][:MAX_MATCHES]


def _tokens(text: str, analyzer: Any) -> tuple[tuple[int, str, int, int], ...]:
    """(position, form, start, end) of each token; short windows (a word or a few) are
    remembered per analyser, since the same words come back in hit after hit."""
    key = (text, id(analyzer))
    memo = _TOKENS.get(key) if len(text) <= _MEMO_CHARS else None
    if memo is not None and memo[0] is analyzer:  # the very analyser, not one at its address
        return memo[1]
    found = tuple(
        (t.pos, t.text, t.startchar, t.endchar)
        for t in analyzer(text, positions=True, chars=True, mode="index", removestops=False)
    )
    if len(text) <= _MEMO_CHARS:
        with _TOKENS_LOCK:
            if len(_TOKENS) >= _MEMO_SIZE:
                _TOKENS.clear()
            _TOKENS[key] = (analyzer, found)
    return found


_TOKENS: dict[tuple[str, int], tuple[Any, tuple[tuple[int, str, int, int], ...]]] = {}
_TOKENS_LOCK = threading.Lock()
_MEMO_CHARS, _MEMO_SIZE = 120, 50_000


def _best_windows(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """Non-overlapping windows holding the most distinct matched terms, in text order.

    Each candidate window starts a little before a match; as the matches are sorted, the
    first and last match inside it only move forwards from one candidate to the next.
    """
    chosen: list[tuple[int, int]] = []
    remaining = spans
    size = len(text)
    for _ in range(FRAGMENTS):
        if not remaining:
            break
        best, best_score = (0, 0), (-1, 0)
        count = len(remaining)
        starts = [s[0] for s in remaining]
        ends = [s[1] for s in remaining]
        keys = [s[2] for s in remaining]
        one_key = len(set(keys)) == 1
        lo = hi = 0
        for at in starts:
            start = at - 60 if at > 60 else 0
            end = start + FRAGMENT_CHARS if start + FRAGMENT_CHARS < size else size
            while starts[lo] < start:
                lo += 1
            while hi < count and starts[hi] <= end:
                hi += 1
            last = hi
            while last > lo and ends[last - 1] > end:  # a match cut by the window's end
                last -= 1
            inside = last - lo
            score = (1 if inside else 0, inside) if one_key else (len(set(keys[lo:last])), inside)
            if score > best_score:
                best, best_score = (start, end), score
        chosen.append(_to_word_edges(text, *best))
        remaining = [s for s in remaining if s[1] <= best[0] or s[0] >= best[1]]
    return sorted(chosen)


def _to_word_edges(text: str, start: int, end: int) -> tuple[int, int]:
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + FRAGMENT_CHARS // 2 else end
    return start, end


def _render(text: str, start: int, end: int, spans: list[tuple[int, int, str]]) -> str:
    out = ["…" if start > 0 else ""]
    cursor = start
    lo = bisect.bisect_left(spans, (start,))
    hi = bisect.bisect_left(spans, (end,), lo)
    escape = html.escape
    for s, e in _merged([(s, e) for s, e, _ in spans[lo:hi] if e <= end]):
        out.append(escape(text[cursor:s], quote=False))
        out.append(f"<mark>{escape(text[s:e], quote=False)}</mark>")
        cursor = e
    out.append(escape(text[cursor:end], quote=False))
    out.append("…" if end < len(text) else "")
    return " ".join("".join(out).split())


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping marks as one (CJK bigrams overlap: 脆弱 + 弱性 → 脆弱性)."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged
