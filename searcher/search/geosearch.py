"""Geographic search over one Whoosh reader: k-nearest, radius, box and shape queries.

:class:`GeoIndex` checks a query's arguments and answers it from one of two tables of the
points an audience may see, built on the first query of a generation: up to
:data:`SMALL_TABLE` located posts (most blogs) a list measured whole in plain Python
(:mod:`searcher.search.geoplain`: no numpy to import, which cost a ``near LAT LON`` command
about 40 % of its time), above it a table sorted by geohash cell, read a few cells at a time
(:mod:`searcher.search.geocells`, with numpy). Both give every answer, distances to the last
bit included, as a brute force over the visible points with geo.haversine_km would, ties
(distances within :data:`TIE_KM`) in path order.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from searcher.errors import UsageError
from searcher.geo import BBox, parse_coordinate
from searcher.indexing import schema
from searcher.search import geoplain
from searcher.search.geoplain import TIE_KM, Allowed, PlainPoints, order_by_distance
from searcher.support import lazy

if TYPE_CHECKING:
    from searcher.search.geocells import CellIndex

__all__ = ["SMALL_TABLE", "TIE_KM", "GeoIndex", "order_by_distance"]

# Located posts up to which every point is measured in plain Python: about a millisecond a
# query, as long as the cell table takes to load, and a command never imports numpy for it.
SMALL_TABLE = 1000


class GeoIndex:
    """Spatial queries over one reader generation, read-only.

    With ``include_private=False`` only ``schema.CELL`` is ever read, so private points are
    never candidates, never filtered and never sorted. ``last_candidates`` counts the points
    the last query measured (with the cell table: the proof that it read candidate cells only).
    """

    def __init__(self, reader: Any, *, include_private: bool) -> None:
        self._reader = reader
        self._fields = (schema.CELL, schema.CELL_PRIVATE) if include_private else (schema.CELL,)
        self._table: PlainPoints | CellIndex | None = None
        self._paths: Any = None

    @property
    def last_candidates(self) -> int:
        return 0 if self._table is None else self._table.last_candidates

    def nearest(
        self,
        lat: float,
        lon: float,
        k: int,
        *,
        radius_km: float | None = None,
        allowed: Allowed = None,
    ) -> list[tuple[float, int]]:
        """The k nearest visible docs as (km, docnum), nearest first, ties by path; within
        ``radius_km`` if given, among the ``allowed`` docs if given."""
        lat, lon = _point(lat, lon)
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise UsageError(f"k {k!r} must be a whole number of at least 0")
        limit = math.inf if radius_km is None else _radius(radius_km)
        table = self._points()
        if k == 0:
            table.last_candidates = 0
            return []
        if isinstance(table, PlainPoints):
            return table.nearest(lat, lon, k, limit, allowed, self._path)
        return table.nearest(lat, lon, k, limit, allowed)

    def within_radius(
        self, lat: float, lon: float, radius_km: float, *, allowed: Allowed = None
    ) -> list[tuple[float, int]]:
        """Every visible doc within ``radius_km`` as (km, docnum), nearest first, ties by path."""
        lat, lon = _point(lat, lon)
        radius_km = _radius(radius_km)
        table = self._points()
        if isinstance(table, PlainPoints):
            return table.within_radius(lat, lon, radius_km, allowed, self._path)
        return table.within_radius(lat, lon, radius_km, allowed)

    def in_bbox(self, box: BBox, *, allowed: Allowed = None) -> list[int]:
        """Docnums of visible docs with a point inside the box (edges included, antimeridian
        boxes too)."""
        points = self._points().points(box, allowed)
        return sorted({doc for doc, lat, lon in points if box.contains(lat, lon)})

    def in_shape(self, geometry: Any, *, allowed: Allowed = None) -> list[int]:
        """Docnums of visible docs with a point inside or on a Polygon/MultiPolygon (lon/lat)."""
        import shapely  # only a request with a shape needs it (and numpy, which it imports)

        if not isinstance(geometry, shapely.Polygon | shapely.MultiPolygon) or geometry.is_empty:
            raise UsageError("a shape must be a non-empty Polygon or MultiPolygon")
        west, south, east, north = (float(v) for v in geometry.bounds)
        box = BBox(max(south, -90.0), max(west, -180.0), min(north, 90.0), min(east, 180.0))
        points = list(self._points().points(box, allowed))
        shapely.prepare(geometry)  # in place and harmless: it only caches a spatial index
        lats = [p[1] for p in points]
        lons = [p[2] for p in points]
        hits = shapely.intersects_xy(geometry, lons, lats).tolist()  # boundary points count
        return sorted({point[0] for point, hit in zip(points, hits, strict=True) if hit})

    def distance_km(self, docnum: int, lat: float, lon: float) -> float | None:
        """Exact distance from one doc's nearest point to (lat, lon); None if it has no point
        this audience sees."""
        lat, lon = _point(lat, lon)
        return self._points().distance_km(docnum, lat, lon)

    def count(self) -> int:
        """How many located docs this audience sees."""
        return self._points().count()

    def _points(self) -> PlainPoints | CellIndex:
        """The table of the visible points, loaded on the first query."""
        table = self._table
        if table is None:
            table = geoplain.load(self._reader, self._fields, SMALL_TABLE)
            if table is None:
                lazy.load("searcher.search.geocells")  # numpy: large indexes only
                from searcher.search.geocells import CellIndex

                table = self._table = CellIndex(self._reader, self._fields, self._path)
            self._table = table
        return table

    def _path(self, docnum: int) -> str:
        if self._paths is None:  # opened for ties only: it costs as much as a whole query
            self._paths = self._reader.column_reader(schema.PATH)
        value = self._paths[docnum]
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _point(lat: float, lon: float) -> tuple[float, float]:
    return parse_coordinate(lat, "lat"), parse_coordinate(lon, "lon")


def _radius(radius_km: float) -> float:
    if isinstance(radius_km, bool) or not isinstance(radius_km, int | float):
        raise UsageError(f"radius {radius_km!r} is not a number of km")
    if not (math.isfinite(radius_km) and radius_km >= 0):
        raise UsageError(f"radius {radius_km!r} must be a finite distance of at least 0")
    return float(radius_km)
