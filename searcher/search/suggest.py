"""Typo tolerance, "did you mean", search-as-you-type and similar posts over one searcher.

Everything reads the ``words`` field: each title and body word, folded but not stemmed, with
its document frequency. The functions take the searcher or reader of one generation and never
open the index themselves. A word is *suspect* when no post contains it (in ``words`` or,
stemmed, in a title or body), or in a big archive almost none; its *corrections* are the words
within :func:`max_edits` of it that are common enough to be what the user meant.
"""

from __future__ import annotations

import bisect
import contextlib
import copy
import hashlib
import heapq
import re
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from whoosh import classify, query

from searcher.indexing import analysis, records, schema, wordforms
from searcher.indexing._whoosh import searcher_index
from searcher.models import Completion
from searcher.search import live
from searcher.support import compact
from searcher.support.caches import Bounded

FUZZY_BOOST = 0.3  # a typo's alternatives score below the word as typed
MAX_ALTERNATIVES = 3
RARE_SHARE = 1 / 20_000  # a word in at most this share of posts may be a typo (0 if < 20k) ...
COMMON_RATIO = 20  # ... of a close word found in at least this many times more posts
KEY_TERMS = 12  # terms a post's neighbours are looked up by
SIMILAR_SOURCE_CHARS = 20_000  # the opening of a long post carries its subject
CJK_CANDIDATES = 400  # a post's commonest CJK tokens scored as key terms (a long one has 3,000)
SPELLINGS_KEPT = 50_000  # completed words whose spelling is remembered per reader
NEAREST_KEPT = 4096  # words whose nearest indexed words are remembered per reader
_LAST = "\U0010ffff"  # sorts after every character: [p, p + _LAST) holds the words with prefix p
_MEMO_PREFIX = 2  # term completions of prefixes this short are remembered per reader
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_CORRECTABLE = frozenset({None, schema.TITLE, schema.BODY})
_MARK = schema.TERMS  # an unfielded word's terms leaf: the word folded (see fuzzy_query)
_PIECE = re.compile(
    r"(?P<field>[^\W\d]\w*):(?=[^\s:])"  # a field prefix, glued to its value
    r'|(?P<quote>"[^"]*")|(?P<range>[\[{][^\]}]*[\]}])'
    r'|(?P<open>\()|(?P<close>\))|(?P<space>\s+)|(?P<chunk>[^\s()"]+)'
)
_LETTERS = re.compile(r"[^\W\d_]+")
_CACHE: weakref.WeakKeyDictionary[Any, Bounded[str, list[tuple[str, int]]]] = (
    weakref.WeakKeyDictionary()  # per reader: a word's nearest words
)


# -- typo tolerance ------------------------------------------------------------------------


def max_edits(word: str) -> int:
    """Edits a word of this length may carry: 0 up to 3 letters, 1 up to 6, then 2."""
    return 0 if len(word) <= 3 else 1 if len(word) <= 6 else 2


def fuzzy_words(reader: Any, word: str, limit: int = MAX_ALTERNATIVES) -> list[tuple[str, int]]:
    """(word, doc frequency) of the few (:data:`MAX_ALTERNATIVES`) indexed words closest to
    ``word``, nearest then commonest; the word itself is left out.

    One edit (or a swap of neighbours) is looked for first, with the first letter fixed; two
    edits, with the first two letters fixed, only for long words and when one edit found
    nothing more common than the word itself: Whoosh's automaton costs a few ms per lookup
    at one edit and tens of ms at two with a one-letter prefix.
    """
    folded = analysis.fold(word.strip())
    bound = max_edits(folded)
    if not bound or not folded.isalpha() or limit <= 0:
        return []
    cache = _CACHE.setdefault(reader, Bounded(NEAREST_KEPT))
    found = cache.get(folded)
    if found is None:
        found = cache.put(folded, _nearest(reader, folded, bound))
    return found[:limit]


def _nearest(reader: Any, folded: str, bound: int) -> list[tuple[str, int]]:
    def df(text: str) -> int:
        return int(reader.doc_frequency(schema.WORDS, text))

    found = set(_within(reader, folded, 1, 1))
    for i in range(len(folded) - 1):
        swapped = folded[:i] + folded[i + 1] + folded[i] + folded[i + 2 :]
        if swapped != folded and df(swapped):
            found.add(swapped)
    found.discard(folded)
    freq = {w: df(w) for w in found}
    if bound > 1 and not any(f > df(folded) for f in freq.values()):
        freq.update((w, df(w)) for w in _within(reader, folded, 2, 2) if w != folded)
    ranked = sorted(freq, key=lambda w: (_distance(folded, w), -freq[w], w))
    return [(w, freq[w]) for w in ranked[:MAX_ALTERNATIVES]]


def _within(reader: Any, text: str, maxdist: int, prefix: int) -> set[str]:
    """Words within ``maxdist`` edits, segment by segment: a multi-segment reader has only
    Whoosh's fallback, which computes the distance to every word sharing the prefix."""
    found: set[str] = set()
    for leaf, _ in reader.leaf_readers():
        found.update(leaf.terms_within(schema.WORDS, text, maxdist, prefix=prefix))
    return found


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of neighbouring letters as one edit (OSA)."""
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        earlier, before, row = before, row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(before[j] + 1, row[j - 1] + 1, before[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], earlier[j - 2] + 1)
    return row[-1]


def occurrences(reader: Any, word: str, keys: list[str], enough: float | None = None) -> int:
    """Posts an unfielded ``word`` finds: as written in a title, body, tag or public place,
    or stemmed in any of ``keys`` (private places are left out: no answer may depend on them).

    With ``enough``, counting stops at the first field where the word is in more posts than
    that (a word of the posts, as most words asked are, is found in the first): the answer is
    then only known to be above it."""
    folded = analysis.fold(word)
    seen = 0
    for field in (schema.WORDS, schema.TERMS, schema.PLACE):
        seen = max(seen, int(reader.doc_frequency(field, folded)))
        if enough is not None and seen > enough:
            return seen
    forms, _ = analysis.forms_by_language(word, keys)
    for form in forms:
        if len(form) == 1:
            for field in (schema.TITLE, schema.BODY):
                seen = max(seen, int(reader.doc_frequency(field, form[0])))
    return seen


def corrections(
    reader: Any, word: str, keys: list[str], known: dict[str, list[str]] | None = None
) -> list[str]:
    """What a suspect ``word`` may have meant, best first; [] when the word is fine.

    ``known``: the answers already worked out for this request's reader and keys (a page
    that is not full asks for each word twice: to widen the query, then for "did you
    mean"), filled in here."""
    if known is not None:
        found = known.get(word)
        if found is None:
            found = known[word] = corrections(reader, word, keys)
        return found
    if not max_edits(word) or not word.isalpha():
        return []
    rare = reader.doc_count() * RARE_SHARE
    seen = occurrences(reader, word, keys, enough=rare)
    if seen > rare:
        return []
    close = fuzzy_words(reader, word)
    need = max(COMMON_RATIO * seen, 1, max((c for _, c in close), default=0) // COMMON_RATIO)
    return [w for w, count in close if count >= need]


def fuzzy_query(
    parsed: query.Query,
    reader: Any,
    keys: list[str],
    boost: float = FUZZY_BOOST,
    known: dict[str, list[str]] | None = None,
) -> query.Query | None:
    """``parsed`` with each suspect unfielded word OR-ed with its corrections, or None.

    The parser makes an unfielded word an Or of title, body, tags and place leaves (flattened
    into its parent Or by ``normalize``); its ``terms`` leaf holds the word folded. Corrections
    join that Or as title and body leaves shaped as the parser makes them (a Term per form, a
    Phrase for a form of several tokens) and a ``terms`` leaf, at ``boost`` times the usual
    boosts. Fielded words, phrases and negated words stay as they are.
    """
    known = {} if known is None else known
    if not any(corrections(reader, mark.text, keys, known) for mark in _marks(parsed)):
        return None  # nothing to widen: no copy of the tree (most pages not full)
    changed = False

    def visit(q: query.Query) -> query.Query:
        nonlocal changed
        if isinstance(q, query.Not) or not isinstance(q, query.CompoundQuery):
            return q
        clone = copy.copy(q)  # keeps the matcher type the parser chose
        if isinstance(q, query.BinaryQuery):
            a, b = visit(q.a), q.b if isinstance(q, query.AndNot) else visit(q.b)
            clone.a, clone.b, clone.subqueries = a, b, (a, b)
            return clone
        clone.subqueries = [visit(child) for child in q.subqueries]
        if type(q) is query.Or:  # not the optional Or of stop words
            marks = [c for c in q.subqueries if isinstance(c, query.Term) and c.fieldname == _MARK]
            for mark in marks:
                for alt in corrections(reader, mark.text, keys, known):  # word^2 boosts the Or
                    changed = True
                    clone.subqueries.extend(_leaves(alt, keys, boost))
        return clone

    widened = visit(parsed)
    return widened if changed else None


def _marks(q: query.Query) -> Iterator[query.Term]:
    """The ``terms`` leaves of unfielded words that :func:`fuzzy_query` widens (as its walk
    visits them)."""
    if isinstance(q, query.Not) or not isinstance(q, query.CompoundQuery):
        return
    if isinstance(q, query.BinaryQuery):
        yield from _marks(q.a)
        if not isinstance(q, query.AndNot):
            yield from _marks(q.b)
        return
    for child in q.subqueries:
        yield from _marks(child)
    if type(q) is query.Or:
        yield from (c for c in q.subqueries if isinstance(c, query.Term) and c.fieldname == _MARK)


def _leaves(word: str, keys: list[str], boost: float) -> list[query.Query]:
    forms, _ = analysis.forms_by_language(word, keys)
    leaves: list[query.Query] = [query.Term(schema.TERMS, word, boost=schema.TERMS_BOOST * boost)]
    for field, weight in ((schema.TITLE, schema.TITLE_BOOST), (schema.BODY, 1.0)):
        leaves.extend(schema.form_query(field, form, languages, keys, boost=weight * boost)
                      for form, languages in sorted(forms.items()))  # fmt: skip
    return leaves


# -- did you mean --------------------------------------------------------------------------


def suggestion(
    text: str, reader: Any, keys: list[str], known: dict[str, list[str]] | None = None
) -> str | None:
    """``text`` with each suspect word replaced by its best correction, or None.

    Operators, field prefixes, quotes, ranges, boosts and the words that were fine are kept;
    broken syntax is mended (a lone quote or ``)`` dropped, open groups closed), so that the
    suggestion is a query that says what it means.
    Words of title:, body: and unfielded clauses are checked; other fields' values, negated
    clauses, wildcards and anything with a digit in it (dates, versions, CVE ids) are not.
    """
    out: list[str] = []
    groups: list[tuple[str | None, bool]] = [(None, False)]  # (field, negated) per open group
    field: str | None = None
    fielded = negated = changed = False
    for match in _PIECE.finditer(text):
        kind, piece = match.lastgroup, match.group()
        scope, skip = groups[-1]
        scope, skip = field if fielded else scope, skip or negated
        if kind == "field":
            field, fielded = match["field"], True
        elif kind == "open":
            groups.append((scope, skip))
        elif kind == "close":
            if len(groups) == 1:
                continue  # a stray ")": the suggestion is a query that parses
            groups.pop()
        if kind in ("quote", "chunk") and scope in _CORRECTABLE and not skip:
            fixed = _corrected(piece, kind == "quote", reader, keys, known)
            changed, piece = changed or fixed != piece, fixed
        if kind not in ("field", "space"):
            fielded, negated = False, kind == "chunk" and piece in ("NOT", "ANDNOT", "-")
        out.append(piece)
    # a lone quote was never a piece; groups left open are closed
    return "".join(out).rstrip() + ")" * (len(groups) - 1) if changed else None


def _corrected(
    piece: str, quoted: bool, reader: Any, keys: list[str], known: dict[str, list[str]] | None
) -> str:
    """A quoted phrase or a bare chunk (``+word``, ``word^2``, ``l'word``) with words fixed."""
    _, caret, power = piece.rpartition("^")
    boost = caret + power if caret and not quoted and re.fullmatch(r"[\d.]*", power) else ""
    piece = piece[: len(piece) - len(boost)]
    if not quoted and (piece in _OPERATORS or piece[:1] == "-" or re.search(r"[\d*?]", piece)):
        return piece + boost

    def fix(match: re.Match[str]) -> str:
        word, start, end = match.group(), match.start(), match.end()
        if piece[start - 1 : start].isdigit() or piece[end : end + 1].isdigit():
            return word
        better = corrections(reader, word, keys, known)
        return _like(word, better[0]) if better else word

    return _LETTERS.sub(fix, piece) + boost


def _like(typed: str, word: str) -> str:
    """``word`` in the case the user typed: ``Clod`` → ``Cloud``, ``CLOD`` → ``CLOUD``."""
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


# -- completion ----------------------------------------------------------------------------


class Completer:
    """Search-as-you-type over one searcher generation: keep one per generation.

    The first completion of a generation reads every title and the ``words`` lexicon into
    sorted lists, split by first character, and keeps them in a keyed file (:func:`_keep`);
    a completion looks up the lists of its words' first characters, which later calls bisect.
    Archives of 1,000 posts or more leave out words found in one post only (typos, hashes,
    ids): they would rarely be shown and double the lexicon.
    """

    def __init__(self, searcher: Any, table: Path | None = None) -> None:
        self._source: Any = searcher.reader() if hasattr(searcher, "reader") else searcher
        self._table = table  # where this generation's tables are kept (table_file)
        self._lock = threading.Lock()
        self._built = False
        self._memo: dict[str, list[tuple[str, int]]] = {}  # completions of very short words
        # by first character: the words and CJK runs lexicons, sorted, with each one's doc
        # frequency; every (folded title word, rank), sorted, split in two lists; and by rank
        # (newest first) each post's (title, path): see _keep
        self._tables: compact.Tables = compact.InMemory(None, {})
        self._reader: weakref.ref[Any] | None = None  # for spellings, looked up as shown
        self._spellings: Bounded[str, str] = Bounded(SPELLINGS_KEPT)
        self._deletions = False  # whether the lexicon's frequencies count deleted posts
        self._least = 1  # the fewest posts a completed word is in
        self._live: Bounded[tuple[str, str], int] = Bounded(SPELLINGS_KEPT)  # with deletions

    def complete(self, prefix: str, limit: int = 10) -> list[Completion]:
        """Titles, then words, completing ``prefix``: its last word may be partial.

        Words are whole: a CJK prefix is completed by the runs of one script the posts hold
        (``スマート`` by スマートフォン), never by bigrams chained past a word's end."""
        tokens = [(t.text, t.startchar, t.endchar)
                  for t in analysis.plain_analyzer()(prefix, chars=True, mode="query")]  # fmt: skip
        if limit <= 0 or not tokens:
            return []
        self._build()
        partial = tokens[-1][2] == len(prefix)
        full = [t[0] for t in (tokens[:-1] if partial else tokens)]
        last = tokens[-1][0] if partial else None
        titles = self._match_titles(full, last, limit)
        run = wordforms.trailing_run(prefix) if partial else ""
        if run:
            head = prefix[: len(prefix) - len(run)]
            terms = self._commonest(schema.RUNS, run, limit)
            texts = [head + word for word, _ in terms]
        else:
            head = prefix[: tokens[-1][1]]
            terms = [t for t in self._complete_word(last, limit + len(full)) if t[0] not in full]
            texts = [head + self._spelled(word, count) for word, count in terms[:limit]]
        shown = min(len(titles), max(limit - len(terms), (limit + 1) // 2))
        listed = [self._tables.get(_TITLES, rank) for rank in titles[:shown]]
        found: list[Completion] = [
            {"kind": "title", "text": title, "path": path} for title, path in listed
        ]
        shown_terms = zip(texts[: limit - shown], terms, strict=False)
        found += [{"kind": "term", "text": text, "count": count}
                  for text, (_, count) in shown_terms]  # fmt: skip
        return found

    def _spelled(self, word: str, count: int) -> str:
        """``word`` (folded, in ``count`` posts) as most of those posts write it:
        "interopérabilité" for "interoperabilite", but "vulnerable" stays unaccented though
        some French posts write "vulnérable"."""
        spelled = self._spellings.get(word)
        if spelled is None:
            reader = self._reader() if self._reader is not None else None
            spelled, most = word, 0
            if reader is not None:
                for term in reader.expand_prefix(schema.SPELLINGS, word + analysis.SPELLED):
                    text = term.decode() if isinstance(term, bytes) else str(term)
                    posts = live.doc_frequency(reader, schema.SPELLINGS, text)
                    written = text.partition(analysis.SPELLED)[2]
                    if posts > most or (
                        posts == most and analysis.preferred_spelling(spelled, written) == written
                    ):
                        spelled, most = written, posts
                if 2 * most < count:  # written so in fewer than half of the posts
                    spelled = word
            self._spellings.put(word, spelled)
        return spelled

    def _match_titles(self, full: list[str], last: str | None, limit: int) -> list[int]:
        """Ranks of the newest titles holding every full word and a word starting with last."""
        spans = []  # (title words starting with w's first character, their ranks, lo, hi)
        for w, end in [(w, False) for w in full] + ([(last, True)] if last is not None else []):
            words, ranks = self._tables.get(_TITLE_WORDS, w[:1], ((), ()))
            hi = bisect.bisect_left(words, w + _LAST) if end else bisect.bisect_right(words, w)
            spans.append((ranks, bisect.bisect_left(words, w), hi))
        spans.sort(key=lambda span: span[2] - span[1])
        found = set(spans[0][0][spans[0][1] : spans[0][2]])
        for ranks, lo, hi in spans[1:]:
            found.intersection_update(ranks[lo:hi])
        return heapq.nsmallest(limit, found)

    def _complete_word(self, last: str | None, limit: int) -> list[tuple[str, int]]:
        """The commonest words starting with ``last``, with their doc frequencies."""
        if last is None:
            return []
        short = len(last) <= _MEMO_PREFIX and limit <= 50
        if short and last in self._memo:
            return self._memo[last][:limit]
        found = self._commonest(schema.WORDS, last, 50 if short else limit)
        if short:
            self._memo[last] = found
        return found[:limit]

    def _commonest(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        """The ``limit`` commonest words of ``field`` (WORDS or RUNS) starting with
        ``prefix``, in live posts, with their counts: commonest first, equals in word order."""
        words, dfs = self._tables.get(field, prefix[:1], ((), ()))  # WORDS or RUNS
        lo = bisect.bisect_left(words, prefix)
        hi = bisect.bisect_left(words, prefix + _LAST)
        if not self._deletions:
            best = heapq.nlargest(limit, range(lo, hi), key=lambda i: (dfs[i], -i))
            return [(words[i], dfs[i]) for i in best]
        # a word's frequency in the lexicon counts deleted posts too, so it only bounds the
        # live one: words are counted in the order of their bounds until no bound can beat
        # the limit-th live count
        bounds = [(-dfs[i], i) for i in range(lo, hi)]
        heapq.heapify(bounds)
        kept: list[tuple[int, int, int]] = []  # (live count, -i, i): a heap of the best
        while bounds and (len(kept) < limit or (-bounds[0][0], -bounds[0][1]) > kept[0][:2]):
            _, i = heapq.heappop(bounds)
            count = self._live_count(field, words[i])
            if count < self._least:
                continue
            heapq.heappush(kept, (count, -i, i))
            if len(kept) > limit:
                heapq.heappop(kept)
        return [(words[i], count) for count, _, i in sorted(kept, reverse=True)]

    def _live_count(self, field: str, word: str) -> int:
        count = self._live.get((field, word))
        if count is None:
            reader = self._reader() if self._reader is not None else None
            count = live.doc_frequency(reader, field, word) if reader else 0
            self._live.put((field, word), count)
        return count

    def _build(self) -> None:
        with self._lock:
            if self._built:
                return
            reader, self._source = self._source, None  # complete() caches by reader: no cycle
            self._reader = weakref.ref(reader)
            self._deletions = reader.has_deletions()
            kept = compact.Keyed.open(self._table) if self._table is not None else None
            tables: compact.Tables = (
                kept if kept is not None and _is_kept(kept) else _keep(self._table, _tables(reader))
            )
            self._tables = tables
            self._least = tables.head[1]
            self._built = True


_TABLES_FORMAT = 2
_TITLES, _TITLE_WORDS = "titles", "title words"  # the keyed tables besides WORDS and RUNS
_KEYED = (schema.WORDS, schema.RUNS, _TITLES, _TITLE_WORDS)


def table_file(searcher: Any) -> Path | None:
    """Where the completion tables of ``searcher``'s generation are kept: a compact file in
    the index folder, named by the generation, so that only the first completion of each
    generation reads every title and word (about 1 s at 6,000 posts) and later processes
    read the file. None for an index that is not in a folder."""
    where = searcher_index(searcher)
    if where is None:
        return None
    folder, indexname = where
    reader = searcher.reader()
    generation = reader.generation()
    if not isinstance(generation, int):  # an empty reader: nothing to complete from anyway
        return None
    parts = []
    for leaf, _ in reader.leaf_readers():
        segment = leaf.segment() if hasattr(leaf, "segment") else None
        if segment is not None:  # an index whose every post was deleted has none
            parts.append(f"{segment.segment_id()}:{segment.deleted_count()}")
    segments = "|".join(parts)
    stamp = f"{_TABLES_FORMAT}|{sys.version}|{indexname}|{generation}|{segments}"
    digest = hashlib.blake2b(stamp.encode(), digest_size=8).hexdigest()
    return Path(folder) / f"completion-{generation}-{digest}.bin"


def _tables(reader: Any) -> tuple[Any, ...]:
    """What completions look up, read from the index: every word and CJK run with its
    doc frequency (sorted), and the titles, newest first, with their folded words."""
    least = 2 if reader.doc_count() >= 1000 else 1
    words, dfs = _lexicon(reader, schema.WORDS, least)
    runs, run_dfs = _lexicon(reader, schema.RUNS, least)
    posts = _listed(reader)
    posts.sort(key=lambda p: p[2])
    posts.sort(key=lambda p: p[0], reverse=True)  # newest first; undated last
    titles = [(title, path) for _, title, path in posts]
    analyzer = analysis.plain_analyzer()
    pairs = sorted({(t.text, rank) for rank, p in enumerate(posts) for t in analyzer(p[1])})
    title_words = [w for w, _ in pairs]
    title_ranks = [rank for _, rank in pairs]
    return (_TABLES_FORMAT, least, words, dfs, runs, run_dfs, titles, title_words, title_ranks)


def _is_kept(kept: compact.Keyed) -> bool:
    head = kept.head
    return (isinstance(head, tuple) and len(head) == 2 and head[0] == _TABLES_FORMAT
            and sorted(kept.tables()) == sorted(_KEYED))  # fmt: skip


def _keep(path: Path | None, tables: tuple[Any, ...]) -> compact.Tables:
    """The tables of :func:`_tables` split by first character (titles by rank), kept in a
    keyed file at ``path`` (those of earlier generations removed: nothing reads them again,
    a process still on one has its tables open), else in memory."""
    _, least, words, dfs, runs, run_dfs, titles, title_words, title_ranks = tables
    keyed: dict[str, dict[Any, Any]] = {
        schema.WORDS: _by_first(words, dfs),
        schema.RUNS: _by_first(runs, run_dfs),
        _TITLE_WORDS: _by_first(title_words, title_ranks),
        _TITLES: dict(enumerate(titles)),
    }
    by_character = dict.fromkeys((schema.WORDS, schema.RUNS, _TITLE_WORDS), 1)
    kept = compact.keep_keyed(path, (_TABLES_FORMAT, least), keyed, by_character)
    if path is not None and isinstance(kept, compact.Keyed):
        generation = int(path.name.split("-")[1])
        for old in path.parent.glob("completion-*.bin"):
            with contextlib.suppress(ValueError, OSError):
                if int(old.name.split("-")[1]) < generation:
                    old.unlink()
    return kept


def _by_first(words: list[str], values: list[int]) -> dict[str, tuple[list[str], list[int]]]:
    """Sorted ``words`` and their ``values`` split by first character (each part sorted)."""
    split: dict[str, tuple[list[str], list[int]]] = {}
    for word, value in zip(words, values, strict=True):
        part = split.setdefault(word[:1], ([], []))
        part[0].append(word)
        part[1].append(value)
    return split


def _lexicon(reader: Any, field: str, least: int) -> tuple[list[str], list[int]]:
    """The words of ``field`` (WORDS or RUNS) in order, and the posts each is in (deleted ones too),
    leaving out those in fewer than ``least``. Read segment by segment: Whoosh's iterator
    over several segments looks every word up in each of them (4,723 posts in 2 segments:
    7.6 s instead of 0.7 s)."""
    leaves = reader.leaf_readers()
    counts: dict[str, int] = {}
    for leaf, _ in leaves:
        for btext, info in leaf.iter_field(field):
            word = btext.decode() if isinstance(btext, bytes) else btext
            counts[word] = counts.get(word, 0) + int(info.doc_frequency())
    ordered = sorted(counts) if len(leaves) > 1 else counts  # UTF-8 order is code point order
    words = [word for word in ordered if counts[word] >= least]
    return words, [counts[word] for word in words]


def _listed(reader: Any) -> list[tuple[str, str, str]]:
    """(date, title, path) of every post: from two columns, not from the stored records,
    whose reading (decompressing every post's text) took half of a first completion."""
    if not reader.has_column(records.LISTED):  # no post at all: every one was deleted
        return []
    listed = list(reader.column_reader(records.LISTED))  # every document's, in order
    paths = list(reader.column_reader(schema.PATH))
    posts = []
    for docnum in reader.all_doc_ids():  # the live ones
        date, title = records.read_listed(listed[docnum])
        posts.append((date, title or paths[docnum], paths[docnum]))
    return posts


_COMPLETERS: weakref.WeakKeyDictionary[Any, Completer] = weakref.WeakKeyDictionary()


def complete(reader: Any, prefix: str, limit: int = 10) -> list[Completion]:
    """:meth:`Completer.complete` with a completer cached for as long as ``reader`` lives."""
    completer = _COMPLETERS.get(reader) or _COMPLETERS.setdefault(reader, Completer(reader))
    return completer.complete(prefix, limit)


# -- similar posts -------------------------------------------------------------------------


def similar_source(post: records.StoredPost) -> str:
    """The text a post's key terms are drawn from: its title and opening."""
    return f"{post.title}\n{post.text[:SIMILAR_SOURCE_CHARS]}"


Frequencies = Callable[[list[tuple[str, str]]], list[int]]  # (field, word) -> occurrences


def term_frequencies(reader: Any, keys: list[tuple[str, str]]) -> list[int]:
    """How often each (field, word) of ``keys`` occurs in ``reader``'s posts: the
    :data:`Frequencies` of one index (a sharded one sums its shards')."""
    return [int(reader.frequency(field, word)) for field, word in keys]


def key_terms(text: str, lang: str | None, docs: int, words: int,
              frequencies: Frequencies) -> list[tuple[str, float]]:  # fmt: skip
    """The key terms of a post's ``text`` (title and opening) and their weights: Whoosh's
    Bo1 expansion model over an index of ``docs`` posts whose words field holds ``words``
    words, with each term's occurrences in it from ``frequencies`` (asked once, for all);
    minus numbers, short words and the stop words of the post's language and English, which
    Bo1 overrates in small archives. A CJK key term is a bigram (the words of Chinese and
    Japanese text are not spelled apart), counted in titles and bodies: the words field
    counts a text's CJK tokens as one term (``wordforms.words_analyzer``)."""
    keys = {analysis.language_key(lang), "en"}
    ranked = _key_terms(text, docs, words, frequencies, KEY_TERMS * 4)
    return [(word, weight) for word, weight in ranked if _keyword(word, keys)][:KEY_TERMS]


def similar_query(terms: list[tuple[str, float]]) -> query.Query:
    """The query finding the posts that share a post's key terms (:func:`key_terms`)."""
    return query.Or([_looked_up(word, weight) for word, weight in terms])


def _looked_up(word: str, weight: float) -> query.Query:
    if analysis.is_cjk(word[:1]):
        return query.Or([query.Term(field, word, boost=weight) for field in _CJK_FIELDS])
    return query.Term(schema.WORDS, word, boost=weight)


_CJK_FIELDS = (schema.TITLE, schema.BODY)


def _key_terms(text: str, docs: int, words: int, frequencies: Frequencies,
               number: int) -> list[tuple[str, float]]:  # fmt: skip
    """Whoosh's ``key_terms_from_text`` (Bo1, weights divided by the best's). Only CJK
    tokens that may be key terms are scored, the CJK_CANDIDATES commonest in the text: each
    is two term lookups, and a long Japanese post has thousands."""
    weights: dict[str, float] = {}
    for token in analysis.plain_analyzer()(text):
        weights[token.text] = weights.get(token.text, 0.0) + 1.0
    total = sum(weights.values())
    cjk = [word for word in weights if analysis.is_cjk(word[:1])]
    candidates = [word for word in cjk if _cjk_keyword(word)]
    candidates.sort(key=lambda word: -weights[word])  # stable: the first seen first
    skipped = set(cjk).difference(candidates[:CJK_CANDIDATES])
    scored_words = [word for word in weights if word not in skipped]
    asked: list[tuple[str, str]] = []
    for word in scored_words:
        fields = _CJK_FIELDS if analysis.is_cjk(word[:1]) else (schema.WORDS,)
        asked += [(field, word) for field in fields]
    counts = iter(frequencies(asked))
    model = classify.Bo1Model(docs, words)
    scored: list[tuple[float, str]] = []
    for word in scored_words:
        fields = _CJK_FIELDS if analysis.is_cjk(word[:1]) else (schema.WORDS,)
        frequency = sum(next(counts) for _ in fields)
        if frequency:  # 0: no post has the word
            scored.append((model.score(weights[word], frequency, total), word))
    best = max((score for score, _ in scored), default=0.0)
    ranked = sorted(((score / best, word) for score, word in scored), key=lambda x: (-x[0], x[1]))
    return [(word, weight) for weight, word in ranked[:number]]


def _cjk_keyword(token: str) -> bool:
    """Whether a CJK token may be a key term: a bigram, not of hiragana alone (Japanese
    inflections and particles: ``した``, ``ます``, ``って``)."""
    return len(token) == 2 and not all("\u3041" <= c <= "\u309f" for c in token)


def _keyword(word: str, keys: set[str]) -> bool:
    if analysis.is_cjk(word[:1]):
        return _cjk_keyword(word)
    if len(word) < 3 or any(c.isdigit() for c in word):
        return False
    return all(any(True for _ in analysis.text_analyzer(k)(word, mode="query")) for k in keys)
