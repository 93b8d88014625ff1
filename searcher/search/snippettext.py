"""A snippet's source: a post's text as snippets show it, one space between words, and what
the search for a query's words' candidate places needs of it: the text lower-cased and
unaccented, every offset kept.
"""

from __future__ import annotations

import re

# letters an accent-folded form may stand for in the text, for the candidate search
VARIANTS = {
    "a": "aàáâãäåāăą", "c": "cçćĉċč", "e": "eèéêëēĕėęě", "i": "iìíîïĩīĭį\u0131", "n": "nñńņň",
    "o": "oòóôõöøōŏő", "u": "uùúûüũūŭůűų", "y": "yýÿŷ", "s": "sśŝşšß", "z": "zźżž",
    "d": "dďđ", "g": "gĝğġģ", "l": "lĺļľł", "r": "rŕŗř", "t": "tţťŧ",
    "\u0435": "\u0435\u0451",  # Cyrillic e and yo
}  # fmt: skip
ACCENTED = re.compile("[" + "".join(sorted({c for v in VARIANTS.values() for c in v[1:]})) + "]")
UNACCENTED = str.maketrans({c: base for base, forms in VARIANTS.items() for c in forms[1:]})
_BASE_OF = {c: base for base, forms in VARIANTS.items() for c in forms[1:]}
# the characters that are no ASCII but lower-case and unaccent into an ASCII letter, and their
# base letters; a pattern for them and İ, the one letter that lower-cases into two (the tests
# check there are no others)
_ASCII_BASE_OF = {
    chr(cp): lower.translate(UNACCENTED)
    for cp in (*range(0xC0, 0x180), 0x1E9E, 0x212A, 0x212B)
    if len(lower := chr(cp).lower()) == 1 and lower.translate(UNACCENTED).isascii()
}
_FOLDS_TO_ASCII = re.compile("[" + "".join(sorted(_ASCII_BASE_OF)) + "\u0130]")
# those beyond Latin-1, replaced one by one; every Latin-1 character's byte, as
# Source.ascii_folded holds it: an ASCII letter lower-cased, a letter its base letter, else "?"
_WIDE_FOLDS = re.compile("[" + "".join(sorted(c for c in _ASCII_BASE_OF if c > "\xff")) + "\u0130]")
_LATIN1_FOLDED = bytes(
    ord(chr(b).lower() if b < 0x80 else _ASCII_BASE_OF.get(chr(b), "?")) for b in range(256)
)


class Source:
    """A text to build snippets from, with what the candidate search needs of it: worth
    keeping for a text that is marked up again and again. Its whitespace is one space
    between words, as snippets show it, so passages are measured as shown. Lower-cased and
    unaccented when a word is first looked for in it that needs it: a CJK word is looked
    for in the text as written, and lower-casing a Japanese post took a fifth of its
    snippet."""

    __slots__ = ("_ascii", "_forms", "text")

    def __init__(self, text: str) -> None:
        self.text = text  # flat already
        self._forms: tuple[str | None, str | None] | None = None
        self._ascii: tuple[bytes | None] | None = None  # None: not yet worked out

    @property
    def ascii_folded(self) -> bytes | None:
        """``folded`` as ASCII bytes, each character that is no ASCII there as ``?``: where
        an ASCII word is looked for, at C speed, and without lower-casing a text written in
        other scripts (or with typographic quotes) letter by letter. None where ``folded``
        is."""
        found = self._ascii
        if found is None:  # two threads may both work it out: the same value
            found = self._ascii = (_ascii_folded(self.text),)
        return found[0]

    @classmethod
    def of(cls, text: str) -> Source:
        return cls(flat(text))

    @property
    def lowered(self) -> str | None:
        """text.lower(), or None if a letter lower-cases into two."""
        return self._lowered_forms()[0]

    @property
    def folded(self) -> str | None:
        """lowered with each accented letter as its base letter: same offsets."""
        return self._lowered_forms()[1]

    @property
    def plain(self) -> bool:
        """No letter in the text that an accent-folded form may stand for but its own."""
        lowered, folded = self._lowered_forms()
        return lowered is not None and folded is lowered

    def _lowered_forms(self) -> tuple[str | None, str | None]:
        forms = self._forms
        if forms is None:  # two threads may both work it out: the same value
            forms = self._forms = _lowered_forms(self.text)
        return forms


def _lowered_forms(text: str) -> tuple[str | None, str | None]:
    """(lowered, folded) of :class:`Source`."""
    lowered = text.lower()
    if len(lowered) != len(text):
        return None, None
    found = None if lowered.isascii() else ACCENTED.search(lowered)
    if found is None:
        return lowered, lowered  # the same string: nothing to fold
    # each accented letter the text holds replaced at C speed: str.translate looks up every
    # character (5x slower), a substitution calls back for each accented one (1.8x); the
    # next letter is looked for from where the last was first found, where looking for
    # each of the 60 in the whole text took twice as long as replacing them
    folded = lowered
    while found is not None:
        at, letter = found.start(), found.group()
        folded = folded.replace(letter, _BASE_OF[letter])
        found = ACCENTED.search(folded, at + 1)
    return lowered, folded


def _ascii_folded(text: str) -> bytes | None:
    """:attr:`Source.ascii_folded`: each character beyond Latin-1 that folds into an ASCII
    letter replaced by it (the next one looked for from where the last was found, as in
    :func:`_lowered_forms`), then the text as Latin-1 bytes, each translated into its folded
    byte, at C speed. Most texts hold no such character, which the high bytes of their
    UTF-16 form tell at C speed: a pattern's search for them took 6 us of a 2,500-character
    text, and replacing the Latin-1 letters one by one more."""
    if text.isascii():
        return text.encode().lower()
    if _may_fold_wide(text):
        found = _WIDE_FOLDS.search(text)
        while found is not None:
            at, letter = found.start(), found.group()
            base = _ASCII_BASE_OF.get(letter)
            if base is None:  # İ: offsets would drift, as in _lowered_forms
                return None
            text = text.replace(letter, base)
            found = _WIDE_FOLDS.search(text, at + 1)
    return text.encode("latin-1", "replace").translate(_LATIN1_FOLDED)


def _may_fold_wide(text: str) -> bool:
    """Whether ``text`` may hold a character beyond Latin-1 that folds into ASCII (or is
    İ): U+0100 to U+017F, whose UTF-16 high byte is 1, or one of three others."""
    high = text.encode("utf-16-be", "surrogatepass")[::2]  # a surrogate's is 0xD8 to 0xDF
    return b"\x01" in high or "\u1e9e" in text or "\u212a" in text or "\u212b" in text


def flat(text: str) -> str:
    """``text`` with one space between words, as snippets show it. A post's snippet source
    is made from its stored text (``records.flat_text``, which knows how that is written);
    this is for any other text."""
    return " ".join(text.split())
