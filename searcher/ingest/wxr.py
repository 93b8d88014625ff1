"""WordPress WXR exports (``.xml``) read directly as a source of posts, and Blogger's
(:mod:`searcher.ingest.blogger`) as they come.

Parsed with defusedxml, so an entity-expansion bomb or an external-entity trick is refused
rather than expanded. Namespaces differ between WXR versions (1.0 to 1.2), so elements are
matched by local name.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from searcher.ingest import blogger, encodings, fields, text
from searcher.ingest.posts import build_post
from searcher.models import IngestWarning, Post, Skipped

_POST_TYPES = frozenset({"post", "page"})
# WordPress's own item types: files, history, menus, settings (never anyone's post)
_INTERNAL_TYPES = frozenset(
    "attachment revision nav_menu_item custom_css customize_changeset oembed_cache "
    "user_request".split()
)
_NOT_TERMS = frozenset({"post_format"})


def read_export(path: Path, *, max_bytes: int, geocode: bool = True) -> Iterator[Post | Skipped]:
    """Every post and page of a WXR file, each under its own path (:func:`_unique`); an
    unsafe file yields one :class:`Skipped`, a broken one is read again repaired
    (:func:`_repaired`), and one broken past repair yields the items read before the break
    and a :class:`Skipped`."""
    import defusedxml.ElementTree as SafeET  # only an export being read needs it
    from defusedxml import DefusedXmlException

    items: list[tuple[Post, str]] = []
    left_out: list[Skipped] = []
    skipped: Skipped | None = None
    try:
        if path.stat().st_size > max(max_bytes, 1) * 40:
            skipped = Skipped(path.name, f"export larger than {max_bytes * 40} bytes")
        else:
            try:
                root = _read_items(SafeET.iterparse(str(path), events=("end",)), path.name,
                                   geocode, items, left_out)  # fmt: skip
            except ParseError:
                items.clear()
                left_out.clear()
                source, repairs = _repaired(path.read_bytes())
                found = SafeET.iterparse(io.BytesIO(source), events=("end",))
                root = _read_items(found, path.name, geocode, items, left_out, repairs)
            if root != "rss" and not items and not left_out:  # say why nothing came of it
                reason = f"no post or page of a WordPress or Blogger export (its root is <{root}>)"
                skipped = Skipped(path.name, reason)
    except DefusedXmlException as exc:
        skipped = Skipped(path.name, f"refused unsafe XML ({type(exc).__name__})")
    except ParseError as exc:
        skipped = Skipped(path.name, f"not a readable WordPress export ({exc})")
    except OSError as exc:
        skipped = Skipped(path.name, f"unreadable: {exc.strerror}")
    yield from _unique(items)
    yield from left_out
    if skipped is not None:
        yield skipped


def _read_items(
    found: Iterator[tuple[str, Element]],
    export: str,
    geocode: bool,
    items: list[tuple[Post, str]],
    left_out: list[Skipped],
    repairs: list[IngestWarning] | None = None,
) -> str:
    """Each item parsed into ``items`` (or ``left_out``) as soon as it ends, so a break
    later in the file keeps them; each carries what repairing the file changed. The root
    element's name is returned (``rss`` for an export; Blogger's is an Atom ``feed``)."""
    element = None
    for _, element in found:
        name = _local(element.tag)
        if name in ("item", "entry"):  # a WordPress item, a Blogger entry
            item = (
                _item(element, export, geocode)
                if name == "item"
                else blogger.entry(element, export, geocode)
            )
            if isinstance(item, Skipped):
                left_out.append(item)
            elif item is not None:
                post, item_id = item
                if repairs:
                    post = replace(post, warnings=(*post.warnings, *repairs))
                items.append((post, item_id))
            element.clear()
    return "" if element is None else _local(element.tag)


# what XML 1.0 forbids and old exports hold: control characters, "&" not escaped, HTML's
# named references (&nbsp;) outside CDATA, prefixes never declared (WordPress.com's atom:)
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CDATA = re.compile(r"(<!\[CDATA\[.*?\]\]>|<!--.*?-->)", re.DOTALL)  # and comments
_REFERENCE = re.compile(r"&(#\d+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)?")
_XML_NAMED = frozenset({"lt;", "gt;", "amp;", "quot;", "apos;"})
_PREFIX = re.compile(r"</?([A-Za-z_][\w.-]*):[A-Za-z_]")
_DECLARED = re.compile(r"xmlns:([A-Za-z_][\w.-]*)\s*=")
_ROOT = re.compile(r"<(?![?!])[A-Za-z_][\w.:-]*")
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _repaired(data: bytes) -> tuple[bytes, list[IngestWarning]]:
    """An export's text made well-formed, as UTF-8, and what was changed that a post may
    show (declaring a prefix changes no post). A WordPress database that mixes character
    sets writes such files, and so do hand-made exports."""
    content, warnings = encodings.decode(data, mojibake=False)  # repaired item by item
    content = _DECLARATION.sub("", content or "", count=1)
    forbidden = len(_FORBIDDEN.findall(content))
    if forbidden:
        content = _FORBIDDEN.sub("", content)
        message = f"{forbidden} control character(s) removed from the export"
        warnings.append(IngestWarning("broken-export", message))
    parts = _CDATA.split(content)
    fixed = 0
    for index in range(0, len(parts), 2):  # outside CDATA sections and comments
        outside = _REFERENCE.sub(_reference, parts[index])
        fixed += outside != parts[index]
        parts[index] = outside
    content = "".join(parts)
    if fixed:
        message = "bare & and HTML references in the export read as text"
        warnings.append(IngestWarning("broken-export", message))
    missing = set(_PREFIX.findall(content)) - set(_DECLARED.findall(content)) - {"xml", "xmlns"}
    root = _ROOT.search(content)
    if missing and root is not None:
        names = "".join(f' xmlns:{name}="urn:undeclared:{name}"' for name in sorted(missing))
        content = content[: root.end()] + names + content[root.end() :]
    return content.encode("utf-8"), warnings


def _allowed(number: int) -> bool:
    return number < 0x110000 and not _FORBIDDEN.match(chr(number)) and not 0xD800 <= number < 0xE000


def _reference(match: re.Match[str]) -> str:
    """A reference XML knows, kept; an HTML one (``&nbsp;``) as its character; a bare
    ``&`` (``Tom & Jerry``, ``&foo;``) escaped; one to a control character left out."""
    reference = match[1]
    if reference is None:
        return "&amp;"
    if reference[0] == "#":
        number = int(reference[2:-1], 16) if reference[1] in "xX" else int(reference[1:-1])
        return match[0] if _allowed(number) else ""
    if reference in _XML_NAMED:
        return match[0]
    char = html.unescape(match[0])
    return "&amp;" + reference if char == match[0] else html.escape(char, quote=False)


def _unique(items: list[tuple[Post, str]]) -> Iterator[Post]:
    """Posts under distinct paths: a name several items share (a post and a page both
    ``about``, empty slugs falling back to titles) gets ``~`` and the item's id, which no
    WordPress slug holds, then ``~`` and its place in the export if ids repeat too."""
    shared = Counter(post.path for post, _ in items)
    taken = {path for path, count in shared.items() if count == 1}
    for position, (post, item_id) in enumerate(items):
        path = post.path
        if shared[path] > 1:
            path = f"{post.path}~{item_id}" if item_id else f"{post.path}~{position + 1}"
            while path in taken:
                path = f"{path}~{position + 1}"
            taken.add(path)
        yield post if path == post.path else replace(post, path=path)


def _item(item: Element, export: str, geocode: bool) -> tuple[Post, str] | Skipped | None:
    """An item's post or page and its id (empty if it has none); why another item is left
    out, or None for WordPress's own items (attachments, revisions, menus)."""
    values: dict[str, str] = {}
    data: dict[str, Any] = {"categories": [], "tags": []}
    meta: dict[str, str] = {}
    for child in item:
        name = _local(child.tag)
        if name == "category":
            domain = child.get("domain")
            if domain in _NOT_TERMS:
                continue  # a post format (Image, Link, Quote) says how it shows, not its topic
            kind = "tags" if domain == "post_tag" else "categories"
            data[kind].append((child.text or "").strip())
        elif name == "postmeta":
            key = _child_text(child, "meta_key")
            if key:
                meta[key] = _child_text(child, "meta_value")
        elif name == "encoded" and "excerpt" in child.tag:
            values["excerpt"] = child.text or ""
        else:
            values[name] = child.text or ""
    slug = values.get("post_name") or values.get("post_id") or values.get("title") or "untitled"
    rel = f"{export}/{slug}"
    kind = values.get("post_type", "post").strip() or "post"
    if kind not in _POST_TYPES:
        if kind in _INTERNAL_TYPES or kind.startswith("wp_"):
            return None
        return Skipped(rel, f"a WordPress {kind!r} item: only posts and pages are read")
    if values.get("status", "").strip() == "trash":
        return Skipped(rel, "in the WordPress trash")
    warnings: list[IngestWarning] = []
    data["meta"] = meta
    data["title"] = _title_text(encodings.repair_mojibake(values.get("title", ""), warnings))
    data["status"] = values.get("status", "publish")
    data["draft"] = bool(values.get("post_password", "").strip())  # not public on the blog
    data["date"] = _date(values)
    # a database converted between character sets garbles some posts and not others
    body = encodings.repair_mojibake(values.get("encoded", ""), warnings)
    extracted = text.extract(body, "html")
    post = build_post(data, extracted, rel, warnings, url=values.get("link") or None,
                             body=body, geocode=geocode)  # fmt: skip
    return post, values.get("post_id", "").strip()


def _date(values: dict[str, str]) -> Any:
    """The post's date as its blog shows it: ``post_date`` is the blog's own clock and
    ``post_date_gmt`` the same moment in UTC, so their difference is the blog's offset then
    (a post the blog dates 10 January, its URL ``/2013/01/10/``, stays on the 10th). One of
    them alone is what it says (a draft has no GMT date); ``pubDate`` is the last resort."""
    local, gmt = _export_date(values, "post_date"), _export_date(values, "post_date_gmt")
    if local is not None and gmt is not None and local.tzinfo is None and gmt.tzinfo is None:
        offset = local - gmt
        if abs(offset) <= _MAX_OFFSET and offset % dt.timedelta(minutes=1) == dt.timedelta(0):
            return local.replace(tzinfo=dt.timezone(offset))
    if gmt is not None:
        return gmt if gmt.tzinfo else gmt.replace(tzinfo=dt.UTC)
    if local is not None:
        return local
    raw = values.get("pubDate", "").strip()
    return fields.parse_date(raw) if raw else None


_MAX_OFFSET = dt.timedelta(hours=14)  # the widest UTC offset in use (Kiribati's +14:00)


def _export_date(values: dict[str, str], key: str) -> dt.datetime | None:
    """``key``'s date as written, or None when it is empty, all zeros or not a date."""
    raw = values.get(key, "").strip()
    return fields.parse_date(raw) if raw and not raw.startswith("0000") else None


def _child_text(element: Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag.split(":")[-1]


_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")


def _title_text(title: str | None) -> str | None:
    """A WordPress title is HTML (``the_title`` prints it as it is): its tags are markup,
    not words (``Title <em>With</em> Markup`` reads "Title With Markup"). A ``<`` or ``>``
    that opens no tag stays, as do character references (decoded with every title)."""
    return _TAG.sub("", title) if title and "<" in title else title
