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

from collections.abc import Callable, Iterable
from typing import Any

from whoosh import formats

from searcher import analysis, schema

# (term bytes, frequency, weight, encoded value): what ``field.index`` yields
Posting = tuple[bytes, int, float, bytes]
Tokens = Iterable[tuple[str, int]]  # (text, position)


def index(field: Any, value: Any, document: dict[str, Any]) -> Iterable[Posting]:
    """``field.index(value)``, the same postings in the same order."""
    analyzer, form = field.analyzer, field.format
    kind = type(form)
    if not isinstance(value, str) or kind not in (formats.Positions, schema.Counts):
        return field.index(value)  # type: ignore[no-any-return]
    if isinstance(analyzer, analysis.MultilingualAnalyzer):
        return _collect(form, _text_tokens(value))
    if analyzer is analysis.plain_analyzer():
        body = document.get(schema.TEXT) if kind is schema.Counts else None
        return _collect(form, _plain_tokens(value, body))
    if analyzer is analysis.spelling_analyzer():
        return _collect(form, _spelling_tokens(value))
    return field.index(value)  # type: ignore[no-any-return]


def _collect(form: Any, tokens: Tokens) -> list[Posting]:
    """The tokens as ``form.word_values`` collects them (every token's boost is 1)."""
    boost = form.field_boost
    if type(form) is formats.Positions:
        positions: dict[str, list[int]] = {}
        for text, pos in tokens:
            found = positions.get(text)
            if found is None:
                positions[text] = [pos]
            else:
                found.append(pos)
        encode = form.encode
        return [(w.encode(), len(p), len(p) * 1.0 * boost, encode(p)) for w, p in positions.items()]
    counts: dict[str, int] = {}
    for text, _ in tokens:
        counts[text] = counts.get(text, 0) + 1
    return [(w.encode(), n, n * 1.0 * boost, b"") for w, n in counts.items()]


def _text_tokens(value: str) -> Tokens:
    """A title or body (``analysis.marked``) as ``MultilingualAnalyzer`` tokenises it."""
    key = "any"
    if value.startswith(analysis.MARK):
        end = value.find(analysis.MARK, 1)
        if end > 0:
            key, value = value[1:end], value[end + 1 :]
            key = key if key in analysis.LANGUAGE_KEYS else "any"
    tokenizer, folder, *stemmer = analysis.text_analyzer(key).items
    folded = _folded(tokenizer.spans(value), folder.stops)
    if not stemmer:
        return ((text, pos) for _, text, pos in folded)
    return _stemmed(folded, analysis.stem_forms(stemmer[0].lang))


def _folded(spans: Iterable[tuple[str, int, int]], stops: frozenset[str]) -> Iterable[Any]:
    """(lowercase, folded, position) of each span as ``FoldFilter`` leaves it at index time:
    stop words dropped, the positions after them closed up."""
    removed, shift = None, 0
    forms = analysis.folded_forms
    for text, pos, _ in spans:
        lowered, folded = forms(text)
        if folded in stops:
            if pos != removed:
                removed, shift = pos, shift + 1
            continue
        yield lowered, folded, pos - shift


def _stemmed(folded: Iterable[Any], forms_of: Callable[[str, str], Any]) -> Tokens:
    """Each token's stem, and its other stem where it has one, as ``StemFoldFilter``."""
    for lowered, text, pos in folded:
        first, other = forms_of(lowered, text)
        yield first, pos
        if other is not None:
            yield other, pos


def _plain_tokens(value: str, body: Any = None) -> Tokens:
    """``plain_analyzer``'s tokens; a value that ends with a newline and ``body`` (the words
    field's: title, newline, body) reuses the body's matches, as no token crosses a newline
    (positions then differ: only for a field that keeps none)."""
    tokenizer = analysis.plain_analyzer().items[0]
    if isinstance(body, str) and body and value.endswith("\n" + body):
        title = value[: len(value) - len(body)]
        spans: Iterable[tuple[str, int, int]] = (*tokenizer.spans(title),
                                                 *tokenizer.spans(body))  # fmt: skip
    else:
        spans = tokenizer.spans(value)
    return ((text, pos) for _, text, pos in _folded(spans, frozenset()))


def _spelling_tokens(value: str) -> Tokens:
    """``spelling_analyzer``'s tokens: folded words that are not written folded."""
    tokenizer = analysis.spelling_analyzer().items[0]
    forms = analysis.folded_forms
    for surface, pos, _ in tokenizer.spans(value):
        folded = forms(surface)[1]
        if folded != surface:
            yield folded + analysis.SPELLED + surface, pos
