"""The Python API's arguments as a web backend passes them, checked and converted.

``None`` always means "not given"; a string where a list is expected is one item; a year as a
number, a date, a tuple of four numbers for a box, a GeoJSON mapping or WKT for a polygon are
read as what they say. Anything that cannot be used raises :class:`UsageError` naming the
argument: no other exception leaves the API for an argument's sake.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from searcher.errors import UsageError
from searcher.geo import BBox, parse_bbox, parse_coordinate
from searcher.indexing.schema import partial_date_span

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def text(value: Any, name: str) -> str | None:
    """A string argument, or None; refused if it is not valid Unicode text."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise UsageError(f"{name} must be a string, not {_kind(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"{name} is not valid text (it holds a lone surrogate)") from None
    return value


def number(value: Any, name: str, default: int, low: int, high: int | None = None) -> int:
    """A whole number within [low, high]; None gives ``default``."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"{name} must be a whole number, not {_kind(value)}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"{low} or more"
        raise UsageError(f"{name} must be {bound}, not {value}")
    return value


def flag(value: Any, name: str) -> bool:
    """True or false; None is false, and so are the strings a form sends for "off"."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise UsageError(f"{name} must be true or false, not {_kind(value)}")


# a label typed in quotes, as in a query (tag:"open source"): no tag is written so
_QUOTED = re.compile("^[\"\u201c\u201e\u00ab'\u2018](.*)[\"\u201d\u201c\u00bb'\u2019]$", re.DOTALL)


def labels(value: Any, name: str) -> tuple[str, ...]:
    """Tags, categories or language codes: one string is one label (quotes around it
    aside); None and blanks are none."""
    if value is None:
        return ()
    items: Iterable[Any] = [value] if isinstance(value, str) else _items(value, name)
    found = []
    for item in items:
        if item is None:
            continue
        label = text(item, name)
        if label is not None:
            label = _QUOTED.sub(r"\1", label.strip()).strip()
            if label:
                found.append(label)
    return tuple(found)


def _items(value: Any, name: str) -> Iterable[Any]:
    if isinstance(value, bytes | bytearray | Mapping) or not isinstance(value, Iterable):
        raise UsageError(f"{name} must be a string or a list of strings, not {_kind(value)}")
    return list(value)


def date(value: Any, name: str) -> str | None:
    """A day, month or year (``2011-03-05``, ``2011-03``, ``2011``), a year as a number, or a
    date or datetime; None is not given."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        value = value.isoformat()[:10]  # YYYY-MM-DD, also before the year 1000
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:04d}" if value >= 0 else str(value)
    found = text(value, name)
    if found is None or not found.strip():
        return None
    try:
        partial_date_span(found)  # a clear error now rather than an empty result later
    except UsageError as exc:
        raise UsageError(f"{name}: {exc}") from None
    except (ValueError, OverflowError) as exc:  # 9999: its end is past the calendar's
        raise UsageError(f"{name}: {found!r} is not a date that can be searched ({exc})") from None
    return found


def box(value: Any) -> BBox | None:
    """A :class:`BBox`, "S,W,N,E", or four numbers (south, west, north, east)."""
    if value is None or isinstance(value, BBox):
        return value
    if isinstance(value, str):
        return parse_bbox(value) if value.strip() else None
    corners = list(_items(value, "bbox"))
    if len(corners) != 4:
        raise UsageError(f"bbox must be four numbers: south, west, north, east, not {value!r}")
    south, north = (parse_coordinate(corners[i], "lat") for i in (0, 2))
    west, east = (parse_coordinate(corners[i], "lon") for i in (1, 3))
    return BBox(south, west, north, east)


def shape(value: Any) -> Any:
    """A polygon: a shapely Polygon or MultiPolygon, a GeoJSON mapping, or GeoJSON or WKT text;
    checked as ``--within`` files are (in degrees, repaired if it crosses itself)."""
    if value is None:
        return None
    from searcher.geo import shapes  # shapely: only a request with a shape needs it

    if isinstance(value, str):
        return shapes.parse(text(value, "within") or "", "within")
    if isinstance(value, Mapping):
        try:
            encoded = json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"within: not a GeoJSON polygon ({exc})") from None
        return shapes.parse(encoded, "within")
    if hasattr(value, "geom_type") and hasattr(value, "bounds"):
        return shapes.checked(value, "within")
    raise UsageError(f"within must be a polygon (shapely, GeoJSON or WKT), not {_kind(value)}")


def choice(value: Any, name: str, choices: tuple[str, ...], default: str) -> str:
    """One of ``choices``; None gives ``default``."""
    if value is None:
        return default
    if not isinstance(value, str) or value not in choices:
        raise UsageError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _kind(value: Any) -> str:
    """How a wrong value is named in a message: its type, and a short repr."""
    shown = repr(value)
    return f"{type(value).__name__} {shown[:40]}{'…' if len(shown) > 40 else ''}"
