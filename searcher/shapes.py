"""Reading the polygons of ``--within``: GeoJSON (geometry, Feature, FeatureCollection) or WKT."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape

from searcher.errors import UsageError

_AREAS = ("Polygon", "MultiPolygon")
MAX_BYTES = 20 * 1024 * 1024


def load(path: Path) -> Any:
    """The polygon or multipolygon in ``path`` (lon/lat, as GeoJSON writes them)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UsageError(f"{path}: larger than {MAX_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read ({exc})") from None
    return parse(text, str(path))


def parse(text: str, name: str = "shape") -> Any:
    """A polygon from GeoJSON or WKT text; :class:`UsageError` for anything else."""
    stripped = text.lstrip()
    try:
        geometry = (
            _from_geojson(json.loads(stripped))
            if stripped.startswith("{")
            else shapely.from_wkt(stripped)
        )
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"{name}: not a GeoJSON or WKT polygon ({_first_line(exc)})") from None
    if geometry is None:
        raise UsageError(f"{name}: needs a Polygon or MultiPolygon, found nothing")
    return checked(geometry, name)


def checked(geometry: Any, name: str = "shape") -> Any:
    """``geometry`` if it is a usable area in degrees: a self-intersecting polygon is repaired
    (shapely's make_valid keeps every lobe, where a crossing ring would leave one half out)."""
    if geometry.geom_type not in _AREAS:
        raise UsageError(f"{name}: needs a Polygon or MultiPolygon, found {geometry.geom_type}")
    if geometry.is_empty:
        raise UsageError(f"{name}: the polygon is empty")
    minx, miny, maxx, maxy = geometry.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):  # NaN fails too
        raise UsageError(f"{name}: coordinates must be longitude, latitude in degrees")
    if not geometry.is_valid:
        geometry = _areas(shapely.make_valid(geometry))
        if geometry.is_empty:
            raise UsageError(f"{name}: the polygon encloses no area")
    shapely.prepare(geometry)
    return geometry


def _areas(geometry: Any) -> Any:
    """The polygons of a repaired geometry (make_valid may add the lines of a collapsed part)."""
    if geometry.geom_type in _AREAS:
        return geometry
    parts = [g for g in getattr(geometry, "geoms", ()) if g.geom_type in _AREAS]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _from_geojson(data: Any) -> Any:
    if not isinstance(data, dict):
        raise UsageError("GeoJSON must be an object")
    kind = data.get("type")
    if kind == "Feature":
        return _from_geojson(data.get("geometry"))
    if kind == "FeatureCollection":
        parts = [_from_geojson(f) for f in data.get("features") or []]
        areas = [p for p in parts if p.geom_type in _AREAS]
        if not areas:
            raise UsageError("the FeatureCollection holds no polygon")
        return shapely.union_all(areas)
    return shape(data)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
