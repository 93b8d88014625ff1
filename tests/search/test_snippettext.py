from __future__ import annotations

import re
import sys

from hypothesis import example, given
from hypothesis import strategies as st

from searcher.search import snippettext

# letters that fold into ASCII ones, signs that lower-case into letters, letters that look
# like others but do not, "?" and characters of other scripts
LETTERS = (
    "aeiouAEÉcnsz ÀàéèêëÉçñœßšžŕŧЁёе\u0131İ-kK\u212a\u212bẞ\u017fæΣŸÿĳŉ?\u2019脆ｶ\xd7ðµª\ud83d😀"
)


@example("İstanbul")
@example("Ruby\u2019s café ÉTÉ ﬁ")
@example("Łódź \u0101\u2019 ÷ \U0001f600 \ud800")
@given(st.text(alphabet=LETTERS, max_size=60))
def test_ascii_folded_is_the_folded_text_as_ascii(text: str) -> None:
    """Where the folded text is ASCII, the bytes hold it; elsewhere "?": an ASCII stem is
    found in the bytes where it stands in the folded text."""
    source = snippettext.Source.of(text)
    folded = source.folded
    if folded is None:
        assert source.ascii_folded is None
        return
    assert source.ascii_folded == folded.encode("ascii", "replace")


def test_every_character_folding_into_ascii_is_looked_for() -> None:
    """The characters no ASCII that lower-case and unaccent into ASCII, or lower-case into
    two (İ alone), are the ones :func:`snippettext._ascii_folded` replaces or gives up on."""
    every = "".join(map(chr, range(0x80, sys.maxunicode + 1))).replace("\u0130", "")
    lowered = every.lower()
    assert len(lowered) == len(every)  # no other character lower-cases into two
    accented = "".join(chr(cp) for cp in snippettext.UNACCENTED)
    found = re.finditer(f"[\\x00-\\x7f{accented}]", lowered)  # what unaccents into ASCII, at most
    into_ascii = {
        every[m.start()] for m in found if m[0].translate(snippettext.UNACCENTED) < "\x80"
    }
    assert set(snippettext._FOLDS_TO_ASCII.findall(every)) | {"\u0130"} == into_ascii | {"\u0130"}
    assert snippettext._FOLDS_TO_ASCII.fullmatch("\u0130")
    wide = {ch for ch in into_ascii | {"\u0130"} if ch > "\xff"}
    assert set(snippettext._WIDE_FOLDS.findall(every)) | {"\u0130"} == wide
    assert all(snippettext._may_fold_wide(f"a\U0001f600{ch}") for ch in wide)
