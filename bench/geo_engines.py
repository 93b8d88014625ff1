"""The engines geo_bench.py compares, and the brute force they are checked against.

Every engine answers the same two questions over the same located posts: the k nearest posts
to a point, and every post within a radius. Answers are (km, path) pairs, nearest first, ties
broken by path. The two baselines find candidates with bounding boxes (SQLite's R*Tree, or
Whoosh numeric ranges) and measure them with the exact haversine below; for k-nearest they
grow the box until it provably holds the circle through the k-th nearest post.
"""

from __future__ import annotations

import math
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from whoosh import fields, query
from whoosh import index as whoosh_index

from searcher import open_index
from searcher.indexing import indexer, ondisk
from searcher.models import Post
from searcher.search.geosearch import GeoIndex

EARTH_RADIUS_KM = 6371.0088
# First radius of k-nearest by growing boxes: the fastest for SQLite of 2, 1, 0.5, 0.25, 0.1
# and 0.05 km over 300 query points at 200,000 re-sampled posts (plain Whoosh: also 0.1 km).
START_KM = 0.1
NEAR_TIE_KM = 1e-9  # our engine's TIE_KM: distances this close are ordered by path
_PAD_REL, _PAD_RAD = 1e-9, 1e-9  # widen boxes past rounding: they must contain the circle

Answer = list[tuple[float, str]]  # (km, path), nearest first, ties by path
Box = tuple[float, float, float, float]  # (south, north, west, east), west <= east
Point = tuple[float, float, str]  # (lat, lon, path)
WORLD: Box = (-90.0, 90.0, -180.0, 180.0)


class Engine(Protocol):
    name: str

    def attach(self, where: Path) -> bool: ...
    def build(self, posts: Sequence[Post], where: Path) -> None: ...
    def open(self) -> None: ...
    def nearest(self, lat: float, lon: float, k: int) -> Any: ...
    def within(self, lat: float, lon: float, radius_km: float) -> Any: ...
    def answer(self, raw: Any) -> Answer: ...
    def size_bytes(self) -> int: ...
    def close(self) -> None: ...


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def points_of(posts: Sequence[Post]) -> list[Point]:
    """(lat, lon, path) of every located post."""
    found = []
    for p in posts:
        if p.location is not None and p.location.lat is not None and p.location.lon is not None:
            found.append((p.location.lat, p.location.lon, p.path))
    return found


# -- maths -----------------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (the arithmetic of ``searcher.geo.haversine_km``)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2
    h += math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def measure(lat: float, lon: float, points: Iterable[Point]) -> Answer:
    """Exact distances from (lat, lon) to ``points``, nearest first, ties by path."""
    return sorted((haversine_km(lat, lon, a, b), path) for a, b, path in points)


def by_near_ties(answer: Answer) -> Answer:
    """``answer`` with each run of distances within NEAR_TIE_KM of the run's first put in path
    order: the order our engine gives (``geosearch.order_by_distance``)."""
    ordered, start = [], 0
    while start < len(answer):
        end = start + 1
        while end < len(answer) and answer[end][0] - answer[start][0] <= NEAR_TIE_KM:
            end += 1
        ordered.extend(sorted(answer[start:end], key=lambda x: x[1]))
        start = end
    return ordered


def circle_boxes(lat: float, lon: float, radius_km: float) -> list[Box]:
    """Boxes that together contain the circle: one, two across the 180th meridian, or a
    full-longitude band when the circle holds a pole (Matuschek's bounding box on a sphere)."""
    angle = radius_km / EARTH_RADIUS_KM * (1 + _PAD_REL) + _PAD_RAD
    if angle >= math.pi:
        return [WORLD]
    south, north = lat - math.degrees(angle), lat + math.degrees(angle)
    if south <= -90.0 or north >= 90.0:
        return [(max(south, -90.0), min(north, 90.0), -180.0, 180.0)]
    ratio = math.sin(angle) / math.cos(math.radians(lat))
    if ratio >= 1.0:
        return [(south, north, -180.0, 180.0)]
    spread = math.degrees(math.asin(ratio))
    west, east = lon - spread, lon + spread
    if spread >= 180.0:
        return [(south, north, -180.0, 180.0)]
    if west <= -180.0:  # points at -180 and +180 are on one meridian: both boxes reach it
        return [(south, north, west + 360.0, 180.0), (south, north, -180.0, east)]
    if east >= 180.0:
        return [(south, north, west, 180.0), (south, north, -180.0, east - 360.0)]
    return [(south, north, west, east)]


def nearest_by_boxes(
    lat: float, lon: float, k: int, candidates: Callable[[list[Box]], Iterable[Point]]
) -> Answer:
    """k nearest by growing a box from START_KM until at least k candidates lie within the
    circle the box contains; after a box holding k candidates, the k-th one's distance is
    such a radius (it bounds the true k-th distance from above)."""
    radius = START_KM
    while True:
        boxes = circle_boxes(lat, lon, radius)
        found = measure(lat, lon, candidates(boxes))
        if boxes == [WORLD] or (len(found) >= k and found[k - 1][0] <= radius):
            return found[:k]
        radius = found[k - 1][0] if len(found) >= k else 2 * radius


def within_by_boxes(
    lat: float, lon: float, radius_km: float, candidates: Callable[[list[Box]], Iterable[Point]]
) -> Answer:
    return [
        x
        for x in measure(lat, lon, candidates(circle_boxes(lat, lon, radius_km)))
        if x[0] <= radius_km
    ]


class BruteForce:
    """Every point measured (numpy), then the closest re-measured exactly to break ties."""

    def __init__(self, points: Sequence[Point]) -> None:
        self.points = list(points)
        self.lat = np.radians([p[0] for p in points])
        self.lon = np.radians([p[1] for p in points])
        self.cos = np.cos(self.lat)

    def _km(self, lat: float, lon: float) -> Any:
        p1 = math.radians(lat)
        h = np.sin((self.lat - p1) / 2) ** 2
        h += math.cos(p1) * self.cos * np.sin((self.lon - math.radians(lon)) / 2) ** 2
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))

    def nearest(self, lat: float, lon: float, k: int) -> Answer:
        """The k nearest and every post within a micrometre past the k-th (near ties)."""
        km = self._km(lat, lon)
        if len(km) > k:
            kth = np.partition(km, k - 1)[k - 1]
            chosen = np.flatnonzero(km <= kth + 1e-6)  # numpy and libm may differ in an ulp
        else:
            chosen = np.arange(len(km))
        found = measure(lat, lon, (self.points[i] for i in chosen))
        return [x for x in found if x[0] <= found[min(k, len(found)) - 1][0] + NEAR_TIE_KM]

    def within(self, lat: float, lon: float, radius_km: float) -> Answer:
        chosen = np.flatnonzero(self._km(lat, lon) <= radius_km + 1e-6)
        found = measure(lat, lon, (self.points[i] for i in chosen))
        return [x for x in found if x[0] <= radius_km]


# -- engines ---------------------------------------------------------------------------------


class Ours:
    """blogsearch through its public API: ``indexer.write``, then ``Index.near`` (k nearest)
    and ``Index.search(near=..., radius_km=...)`` (a radius's nearest page and its total)."""

    name = "ours-api"
    RADIUS_LIMIT = 10  # the page a radius query shows: its nearest, and the total

    def attach(self, where: Path) -> bool:
        """Whether a finished build of this version's index is there to reuse (one an older
        version built, with another schema, is built again)."""
        self.dir = where / "ours"
        return _built(self.dir) and not ondisk.older_versions(self.dir)

    def build(self, posts: Sequence[Post], where: Path) -> None:
        self.attach(where)
        if ondisk.older_versions(self.dir):
            shutil.rmtree(self.dir)
        indexer.write(posts, self.dir)
        _mark_built(self.dir)

    def open(self) -> None:
        self.index = open_index(self.dir, audience="owner")

    def nearest(self, lat: float, lon: float, k: int) -> Any:
        return self.index.near(lat, lon, limit=k)

    def within(self, lat: float, lon: float, radius_km: float) -> Any:
        return self.index.search(near=(lat, lon), radius_km=radius_km, limit=self.RADIUS_LIMIT)

    def answer(self, raw: Any) -> Answer:
        return [(h.distance_km, h.path) for h in raw.hits]

    def size_bytes(self) -> int:
        return folder_bytes(self.dir)

    def close(self) -> None:
        self.index.close()


class OursEngine:
    """blogsearch's spatial engine alone (``GeoIndex`` over the index ``Ours`` built)."""

    name = "ours-engine"

    def __init__(self, built: Ours) -> None:
        self.built = built

    def attach(self, where: Path) -> bool:
        return True  # shares the index of ``built``

    def build(self, posts: Sequence[Post], where: Path) -> None:
        pass  # shares the index of ``built``

    def open(self) -> None:
        ix = whoosh_index.open_dir(str(self.built.dir), indexname=ondisk.INDEX_NAME)
        self.searcher = ix.searcher()
        self.geo = GeoIndex(self.searcher.reader(), include_private=True)
        self.paths = self.searcher.reader().column_reader("path")  # for checking answers only

    def nearest(self, lat: float, lon: float, k: int) -> Any:
        return self.geo.nearest(lat, lon, k)

    def within(self, lat: float, lon: float, radius_km: float) -> Any:
        return self.geo.within_radius(lat, lon, radius_km)

    def answer(self, raw: Any) -> Answer:
        return [(km, _text(self.paths[doc])) for km, doc in raw]

    def size_bytes(self) -> int:
        return self.built.size_bytes()

    def close(self) -> None:
        self.searcher.close()


class SqliteRtree:
    """SQLite (stdlib): an R*Tree of points plus a table of exact coordinates and paths."""

    name = "sqlite-rtree"
    SELECT = (
        "SELECT p.id, p.lat, p.lon, p.path FROM rt JOIN point AS p ON p.id = rt.id "
        "WHERE rt.maxlat >= ? AND rt.minlat <= ? AND rt.maxlon >= ? AND rt.minlon <= ?"
    )

    def attach(self, where: Path) -> bool:
        self.file = where / "rtree.sqlite"
        return _built(self.file)

    def build(self, posts: Sequence[Post], where: Path) -> None:
        self.attach(where)
        self.file.unlink(missing_ok=True)
        points = points_of(posts)
        db = sqlite3.connect(self.file)
        with db:
            db.execute("CREATE VIRTUAL TABLE rt USING rtree(id, minlat, maxlat, minlon, maxlon)")
            db.execute("CREATE TABLE point(id INTEGER PRIMARY KEY, lat REAL, lon REAL, path TEXT)")
            db.executemany(
                "INSERT INTO point VALUES (?, ?, ?, ?)",
                ((i, lat, lon, path) for i, (lat, lon, path) in enumerate(points)),
            )
            db.executemany(
                "INSERT INTO rt VALUES (?, ?, ?, ?, ?)",
                ((i, lat, lat, lon, lon) for i, (lat, lon, _) in enumerate(points)),
            )
        db.close()
        _mark_built(self.file)

    def open(self) -> None:
        self.db = sqlite3.connect(self.file)

    def candidates(self, boxes: list[Box]) -> Iterable[Point]:
        if len(boxes) == 1:
            s, n, w, e = boxes[0]
            return [row[1:] for row in self.db.execute(self.SELECT, (s, n, w, e))]
        rows: dict[int, Point] = {}  # a point on the 180th meridian may be in both boxes
        for s, n, w, e in boxes:
            rows.update((row[0], row[1:]) for row in self.db.execute(self.SELECT, (s, n, w, e)))
        return rows.values()

    def nearest(self, lat: float, lon: float, k: int) -> Answer:
        return nearest_by_boxes(lat, lon, k, self.candidates)

    def within(self, lat: float, lon: float, radius_km: float) -> Answer:
        return within_by_boxes(lat, lon, radius_km, self.candidates)

    def answer(self, raw: Any) -> Answer:
        return list(raw)

    def size_bytes(self) -> int:
        return self.file.stat().st_size

    def close(self) -> None:
        self.db.close()


class PlainWhoosh:
    """Plain Whoosh: lat and lon as NUMERIC columns, path as a column; range-query boxes.

    Coordinates are integers of 1e-7 degrees (about 1 cm, like ours), because whoosh-reloaded's
    float columns crash on write, and reading columns is what makes Whoosh fast per document.
    """

    name = "plain-whoosh"

    def attach(self, where: Path) -> bool:
        self.dir = where / "plain-whoosh"
        return _built(self.dir)

    def build(self, posts: Sequence[Post], where: Path) -> None:
        self.attach(where)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        schema = fields.Schema(
            path=fields.ID(stored=True, unique=True, sortable=True),
            lat=fields.NUMERIC(int, bits=32, sortable=True),  # |lon| x 1e7 < 2**31
            lon=fields.NUMERIC(int, bits=32, sortable=True),
        )
        ix = whoosh_index.create_in(str(self.dir), schema)
        writer = ix.writer(limitmb=256)
        for lat, lon, path in points_of(posts):
            writer.add_document(path=path, lat=round(lat * 1e7), lon=round(lon * 1e7))
        writer.commit()
        _mark_built(self.dir)

    def open(self) -> None:
        self.searcher = whoosh_index.open_dir(str(self.dir)).searcher()
        reader = self.searcher.reader()
        self.columns = [reader.column_reader(name) for name in ("lat", "lon", "path")]

    def candidates(self, boxes: list[Box]) -> Iterable[Point]:
        ranges = [
            self._range("lat", s, n)
            if (w, e) == (-180.0, 180.0)  # a band round a pole: every longitude
            else query.And([self._range("lat", s, n), self._range("lon", w, e)])
            for s, n, w, e in boxes
        ]
        lats, lons, paths = self.columns
        return [
            (lats[doc] / 1e7, lons[doc] / 1e7, _text(paths[doc]))
            for doc in self.searcher.docs_for_query(
                ranges[0] if len(ranges) == 1 else query.Or(ranges)
            )
        ]

    @staticmethod
    def _range(name: str, low: float, high: float) -> query.Query:
        return query.NumericRange(name, math.floor(low * 1e7), math.ceil(high * 1e7))

    def nearest(self, lat: float, lon: float, k: int) -> Answer:
        return nearest_by_boxes(lat, lon, k, self.candidates)

    def within(self, lat: float, lon: float, radius_km: float) -> Answer:
        return within_by_boxes(lat, lon, radius_km, self.candidates)

    def answer(self, raw: Any) -> Answer:
        return list(raw)

    def size_bytes(self) -> int:
        return folder_bytes(self.dir)

    def close(self) -> None:
        self.searcher.close()


def _built(path: Path) -> bool:
    """Whether a build finished at ``path`` (an interrupted one leaves no mark)."""
    return path.with_name(path.name + ".built").is_file()


def _mark_built(path: Path) -> None:
    path.with_name(path.name + ".built").touch()


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
