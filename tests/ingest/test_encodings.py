from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.ingest import encodings
from searcher.models import IngestWarning

# text, mojibake ("Ã©" is "é" read as Windows-1252), its leads alone, Windows-1252 bytes,
# CJK, NULs, carriage returns and byte-order marks
_PIECES = ("a", " ", "\n", "\r", "\r\n", "\x00", "é", "Ã©", "Â", "Ã", "â€™", "â€", "\u20ac",
           "東京", "\u00c2\u00a0", "\x81")  # fmt: skip
_BYTES = (b"\xc3", b"\xc2", b"\xe9", b"\x80", b"\x81", b"\x00\x00", codecs.BOM_UTF8,
          codecs.BOM_UTF16_LE, "é".encode("utf-16-le"), "a".encode("utf-16-le"))  # fmt: skip


_DATA = st.lists(
    st.one_of(st.sampled_from(_PIECES).map(lambda text: text.encode("utf-8")),
              st.sampled_from(_BYTES)),
    max_size=20,
).map(b"".join)  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(_DATA)
def test_decoded_text_holds_no_nul_and_no_carriage_return(data: bytes) -> None:
    content, _warnings = encodings.decode(data)
    if content is None:  # NULs enough to call the file binary: it is skipped, not read
        return
    assert "\x00" not in content
    assert "\r" not in content


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=20).map("".join))
def test_mojibake_is_only_looked_for_where_its_bytes_can_be(text: str) -> None:
    # decode looks for mojibake in valid UTF-8 only when the bytes hold a C3
    if encodings._mojibake(text):
        assert b"\xc3" in text.encode("utf-8")


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_clean_utf8_text_is_kept_whole_and_silent(text: str) -> None:
    text = text.lstrip("\ufeff").replace("\x00", "").replace("\r", "")
    if encodings._mojibake(text) or encodings._binary(text.encode("utf-8")):
        return
    assert encodings.decode(text.encode("utf-8")) == (text, [])


def test_mojibake_is_repaired_and_said() -> None:
    content, warnings = encodings.decode("CafÃ© au lait".encode())
    assert content == "Café au lait"
    assert [w.reason for w in warnings] == ["mojibake"]


def test_a_utf16_text_without_a_mark_loses_its_nuls() -> None:
    text = "a NUL\x00 in text written as UTF-16, without a byte-order mark"
    content, warnings = encodings.decode(text.encode("utf-16-le"))
    assert content == text.replace("\x00", "")
    assert [w.reason for w in warnings] == ["encoding", "nul-bytes"]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab éÉàüßñç\u2019\u2013\u20ac", min_size=1))
def test_utf8_read_as_windows_1252_is_repaired_wherever_it_is_seen(text: str) -> None:
    try:
        garbled = text.encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:  # a byte Windows-1252 leaves undefined: not mojibake it writes
        return
    if encodings._mojibake(garbled):
        assert encodings.decode(garbled.encode("utf-8"))[0] == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # good text and mojibake in one file, as a WordPress database holds them after a
        # change of character set: each garbled character is read again, the rest kept
        ("Merci — CristÃ³bal â€\u201c Iâ€\u2122d", "Merci — Cristóbal \u2013 I\u2019d"),
        ("â€œquotedâ€ then", "“quoted” then"),  # "”" whose last byte was dropped
        ("ÃƒÂ©tÃƒÂ©", "été"),  # garbled twice
        ("naÃ¯ve ðŸ\u2122\u201a", "naïve \U0001f642"),  # four bytes
        ("Fuß“ CafÃ©", "Fuß“ Café"),  # "ß“" would be NKo: German, kept
        ("à\u00a0«\u00a0x, Ã©", "à\u00a0«\u00a0x, é"),  # French spacing would be Samaritan
        ("Â€ is a C1 control, Ã©", "Â€ is a C1 control, é"),
    ],
)
def test_mojibake_mixed_with_good_text_is_repaired_character_by_character(
    text: str, expected: str
) -> None:
    warnings: list[IngestWarning] = []
    assert encodings.repair_mojibake(text, warnings) == expected
    assert [w.reason for w in warnings] == ["mojibake"]
    assert encodings.decode(text.encode()) == (expected, warnings)


@pytest.mark.parametrize(
    "text",
    [
        "Fuß“ und Öl",
        "déjà vu — «\u00a0oui\u00a0»",
        "Ã alone",
        "ü on disk shows up as Ã¼ in Explorer",  # about encodings: both forms on purpose
    ],
)
def test_text_without_mojibake_is_left_alone(text: str) -> None:
    warnings: list[IngestWarning] = []
    assert encodings.repair_mojibake(text, warnings) == text
    assert warnings == []
