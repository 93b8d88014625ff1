"""A post file's bytes as text, whatever encoding it was saved in.

UTF-8 (with or without a byte-order mark) is the rule; UTF-16 and UTF-32 come with a mark
(Windows editors) or, for UTF-16, without one; old archives mix Windows-1252 lines into
UTF-8 files or hold UTF-8 read as Windows-1252. A stray NUL byte makes no file binary:
only one that reads as no text at all is.
"""

from __future__ import annotations

import codecs
import functools
import re

from searcher.models import IngestWarning

_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac")
# A UTF-8 continuation byte (80-BF) as Windows-1252 shows it, or as Latin-1 does (C1 controls)
_CONTINUATION = {
    **{chr(byte): byte for byte in range(0x80, 0xC0)},
    **{
        bytes([b]).decode("cp1252"): b
        for b in range(0x80, 0xA0)
        if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
    },
}
_C = "[" + "".join(sorted(_CONTINUATION)) + "]"
# one UTF-8 character read as Windows-1252: a lead byte and its continuations, or "â€" whose
# last byte (9D, of "”") Windows-1252 leaves undefined and so was dropped
_GARBLED = re.compile(
    f"[\u00c2-\u00df]{_C}|[\u00e0-\u00ef]{_C}{{2}}|[\u00f0-\u00f4]{_C}{{3}}|\u00e2\u20ac"
)
_BOMS = (  # UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAMPLE = 8192  # bytes looked at to tell text from binary
_CONTROLS = bytes(set(range(32)) - set(b"\t\n\r\f\x1b"))  # never in text, often in binary


def decode(data: bytes, *, mojibake: bool = True) -> tuple[str | None, list[IngestWarning]]:
    """Bytes → text with normalised newlines, or None for a binary file; what was repaired
    or left out is reported. ``mojibake=False`` leaves UTF-8 read as Windows-1252 for the
    caller to repair piece by piece (a WordPress export's posts)."""
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
        content = _eight_bit(data, warnings, mojibake)
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


def _eight_bit(data: bytes, warnings: list[IngestWarning], mojibake: bool) -> str:
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
    if mojibake and maybe_mojibake and not content.isascii():  # isascii: a flag
        content = repair_mojibake(content, warnings)
    return content


def repair_mojibake(content: str, warnings: list[IngestWarning]) -> str:
    """``content`` with UTF-8 read as Windows-1252 (``CafÃ©``, ``Iâ€™d``) read again, one
    character at a time: a WordPress database often mixes it with good text. Twice garbled
    is repaired twice. Left as written: what a character cannot have been (``Fuß“`` is
    German, not NKo), and what the text also writes correctly (a post on encodings that
    shows "ü" turned into "Ã¼")."""
    repaired = content
    for _ in range(3):
        if not _mojibake(repaired):
            break
        written = set(_GARBLED.sub("", repaired))
        repaired = _GARBLED.sub(functools.partial(_character, written), repaired)
    if repaired != content:
        warnings.append(IngestWarning("mojibake", "UTF-8 read as Windows-1252 repaired"))
    return repaired


def _character(written: set[str], match: re.Match[str]) -> str:
    garbled = match[0]
    if garbled == "\u00e2\u20ac":
        return "\u201d"
    data = bytes(_CONTINUATION.get(char, ord(char)) for char in garbled)
    try:
        char = data.decode("utf-8")
    except UnicodeDecodeError:
        return garbled
    # C1 controls and the scripts of U+0700-U+08FF are what Ü, ß, à and such before
    # punctuation would give: real text, not mojibake
    if char in written or "\u0080" <= char < "\u00a0" or "\u0700" <= char < "\u0900":
        return garbled
    return char
