"""The geographic queries of an index with many located posts, over its cell table.

Candidates come only from the docs with geohash cell terms (``schema.CELL``, plus
``schema.CELL_PRIVATE`` for the owner), held per generation in a table sorted by cell
(:mod:`searcher.search.geotable`). A circle's candidates are the rows of a few cells covering
its box; numpy's haversine drops those surely outside (with slack: numpy's and libm's functions
may differ in an ulp), and the rest get libm's exact haversine, so each answer, distances to
the last bit included, equals a brute force over the visible points with geo.haversine_km
(and :mod:`searcher.search.geoplain`'s, which answers for small indexes).
:class:`~searcher.search.geosearch.GeoIndex` checks the arguments and picks the table.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from searcher.geo import EARTH_RADIUS_KM, BBox, cells_covering_bbox, circle_bbox, precision_for_bbox
from searcher.geo.sphere import circle_boxes
from searcher.search import geotable
from searcher.search.geoplain import (
    TIE_KM,
    TWO_R,
    k_nearest,
    measure,
    measured,
    order_by_distance,
)

Allowed = Callable[[int], bool] | None

LEAF_DOCS = 32  # a cell holding at most this many docs is read rather than split
FEW_ROWS = 64  # candidates measured in plain Python: numpy's calls cost more than they save
_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
_TWO_R = TWO_R
_KM_PER_DEGREE = math.radians(EARTH_RADIUS_KM)
_HALF_RADIAN = math.pi / 360  # half a degree's radians: x * it is np.radians(x) / 2 exactly
_SLACK_REL, _SLACK_KM = 1e-9, 1e-3  # as in geo: keeps bounds below rounded haversines
_H_SLACK = 1e-12  # numpy's and libm's sines may differ in an ulp: keep such candidates

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


def _ties_by_path(km: Any, docs: Any, path: Callable[[int], str]) -> list[tuple[float, int]]:
    """(km, docnum) pairs sorted by (km, docnum) as :func:`order_by_distance` leaves them: only
    the stretches joined by gaps within TIE_KM can hold ties, and only they are reordered."""
    found = list(zip(km.tolist(), docs.tolist(), strict=True))
    close = np.flatnonzero(np.diff(km) <= TIE_KM)  # found[i + 1] may tie with found[i]
    if len(close):
        breaks = np.flatnonzero(np.diff(close) > 1)
        starts, ends = close[np.r_[0, breaks + 1]], close[np.r_[breaks, len(close) - 1]]
        for first, last in zip(starts.tolist(), ends.tolist(), strict=True):
            stretch = found[first : last + 2]
            order_by_distance(stretch, path)
            found[first : last + 2] = stretch
    return found


class CellIndex:
    """Spatial queries over one reader generation's cell table, read-only; the arguments
    are checked by :class:`~searcher.search.geosearch.GeoIndex`.

    Only the cells of ``fields`` are ever read (``schema.CELL`` alone for the public), so
    private points are never candidates, never filtered and never sorted. The visible points
    are loaded once, on the first query, into a table sorted by cell
    (:mod:`searcher.search.geotable`); a query then reads the rows of candidate cells only.
    ``last_candidates`` counts the docs the last query measured: the proof that it touched
    candidate cells only. ``path`` gives a doc's path, for ties.
    """

    def __init__(self, reader: Any, fields: tuple[str, ...], path: Callable[[int], str]) -> None:
        self._reader = reader
        self._fields = fields
        self._path = path
        self._table: geotable.PointTable | None = None
        self._rows: dict[str, tuple[int, int]] = {}  # the rows of every cell met so far
        self._children: dict[str, _Split] = {}  # a cell's non-empty children
        self._boxes: dict[str, _Cell] = {}  # cells nearest() started from
        self.last_candidates = 0

    # --- the queries ---------------------------------------------------------------------

    def nearest(
        self, lat: float, lon: float, k: int, limit: float, allowed: Allowed
    ) -> list[tuple[float, int]]:
        """The k nearest visible docs as (km, docnum), nearest first, ties by path.

        Where every doc counts, a distance within which the k nearest surely lie
        (:meth:`_bound`), then every doc within it measured as :meth:`within_radius` does;
        where ``allowed`` narrows them, or round a pole, a best-first search.
        """
        self._points_table()
        self.last_candidates = 0
        if k == 0:
            return []
        if allowed is None:  # every doc counts: one circle surely holding the k nearest
            bound = min(limit, self._bound(lat, lon, k))
            rows = self._circle_rows(lat, lon, bound)
            if rows is not None and len(rows) <= FEW_ROWS:
                self.last_candidates = len(rows)
                table = self._table
                assert table is not None
                columns = (table.docs, table.phi, table.cos, table.lon)
                located = zip(*(column[rows].tolist() for column in columns), strict=True)
                # each doc in one row: its distance needs no doc's least (a dict per row);
                # rows beyond the bound cost no arcsine
                found = (measure if table.several else measured)(
                    lat, lon, located, None, _h_within(bound)
                )
                return k_nearest(found, k, bound, self._path)
            if rows is not None:
                return self._in_circle(lat, lon, rows, bound, None, k)[:k]
        return self._best_first(lat, lon, k, limit, allowed)

    def _best_first(
        self, lat: float, lon: float, k: int, limit: float, allowed: Allowed
    ) -> list[tuple[float, int]]:
        """:meth:`nearest` by best-first search over the cell hierarchy (Hjaltason & Samet):
        cells wait in a queue keyed by a lower bound on their distance, and the search stops
        once the next cell cannot hold anything nearer than the k-th doc found (and its ties).
        It reads few rows where allowed docs are few and far, and round the poles."""
        nearest: dict[int, float] = {}  # each doc found, at its nearest point so far
        best: list[float] = []  # the k least distances of distinct docs, negated (a max-heap)
        stop = min(limit, self._first_guess(lat, lon, k, allowed))
        heap: list[tuple[float, _Cell]] = [(0.0, self._cell_around(lat, lon, stop))]
        while heap and heap[0][0] <= stop:
            cell = heapq.heappop(heap)[1]
            if self._is_leaf(cell[0]):
                rows = self._rows[cell[0]]
                for dist, doc in self._measure_within(lat, lon, rows, stop, allowed):
                    if dist > stop or dist >= nearest.get(doc, math.inf):
                        continue
                    again = doc in nearest
                    nearest[doc] = dist
                    if again:  # a nearer point of a doc already counted: rare, start afresh
                        best = [-d for d in heapq.nsmallest(k, nearest.values())]
                        heapq.heapify(best)
                    elif len(best) < k:
                        heapq.heappush(best, -dist)
                    elif dist < -best[0]:
                        heapq.heapreplace(best, -dist)
                    else:
                        continue
                    if len(best) == k:
                        stop = min(limit, TIE_KM - best[0])  # the k-th and its ties
                continue
            for low, child in child_bounds(lat, lon, self._split(cell)):
                if low <= stop:
                    heapq.heappush(heap, (low, child))
        found = [(dist, doc) for doc, dist in nearest.items() if dist <= stop]
        order_by_distance(found, self._path)
        return found[:k]

    def _first_guess(self, lat: float, lon: float, k: int, allowed: Allowed) -> float:
        """A distance within which the k nearest surely lie, to prune with from the start: that
        of the k-th nearest of the 2k docs next to the point in cell order (mostly near it),
        plus the ties' margin; inf if they are too few."""
        table = self._points_table()
        at = table.row_at(lat, lon)
        rows = np.arange(max(0, at - k), min(len(table), at + k))
        if allowed is not None:
            rows = rows[[allowed(doc) for doc in table.docs[rows].tolist()]]
        h = _haversine_h(lat, lon, table, rows)
        least: dict[int, float] = {}  # a doc with several points counts once, at its nearest
        for doc, value in zip(table.docs[rows].tolist(), h.tolist(), strict=True):
            least[doc] = min(value, least.get(doc, math.inf))
        if len(least) < k:
            return math.inf
        kth = heapq.nsmallest(k, least.values())[-1]
        return _TWO_R * math.asin(math.sqrt(min(1.0, kth))) * (1 + _SLACK_REL) + _SLACK_KM + TIE_KM

    def _cell_around(self, lat: float, lon: float, radius_km: float) -> _Cell:
        """The smallest cell holding the whole circle (its box's corners share the cell), so
        the search need not work its way down to it; the world if the circle crosses the
        180th meridian or holds a pole."""
        if radius_km == math.inf:
            return _WORLD
        boxes = circle_bbox(lat, lon, radius_km)
        box = boxes[0]
        if len(boxes) > 1 or (box.west, box.east) == (-180.0, 180.0):
            return _WORLD
        name = geotable.common_cell(box.south, box.west, box.north, box.east)
        cell = self._boxes.get(name)
        if cell is None:
            self._rows.setdefault(name, self._points_table().cell_rows(name))
            cell = self._boxes[name] = (name, *geotable.cell_box(name))
        return cell

    def _bound(self, lat: float, lon: float, k: int) -> float:
        """A distance within which the k nearest surely lie, and their ties: that of the k-th
        nearest doc of the 4k rows next to the point's in cell order, mostly near it (numpy's
        haversine, with slack); inf if fewer than k docs are visible."""
        table = self._points_table()
        if table.located_docs < k:
            return math.inf
        at = table.row_at(lat, lon)
        rows = slice(max(0, at - 2 * k), min(len(table), at + 2 * k))  # a view: no copies
        kth = _kth_least(_haversine_h(lat, lon, table, rows), table.docs[rows], k, table.several)
        if kth is None:  # docs with many points each: take them all
            rows = slice(0, len(table))
            kth = _kth_least(_haversine_h(lat, lon, table, rows), table.docs, k, table.several)
        return math.inf if kth is None else _bound_km(kth)

    def _circle_rows(self, lat: float, lon: float, radius_km: float) -> Any:
        """The rows that may lie within the circle (:meth:`geotable.PointTable.box_rows`), or
        None for a circle round a pole."""
        table = self._points_table()
        if radius_km == math.inf:
            return np.arange(len(table))
        return table.box_rows(circle_boxes(lat, lon, radius_km))

    def _in_circle(
        self,
        lat: float,
        lon: float,
        rows: Any,
        radius_km: float,
        allowed: Allowed,
        k: int | None = None,
    ) -> list[tuple[float, int]]:
        """(km, docnum) of each allowed doc of the rows within the circle, at its nearest
        point, nearest first, ties by path: numpy drops the rows clearly outside (and with
        ``k``, those surely beyond the k-th nearest and its ties), the rest are measured
        exactly, then sorted and each doc kept once by numpy."""
        table = self._points_table()
        self.last_candidates = len(rows)
        h = _haversine_h(lat, lon, table, rows)
        inside = h <= _h_within(radius_km)
        rows, h = rows[inside], h[inside]
        if k is not None and len(rows) > k:  # the k-th least h bounds the k-th nearest
            kth = _kth_least(h, table.docs[rows], k, table.several)
            if kth is not None:
                radius_km = min(radius_km, _bound_km(kth))
                rows = rows[h <= _h_within(radius_km)]
        if allowed is not None:
            rows = rows[np.fromiter(map(allowed, table.docs[rows].tolist()), bool, len(rows))]
        columns = (table.docs, table.phi, table.cos, table.lon)
        located = zip(*(column[rows].tolist() for column in columns), strict=True)
        km = np.array([dist for dist, _ in measured(lat, lon, located, None)])
        inside = km <= radius_km
        km, docs = km[inside], table.docs[rows][inside]
        order = np.lexsort((docs, km))
        km, docs = km[order], docs[order]
        if table.several:  # a doc with several points: its nearest one
            first = np.sort(np.unique(docs, return_index=True)[1])
            km, docs = km[first], docs[first]
        return _ties_by_path(km, docs, self._path)

    def within_radius(
        self, lat: float, lon: float, radius_km: float, allowed: Allowed
    ) -> list[tuple[float, int]]:
        """Every visible doc within ``radius_km`` as (km, docnum), nearest first, ties by path.

        The circle's boxes are covered by a few cells of one size (their rows are runs of the
        table: :meth:`geotable.PointTable.box_rows`), or round a pole by cells split as they
        cross the circle; numpy then drops the candidates clearly outside before the exact
        haversine of the rest.
        """
        rows = self._circle_rows(lat, lon, radius_km)
        if rows is None:
            rows = geotable.span_rows(self._descend(lat, lon, radius_km))
        return self._in_circle(lat, lon, rows, radius_km, allowed)

    def _descend(self, lat: float, lon: float, radius_km: float) -> list[tuple[int, int]]:
        """The runs of rows of cells covering the circle, split while they cross it and are
        crowded or much taller than it: for circles round a pole."""
        spans, stack = [], [_WORLD]
        while stack:
            cell = stack.pop()
            if self._read_whole(lat, lon, radius_km, cell):
                spans.append(self._rows[cell[0]])
                continue
            stack.extend(c for low, c in child_bounds(lat, lon, self._split(cell))
                         if low <= radius_km)  # fmt: skip
        return spans

    def points(self, box: BBox, allowed: Allowed) -> Iterator[tuple[int, float, float]]:
        """(docnum, lat, lon) of every allowed doc's every point in the cells covering the box
        (some outside it)."""
        self.last_candidates = 0
        return self._points(self._box_cells(box), allowed)

    def distance_km(self, docnum: int, lat: float, lon: float) -> float | None:
        """Exact distance from one doc's nearest point to (lat, lon); None if it has no point
        this audience sees."""
        table = self._points_table()
        self.last_candidates = 0
        rows = table.rows(docnum)
        if not len(rows):
            return None
        columns = (table.docs, table.phi, table.cos, table.lon)
        located = zip(*(column[rows].tolist() for column in columns), strict=True)
        return min(dist for dist, _ in self._measure(lat, lon, located))

    def count(self) -> int:
        """How many located docs this audience sees."""
        return self._points_table().located_docs

    # --- cells and rows ------------------------------------------------------------------

    def _points_table(self) -> geotable.PointTable:
        if self._table is None:
            self._table = geotable.load(self._reader, self._fields)
            self._rows[""] = (0, len(self._table))
        return self._table

    def _is_leaf(self, cell: str) -> bool:
        """Whether nearest() reads the cell whole rather than splitting it."""
        start, stop = self._rows[cell]
        return stop - start <= LEAF_DOCS or len(cell) == geotable.PRECISION

    def _read_whole(self, lat: float, lon: float, radius_km: float, cell: _Cell) -> bool:
        """Whether within_radius() takes a cell whole: it is a leaf no taller than the circle
        (so not mostly waste), as fine as cells go, or wholly inside the circle."""
        if len(cell[0]) == geotable.PRECISION:
            return True
        if (cell[3] - cell[1]) * _KM_PER_DEGREE <= 2 * radius_km and self._is_leaf(cell[0]):
            return True
        return _farthest_km(lat, lon, cell) <= radius_km

    def _split(self, cell: _Cell) -> _Split:
        """The cell's non-empty children (their rows noted), with its rows' and columns' boxes."""
        split = self._children.get(cell[0])
        if split is None:
            children, rows, columns = split_cell(cell)
            start, stop = self._rows[cell[0]]
            ends = self._points_table().child_rows(cell[0], start, stop)
            kept = []
            for i, child in enumerate(children):
                if ends[i] < ends[i + 1]:
                    self._rows[child[0][0]] = (ends[i], ends[i + 1])
                    kept.append(child)
            split = self._children[cell[0]] = (kept, rows, columns)
        return split

    def _box_cells(self, box: BBox) -> list[str]:
        """Cells of one precision (so none overlaps another) covering the box."""
        parts = box.split()
        precision = min(precision_for_bbox(part) for part in parts)
        return sorted(set().union(*(cells_covering_bbox(part, precision) for part in parts)))

    # --- points --------------------------------------------------------------------------

    def _points(self, cells: Iterable[str], allowed: Allowed) -> Iterator[tuple[int, float, float]]:
        """(docnum, lat, lon) of every allowed doc of the cells."""
        table = self._points_table()
        for cell in cells:
            start, stop = table.cell_rows(cell)
            for doc, lat, lon in zip(table.docs[start:stop].tolist(),
                                     table.lat[start:stop].tolist(),
                                     table.lon[start:stop].tolist(), strict=True):  # fmt: skip
                if allowed is None or allowed(doc):
                    self.last_candidates += 1
                    yield doc, lat, lon

    def _located(self, start: int, stop: int) -> Iterable[_Located]:
        """The docs of rows [start, stop), ready for haversine."""
        table = self._points_table()
        columns = (table.docs, table.phi, table.cos, table.lon)
        return zip(*(column[start:stop].tolist() for column in columns), strict=True)

    def _measure_within(
        self, lat: float, lon: float, rows: tuple[int, int], radius_km: float, allowed: Allowed
    ) -> list[tuple[float, int]]:
        """:meth:`_measure` of the rows, skipping those surely beyond ``radius_km`` by their
        latitude term or whole haversine term, before the cost of the arcsine."""
        p1 = math.radians(lat)
        cos_p1 = math.cos(p1)
        sin, asin, radians, sqrt = math.sin, math.asin, math.radians, math.sqrt
        most = _h_within(radius_km)
        measured = []
        for doc, p2, cos_p2, lon2 in self._located(*rows):
            h = sin((p2 - p1) / 2) ** 2
            if h > most:
                continue
            h += cos_p1 * cos_p2 * sin(radians(lon2 - lon) / 2) ** 2
            if h <= most and (allowed is None or allowed(doc)):
                measured.append((_TWO_R * asin(sqrt(min(1.0, h))), doc))
        self.last_candidates += rows[1] - rows[0]
        return measured

    def _measure(
        self, lat: float, lon: float, located: Iterable[_Located], allowed: Allowed = None
    ) -> list[tuple[float, int]]:
        """(km, docnum) of the allowed docs' points (:func:`geoplain.measured`)."""
        found = measured(lat, lon, located, allowed)
        self.last_candidates += len(found)
        return found


def _farthest_km(lat: float, lon: float, cell: _Cell) -> float:
    """An upper bound on the distance from (lat, lon) to any point of the cell: each term of
    the haversine at its largest. Only decides when to stop splitting, never what is found."""
    _, south, west, north, east = cell
    lat_gap = max(abs(lat - south), abs(lat - north))
    most_cos = 1.0 if south <= 0.0 <= north else math.cos(math.radians(min(abs(south), abs(north))))
    opposite = (lon + 360.0) % 360.0 - 180.0  # the meridian farthest from lon
    if west <= opposite <= east or (opposite == -180.0 and east == 180.0):
        lon_gap = 180.0
    else:
        lon_gap = max(min((x - lon) % 360.0, (lon - x) % 360.0) for x in (west, east))
    h = math.sin(math.radians(lat_gap) / 2) ** 2
    h += math.cos(math.radians(lat)) * most_cos * math.sin(math.radians(lon_gap) / 2) ** 2
    return _TWO_R * math.asin(math.sqrt(min(1.0, h))) * (1 + _SLACK_REL) + _SLACK_KM


def _haversine_h(lat: float, lon: float, table: geotable.PointTable, rows: Any) -> Any:
    """The haversine term h of each row's point, by numpy (within an ulp or so of libm's)."""
    p1 = math.radians(lat)
    h = table.phi[rows] - p1  # then in place: a k-nearest's few rows cost numpy's calls only
    h *= 0.5
    np.sin(h, out=h)
    h *= h
    lon_term = table.lon[rows] - lon
    lon_term *= _HALF_RADIAN  # np.radians(x) / 2, bit for bit
    np.sin(lon_term, out=lon_term)
    lon_term *= lon_term
    lon_term *= table.cos[rows] * math.cos(p1)
    h += lon_term
    return h


def _kth_least(h: Any, docs: Any, k: int, several: bool) -> float | None:
    """The k-th least haversine term h of distinct docs (a doc at its least), None if the
    docs are fewer than k."""
    if several:  # a doc counts once, at its nearest point
        order = np.argsort(h, kind="stable")
        h = h[order][np.unique(docs[order], return_index=True)[1]]
    if len(h) < k:
        return None
    least = h.copy()  # the method, in place: np.partition's wrapper costs as much again
    least.partition(k - 1)
    return float(least[k - 1])


def _bound_km(h: float) -> float:
    """A distance at or above that of a point of haversine term h (numpy's), with the slack
    that keeps it above libm's, and the margin of ties."""
    return _TWO_R * math.asin(math.sqrt(min(1.0, h))) * (1 + _SLACK_REL) + _SLACK_KM + TIE_KM


def _h_within(radius_km: float) -> float:
    """A haversine term at or above that of every point within ``radius_km`` (with slack)."""
    if radius_km == math.inf:
        return math.inf
    angle = (radius_km * (1 + _SLACK_REL) + _SLACK_KM) / _TWO_R
    return math.inf if angle >= math.pi / 2 else math.sin(angle) ** 2 + _H_SLACK
