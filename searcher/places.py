"""Finding a post's location in front matter, however the exporter wrote it.

Recognised shapes, searched at the top level first and then in nested mappings (``meta``,
``extra``, ``params``, ``custom_fields``…) and WordPress ``postmeta`` key/value lists:
``geo_latitude``/``geo_longitude`` (+ ``geo_public``, ``geo_address``), ``geo: [lat, lon]``,
``location: {lat, lon}`` or ``location: "Toronto, CA"``, ``lat`` + ``lng``/``lon``,
``latitude`` + ``longitude``, GeoJSON ``coordinates: [lon, lat]`` and ``geometry``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from searcher.errors import InvalidCoordinates
from searcher.fields import truthy
from searcher.geo import parse_point
from searcher.models import IngestWarning, Location

_LAT_KEYS = ("geo_latitude", "latitude", "lat")
_LON_KEYS = ("geo_longitude", "longitude", "lng", "lon", "long")
_PAIR_KEYS = (
    "geo",
    "location",
    "coords",
    "coordinate",
    "position",
    "point",
    "latlng",
    "geo_location",
)
_ADDRESS_KEYS = ("geo_address", "address", "place", "location_name", "city")
_PUBLIC_KEYS = ("geo_public", "public", "location_public")
_MAX_DEPTH = 4


def find_location(data: Mapping[str, Any]) -> tuple[Location | None, list[IngestWarning]]:
    """The post's location (or ``None``) and warnings about coordinates that were dropped."""
    scopes = list(_scopes(data, 0))
    address = next(filter(None, map(_address, scopes)), None)
    public = all(truthy(s.get(k)) is not False for s in scopes for k in _PUBLIC_KEYS if k in s)
    warnings: list[IngestWarning] = []
    for scope in scopes:
        for raw in _candidates(scope):
            try:
                lat, lon = parse_point(*raw)
            except InvalidCoordinates as exc:
                warnings.append(IngestWarning("bad-coordinates", f"coordinates dropped: {exc}"))
                continue
            return Location(lat, lon, public, address), warnings
    if address:
        return Location(None, None, public, address), warnings
    return None, warnings


def _scopes(data: Mapping[Any, Any], depth: int) -> Iterator[dict[str, Any]]:
    """``data`` with lower-cased keys, then each nested mapping and postmeta list, depth first."""
    yield {str(k).lower(): v for k, v in data.items()}
    if depth >= _MAX_DEPTH:
        return
    for value in data.values():
        if isinstance(value, Mapping):
            yield from _scopes(value, depth + 1)
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            pairs = _postmeta(value)
            if pairs:
                yield from _scopes(pairs, depth + 1)


def _postmeta(items: list[Mapping[str, Any]]) -> dict[str, Any]:
    """``[{key: geo_latitude, value: '43.4'}, …]`` (WXR-style postmeta) as a mapping."""
    out: dict[str, Any] = {}
    for item in items:
        key = item.get("key", item.get("meta_key"))
        if isinstance(key, str):
            out[key] = item.get("value", item.get("meta_value"))
    return out


def _candidates(scope: Mapping[str, Any]) -> Iterator[tuple[Any, Any]]:
    """Raw (lat, lon) pairs that ``scope`` offers, most specific shapes first."""
    lat, lon = _first(scope, _LAT_KEYS), _first(scope, _LON_KEYS)
    if lat is not None and lon is not None:
        yield lat, lon
    for key in _PAIR_KEYS:
        value = scope.get(key)
        pair = _pair(value)
        if pair is not None:
            yield pair
    for key in ("coordinates", "geometry"):
        value = scope.get(key)
        if isinstance(value, Mapping):
            value = value.get("coordinates")
        if isinstance(value, list | tuple) and len(value) >= 2:
            yield value[1], value[0]  # GeoJSON order is [lon, lat]


def _pair(value: Any) -> tuple[Any, Any] | None:
    if isinstance(value, Mapping):
        lat, lon = _first(value, _LAT_KEYS), _first(value, _LON_KEYS)
        if lat is not None and lon is not None:
            return lat, lon
        coords = value.get("coordinates")
        if isinstance(coords, list | tuple) and len(coords) >= 2:
            return coords[1], coords[0]
        return None
    if isinstance(value, list | tuple) and len(value) == 2:
        return value[0], value[1]
    if isinstance(value, str) and value.count(",") == 1:
        left, right = value.split(",")
        if _looks_numeric(left) and _looks_numeric(right):
            return left, right
    return None


def _looks_numeric(text: str) -> bool:
    try:
        float(text.strip())
    except ValueError:
        return False
    return True


def _address(scope: Mapping[str, Any]) -> str | None:
    for key in _ADDRESS_KEYS:
        value = scope.get(key)
        if isinstance(value, str) and value.strip() and not _looks_numeric(value):
            return " ".join(value.split())
    location = scope.get("location")
    if isinstance(location, str) and location.strip() and _pair(location) is None:
        return " ".join(location.split())
    return None


def _first(scope: Mapping[Any, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = scope.get(key)
        if value is not None and value != "":
            return value
    return None
