"""wordforms.script_runs and analysis.spelled_words against plain per-character readings of
their rules, on texts mixing scripts."""

from __future__ import annotations

import itertools
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from searcher.indexing import wordforms

_SCRIPTS = {
    name: re.compile(f"[{body}]")
    for name, body in (
        ("han", wordforms._HAN),
        ("kana", wordforms._KATAKANA),
        ("hangul", wordforms._HANGUL),
    )
}


def _script(char: str) -> str | None:
    return next((name for name, one in _SCRIPTS.items() if one.fullmatch(char)), None)


def runs_by_hand(text: str) -> list[str]:
    """Each maximal run of one script, its length within the script's bounds, once."""
    found: dict[str, None] = {}
    for name, chars in itertools.groupby(text, _script):
        run = "".join(chars)
        if name is not None:
            low, high = wordforms.RUN_LENGTHS[name]
            if low <= len(run) <= high:
                found[run] = None
    return list(found)


# Each script's edges and insides, and what sits between them: hiragana, Latin, Cyrillic,
# digits, punctuation, spaces, the ideographic iteration mark, the katakana middle dot (not
# katakana), halfwidth katakana, an astral Han character.
_CHARS = (
    "統計学日本語々〆〇\u2e80\u2fdf\u3400\u4dbf\u9fff\uf900\ufaff\U00020000\U0003134f"
    "スマートフォン\u30a0\u30fa\u30fb\u30fc\u30ff\u31f0\uff66\uff9f"
    "한국어\u1100\u11ff\u3131\u318f\ua960\ua97f\uac00\ud7a3\ud7a4"
    "がのはをひらがな"
    "abcXYZ Éé\u00df\u041f\u0440\u0438\u0432\u0435\u04420123456789.,!?。、「」()-_\n\t"
)
_PIECES = ["統計", "日本語学", "統計学研究所日本", "スマートフォン", "ア", "한국어", "が", "の",
           " ", "abc", "。", "7"]  # fmt: skip
_texts = st.text(alphabet=st.sampled_from(_CHARS), max_size=60) | st.lists(
    st.sampled_from(_PIECES), max_size=12
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_texts)
@example("スマートフォンが統計を")
@example("统计算法是统计学的一部分")  # a Han run longer than six: no word
@example("ア統計イ")
@example("统计算法是统计。统计算法是统。")  # seven Han, then six
@example("")
def test_script_runs_are_the_runs_of_one_script(text: str) -> None:
    assert wordforms.script_runs(text) == runs_by_hand(text)
