from __future__ import annotations

import codecs

from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.ingest import encodings
from searcher.models import IngestWarning


def _decode_as_before(data: bytes) -> tuple[str | None, list[IngestWarning]]:
    """:func:`encodings.decode` as it was written first: the decoded text looked through
    for NULs whatever the encoding, and for mojibake's leads whatever its bytes."""
    warnings: list[IngestWarning] = []
    wide = encodings._wide_encoding(data)
    if wide is not None:
        content = data.decode(wide, errors="replace")
        if wide.endswith(("-le", "-be")):
            warnings.append(IngestWarning("encoding", f"read as {wide}: no byte-order mark"))
        if "\ufffd" in content:
            warnings.append(IngestWarning("encoding", f"bytes not {wide} replaced"))
    else:
        if b"\x00" in data:
            if encodings._binary(data[: encodings._SAMPLE]):
                return None, []
            count = data.count(b"\x00")
            data = data.replace(b"\x00", b"")
            warnings.append(IngestWarning("nul-bytes", f"{count} NUL byte(s) removed"))
        try:
            content = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            lines = []
            bad = 0
            for raw in data.removeprefix(codecs.BOM_UTF8).split(b"\n"):
                try:
                    lines.append(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    bad += 1
                    lines.append(raw.decode("cp1252", errors="replace"))
            content = "\n".join(lines)
            warnings.append(
                IngestWarning("encoding", f"{bad} line(s) not UTF-8, read as Windows-1252")
            )
        if not content.isascii() and encodings._mojibake(content):
            try:
                fixed = content.encode("cp1252").decode("utf-8")
            except UnicodeError:
                pass
            else:
                content = fixed
                warnings.append(IngestWarning("mojibake", "UTF-8 read as Windows-1252 repaired"))
    if "\x00" in content:
        warnings.append(IngestWarning("nul-bytes", f"{content.count(chr(0))} NUL(s) removed"))
        content = content.replace("\x00", "")
    if "\r" in content:
        content = content.replace("\r\n", "\n").replace("\r", "\n")
    return content, warnings


# text, mojibake ("Ã©" is "é" read as Windows-1252), its leads alone, Windows-1252 bytes,
# CJK, NULs, carriage returns and byte-order marks
_PIECES = ("a", " ", "\n", "\r", "\r\n", "\x00", "é", "Ã©", "Â", "Ã", "â€™", "â€", "\u20ac",
           "東京", "\u00c2\u00a0", "\x81")  # fmt: skip
_BYTES = (b"\xc3", b"\xc2", b"\xe9", b"\x80", b"\x81", b"\x00\x00", codecs.BOM_UTF8,
          codecs.BOM_UTF16_LE, "é".encode("utf-16-le"), "a".encode("utf-16-le"))  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_PIECES).map(lambda text: text.encode("utf-8")),
                  st.sampled_from(_BYTES)),
        max_size=20,
    ).map(b"".join)
)  # fmt: skip
def test_bytes_are_decoded_as_before(data: bytes) -> None:
    assert encodings.decode(data) == _decode_as_before(data)


def test_mojibake_is_repaired_and_said() -> None:
    content, warnings = encodings.decode("CafÃ© au lait".encode())
    assert content == "Café au lait"
    assert [w.reason for w in warnings] == ["mojibake"]


def test_a_utf16_text_without_a_mark_loses_its_nuls() -> None:
    text = "a NUL\x00 in text written as UTF-16, without a byte-order mark"
    content, warnings = encodings.decode(text.encode("utf-16-le"))
    assert content == text.replace("\x00", "")
    assert [w.reason for w in warnings] == ["encoding", "nul-bytes"]
