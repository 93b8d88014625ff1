"""A document's text fields analysed at index time without Whoosh's token stream.

``field.index(value)`` runs an analyzer chain that moves one ``Token`` object through a
generator per filter for every word, then collects the words per format: 60 % of a build's
CPU went there. The fields our analyzers serve (title, body, words, spellings, tags-as-terms,
places) are analysed here instead with the very same pieces (``WordTokenizer.spans``,
``analysis.folded_forms``, ``analysis.stem_forms``), as arrays (:class:`Terms`: tokens
numbered and grouped by ``termstream`` and numpy, each distinct word analysed once), and each
post's body is matched by the token pattern once for the body field and the words field.
The runs field (a KEYWORD field that only counts its words) is counted here too.
What comes out is what ``field.index`` gives, term for term (:func:`index`; the oracle tests
compare whole indexes with Whoosh's own writer); any other field, or any other format, still
goes through ``field.index``.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import operator
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, cast

import numpy as np
from whoosh import fields, formats
from whoosh.analysis import IDTokenizer, RegexTokenizer
from whoosh.fields import FieldType
from whoosh.util.numeric import to_sortable

from searcher.indexing import analysis, schema, termstream, wordforms
from searcher.indexing._whoosh import segruns, segwriter
from searcher.indexing.termstream import I64

# (term bytes, frequency, weight, encoded value): what ``field.index`` yields
Posting = tuple[bytes, int, float, bytes]


def index(field: Any, value: Any, document: dict[str, Any]) -> Iterable[Posting]:
    """``field.index(value)``, the same postings in the same order."""
    found = terms(field, value, document)
    if found is None:
        return field.index(value)  # type: ignore[no-any-return]
    return found.postings()


def terms(field: Any, value: Any, document: dict[str, Any]) -> Terms | None:
    """``field.index(value)`` as arrays, for the fields analysed here (None for others)."""
    analyzer, form = field.analyzer, field.format
    kind = type(form)
    if kind is formats.Existence and isinstance(value, str) and _whole_value(field):
        return _ONE_TERM._replace(terms=[value], weights=_ONE_TERM.weights * form.field_boost)
    if not isinstance(value, str):
        return _numeric(field, value)
    if kind not in (formats.Positions, schema.Counts):
        return None
    if isinstance(analyzer, analysis.MultilingualAnalyzer) and kind is formats.Positions:
        return _with_positions(form, *_text_analysis(value))
    if analyzer is wordforms.words_analyzer() and kind is schema.Counts:
        body, key = document.get(schema.TEXT), document.get(schema.ANALYSIS)
        found = _words(form, value, body, key) or _plain_counts(form, value, body)
        return _cjk_as_one(found) if wordforms.has_cjk(value) else found
    if analyzer is analysis.plain_analyzer():
        return _with_positions(form, analyzer.items[0], "", value)
    if analyzer is analysis.spelling_analyzer() and kind is schema.Counts:
        return counted(_spellings(value), form.field_boost)
    if kind is schema.Counts and _splits_on_blanks(analyzer):  # a KEYWORD field: runs
        return counted(Counter(_BLANKS_APART.findall(value)), form.field_boost)
    return None


def _whole_value(field: Any) -> bool:
    """Whether ``field.index`` gives the value itself as its one term: an ID field (Whoosh's
    ``IDTokenizer`` alone, its ``index`` not overridden as NUMERIC's and DATETIME's are)."""
    return type(field.analyzer) is IDTokenizer and type(field).index is FieldType.index


def _numeric(field: Any, value: Any) -> Terms | None:
    """``NUMERIC.index`` (and DATETIME's, the same) of one int or datetime: a term per
    tier, each weighing 1, the number made sortable once rather than once a tier. Whoosh's
    generator, then a posting tuple each made into arrays, cost the date and year fields
    0.06 ms a post."""
    if type(field).index is not fields.NUMERIC.index or field.numtype is not int:
        return None
    if isinstance(value, dt.datetime) and isinstance(field, fields.DATETIME):
        number = field.prepare_datetime(value)
    elif type(value) is int and not field.decimal_places:
        number = value
    else:
        return None
    sortable = to_sortable(int, field.bits, field.signed, field.prepare_number(number))
    shifts = range(0, field.bits, field.shift_step) if field.shift_step else (0,)
    terms = [field.sortable_to_bytes(sortable, shift) for shift in shifts]
    return _ones(len(terms))._replace(terms=terms)


@functools.cache
def _ones(count: int) -> Terms:
    """``count`` terms (none yet) each found once, weighing 1, without value bytes: arrays
    shared by every such field value (no one writes to a Terms' arrays)."""
    return Terms([], np.ones(count, np.int64), np.ones(count), np.zeros(count, np.int64))


_BLANKS_APART = re.compile(r"[^ \t\r\n]+")  # whoosh's SpaceSeparatedTokenizer's tokens


def _splits_on_blanks(analyzer: Any) -> bool:
    """Whether ``analyzer`` is Whoosh's ``SpaceSeparatedTokenizer`` alone (KEYWORD's)."""
    return (
        type(analyzer) is RegexTokenizer
        and analyzer.expression.pattern == _BLANKS_APART.pattern
        and not analyzer.gaps
    )


def _text_analysis(value: str) -> tuple[Any, str, str]:
    """(tokenizer, language key, text) of a title or body value (``analysis.marked``), as
    ``MultilingualAnalyzer`` analyses it."""
    key = "any"
    if value.startswith(analysis.MARK):
        end = value.find(analysis.MARK, 1)
        if end > 0:
            key, value = value[1:end], value[end + 1 :]
            key = key if key in analysis.LANGUAGE_KEYS else "any"
    return analysis.text_analyzer(key).items[0], key, value


_MEMO_LIMIT = 100_000  # surface forms per language before its memo starts afresh
# language key ("" for folding alone) → surface → index terms, () for a stop word
_TERMS: dict[str, dict[str, tuple[str, ...]]] = {}


def _terms_of(key: str) -> tuple[dict[str, tuple[str, ...]], Callable[[str], tuple[str, ...]]]:
    """``key``'s memo of the terms a surface form indexes as, and the function that fills it:
    folded (``FoldFilter``: nothing if a stop word), then stemmed (``StemFoldFilter``: one
    or two stems) if ``key`` has a stemmer. One lookup per token instead of three."""
    if key in analysis.SNOWBALL_LANGUAGES:
        _, folder, stemmer = analysis.text_analyzer(key).items
        stops, stem_forms = folder.stops, analysis.stem_forms(stemmer.lang)
    else:
        key, stops, stem_forms = "", frozenset(), None
    memo = _TERMS.setdefault(key, {})
    fold = analysis.folded_forms

    def terms(surface: str) -> tuple[str, ...]:
        lowered, folded = fold(surface)
        if folded in stops:
            found: tuple[str, ...] = ()
        elif stem_forms is None:
            found = (folded,)
        else:
            first, other = stem_forms(lowered, folded)
            found = (first,) if other is None else (first, other)
        if len(memo) > _MEMO_LIMIT:
            memo.clear()
        memo[surface] = found
        return found

    return memo, terms


class Terms(NamedTuple):
    """A field's postings in one document as arrays: each term (first seen first), its
    frequency and weight, and its value as the batch keeps it: the deltas of its positions
    (``deltas``, term after term, encoded a batch at a time by ``segwriter.position_values``)
    in a field with positions, else its bytes, joined in ``values`` with their ``sizes``.
    The terms are strings as the analysis made them (bytes where Whoosh's ``field.index``
    made them): a batch numbers them by field before it makes their keys' bytes, those with
    a code (a CJK run's token: ``termstream.decoded`` makes its string) by their codes."""

    terms: list[str] | list[bytes]
    frequencies: I64
    weights: np.ndarray[Any, Any]
    sizes: I64 | None = None
    values: bytes = b""
    deltas: I64 | None = None
    codes: I64 | None = None  # each term's code as ``termstream`` numbers CJK tokens, or -1

    def postings(self) -> list[Posting]:
        """The postings as ``field.index`` gives them (position values encoded whole)."""
        values, sizes = self.values, self.sizes
        if self.deltas is not None:
            values, sizes = segwriter.position_values(self.frequencies, self.deltas)
        assert sizes is not None
        ends = np.cumsum(sizes).tolist()
        found = [values[end - size : end] for end, size in zip(ends, sizes.tolist(), strict=True)]
        if self.deltas is not None:
            found = [value[:4] + _PICKLED + value[5:] + b"." for value in found]
        terms = [term.encode() if isinstance(term, str) else term for term in self.terms]
        return list(zip(terms, self.frequencies.tolist(), self.weights.tolist(), found,
                        strict=True))  # fmt: skip


_PICKLED = b"\x80\x02]q\x00"  # what compacted position values leave out of their pickle
# an ID field's one posting, its term the value (Existence: frequency 1, no value bytes)
_ONE_TERM = Terms([], np.ones(1, dtype=np.int64), np.ones(1), np.zeros(1, dtype=np.int64))


def counted(frequencies: dict[str, int], boost: float) -> Terms:
    """A format without positions or values (``schema.Counts``): each term's count."""
    counts = np.fromiter(frequencies.values(), np.int64, count=len(frequencies))
    empty = np.zeros(len(counts), dtype=np.int64)
    weights = counts * (1.0 * boost)
    return Terms(list(frequencies), counts, weights, empty)


def _with_positions(form: Any, tokenizer: Any, key: str, value: str) -> Terms:
    """``form.word_values`` (Positions) of the tokens of ``value`` as ``key``'s analyzer
    gives them: folded as ``FoldFilter`` folds them at index time (stop words dropped, the
    positions after them closed up), then stemmed as ``StemFoldFilter`` stems them (a second
    stem where a word has one). Each distinct surface form costs one memo lookup
    (:func:`_terms_of`); the tokens become their terms' numbers, and their positions are
    grouped by term with numpy, without a step of Python per token."""
    found = _analysed(form, tokenizer, key, value)
    if key and _plain_like(key):  # for the words field (:func:`_words`)
        recent = _recent.__dict__.setdefault("terms", {})
        if len(recent) >= 4:
            del recent[next(iter(recent))]
        recent[key, value] = found
    return found


def _analysed(form: Any, tokenizer: Any, key: str, value: str) -> Terms:
    if len(analysis.token_texts(value)) <= termstream.FEW:
        return _few(form, tokenizer, key, value)
    numbers, distinct, firsts, at, as_is, codes = termstream.numbered_tokens(tokenizer, key, value)
    if not distinct:
        none = np.zeros(0, dtype=np.int64)
        return Terms([], none, none * 1.0, deltas=none)
    memo, terms_of = _terms_of(key)
    term_codes = None
    if as_is is not None and codes is not None:  # CJK runs, in a language that only folds
        terms, occurrence, term_codes = _folded_only(distinct, as_is[firsts], memo.get,
                                                     terms_of, numbers, codes)  # fmt: skip
        positions = at
    else:
        known = termstream.lookup(distinct, firsts, as_is, memo.get)
        if None in known:
            known = [terms_of(distinct[i]) if t is None else t for i, t in enumerate(known)]
        found = cast(list[tuple[str, ...]], known)
        terms, occurrence, positions = termstream.occurrences(found, numbers, at)
    order = segruns.stable_order(occurrence)
    frequencies = np.bincount(occurrence, minlength=len(terms))
    positions = positions[order]
    deltas = np.diff(positions, prepend=0)
    firsts = np.cumsum(frequencies) - frequencies
    deltas[firsts] = positions[firsts]  # a term's positions never go back: deltas >= 0
    weights = frequencies * (1.0 * form.field_boost)
    return Terms(terms, frequencies, weights, deltas=deltas, codes=term_codes)


def _folded_only(
    distinct: list[str],
    as_is: np.ndarray[Any, Any],
    get: Callable[[str], tuple[str, ...] | None],
    fill: Callable[[str], tuple[str, ...]],
    numbers: I64,
    codes: I64,
) -> tuple[list[str], I64, I64]:
    """:func:`termstream.occurrences` of distinct surfaces that each give one term (a
    language without stop words or stems: folding alone), those flagged ``as_is`` (CJK
    bigrams and characters) themselves: the distinct terms and each token's, without a
    tuple per surface. Only the few others are looked up; the terms are numbered afresh
    only where two surfaces may give one term: two looked up alike, or one that folding
    changed into what may be a CJK token (the distinct surfaces are all different). A
    Japanese post has thousands of distinct bigrams: a tuple and a dict probe each were a
    third of its body's analysis. The terms' codes come third (-1 for those looked up)."""
    singles = list(distinct)
    codes = np.where(as_is, codes, -1)
    others = np.flatnonzero(~as_is).tolist()
    changed = False  # into a CJK token's term
    for i in others:
        found = get(distinct[i])
        term = singles[i] = (fill(distinct[i]) if found is None else found)[0]
        if term != distinct[i] and term and analysis.is_cjk(term[0]):
            changed = True
    looked_up = [singles[i] for i in others]
    if changed:
        term_of, terms, firsts = termstream.numbered(singles)
        return terms, term_of[numbers], codes[firsts]
    if len(set(looked_up)) == len(looked_up):
        return singles, numbers, codes  # no two surfaces give one term
    # only looked-up surfaces share terms: each goes to the first seen with its term
    ids, _, firsts = termstream.numbered(looked_up)
    where = np.array(others, dtype=np.int64)
    first = np.arange(len(singles))
    first[where] = where[firsts[ids]]
    kept = first == np.arange(len(singles))
    terms = list(itertools.compress(singles, kept.tolist()))
    return terms, (np.cumsum(kept) - 1)[first][numbers], codes[kept]


def _few(form: Any, tokenizer: Any, key: str, value: str) -> Terms:
    """:func:`_analysed` of a short value (a title, a place), a step of Python per token:
    the same terms, positions and order as the arrays give, without the two dozen numpy
    calls whose fixed costs made a title cost a third of a whole body."""
    texts = analysis.token_texts(value)
    tokens: Iterable[tuple[str, int]]
    if analysis.APOSTROPHE.search(value) is None and all(map(_WORD, texts)):
        tokens = zip(map(_WORD, texts), range(len(texts)), strict=True)  # a word a position
    else:
        tokens = ((surface, at) for surface, at, _ in tokenizer.spans(value))
    memo, terms_of = _terms_of(key)
    get = memo.get
    positions: dict[str, list[int]] = {}
    removed, shift = -1, 0
    for surface, at in tokens:
        found = get(surface)
        if found is None:
            found = terms_of(surface)
        if not found:  # a stop word: the positions after it close up, as FoldFilter's do
            if at != removed:
                removed, shift = at, shift + 1
            continue
        for term in found:
            held = positions.get(term)
            if held is None:
                positions[term] = [at - shift]
            else:
                held.append(at - shift)
    deltas: list[int] = []
    for held in positions.values():
        deltas += map(int.__sub__, held, [0, *held[:-1]])  # the first from 0: itself
    frequencies = np.array(list(map(len, positions.values())), dtype=np.int64)
    weights = frequencies * (1.0 * form.field_boost)
    found_deltas = np.array(deltas, dtype=np.int64)
    return Terms(list(positions), frequencies, weights, deltas=found_deltas)


_WORD = operator.itemgetter(2)  # a token pattern match's word ("" for CJK runs and versions)
_recent = threading.local()  # each thread's last few titles' and bodies' Terms (_words)


@functools.cache
def _plain_like(key: str) -> bool:
    """Whether ``key``'s text analyzer indexes the terms ``plain_analyzer`` does."""
    tokenizer, *filters = analysis.text_analyzer(key).items
    plain, plain_fold = analysis.plain_analyzer().items
    same_fold = [type(f) for f in filters] == [type(plain_fold)] and filters[
        0
    ].stops == plain_fold.stops
    return bool(tokenizer == plain and same_fold)


def _words(form: Any, value: str, body: Any, key: Any) -> Terms | None:
    """The words field's counts (title, newline, body) from the title's and the body's own
    terms, when the post's language indexes the terms ``plain_analyzer`` gives (no stop
    words, no stems: CJK and unknown languages) and both were just analysed; else None."""
    if not (isinstance(body, str) and isinstance(key, str) and value.endswith("\n" + body)):
        return None
    recent = _recent.__dict__.get("terms", {})
    title = recent.get((key, value[: len(value) - len(body) - 1]))
    text = recent.get((key, body))
    if title is None or text is None:
        return None
    in_title = {term: i for i, term in enumerate(title.terms)}
    shared = _shared(in_title, text)
    only = ~shared
    terms = title.terms + text.terms  # the title's first, less the body's it has
    for at in reversed(np.flatnonzero(shared).tolist()):  # a few: a list less each
        del terms[len(title.terms) + at]
    frequencies = np.concatenate([title.frequencies, text.frequencies[only]])
    both = map(in_title.__getitem__, itertools.compress(text.terms, shared.tolist()))
    frequencies[np.fromiter(both, np.int64, count=int(shared.sum()))] += text.frequencies[shared]
    codes = None
    if title.codes is not None or text.codes is not None:
        codes = np.concatenate([_codes(title), _codes(text)[only]])
    weights = frequencies * (1.0 * form.field_boost)
    return Terms(terms, frequencies, weights, np.zeros(len(terms), dtype=np.int64),
                 codes=codes)  # fmt: skip


def _shared(in_title: dict[str, int], text: Terms) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Which of a body's terms the title has: those with codes (CJK runs' tokens, most
    terms of a Japanese body) by their codes, the others by their strings. Hashing each
    string of a Japanese body's thousands of distinct bigrams was 0.3 ms a post."""
    terms = text.terms
    if text.codes is None:
        return np.fromiter(map(in_title.__contains__, terms), bool, count=len(terms))
    titled = np.unique(termstream.encoded(cast(list[str], list(in_title))))
    at = np.minimum(np.searchsorted(titled, text.codes), len(titled) - 1)
    shared = (text.codes >= 0) & (titled[at] == text.codes) if len(titled) else text.codes < -1
    plain = np.flatnonzero(text.codes < 0).tolist()
    shared[plain] = list(map(in_title.__contains__, map(terms.__getitem__, plain)))
    return shared


def _codes(terms: Terms) -> I64:
    """Each term's code (-1 where it has none)."""
    if terms.codes is None:
        return np.full(len(terms.terms), -1, dtype=np.int64)
    return terms.codes


def _cjk_as_one(found: Terms) -> Terms:
    """``found`` (without positions or values) with its CJK terms made one, as
    ``words_analyzer`` makes them: those with a code, and those without one that start with
    a CJK character, counted together where the first of them was."""
    terms, codes = cast(list[str], found.terms), found.codes
    cjk = np.zeros(len(terms), dtype=bool) if codes is None else codes >= 0
    plain = range(len(terms)) if codes is None else np.flatnonzero(~cjk).tolist()
    for i in plain:
        cjk[i] = analysis.is_cjk(terms[i][:1])
    if not cjk.any():
        return found
    first = int(np.argmax(cjk))
    frequencies, weights = found.frequencies.copy(), found.weights.copy()
    frequencies[first], weights[first] = frequencies[cjk].sum(), weights[cjk].sum()
    keep = ~cjk
    keep[first] = True
    kept = list(itertools.compress(terms, keep.tolist()))
    kept[int(keep[:first].sum())] = wordforms.CJK_TOKENS
    sizes = None if found.sizes is None else found.sizes[keep]
    return Terms(kept, frequencies[keep], weights[keep], sizes)


def _plain_counts(form: Any, value: str, body: Any) -> Terms:
    """``plain_analyzer``'s tokens counted (as :func:`counted` counts them): the token
    pattern's matches counted at C speed, each distinct match's terms from a memo
    (:func:`_plain_terms`), the terms numbered and summed by numpy. A value that ends with a
    newline and ``body`` (the words field's: title, newline, body) reuses the title's and the
    body's matches, as no token crosses a newline. A step of Python per distinct match
    (folding, adding its count) made the words field cost a third of the body's."""
    if isinstance(body, str) and body and value.endswith("\n" + body):
        matched = Counter(analysis.token_texts(value[: len(value) - len(body) - 1]))
        matched.update(analysis.token_texts(body))
    else:
        matched = Counter(analysis.token_texts(value))
    known = list(map(_PLAIN.get, matched))
    if None in known:
        known = [_plain_terms(match) if terms is None else terms
                 for match, terms in zip(matched, known, strict=True)]  # fmt: skip
    found = cast(list[tuple[str, ...]], known)
    times = np.fromiter(matched.values(), np.int64, count=len(matched))
    per_match = np.fromiter(map(len, found), np.int64, count=len(found))
    numbers, terms, _ = termstream.numbered(list(itertools.chain.from_iterable(found)))
    weights = np.repeat(times, per_match)
    counts = np.bincount(numbers, weights, minlength=len(terms)).astype(np.int64)
    return Terms(terms, counts, counts * (1.0 * form.field_boost), np.zeros(len(terms), np.int64))


_PLAIN: dict[tuple[str, str, str], tuple[str, ...]] = {}  # a match → its plain terms


def _plain_terms(match: tuple[str, str, str]) -> tuple[str, ...]:
    """The terms ``plain_analyzer`` gives a token pattern match (:func:`analysis.token_texts`)
    alone, in order, remembered but for CJK runs (rarely seen twice)."""
    cjk, version, word = match
    if word and analysis.APOSTROPHE.search(word) is None:
        found: tuple[str, ...] = (analysis.folded_forms(word)[1],)
    elif len(cjk) > 1 and analysis.fold(cjk) == cjk:  # bigrams, then characters: as is
        return (*map(str.__add__, cjk[:-1], cjk[1:]), *cjk)
    else:  # as many tokens as spans makes of the match alone
        kind, text = ("word", word) if word else ("cjk", cjk) if cjk else ("version", version)
        tokenizer = analysis.plain_analyzer().items[0]
        spans = tokenizer.spans(text, matches=((kind, text, 0),))
        found = tuple(analysis.folded_forms(piece)[1] for piece, _, _ in spans)
    if len(_PLAIN) > _MEMO_LIMIT:
        _PLAIN.clear()
    _PLAIN[match] = found
    return found


def _spellings(value: str) -> dict[str, int]:
    """``spelling_analyzer``'s tokens counted: folded words that are not written folded.
    The value (``analysis.spelled_words``') is read by the token pattern once, each
    distinct match's terms come from a memo (:func:`_spelled_terms`), and are counted at C
    speed; CJK runs, whose tokens fold to themselves, are left out. A memo by space-separated
    word missed on nearly every word of a Japanese post (a word runs on to the next space),
    each read alone by the token pattern: 0.76 ms a kaigai-matome post."""
    matches = analysis.token_texts(value)
    if termstream.cjk_folds_to_itself():
        matches = [match for match in matches if not match[0]]
    known = list(map(_SPELLED.get, matches))
    if None in known:
        known = [_spelled_terms(match) if terms is None else terms
                 for match, terms in zip(matches, known, strict=True)]  # fmt: skip
    return Counter(itertools.chain.from_iterable(cast(list[tuple[str, ...]], known)))


_SPELLED: dict[tuple[str, str, str], tuple[str, ...]] = {}  # a match → its spellings terms


def _spelled_terms(match: tuple[str, str, str]) -> tuple[str, ...]:
    """The spellings field's terms of a token pattern match alone, remembered."""
    cjk, version, word = match
    kind, text = ("word", word) if word else ("version", version) if version else ("cjk", cjk)
    tokenizer = analysis.spelling_analyzer().items[0]
    forms, found = analysis.folded_forms, []
    for surface, _, _ in tokenizer.spans("", matches=((kind, text, 0),)):
        folded = forms(surface)[1]
        if folded != surface:
            found.append(folded + analysis.SPELLED + surface)
    if len(_SPELLED) > _MEMO_LIMIT:
        _SPELLED.clear()
    terms = _SPELLED[match] = tuple(found)
    return terms
