"""What the keys of front matter mean for places: the coordinate and place-name vocabularies,
and the names a mapping gives (``location: Berlin``, ``city`` + ``country``, ``locations:``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from searcher.errors import InvalidCoordinates
from searcher.geo import coords
from searcher.ingest import fields

PAIR_WORDS = frozenset(
    "geo coords coord coordinate coordinates gps latlng latlon latlong lnglat lonlat longlat "
    "location position point map maps gmap geopoint geolocation geotag center centre place "
    "where loc pos geometry marker markers waypoint waypoints route track stops pin pins".split()
)
LAT_WORDS = frozenset({"lat", "latitude"})
LON_WORDS = frozenset({"lon", "lng", "long", "longitude"})
LON_FIRST_WORDS = frozenset({"coordinates", "geometry", "lnglat", "lonlat", "longlat"})
NAME_KEYS = (
    "geo_address", "location", "place", "location_name", "place_name", "placename", "where",
    "locality", "address", "destination",
)  # fmt: skip
NAME_LIST_KEYS = frozenset({"locations", "places", "cities", "destinations"})
_ROUTE = re.compile(r"\s*(?:-+>|=+>|[\u2013\u2014]>|[\u2192\u21d2\u27f6\u2794\u279c])\s*")
# "Lisbon -> Porto", "Lisbon → Porto": a trip's stops, each one place
_UNSET = re.compile(r"\s*\((?:null|undefined|none)\)|,\s*(?:null|undefined)\s*(?=,|$)", re.I)
# an exporter's empty field: Blogger's geo_address "Washington Metro (null)"
_CITY_KEYS = ("city", "town", "village")
_REGION_KEYS = ("state", "region", "province")
_COUNTRY_KEYS = ("country", "country_name")
PLACE_PART_KEYS = frozenset((*_CITY_KEYS, *_REGION_KEYS, *_COUNTRY_KEYS))
_NOT_PLACES = frozenset(
    "home online remote virtual internet web everywhere anywhere nowhere n/a na none null "
    "unknown tbd tba various earth world somewhere".split()
)


# words that name a kind of place, not one: alone, they are never geocoded (the gazetteer's
# alternate names hold airport codes such as BUS or SEA, and translations such as Ísland)
_GENERIC = frozenset(
    "airport university college campus school station hotel hostel office downtown uptown "
    "midtown city centre center hospital church temple park harbor harbour port bridge lake "
    "river island islands forest village town home house studio lab factory stadium museum "
    "market mall shop store camp camping train bus plane car boat ship ferry road highway "
    "street square plaza castle palace beach coast sea ocean mountain mountains hills valley "
    "desert north south east west central work gym pool bar pub restaurant cafe kitchen "
    "garden terrace summit conference meetup festival airplane flight bed desk room".split()
)
_FILLERS = frozenset("the a an my our at in on to by of near train".split())


def generic(name: str) -> bool:
    """Whether a name only says what kind of place (``Airport``, ``The office``), with no
    hint after a comma that would make it one place (``Summit, NJ``)."""
    if "," in name or "(" in name:
        return False
    words = [w.strip(".!?'\"").casefold() for w in name.split()]
    kinds = [w for w in words if w not in _FILLERS]
    return bool(kinds) and all(w.rstrip("s") in _GENERIC or w in _GENERIC for w in kinds)


@dataclass
class Scope:
    """One mapping of the front matter: its keys normalised (``geoLatitude`` → ``geo_latitude``)."""

    depth: int
    items: dict[str, Any]
    parent: str = ""  # the key it was found under: its "name" is a place's if that is "location"


def label(scope: Scope) -> str | None:
    """The place name a mapping gives beside its coordinates."""
    for key in (*NAME_KEYS, *(("name", "title") if scope.depth else ())):
        found = place_name(scope.items.get(key))
        if found:
            return found
    return composed(scope)


def is_place_scope(scope: Scope) -> bool:
    """Whether a nested mapping describes a place (its ``name`` is then a place name)."""
    words = scope.parent.split("_")
    return scope.depth > 0 and bool(
        PAIR_WORDS.intersection(words) or NAME_LIST_KEYS.intersection(words)
    )


def names(scopes: list[Scope]) -> list[str]:
    """Every place name of the post, the most specific first, without repeats."""
    found: list[str] = []
    for scope in scopes:
        found.extend(name_list(scope))
    for scope in scopes:
        whole = composed(scope)
        if whole:
            found.append(whole)
        keys = (*NAME_KEYS, "name") if is_place_scope(scope) else NAME_KEYS
        found.extend(filter(None, (place_name(scope.items[k]) for k in keys if k in scope.items)))
    seen: dict[str, str] = {}
    for one in (stop for whole in found for stop in _ROUTE.split(whole)):
        if place_name(one):
            seen.setdefault(one.casefold(), one)
    return list(seen.values())


def name_list(scope: Scope) -> list[str]:
    """The names of a list of places (``locations: [Berlin, Paris]``); a list key holding one
    name, alone or in a one-item list (``locations: "Albany, NY"``), names one place."""
    for key in (*sorted(NAME_LIST_KEYS & scope.items.keys()), *NAME_KEYS):
        value = scope.items.get(key)
        if isinstance(value, list | tuple) and len(value) > 1:
            found = [one for one in map(place_name, value) if one]
            if found:
                return found
        elif key in NAME_LIST_KEYS:
            one = place_name(value)
            if one:
                return [one]
    return []


def composed(scope: Scope) -> str | None:
    """``city`` + ``state`` + ``country`` as one name: "Portland, Oregon, US"."""
    if PLACE_PART_KEYS.isdisjoint(scope.items):
        return None
    parts = [_first_name(scope, keys) for keys in (_CITY_KEYS, _REGION_KEYS, _COUNTRY_KEYS)]
    if not parts[0] and not parts[2]:
        return None
    return ", ".join(part for part in parts if part)


def _first_name(scope: Scope, keys: tuple[str, ...]) -> str | None:
    for key in keys:
        found = place_name(scope.items.get(key))
        if found:
            return found
    return None


def place_name(value: Any) -> str | None:
    """A place name as written, or None for anything that is not one (numbers, URLs, paths)."""
    if value is None:
        return None
    value = coords.unwrap(value)
    if not isinstance(value, str):
        return None
    text = " ".join(_UNSET.sub("", fields.unescape(value)).split())
    if not 2 <= len(text) <= 120 or not any(c.isalpha() for c in text):
        return None
    if "://" in text or "@" in text or text.startswith(("/", "{", "[")) or "\n" in value.strip():
        return None
    if text.casefold() in _NOT_PLACES:
        return None
    try:
        if coords.parse_pair(text) is not None:
            return None
    except InvalidCoordinates:
        return None
    return text
