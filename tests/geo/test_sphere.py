"""Tests for searcher.geo: edge cases by table, coverings and bounds against brute force."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from searcher.errors import InvalidCoordinates, UsageError
from searcher.geo import (
    EARTH_RADIUS_KM,
    BBox,
    cell_size_km,
    cells_covering_bbox,
    cells_covering_circle,
    choose_precision,
    circle_bbox,
    geohash_bbox,
    geohash_encode,
    haversine_km,
    min_distance_to_box_km,
    min_distance_to_cell_km,
    parse_bbox,
    parse_coordinate,
    parse_point,
    parse_radius_km,
    precision_for_bbox,
    precision_for_circle,
)

PARIS = (48.8566, 2.3522)
LONDON = (51.5074, -0.1278)


# --- independent references ---------------------------------------------------------------


def vector_distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance via 3-D unit vectors and atan2, independent of haversine."""

    def unit(lat: float, lon: float) -> tuple[float, float, float]:
        p, q = math.radians(lat), math.radians(lon)
        return math.cos(p) * math.cos(q), math.cos(p) * math.sin(q), math.sin(p)

    (ax, ay, az), (bx, by, bz) = unit(lat1, lon1), unit(lat2, lon2)
    cross = (ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx)
    dot = ax * bx + ay * by + az * bz
    return EARTH_RADIUS_KM * math.atan2(math.hypot(*cross), dot)


def destination(lat: float, lon: float, bearing: float, km: float) -> tuple[float, float]:
    """The point ``km`` away from (lat, lon) along ``bearing`` degrees."""
    p1, d, b = math.radians(lat), km / EARTH_RADIUS_KM, math.radians(bearing)
    sin_p2 = math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b)
    p2 = math.asin(max(-1.0, min(1.0, sin_p2)))
    dl = math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * sin_p2)
    lon2 = (lon + math.degrees(dl) + 180.0) % 360.0 - 180.0
    return math.degrees(p2), lon2


# --- strategies: plain ranges plus the awkward places (poles, the 180th meridian) ----------

lats = st.one_of(
    st.floats(-90, 90),
    st.floats(88, 90),
    st.floats(-90, -88),
    st.sampled_from([-90.0, 0.0, 90.0]),
)
lons = st.one_of(
    st.floats(-180, 180),
    st.floats(178, 180),
    st.floats(-180, -178),
    st.sampled_from([-180.0, 0.0, 180.0]),
)
radii = st.one_of(st.floats(0, 5), st.floats(5, 500), st.floats(500, 21000))
fractions = st.floats(0, 1)
FAST = settings(max_examples=150, deadline=None)


# --- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "axis", "expected"),
    [
        (" 43.484082 ", "lat", 43.484082),
        ("3,676690", "lon", 3.67669),
        ("+3.5", "lat", 3.5),
        ("-0.5", "lon", -0.5),
        (".5", "lat", 0.5),
        ("1e1", "lat", 10.0),
        (90, "lat", 90.0),
        (-90, "lat", -90.0),
        (-180, "lon", -180.0),
        (180.0, "lon", 180.0),
        (Decimal("12.25"), "lat", 12.25),
        (0, "lon", 0.0),
    ],
)
def test_parse_coordinate_accepts(value: object, axis: str, expected: float) -> None:
    assert parse_coordinate(value, axis) == pytest.approx(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "axis"),
    [
        (True, "lat"),
        (False, "lon"),
        (None, "lat"),
        ("", "lat"),
        ("   ", "lon"),
        ("abc", "lon"),
        ("nan", "lat"),
        ("inf", "lon"),
        (float("nan"), "lat"),
        (float("-inf"), "lon"),
        (Decimal("NaN"), "lat"),
        (Decimal("sNaN"), "lat"),
        ("1,2,3", "lat"),
        ("1.2,3", "lat"),
        ("1_000", "lon"),
        ("0x10", "lon"),
        ("--1", "lat"),
        ([1.0], "lat"),
        (95, "lat"),
        (-90.5, "lat"),
        ("180.5", "lon"),
        (-181, "lon"),
    ],
)
def test_parse_coordinate_rejects(value: object, axis: str) -> None:
    with pytest.raises(InvalidCoordinates):
        parse_coordinate(value, axis)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "axis", "message"),
    [
        (95, "lat", "latitude 95.0 is outside -90..90"),
        ("abc", "lon", "longitude 'abc' is not a number"),
        ("-200", "lon", "longitude -200.0 is outside -180..180"),
    ],
)
def test_parse_coordinate_reasons(value: object, axis: str, message: str) -> None:
    with pytest.raises(InvalidCoordinates) as caught:
        parse_coordinate(value, axis)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_invalid_coordinates_is_a_usage_error() -> None:
    assert issubclass(InvalidCoordinates, UsageError)


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [("43.5", "3,5", (43.5, 3.5)), (0, 1, (0.0, 1.0)), (-1, 0, (-1.0, 0.0))],
)
def test_parse_point_accepts(lat: object, lon: object, expected: tuple[float, float]) -> None:
    assert parse_point(lat, lon) == expected


@pytest.mark.parametrize(("lat", "lon"), [(0, 0), ("0", "0.0"), (-0.0, 0), ("0,0", 0)])
def test_parse_point_rejects_placeholder(lat: object, lon: object) -> None:
    with pytest.raises(InvalidCoordinates, match="placeholder"):
        parse_point(lat, lon)


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (0, "x"), (None, 1)])
def test_parse_point_rejects_bad_axis(lat: object, lon: object) -> None:
    with pytest.raises(InvalidCoordinates):
        parse_point(lat, lon)


@pytest.mark.parametrize(
    ("text", "km"),
    [
        ("20", 20.0),
        (20, 20.0),
        (2.5, 2.5),
        ("20km", 20.0),
        ("20 km", 20.0),
        ("500m", 0.5),
        ("5mi", 8.04672),
        ("1.5KM", 1.5),
        ("3nmi", 5.556),
        ("1,5 km", 1.5),
        (" 7 ", 7.0),
        ("1e3m", 1.0),
    ],
)
def test_parse_radius_accepts(text: str | float, km: float) -> None:
    assert parse_radius_km(text) == pytest.approx(km)


@pytest.mark.parametrize(
    "text",
    ["0", 0, -1, "-5km", "abc", "", "km", "5 parsecs", "5 k m", math.inf, math.nan, "1e400", True],
)
def test_parse_radius_rejects(text: str | float) -> None:
    with pytest.raises(UsageError):
        parse_radius_km(text)


@pytest.mark.parametrize(
    ("text", "box", "crosses"),
    [
        ("43,3,44,4", BBox(43, 3, 44, 4), False),
        (" -10 , 170 , 10 , -170 ", BBox(-10, 170, 10, -170), True),
        ("-90,-180,90,180", BBox(-90, -180, 90, 180), False),
        ("5,5,5,5", BBox(5, 5, 5, 5), False),
    ],
)
def test_parse_bbox_accepts(text: str, box: BBox, crosses: bool) -> None:
    parsed = parse_bbox(text)
    assert parsed == box
    assert parsed.crosses_antimeridian is crosses


@pytest.mark.parametrize(
    "text", ["", "1,2,3", "1,2,3,4,5", "50,0,40,10", "a,b,c,d", "95,0,96,1", "0,-190,1,0"]
)
def test_parse_bbox_rejects(text: str) -> None:
    with pytest.raises(UsageError):
        parse_bbox(text)


# --- boxes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("box", "point", "inside"),
    [
        (BBox(-10, 170, 10, -170), (0, 179.9), True),
        (BBox(-10, 170, 10, -170), (0, -179.9), True),
        (BBox(-10, 170, 10, -170), (0, 0), False),
        (BBox(-10, 170, 10, -170), (11, 180), False),
        (BBox(0, 170, 10, 180), (5, -180), True),
        (BBox(0, -180, 10, -170), (5, 180), True),
        (BBox(0, 0, 10, 10), (10, 10), True),
        (BBox(0, 0, 10, 10), (10.0001, 5), False),
    ],
)
def test_bbox_contains(box: BBox, point: tuple[float, float], inside: bool) -> None:
    assert box.contains(*point) is inside


def test_bbox_split_at_antimeridian() -> None:
    assert BBox(-1, 170, 1, -170).split() == [BBox(-1, 170, 1, 180), BBox(-1, -180, 1, -170)]


def test_circle_across_antimeridian_is_two_boxes() -> None:
    boxes = circle_bbox(0, 179.9, 50)
    assert len(boxes) == 2
    assert any(b.contains(0, -179.9) for b in boxes)
    assert not any(b.crosses_antimeridian for b in boxes)


@pytest.mark.parametrize(("lat", "lon"), [(90, 0), (-90, 123), (89.9, -45), (-89.95, 179)])
def test_circle_around_pole_spans_all_longitudes(lat: float, lon: float) -> None:
    (box,) = circle_bbox(lat, lon, 50)
    assert (box.west, box.east) == (-180.0, 180.0)
    assert all(box.contains(math.copysign(89.9, lat), x) for x in range(-180, 181, 10))


@pytest.mark.parametrize(("lat", "lon"), [(0, 0), (48.8566, 2.3522), (90, 0), (-12, 180)])
def test_zero_radius_circle_holds_its_centre(lat: float, lon: float) -> None:
    assert any(b.contains(lat, lon) for b in circle_bbox(lat, lon, 0))
    p = precision_for_circle(lat, lon, 0)
    assert geohash_encode(lat, lon, p) in cells_covering_circle(lat, lon, 0, p)


def test_circle_bigger_than_earth_is_the_world() -> None:
    assert circle_bbox(10, 10, 20100) == [BBox(-90, -180, 90, 180)]
    assert len(cells_covering_circle(10, 10, 20100, 1)) == 32


@pytest.mark.parametrize("radius", [-1.0, math.nan, math.inf])
def test_bad_radius_is_a_usage_error(radius: float) -> None:
    with pytest.raises(UsageError):
        circle_bbox(0, 0, radius)


# --- distances ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        ((10, 20), (10, 20), 0.0),
        ((90, 0), (90, 120), 0.0),
        ((0, 180), (0, -180), 0.0),
        ((0, 0), (0, 180), math.pi * EARTH_RADIUS_KM),
        ((90, 0), (-90, 0), math.pi * EARTH_RADIUS_KM),
        ((40, -30), (-40, 150), math.pi * EARTH_RADIUS_KM),
        ((0, 0), (0, 1), math.radians(EARTH_RADIUS_KM)),
        ((0, 179.5), (0, -179.5), math.radians(EARTH_RADIUS_KM)),
    ],
)
def test_haversine_known(a: tuple[float, float], b: tuple[float, float], km: float) -> None:
    assert haversine_km(*a, *b) == pytest.approx(km, abs=1e-3)  # haversine: ~0.2 m at antipodes


def test_antipodes_are_half_a_circumference() -> None:
    assert haversine_km(0, 0, 0, 180) == pytest.approx(20015.1, abs=0.05)


def test_paris_london() -> None:
    km = haversine_km(*PARIS, *LONDON)
    assert km == pytest.approx(343.5, abs=0.5)
    assert km == pytest.approx(vector_distance_km(*PARIS, *LONDON), rel=1e-3)


@FAST
@given(lats, lons, lats, lons)
def test_haversine_matches_vector_formula(a: float, b: float, c: float, d: float) -> None:
    km = haversine_km(a, b, c, d)
    assert km == pytest.approx(vector_distance_km(a, b, c, d), abs=1e-3)
    assert km == haversine_km(c, d, a, b)
    assert 0.0 <= km <= math.pi * EARTH_RADIUS_KM


# --- geohash ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "cell"),
    [
        (42.6, -5.6, "ezs42"),
        (57.64911, 10.40744, "u4pruydqqvj"),
        (48.8566, 2.3522, "u09tvw0"),
        (37.7749, -122.4194, "9q8yyk8"),
        (90, 180, "zzzzz"),
        (-90, -180, "00000"),
        (0, 0, "s0000"),
    ],
)
def test_geohash_vectors(lat: float, lon: float, cell: str) -> None:
    assert geohash_encode(lat, lon, len(cell)) == cell
    assert geohash_bbox(cell).contains(lat, lon)


def test_geohash_bbox_of_ezs42() -> None:
    box = geohash_bbox("EZS42")
    assert (box.south, box.west) == (42.5830078125, -5.625)
    assert (box.north, box.east) == (42.626953125, -5.5810546875)


@pytest.mark.parametrize("cell", ["", "a", "ezs4i", "ezs42!", "0" * 13])
def test_geohash_bbox_rejects(cell: str) -> None:
    with pytest.raises(UsageError):
        geohash_bbox(cell)


@pytest.mark.parametrize("precision", [0, 13, -1])
def test_geohash_precision_range(precision: int) -> None:
    with pytest.raises(UsageError):
        geohash_encode(0, 0, precision)


@FAST
@given(lats, lons, st.integers(1, 12))
def test_geohash_cell_holds_point_and_prefixes_nest(lat: float, lon: float, p: int) -> None:
    cell = geohash_encode(lat, lon, p)
    assert geohash_bbox(cell).contains(lat, lon)
    assert geohash_encode(lat, lon, 12).startswith(cell)


# --- coverings against brute force --------------------------------------------------------


def capped(lat: float, lon: float, radius: float, precision: int) -> int:
    """The drawn precision, coarsened so the covering stays small enough to enumerate."""
    return min(precision, precision_for_circle(lat, lon, radius, max_cells=400, max_precision=12))


def assert_covered(lat: float, lon: float, radius: float, q: tuple[float, float], p: int) -> None:
    assume(haversine_km(lat, lon, *q) <= radius)
    assert any(box.contains(*q) for box in circle_bbox(lat, lon, radius))
    p = capped(lat, lon, radius, p)
    assert geohash_encode(*q, p) in cells_covering_circle(lat, lon, radius, p)


@FAST
@given(lats, lons, radii, st.floats(0, 360), fractions, st.integers(1, 12))
def test_circle_covering_holds_points_inside(
    lat: float, lon: float, radius: float, bearing: float, frac: float, p: int
) -> None:
    assert_covered(lat, lon, radius, destination(lat, lon, bearing, frac * radius), p)


@FAST
@given(lats, lons, radii, lats, lons, st.integers(1, 12))
def test_circle_covering_holds_any_point_in_range(
    lat: float, lon: float, radius: float, qlat: float, qlon: float, p: int
) -> None:
    # independent points mostly fall outside small circles: skip those without filtering,
    # which tripped hypothesis's filter-too-much health check on a loaded machine
    if haversine_km(lat, lon, qlat, qlon) <= radius:
        assert_covered(lat, lon, radius, (qlat, qlon), p)


@pytest.mark.parametrize("p", [1, 2, 3, 4, 5, 6])
def test_circle_at_antimeridian_reaches_other_side(p: int) -> None:
    assert geohash_encode(0, -179.9, p) in cells_covering_circle(0, 179.9, 50, p)


@pytest.mark.parametrize("p", [1, 2, 3])
def test_circle_at_pole_covers_every_longitude(p: int) -> None:
    cells = cells_covering_circle(90, 0, 200, p)
    assert all(geohash_encode(89.5, x, p) in cells for x in range(-180, 181, 5))


@st.composite
def boxes(draw: st.DrawFn) -> BBox:
    south, north = sorted((draw(lats), draw(lats)))
    return BBox(south, draw(lons), north, draw(lons))


@FAST
@given(boxes(), fractions, fractions, st.integers(1, 12))
def test_bbox_covering_holds_points_inside(box: BBox, u: float, v: float, p: int) -> None:
    width = (box.east - box.west) % 360.0 if box.crosses_antimeridian else box.east - box.west
    lat = box.south + u * (box.north - box.south)
    lon = (box.west + v * width + 180.0) % 360.0 - 180.0
    assume(box.contains(lat, lon))
    p = min(p, precision_for_bbox(box, max_cells=400, max_precision=12))
    assert geohash_encode(lat, lon, p) in cells_covering_bbox(box, p)


@FAST
@given(st.lists(st.tuples(lats, lons), min_size=1, max_size=60), lats, lons, radii)
def test_radius_search_over_cells_equals_brute_force(
    points: list[tuple[float, float]], lat: float, lon: float, radius: float
) -> None:
    p = precision_for_circle(lat, lon, radius)
    index: dict[str, list[tuple[float, float]]] = {}
    for point in points:
        index.setdefault(geohash_encode(*point, p), []).append(point)
    candidates = [q for c in cells_covering_circle(lat, lon, radius, p) for q in index.get(c, [])]
    found = sorted(q for q in candidates if haversine_km(lat, lon, *q) <= radius)
    assert found == sorted(q for q in points if haversine_km(lat, lon, *q) <= radius)


# --- the lower bound used to prove k-nearest ----------------------------------------------


@FAST
@given(lats, lons, lats, lons, st.integers(1, 8), fractions, fractions)
def test_min_distance_never_exceeds_true_distance(
    lat: float, lon: float, clat: float, clon: float, p: int, u: float, v: float
) -> None:
    cell = geohash_encode(clat, clon, p)
    box = geohash_bbox(cell)
    q = box.south + u * (box.north - box.south), box.west + v * (box.east - box.west)
    bound = min_distance_to_cell_km(lat, lon, cell)
    assert 0.0 <= bound <= haversine_km(lat, lon, *q)
    if box.contains(lat, lon):
        assert bound == 0.0


def sampled_boundary_min(lat: float, lon: float, box: BBox, n: int = 200) -> float:
    """Brute force: the smallest distance to ``n`` samples along each edge of the box."""
    steps = [i / n for i in range(n + 1)]
    edge = [(box.south + t * (box.north - box.south), box.west) for t in steps]
    edge += [(box.south + t * (box.north - box.south), box.east) for t in steps]
    edge += [(box.south, box.west + t * (box.east - box.west)) for t in steps]
    edge += [(box.north, box.west + t * (box.east - box.west)) for t in steps]
    return min(haversine_km(lat, lon, *q) for q in edge)


@FAST
@given(lats, lons, lats, lons, st.integers(1, 6))
def test_min_distance_is_tight(lat: float, lon: float, clat: float, clon: float, p: int) -> None:
    box = geohash_bbox(geohash_encode(clat, clon, p))
    assume(not box.contains(lat, lon))
    step = max(cell_size_km(p)) / 200
    brute = sampled_boundary_min(lat, lon, box)
    assert brute - step - 1e-6 <= min_distance_to_box_km(lat, lon, box) <= brute


@pytest.mark.parametrize(
    ("point", "cell_of", "p", "expected"),
    [
        ((48.8566, 2.3522), (48.8566, 2.3522), 5, 0.0),
        ((0, 179.99), (0, -179.99), 5, 0.0),  # neighbouring cells across the 180th meridian
        ((90, 0), (60, 100), 2, None),  # from the pole: the cell's latitude gap
        ((-90, 0), (-60, -100), 2, None),
    ],
)
def test_min_distance_cases(
    point: tuple[float, float], cell_of: tuple[float, float], p: int, expected: float | None
) -> None:
    cell = geohash_encode(*cell_of, p)
    box = geohash_bbox(cell)
    bound = min_distance_to_cell_km(*point, cell)
    if expected is None:
        gap = min(abs(point[0] - box.north), abs(point[0] - box.south))
        expected = math.radians(gap) * EARTH_RADIUS_KM
    assert bound == pytest.approx(expected, abs=2.0 if expected == 0 else 2e-3)


def test_min_distance_across_antimeridian_box() -> None:
    box = BBox(-1, 170, 1, -170)
    assert min_distance_to_box_km(0, 179, box) == 0.0
    assert min_distance_to_box_km(0, -160, box) == pytest.approx(
        haversine_km(0, -160, 0, -170), rel=1e-6
    )


# --- precision choice ---------------------------------------------------------------------


def test_choose_precision_is_monotone() -> None:
    radii_km = [0.001, 0.01, 0.1, 1, 5, 20, 100, 500, 2000, 20000]
    chosen = [choose_precision(r) for r in radii_km]
    assert chosen == sorted(chosen, reverse=True)
    assert chosen[0] == 8 and chosen[-1] == 1


@FAST
@given(st.floats(-60, 60), lons, st.floats(0.01, 5000))
def test_choose_precision_keeps_coverings_modest(lat: float, lon: float, radius: float) -> None:
    assert len(cells_covering_circle(lat, lon, radius, choose_precision(radius))) <= 64


@FAST
@given(lats, lons, st.floats(0, 5000))
def test_precision_for_circle_bounds_cells_everywhere(lat: float, lon: float, r: float) -> None:
    assert len(cells_covering_circle(lat, lon, r, precision_for_circle(lat, lon, r))) <= 64
