"""Tests for searcher.search.geosearch: edge cases by table, every query against a brute force."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh.filedb.filestore import RamStorage

from searcher.errors import UsageError
from searcher.geo import BBox, geohash_bbox, haversine_km, min_distance_to_cell_km
from searcher.indexing import schema
from searcher.models import Location, Post
from searcher.search.geocells import child_bounds, split_cell
from searcher.search.geosearch import TIE_KM, GeoIndex

SCHEMA = schema.build_schema()
Point = tuple[float, float]


def post(i: int, point: Point | None, *, public: bool = True) -> Post:
    places = () if point is None else (Location(point[0], point[1], public=public),)
    # paths run backwards against docnums, so a tie broken by docnum would show
    return Post(path=f"p{9999 - i:04d}", title=f"post {i}", date=None, locations=places)


def make_index(posts: Sequence[Post], *, segments: int = 1, delete: Sequence[int] = ()) -> Any:
    """A RAM index of the posts (docnum = position), in ``segments`` segments."""
    ix = RamStorage().create_index(SCHEMA, indexname="blogsearch")
    size = math.ceil(len(posts) / segments) or 1
    for start in range(0, max(len(posts), 1), size):
        writer = ix.writer()
        for p in posts[start : start + size]:
            writer.add_document(**schema.document(p))
        writer.commit(merge=False)
    if delete:
        writer = ix.writer()
        for i in delete:
            writer.delete_document(i)
        writer.commit(merge=False)
    return ix.reader()


@pytest.fixture(autouse=True, params=["plain", "cells"])
def table(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs on both tables of the visible points: the list measured whole (small
    indexes) and the cell table (large ones)."""
    monkeypatch.setattr(
        "searcher.search.geosearch.SMALL_TABLE", 10**9 if request.param == "plain" else -1
    )
    return str(request.param)


def geo_index(points: Sequence[Point]) -> GeoIndex:
    return GeoIndex(make_index([post(i, p) for i, p in enumerate(points)]), include_private=False)


def stored(point: Point) -> Point:
    """The point as the index keeps it (1e-7 degrees)."""
    return schema.from_e7(schema.to_e7(point[0])), schema.from_e7(schema.to_e7(point[1]))


def ranked(
    points: Sequence[Point],
    lat: float,
    lon: float,
    keep: Callable[[int], bool] = lambda i: True,
) -> list[tuple[float, int]]:
    """Brute force: every point by (haversine, path), a run within TIE_KM counting as a tie."""
    found = sorted((haversine_km(lat, lon, *stored(p)), i) for i, p in enumerate(points) if keep(i))
    out: list[tuple[float, int]] = []
    while found:
        run = [x for x in found if x[0] - found[0][0] <= TIE_KM]
        out += sorted(run, key=lambda x: post(x[1], None).path)
        found = found[len(run) :]
    return out


def docs(found: Sequence[tuple[float, int]]) -> list[int]:
    return [doc for _, doc in found]


# --- edge cases -----------------------------------------------------------------------------

HALF_DEGREE_KM = haversine_km(0, 0, 0, 0.5)
NORTH_RING = [(89.95, 0.0), (89.95, 90.0), (89.95, 180.0), (89.95, -90.0)]
SOUTH_RING = [(-89.99, lon) for lon in (-180.0, -60.0, 60.0, 179.0)]
POLE_RING = [(89.95, lon) for lon in (-180.0, -90.0, 0.0, 90.0, 179.9)]
SAME = [(10.0, 10.0), (10.0, 10.0), (10.0, 10.0), (11.0, 11.0)]
CROSS = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0), (5.0, 5.0)]
SHORT_OF_HALF_DEGREE = math.nextafter(HALF_DEGREE_KM, 0)


@pytest.mark.parametrize(
    ("points", "query", "k", "expected"),
    [
        pytest.param([(0, 170), (0, -179.9), (0, 179)], (0, 179.9), 2, [1, 2], id="antimeridian"),
        pytest.param(NORTH_RING, (89.9, 0), 4, [0, 3, 1, 2], id="north-ring-ties-by-path"),
        pytest.param(SOUTH_RING, (-90, 0), 2, [3, 2], id="south-pole-all-ties"),
        pytest.param(SAME, (10, 10), 3, [2, 1, 0], id="identical"),
        pytest.param(CROSS, (0, 0), 2, [3, 2], id="tie-at-kth"),
        pytest.param([(1, 1), (2, 2)], (0, 0), 10, [0, 1], id="k-above-count"),
        pytest.param([(1, 1), (2, 2)], (0, 0), 0, [], id="k-zero"),
        pytest.param([], (0, 0), 3, [], id="empty"),
        pytest.param([(0, 180), (0, -180), (0, 0)], (0, -180), 3, [1, 0, 2], id="both-180s"),
    ],
)
def test_nearest_edge_cases(points: list[Point], query: Point, k: int, expected: list[int]) -> None:
    index = geo_index(points)
    found = index.nearest(*query, k)
    assert docs(found) == expected
    assert found == ranked(points, *query)[:k]


@pytest.mark.parametrize(
    ("points", "query", "radius", "expected"),
    [
        pytest.param([(0, -179.9), (0, 179.0)], (0, 179.9), 30, [0], id="antimeridian"),
        pytest.param(POLE_RING, (90, 0), 5.6, [4, 3, 2, 1, 0], id="pole-every-longitude"),
        pytest.param([(5, 5), (5, 5), (5, 5.0001)], (5, 5), 0, [1, 0], id="radius-zero"),
        pytest.param([(0, 0.5), (0, 1)], (0, 0), HALF_DEGREE_KM, [0], id="on-the-circle"),
        pytest.param([(0, 0.5), (0, 1)], (0, 0), SHORT_OF_HALF_DEGREE, [], id="just-outside"),
        pytest.param([(0, 0.5), (0, 1)], (0, 0), 20_100, [0, 1], id="half-the-world"),
        pytest.param([], (0, 0), 100, [], id="empty"),
    ],
)
def test_within_radius_edge_cases(
    points: list[Point], query: Point, radius: float, expected: list[int]
) -> None:
    index = geo_index(points)
    found = index.within_radius(*query, radius)
    assert docs(found) == expected
    assert found == [x for x in ranked(points, *query) if x[0] <= radius]
    assert index.nearest(*query, 10, radius_km=radius) == found[:10]


@pytest.mark.parametrize(
    ("box", "expected"),
    [
        pytest.param(BBox(-10, 170, 10, -170), [2, 3, 4, 5], id="across-antimeridian"),
        pytest.param(BBox(-10, -170, 10, 170), [0, 1, 6], id="not-across"),
        pytest.param(BBox(0, 175, 0, 180), [3, 4, 5], id="edges-inclusive"),
        pytest.param(BBox(80, -180, 90, 180), [7], id="polar-cap"),
        pytest.param(BBox(1, 1, 2, 2), [], id="nothing"),
    ],
)
def test_in_bbox_edge_cases(box: BBox, expected: list[int]) -> None:
    points = [(0, 0), (0, 169), (0, -175), (0, 175), (0, 180), (0, -180), (0, -169), (90, 45)]
    assert geo_index(points).in_bbox(box) == expected


SQUARE = shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)])
POINTS_FOR_SHAPES = [(5, 5), (0, 5), (10, 10), (5, 10.5), (25, 25), (-5, -5)]


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        pytest.param(SQUARE, [0, 1, 2], id="polygon-with-boundary-and-corner"),
        pytest.param(
            shapely.Polygon(SQUARE.exterior.coords, [[(4, 4), (6, 4), (6, 6), (4, 6)]]),
            [1, 2],
            id="hole",
        ),
        pytest.param(
            shapely.MultiPolygon([SQUARE, shapely.box(20, 20, 30, 30)]), [0, 1, 2, 4], id="multi"
        ),
        pytest.param(shapely.box(-180, -90, 180, 90), [0, 1, 2, 3, 4, 5], id="world"),
    ],
)
def test_in_shape(shape: Any, expected: list[int]) -> None:
    index = geo_index(POINTS_FOR_SHAPES)  # (lat, lon): shapes are (lon, lat)
    assert index.in_shape(shape) == expected


@pytest.mark.parametrize("bad", [shapely.Point(1, 1), shapely.Polygon(), "POLYGON"])
def test_in_shape_rejects_what_is_not_an_area(bad: Any) -> None:
    with pytest.raises(UsageError):
        geo_index([(1, 1)]).in_shape(bad)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("nearest", (0, 0, -1)),
        ("nearest", (0, 0, 1.5)),
        ("nearest", (91, 0, 1)),
        ("nearest", (0, 181, 1)),
        ("within_radius", (0, 0, -1)),
        ("within_radius", (0, 0, math.nan)),
        ("within_radius", (0, 0, math.inf)),
        ("distance_km", (0, math.nan, 0)),
    ],
)
def test_bad_arguments(call: str, args: tuple[float, ...]) -> None:
    with pytest.raises(UsageError):
        getattr(geo_index([(1, 1)]), call)(*args)


def test_allowed_restricts_every_query() -> None:
    points = [(i * 0.01, i * 0.01) for i in range(50)]
    index = geo_index(points)

    def even(doc: int) -> bool:
        return doc % 2 == 0

    assert index.nearest(0, 0, 5, allowed=even) == ranked(points, 0, 0, even)[:5]
    assert docs(index.within_radius(0, 0, 20, allowed=even)) == [0, 2, 4, 6, 8, 10, 12]
    assert index.in_bbox(BBox(0, 0, 0.1, 0.1), allowed=even) == [0, 2, 4, 6, 8, 10]
    assert index.in_shape(shapely.box(0, 0, 0.1, 0.1), allowed=even) == [0, 2, 4, 6, 8, 10]
    assert index.nearest(0, 0, 5, allowed=lambda doc: False) == []


@pytest.mark.parametrize("include_private", [False, True])
def test_private_points_only_for_the_owner(include_private: bool) -> None:
    posts = [
        post(0, (10, 10), public=False),
        post(1, (10.1, 10.1)),
        post(2, (10.2, 10.2), public=False),
        post(3, None),
    ]
    index = GeoIndex(make_index(posts), include_private=include_private)
    private = [0, 2] if include_private else []
    assert sorted(docs(index.nearest(10, 10, 10))) == sorted([1, *private])
    assert sorted(docs(index.within_radius(10, 10, 100))) == sorted([1, *private])
    assert index.in_bbox(BBox(9, 9, 11, 11)) == sorted([1, *private])
    assert index.in_shape(shapely.box(9, 9, 11, 11)) == sorted([1, *private])
    assert index.count() == 1 + len(private)
    assert (index.distance_km(0, 10, 10) == 0.0) is include_private
    assert index.distance_km(1, 10, 10) == haversine_km(10, 10, 10.1, 10.1)
    assert index.distance_km(3, 10, 10) is None  # not located
    assert index.distance_km(99, 10, 10) is None  # no such doc


def test_empty_index() -> None:
    index = GeoIndex(make_index([]), include_private=True)
    assert index.count() == 0
    assert index.nearest(0, 0, 5) == []
    assert index.within_radius(0, 0, 20_000) == []
    assert index.in_bbox(BBox(-90, -180, 90, 180)) == []
    assert index.in_shape(shapely.box(-10, -10, 10, 10)) == []
    assert index.distance_km(0, 0, 0) is None


def test_segments_and_deletions_match_brute_force() -> None:
    rng = random.Random(3)
    points = [(rng.uniform(-60, 60), rng.uniform(-180, 180)) for _ in range(120)]
    deleted = set(range(0, 120, 7))
    reader = make_index(
        [post(i, p) for i, p in enumerate(points)], segments=3, delete=sorted(deleted)
    )
    index = GeoIndex(reader, include_private=False)

    def alive(i: int) -> bool:
        return i not in deleted

    assert index.count() == 120 - len(deleted)
    for lat, lon in [(0, 0), (45, 179), (-30, -100)]:
        assert index.nearest(lat, lon, 15) == ranked(points, lat, lon, alive)[:15]
        want = [x for x in ranked(points, lat, lon, alive) if x[0] <= 3000]
        assert index.within_radius(lat, lon, 3000) == want
    assert index.distance_km(7, 0, 0) is None


@pytest.mark.parametrize("leaf_docs", [1, 5, 32, 1000])
def test_leaf_size_and_cells_kept_between_queries_never_change_an_answer(
    monkeypatch: pytest.MonkeyPatch, leaf_docs: int
) -> None:
    monkeypatch.setattr("searcher.search.geocells.LEAF_DOCS", leaf_docs)
    rng = random.Random(2)
    points = [(rng.gauss(45, 1), rng.gauss(7, 1)) for _ in range(300)]
    index = geo_index(points)

    def odd(doc: int) -> bool:
        return doc % 2 == 1

    for lat, lon in [(45, 7), (45.5, 7.5), (45, 7), (44, 6)] * 2:
        assert index.nearest(lat, lon, 12) == ranked(points, lat, lon)[:12]
        assert index.nearest(lat, lon, 12, allowed=odd) == ranked(points, lat, lon, odd)[:12]
        assert index.within_radius(lat, lon, 80) == [x for x in ranked(points, lat, lon)
                                                     if x[0] <= 80]  # fmt: skip


def test_queries_read_only_candidate_cells(table: str) -> None:
    if table == "plain":
        pytest.skip("the plain list measures every point: it has no cells to read")
    rng = random.Random(1)
    points = [
        (math.degrees(math.asin(rng.uniform(-1, 1))), rng.uniform(-180, 180)) for _ in range(2000)
    ]
    index = geo_index(points)
    for doc, (lat, lon) in enumerate(stored(p) for p in points[:20]):
        assert index.within_radius(lat, lon, 5) == [(0.0, doc)]
        assert index.last_candidates < 10
        assert index.nearest(lat, lon, 10) == ranked(points, lat, lon)[:10]
        assert index.last_candidates < 100


@pytest.mark.parametrize("sizes", [[], [2, 3]], ids=["one place a post", "trips"])
def test_nearest_takes_each_posts_least_only_where_a_post_has_several_places(
    table: str, sizes: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    if table == "plain":
        pytest.skip("the plain list always takes each post's least")
    from searcher.search import geocells, geoplain

    least: list[int] = []  # the calls of measure(), which keeps each doc's least (a dict)
    monkeypatch.setattr(geocells, "measure", lambda *a: least.append(1) or geoplain.measure(*a))
    rng = random.Random(2)
    points = [(rng.uniform(40, 41), rng.uniform(2, 3)) for _ in range(300)]
    trips = trips_of(points, sizes)
    index = trip_index(trips)
    for lat, lon in points[:10]:
        assert index.nearest(lat, lon, 5) == ranked_trips(trips, lat, lon)[:5]
    assert bool(least) == bool(sizes)


def test_the_table_is_chosen_by_the_count_of_located_posts(monkeypatch: pytest.MonkeyPatch) -> None:
    from searcher.search.geocells import CellIndex
    from searcher.search.geoplain import PlainPoints

    points = [(45.0 + i / 100, 7.0) for i in range(30)]
    for small, kind in ((30, PlainPoints), (29, CellIndex)):
        monkeypatch.setattr("searcher.search.geosearch.SMALL_TABLE", small)
        index = geo_index(points)
        assert index.nearest(45.0, 7.0, 3) == ranked(points, 45.0, 7.0)[:3]
        assert isinstance(index._table, kind)


# --- properties against brute force ---------------------------------------------------------

CENTRES = [(48.85, 2.35), (89.9, 0.0), (-89.9, 120.0), (0.0, 179.99), (35.0, -179.99)]


@st.composite
def clustered_points(draw: st.DrawFn) -> list[Point]:
    """Uniform points, clusters (near the poles and the 180th meridian too) and duplicates."""
    uniform = st.tuples(st.floats(-90, 90), st.floats(-180, 180))
    near = st.tuples(st.sampled_from(CENTRES), st.floats(-0.2, 0.2), st.floats(-0.5, 0.5)).map(
        lambda c: (min(max(c[0][0] + c[1], -90.0), 90.0), (c[0][1] + c[2] + 180) % 360 - 180)
    )
    size = draw(st.integers(0, 280))
    points = draw(st.lists(st.one_of(uniform, near, near), min_size=size, max_size=size))
    copies = draw(st.lists(st.sampled_from(points), max_size=20)) if points else []
    return points + copies


queries = st.one_of(
    st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
    st.sampled_from(CENTRES),
)
PROPERTY = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.data_too_large]
)


@PROPERTY
@given(clustered_points(), queries, st.integers(1, 40), st.booleans())
def test_nearest_is_brute_force_top_k(
    points: list[Point], query: Point, k: int, bounded: bool
) -> None:
    index = geo_index(points)
    want = ranked(points, *query)
    assert index.nearest(*query, k) == want[:k]
    if bounded and want:
        radius = want[len(want) // 2][0]
        expected = [x for x in want if x[0] <= radius][:k]
        assert index.nearest(*query, k, radius_km=radius) == expected


@PROPERTY
@given(clustered_points(), queries, st.floats(0, 3000) | st.sampled_from([0.0, 1.0, 50.0]))
def test_within_radius_is_brute_force_filter(
    points: list[Point], query: Point, radius: float
) -> None:
    found = geo_index(points).within_radius(*query, radius)
    assert found == [x for x in ranked(points, *query) if x[0] <= radius]


boxes = st.builds(
    lambda s, n, w, e: BBox(min(s, n), w, max(s, n), e),
    st.floats(-90, 90),
    st.floats(-90, 90),
    st.floats(-180, 180),
    st.floats(-180, 180),
)


@PROPERTY
@given(clustered_points(), st.lists(boxes, min_size=1, max_size=4))
def test_in_bbox_is_brute_force_contains(points: list[Point], some_boxes: list[BBox]) -> None:
    index = geo_index(points)
    for box in some_boxes:
        want = [i for i, p in enumerate(points) if box.contains(*stored(p))]
        assert index.in_bbox(box) == want


triangles = st.lists(
    st.tuples(st.floats(-180, 180), st.floats(-90, 90)), min_size=3, max_size=3
).map(shapely.Polygon)


@PROPERTY
@given(clustered_points(), st.lists(triangles, min_size=1, max_size=3))
def test_in_shape_is_brute_force_intersects(points: list[Point], shapes: list[Any]) -> None:
    index = geo_index(points)
    for shape in [*shapes, shapely.MultiPolygon(shapes)]:
        if not shape.is_valid or shape.is_empty:
            continue
        want = [
            i for i, p in enumerate(points) if shape.intersects(shapely.Point(*stored(p)[::-1]))
        ]
        assert index.in_shape(shape) == want


def trips_of(points: list[Point], sizes: list[int]) -> list[list[Point]]:
    """The points cut into posts of 1, 2, 3… places each (a trip has several)."""
    trips, start = [], 0
    for size in sizes:
        if start >= len(points):
            break
        trips.append(points[start : start + size])
        start += size
    return trips + [[p] for p in points[start:]]


def trip_index(trips: list[list[Point]]) -> GeoIndex:
    posts = [
        Post(path=f"p{9999 - i:04d}", title="t", date=None,
             locations=tuple(Location(lat, lon) for lat, lon in trip))
        for i, trip in enumerate(trips)
    ]  # fmt: skip
    return GeoIndex(make_index(posts, segments=2), include_private=False)


def ranked_trips(trips: list[list[Point]], lat: float, lon: float) -> list[tuple[float, int]]:
    """Brute force: each post at its nearest place, ties by path."""
    nearest = [min(haversine_km(lat, lon, *stored(p)) for p in trip) for trip in trips]
    found = sorted(zip(nearest, range(len(trips)), strict=True))
    out: list[tuple[float, int]] = []
    while found:
        run = [x for x in found if x[0] - found[0][0] <= TIE_KM]
        out += sorted(run, key=lambda x: post(x[1], None).path)
        found = found[len(run) :]
    return out


@PROPERTY
@given(clustered_points(), st.lists(st.integers(1, 4), max_size=60), queries,
       st.integers(1, 30), st.floats(0, 3000), st.lists(boxes, min_size=1, max_size=2))  # fmt: skip
def test_posts_with_several_places_are_found_once_at_their_nearest(
    points: list[Point], sizes: list[int], query: Point, k: int, radius: float, some: list[BBox]
) -> None:
    trips = trips_of(points, sizes)
    index = trip_index(trips)
    want = ranked_trips(trips, *query)
    assert index.nearest(*query, k) == want[:k]
    assert index.within_radius(*query, radius) == [x for x in want if x[0] <= radius]
    assert index.count() == len(trips)
    for dist, doc in want[:5]:
        assert index.distance_km(doc, *query) == dist
    for box in some:
        inside = [i for i, t in enumerate(trips) if any(box.contains(*stored(p)) for p in t)]
        assert index.in_bbox(box) == inside


@settings(max_examples=200, deadline=None)
@given(
    st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
    st.text("0123456789bcdefghjkmnpqrstuvwxyz", min_size=0, max_size=6),
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_child_bounds_are_exact_boxes_and_lower_bounds(
    query: Point, parent: str, u: float, v: float
) -> None:
    box = geohash_bbox(parent) if parent else BBox(-90, -180, 90, 180)
    split = split_cell((parent, box.south, box.west, box.north, box.east))
    for low, (cell, south, west, north, east) in child_bounds(*query, split):
        assert BBox(south, west, north, east) == geohash_bbox(cell)
        assert low <= min_distance_to_cell_km(*query, cell) + 2e-3
        lat, lon = south + u * (north - south), west + v * (east - west)
        assert low <= haversine_km(*query, lat, lon)
