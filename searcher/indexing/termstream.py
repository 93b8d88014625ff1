"""A text's tokens as arrays, for ``fieldterms`` to turn into positions without a step of
Python per token.

:func:`tokens` cuts a value as ``WordTokenizer.spans`` does (the same surface forms at the
same positions, CJK runs as their bigrams then their characters); :func:`numbered` numbers
the distinct surface forms, so that each is analysed once; :func:`occurrences` expands them
into their terms (none for a stop word, two where a word has two stems), closing up the
positions stop words leave, as ``FoldFilter`` does. Each step is a dict probe or a numpy
operation per token, at C speed.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from searcher.indexing import analysis

I64 = np.ndarray[Any, np.dtype[np.int64]]
Found = tuple[str, ...]  # a surface form's terms

_WORD = operator.itemgetter(2)
T = TypeVar("T", str, bytes)


def tokens(tokenizer: Any, key: str, value: str) -> tuple[list[str], I64, I64 | None]:
    """(surface, position) of each token of ``value`` as ``tokenizer.spans`` gives them, and
    which tokens index as they are (CJK bigrams and characters of a run that folds to itself,
    in a language without stop words or stems; None if none do)."""
    texts = analysis.token_texts(value)
    words: list[str] = list(map(_WORD, texts))
    count = len(words)
    special = np.flatnonzero(np.fromiter(map(len, words), np.int64, count=count) == 0)
    if analysis.APOSTROPHE.search(value):
        apostrophe = map(bool, map(analysis.APOSTROPHE.search, words))
        special = np.union1d(special, np.flatnonzero(np.fromiter(apostrophe, bool, count=count)))
    if not len(special):
        return words, np.arange(count, dtype=np.int64), None
    surfaces: list[str] = []
    at: list[int] = []
    as_is: list[tuple[int, int]] = []  # token ranges
    as_is_key = key not in analysis.SNOWBALL_LANGUAGES
    pos = prev = 0
    for i in [*special.tolist(), count]:
        surfaces += words[prev:i]
        at += range(pos, pos + i - prev)
        pos += i - prev
        prev = i + 1
        if i == count:
            break
        cjk, version, word = texts[i]
        if len(cjk) > 1:  # bigrams, then each character at its bigram's position
            last = pos + len(cjk) - 2
            if as_is_key and (_cjk_folds_to_itself() or analysis.fold(cjk) == cjk):
                as_is.append((len(surfaces), len(surfaces) + 2 * len(cjk) - 1))
            surfaces += map(str.__add__, cjk[:-1], cjk[1:])
            surfaces += cjk
            at += range(pos, last + 1)
            at += range(pos, last + 1)
            at.append(last)
            pos = last + 1
            continue
        match = ("word", word) if word else ("cjk", cjk) if cjk else ("version", version)
        for surface, place, _ in tokenizer.spans(value, pos, matches=((*match, 0),)):
            surfaces.append(surface)
            at.append(place)
            pos = max(pos, place + 1)
    flags = None
    if as_is:
        flags = np.zeros(len(surfaces), dtype=bool)
        for start, stop in as_is:
            flags[start:stop] = True
    return surfaces, np.array(at, dtype=np.int64), flags


@functools.cache
def _cjk_folds_to_itself() -> bool:
    """Whether folding leaves every character of the CJK scripts as it is (then no run of
    them needs folding to tell)."""
    ranges = re.findall(r"(.)-(.)|(.)", analysis.CJK_RANGES)
    chars = "".join(chr(c) for a, b, one in ranges for c in range(ord(a or one), ord(b or one) + 1))
    return analysis.fold(chars) == chars


def numbered(items: Sequence[T]) -> tuple[I64, list[T], I64]:
    """Each item's number among the distinct items (first seen first), the distinct items,
    and where each is first seen: one dict probe per item."""
    ids: dict[T, int] = {}
    first = np.fromiter(map(ids.setdefault, items, range(len(items))), np.int64, len(items))
    firsts = np.fromiter(ids.values(), np.int64, count=len(ids))
    rank = np.empty(len(items), dtype=np.int64)
    rank[firsts] = np.arange(len(ids))
    return rank[first], list(ids), firsts


def lookup(
    distinct: list[str],
    firsts: I64,
    as_is: I64 | None,
    get: Callable[[str], Found | None],
) -> list[Found | None]:
    """The terms of each distinct surface form: itself where its first token indexes as it
    is, else ``get``'s (None where ``get`` knows none)."""
    if as_is is None:
        return list(map(get, distinct))
    flags = as_is[firsts].tolist()
    return [(surface,) if plain else get(surface)
            for surface, plain in zip(distinct, flags, strict=True)]  # fmt: skip


def occurrences(found: list[Found], numbers: I64, at: I64) -> tuple[list[str], I64, I64]:
    """The distinct terms (first seen first), and each term occurrence's number and position,
    in token order: the tokens (``numbers``: their surface forms', ``at``: their positions)
    expanded into the terms ``found`` gives each surface form; positions closed up after stop
    words (no terms) as ``FoldFilter`` closes them, once per position it removes."""
    per_form = np.fromiter(map(len, found), np.int64, count=len(found))
    term_of, terms, _ = numbered(list(itertools.chain.from_iterable(found)))
    per_token = per_form[numbers]
    stopped = per_token == 0
    if stopped.any():
        at = at - _shifts(stopped, at)
    if not (per_form != 1).any():  # one term per token: the forms' order is the terms'
        return terms, term_of[numbers], at
    token = np.repeat(np.arange(len(numbers)), per_token)
    slot = np.arange(len(token)) - np.repeat(np.cumsum(per_token) - per_token, per_token)
    offsets = np.cumsum(per_form) - per_form
    return terms, term_of[offsets[numbers[token]] + slot], at[token]


def _shifts(stopped: np.ndarray[Any, np.dtype[np.bool_]], at: I64) -> I64:
    """How far each token moves back: the positions of stopped tokens so far, each counted
    once (a stopped token at the position the last one had moves nothing more)."""
    where = np.flatnonzero(stopped)
    places = at[where]
    new = np.ones(len(where), dtype=bool)
    new[1:] = places[1:] != places[:-1]
    moves = np.zeros(len(at), dtype=np.int64)
    moves[where[new]] = 1
    return np.cumsum(moves)
