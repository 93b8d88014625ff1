"""Points a post body marks up for machines: the geo microformat WordPress themes print
(``<span class="latitude">…</span>``, ``<abbr class="geo" title="lat;lon">``), h-geo
(``p-latitude``/``p-longitude``) and schema.org's ``itemprop="latitude"``.

Code samples are not places: ``<pre>``/``<code>`` blocks and Markdown code fences are left out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

from searcher.errors import InvalidCoordinates
from searcher.geo import coords
from searcher.ingest.substrings import holds

Warn = Callable[[str, str], None]

_CODE = re.compile(r"<(pre|code)\b.*?</\1\s*>|^(```|~~~).*?^\2", re.S | re.I | re.M)
_ELEMENT = re.compile(
    r"<(?P<tag>[a-z][\w-]*)(?P<attrs>[^<>]*?\b(?:class|itemprop)\s*=\s*[\"'][^\"']*"
    r"\b(?:geo|latitude|longitude)\b[^\"']*[\"'][^<>]*)>(?P<inner>[^<]{0,200})",
    re.I,
)
_ATTR = re.compile(r"""\b([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_DIGIT = re.compile(r"\d")
# cheap: most bodies have no markup. Whether r"latitude|[\"' ]h?-?geo[\"' ]" matches, with re.I,
# asked of a pattern that opens with one class of rare letters (the "l" or the "g", what comes
# before the "g" looked behind at), so that it is searched for at C speed: the alternation,
# tried at every character, cost 0.3 ms a kaigai-matome post (18 kB of Japanese with "geo" in
# a link), this 0.07
_HINT = re.compile(
    r"[lLgG](?:(?<=[lL])(?i:atitude)|(?<=[gG])"
    r"""(?:(?<=["' ].)|(?<=["' ][hH].)|(?<=["' ]-.)|(?<=["' ][hH]-.))(?i:eo)["' ])"""
)
_ROLES = {
    "latitude": "lat", "p-latitude": "lat", "longitude": "lon", "p-longitude": "lon",
    "geo": "pair", "h-geo": "pair",
}  # fmt: skip


def points(body: str, warn: Warn) -> Iterator[tuple[float, float]]:
    """Every (lat, lon) marked up in ``body``; each latitude pairs with the next longitude."""
    if not marks_up(body):
        return
    lat: str | None = None
    for role, value, _ in _marked(_without_code(body)):
        if role == "pair":
            try:
                point = coords.parse_pair(value)
            except InvalidCoordinates as exc:
                warn("bad-coordinates", f"geo markup in the body dropped: {exc}")
                continue
            if point is not None:
                yield point
        elif role == "lat":
            lat = value
        elif lat is not None:
            try:
                lat_deg, lon_deg = coords.parse_one(lat, "lat"), coords.parse_one(value, "lon")
                if lat_deg is not None and lon_deg is not None:
                    yield coords.check_point(lat_deg, lon_deg)
            except InvalidCoordinates as exc:
                warn("bad-coordinates", f"geo markup in the body dropped: {exc}")
            lat = None


def marks_up(body: str) -> bool:
    """Whether ``body`` may hold geo markup (cheap: most bodies hold none)."""
    return (holds(body, "atitude") or holds(body, "geo")) and _HINT.search(body) is not None


def shown(body: str) -> list[str]:
    """The text of each geo-marked element a reader sees (``43.48``, ``Paris`` of
    ``<abbr class="geo" title="…">Paris</abbr>``): what tells where the post was written."""
    if not marks_up(body):
        return []
    found = (" ".join(html.unescape(inner).split()) for _, _, inner in _marked(_without_code(body)))
    return [text for text in found if text]


def _without_code(body: str) -> str:
    if any(holds(body, mark) for mark in ("<pre", "<code", "```", "~~~")):
        return _CODE.sub(" ", body)
    return body


def _marked(body: str) -> Iterator[tuple[str, str, str]]:
    """(role, value, text) of each marked element: its title, content or value attribute,
    else its text up to the next tag; and that text."""
    for match in _ELEMENT.finditer(body):
        attrs = {m[1].lower(): m[2] if m[2] is not None else m[3]
                 for m in _ATTR.finditer(match["attrs"])}  # fmt: skip
        names = f"{attrs.get('class', '')} {attrs.get('itemprop', '')}".lower().split()
        role = next((_ROLES[name] for name in names if name in _ROLES), None)
        if role is None:
            continue
        candidates = (attrs.get("title"), attrs.get("content"), attrs.get("value"), match["inner"])
        value = next((c for c in candidates if c and _DIGIT.search(c)), None)
        if value:
            yield role, html.unescape(value).strip(), match["inner"]
