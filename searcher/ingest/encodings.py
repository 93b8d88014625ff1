"""A post file's bytes as text, whatever encoding it was saved in.

UTF-8 (with or without a byte-order mark) is the rule; UTF-16 and UTF-32 come with a mark
(Windows editors) or, for UTF-16, without one; old archives mix Windows-1252 lines into
UTF-8 files or hold UTF-8 read as Windows-1252. A stray NUL byte makes no file binary:
only one that reads as no text at all is.
"""

from __future__ import annotations

import codecs
import re

from searcher.models import IngestWarning

_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac")
_BOMS = (  # UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAMPLE = 8192  # bytes looked at to tell text from binary
_CONTROLS = bytes(set(range(32)) - set(b"\t\n\r\f\x1b"))  # never in text, often in binary


def decode(data: bytes) -> tuple[str | None, list[IngestWarning]]:
    """Bytes → text with normalised newlines, or None for a binary file; what was repaired
    or left out is reported."""
    warnings: list[IngestWarning] = []
    wide = _wide_encoding(data)
    if wide is not None:
        content = data.decode(wide, errors="replace")
        if wide.endswith(("-le", "-be")):
            warnings.append(IngestWarning("encoding", f"read as {wide}: no byte-order mark"))
        if "\ufffd" in content:
            warnings.append(IngestWarning("encoding", f"bytes not {wide} replaced"))
        if "\x00" in content:  # 8-bit text has none: its NUL bytes are gone before decoding
            warnings.append(IngestWarning("nul-bytes", f"{content.count(chr(0))} NUL(s) removed"))
            content = content.replace("\x00", "")
    else:
        if b"\x00" in data:
            if _binary(data[:_SAMPLE]):
                return None, []
            count = data.count(b"\x00")
            data = data.replace(b"\x00", b"")
            warnings.append(IngestWarning("nul-bytes", f"{count} NUL byte(s) removed"))
        content = _eight_bit(data, warnings)
    if "\r" in content:
        content = content.replace("\r\n", "\n").replace("\r", "\n")
    return content, warnings


def _wide_encoding(data: bytes) -> str | None:
    """UTF-32 or UTF-16 by their byte-order mark, or UTF-16 without one when every other
    byte of the sample is NUL (ASCII text in UTF-16); None for 8-bit text."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    sample = data[:_SAMPLE]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.6 and even.count(0) < len(even) * 0.1:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.6 and odd.count(0) < len(odd) * 0.1:
        return "utf-16-be"
    return None


def _binary(sample: bytes) -> bool:
    """Whether bytes with a NUL among them are no text: text may hold a stray NUL or control
    byte, or end in NULs (a crash can leave a file padded so), binary data holds many."""
    sample = sample.rstrip(b"\x00")
    unusual = sum(sample.count(byte) for byte in _CONTROLS)
    return not sample or (unusual > len(sample) // 100 and (unusual > 1 or len(sample) == 1))


def _mojibake(content: str) -> bool:
    """Whether ``content`` holds what UTF-8 read as Windows-1252 leaves: looked for only when
    one of its lead characters is there (three substring tests cost a sixth of the search)."""
    leads = "\u00c2" in content or "\u00c3" in content or "\u00e2\u20ac" in content
    return leads and _MOJIBAKE.search(content) is not None


def _eight_bit(data: bytes, warnings: list[IngestWarning]) -> str:
    """UTF-8 text; a line that is not is read as Windows-1252 (the usual culprit) and only
    its truly undefined bytes become U+FFFD; UTF-8 read as Windows-1252 is repaired."""
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        maybe_mojibake = True  # a Windows-1252 line's "\xc2" byte is a lead of its own
        lines = []
        bad = 0
        for raw in data.removeprefix(codecs.BOM_UTF8).split(b"\n"):
            try:
                lines.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                bad += 1
                lines.append(raw.decode("cp1252", errors="replace"))
        content = "\n".join(lines)
        warnings.append(IngestWarning("encoding", f"{bad} line(s) not UTF-8, read as Windows-1252"))
    else:  # UTF-8 writes each lead with a first byte C3: a byte looked for at C speed, where
        # "\u00e2\u20ac" looked for in a text of CJK cost 30 us a kaigai-matome post
        maybe_mojibake = b"\xc3" in data
    if maybe_mojibake and not content.isascii() and _mojibake(content):  # isascii: a flag
        try:
            fixed = content.encode("cp1252").decode("utf-8")
        except UnicodeError:
            pass
        else:
            content = fixed
            warnings.append(IngestWarning("mojibake", "UTF-8 read as Windows-1252 repaired"))
    return content
