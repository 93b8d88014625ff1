"""Pure geographic maths: parsing coordinates, distances, boxes and geohash coverings.

Every covering here is conservative (it may include extra area, never misses a point) and
every distance bound is a lower bound, so a search built on them equals brute force.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from searcher.errors import InvalidCoordinates, UsageError

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
MAX_PRECISION = 12  # longest geohash supported (60 bits)
DEFAULT_MAX_PRECISION = 8  # longest geohash prefix the index is expected to store

_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
_DECODE = {c: i for i, c in enumerate(_BASE32)}
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_RADIUS = re.compile(
    r"(?P<num>[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?)\s*(?P<unit>[a-z]*)"
)
_UNITS_KM = {"": 1.0, "km": 1.0, "m": 0.001, "mi": 1.609344, "nmi": 1.852}
_AXES = {"lat": ("latitude", 90.0), "lon": ("longitude", 180.0)}
# Slack that keeps coverings and bounds conservative despite rounding: haversine loses up to
# ~0.25 m near antipodes (asin near 1), so one metre covers every case.
_SLACK_REL = 1e-9
_SLACK_KM = 1e-3


# --- parsing -----------------------------------------------------------------------------


def _to_float(value: object) -> float | None:
    """The number ``value`` spells, or None; decimal commas are accepted in strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else math.nan
    if isinstance(value, str):
        text = value.strip()
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")
        return float(text) if _NUMBER.fullmatch(text) else None
    return None


def parse_coordinate(value: object, axis: Literal["lat", "lon"]) -> float:
    """Parse one latitude or longitude in degrees; raise InvalidCoordinates with a reason."""
    name, limit = _AXES[axis]
    if type(value) is float and -limit <= value <= limit:  # a query's own, checked (NaN is not)
        return value
    number = _to_float(value)
    if number is None:
        raise InvalidCoordinates(f"{name} {value!r} is not a number")
    if not math.isfinite(number):
        raise InvalidCoordinates(f"{name} {value!r} is not a finite number")
    if not -limit <= number <= limit:
        raise InvalidCoordinates(f"{name} {number} is outside {-limit:g}..{limit:g}")
    return number


def parse_point(lat: object, lon: object) -> tuple[float, float]:
    """Parse a (lat, lon) pair, rejecting the (0, 0) placeholder some tools write."""
    point = parse_coordinate(lat, "lat"), parse_coordinate(lon, "lon")
    if point == (0.0, 0.0):
        raise InvalidCoordinates("0, 0 is a placeholder, not a place")
    return point


def parse_radius_km(text: str | float | int) -> float:
    """Parse a radius such as ``20``, ``"20 km"``, ``"500m"``, ``"5mi"`` or ``"3nmi"`` into km."""
    if isinstance(text, bool):
        raise UsageError(f"radius {text!r} is not a distance")
    if isinstance(text, int | float):
        km = float(text)
    else:
        match = _RADIUS.fullmatch(str(text).strip().lower())
        if match is None or match["unit"] not in _UNITS_KM:
            raise UsageError(f"radius {text!r} is not a distance (try 20km, 500m, 5mi, 3nmi)")
        km = float(match["num"].replace(",", ".")) * _UNITS_KM[match["unit"]]
    if not math.isfinite(km) or km <= 0:
        raise UsageError(f"radius {text!r} must be a finite distance greater than 0")
    return km


def _check_radius(radius_km: float) -> None:
    if not (math.isfinite(radius_km) and radius_km >= 0):
        raise UsageError(f"radius {radius_km!r} must be a finite distance of at least 0")


# --- distances and boxes -----------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2
    h += math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def _lon_between(lon: float, west: float, east: float) -> bool:
    """Whether ``lon`` lies in [west, east], wrapping when west > east; ±180 are one meridian."""
    candidates = (lon, -lon) if abs(lon) == 180.0 else (lon,)
    if west <= east:
        return any(west <= x <= east for x in candidates)
    return any(x >= west or x <= east for x in candidates)


@dataclass(frozen=True)
class BBox:
    """A latitude/longitude box in degrees; ``west > east`` means it crosses the 180th meridian."""

    south: float
    west: float
    north: float
    east: float

    def __post_init__(self) -> None:
        for value in (self.south, self.north):
            parse_coordinate(value, "lat")
        for value in (self.west, self.east):
            parse_coordinate(value, "lon")
        if self.south > self.north:
            raise UsageError(f"box south {self.south} is north of its north {self.north}")

    @property
    def crosses_antimeridian(self) -> bool:
        return self.west > self.east

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies in the box, edges included."""
        return self.south <= lat <= self.north and _lon_between(lon, self.west, self.east)

    def split(self) -> list[BBox]:
        """The box as one or two boxes that do not cross the antimeridian."""
        if not self.crosses_antimeridian:
            return [self]
        return [
            BBox(self.south, self.west, self.north, 180.0),
            BBox(self.south, -180.0, self.north, self.east),
        ]


def parse_bbox(text: str) -> BBox:
    """Parse ``"S,W,N,E"`` in degrees; W > E means the box crosses the 180th meridian."""
    parts = str(text).split(",")
    if len(parts) != 4:
        raise UsageError(f"box {text!r} must be four numbers: south,west,north,east")
    south, north = parse_coordinate(parts[0], "lat"), parse_coordinate(parts[2], "lat")
    west, east = parse_coordinate(parts[1], "lon"), parse_coordinate(parts[3], "lon")
    return BBox(south, west, north, east)


def _angular_radius_deg(radius_km: float) -> float:
    """The radius as an angle in degrees, widened a hair to absorb rounding."""
    return math.degrees((radius_km * (1 + _SLACK_REL) + _SLACK_KM) / EARTH_RADIUS_KM)


def circle_bbox(lat: float, lon: float, radius_km: float) -> list[BBox]:
    """One or two boxes (split at the antimeridian) that together contain the whole circle."""
    _check_radius(radius_km)
    return [BBox(*box) for box in circle_boxes(lat, lon, radius_km)]


def circle_boxes(
    lat: float, lon: float, radius_km: float
) -> list[tuple[float, float, float, float]]:
    """:func:`circle_bbox` as (south, west, north, east) tuples, unchecked: for a hot path."""
    delta = _angular_radius_deg(radius_km)
    south, north = lat - delta, lat + delta
    if south <= -90.0 or north >= 90.0:  # the circle holds a pole: all longitudes
        return [(max(south, -90.0), -180.0, min(north, 90.0), 180.0)]
    ratio = math.sin(math.radians(delta)) / math.cos(math.radians(lat))
    half = math.degrees(math.asin(min(1.0, ratio)))
    west, east = lon - half, lon + half
    if west < -180.0:
        west += 360.0
    elif east > 180.0:
        east -= 360.0
    if west > east:  # across the antimeridian, as BBox.split cuts it
        return [(south, west, north, 180.0), (south, -180.0, north, east)]
    return [(south, west, north, east)]


def _meridian_distance_km(
    lat: float, lon: float, meridian: float, south: float, north: float
) -> float:
    """Exact distance from a point to the meridian segment ``meridian`` x [south, north]."""
    phi, dlon = math.radians(lat), math.radians(lon - meridian)
    # cos(distance) along the meridian is A sin(t) + B cos(t), peaking at t0 = atan2(A, B);
    # on [-90, 90] it is either unimodal at t0 or largest at an end, so these candidates suffice.
    foot = math.degrees(math.atan2(math.sin(phi), math.cos(phi) * math.cos(dlon)))
    candidates = (min(max(foot, south), north), south, north)
    return min(haversine_km(lat, lon, t, meridian) for t in candidates)


def min_distance_to_box_km(lat: float, lon: float, box: BBox) -> float:
    """A lower bound (exact up to rounding) on the distance from the point to the box."""
    best = math.inf
    for part in box.split():
        if _lon_between(lon, part.west, part.east):
            # The point's own meridian crosses the box; nothing is closer than the latitude gap.
            gap = max(part.south - lat, lat - part.north, 0.0)
            dist = EARTH_RADIUS_KM * math.radians(gap)
        else:
            # Outside the longitude span, the nearest point lies on a meridian edge.
            dist = min(
                _meridian_distance_km(lat, lon, edge, part.south, part.north)
                for edge in (part.west, part.east)
            )
        best = min(best, dist)
    return max(0.0, best * (1 - _SLACK_REL) - _SLACK_KM)


# --- geohash -----------------------------------------------------------------------------


def _bits(precision: int) -> tuple[int, int]:
    """Number of (latitude, longitude) bits in a geohash of this precision."""
    if not 1 <= precision <= MAX_PRECISION:
        raise UsageError(f"geohash precision {precision} is outside 1..{MAX_PRECISION}")
    total = 5 * precision
    return total // 2, total - total // 2


def _index(value: float, lo: float, hi: float, bits: int) -> int:
    """The cell index of ``value`` along one axis, by exact bisection as geohash defines it."""
    index = 0
    for _ in range(bits):
        mid = (lo + hi) / 2
        index <<= 1
        if value >= mid:
            index |= 1
            lo = mid
        else:
            hi = mid
    return index


def _interleave(lat_index: int, lon_index: int, precision: int) -> str:
    lat_bits, lon_bits = _bits(precision)
    code = 0
    for i in range(5 * precision):  # bit 0 (most significant) is longitude
        axis_index, remaining = (lon_index, lon_bits) if i % 2 == 0 else (lat_index, lat_bits)
        code = (code << 1) | ((axis_index >> (remaining - 1 - i // 2)) & 1)
    return "".join(_BASE32[(code >> (5 * (precision - 1 - k))) & 31] for k in range(precision))


def geohash_encode(lat: float, lon: float, precision: int) -> str:
    """The standard base32 geohash of the point at ``precision`` characters."""
    lat_bits, lon_bits = _bits(precision)
    return _interleave(
        _index(lat, -90.0, 90.0, lat_bits), _index(lon, -180.0, 180.0, lon_bits), precision
    )


def geohash_bbox(cell: str) -> BBox:
    """The box a geohash cell covers."""
    text = cell.strip().lower()
    if not text or any(c not in _DECODE for c in text):
        raise UsageError(f"{cell!r} is not a geohash")
    lat_bits, lon_bits = _bits(len(text))
    lat_index = lon_index = 0
    for i, bit in enumerate(b for c in text for b in format(_DECODE[c], "05b")):
        if i % 2 == 0:
            lon_index = (lon_index << 1) | int(bit)
        else:
            lat_index = (lat_index << 1) | int(bit)
    lat_step, lon_step = 180.0 / (1 << lat_bits), 360.0 / (1 << lon_bits)
    south, west = -90.0 + lat_index * lat_step, -180.0 + lon_index * lon_step
    return BBox(south, west, south + lat_step, west + lon_step)


def _ranges(box: BBox, precision: int) -> tuple[range, list[range]]:
    """Row range and column ranges of the cells meeting the box; ±180 count as one meridian."""
    lat_bits, lon_bits = _bits(precision)
    rows = range(_index(box.south, -90, 90, lat_bits), _index(box.north, -90, 90, lat_bits) + 1)
    last = (1 << lon_bits) - 1
    columns: list[range] = []
    for part in box.split():
        first, final = (
            _index(part.west, -180, 180, lon_bits),
            _index(part.east, -180, 180, lon_bits),
        )
        columns.append(range(first, final + 1))
        if part.east == 180.0 and first > 0:
            columns.append(range(0, 1))
        if part.west == -180.0 and final < last:
            columns.append(range(last, last + 1))
    return rows, columns


def _count(box: BBox, precision: int) -> int:
    rows, columns = _ranges(box, precision)
    return len(rows) * sum(len(c) for c in columns)


def _cells(box: BBox, precision: int) -> Iterator[str]:
    rows, columns = _ranges(box, precision)
    for column in columns:
        for lon_index in column:
            for lat_index in rows:
                yield _interleave(lat_index, lon_index, precision)


def cells_covering_bbox(box: BBox, precision: int) -> set[str]:
    """Every geohash cell of ``precision`` that meets the box (edges included)."""
    return set(_cells(box, precision))


def cells_covering_circle(lat: float, lon: float, radius_km: float, precision: int) -> set[str]:
    """Every geohash cell of ``precision`` holding a point within ``radius_km`` of the centre.

    A circle holding a pole meets every column of cells: pick ``precision_for_circle``.
    """
    return {
        cell
        for box in circle_bbox(lat, lon, radius_km)
        for cell in _cells(box, precision)
        if min_distance_to_cell_km(lat, lon, cell) <= radius_km
    }


def min_distance_to_cell_km(lat: float, lon: float, cell: str) -> float:
    """A lower bound on the distance from the point to any point of the cell (0 inside)."""
    return min_distance_to_box_km(lat, lon, geohash_bbox(cell))


def cell_size_km(precision: int) -> tuple[float, float]:
    """Height and width in km of a cell of ``precision`` at the equator."""
    lat_bits, lon_bits = _bits(precision)
    km_per_degree = math.radians(EARTH_RADIUS_KM)
    return 180.0 / (1 << lat_bits) * km_per_degree, 360.0 / (1 << lon_bits) * km_per_degree


def choose_precision(radius_km: float, *, max_precision: int = DEFAULT_MAX_PRECISION) -> int:
    """The finest precision whose cells are at least half the radius across at the equator."""
    _check_radius(radius_km)
    _bits(max_precision)
    for precision in range(max_precision, 1, -1):
        if min(cell_size_km(precision)) >= radius_km / 2:
            return precision
    return 1


def precision_for_bbox(
    box: BBox, *, max_cells: int = 64, max_precision: int = DEFAULT_MAX_PRECISION
) -> int:
    """The finest precision at which the box meets at most ``max_cells`` cells (at least 1)."""
    _bits(max_precision)
    for precision in range(max_precision, 1, -1):
        if _count(box, precision) <= max_cells:
            return precision
    return 1


def precision_for_circle(
    lat: float,
    lon: float,
    radius_km: float,
    *,
    max_cells: int = 64,
    max_precision: int = DEFAULT_MAX_PRECISION,
) -> int:
    """Like :func:`choose_precision` but also bounds the cell count near the poles."""
    boxes = circle_bbox(lat, lon, radius_km)
    start = choose_precision(radius_km, max_precision=max_precision)
    for precision in range(start, 1, -1):
        if sum(_count(box, precision) for box in boxes) <= max_cells:
            return precision
    return 1
