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

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from whoosh import formats

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
        return _with_positions(form, analyzer.items[0], frozenset(), None, value)
    if analyzer is analysis.spelling_analyzer() and kind is schema.Counts:
        return _counted(form, _spellings(value))
    return field.index(value)  # type: ignore[no-any-return]


def _text_analysis(value: str) -> tuple[Any, frozenset[str], Any, str]:
    """(tokenizer, stop words, stem forms or None, text) of a title or body value
    (``analysis.marked``), as ``MultilingualAnalyzer`` analyses it."""
    key = "any"
    if value.startswith(analysis.MARK):
        end = value.find(analysis.MARK, 1)
        if end > 0:
            key, value = value[1:end], value[end + 1 :]
            key = key if key in analysis.LANGUAGE_KEYS else "any"
    tokenizer, folder, *stemmer = analysis.text_analyzer(key).items
    return tokenizer, folder.stops, analysis.stem_forms(stemmer[0].lang) if stemmer else None, value


def _with_positions(
    form: Any,
    tokenizer: Any,
    stops: frozenset[str],
    stem_forms: Callable[[str, str], tuple[str, str | None]] | None,
    value: str,
) -> list[Posting]:
    """``form.word_values`` (Positions) of the tokens of ``value``: folded as
    ``FoldFilter`` folds them at index time (stop words dropped, the positions after them
    closed up), then stemmed as ``StemFoldFilter`` stems them (a second stem where a word
    has one), if ``stem_forms``."""
    positions: dict[str, list[int]] = {}

    def add(term: str, pos: int) -> None:
        found = positions.get(term)
        if found is None:
            positions[term] = [pos]
        else:
            found.append(pos)

    removed, shift = None, 0
    fold = analysis.folded_forms
    plain_cjk = not stops and stem_forms is None  # CJK runs that fold to themselves: as is
    for spans in _match_spans(tokenizer, value, plain_cjk, add):
        for text, pos in spans:
            lowered, folded = fold(text)
            if folded in stops:
                if pos != removed:
                    removed, shift = pos, shift + 1
                continue
            pos -= shift
            if stem_forms is None:
                add(folded, pos)
                continue
            first, other = stem_forms(lowered, folded)
            add(first, pos)
            if other is not None:
                add(other, pos)
    boost, encode = form.field_boost, form.encode
    return [(w.encode(), len(p), len(p) * 1.0 * boost, encode(p)) for w, p in positions.items()]


def _match_spans(
    tokenizer: Any, value: str, plain_cjk: bool, add: Callable[[str, int], None]
) -> Iterable[Iterable[tuple[str, int]]]:
    """(text, position) of the tokens ``tokenizer.spans(value)`` gives, a match at a time:
    a word without an apostrophe is one token as it is; with ``plain_cjk``, the tokens of a
    CJK run that folds to itself go straight to ``add``; any other match goes through
    ``spans`` from where it starts."""
    apostrophe, fold = analysis.APOSTROPHE.search, analysis.fold
    pos = 0
    for match in analysis.token_matches(value):
        kind, text, _ = match
        if kind == "word" and not apostrophe(text):
            yield ((text, pos),)
            pos += 1
        elif plain_cjk and kind == "cjk" and len(text) > 1 and fold(text) == text:
            last = pos + len(text) - 2  # bigrams, then each character (WordTokenizer.spans)
            for i in range(len(text) - 1):
                add(text[i : i + 2], pos + i)
            for i, char in enumerate(text):
                add(char, min(pos + i, last))
            pos = last + 1
        else:
            found = [(t, p) for t, p, _ in tokenizer.spans(value, pos, matches=(match,))]
            yield found
            pos = max((p for _, p in found), default=pos - 1) + 1


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
        matches = (*analysis.token_matches(title), *analysis.token_matches(body))
    else:
        matches = tuple(analysis.token_matches(value))
    tokenizer = analysis.plain_analyzer().items[0]
    forms, apostrophe = analysis.folded_forms, analysis.APOSTROPHE.search
    counts: dict[str, int] = {}
    for (kind, text), times in Counter((kind, text) for kind, text, _ in matches).items():
        if kind == "word" and not apostrophe(text):
            pieces: Iterable[str] = (text,)
        elif kind == "cjk" and len(text) > 1 and analysis.fold(text) == text:
            for piece in (*(text[i : i + 2] for i in range(len(text) - 1)), *text):
                counts[piece] = counts.get(piece, 0) + times  # bigrams, characters: as is
            continue
        else:  # as many tokens as spans makes of the match alone
            pieces = [piece for piece, _, _ in tokenizer.spans(text, matches=((kind, text, 0),))]
        for piece in pieces:
            folded = forms(piece)[1]
            counts[folded] = counts.get(folded, 0) + times
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
