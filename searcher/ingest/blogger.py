"""Blogger exports (the Atom ``feed`` Blogger and Google Takeout write) read as posts.

Each ``entry`` is a post, a page, a comment, the template or a setting. Blogger says which in
two ways: the classic export by a ``kind#post`` category and an ``app:draft``, the newer one
by ``blogger:type`` (``POST``, ``PAGE``, ``COMMENT``) and ``blogger:status`` (``LIVE``,
``DRAFT``, ``SOFT_TRASHED``). Labels are the other categories; a post's place is
``georss:`` (classic) or ``blogger:location`` (newer), shown on the post, so public.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

from searcher.ingest import encodings, fields, text
from searcher.ingest.posts import build_post
from searcher.models import IngestWarning, Post, Skipped

_KIND = "http://schemas.google.com/g/2005#kind"
_KINDS = {"post": "post", "page": "page"}  # the end of a classic kind term, "…kind#post"
_READ = frozenset({"POST", "PAGE"})
_LEFT_OUT = {"SOFT_TRASHED": "in the Blogger trash", "DELETED": "deleted on Blogger"}


def entry(element: Element, export: str, geocode: bool) -> tuple[Post, str] | Skipped | None:
    """An entry's post or page and its id; a trashed one's reason; None for Blogger's own
    entries (comments, the template, settings)."""
    values: dict[str, str] = {}
    labels: list[str] = []
    kind = ""
    link = None
    for child in element:
        name = _local(child.tag)
        if name == "category":
            scheme, term = child.get("scheme", ""), (child.get("term") or "").strip()
            if scheme == _KIND:
                kind = _KINDS.get(term.rsplit("#", 1)[-1], term).upper()
            elif term:
                labels.append(term)
        elif name == "link" and child.get("rel") == "alternate":
            link = child.get("href") or None
        elif name in ("control", "location"):  # app:control's draft, blogger:location's place
            for part in child:
                values[_local(part.tag)] = (part.text or "").strip()
        elif len(child) == 0:
            values[name] = (child.text or "").strip()
    kind = values.get("type", "").upper() or kind
    if kind not in _READ:
        return None
    entry_id = values.get("id", "")
    slug = _slug(values.get("filename") or link or "") or entry_id.rsplit("-", 1)[-1] or "untitled"
    rel = f"{export}/{slug}"
    status = values.get("status", "").upper()
    if status in _LEFT_OUT:
        return Skipped(rel, _LEFT_OUT[status])
    warnings: list[IngestWarning] = []
    body = encodings.repair_mojibake(values.get("content", ""), warnings)
    data: dict[str, Any] = {
        "title": encodings.repair_mojibake(values.get("title", ""), warnings) or None,
        "date": fields.parse_date(values.get("published") or values.get("created") or ""),
        "tags": labels,
        "draft": values.get("draft", "").lower() == "yes" or status == "DRAFT",
    }
    place = _place(values)
    if place:
        data["location"] = place
    extracted = text.extract(body, "html")
    url = link or values.get("filename") or None  # Takeout's: the path on the blog
    post = build_post(data, extracted, rel, warnings, url=url, body=body, geocode=geocode)
    return post, entry_id


def _place(values: dict[str, str]) -> dict[str, Any]:
    """The entry's place: a name and a point, as much of them as it gives."""
    point = values.get("point", "").split()
    place: dict[str, Any] = {}
    name = values.get("featurename") or values.get("name")
    if name:
        place["name"] = name
    lat, lon = point if len(point) == 2 else (values.get("latitude"), values.get("longitude"))
    if lat and lon:
        place["lat"], place["lon"] = lat, lon
    return place


def _slug(address: str) -> str:
    """``/2013/05/a-post.html`` or a post's address → ``2013/05/a-post``."""
    path = address.split("://", 1)[-1]
    path = path.split("/", 1)[1] if "://" in address and "/" in path else path
    return path.strip("/").removesuffix(".html")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
