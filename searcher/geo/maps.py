"""A self-contained picture of where posts are: points over a light world outline.

People would rather look than read. The outline is the Natural Earth-derived 1:110m geometry
that ``countryinfo`` ships, so nothing is fetched: no tiles, no fonts, no scripts. The view
zooms to the points with a margin, and a cluster astride the 180th meridian is shown in one
piece. SVG is written here, HTML embeds that SVG inline, and PNG is drawn by matplotlib from the
same projected shapes (pure wheels, no system library).
"""

from __future__ import annotations

import functools
import html
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from searcher.errors import UsageError
from searcher.geo.sphere import parse_coordinate
from searcher.models import Hit

FORMATS = (".svg", ".png", ".html")
WORLD_SOUTH, WORLD_NORTH = -58.0, 84.0  # the whole-world view leaves out most of Antarctica
SEA, LAND, BORDER, INK = "#eaf1f7", "#d9d9d9", "#ffffff", "#333333"
POINT, POINT_EDGE = "#d6336c", "#ffffff"
_MARGIN = 0.15  # of the points' span, on each side
_MIN_MARGIN_DEG = 5.0  # one point shows its region: the 1:110m outline is too coarse closer
_WORLD_SPAN_DEG = 250.0  # wider than this, show the whole world
_MIN_ASPECT, _MAX_ASPECT = 1.0, 2.4  # width / height of the map area
_MIN_LAKE_DEG2 = 1.0  # holes left by countries the data lacks are filled; the Caspian stays
_TITLE_BAND = 0.045  # title band height, as a share of the width
_TITLE_FONT = 0.55  # title font size, as a share of the band
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class MapPoint:
    """One thing to show: where, and the label its tooltip gives (a post title, say)."""

    lat: float
    lon: float
    label: str


def hit_points(hits: Iterable[Hit]) -> list[MapPoint]:
    """A point for every place the hits show (a trip has several), labelled by its post."""
    return [
        MapPoint(place.lat, place.lon, hit.title)
        for hit in hits
        for place in (hit.locations or ((hit.location,) if hit.location else ()))
        if place.lat is not None and place.lon is not None
    ]


@dataclass(frozen=True)
class Extent:
    """The area shown, in degrees; ``east`` exceeds 180 when the view crosses the antimeridian."""

    west: float
    south: float
    east: float
    north: float

    @property
    def width(self) -> float:
        return self.east - self.west

    @property
    def height(self) -> float:
        return self.north - self.south


WORLD = Extent(-180.0, WORLD_SOUTH, 180.0, WORLD_NORTH)


@dataclass(frozen=True)
class _Scene:
    """Everything to draw, in pixels (y down): the one model both writers read."""

    width: int
    height: int
    title: str | None
    band: int  # height of the title band on top (0 without a title)
    land: list[list[np.ndarray]]  # closed rings (n-by-2 arrays) per land mass, holes included
    borders: list[np.ndarray]  # open lines: country outlines without the 180th-meridian seam
    points: list[tuple[float, float, str]]
    radius: float


def render(points: Sequence[MapPoint], path: Path, *, title: str | None = None) -> None:
    """Write the map to ``path``; the suffix (.svg, .png or .html) picks the format."""
    suffix = path.suffix.lower()
    if suffix == ".htm":
        suffix = ".html"
    if suffix not in FORMATS:
        raise UsageError(
            f"cannot write a map as {suffix or 'a file without suffix'!r}: use .svg, .png or .html"
        )
    if suffix == ".png":
        _write_png(_scene(points, title, 1000), path)
    elif suffix == ".svg":
        path.write_text(render_svg(points, title=title), encoding="utf-8")
    else:
        path.write_text(render_html(points, title=title), encoding="utf-8")


def render_svg(
    points: Sequence[MapPoint],
    *,
    title: str | None = None,
    width: int = 1000,
    standalone: bool = True,
) -> str:
    """The map as an SVG document (labels become ``<title>`` tooltips); ``standalone=False``
    leaves out the XML declaration, for SVG inline in an HTML page."""
    return _svg(_scene(points, title, width), standalone=standalone)


def render_html(points: Sequence[MapPoint], *, title: str | None = None) -> str:
    """A page with the SVG inline: no scripts, style sheets, fonts or images to fetch."""
    heading = _text(title or "Map")
    svg = _svg(_scene(points, title, 1000), standalone=False)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{heading}</title>\n"
        "<style>body{margin:0;background:#fff}svg{display:block;width:100%;height:auto}"
        "circle:hover{fill:#a61e4d}</style>\n"
        f"</head>\n<body>\n{svg}</body>\n</html>\n"
    )


def extent(points: Sequence[MapPoint]) -> Extent:
    """The area to show: the points plus a margin, the whole world when they are spread."""
    if not points:
        return WORLD
    west, east = _lon_span(sorted(_lon(p) for p in points))
    south, north = min(_lat(p) for p in points), max(_lat(p) for p in points)
    margin_x = max((east - west) * _MARGIN, _MIN_MARGIN_DEG)
    margin_y = max((north - south) * _MARGIN, _MIN_MARGIN_DEG)
    west, east, south, north = west - margin_x, east + margin_x, south - margin_y, north + margin_y
    if east - west > _WORLD_SPAN_DEG:
        return Extent(
            -180.0, max(-90.0, min(south, WORLD_SOUTH)), 180.0, min(90.0, max(north, WORLD_NORTH))
        )
    k = _x_scale(south, north)
    if (east - west) * k < (north - south) * _MIN_ASPECT:  # too tall: widen
        grow = ((north - south) * _MIN_ASPECT / k - (east - west)) / 2
        west, east = west - grow, east + grow
    elif (east - west) * k > (north - south) * _MAX_ASPECT:  # too flat: heighten
        grow = ((east - west) * k / _MAX_ASPECT - (north - south)) / 2
        south, north = south - grow, north + grow
    south, north = _clamp_band(south, north)
    if west < -180.0:  # keep the west edge in -180..180; the east may then pass 180
        west, east = west + 360.0, east + 360.0
    return Extent(west, south, east, north)


def _lon_span(lons: list[float]) -> tuple[float, float]:
    """West and east of the shortest arc holding every longitude (east may exceed 180)."""
    gap, start = max(
        [(lons[0] + 360.0 - lons[-1], 0)]
        + [(lons[i + 1] - lons[i], i + 1) for i in range(len(lons) - 1)]
    )
    if start == 0:  # the widest gap is the one across the antimeridian: a plain span
        return lons[0], lons[-1]
    return lons[start], lons[start] + 360.0 - gap


def _clamp_band(south: float, north: float) -> tuple[float, float]:
    """Slide (and at worst cut) a latitude band to stay within the poles."""
    if north > 90.0:
        south, north = south - (north - 90.0), 90.0
    if south < -90.0:
        south, north = -90.0, min(90.0, north + (-90.0 - south))
    return south, north


def _x_scale(south: float, north: float) -> float:
    """Equirectangular with its standard parallel mid-view, so regions keep their shape."""
    return max(math.cos(math.radians((south + north) / 2)), 0.2)


def _scene(points: Sequence[MapPoint], title: str | None, width: int) -> _Scene:
    if width < 100:
        raise UsageError(f"map width {width} is too small (at least 100 pixels)")
    view = extent(points)
    k = _x_scale(view.south, view.north)
    scale = width / (view.width * k)
    top = round(width * _TITLE_BAND) if title else 0
    height = top + round(view.height * scale)

    def project(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(
            ((xy[:, 0] - view.west) * k * scale, top + (view.north - xy[:, 1]) * scale)
        )

    tolerance = 0.6 / scale  # about half a pixel: the outline stays light at any zoom
    borders, land = _geometry()
    placed = []
    for point in points:
        lon = _lon(point)
        while lon < view.west:
            lon += 360.0
        x, y = project(np.array([[lon, _lat(point)]]))[0]
        placed.append((float(x), float(y), _clean(point.label)))
    return _Scene(
        width=width,
        height=height,
        title=_clean(title) if title else None,
        band=top,
        land=[list(map(project, rings)) for rings in _clip(land, view, tolerance)],
        borders=[project(line) for lines in _clip(borders, view, tolerance) for line in lines],
        points=placed,
        radius=max(2.5, width / 220),
    )


def _clip(shapes: Sequence[Any], view: Extent, tolerance: float) -> Iterator[list[np.ndarray]]:
    """Each shape's lines inside ``view``, copied ±360° when the view passes the antimeridian."""
    for offset in (-360.0, 0.0, 360.0):
        west, east = view.west - offset, view.east - offset
        if east <= -180.0 or west >= 180.0:
            continue
        box = (west, view.south, east, view.north)
        for shape in shapes:
            minx, miny, maxx, maxy = shape.bounds
            if maxx < west or minx > east or maxy < view.south or miny > view.north:
                continue
            clipped = shapely.clip_by_rect(shapely.simplify(shape, tolerance), *box)
            lines = [np.asarray(c) + np.array([offset, 0.0]) for c in _coordinates(clipped)]
            if lines:
                yield lines


def _coordinates(geometry: Any) -> Iterator[Any]:
    """Every polygon ring (exteriors counter-clockwise, holes not) or line in ``geometry``."""
    for part in shapely.get_parts(geometry):
        if part.is_empty:
            continue
        if part.geom_type == "Polygon":
            oriented = shapely.geometry.polygon.orient(part)
            yield oriented.exterior.coords
            for hole in oriented.interiors:
                yield hole.coords
        elif part.geom_type in ("LineString", "LinearRing"):
            yield part.coords
        elif part.geom_type in ("MultiPolygon", "MultiLineString", "GeometryCollection"):
            yield from _coordinates(part)


@functools.cache
def _geometry() -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Country outlines (as lines) and the land they make, loaded once from ``countryinfo``."""
    from countryinfo import CountryInfo

    countries = tuple(
        shapely.make_valid(shapely.geometry.shape(feature["geometry"]))
        for info in CountryInfo.all().values()
        for feature in (info.get("geoJSON") or {}).get("features", [])
    )
    land = []
    for mass in shapely.get_parts(shapely.union_all(countries)):
        lakes = [r for r in mass.interiors if shapely.Polygon(r).area >= _MIN_LAKE_DEG2]
        land.append(shapely.Polygon(mass.exterior, lakes))
    seam = shapely.MultiLineString([[(lon, -90.0), (lon, 90.0)] for lon in (-180.0, 180.0)])
    borders = tuple(shapely.difference(shapely.boundary(c), seam) for c in countries)
    return borders, tuple(land)


def _lat(point: MapPoint) -> float:
    return parse_coordinate(point.lat, "lat")


def _lon(point: MapPoint) -> float:
    return parse_coordinate(point.lon, "lon")


def _clean(value: str) -> str:
    """``value`` without the control characters XML forbids (labels come from posts)."""
    return _NOT_XML.sub("", value)


def _text(value: str) -> str:
    """``value`` safe as XML text or attribute value."""
    return html.escape(_clean(value), quote=True)


# --- writers -----------------------------------------------------------------------------


def _svg(scene: _Scene, *, standalone: bool = True) -> str:
    """The scene as SVG markup; every piece of text from outside is escaped here."""
    w, h = scene.width, scene.height
    name = _text(scene.title or "Map")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else "",
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
        f'height="{h}" role="img" aria-label="{name}">\n',
        f"<title>{name}</title>\n",
        f'<rect width="{w}" height="{h}" fill="{SEA}"/>\n',
        f'<g fill="{LAND}" fill-rule="evenodd" stroke="none">\n',
        *(f'<path d="{_path_data(rings, closed=True)}"/>\n' for rings in scene.land),
        f'</g>\n<g fill="none" stroke="{BORDER}" stroke-width="0.8" stroke-linejoin="round">\n',
        f'<path d="{_path_data(scene.borders, closed=False)}"/>\n',
        "</g>\n",
    ]
    if scene.title:
        band = scene.band
        out.append(f'<rect width="{w}" height="{band}" fill="#ffffff" fill-opacity="0.9"/>\n')
        out.append(
            f'<text x="{band * 0.3:.1f}" y="{band * 0.68:.1f}" font-family="sans-serif" '
            f'font-size="{band * _TITLE_FONT:.1f}" fill="{INK}">{_text(scene.title)}</text>\n'
        )
    out.append(f'<g fill="{POINT}" fill-opacity="0.85" stroke="{POINT_EDGE}" stroke-width="1">\n')
    out.extend(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{scene.radius:.1f}">'
        f"<title>{_text(label)}</title></circle>\n"
        for x, y, label in scene.points
    )
    out.append("</g>\n</svg>\n")
    return "".join(out)


def _path_data(lines: list[np.ndarray], *, closed: bool) -> str:
    """SVG path data, one decimal: a pixel tenth is finer than the outline's own detail."""
    if closed:
        return "".join("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in r[:-1]) + "Z" for r in lines)
    return "".join("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in line) for line in lines)


def _write_png(scene: _Scene, path: Path, dpi: int = 100) -> None:
    """Draw the scene with matplotlib's Agg renderer (no pyplot state, no display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection, PatchCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle, PathPatch, Rectangle
    from matplotlib.path import Path as MplPath

    figure = Figure(figsize=(scene.width / dpi, scene.height / dpi), dpi=dpi, facecolor=SEA)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    axes.set_xlim(0, scene.width)
    axes.set_ylim(scene.height, 0)
    axes.set_axis_off()
    points_per_pixel = 72 / dpi

    def patches(shapes: list[list[np.ndarray]]) -> list[PathPatch]:
        return [PathPatch(MplPath.make_compound_path(*map(MplPath, rings))) for rings in shapes]

    axes.add_collection(PatchCollection(patches(scene.land), facecolor=LAND, edgecolor="none"))
    axes.add_collection(
        LineCollection(scene.borders, colors=BORDER, linewidths=0.8 * points_per_pixel)
    )
    if scene.title:
        band = scene.band
        axes.add_patch(Rectangle((0, 0), scene.width, band, facecolor="white", alpha=0.9))
        axes.text(
            band * 0.3,
            band * 0.5,
            scene.title,
            fontsize=band * _TITLE_FONT * points_per_pixel,
            color=INK,
            va="center",
            parse_math=False,
        )
    circles = [Circle((x, y), scene.radius) for x, y, _ in scene.points]
    axes.add_collection(
        PatchCollection(
            circles,
            facecolor=POINT,
            alpha=0.85,
            edgecolor=POINT_EDGE,
            linewidth=points_per_pixel,
            zorder=3,
        )
    )
    figure.savefig(path, format="png", dpi=dpi, facecolor=SEA)
