"""A text's tokens as arrays, for ``fieldterms`` to turn into positions without a step of
Python per token.

:func:`numbered_tokens` cuts a value as ``WordTokenizer.spans`` does (the same surface forms
at the same positions, CJK runs as their bigrams then their characters) and numbers the
distinct surface forms (:func:`numbered`), so that each is analysed once; a CJK run's tokens
are numbered as code points, without a string each; :func:`occurrences` expands them
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
from searcher.indexing._whoosh.segruns import stable_order

I64 = np.ndarray[Any, np.dtype[np.int64]]
Found = tuple[str, ...]  # a surface form's terms

_WORD = operator.itemgetter(2)
FEW = 64  # token pattern matches: a value with no more is cut a step of Python per token
_CJK = operator.itemgetter(0)
T = TypeVar("T", str, bytes)


def _special(texts: list[tuple[str, str, str]], value: str) -> tuple[list[str], I64]:
    """The words of the token pattern's matches ("" for CJK runs and versions), and which
    matches are not one plain word each: CJK runs, versions, words with apostrophes (found
    in the words joined, at C speed, rather than by a search per word)."""
    words: list[str] = list(map(_WORD, texts))
    lengths = np.fromiter(map(len, words), np.int64, count=len(words))
    special = lengths == 0
    if analysis.APOSTROPHE.search(value):
        joined = "\n".join(words)  # no word holds a line break
        starts = np.cumsum(lengths + 1) - (lengths + 1)
        found = [match.start() for match in analysis.APOSTROPHE.finditer(joined)]
        special[np.searchsorted(starts, np.array(found, dtype=np.int64), side="right") - 1] = True
    return words, np.flatnonzero(special)


def _tokens(
    tokenizer: Any, value: str, texts: list[tuple[str, str, str]], words: list[str], special: I64
) -> tuple[list[str], I64]:
    """(surface, position) of each token of ``value``, a text without CJK characters, as
    ``tokenizer.spans`` gives them."""
    count = len(words)
    if not len(special):
        return words, np.arange(count, dtype=np.int64)
    surfaces: list[str] = []
    at: list[int] = []
    pos = prev = 0
    for i in [*special.tolist(), count]:
        surfaces += words[prev:i]
        at += range(pos, pos + i - prev)
        pos += i - prev
        prev = i + 1
        if i == count:
            break
        _, version, word = texts[i]
        match = ("word", word, 0) if word else ("version", version, 0)
        for surface, place, _ in tokenizer.spans(value, pos, matches=(match,)):
            surfaces.append(surface)
            at.append(place)
            pos = max(pos, place + 1)
    return surfaces, np.array(at, dtype=np.int64)


def numbered_tokens(
    tokenizer: Any, key: str, value: str
) -> tuple[I64, list[str], I64, I64, I64 | None, I64 | None]:
    """:func:`numbered` of the surfaces of ``value``'s tokens, then their positions and flags
    as ``tokenizer.spans`` gives them: each token's number, the distinct surfaces, where each
    is first seen, each token's position, which index as they are (CJK bigrams and
    characters of a run that folds to itself, in a language without stop words or stems;
    None if none do), and each distinct surface's code (a CJK run's token's, which
    :func:`decoded` makes its string again; -1 for the others; None without CJK runs).
    A CJK run's bigrams and characters are numbered as code points, by numpy, and only the
    distinct ones become strings: a Chinese post is mostly such tokens, one string and one
    dict probe each before."""
    texts = analysis.token_texts(value)
    words, special = _special(texts, value)
    if not any(texts[i][0] for i in special.tolist()):  # no CJK run
        surfaces, at = _tokens(tokenizer, value, texts, words, special)
        return (*numbered(surfaces), at, None, None)
    return _Runs(tokenizer, key, texts, words, special).numbered()


class _Runs:
    """A text's tokens in two streams: strings (words, versions and the pieces of words
    with apostrophes, as ``tokenizer.spans`` makes them), and the CJK runs (each kept
    whole with the slot and the position of its first token), each numbered apart and
    merged in the order their distinct tokens are first seen (:func:`numbered`'s). Slots
    and positions are counted by numpy: a step of Python per version or apostrophe only."""

    def __init__(
        self, tokenizer: Any, key: str, texts: list[tuple[str, str, str]], words: list[str],
        special: I64,
    ) -> None:  # fmt: skip
        count = len(words)
        cjk_sizes = np.fromiter(map(len, map(_CJK, texts)), np.int64, count=count)
        cjk = np.flatnonzero(cjk_sizes)
        sizes = cjk_sizes[cjk]
        tokens_of = np.ones(count, dtype=np.int64)  # each match's tokens
        places_of = np.ones(count, dtype=np.int64)  # and the positions it takes
        tokens_of[cjk] = np.where(sizes > 1, 2 * sizes - 1, 1)
        places_of[cjk] = np.maximum(sizes - 1, 1)
        pieces: list[str] = []  # the other special matches' tokens, in order
        piece_of: list[int] = []  # their matches
        piece_at: list[int] = []  # their positions from their match's first
        for i in np.setdiff1d(special, cjk).tolist():
            _, version, word = texts[i]
            match = ("word", word, 0) if word else ("version", version, 0)
            found = [(surface, at) for surface, at, _ in tokenizer.spans("", matches=(match,))]
            pieces += (surface for surface, _ in found)
            piece_of += [i] * len(found)
            piece_at += (at for _, at in found)
            tokens_of[i] = len(found)
            places_of[i] = max(at for _, at in found) + 1
        slot = np.cumsum(tokens_of) - tokens_of
        place = np.cumsum(places_of) - places_of
        plain = np.ones(count, dtype=bool)
        plain[special] = False
        self.surfaces: list[str] = list(itertools.compress(words, plain.tolist()))
        self.slots, self.at = slot[plain], place[plain]
        if pieces:  # merged with the plain words in token order
            of = np.array(piece_of, dtype=np.int64)
            rank = np.arange(len(of)) - np.searchsorted(of, of)  # among its match's tokens
            slots = np.concatenate([self.slots, slot[of] + rank])
            order = stable_order(slots)
            self.slots = slots[order]
            self.at = np.concatenate([self.at, place[of] + np.array(piece_at)])[order]
            self.surfaces = list(map([*self.surfaces, *pieces].__getitem__, order.tolist()))
        self.runs = list(map(_CJK, map(texts.__getitem__, cjk.tolist())))
        self.run_slot, self.run_at = slot[cjk], place[cjk]
        as_is = sizes > 1 if key not in analysis.SNOWBALL_LANGUAGES else sizes < 0
        if not cjk_folds_to_itself():
            as_is &= np.array([analysis.fold(run) == run for run in self.runs], dtype=bool)
        self.run_as_is = as_is
        self.total = int(tokens_of.sum())

    def numbered(self) -> tuple[I64, list[str], I64, I64, I64 | None, I64]:
        ids, strings, string_firsts = numbered(self.surfaces)
        slots = self.slots
        codes, run_slots, run_at, run_as_is = self._run_tokens()
        distinct_codes, code_firsts, code_ids = unique_codes(codes)
        firsts = np.concatenate([slots[string_firsts], run_slots[code_firsts]])
        order = stable_order(firsts)  # all different: any sort gives this order
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        numbers = np.empty(self.total, dtype=np.int64)
        numbers[slots] = rank[ids]
        numbers[run_slots] = rank[len(strings) + code_ids]
        pool = strings + decoded(distinct_codes)
        at = np.empty(self.total, dtype=np.int64)
        at[slots] = self.at
        at[run_slots] = run_at
        flags = None
        if self.run_as_is.any():
            flags = np.zeros(self.total, dtype=bool)
            flags[run_slots[run_as_is]] = True
        codes = np.concatenate([np.full(len(strings), -1, dtype=np.int64), distinct_codes])
        distinct = list(map(pool.__getitem__, order.tolist()))
        return numbers, distinct, firsts[order], at, flags, codes[order]

    def _run_tokens(self) -> tuple[I64, I64, I64, np.ndarray[Any, np.dtype[np.bool_]]]:
        """Each run token's code (a character's code point; a bigram's two, shifted apart),
        slot, position and flag: bigrams at the run's positions, then its characters at the
        same (the last two at the last one), as ``spans`` makes them."""
        sizes = np.fromiter(map(len, self.runs), np.int64, count=len(self.runs))
        per_run = np.where(sizes > 1, 2 * sizes - 1, 1)
        run = np.repeat(np.arange(len(sizes)), per_run)
        rank = np.arange(len(run)) - np.repeat(np.cumsum(per_run) - per_run, per_run)
        size = sizes[run]
        is_char = rank >= size - 1
        offset = np.where(is_char, rank - (size - 1), rank)  # the token's first character
        char = (np.cumsum(sizes) - sizes)[run] + offset  # in the runs joined
        points = np.frombuffer("".join(self.runs).encode("utf-32-le"), dtype=np.uint32)
        first = points[char].astype(np.int64)
        second = points[np.minimum(char + 1, len(points) - 1)].astype(np.int64)
        codes = _coded(first, np.where(is_char, 0, second))
        slots = self.run_slot[run] + rank
        at = self.run_at[run] + np.minimum(offset, np.maximum(size - 2, 0))
        return codes, slots, at, self.run_as_is[run]


_SHIFT = 21  # bits of a code point: a bigram's code is above every character's


def unique_codes(codes: I64) -> tuple[I64, I64, I64]:
    """``np.unique(codes, return_index=True, return_inverse=True)`` of run tokens' codes:
    the distinct codes (sorted), where each is first seen, and each code's number among
    them. Sorted as two 16-bit numbers (a bigram's code points, the first plus one, or 0 and
    a character's), by numpy's radix sort, where they fit: np.unique's sort of 64-bit codes
    was 2.5 ms of a kaigai-matome post's 40,000 run tokens, the radix sorts 0.9."""
    high, low = codes >> _SHIFT, codes & ((1 << _SHIFT) - 1)
    if not len(codes) or max(int(high.max()), int(low.max())) >= 1 << 16:
        distinct, firsts, inverse = np.unique(codes, return_index=True, return_inverse=True)
        return distinct, firsts, inverse.reshape(-1)
    by_low = np.argsort(low.astype(np.uint16), kind="stable")
    order = by_low[np.argsort(high[by_low].astype(np.uint16), kind="stable")]
    ordered = codes[order]
    new = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    inverse = np.empty(len(codes), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], order[new], inverse


def _coded(first: I64, second: I64) -> I64:
    """The codes of run tokens by their code points (``second`` 0 for a character)."""
    return np.where(second > 0, (first + 1) << _SHIFT | second, first)


def encoded(texts: list[str]) -> I64:
    """The code of each text that is one or two characters (as run tokens are: what
    :func:`decoded` gives back), -1 for the others."""
    points = np.array(texts, dtype="<U2").view("<u4").reshape(-1, 2).astype(np.int64)
    codes = _coded(points[:, 0], points[:, 1])
    lengths = np.fromiter(map(len, texts), np.int64, count=len(texts))
    codes[(lengths == 0) | (lengths > 2)] = -1
    return codes


def decoded(codes: I64) -> list[str]:
    """The strings of run tokens' codes, made by numpy: two code points each, the second
    none (0, which a string of numpy's drops at its end) for a character."""
    points = np.zeros((len(codes), 2), dtype="<u4")
    bigram = codes >> _SHIFT > 0
    points[:, 0] = np.where(bigram, (codes >> _SHIFT) - 1, codes)
    points[:, 1] = np.where(bigram, codes & ((1 << _SHIFT) - 1), 0)
    return list(points.view("<U2").reshape(-1).tolist())


@functools.cache
def cjk_folds_to_itself() -> bool:
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
