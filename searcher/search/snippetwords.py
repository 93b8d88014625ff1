"""The tokens of a snippet's candidate windows, as the field's analyser makes them.

Snippets analyse a few words at a time, thousands of times per query, where Whoosh's
analyser chain (a generator per stage, a Token object carried through them) costs more than
the words themselves. For our own text analysers (``analysis.text_analyzer``: the word
tokenizer, folding, and for Snowball languages stemming), :func:`tokens` walks the same
steps directly: the tokenizer's spans, ``analysis.folded_forms``, the stop list, and the
language's remembered stems, so each form is what the chain gives, in the same order. Any
other analyser goes through its chain.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from searcher.indexing import analysis

Token = tuple[int, str, int, int]  # position, form, start, end
Steps = tuple[
    analysis.WordTokenizer, frozenset[str], Callable[[str, str], tuple[str, str | None]] | None
]

MEMO_CHARS, MEMO_SIZE = 120, 50_000  # windows remembered (all analysers), before starting afresh


class _Known(NamedTuple):
    """What is kept of one analyser: its steps (None: not ours), its short windows' tokens
    (a plain dict, read without a lock: a window lost to a clear is analysed again) and its
    CJK phrases' chains (:func:`cjk_chain`)."""

    analyzer: Any
    steps: Steps | None
    memo: dict[str, tuple[Token, ...]]
    chains: dict[tuple[str, ...], Chain | None]


class Chain(NamedTuple):
    """A phrase of CJK bigrams as text: where ``text`` stands in a CJK run, the phrase's
    tokens stand at consecutive positions. Where the phrase might go on past the end of a
    run (:meth:`may_cross`), only tokens settle it."""

    text: str
    ends: frozenset[str]  # bigrams that may end a run with the phrase going on: all but the last
    starts: frozenset[str]  # bigrams that may start a run within the phrase: all but the first

    def may_cross(self, text: str, start: int, end: int) -> bool:
        """Whether, in ``text[start:end]``, a run of CJK characters ends with one of the
        phrase's bigrams and, past characters that are no CJK, the next starts with one:
        the phrase's tokens may stand at consecutive positions there."""
        for gap in _gap().finditer(text, start, end):
            at, after = gap.span()
            if text[at - 2 : at] in self.ends and text[after : after + 2] in self.starts:
                return True
        return False


KNOWN_ANALYZERS = 64  # analysers known (ours are a few shared instances) before starting afresh
_KNOWN: dict[int, _Known] = {}  # by id(analyzer): a plain dict, read without a lock
_added = 0  # windows remembered since the memos were last counted (_remember)


def tokens(text: str, analyzer: Any) -> tuple[Token, ...]:
    """(position, form, start, end) of each token of ``text``, as ``analyzer`` gives them
    with positions and offsets, stop words kept; short windows (a word or a few) are
    remembered per analyser, since the same words come back in hit after hit."""
    known = _known(analyzer)
    memo = known.memo
    found = memo.get(text)
    if found is not None:
        return found
    steps = known.steps
    found = _chain(text, analyzer) if steps is None else _direct(text, *steps)
    if len(text) <= MEMO_CHARS:
        _remember(memo, text, found)
    return found


def remembered(analyzer: Any) -> dict[str, tuple[Token, ...]]:
    """The windows :func:`tokens` remembers for ``analyzer``, to look a window up in without
    a call: what is found there is what :func:`tokens` gives (a window not found, or with no
    tokens, is for :func:`tokens` to answer)."""
    return _known(analyzer).memo


def _known(analyzer: Any) -> _Known:
    known = _KNOWN.get(id(analyzer))
    if known is None or known.analyzer is not analyzer:  # the very analyser, not one at its address
        if len(_KNOWN) >= KNOWN_ANALYZERS:
            _KNOWN.clear()
        known = _KNOWN[id(analyzer)] = _Known(analyzer, _steps_of(analyzer), {}, {})
    return known


def cjk_chain(words: tuple[str, ...], analyzer: Any) -> Chain | None:
    """The :class:`Chain` of a phrase of CJK bigrams (``("もっ", "っと", "とコ")`` →
    ``"もっとコ"``) for one of our analysers that does not stem, or None for any other
    phrase or analyser. In such a text every token's form is its surface (folding leaves
    CJK characters as they are, which the tests check for every one), so the phrase matches
    in a run of CJK characters exactly where its text stands: found with ``str.find``
    instead of analysing the words around every place its first bigram stands."""
    known = _known(analyzer)
    try:
        return known.chains[words]
    except KeyError:
        pass
    chain = _chain_of(words) if known.steps is not None and known.steps[2] is None else None
    if chain is not None and tokens(chain.text, analyzer)[: len(words)] != tuple(
        (j, word, j, j + 2) for j, word in enumerate(words)
    ):  # not as the analyser cuts the text: never expected, but then tokens decide
        chain = None
    if len(known.chains) >= MEMO_SIZE:
        known.chains.clear()
    known.chains[words] = chain
    return chain


def _chain_of(words: tuple[str, ...]) -> Chain | None:
    if len(words) < 2 or any(len(word) != 2 for word in words):
        return None
    if any(a[1] != b[0] for a, b in itertools.pairwise(words)):
        return None
    text = words[0] + "".join(word[1] for word in words[1:])
    # a mark may end a word before a CJK run, a number may start a version: letters only
    if not cjk_run().fullmatch(text) or any(unicodedata.category(ch)[0] in "MN" for ch in text):
        return None
    return Chain(text, frozenset(words[:-1]), frozenset(words[1:]))


def _remember(memo: dict[str, tuple[Token, ...]], text: str, found: tuple[Token, ...]) -> None:
    """``memo[text] = found``, all memos emptied first if they hold MEMO_SIZE windows. The
    windows added since they were last counted are an upper bound of those held (a memo
    dropped with its analyser is not subtracted): they are counted again only when that
    bound reaches MEMO_SIZE, not at every window, which summed 17 memos' sizes each time."""
    global _added
    if _added >= MEMO_SIZE:
        _added = _held()
        if _added >= MEMO_SIZE:
            for other in list(_KNOWN.values()):
                other.memo.clear()
            _added = 0
    memo[text] = found
    _added += 1


def words(text: str, analyzer: Any) -> tuple[Token, ...]:
    """The tokens of ``text`` that are not cut from a CJK run (bigrams and single
    characters), for our text analysers; :func:`tokens` for any other. Enough to look for a
    word that does not start with a CJK character: no token both holds such characters and
    others. A long unspaced window of Japanese or Chinese around a Latin word is otherwise
    cut into hundreds of bigrams, none of which can match. Not remembered: such windows
    rarely come back."""
    known = _KNOWN.get(id(analyzer))
    steps = known.steps if known is not None and known.analyzer is analyzer else _steps_of(analyzer)
    if steps is None:
        return tokens(text, analyzer)
    latin = [match for match in analysis.token_matches(text) if match[0] != "cjk"]
    return _direct(text, *steps, latin)


def _held() -> int:
    """Windows remembered for all analysers (a multilingual archive has up to 17)."""
    return sum(len(known.memo) for known in list(_KNOWN.values()))


def clear() -> None:
    """Forget the remembered windows (a fresh start, for measurements)."""
    global _added
    _KNOWN.clear()
    _added = 0


def _chain(text: str, analyzer: Any) -> tuple[Token, ...]:
    return tuple(
        (t.pos, t.text, t.startchar, t.endchar)
        for t in analyzer(text, positions=True, chars=True, mode="index", removestops=False)
    )


def _steps_of(analyzer: Any) -> Steps | None:
    """The tokenizer, stop words and stemming of one of our text analysers, or None when
    ``analyzer`` is any other chain."""
    items = getattr(analyzer, "items", None)
    if not isinstance(items, list) or len(items) not in (2, 3):
        return None
    tokenizer, fold, *stem = items
    if type(tokenizer) is not analysis.WordTokenizer or type(fold) is not analysis.FoldFilter:
        return None
    if not stem:
        return tokenizer, fold.stops, None
    if type(stem[0]) is not analysis.StemFoldFilter:
        return None
    return tokenizer, fold.stops, analysis.stem_forms(stem[0].lang)


@functools.cache
def cjk_run() -> re.Pattern[str]:
    """A run of the characters the tokenizer cuts into bigrams: a CJK phrase's window most
    often is one, and is then cut without the token pattern's search."""
    return re.compile(f"[{analysis.CJK_RANGES}]+")


@functools.cache
def _gap() -> re.Pattern[str]:
    """A run of characters that are no CJK."""
    return re.compile(f"[^{analysis.CJK_RANGES}]+")


# ASCII characters that no token of ASCII text starts or ends with: a window made of these
# around ASCII letters and digits alone is that one word (the token pattern's word; a version
# needs a dot, an apostrophe must stand between letters)
_ASCII_EDGES = "".join(chr(c) for c in range(128) if not chr(c).isalnum())


def _direct(
    text: str,
    tokenizer: analysis.WordTokenizer,
    stops: frozenset[str],
    forms_of: Callable[[str, str], tuple[str, str | None]] | None,
    matches: list[tuple[str, str, int]] | None = None,
) -> tuple[Token, ...]:
    """What ``WordTokenizer | FoldFilter(stops) [| StemFoldFilter]`` gives for ``text``
    (index mode, stop words kept and not stemmed), without the chain; from the token
    pattern's ``matches`` in ``text`` where given."""
    found: list[Token] = []
    folded_forms = analysis.folded_forms
    if matches is None and text[:1] >= "\u1100" and cjk_run().fullmatch(text):
        matches = [("cjk", text, 0)]  # the token pattern's one match: CJK runs come first
    core = text.strip(_ASCII_EDGES)
    if matches is None and core.isalnum() and core.isascii():  # one ASCII word, the usual
        spans: Iterable[tuple[str, int, int]] = (
            (core, 0, len(text) - len(text.lstrip(_ASCII_EDGES))),
        )
    else:
        spans = tokenizer.spans(text, 0, 0, True, matches)
    for word, pos, start in spans:
        end = start + len(word)
        lowered, folded = folded_forms(word)
        if forms_of is None or folded in stops:
            found.append((pos, folded, start, end))
            continue
        first, second = forms_of(lowered, folded)
        found.append((pos, first, start, end))
        if second is not None:
            found.append((pos, second, start, end))
    return tuple(found)
