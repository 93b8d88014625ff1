"""Every place a post names: coordinates anywhere in its front matter, the geo microformat in
its body, and place names resolved offline with the gazetteer.

The front matter is walked whole (maps, lists, one-item lists, WordPress ``postmeta`` and
``meta:`` lists of one-key maps). Coordinate keys are recognised by family: a key ending in
``lat``/``latitude`` pairs with the key of the same prefix ending in ``lon``/``lng``/``long``/
``longitude`` (``geo_latitude`` + ``geo_longitude``, ``position_lat`` + ``position_lon``,
``start_lat`` + ``start_lng``), and keys such as ``geo``, ``coords``, ``gps``, ``map`` or
``location`` may hold a whole point in one value (see :mod:`searcher.geo.coords`). Only when no
coordinates are written are names (``location``, ``place``, ``city`` + ``country``,
``locations: [...]``) geocoded. Privacy fails closed: any ``geo_public``-like value that is
not clearly "public" makes every place of the post private.
"""

from __future__ import annotations

import functools
import json
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from searcher.errors import InvalidCoordinates
from searcher.geo import coords
from searcher.ingest import microformat, phpvalues, placekeys
from searcher.ingest.placekeys import Scope
from searcher.models import IngestWarning, Location

FRONT_MATTER = "front-matter"
BODY = "body"
GEOCODED = "geocoded"
MAX_PLACES = 50  # a post's places kept (a GPS track in front matter is sampled down to this)

_MAX_DEPTH = 8
_MAX_NODES = 5_000  # maps and lists visited per post: bounded work whatever the front matter
_PUBLIC_KEYS = frozenset({"geo_public", "location_public", "public_location", "public"})
_PRIVATE_KEYS = frozenset(
    "private geo_private location_private private_location hide_location hide_geo hidden "
    "geo_hidden location_hidden".split()
)  # a flag that says "private" when true: the post's, or its place's own
_VISIBILITY = "visibility"  # visibility, geo_visibility: only "public" is public
_BARE_FLAGS = frozenset({"private", "hidden", _VISIBILITY})  # the post's or a place's only
_CLEARLY_ON = frozenset({"1", "true", "yes", "y", "on"})
_CLEARLY_OFF = frozenset({"0", "false", "no", "n", "off"})
# the last words of the keys that may hold coordinates; a key holding one anywhere makes a
# mapping one that holds a point (its own privacy flags count)
_WORDS = placekeys.LAT_WORDS | placekeys.LON_WORDS | placekeys.PAIR_WORDS
_COORDINATE_WORD = re.compile("|".join(sorted(_WORDS, key=len, reverse=True)))
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")  # GPSLatitude too
_SEPARATORS = re.compile(r"[\s.\-]+")
_HEMISPHERES = {
    word: word[0].upper() for word in ("n", "s", "e", "w", "north", "south", "east", "west")
}


@dataclass
class _Found:
    places: list[Location] = field(default_factory=list)
    warnings: list[IngestWarning] = field(default_factory=list)
    unsure: list[int] = field(default_factory=list)  # places read longitude first on a hint

    def warn(self, reason: str, message: str) -> None:
        if len(self.warnings) < 20:
            self.warnings.append(IngestWarning(reason, message))


def find_places(
    data: Mapping[str, Any], body: str = "", *, geocode: bool = True
) -> tuple[tuple[Location, ...], list[IngestWarning]]:
    """Every place of a post, and warnings about values that could not be used."""
    scopes = _scopes(data)
    found = _Found()
    public = _public(scopes, found)
    for scope in scopes:
        _points(scope, found)
    _settle_order(found, scopes)
    for lat, lon in microformat.points(body, found.warn):
        found.places.append(Location(lat, lon, source=BODY))
    if not found.places:
        names = placekeys.names(scopes)
        if geocode:
            _geocode(names, found)
        elif names:
            found.places.append(Location(None, None, address=names[0]))
    elif len(found.places) == 1 and found.places[0].address is None:
        names = placekeys.names(scopes)
        if names:
            found.places[0] = replace(found.places[0], address=names[0])
    places = _distinct(found.places, found)
    if not public:
        places = [replace(place, public=False) for place in places]
    return tuple(places), found.warnings


def find_location(data: Mapping[str, Any]) -> tuple[Location | None, list[IngestWarning]]:
    """The first place of :func:`find_places`, without geocoding (as older versions read)."""
    places, warnings = find_places(data, geocode=False)
    return (places[0] if places else None), warnings


# --- walking the front matter -------------------------------------------------------------


def _scopes(data: Mapping[str, Any]) -> list[Scope]:
    """Every mapping of the front matter, outermost first; each object is visited once, so
    YAML aliases cost nothing more, and at most :data:`_MAX_NODES` of them."""
    scopes: list[Scope] = []
    seen: set[int] = set()
    pending: deque[tuple[Any, int, str]] = deque([(data, 0, "")])
    while pending and len(seen) < _MAX_NODES:
        value, depth, parent = pending.popleft()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, Mapping):
            groups: list[list[tuple[Any, Any]]] = [list(value.items())]
        else:
            groups = _key_value_groups(value)
            if not groups:
                pending.extend((item, depth + 1, parent) for item in value[:_MAX_NODES]
                               if isinstance(item, Mapping | list | tuple))  # fmt: skip
                continue
        for items in groups:
            scope = Scope(depth, {_key(k): _unserialised(v) for k, v in items}, parent)
            scopes.append(scope)
            if depth < _MAX_DEPTH:
                pending.extend((v, depth + 1, k) for k, v in scope.items.items()
                               if isinstance(v, Mapping | list | tuple))  # fmt: skip
    return scopes


def _key_value_groups(items: list[Any] | tuple[Any, ...]) -> list[list[tuple[Any, Any]]]:
    """A list of one-key maps (``- geo_latitude: "50.9"``) or of WordPress postmeta records
    (``- key: geo_latitude`` + ``value: …``) as mappings: a repeated key starts a new one."""
    if not items or not all(isinstance(item, Mapping) for item in items):
        return []
    pairs: list[tuple[Any, Any]] = []
    for item in items:
        key = item.get("key", item.get("meta_key"))
        if isinstance(key, str) and len(item) <= 3:
            pairs.append((key, item.get("value", item.get("meta_value"))))
        elif len(item) == 1:
            pairs.append(next(iter(item.items())))
        else:
            return []
    groups: list[list[tuple[Any, Any]]] = [[]]
    for key, value in pairs:
        if any(_key(key) == _key(k) for k, _ in groups[-1]):
            groups.append([])
        groups[-1].append((key, value))
    return groups


def _unserialised(value: Any) -> Any:
    """A PHP-serialised array or a JSON object in a string (WordPress meta copied by
    exporters: a map field's place) as the maps and lists it holds; others as they are."""
    if isinstance(value, str) and value.startswith("a:"):
        decoded = phpvalues.loads(value)
        if decoded is not None:
            return decoded
    if isinstance(value, str) and value[:1] == "{" and value[-1:] == "}" and len(value) < 20_000:
        try:  # JSON written into a string (a plugin's or an exporter's map field)
            found = json.loads(value)
        except (ValueError, RecursionError):
            return value
        return found if isinstance(found, dict) else value
    return value


def _key(key: Any) -> str:
    """``geoLatitude``, ``Geo-Latitude``, ``geo.latitude`` → ``geo_latitude``; exiftool's
    ``GPSLatitude`` → ``gps_latitude``."""
    return _normal_key(str(key))


@functools.lru_cache(maxsize=4096)  # the same few hundred keys, post after post
def _normal_key(text: str) -> str:
    if not text.isupper():
        text = _CAMEL.sub("_", text)
    return _SEPARATORS.sub("_", text.strip().lower())


# --- coordinates --------------------------------------------------------------------------


def _points(scope: Scope, found: _Found) -> None:
    """The points one mapping writes, by key family, labelled with its own place name."""
    if not any(key.rpartition("_")[2] in _WORDS for key in scope.items):
        return  # what follows reads only keys whose last word is one of _WORDS
    label = placekeys.label(scope)
    lats, lons = _axis_keys(scope, placekeys.LAT_WORDS), _axis_keys(scope, placekeys.LON_WORDS)
    if len(lats) == len(lons) == 1 and lats.keys() != lons.keys():
        lons = {next(iter(lats)): next(iter(lons.values()))}  # the only two: a pair
    for prefix, lat_value in lats.items():
        if prefix in lons:
            _add(found, label, _axes, lat_value, lons[prefix])
        elif _a_number(lat_value, "lat"):
            found.warn("bad-coordinates", f"latitude {_show(lat_value)} has no longitude")
    for prefix, lon_value in lons.items():
        if prefix not in lats and _a_number(lon_value, "lon"):
            found.warn("bad-coordinates", f"longitude {_show(lon_value)} has no latitude")
    names = placekeys.name_list(scope)
    for key, value in scope.items.items():
        words = key.split("_")
        both = _both_axes(words)
        pair_key = key in placekeys.PAIR_WORDS or words[-1] in placekeys.PAIR_WORDS
        if not pair_key and both is None:
            continue
        if isinstance(value, Mapping) or value is None:
            continue
        hinted = bool(placekeys.LON_FIRST_WORDS.intersection(words)) or _is_geojson(scope)
        lon_first = both if both is not None else hinted
        before = len(found.places)
        series = _series(value, lon_first)
        if series is not None:
            for i, point in enumerate(series):
                name = names[i] if len(names) == len(series) else label
                _add(found, name, lambda p: p, point)
            if hinted and both is None and not _is_geojson(scope):
                found.unsure.extend(range(before, len(found.places)))
            continue
        _add(found, label, _pair, value, lon_first, name_key=key in placekeys.NAME_KEYS)
        if hinted and both is None and not _is_geojson(scope):  # a hint: a name may overrule it
            found.unsure.extend(range(before, len(found.places)))


def _axis_keys(scope: Scope, words: frozenset[str]) -> dict[str, Any]:
    """Keys of one axis by prefix: ``{"geo": …}`` for ``geo_latitude``, ``{"": …}`` for ``lat``."""
    found = {}
    for key, value in scope.items.items():
        parts = key.split("_")
        if parts[-1] in words and not isinstance(value, Mapping) and _both_axes(parts) is None:
            found["_".join(parts[:-1])] = _with_ref(scope, key, value)
    return found


def _with_ref(scope: Scope, key: str, value: Any) -> Any:
    """An EXIF-style unsigned coordinate with the hemisphere its ``…_ref`` key gives
    (``GPSLatitude: 33.86`` + ``GPSLatitudeRef: S``) as one value: ``"33.86 S"``."""
    ref = coords.unwrap(scope.items.get(key + "_ref"))
    letter = _HEMISPHERES.get(ref.strip().lower()) if isinstance(ref, str) else None
    value = coords.unwrap(value)
    if letter is None or isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    text = str(value).strip()
    return value if not text or text[-1:].isalpha() else f"{text} {letter}"


def _both_axes(words: list[str]) -> bool | None:
    """Whether a key names both axes (``lat_lng``: False, ``lng_lat``: True, longitude
    first), or None when it does not."""
    if len(words) < 2:
        return None
    first, last = words[-2], words[-1]
    if first in placekeys.LAT_WORDS and last in placekeys.LON_WORDS:
        return False
    if first in placekeys.LON_WORDS and last in placekeys.LAT_WORDS:
        return True
    return None


def _a_number(value: Any, axis: coords.Axis) -> bool:
    """Whether a lone coordinate key holds a usable number (worth a warning when unpaired)."""
    try:
        return coords.parse_one(value, axis) is not None
    except InvalidCoordinates:
        return False


def _axes(lat: Any, lon: Any) -> tuple[float, float] | None:
    lat_deg, lon_deg = coords.parse_one(lat, "lat"), coords.parse_one(lon, "lon")
    if lat_deg is None and lon_deg is None:
        return None  # both left empty: no place, nothing wrong
    if lat_deg is None or lon_deg is None:
        raise InvalidCoordinates(f"{_show(lat)}, {_show(lon)} has one coordinate of two")
    return coords.check_point(lat_deg, lon_deg)


def _pair(value: Any, lon_first: bool) -> tuple[float, float] | None:
    return coords.parse_pair(value, lon_first=lon_first)


def _series(value: Any, lon_first: bool) -> list[tuple[float, float]] | None:
    """Several points in one list (a trip, a track), or None if ``value`` is not such a list."""
    if not isinstance(value, list | tuple) or len(value) < 2:
        return None
    if not all(isinstance(item, str | list | tuple) for item in value):
        return None
    points = []
    for item in value:
        try:
            point = coords.parse_pair(item, lon_first=lon_first)
        except InvalidCoordinates:
            point = None
        if point is None:
            return None
        points.append(point)
    return points


def _add(found: _Found, label: str | None, parse: Any, *args: Any, name_key: bool = False) -> None:
    try:
        point = parse(*args)
    except InvalidCoordinates as exc:
        if not name_key or "one coordinate" not in str(exc):
            found.warn("bad-coordinates", f"coordinates dropped: {exc}")
        return
    if point is not None:
        found.places.append(Location(point[0], point[1], address=label, source=FRONT_MATTER))


def _settle_order(found: _Found, scopes: list[Scope]) -> None:
    """Points read longitude first only because of their key (``coordinates``) are turned
    round when the place the post names is near the other order and far from this one; with
    no place named, when only the other order lands near a town (Zola sites copy Google's
    "lat,lng" into ``coordinates``: Warsaw read as a point in the Arabian desert)."""
    if not found.unsure:
        return
    from searcher.geo import gazetteer, haversine_km

    for i in found.unsure:
        place = found.places[i]
        lat, lon = place.lat, place.lon
        if lat is None or lon is None or abs(lon) > 90:
            continue
        names = [place.address] if place.address else placekeys.names(scopes)[:1]
        named = gazetteer.geocode(names[0]) if names else None
        if named is None:
            if not gazetteer.populated(lat, lon) and gazetteer.populated(lon, lat):
                found.places[i] = replace(place, lat=lon, lon=lat)
            continue
        as_read = haversine_km(lat, lon, named.lat, named.lon)
        turned = haversine_km(lon, lat, named.lat, named.lon)
        if turned < 500 < as_read:
            found.places[i] = replace(place, lat=lon, lon=lat)


def _is_geojson(scope: Scope) -> bool:
    kind = scope.items.get("type")
    return isinstance(kind, str) and kind.lower() in ("point", "multipoint", "linestring")


def _geocode(names: list[str], found: _Found) -> None:
    """Points for the names, from the offline gazetteer; a warning for each name not found,
    unless another of the post's names was."""
    from searcher.geo import gazetteer

    missed = []
    for name in names:
        place = None if placekeys.generic(name) else gazetteer.geocode(name)
        if place is None:
            missed.append(name)
            continue
        found.places.append(
            Location(place.lat, place.lon, address=name, source=GEOCODED, geocoded=place.label)
        )
    if missed and not found.places:
        for name in missed[:3]:
            found.warn("place-not-found", f"no place called {name!r} in the gazetteer")
        found.places.append(Location(None, None, address=missed[0]))


# --- privacy and the result ---------------------------------------------------------------


def _public(scopes: list[Scope], found: _Found) -> bool:
    """Whether every privacy flag of the post says "public"; one that does not, or that is not
    clearly either, makes the post's places private (with a warning for an unclear one)."""
    public = True
    for scope in scopes:
        own = scope.depth == 0 or placekeys.is_place_scope(scope) or _holds_point(scope)
        for key, value in scope.items.items():
            if key in _BARE_FLAGS and not own:
                continue  # "private" of the comments, a sidebar's "visibility"
            inverted = key in _PRIVATE_KEYS
            if key == _VISIBILITY or key.endswith("_" + _VISIBILITY):
                flag = _visible(coords.unwrap(value))
            elif inverted or key in _PUBLIC_KEYS:
                flag = _flag(coords.unwrap(value))
            else:
                continue
            if flag is None:
                unclear = f"{key} {_show(value)} is not clearly public: places kept private"
                found.warn("private-location", unclear)
            public = public and flag is (not inverted)
    return public


def _holds_point(scope: Scope) -> bool:
    return any(_COORDINATE_WORD.search(key) for key in scope.items)


def _visible(value: Any) -> bool | None:
    """A ``visibility`` value: public, clearly not (private, hidden, friends…), or unclear."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().lower()
    return True if text == "public" else False if text.isalpha() else None


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return True if value == 1 else False if value == 0 else None
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _CLEARLY_ON or text == "public":
            return True
        if text in _CLEARLY_OFF or text == "private":
            return False
    return None


def _distinct(places: list[Location], found: _Found) -> list[Location]:
    """Places without repeats (the same point written twice), at most :data:`MAX_PLACES`."""
    kept: dict[tuple[float, float] | str, Location] = {}
    for place in places:
        key: tuple[float, float] | str = place.address or ""
        if place.lat is not None and place.lon is not None:
            key = (round(place.lat, 5), round(place.lon, 5))
        if key not in kept:
            kept[key] = place
        elif kept[key].address is None and place.address:
            kept[key] = replace(kept[key], address=place.address)
    distinct = list(kept.values())
    if len(distinct) > MAX_PLACES:
        found.warn("many-places", f"{len(distinct)} places: {MAX_PLACES} kept, evenly spaced")
        step = (len(distinct) - 1) / (MAX_PLACES - 1)
        distinct = [distinct[round(i * step)] for i in range(MAX_PLACES)]
    return distinct


def _show(value: Any) -> str:
    text = repr(coords.unwrap(value))
    return text if len(text) <= 60 else text[:57] + "…"
