"""A document's text fields analysed at index time without Whoosh's token stream.

``field.index(value)`` runs an analyzer chain that moves one ``Token`` object through a
generator per filter for every word, then collects the words per format: 60 % of a build's
CPU went there. The fields our analyzers serve (title, body, words, spellings, tags-as-terms,
places) are analysed here instead with the very same pieces (``WordTokenizer.spans``,
``analysis.folded_forms``, ``analysis.stem_forms``), as plain tuples, and each post's body is
matched by the token pattern once for the body field and the words field. What comes out is
what ``field.index`` gives, term for term (the oracle tests compare whole indexes with
Whoosh's own writer); any other field, or any other format, still goes through
``field.index``.
"""

from __future__ import annotations

import itertools
import operator
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from typing import Any

from whoosh import formats
from whoosh.system import pack_uint

from searcher.indexing import analysis, schema

# (term bytes, frequency, weight, encoded value): what ``field.index`` yields
Posting = tuple[bytes, int, float, bytes]


def index(field: Any, value: Any, document: dict[str, Any]) -> Iterable[Posting]:
    """``field.index(value)``, the same postings in the same order."""
    analyzer, form = field.analyzer, field.format
    kind = type(form)
    if not isinstance(value, str) or kind not in (formats.Positions, schema.Counts):
        return field.index(value)  # type: ignore[no-any-return]
    if isinstance(analyzer, analysis.MultilingualAnalyzer) and kind is formats.Positions:
        return _with_positions(form, *_text_analysis(value))
    if analyzer is analysis.plain_analyzer():
        if kind is schema.Counts:
            return _plain_counts(form, value, document.get(schema.TEXT))
        return _with_positions(form, analyzer.items[0], "", value)
    if analyzer is analysis.spelling_analyzer() and kind is schema.Counts:
        return _counted(form, _spellings(value))
    return field.index(value)  # type: ignore[no-any-return]


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


_MEMO_LIMIT = 20_000  # surface forms per language before its memo starts afresh
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


def _with_positions(form: Any, tokenizer: Any, key: str, value: str) -> list[Posting]:
    """``form.word_values`` (Positions) of the tokens of ``value`` as ``key``'s analyzer
    gives them: folded as ``FoldFilter`` folds them at index time (stop words dropped, the
    positions after them closed up), then stemmed as ``StemFoldFilter`` stems them (a second
    stem where a word has one). Each token costs one memo lookup (:func:`_terms_of`); a word
    without an apostrophe is its own token, and a CJK run that folds to itself its own
    bigrams and characters (:func:`_cjk_run`), without going through ``tokenizer.spans``."""
    positions: defaultdict[str, list[int]] = defaultdict(list)
    memo, terms_of = _terms_of(key)
    lookup = memo.get
    removed, shift, pos = -1, 0, 0

    def put(surface: str, at: int) -> None:  # the loop's own steps, for the rarer tokens
        nonlocal removed, shift
        terms = lookup(surface)
        if terms is None:
            terms = terms_of(surface)
        if not terms:
            if at != removed:
                removed, shift = at, shift + 1
            return
        for term in terms:
            positions[term].append(at - shift)

    apostrophe = analysis.APOSTROPHE.search if analysis.APOSTROPHE.search(value) else None
    # no stop words, no stems: a CJK run that folds to itself indexes as it is
    cjk_as_is = key not in analysis.SNOWBALL_LANGUAGES
    for cjk, version, word in analysis.token_texts(value):
        if word and (apostrophe is None or not apostrophe(word)):
            terms = lookup(word)
            if terms is None:
                terms = terms_of(word)
            if terms:
                for term in terms:
                    positions[term].append(pos - shift)
            elif pos != removed:
                removed, shift = pos, shift + 1
            pos += 1
        elif cjk_as_is and len(cjk) > 1 and analysis.fold(cjk) == cjk:
            pos = _cjk_run(positions, cjk, pos - shift) + shift
        else:
            match = ("word", word) if word else ("cjk", cjk) if cjk else ("version", version)
            last = pos - 1
            for surface, at, _ in tokenizer.spans(value, pos, matches=((*match, 0),)):
                put(surface, at)
                last = max(last, at)
            pos = last + 1
    boost = form.field_boost
    encode = _encode_positions if type(form) is formats.Positions else form.encode
    return [(w.encode(), len(p), len(p) * 1.0 * boost, encode(p)) for w, p in positions.items()]


def _cjk_run(positions: defaultdict[str, list[int]], text: str, pos: int) -> int:
    """A CJK run's tokens (``WordTokenizer.spans``: its bigrams, then each character at its
    bigram's position, the last at the last bigram's) added to ``positions`` from ``pos``,
    at C speed (maps drained by a zero-length deque); the position after the run."""
    last = pos + len(text) - 2
    at = range(pos, last + 1)
    lists = positions.__getitem__  # a defaultdict's: a new term gets its list
    deque(map(list.append, map(lists, map(str.__add__, text[:-1], text[1:])), at), maxlen=0)
    deque(map(list.append, map(lists, text[:-1]), at), maxlen=0)
    positions[text[-1]].append(last)
    return last + 1


_ONE_POSITION: dict[int, bytes] = {}  # position → the value of a term found there alone


def _encode_positions(found: list[int]) -> bytes:
    """``formats.Positions.encode(found)``, the same bytes (its own pack and pickle) with
    the deltas taken at C speed; a term seen once (most are) has its value remembered."""
    if len(found) == 1:
        value = _ONE_POSITION.get(found[0])
        if value is None:
            value = pack_uint(1) + formats.dumps(found, 2)
            if len(_ONE_POSITION) < 1 << 16:
                _ONE_POSITION[found[0]] = value
        return value
    deltas = list(map(operator.sub, found, itertools.chain((0,), found)))
    return pack_uint(len(found)) + formats.dumps(deltas, 2)  # type: ignore[no-any-return]


def _counted(form: Any, texts: Iterable[str]) -> list[Posting]:
    """``form.word_values`` of a format without positions (``schema.Counts``)."""
    counts = Counter(texts)
    boost = form.field_boost
    return [(w.encode(), n, n * 1.0 * boost, b"") for w, n in counts.items()]


def _plain_counts(form: Any, value: str, body: Any) -> list[Posting]:
    """``plain_analyzer``'s tokens counted (as ``_counted`` counts them),
    each distinct token pattern match analysed once. A value that ends with a newline and
    ``body`` (the words field's: title, newline, body) reuses the body's matches, as no
    token crosses a newline."""
    if isinstance(body, str) and body and value.endswith("\n" + body):
        title = value[: len(value) - len(body)]
        matches = (*analysis.token_texts(title), *analysis.token_texts(body))
    else:
        matches = tuple(analysis.token_texts(value))
    tokenizer = analysis.plain_analyzer().items[0]
    forms, apostrophe = analysis.folded_forms, analysis.APOSTROPHE.search
    counts: Counter[str] = Counter()
    for (cjk, version, word), times in Counter(matches).items():
        if word and not apostrophe(word):
            pieces: Iterable[str] = (word,)
        elif len(cjk) > 1 and analysis.fold(cjk) == cjk:  # bigrams, characters: as is
            bigrams = map(str.__add__, cjk[:-1], cjk[1:])
            if times == 1:
                counts.update(bigrams)  # counted at C speed
                counts.update(cjk)
                continue
            pieces = (*bigrams, *cjk)
            for piece in pieces:
                counts[piece] += times
            continue
        else:  # as many tokens as spans makes of the match alone
            kind, text = ("word", word) if word else ("cjk", cjk) if cjk else ("version", version)
            pieces = [piece for piece, _, _ in tokenizer.spans(text, matches=((kind, text, 0),))]
        for piece in pieces:
            counts[forms(piece)[1]] += times
    boost = form.field_boost
    return [(w.encode(), n, n * 1.0 * boost, b"") for w, n in counts.items()]


def _spellings(value: str) -> Iterable[str]:
    """``spelling_analyzer``'s tokens: folded words that are not written folded."""
    tokenizer = analysis.spelling_analyzer().items[0]
    forms = analysis.folded_forms
    for surface, _, _ in tokenizer.spans(value):
        folded = forms(surface)[1]
        if folded != surface:
            yield folded + analysis.SPELLED + surface
