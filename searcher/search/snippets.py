"""Phrase-strict snippets: the passages of a post where the query matched, marked up safely.

The text is re-tokenised with the field's own analyser, so a match is exactly what the index
matched: a phrase is marked only where its words stand together, a word under NOT is never
marked, and stemmed or accent-folded forms are marked in the words as written. Whoosh's own
strict-phrase highlighter aligns whitespace-split words with analyser tokens and marks the
wrong words; this module replaces it.

Each leaf of a query (a term, prefix, wildcard or phrase) is found in a post on its own, so
where it matches depends on the post and the leaf alone; :class:`Kept` keeps those places for
later queries, like a term vector built on first use. Choosing the passages and marking them
up is done for every hit.
"""

from __future__ import annotations

import bisect
import fnmatch
import functools
import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, AnyStr, NamedTuple

from whoosh import query

from searcher.indexing import analysis, openings, schema
from searcher.indexing.openings import opening as opening
from searcher.search import snippetwords
from searcher.search.snippettext import UNACCENTED, VARIANTS
from searcher.search.snippettext import Source as Source
from searcher.support.caches import Bounded

FRAGMENT_CHARS = 240
FRAGMENTS = 2  # passages per snippet: 1 or 2
MAX_MATCHES = 400
FIRST_WINDOW = 4000  # characters analysed when no cheap candidate search is possible
SPOTS = 12  # the first candidate places, and every other one up to REACH characters after them
REACH = 400
MAX_SPOTS = 64
SPANS_KEPT = 100_000  # spans of query leaves kept per index generation: 16 MB at most
LONG_WINDOW = 20  # characters of a window beyond which its CJK runs are worth leaving out
WORD_CHARS = 64  # a candidate's word is looked for this far back; longer runs are CJK or URLs
_SPECIAL = re.compile("[&<>]")  # what html.escape(quote=False) replaces

# A leaf of a query, marked on its own: ("term", text), ("prefix", text), ("wildcard",
# pattern) or ("phrase", words). Where one matches in a post depends on nothing else.
Leaf = tuple[str, Any]
Span = tuple[int, int, str]  # a place marked: start, end, and its key (form, or phrase words)


@dataclass
class Targets:
    """What to mark: single terms, prefixes, wildcards and phrases (as token-text tuples).
    Not to be changed once :meth:`leaves` has been asked for."""

    terms: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    wildcards: set[str] = field(default_factory=set)
    phrases: set[tuple[str, ...]] = field(default_factory=set)
    _leaves: tuple[Leaf, ...] | None = field(default=None, init=False, repr=False, compare=False)
    _looks: tuple[Any, tuple[Look, ...]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __bool__(self) -> bool:
        return bool(self.terms or self.prefixes or self.wildcards or self.phrases)

    def leaves(self) -> tuple[Leaf, ...]:
        """Each thing to mark, phrases last (worked out once: a query's targets serve all
        its hits)."""
        if self._leaves is None:
            self._leaves = (
                *(("term", text) for text in sorted(self.terms)),
                *(("prefix", text) for text in sorted(self.prefixes)),
                *(("wildcard", text) for text in sorted(self.wildcards)),
                *(("phrase", words) for words in sorted(self.phrases)),
            )
        return self._leaves

    def looks(self, analyzer: Any) -> tuple[Look, ...]:
        """What finding each leaf takes with ``analyzer``, phrases last (worked out once: a
        query's targets serve all its hits, and their language's one analyser)."""
        looks = self._looks
        if looks is None or looks[0] is not analyzer:
            looks = self._looks = (analyzer, tuple(_look(leaf, analyzer) for leaf in self.leaves()))
        return looks[1]

    @classmethod
    def of(cls, leaf: Leaf) -> Targets:
        kind, value = leaf
        if kind == "phrase":
            return cls(phrases={value})
        if kind == "prefix":
            return cls(prefixes={value})
        return cls(wildcards={value}) if kind == "wildcard" else cls(terms={value})

    def single(self, text: str) -> bool:
        if text in self.terms:
            return True
        if not self.prefixes and not self.wildcards:  # the usual case: terms alone
            return False
        return any(text.startswith(p) for p in self.prefixes) or any(
            fnmatch.fnmatchcase(text, w) for w in self.wildcards
        )


class Look(NamedTuple):
    """What finding one leaf in a post takes that depends on the leaf and the analyser alone:
    worked out once per query, not for each of its hits."""

    leaf: Leaf
    searched: Searched | None  # what its candidate places start with (None: no cheap search)
    alone: Targets  # the leaf alone, for the analyser to decide
    words: int  # a phrase's words (0: a single word)
    chain: snippetwords.Chain | None  # a CJK phrase found by its text
    latin: bool  # a word no CJK token can match: its windows' CJK runs are left out
    prefix: bool


def _look(leaf: Leaf, analyzer: Any) -> Look:
    kind, value = leaf
    phrase = kind == "phrase"
    lead = value[0] if phrase else value  # what every match starts with
    return Look(
        leaf,
        None if kind == "wildcard" else _searched(lead),
        Targets.of(leaf),
        len(value) if phrase else 0,
        snippetwords.cjk_chain(value, analyzer) if phrase else None,
        not phrase and not (value[:1] >= "\u1100" and analysis.is_cjk(value[0])),
        kind == "prefix",
    )


def targets(q: query.Query, fieldname: str, language: str | None = None) -> Targets:
    """The positive leaves of ``q`` that apply to ``fieldname`` (and, for leaves that search
    posts of some languages only, to posts analysed in ``language``)."""
    return QueryTargets(q, fieldname).targets(language)


class QueryTargets:
    """A query's :func:`targets` for each language, from one walk of the query: its positive
    leaves with the language scopes they lie under. The hits of one query come in several
    languages, and walking the query (a few dozen nodes per word) for each took more than
    working out a language's targets from the leaves kept. Not changed once made."""

    __slots__ = ("_by_language", "_scoped")

    def __init__(self, q: query.Query, fieldname: str) -> None:
        self._scoped: list[tuple[Leaf, tuple[frozenset[str], ...]]] = []
        _collect(q, fieldname, (), self._scoped)
        self._by_language: dict[str | None, Targets] = {}

    def targets(self, language: str | None = None) -> Targets:
        """What to mark in posts analysed in ``language`` (None: whatever their language)."""
        found = self._by_language.get(language)
        if found is not None:
            return found
        found = Targets()
        kinds: dict[str, set[Any]] = {
            "term": found.terms,
            "prefix": found.prefixes,
            "wildcard": found.wildcards,
            "phrase": found.phrases,
        }
        for (kind, value), scopes in self._scoped:
            if language is None or all(not scope or language in scope for scope in scopes):
                kinds[kind].add(value)
        return self._by_language.setdefault(language, found)


def _collect(
    q: query.Query,
    fieldname: str,
    scopes: tuple[frozenset[str], ...],
    found: list[tuple[Leaf, tuple[frozenset[str], ...]]],
) -> None:
    """Each positive leaf of ``q`` on ``fieldname``, with the language scopes of the forms it
    lies under (an empty scope: any language). Most nodes are terms and ORs, taken first."""
    kind = type(q)
    if kind is query.Term:
        if q.fieldname == fieldname:
            text = q.text if isinstance(q.text, str) else q.text.decode()
            found.append((("term", text), scopes))
        return
    if kind is query.Or or kind is query.And:
        for child in q.subqueries:
            _collect(child, fieldname, scopes, found)
        return
    if isinstance(q, query.Not):
        return
    if isinstance(q, query.AndNot):
        _collect(q.a, fieldname, scopes, found)
        return
    if isinstance(q, query.Require):  # a form scoped to some languages (schema.form_query)
        if type(q.a) is not query.Term or q.a.fieldname == fieldname:  # else: nothing to find
            _collect(q.a, fieldname, (*scopes, _scope(q.b)), found)
        return
    name = getattr(q, "fieldname", None)
    if isinstance(q, query.Phrase):
        if name == fieldname:
            found.append((("phrase", tuple(q.words)), scopes))
    elif isinstance(q, query.Prefix):
        if name == fieldname:
            found.append((("prefix", q.text), scopes))
    elif isinstance(q, query.Wildcard):
        if name == fieldname:
            found.append((("wildcard", q.text), scopes))
    elif isinstance(q, query.Term):
        if name == fieldname:
            text = q.text if isinstance(q.text, str) else q.text.decode()
            found.append((("term", text), scopes))
    else:
        for child in q.children():
            _collect(child, fieldname, scopes, found)


def _scope(q: query.Query) -> frozenset[str]:
    """The languages a form's scope (a term or an OR of terms of the analysis field) names."""
    if type(q) is query.Or and all(type(term) is query.Term for term in q.subqueries):
        leaves = q.subqueries
    else:
        leaves = q.leaves()
    return frozenset(leaf.text for leaf in leaves if leaf.field() == schema.ANALYSIS)


class Kept(Bounded[tuple[Any, Leaf], tuple[Span, ...]]):
    """Where each query leaf (a term, prefix, wildcard or phrase) occurs in a post, kept for
    later requests: a term vector built on first use, for the leaves asked for only. What a
    leaf finds in a post does not depend on the rest of the query, so a post's snippet for
    any query is built from its leaves' spans alone. Bounded by the spans kept; a bounded
    cache itself, not a wrapper that cost a call more for each leaf of each snippet."""

    def __init__(self, budget: int = SPANS_KEPT) -> None:
        super().__init__(budget=budget, weigh=_spans_weight)


def _spans_weight(spans: tuple[Span, ...]) -> int:
    return len(spans) + 1  # an entry that found nothing still costs one


def build(
    source: str | Source,
    analyzer: Any,
    wanted: Targets,
    kept: Kept | None = None,
    post: Any = None,
) -> str:
    """HTML: up to two passages of a text around the matches, matches in ``<mark>``.

    Each leaf of the query is found on its own: a cheap accent-insensitive search for its
    first word's beginning finds candidate places; only the words there (and, for phrases,
    the words after them) are analysed, and the analyser decides what really matches. With
    ``kept`` (and ``post`` naming the text and its analyser), each leaf's spans are kept.
    """
    if isinstance(source, str):
        source = Source.of(source)
    text = source.text
    looks = wanted.looks(analyzer)
    if not looks:
        return opening(text)
    spans: Sequence[Span]
    if len(looks) == 1:
        spans = _spans(source, analyzer, looks[0], kept, post)
    else:
        found: dict[tuple[int, int], str] = {}
        for look in looks:  # phrases last: a phrase's key wins where a word is in both
            for start, end, key in _spans(source, analyzer, look, kept, post):
                found[start, end] = key
        spans = sorted((start, end, key) for (start, end), key in found.items())[:MAX_MATCHES]
    if not spans:
        return opening(text)
    chars = _chars_for(text, spans[0][0], FRAGMENT_CHARS)
    fragments = _best_windows(text, spans, chars)
    return " ".join(_render(text, start, end, spans) for start, end in fragments)


def _chars_for(text: str, at: int, columns: int) -> int:
    """Characters that fill ``columns`` around ``at`` (judged from the stretch a passage
    would show)."""
    return openings.chars_filling(text[max(at - columns // 4, 0) : at + columns], columns)


def _spans(
    source: Source, analyzer: Any, look: Look, kept: Kept | None, post: Any
) -> Sequence[Span]:
    if kept is None:
        return _leaf_spans(source, analyzer, look)
    key = (post, look.leaf)
    spans = kept.get(key)
    if spans is None:
        spans = kept.setdefault(key, tuple(_leaf_spans(source, analyzer, look)))
    return spans


def _leaf_spans(source: Source, analyzer: Any, look: Look) -> list[Span]:
    """(start, end, key) of each place a leaf matches in the text, in order."""
    text = source.text
    places = None if look.searched is None else _places(source, look.searched)
    if places is None:
        return _matches(text[:FIRST_WINDOW], analyzer, look.alone, 0)
    if look.words:
        spans = []
        chain, words = look.chain, look.leaf[1]
        for start, end in _windows(text, places, look.words):  # a stop word may stand between
            found = None if chain is None else _chain_spans(text, start, end, chain, words)
            if found is None:
                found = _matches(text[start:end], analyzer, look.alone, start)
            spans.extend(found)
        return spans[:MAX_MATCHES]
    spans = []
    value, prefix = look.leaf[1], look.prefix
    # no CJK token can match a word that starts otherwise: long unspaced windows of CJK
    # text around it (up to 4 * WORD_CHARS characters) are read without their bigrams
    latin = look.latin
    remembered = snippetwords.remembered(analyzer).get  # most windows: once per leaf, not each
    for start, end in _windows(text, places, 0):
        window = text[start:end]
        if latin and end - start > LONG_WINDOW and not window.isascii():
            tokens = snippetwords.words(window, analyzer)
        else:
            tokens = remembered(window) or snippetwords.tokens(window, analyzer)
        if len(tokens) == 1:  # a window is most often one word
            _, word, first, last = tokens[0]
            if word == value or (prefix and word.startswith(value)):
                spans.append((first + start, last + start, word))
            continue
        # one mark per place: a CJK run's last character shares its position with the one
        # before it ("ははは" holds は at positions 0, 1 and 1), so places are told by start
        marked = {first: (first + start, last + start, word)
                  for _, word, first, last in tokens
                  if word == value or (prefix and word.startswith(value))}  # fmt: skip
        spans.extend(marked[first] for first in sorted(marked))  # in the text's order
    return spans


class Searched(NamedTuple):
    """What a word's candidate places start with: its stem as written, and unaccented (None:
    a CJK stem, looked for in the text as written), and that as ASCII bytes where it is
    ASCII (None: it is not)."""

    stem: str
    unaccented: str | None
    ascii: bytes | None


def _searched(stem: str) -> Searched | None:
    """What :func:`_places` looks for of a word that starts with ``stem`` (its last letter
    may differ: Snowball turns "ruby" into "rubi"); None when too short to search for."""
    stem = stem[:-1] if len(stem) > 3 else stem
    if not stem:
        return None
    if stem[0] >= "\u1100" and snippetwords.cjk_run().fullmatch(stem):
        # no other character lower-cases or folds into a CJK one (the tests check)
        return Searched(stem, None, None)
    unaccented = stem.translate(UNACCENTED)
    # "?" stands for every other character in Source.ascii_folded
    plain = unaccented.isascii() and "?" not in unaccented
    return Searched(stem, unaccented, unaccented.encode() if plain else None)


def _places(source: Source, searched: Searched) -> list[tuple[int, int]]:
    """(start, end) of the candidate places in the text, in order: where a word may start
    as ``searched`` says, accents and case aside.

    Found by ``find`` in the text lower-cased and unaccented, which keeps its offsets: as
    ASCII bytes for an ASCII stem, the usual (a CJK stem: in the text as written, which is
    then never lower-cased if no other word needs it). Only as many places are kept as
    :func:`_windows` uses.
    """
    if searched.unaccented is None:
        return _found(source.text, searched.stem)
    if searched.ascii is not None:
        ascii_folded = source.ascii_folded
        if ascii_folded is not None:
            return _found(ascii_folded, searched.ascii)
    else:
        folded = source.folded
        if folded is not None:
            return _found(folded, searched.unaccented)
    # a letter lower-cased into two: offsets would drift
    matches = _stem_pattern(searched.stem).finditer(source.text)
    return [m.span() for _, m in zip(range(MAX_SPOTS), matches, strict=False)]


def _found(folded: AnyStr, stem: AnyStr) -> list[tuple[int, int]]:
    """(start, end) of the first SPOTS places of ``stem`` in ``folded``, and of every other
    up to REACH characters after them (MAX_SPOTS at most)."""
    found: list[tuple[int, int]] = []
    size, at, reach = len(stem), folded.find(stem), -1
    for count in range(MAX_SPOTS):
        if at < 0 or (count >= SPOTS and at > reach):
            break
        found.append((at, at + size))
        if count < SPOTS:
            reach = at + size + REACH
        at = folded.find(stem, at + size)
    return found


@functools.lru_cache(maxsize=256)
def _stem_pattern(stem: str) -> re.Pattern[str]:
    """A stem's letters in any case, each with its accented variants."""
    return re.compile("".join(_letter(ch) for ch in stem), re.IGNORECASE)


def _letter(ch: str) -> str:
    variants = VARIANTS.get(ch)
    return f"[{variants}]" if variants else re.escape(ch)


def _windows(text: str, places: list[tuple[int, int]], words: int) -> list[tuple[int, int]]:
    """Merged windows over the candidate places: the first SPOTS, and the others within REACH
    characters of them. A window holds the candidate's whole word and the ``words`` words
    after it (a phrase's length), and starts at a space, so its tokens are the indexer's."""
    windows: list[tuple[int, int]] = []
    match_tail = _tail(words).match
    find, rfind, is_cjk = text.find, text.rfind, analysis.is_cjk
    unspaced = not text.isascii()  # may hold CJK runs, written without spaces
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
            if words:
                found = match_tail(text, after)
                end = found.end() if found else after
            else:  # the rest of the word: the text's only whitespace is the space
                space = find(" ", after, after + WORD_CHARS)
                end = space if space >= 0 else min(after + WORD_CHARS, len(text))
                if unspaced and end - start > LONG_WINDOW:
                    # the end is kept where no later place has its own window: the places
                    # left out beyond MAX_SPOTS or REACH are still marked within it
                    following = count + 1 < len(places) and (
                        count + 1 < SPOTS or places[count + 1][0] <= reach
                    )
                    start, end = _between_cjk(text, start, at, after, end, following)
        if start <= last_end:
            if end > last_end:
                windows[-1] = (windows[-1][0], end)
                last_end = end
        else:
            windows.append((start, end))
            last_end = end
    return windows


def _between_cjk(
    text: str, start: int, at: int, after: int, end: int, cut_end: bool
) -> tuple[int, int]:
    """A word's window ``text[start:end]`` cut to what lies between the CJK characters
    around the word (at ``at:after``; after it only if ``cut_end``), where the same tokens
    stand: nothing but a CJK run takes a CJK character that is no digit or mark, so the
    token pattern's last match before the word ends after the last such character, and no
    match after the word goes on past the first one. Any word the query marks before
    ``at`` is a place of its own. A long window of unspaced Japanese around a Latin word was
    otherwise scanned for its Latin words (at every place, and never remembered)."""
    search = snippetwords.cjk_run().search
    found = search(text, start, at)  # most windows hold none: spaced text, URLs, code
    if found is not None:
        while (later := search(text, found.end(), at)) is not None:
            found = later
        if _ends_tokens(text[found.end() - 1]):
            start = found.end()
    found = search(text, after, end) if cut_end else None
    if found is not None and _ends_tokens(text[found.start()]):
        end = found.start()
    return start, end


def _ends_tokens(cjk: str) -> bool:
    """Whether no token but a CJK run's can hold ``cjk``: no version's digits, no word's
    combining marks."""
    return not cjk.isdecimal() and unicodedata.category(cjk)[0] != "M"


@functools.lru_cache(maxsize=16)
def _tail(words: int) -> re.Pattern[str]:
    """The rest of a word, then ``words`` more."""
    return re.compile(rf"\S{{0,{WORD_CHARS}}}(?:\s+\S{{1,{WORD_CHARS}}}){{0,{words}}}")


def _chain_spans(
    text: str, start: int, end: int, chain: snippetwords.Chain, words: tuple[str, ...]
) -> list[Span] | None:
    """What :func:`_matches` finds of a CJK phrase in ``text[start:end]``: each bigram of
    each place its text stands, found with ``str.find``; None where the phrase might cross
    from one CJK run to the next, for the tokens to decide. Analysing the window's bigrams
    took most of a Japanese post's snippet."""
    if chain.may_cross(text, start, end):
        return None
    key, size = " ".join(words), len(words)
    marked: dict[int, Span] = {}  # by start: a place overlapping the last marks its bigrams again
    at = text.find(chain.text, start, end)
    while at >= 0:
        for first in range(at, at + size):
            marked[first] = (first, first + 2, key)
        at = text.find(chain.text, at + 1, end)
    return list(marked.values())[:MAX_MATCHES]


def _matches(text: str, analyzer: Any, wanted: Targets, offset: int) -> list[tuple[int, int, str]]:
    """(start, end, key) of every marked word, ``offset`` added; analysers may emit several
    forms per position."""
    tokens = snippetwords.tokens(text, analyzer)
    if not wanted.phrases:  # single words only: no need to line positions up
        single = wanted.single
        hits = {start: (start + offset, end + offset, word)  # one per place (see _leaf_spans)
                for _, word, start, end in tokens if single(word)}  # fmt: skip
        if len(hits) < 2:  # a window is most often one word
            return list(hits.values())
        return [hits[start] for start in sorted(hits)][:MAX_MATCHES]
    at: dict[int, list[tuple[str, int, int]]] = {}
    held: set[tuple[int, str]] = set()  # (position, form) of every token
    for pos, word, start, end in tokens:
        at.setdefault(pos, []).append((word, start + offset, end + offset))
        held.add((pos, word))
    marked: dict[int, tuple[int, int, str]] = {}  # by start: one mark per place
    if wanted.terms or wanted.prefixes or wanted.wildcards:  # a phrase's window: none
        for forms in at.values():
            for word, start, end in forms:
                if wanted.single(word):
                    marked[start] = (start, end, word)
    for phrase in wanted.phrases:
        first, rest = phrase[0], tuple(enumerate(phrase))[1:]
        for pos in at:
            if (pos, first) in held and all((pos + j, word) in held for j, word in rest):
                for j in range(len(phrase)):
                    _, start, end = at[pos + j][0]
                    marked[start] = (start, end, " ".join(phrase))
        if len(marked) > MAX_MATCHES:
            break
    return [marked[start] for start in sorted(marked)][:MAX_MATCHES]


def _best_windows(
    text: str, spans: Sequence[Span], chars: int = FRAGMENT_CHARS
) -> list[tuple[int, int]]:
    """One or two windows of ``chars`` characters, not overlapping, holding the most distinct
    matched keys (then the most matches), in text order: the best window, then the best in
    the text left before or after it."""
    starts, ends, keys = zip(*spans, strict=True)
    one_key = len(set(keys)) == 1
    size, count = len(text), len(spans)
    best = _best(starts, ends, keys, one_key, 0, count, 0, size, chars)[0]
    chosen = [_to_word_edges(text, *best, chars)]
    if FRAGMENTS > 1:
        taken_start, taken_end = chosen[0]
        before = bisect.bisect_right(ends, taken_start)  # spans wholly before it (ends ascend:
        after = bisect.bisect_left(starts, taken_end)  # spans overlap in CJK bigrams only)
        gaps = [(0, before, 0, taken_start), (after, count, taken_end, size)]
        found = [_best(starts, ends, keys, one_key, *gap, chars) for gap in gaps if gap[0] < gap[1]]
        if found:  # the better gap; on a tie, the one before
            chosen.append(_to_word_edges(text, *max(found, key=lambda f: f[1])[0], chars))
    return sorted(chosen)


def _best(
    starts: tuple[int, ...],
    ends: tuple[int, ...],
    keys: tuple[str, ...],
    one_key: bool,
    lo: int,
    hi: int,
    gap_start: int,
    gap_end: int,
    chars: int = FRAGMENT_CHARS,
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The best window over spans[lo:hi] within [gap_start, gap_end), and its score (distinct
    keys, matches). Each candidate starts a little before a match, or ends where the gap
    does."""
    best, best_score, most = (gap_start, gap_start), (-1, 0), 0
    first_of, last_of = bisect.bisect_left, bisect.bisect_right
    lead = chars // 4  # context before the first match
    for at in starts[lo:hi]:
        start = at - lead if at - lead > gap_start else gap_start
        end = start + chars
        if end > gap_end:  # slid back to the gap's end
            end = gap_end
            start = end - chars if end - chars > gap_start else gap_start
        first = first_of(starts, start, lo, hi)
        count = last_of(ends, end, first, hi) - first  # matches wholly inside
        if one_key:
            if count > most:
                best, most = (start, end), count
        else:
            score = (len(set(keys[first : first + count])), count)
            if score > best_score:
                best, best_score = (start, end), score
        if count == hi - lo:  # every match in one window: none can do better
            break
    return best, ((1 if most else 0, most) if one_key else best_score)


def _to_word_edges(text: str, start: int, end: int, chars: int = FRAGMENT_CHARS) -> tuple[int, int]:
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + chars // 8 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + chars // 2 else end
    return start, end


def _render(text: str, start: int, end: int, spans: Sequence[Span]) -> str:
    lo = bisect.bisect_left(spans, (start,))
    hi = bisect.bisect_left(spans, (end,), lo)
    marks = _merged([(s, e) for s, e, _ in spans[lo:hi] if e <= end])
    out = ["…" if start > 0 else ""]
    cursor = start
    if _SPECIAL.search(text, start, end) is None:  # nothing to escape: most passages
        for s, e in marks:
            out += (text[cursor:s], "<mark>", text[s:e], "</mark>")
            cursor = e
        out.append(text[cursor:end])
    else:
        escape = html.escape
        for s, e in marks:
            out += (escape(text[cursor:s], False), "<mark>", escape(text[s:e], False), "</mark>")
            cursor = e
        out.append(escape(text[cursor:end], False))
    out.append("…" if end < len(text) else "")
    return "".join(out)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping marks as one (CJK bigrams overlap: 脆弱 + 弱性 → 脆弱性); ``spans`` sorted."""
    if len(spans) < 2:
        return spans
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged
