"""Post bodies to plain text: template tags and shortcodes reduced to their prose
(:mod:`searcher.ingest.shortcodes`), Markdown rendered, HTML stripped.

Ingest must reach 1,500 posts/s and a full BeautifulSoup tree costs ~15 µs per element, so
regexes shrink the rendered HTML first: content-free blocks (svg, script, …) go whole, inline
tags are unwrapped and every other tag becomes a block marker. BeautifulSoup then parses what
is left (text, entities, images, malformed markup) as a tree of a few nodes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from searcher.ingest import gfm, shortcodes
from searcher.ingest.substrings import holds

__all__ = ["Extracted", "extract"]

# Markers put into the HTML for BeautifulSoup to carry through; ASCII keeps strings compact
_BLOCK = "\x02"  # a block boundary; becomes "\n"
_HEAD = "\x03"  # either side of the first heading's text
_MARKER_REF = re.compile(r"&#(?:0*[23]|[xX]0*[23]);")  # the markers, as character references
_CMARK_OPTIONS = gfm.UNSAFE
# Footnotes as Hugo (Goldmark) and Jekyll (kramdown) render them: "word[^1]" is the word, the
# notes are text at the end. Their marks (the reference's number, the note's "↩" link back)
# are not words of the post: dropped, so "helped[^1] by" reads "helped by".
_FOOTNOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.MULTILINE)
_FOOTNOTE_MARKS = re.compile(
    r'<sup class="footnote-ref"><a href="#fn-[^"]*" id="fnref-[^"]*" data-footnote-ref>'
    r"[^<]*</a></sup>"
    r'| ?<a href="#fnref-[^"]*" class="footnote-backref"[^>]*>'
    r'↩(?:<sup class="footnote-ref">\d+</sup>)?</a>'
)


@dataclass(frozen=True)
class Extracted:
    """A body as plain text: blocks on their own lines, words single-spaced."""

    text: str
    heading: str | None


# kramdown attribute lists ({:.class}, {: #id}, {: style="…"}); not Rust's {:?} or {:.2}
_KRAMDOWN_IAL = re.compile(
    r"\{:(?:\s+|(?=[.#][A-Za-z]))(?:[.#][A-Za-z][\w-]+|[\w-]+=(?:\"[^\"\n]*\"|'[^'\n]*'|"
    r"[^\s}\"']+)|\s+)*\}"
)


# --- HTML ---------------------------------------------------------------------------------

_ATTRS = r"""(?:\s(?:[^>"']|"[^"]*"|'[^']*')*)?"""
# GFM's tagfilter writes "<script>" as "&lt;script>"; code spans would have "&lt;script&gt;"
_TAGFILTERED = re.compile(
    r"&lt;(/?(?i:title|textarea|style|xmp|iframe|noembed|noframes|script|plaintext))"
    r"((?:\s[^<>]*)?/?>)"
)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _first_letters(names: str) -> str:
    """A class of the letters the ``|``-separated ``names`` start with: put before their
    alternation, it turns away at once a tag no name can begin (``<p>``, ``<li>``), where each
    name was tried in turn at every ``<``: a quarter to half of these passes' time."""
    return "[" + "".join(sorted({name[0] for name in names.split("|")})) + "]"


_DEAD_NAMES = "svg|script|style|noscript|template|iframe|object"
# an unclosed one runs to the end, as in a browser
_DEAD_BLOCK = re.compile(
    rf"<(?=(?i:{_first_letters(_DEAD_NAMES)}))((?i:{_DEAD_NAMES}))(?=[\s/>])"
    rf"{_ATTRS}(?<!/)>.*?(?:</(?i:\1)\s*>|\Z)",
    re.S,
)
# no re.IGNORECASE: it makes these passes twice as slow; upper case is spelled out instead
_INLINE_NAMES = (
    "a|abbr|acronym|b|bdi|bdo|big|cite|code|data|del|dfn|em|font|i|input|ins|kbd|label|mark|"
    "nobr|q|s|samp|small|span|strike|strong|sub|sup|time|tt|u|var|wbr"
)
_INLINE_TAG = re.compile(
    rf"</?(?={_first_letters(_INLINE_NAMES + '|' + _INLINE_NAMES.upper())})"
    rf"(?:{_INLINE_NAMES}|{_INLINE_NAMES.upper()})(?=[\s/>]){_ATTRS}/?>"
)
_OTHER_TAG = re.compile(rf"</?(?![iI][mM][gG][\s/>])[A-Za-z][\w:-]*{_ATTRS}/?>")
_HEADING = re.compile(r"<h([1-6])(?:\s[^>]*)?>(.*?)</h\1\s*>", re.S | re.I)


def _flatten(html: str) -> str:
    """Shrink HTML for BeautifulSoup: drop dead blocks, mark the heading, flatten tags."""
    if _BLOCK in html or _HEAD in html:
        html = html.replace(_BLOCK, " ").replace(_HEAD, " ")
    if holds(html, "&#"):
        html = _MARKER_REF.sub(" ", html)
    if "<" not in html:
        return html
    if holds(html, "<!--"):
        html = _COMMENT.sub("", html)
    html = _DEAD_BLOCK.sub(" ", html)
    heading = _HEADING.search(html)
    if heading:
        start, end = heading.span(2)
        html = f"{html[:start]}{_HEAD}{heading[2]}{_HEAD}{html[end:]}"
    html = _INLINE_TAG.sub("", html)
    return _OTHER_TAG.sub(_BLOCK, html)


_PROCESSING = re.compile(r"<\?[^>]*\?>")
# What only an HTML parser reads as libxml2 does: markup, an entity other than the four that
# GFM writes, a carriage return, a control character, a non-character. One class first, the
# "&" judged after it: a pattern opening with a class is searched for at C speed, where
# r"[<…]|&(?!…)" was tried at every position (3 times the cost).
_NOT_PLAIN = re.compile(
    "[<&\r\x00\x01\x04-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]"
    "(?:(?<!&)|(?!(?:lt|gt|quot|amp);))"
)


def _soup_text(html: str) -> str:
    """Entities decoded, leftover markup gone, images replaced by their alt (or title) text.

    Most flattened bodies are text with GFM's four entities: those are decoded here as
    BeautifulSoup and lxml decode them (and drop leading blanks, as libxml2 does), the same
    text without a parse tree, 15 times faster (tests/test_text.py compares the two)."""
    if _NOT_PLAIN.search(html) is None:
        return _plain(html).lstrip(" \t\n")
    if holds(html, "<img"):
        text = _with_images(html)
        if text is not None:
            return text
    return _tree_text(html)


_GFM_ENTITY = re.compile("&(?:lt|gt|quot|amp);")
_GFM_CHARS = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&amp;": "&"}.__getitem__


def _plain(html: str) -> str:
    """Text with GFM's four entities decoded, in one pass (four replaces copied the text of
    most posts two to four times; none of them makes another's entity)."""
    return _GFM_ENTITY.sub(lambda entity: _GFM_CHARS(entity[0]), html) if "&" in html else html


# An image as GFM writes one (``<img src="…" alt="…" title="…" />``): lower-case names,
# double-quoted values; anything else is left to the parse tree
_IMG = re.compile(r'<img((?: [a-z]+="[^"<]*")*) ?/?>')
_IMG_ATTR = re.compile(r' ([a-z]+)="([^"]*)"')
_BLANKS = frozenset(" \t\n")


def _with_images(html: str) -> str | None:
    """:func:`_soup_text` of text whose only markup is GFM's images, read without a tree
    (images are most of the bodies that needed one); None when it takes a tree to tell.

    As in the tree, blanks before the first image go, and blanks alone after one become a
    newline if they hold one, else a space (BeautifulSoup's rule for blank strings)."""
    pieces = _IMG.split(html)  # text, attributes, text, …
    texts = pieces[::2]
    if any(_NOT_PLAIN.search(piece) for piece in texts):
        return None
    out = [_plain(texts[0]).lstrip(" \t\n")]
    for attributes, after in zip(pieces[1::2], texts[1:], strict=True):
        found = _IMG_ATTR.findall(attributes)
        values = dict(found)
        if len(values) != len(found) or any(_NOT_PLAIN.search(v) for v in values.values()):
            return None  # a name given twice, or a value only a parser reads
        out.append(f" {_plain(values.get('alt') or values.get('title') or '')} ")
        if after and _BLANKS.issuperset(after):
            out.append("\n" if "\n" in after else " ")
        else:
            out.append(_plain(after))
    return "".join(out)


def _tree_text(html: str) -> str:
    """:func:`_soup_text` through BeautifulSoup's tree."""
    from bs4 import BeautifulSoup, Tag  # imported by the first HTML body: searches need none

    if "<?" in html:  # an XHTML post's declaration: no text, and BeautifulSoup warns on it
        html = _PROCESSING.sub("", html)
    soup = BeautifulSoup(html, "lxml")
    for img in soup.find_all("img"):
        if isinstance(img, Tag):
            img.replace_with(f" {img.get('alt') or img.get('title') or ''} ")
    return soup.get_text()


# --- Whitespace ---------------------------------------------------------------------------

# invisible characters str.split() does not count as whitespace: controls, zero-width, bidi
_INVISIBLE = re.compile(
    r"[\x00\x01\x04-\x08\x0e-\x1b\x7f-\x84\x86-\x9f"
    r"\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
_BLANK_LINES = re.compile(r"\n[ \t\r]*\n")
_BREAKS = re.compile(rf"{_BLOCK}[ {_BLOCK}]*")
_SOFT_HYPHEN = "\xad"


def _normalise(text: str) -> str:
    """Single spaces between words, one newline between blocks; ends stripped."""
    if _SOFT_HYPHEN in text:
        text = text.replace(_SOFT_HYPHEN, "")
    text = _INVISIBLE.sub(" ", text)
    text = " ".join(_BLANK_LINES.sub(_BLOCK, text).split())  # a blank line ends a block
    return _BREAKS.sub("\n", text).replace(" \n", "\n").strip("\n")


def _split_heading(text: str) -> tuple[str, str | None]:
    """The text with the heading markers turned into breaks, and the heading's own text."""
    first = text.find(_HEAD)
    last = text.find(_HEAD, first + 1)
    if first < 0 or last < 0:
        return text.replace(_HEAD, _BLOCK), None
    heading = _normalise(text[first + 1 : last]).replace("\n", " ")
    return text.replace(_HEAD, _BLOCK), heading or None


# --- Pipeline -----------------------------------------------------------------------------

LITTLE_TEXT_SHARE = 0.05  # below this share of a body's characters kept as text, say so
LITTLE_TEXT_FROM = 1000  # characters of markup: shorter bodies are too small to judge


def little_text(body: str, text: str) -> str | None:
    """Why a post's text looks lost, or None: a body of some size that kept almost nothing
    as text (its prose in markup nothing here reads, say) gets a warning naming the file."""
    size = len(body.strip())
    if size < LITTLE_TEXT_FROM or len(text) >= LITTLE_TEXT_SHARE * size:
        return None
    share = f"{100 * len(text) / size:.0f}%" if text else "nothing"
    return f"only {share} of the body kept as text ({len(text):,} of {size:,} characters)"


def _options(markdown: str) -> int:
    """cmark's options for ``markdown``: footnotes where it has notes, each of them referenced
    (cmark renders only the notes a reference points to: an orphan note's words would go)."""
    if not holds(markdown, "[^"):
        return _CMARK_OPTIONS
    labels = set(_FOOTNOTE_DEFINITION.findall(markdown))
    for label in labels:
        if not re.search(rf"\[\^{re.escape(label)}\](?!:)", markdown, re.IGNORECASE):
            return _CMARK_OPTIONS
    return _CMARK_OPTIONS | gfm.FOOTNOTES if labels else _CMARK_OPTIONS


def extract(body: str, markup: Literal["markdown", "html"]) -> Extracted:
    """Plain text and first heading of a post body written in Markdown or HTML."""
    if markup not in ("markdown", "html"):
        raise ValueError(f"unknown markup {markup!r}; expected 'markdown' or 'html'")
    body = shortcodes.strip(body)
    document_title = None
    if markup == "html" and _TITLE_OPEN.search(body) is not None:
        body, document_title = _without_head(body)
    if markup == "markdown":
        if holds(body, "{:"):
            body = _KRAMDOWN_IAL.sub("", body)
        body = gfm.to_html(body, options=_options(body))
        if holds(body, "data-footnote"):
            body = _FOOTNOTE_MARKS.sub("", body)
        if holds(body, "&lt;"):  # undo GFM's tagfilter so that _flatten sees those tags as tags
            body = _TAGFILTERED.sub(r"<\1\2", body)
    text, heading = _split_heading(_soup_text(_flatten(body)))
    return Extracted(text=_normalise(text), heading=document_title or heading)


_HEAD_ELEMENT = re.compile(r"<head(?:\s[^>]*)?>.*?</head\s*>", re.S | re.I)
_TITLE_ELEMENT = re.compile(r"<title(?:\s[^>]*)?>(.*?)</title\s*>", re.S | re.I)
_TITLE_OPEN = re.compile(r"<title", re.I)  # <title>, <TITLE>, <Title> as editors wrote them


def _without_head(html: str) -> tuple[str, str | None]:
    """A whole HTML document's body without its ``<head>`` (a title, metadata: no words of
    the post), and the ``<title>`` in it, the name the page gives itself, as its heading (a
    ``<title>`` elsewhere, as SVG writes one, is the body's)."""
    head = _HEAD_ELEMENT.search(html)
    title = _TITLE_ELEMENT.search(html, head.start(), head.end()) if head else None
    if head is None or title is None:
        return html, None
    html = html[: head.start()] + " " + html[head.end() :]
    text = _normalise(_soup_text(_flatten(title[1]))).replace("\n", " ")
    return html, text or None
