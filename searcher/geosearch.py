"""Geographic search over one Whoosh reader: k-nearest, radius, box and shape queries.

Candidates come only from the geohash cell terms (``schema.CELL``, plus ``schema.CELL_PRIVATE``
for the owner); exact haversine distances are computed for candidates alone, and every cell
bound is a proven lower bound, so each answer equals a brute force over the visible points.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
import shapely

from searcher import schema
from searcher.errors import UsageError
from searcher.geo import (
    EARTH_RADIUS_KM,
    BBox,
    cells_covering_bbox,
    cells_covering_circle,
    geohash_encode,
    parse_coordinate,
    precision_for_bbox,
    precision_for_circle,
)

Allowed = Callable[[int], bool] | None

LEAF_DOCS = 32  # a cell holding at most this many docs is read rather than split
CACHED_POINTS = 100_000  # leaf cells' points kept between nearest() calls (~20 MB)
TIE_KM = 1e-9  # distances this close are equal: the path decides
_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
_TWO_R = 2 * EARTH_RADIUS_KM
_SLACK_REL, _SLACK_KM = 1e-9, 1e-3  # as in geo: keeps bounds below rounded haversines
_E7_DEG = 1e-7  # stored points are rounded to this, so one may sit just outside its own cell
_BOX_MARGIN_DEG = 10 * _E7_DEG

# A cell is (geohash, south, west, north, east); its split is its 32 children as
# (child, row, column) with the rows' (south, north, least cos latitude) and columns' (west, east).
_Cell = tuple[str, float, float, float, float]
_Split = tuple[
    list[tuple[_Cell, int, int]], list[tuple[float, float, float]], list[tuple[float, float]]
]
_WORLD: _Cell = ("", -90.0, -180.0, 90.0, 180.0)
# A located doc ready for haversine: (docnum, latitude in radians, its cosine, longitude).
_Located = tuple[int, float, float, float]


def _grid(parity: int) -> list[tuple[int, int]]:
    """(row, column) of each base32 child in its parent: a child's 5 bits alternate lon/lat,
    starting with lon when the parent's precision is even."""
    bits = [f"{i:05b}" for i in range(32)]
    return [(int(b[1 - parity :: 2], 2), int(b[parity::2], 2)) for b in bits]


_GRIDS = (_grid(0), _grid(1))


def split_cell(cell: _Cell) -> _Split:
    """The 32 children of a cell with their boxes (exact: sums of dyadic fractions)."""
    name, south, west, north, east = cell
    parity = len(name) % 2
    n_rows, n_columns = (8, 4) if parity else (4, 8)
    height, width = (north - south) / n_rows, (east - west) / n_columns
    rows = []
    for i in range(n_rows):
        s, n = south + i * height, south + (i + 1) * height
        rows.append((s, n, max(0.0, min(math.cos(math.radians(s)), math.cos(math.radians(n))))))
    columns = [(west + i * width, west + (i + 1) * width) for i in range(n_columns)]
    children = [
        ((name + char, rows[r][0], columns[c][0], rows[r][1], columns[c][1]), r, c)
        for char, (r, c) in zip(_BASE32, _GRIDS[parity], strict=True)
    ]
    return children, rows, columns


def child_bounds(lat: float, lon: float, split: _Split) -> list[tuple[float, _Cell]]:
    """A lower bound on the distance from (lat, lon) to any point of each child cell.

    haversine h = sin²(Δφ/2) + cos φ1 · cos φ2 · sin²(Δλ/2) is a sum of non-negative terms, so
    the sum of each term's minimum over a cell bounds it from below: the latitude gap, the
    least cos φ2 (at an edge: cos is concave on [-90°, 90°]) and the circular longitude gap.
    Rows and columns are computed once each; a child only adds them up.
    """
    children, rows, columns = split
    sin, radians = math.sin, math.radians
    cos_p1 = math.cos(radians(lat))
    lat_terms, weights = [], []
    for south, north, min_cos in rows:
        gap = south - lat if lat < south else lat - north if lat > north else 0.0
        lat_terms.append(sin(radians(gap) / 2) ** 2)
        weights.append(cos_p1 * min_cos)
    lon_terms = [
        0.0
        if west <= lon <= east
        else sin(radians(min((west - lon) % 360, (lon - east) % 360)) / 2) ** 2
        for west, east in columns
    ]
    asin, sqrt, shrink = math.asin, math.sqrt, 1 - _SLACK_REL
    bounds = []
    for child, r, c in children:
        h = lat_terms[r] + weights[r] * lon_terms[c]
        bounds.append((_TWO_R * asin(sqrt(h if h < 1.0 else 1.0)) * shrink - _SLACK_KM, child))
    return bounds


def order_by_distance(found: list[tuple[float, int]], path: Callable[[int], str]) -> None:
    """Sort (distance, docnum) pairs in place by distance, a run of ties (within TIE_KM of
    the run's first distance) by path."""
    found.sort()
    start = 0
    while start < len(found):
        end = start + 1
        while end < len(found) and found[end][0] - found[start][0] <= TIE_KM:
            end += 1
        if end - start > 1:
            found[start:end] = sorted(found[start:end], key=lambda item: path(item[1]))
        start = end


class GeoIndex:
    """Spatial queries over one reader generation, read-only.

    With ``include_private=False`` only ``schema.CELL`` is ever read, so private points are
    never candidates, never filtered and never sorted. ``last_candidates`` counts the docs
    the last query measured: the proof that it touched candidate cells only.
    """

    def __init__(self, reader: Any, *, include_private: bool) -> None:
        self._reader = reader
        self._fields = (schema.CELL, schema.CELL_PRIVATE) if include_private else (schema.CELL,)
        self._deletions = bool(reader.has_deletions())
        self._df: dict[str, int] = {}
        self._children: dict[str, _Split] = {}
        self._leaves: dict[str, list[_Located]] = {}
        self._cached = 0  # points in self._leaves
        self._columns: tuple[Any, Any] | None = None
        self._paths: Any = None
        self._shift = int(reader.schema[schema.LAT].to_column_value(0))
        self.last_candidates = 0

    # --- the queries ---------------------------------------------------------------------

    def nearest(
        self,
        lat: float,
        lon: float,
        k: int,
        *,
        radius_km: float | None = None,
        allowed: Allowed = None,
    ) -> list[tuple[float, int]]:
        """The k nearest visible docs as (km, docnum), nearest first, ties by path.

        Best-first search over the cell hierarchy (Hjaltason & Samet): cells wait in one
        queue with docs, keyed by a lower bound, so a doc popped is nearer than all not seen.
        """
        lat, lon = self._point(lat, lon)
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise UsageError(f"k {k!r} must be a whole number of at least 0")
        limit = math.inf if radius_km is None else _radius(radius_km)
        self.last_candidates = 0
        if k == 0:
            return []
        heap: list[tuple[float, int, Any]] = [(0.0, 1, _WORLD)]
        found: list[tuple[float, int]] = []
        stop = limit
        while heap and heap[0][0] <= stop:
            key, is_cell, item = heapq.heappop(heap)
            if not is_cell:
                found.append((key, item))
                if len(found) == k:
                    stop = min(limit, key + TIE_KM)  # keep popping ties of the k-th
                continue
            cell = item[0]
            count = self._doc_frequency(cell) if cell else 1 + LEAF_DOCS
            if count == 0:
                continue
            if count <= LEAF_DOCS or len(cell) == schema.CELL_PRECISION:
                for dist, doc in self._measure(lat, lon, self._leaf(cell), allowed):
                    if dist <= stop:
                        heapq.heappush(heap, (dist, 0, doc))
                continue
            for low, child in child_bounds(lat, lon, self._split(item)):
                if low <= stop:
                    heapq.heappush(heap, (low, 1, child))
        order_by_distance(found, self._path)
        return found[:k]

    def within_radius(
        self, lat: float, lon: float, radius_km: float, *, allowed: Allowed = None
    ) -> list[tuple[float, int]]:
        """Every visible doc within ``radius_km`` as (km, docnum), nearest first, ties by path."""
        lat, lon = self._point(lat, lon)
        radius_km = _radius(radius_km)
        self.last_candidates = 0
        precision = precision_for_circle(lat, lon, radius_km)
        cells = sorted(cells_covering_circle(lat, lon, radius_km, precision))
        docs = [
            doc for cell in cells for doc in self._postings(cell) if allowed is None or allowed(doc)
        ]
        found = [x for x in self._measure(lat, lon, self._located(docs)) if x[0] <= radius_km]
        order_by_distance(found, self._path)
        return found

    def in_bbox(self, box: BBox, *, allowed: Allowed = None) -> list[int]:
        """Docnums of visible docs inside the box (edges included, antimeridian boxes too)."""
        self.last_candidates = 0
        inside = []
        for doc, lat, lon in self._points(self._box_cells(box), allowed):
            if box.contains(lat, lon):
                inside.append(doc)
        return sorted(inside)

    def in_shape(self, geometry: Any, *, allowed: Allowed = None) -> list[int]:
        """Docnums of visible docs inside or on a Polygon/MultiPolygon given in lon/lat."""
        if not isinstance(geometry, shapely.Polygon | shapely.MultiPolygon) or geometry.is_empty:
            raise UsageError("a shape must be a non-empty Polygon or MultiPolygon")
        west, south, east, north = (float(v) for v in geometry.bounds)
        box = BBox(max(south, -90.0), max(west, -180.0), min(north, 90.0), min(east, 180.0))
        self.last_candidates = 0
        points = list(self._points(self._box_cells(box), allowed))
        shapely.prepare(geometry)  # in place and harmless: it only caches a spatial index
        lats = np.fromiter((p[1] for p in points), float, len(points))
        lons = np.fromiter((p[2] for p in points), float, len(points))
        hits = shapely.intersects_xy(geometry, lons, lats)  # boundary points count
        return sorted(points[i][0] for i in np.flatnonzero(hits))

    def distance_km(self, docnum: int, lat: float, lon: float) -> float | None:
        """Exact distance from one doc to (lat, lon); None if it has no point this audience sees."""
        lat, lon = self._point(lat, lon)
        self.last_candidates = 0
        if not self._visible(docnum):
            return None
        return self._measure(lat, lon, self._located([docnum]))[0][0]

    def count(self) -> int:
        """How many located docs this audience sees."""
        cells = [c for c in _BASE32 if self._doc_frequency(c)]
        if not self._deletions:
            return sum(self._doc_frequency(c) for c in cells)
        return sum(1 for c in cells for _ in self._postings(c))

    # --- cells and postings --------------------------------------------------------------

    def _doc_frequency(self, cell: str) -> int:
        count = self._df.get(cell)
        if count is None:
            count = sum(self._reader.doc_frequency(f, cell) for f in self._fields)
            self._df[cell] = count
        return count

    def _postings(self, cell: str) -> list[int]:
        """Docnums in one cell (deleted docs skipped)."""
        reader, docs = self._reader, []
        if self._doc_frequency(cell):
            for field in self._fields:
                if len(self._fields) == 1 or reader.doc_frequency(field, cell):
                    docs.extend(reader.postings(field, cell).all_ids())
        if self._deletions:
            docs = [doc for doc in docs if not reader.is_deleted(doc)]
        return docs

    def _split(self, cell: _Cell) -> _Split:
        split = self._children.get(cell[0])
        if split is None:
            split = self._children[cell[0]] = split_cell(cell)
        return split

    def _box_cells(self, box: BBox) -> list[str]:
        """Cells of one precision (so none overlaps another) covering the box, widened by the
        rounding of stored points."""
        parts = [
            BBox(
                max(part.south - _BOX_MARGIN_DEG, -90.0),
                max(part.west - _BOX_MARGIN_DEG, -180.0),
                min(part.north + _BOX_MARGIN_DEG, 90.0),
                min(part.east + _BOX_MARGIN_DEG, 180.0),
            )
            for part in box.split()
        ]
        precision = min(precision_for_bbox(part) for part in parts)
        return sorted(set().union(*(cells_covering_bbox(part, precision) for part in parts)))

    def _visible(self, docnum: int) -> bool:
        """Whether the doc is in a cell this audience reads. Its stored point only says which
        finest cell to look in; the point is measured only if the doc is found there."""
        reader = self._reader
        if not 0 <= docnum < reader.doc_count_all() or (
            self._deletions and reader.is_deleted(docnum)
        ):
            return False
        lats, lons = self._column_readers()
        lat, lon = (lats[docnum] - self._shift) / 1e7, (lons[docnum] - self._shift) / 1e7
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            return False  # no point: the column's default value
        for cell in _leaf_cells_around(lat, lon):
            for field in self._fields:
                if reader.doc_frequency(field, cell):
                    matcher = reader.postings(field, cell)
                    matcher.skip_to(docnum)
                    if matcher.is_active() and matcher.id() == docnum:
                        return True
        return False

    # --- columns -------------------------------------------------------------------------

    def _column_readers(self) -> tuple[Any, Any]:
        if self._columns is None:
            reader = self._reader
            if not reader.doc_count_all():
                return [], []  # an empty index has no columns (and no docs to look up)
            self._columns = (
                reader.column_reader(schema.LAT, translate=False),
                reader.column_reader(schema.LON, translate=False),
            )
        return self._columns

    def _path(self, docnum: int) -> str:
        if self._paths is None:  # opened for ties only: it costs as much as a whole query
            self._paths = self._reader.column_reader(schema.PATH)
        value = self._paths[docnum]
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)

    def _points(self, cells: Iterable[str], allowed: Allowed) -> Iterator[tuple[int, float, float]]:
        """(docnum, lat, lon) of every allowed doc of the cells."""
        lats, lons = self._column_readers()
        shift = self._shift
        for cell in cells:
            for doc in self._postings(cell):
                if allowed is None or allowed(doc):
                    self.last_candidates += 1
                    yield doc, (lats[doc] - shift) / 1e7, (lons[doc] - shift) / 1e7

    def _located(self, docs: Iterable[int]) -> list[_Located]:
        lats, lons = self._column_readers()
        shift, radians, cos = self._shift, math.radians, math.cos
        located = []
        for doc in docs:
            phi = radians((lats[doc] - shift) / 1e7)
            located.append((doc, phi, cos(phi), (lons[doc] - shift) / 1e7))
        return located

    def _leaf(self, cell: str) -> list[_Located]:
        """The located docs of a cell nearest() reads whole; such cells never overlap."""
        leaf = self._leaves.get(cell)
        if leaf is None:
            leaf = self._located(self._postings(cell))
            if self._cached + len(leaf) > CACHED_POINTS:
                self._leaves.clear()
                self._cached = 0
            self._leaves[cell] = leaf
            self._cached += len(leaf)
        return leaf

    def _measure(
        self, lat: float, lon: float, located: list[_Located], allowed: Allowed = None
    ) -> list[tuple[float, int]]:
        """(km, docnum) of the allowed docs, by the very arithmetic of geo.haversine_km."""
        p1 = math.radians(lat)
        cos_p1 = math.cos(p1)
        sin, asin, radians, sqrt = math.sin, math.asin, math.radians, math.sqrt
        measured = []
        for doc, p2, cos_p2, lon2 in located:
            if allowed is None or allowed(doc):
                h = sin((p2 - p1) / 2) ** 2
                h += cos_p1 * cos_p2 * sin(radians(lon2 - lon) / 2) ** 2
                measured.append((_TWO_R * asin(sqrt(min(1.0, h))), doc))
        self.last_candidates += len(measured)
        return measured

    @staticmethod
    def _point(lat: float, lon: float) -> tuple[float, float]:
        return parse_coordinate(lat, "lat"), parse_coordinate(lon, "lon")


def _radius(radius_km: float) -> float:
    if isinstance(radius_km, bool) or not isinstance(radius_km, int | float):
        raise UsageError(f"radius {radius_km!r} is not a number of km")
    if not (math.isfinite(radius_km) and radius_km >= 0):
        raise UsageError(f"radius {radius_km!r} must be a finite distance of at least 0")
    return float(radius_km)


def _leaf_cells_around(lat: float, lon: float) -> Iterator[str]:
    """Finest cells the unrounded point may lie in, its own first (points are stored rounded)."""
    seen: set[str] = set()
    for dlat in (0.0, -_E7_DEG, _E7_DEG):
        for dlon in (0.0, -_E7_DEG, _E7_DEG):
            near_lat, near_lon = (
                min(max(lat + dlat, -90.0), 90.0),
                min(max(lon + dlon, -180.0), 180.0),
            )
            cell = geohash_encode(near_lat, near_lon, schema.CELL_PRECISION)
            if cell not in seen:
                seen.add(cell)
                yield cell
