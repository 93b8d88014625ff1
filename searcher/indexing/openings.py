"""A post's opening: the first words of its text, as a hit with no word to mark shows them.

Written into the index with each post (the ``SHOWN`` column, :mod:`~searcher.indexing.records`)
so that listing and k-nearest hits show it without reading the post's compressed text, and
used by :mod:`searcher.search.snippets` for any text it is given.
"""

from __future__ import annotations

import html
import re

from searcher.indexing import analysis

SOURCE_CHARS = 40_000  # a hit's text is read within its first 40k characters
# characters shown two columns wide: the CJK scripts the tokenizer cuts into bigrams, with
# their punctuation and fullwidth forms (。「」). Passages are measured in columns, so a
# Japanese passage is as wide on screen as an English one, not twice as wide
WIDE = re.compile(f"[{analysis.CJK_RANGES}\u3000-\u303f\ufe30-\ufe4f\uff01-\uff60\uffe0-\uffe6]")
_WIDE_RUNS = re.compile(WIDE.pattern + "+")  # counted a run at a time: no string a character


def opening(text: str, chars: int = 200) -> str:
    """The first words of ``text`` as escaped HTML, one space between them, for hits with
    nothing to mark."""
    flat = " ".join(text[: 4 * chars].split())
    chars = _chars_for(flat, chars)
    if len(flat) <= chars and (len(text) <= 4 * chars or text[4 * chars :].isspace()):
        return html.escape(flat, quote=False)
    cut = flat[:chars].rsplit(" ", 1)[0]
    return html.escape(cut, quote=False) + "…"


def post_opening(text: str) -> str:
    """The opening a hit of a post with this text shows (read within :data:`SOURCE_CHARS`)."""
    return opening(text[:SOURCE_CHARS])


def chars_filling(sample: str, columns: int) -> int:
    """Characters that fill ``columns`` where ``sample`` shows: all of them in most texts,
    half where every character of the sample is wide."""
    if sample.isascii():
        return columns
    wide = sum(map(len, _WIDE_RUNS.findall(sample)))
    return columns * len(sample) // (len(sample) + wide) if wide else columns


def _chars_for(text: str, columns: int) -> int:
    """Characters that fill ``columns`` at the start of ``text``."""
    return chars_filling(text[:columns], columns)
