"""Coordinates as people write them in one value: numbers, ``"lat,lng"``, degrees and minutes.

:func:`parse_one` reads a single latitude or longitude; :func:`parse_pair` reads a point
written in one value (a string, a two-item list, a map link). Each returns ``None`` for a
value that is no coordinate at all, and raises :class:`InvalidCoordinates` with a reason for
one that is meant as a coordinate but cannot be used (out of range, one number of two, 0/0).

Order is latitude first unless there is clear evidence: hemisphere letters (``N``/``S``,
``E``/``W``), the caller's ``lon_first`` (a GeoJSON-style key), or a first value beyond ±90
followed by one within it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit

from searcher.errors import InvalidCoordinates
from searcher.geo.sphere import parse_coordinate

Axis = Literal["lat", "lon"]

_SIGN = r"[-+\u2212]?"  # ASCII or typographic minus
_NUM = rf"{_SIGN}\d{{1,3}}(?:[.,]\d+)?"
_DECIMAL = rf"({_SIGN}\d{{1,3}}(?:\.\d+)?)"
_PLAIN_PAIR = re.compile(rf"^\s*[(\[]?\s*{_DECIMAL}\s*(?:[,;/]\s*|\s+){_DECIMAL}\s*[)\]]?\s*$")
_COMMA_PAIR = re.compile(rf"^\s*({_SIGN}\d{{1,3}},\d+)\s*(?:[;/]\s*|\s+)({_SIGN}\d{{1,3}},\d+)\s*$")
# one coordinate: degrees, minutes and seconds, with a hemisphere letter before or after
_BODY = (
    rf"(?P<deg>{_NUM})\s*(?:°|º|˚|deg\b|d\b)?\s*"
    r"(?:(?P<min>\d{1,2}(?:[.,]\d+)?)\s*(?:'|\u2032|\u2019|\u2018|min\b|m\b)\s*)?"
    r"(?:(?P<sec>\d{1,2}(?:[.,]\d+)?)\s*(?:\"|\u2033|\u201d|''|sec\b|s\b)\s*)?"
)
_AFTER = rf"{_BODY}(?P<h2>[NSEW](?![a-z]))?"
_BEFORE = rf"(?P<h1>[NSEW](?![a-z]))?\s*{_BODY}"
_SEP = r"(?:\s*[,;/]\s*|\s+)"
_ONE = re.compile(rf"^\s*(?:{_BEFORE.replace('(?P<', '(?P<l_')}|{_AFTER})\s*$")
_TWO = tuple(
    re.compile(rf"^\s*{one.replace('(?P<', '(?P<a_')}{_SEP}{one.replace('(?P<', '(?P<b_')}\s*$")
    for one in (_AFTER, _BEFORE)
)
_GOOGLE_AT = re.compile(r"@([-+]?\d{1,3}(?:\.\d+)?),([-+]?\d{1,3}(?:\.\d+)?)")
_OSM_HASH = re.compile(r"map=\d+(?:\.\d+)?/([-+]?\d{1,3}(?:\.\d+)?)/([-+]?\d{1,3}(?:\.\d+)?)")
_URL_PAIR_KEYS = ("q", "ll", "query", "center", "daddr", "sll", "destination")
_WKT_POINT = re.compile(
    r"^(?:SRID=\d+;)?\s*POINT\s*Z?\s*\(\s*([-+]?\d{1,3}(?:\.\d+)?)\s+([-+]?\d{1,3}(?:\.\d+)?)"
    r"(?:\s+[-+]?\d+(?:\.\d+)?)?\s*\)$",
    re.I,
)
_LOOKS_NUMERIC = re.compile(rf"^\s*{_SIGN}\d")
_NUMBERS = re.compile(  # three numbers or more: a point and its altitude, or a mistake
    rf"^[(\[]?\s*{_DECIMAL}{_SEP}{_DECIMAL}(?:{_SEP}{_SIGN}\d+(?:\.\d+)?)+\s*[)\]]?$"
)


def parse_one(value: Any, axis: Axis) -> float | None:
    """One latitude or longitude in degrees; None if ``value`` is empty or not a coordinate."""
    value = unwrap(value)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidCoordinates(f"{_name(axis)} {_show(value)} is not a number")
    if isinstance(value, str):
        match = _ONE.match(value)
        if match is None:
            raise InvalidCoordinates(f"{_name(axis)} {_show(value)} is not a number")
        number, hemisphere = _degrees(match, "")
        if hemisphere is not None and hemisphere != axis:
            raise InvalidCoordinates(f"{_name(axis)} {_show(value)} names the other axis")
        return parse_coordinate(number, axis)
    return parse_coordinate(value, axis)


def parse_pair(value: Any, *, lon_first: bool = False) -> tuple[float, float] | None:
    """A (lat, lon) point written in one value, or None if ``value`` holds no coordinates."""
    while isinstance(value, list | tuple) and len(value) == 1 and not _numeric(value[0]):
        value = value[0]
    if isinstance(value, str):
        return _pair_text(value, lon_first)
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        return _pair_list(list(value), lon_first)
    return None


def unwrap(value: Any) -> Any:
    """A one-item list's item (WordPress→Jekyll exporters write every meta value so)."""
    while isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    return value


def check_point(lat: float, lon: float) -> tuple[float, float]:
    """The point itself, unless it is the (0, 0) placeholder some tools write."""
    if lat == 0.0 and lon == 0.0:
        raise InvalidCoordinates("0, 0 is a placeholder, not a place")
    return lat, lon


def _pair_list(items: list[Any], lon_first: bool) -> tuple[float, float] | None:
    if not items or any(isinstance(i, Mapping | list | tuple) for i in items):
        return None
    numeric = [i for i in items if _numeric(i)]
    if not numeric:
        return None
    if len(numeric) < len(items):
        raise InvalidCoordinates(f"{_show(items)} mixes numbers and words")
    if len(items) == 1:
        raise InvalidCoordinates(f"{_show(items)} has one coordinate of two")
    if len(items) > 2 and not lon_first:  # GeoJSON's third value is an altitude
        raise InvalidCoordinates(f"{_show(items)} has {len(items)} values, not (lat, lon)")
    first, second = (_number(i) for i in items[:2])
    return _ordered(first, second, lon_first)


def _pair_text(text: str, lon_first: bool) -> tuple[float, float] | None:
    text = text.strip()
    if not text or len(text) > 2000:
        return None
    if "://" in text or text.startswith(("geo:", "www.")):
        return _pair_url(text)
    wkt = _WKT_POINT.match(text)
    if wkt:  # Well-Known Text: longitude first, always
        return _checked(_number(wkt[2]), _number(wkt[1]))
    match = _PLAIN_PAIR.match(text) or _COMMA_PAIR.match(text)
    if match:
        first, second = (_number(part) for part in match.groups())
        return _ordered(first, second, lon_first)
    match = _TWO[0].match(text) or _TWO[1].match(text)
    if match is None:
        if _ONE.match(text) and _LOOKS_NUMERIC.match(text):
            raise InvalidCoordinates(f"{_show(text)} has one coordinate of two")
        if _NUMBERS.match(text):  # "48.85,2.35,35": read as the list it writes
            return _pair_list(re.split(r"\s*[,;/]\s*|\s+", text.strip("()[] ")), lon_first)
        return None
    (a, axis_a), (b, axis_b) = _degrees(match, "a_"), _degrees(match, "b_")
    if axis_a is None and axis_b is None:
        return _ordered(a, b, lon_first)
    if axis_a == axis_b:
        raise InvalidCoordinates(f"{_show(text)} gives two values of one axis")
    if axis_a == "lat" or axis_b == "lon":
        return _checked(a, b)
    return _checked(b, a)


def _pair_url(text: str) -> tuple[float, float] | None:
    """A point in a map link: ``geo:lat,lon``, Google's ``@lat,lng`` or ``q=lat,lng``, OSM's
    ``mlat``/``mlon`` or ``#map=zoom/lat/lon``."""
    if text.startswith("geo:"):
        return _pair_text(text[4:].split(";")[0].split("?")[0], False)
    parts = urlsplit(text)
    query = parse_qs(parts.query)
    if "mlat" in query and "mlon" in query:
        return _checked(_number(query["mlat"][0]), _number(query["mlon"][0]))
    for key in _URL_PAIR_KEYS:
        for candidate in query.get(key, ()):
            match = _PLAIN_PAIR.match(unquote(candidate))
            if match:
                return _checked(*(_number(part) for part in match.groups()))
    for pattern in (_GOOGLE_AT, _OSM_HASH):
        found = pattern.search(unquote(text))
        if found:
            return _checked(_number(found[1]), _number(found[2]))
    return None


def _ordered(first: float, second: float, lon_first: bool) -> tuple[float, float]:
    """(lat, lon) from two numbers in the order given, unless one is clearly a longitude."""
    lat, lon = (second, first) if lon_first else (first, second)
    if abs(lat) > 90 >= abs(lon):  # a latitude never exceeds 90: the order is the other one
        lat, lon = lon, lat
    return _checked(lat, lon)


def _checked(lat: float, lon: float) -> tuple[float, float]:
    return check_point(parse_coordinate(lat, "lat"), parse_coordinate(lon, "lon"))


def _degrees(match: re.Match[str], prefix: str) -> tuple[float, Axis | None]:
    """Signed decimal degrees of one matched coordinate, and the axis its letter names."""
    groups = match.groupdict()
    if prefix == "" and groups.get("l_deg") is not None:
        prefix = "l_"
    letters = {(groups.get(f"{prefix}{h}") or "").upper() for h in ("h1", "h2")} - {""}
    if len(letters) > 1:
        raise InvalidCoordinates(f"{_show(match.string)} has two hemisphere letters")
    degrees = _float(groups[f"{prefix}deg"])
    minutes = _float(groups[f"{prefix}min"] or "0")
    seconds = _float(groups[f"{prefix}sec"] or "0")
    if minutes >= 60 or seconds >= 60 or ((minutes or seconds) and degrees != int(degrees)):
        raise InvalidCoordinates(f"{_show(match.string)} is not degrees, minutes and seconds")
    value = abs(degrees) + minutes / 60 + seconds / 3600
    negative = groups[f"{prefix}deg"].lstrip()[:1] in ("-", "\u2212")
    letter = letters.pop() if letters else ""
    if letter in ("S", "W"):
        negative = True
    axis: Axis | None = "lat" if letter in ("N", "S") else "lon" if letter in ("E", "W") else None
    return (-value if negative else value), axis


def _numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return (
        isinstance(value, str)
        and _ONE.match(value) is not None
        and bool(_LOOKS_NUMERIC.match(value.lstrip("NSEW ")))
    )


def _number(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = _ONE.match(str(value))
    if match is None:
        raise InvalidCoordinates(f"{_show(value)} is not a number")
    return _degrees(match, "")[0]


def _float(text: str) -> float:
    """A matched number: decimal comma or point, ASCII or typographic minus."""
    return float(text.strip().replace("\u2212", "-").replace(",", "."))


def _name(axis: Axis) -> str:
    return "latitude" if axis == "lat" else "longitude"


def _show(value: Any) -> str:
    """A value for a message, cut short: front matter may hold anything, of any size."""
    text = repr(value) if not isinstance(value, list | tuple) else repr(list(value)[:4])
    return text if len(text) <= 60 else text[:57] + "…"
