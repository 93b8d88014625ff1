"""Words as they are written, for completion, spelling and exact titles.

:func:`script_runs` reads CJK words without a segmenter: runs of one script between other
scripts, spaces and punctuation. :func:`words_analyzer` gives the other words, those the
spelling and completion lexicon holds. :func:`title_key` makes a title one comparable value,
so a title pasted into the search box can be matched whole.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from whoosh.analysis import Analyzer, Filter, Token

from searcher.indexing import analysis

_HAN = (
    "\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3038-\u303c\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0003134f"
)
_KATAKANA = "\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HANGUL = "\u1100-\u11ff\u3131-\u318f\ua960-\ua97f\uac00-\ud7a3"
# Runs long enough to be a word, short enough not to be a clause: Chinese writes whole
# clauses as one run of Han characters, Japanese katakana loanwords run long.
RUN_LENGTHS = {"han": (2, 6), "kana": (2, 16), "hangul": (2, 12)}


def _word_run(script: str, low: int, high: int) -> str:
    """After a first character of ``script``: the rest of a run of ``low`` to ``high``
    characters that no character of ``script`` is before or after."""
    return f"(?<=[{script}])(?<![{script}]{{2}})[{script}]{{{low - 1},{high - 1}}}(?![{script}])"


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A CJK character, a run of one script as long as a word, a run that ends the text:
    compiled on first use (15 ms at import before).

    The word run opens with one class of all three scripts, the script told by a lookbehind:
    a pattern opening with a class lets the regex engine skip at C speed to where a match can
    start, and an alternation of three classes tried at every character (hiragana, Latin)
    made :func:`script_runs` cost 0.61 ms a kaigai-matome post, not 0.27."""
    runs = f"(?:[{_HAN}]+|[{_KATAKANA}]+|[{_HANGUL}]+)$"
    word = "|".join(
        _word_run(script, *RUN_LENGTHS[name])
        for name, script in (("han", _HAN), ("kana", _KATAKANA), ("hangul", _HANGUL))
    )
    return (
        re.compile(f"[{analysis.CJK_RANGES}]"),
        re.compile(f"[{_HAN}{_KATAKANA}{_HANGUL}](?:{word})"),
        re.compile(runs),
    )


def script_runs(text: str) -> list[str]:
    """The CJK words of ``text`` as a segmenter-free reading finds them: runs of one script
    (Han, katakana, Hangul) between other scripts, spaces or punctuation, each once.
    ``スマートフォンが統計を`` holds スマートフォン and 統計; hiragana runs (particles,
    endings) are no words of their own. Completion offers these, never bigrams chained
    across a word's end (スマートが, 统计算)."""
    if not has_cjk(text):  # most posts: found at C speed
        return []
    return list(dict.fromkeys(_patterns()[1].findall(text)))


def trailing_run(text: str) -> str:
    """The run of one CJK script that ``text`` ends with ("" if it ends otherwise)."""
    match = _patterns()[2].search(text)
    return match.group() if match else ""


CJK_TOKENS = "\x1e"  # the words field's one term for all of a text's CJK tokens


class CJKAsOneFilter(Filter):  # type: ignore[misc]
    """Makes every CJK token (a bigram or a character: a token whose first character is
    CJK, as only the tokenizer's CJK runs give) the one term :data:`CJK_TOKENS`."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if analysis.is_cjk(t.text[:1]):
                t.text = CJK_TOKENS
            yield t


@functools.cache
def words_analyzer() -> Analyzer:
    """The words field's: ``plain_analyzer`` with a text's CJK tokens as one term. The title
    and body fields hold them already, as they are (CJK terms are alike in every language),
    and no reader of the words field looks them up: a misspelt word has four letters or
    more, completion completes CJK by its runs (:func:`script_runs`). Counted as one term,
    they still count in a post's length (BM25 of similar posts). Each as its own term, they
    were 25 MB of kaigai-matome's 174 MB index."""
    return analysis.plain_analyzer() | CJKAsOneFilter()


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a character of the scripts the tokenizer cuts into bigrams."""
    return _patterns()[0].search(text) is not None


TITLE_KEY_CHARS = 400  # longer titles are keyed by their opening


def title_key(text: str) -> str:
    """A title as one comparable value: its words, folded, one space apart. A title pasted
    into the search box has the key of the title it was copied from, whatever punctuation,
    quotes or case it carries (``11" MacBook Air: the best…`` is ``11 macbook air the best…``)."""
    words = (t.text for t in analysis.plain_analyzer()(text[: TITLE_KEY_CHARS * 2], mode="query"))
    return " ".join(words)[:TITLE_KEY_CHARS]
