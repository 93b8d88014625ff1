"""The visible points of a small index in plain Python: every query measures every point.

Most blogs have a few hundred located posts: measuring each of them exactly (a microsecond a
point) answers a query faster than a command can import numpy (about 40 % of a ``blogsearch
near LAT LON`` process), so :class:`~searcher.search.geosearch.GeoIndex` uses this table up to
:data:`~searcher.search.geosearch.SMALL_TABLE` points and the cell table of
:mod:`searcher.search.geocells` above it. Both answer alike, to the last bit: the exact
haversine here (:func:`measured`) is the very arithmetic of ``geo.haversine_km`` on the stored
1e-7 degrees, and ties (distances within :data:`TIE_KM`) are ordered by path alike
(:func:`order_by_distance`).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from searcher.geo import EARTH_RADIUS_KM, BBox
from searcher.indexing import schema

Allowed = Callable[[int], bool] | None
Path = Callable[[int], str]

TIE_KM = 1e-9  # distances this close are equal: the path decides
TWO_R = 2 * EARTH_RADIUS_KM
_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
_MAX_LAT_E7, _MAX_LON_E7 = 900_000_000, 1_800_000_000  # beyond: no point (the column default)
# A row: (docnum, latitude and longitude in stored degrees, latitude in radians, its cosine).
_Row = tuple[int, float, float, float, float]


def order_by_distance(found: list[tuple[float, int]], path: Path) -> None:
    """Sort (distance, docnum) pairs in place by distance, a run of ties (within TIE_KM of
    the run's first distance) by path."""
    found.sort()
    if not any(found[i][0] - found[i - 1][0] <= TIE_KM for i in range(1, len(found))):
        return  # no two within TIE_KM: no run to reorder (most answers)
    start = 0
    while start < len(found):
        end = start + 1
        while end < len(found) and found[end][0] - found[start][0] <= TIE_KM:
            end += 1
        if end - start > 1:
            found[start:end] = sorted(found[start:end], key=lambda item: path(item[1]))
        start = end


class PlainPoints:
    """The visible points of one reader generation as a list of rows (a post with several
    places has a row for each), and the queries of :class:`~searcher.search.geosearch.GeoIndex`
    over them by measuring every row."""

    def __init__(self, rows: list[_Row]) -> None:
        self.rows = rows
        self._by_doc: dict[int, list[_Row]] = {}
        for row in rows:
            self._by_doc.setdefault(row[0], []).append(row)
        self.located_docs = len(self._by_doc)
        self.last_candidates = 0

    def nearest(
        self, lat: float, lon: float, k: int, limit: float, allowed: Allowed, path: Path
    ) -> list[tuple[float, int]]:
        """The k nearest allowed docs within ``limit`` km, nearest first, ties by path."""
        return k_nearest(self._measured(lat, lon, allowed), k, limit, path)

    def within_radius(
        self, lat: float, lon: float, radius_km: float, allowed: Allowed, path: Path
    ) -> list[tuple[float, int]]:
        """Every allowed doc within ``radius_km``, nearest first, ties by path."""
        found = [item for item in self._measured(lat, lon, allowed) if item[0] <= radius_km]
        order_by_distance(found, path)
        return found

    def points(self, box: BBox, allowed: Allowed) -> Iterator[tuple[int, float, float]]:
        """(docnum, lat, lon) of every allowed doc's every point (the box's and the rest)."""
        self.last_candidates = 0
        for doc, lat, lon, _, _ in self.rows:
            if allowed is None or allowed(doc):
                self.last_candidates += 1
                yield doc, lat, lon

    def distance_km(self, docnum: int, lat: float, lon: float) -> float | None:
        """The distance from the doc's nearest point, None if it has none this audience sees."""
        rows = self._by_doc.get(docnum, [])
        self.last_candidates = len(rows)
        located = ((doc, phi, cos_phi, lon2) for doc, _, lon2, phi, cos_phi in rows)
        found = measured(lat, lon, located, None)
        return min(found)[0] if found else None

    def count(self) -> int:
        """How many located docs this audience sees."""
        return self.located_docs

    def _measured(self, lat: float, lon: float, allowed: Allowed) -> list[tuple[float, int]]:
        """(km, docnum) of every allowed doc, at its nearest point."""
        self.last_candidates = len(self.rows)
        located = ((doc, phi, cos_phi, lon2) for doc, _, lon2, phi, cos_phi in self.rows)
        return measure(lat, lon, located, allowed)


def measured(
    lat: float,
    lon: float,
    located: Iterable[tuple[int, float, float, float]],
    allowed: Allowed,
    most: float = math.inf,
) -> list[tuple[float, int]]:
    """(km, docnum) of each allowed point of ``located`` (docnum, latitude in radians, its
    cosine, longitude in degrees), by the very arithmetic of ``geo.haversine_km`` (libm's
    functions, not numpy's: they may differ in an ulp); only those whose haversine term is at
    most ``most`` (the rest cost no arcsine)."""
    p1 = math.radians(lat)
    cos_p1 = math.cos(p1)
    sin, asin, radians, sqrt = math.sin, math.asin, math.radians, math.sqrt
    found = []
    for doc, phi, cos_phi, lon2 in located:
        if allowed is None or allowed(doc):
            h = sin((phi - p1) / 2) ** 2
            h += cos_p1 * cos_phi * sin(radians(lon2 - lon) / 2) ** 2
            if h <= most:
                found.append((TWO_R * asin(sqrt(h if h < 1.0 else 1.0)), doc))  # min(1.0, h)
    return found


def measure(
    lat: float,
    lon: float,
    located: Iterable[tuple[int, float, float, float]],
    allowed: Allowed,
    most: float = math.inf,
) -> list[tuple[float, int]]:
    """(km, docnum) of each allowed doc of ``located``, at its nearest point (:func:`measured`)."""
    nearest: dict[int, float] = {}
    for km, doc in measured(lat, lon, located, allowed, most):
        if km < nearest.get(doc, math.inf):
            nearest[doc] = km
    return [(km, doc) for doc, km in nearest.items()]


def k_nearest(
    found: list[tuple[float, int]], k: int, limit: float, path: Path
) -> list[tuple[float, int]]:
    """The k nearest of (km, docnum) pairs within ``limit``, nearest first, ties by path."""
    found = sorted(found)
    end = bisect_right(found, (limit, math.inf))
    if end > k:  # the k-th and its ties
        end = bisect_right(found, (found[k - 1][0] + TIE_KM, math.inf), k, end)
    found = found[:end]
    order_by_distance(found, path)
    return found[:k]


def load(reader: Any, fields: tuple[str, ...], most: int) -> PlainPoints | None:
    """The points of every live doc with a term in ``fields``, or None where the cells say
    there are more than ``most`` located docs (the cell table is then faster)."""
    cells = [(field, cell) for field in fields for cell in _BASE32]
    leaves = list(reader.leaf_readers())
    if sum(leaf.doc_frequency(f, c) for leaf, _ in leaves for f, c in cells) > most:
        return None
    shift = int(reader.schema[schema.LAT].to_column_value(0))
    rows: list[_Row] = []
    for leaf, base in leaves:
        found: set[int] = set()
        for field, cell in cells:
            if leaf.doc_frequency(field, cell):  # the precision-1 cells hold each doc once
                found.update(leaf.postings(field, cell).all_ids())
        if found:
            rows += _rows(leaf, base, sorted(found), shift)
    return PlainPoints(rows)


def _rows(leaf: Any, base: int, docs: list[int], shift: int) -> Iterable[_Row]:
    """One segment's rows of ``docs``: a post's point from the lat/lon columns, a post with
    several places (``schema.MULTI``) one row per point of its ``schema.POINTS``."""
    several: set[int] = set()
    if schema.MULTI in leaf.schema and leaf.doc_frequency(schema.MULTI, "1"):
        several = set(leaf.postings(schema.MULTI, "1").all_ids())
    lats = leaf.column_reader(schema.LAT, translate=False)
    lons = leaf.column_reader(schema.LON, translate=False)
    packed = leaf.column_reader(schema.POINTS) if several else None
    for doc in docs:
        if packed is not None and doc in several:
            value = packed[doc]
            points = schema.unpack_points(bytes(value) if value else b"")
        else:
            points = [(lats[doc] - shift, lons[doc] - shift)]
        for lat_e7, lon_e7 in points:
            if abs(lat_e7) <= _MAX_LAT_E7 and abs(lon_e7) <= _MAX_LON_E7:
                yield _row(doc + base, lat_e7, lon_e7)


def _row(doc: int, lat_e7: int, lon_e7: int) -> _Row:
    lat, lon = lat_e7 / 1e7, lon_e7 / 1e7
    phi = math.radians(lat)  # bit for bit the cell table's lat * (pi / 180)
    return doc, lat, lon, phi, math.cos(phi)
