from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.errors import InvalidCoordinates, UsageError
from searcher.geo.maps import WORLD, Extent, MapPoint, extent, render, render_html, render_svg

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

FRANCE = [
    MapPoint(43.61, 3.88, "Montpellier"),
    MapPoint(48.85, 2.35, "Paris"),
    MapPoint(45.76, 4.84, "Lyon"),
    MapPoint(47.22, -1.55, "Nantes"),
]
ANTIMERIDIAN = [MapPoint(-17.0, 179.9, "east of the line"), MapPoint(-17.2, -179.9, "west")]
SPREAD = [
    MapPoint(35.69, 139.69, "Tokyo"),
    MapPoint(40.71, -74.01, "New York"),
    MapPoint(48.85, 2.35, "Paris"),
    MapPoint(-33.87, 151.21, "Sydney"),
]


def _svg_root(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def _contains(view: Extent, point: MapPoint) -> bool:
    lon = point.lon if point.lon >= view.west else point.lon + 360.0
    return view.west <= lon <= view.east and view.south <= point.lat <= view.north


@pytest.mark.parametrize("points", [FRANCE, SPREAD, ANTIMERIDIAN, []])
def test_svg_has_one_circle_per_point(points: list[MapPoint]) -> None:
    root = _svg_root(render_svg(points, title="Where"))
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) == len(points)
    assert [c.findtext(f"{SVG}title") for c in circles] == [p.label for p in points]
    _, _, width, height = map(float, root.attrib["viewBox"].split())
    for circle in circles:
        assert 0 <= float(circle.attrib["cx"]) <= width
        assert 0 <= float(circle.attrib["cy"]) <= height
    assert root.findall(f".//{SVG}path")  # some land is drawn


@pytest.mark.parametrize(
    "label",
    ["<script>alert(1)</script>", 'a "quoted" & <b>bold</b> label', "bell\x07 and nul\x00"],
)
def test_labels_and_titles_are_inert_text(label: str) -> None:
    text = render_svg([MapPoint(43.6, 3.9, label)], title=label)
    assert "<script" not in text
    assert "<b>" not in text
    root = _svg_root(text)  # still well-formed XML
    tooltip = root.find(f".//{SVG}circle/{SVG}title")
    assert tooltip is not None
    assert tooltip.text == label.replace("\x07", "").replace("\x00", "")
    assert label.replace("\x07", "").replace("\x00", "") in "".join(root.itertext())


def test_svg_title_is_optional() -> None:
    assert _svg_root(render_svg(FRANCE)).find(f".//{SVG}text") is None
    titled = _svg_root(render_svg(FRANCE, title="France"))
    assert titled.findtext(f".//{SVG}text") == "France"


@pytest.mark.parametrize("width", [400, 1000, 1600])
def test_svg_width(width: int) -> None:
    root = _svg_root(render_svg(SPREAD, width=width))
    assert root.attrib["viewBox"].split()[:3] == ["0", "0", str(width)]


@pytest.mark.parametrize(
    ("points", "max_width", "max_height"),
    [
        (FRANCE, 25.0, 20.0),
        (ANTIMERIDIAN, 12.0, 12.0),
        ([MapPoint(78.22, 15.63, "Longyearbyen")], 60.0, 10.0),
        ([MapPoint(-89.9, 0.0, "South Pole")], 60.0, 10.0),
        ([MapPoint(10.0, -179.5, "just east of the line")], 12.0, 12.0),
        ([MapPoint(0.0, 100.0, "a"), MapPoint(0.0, -120.0, "b")], 200.0, 200.0),  # via Pacific
    ],
)
def test_extent_zooms_on_the_points(
    points: list[MapPoint], max_width: float, max_height: float
) -> None:
    view = extent(points)
    assert 0 < view.width <= max_width
    assert 0 < view.height <= max_height
    assert -180.0 <= view.west < 180.0
    assert -90.0 <= view.south < view.north <= 90.0
    assert all(_contains(view, p) for p in points)


def test_antimeridian_cluster_is_shown_in_one_piece() -> None:
    view = extent(ANTIMERIDIAN)
    assert view.west < 180.0 < view.east  # one continuous view across the line
    root = _svg_root(render_svg(ANTIMERIDIAN))
    xs = [float(c.attrib["cx"]) for c in root.findall(f".//{SVG}circle")]
    assert abs(xs[0] - xs[1]) < 100  # neighbours on the map, not on opposite edges


@pytest.mark.parametrize("points", [SPREAD, []])
def test_spread_points_show_the_world(points: list[MapPoint]) -> None:
    view = extent(points)
    assert (view.west, view.east) == (-180.0, 180.0)
    assert view.height >= WORLD.height


def test_france_is_much_smaller_than_the_world() -> None:
    assert extent(FRANCE).width * extent(FRANCE).height < WORLD.width * WORLD.height / 50


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.builds(
            MapPoint,
            lat=st.floats(-90, 90),
            lon=st.floats(-180, 180),
            label=st.text(max_size=5),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_extent_always_holds_every_point(points: list[MapPoint]) -> None:
    view = extent(points)
    assert 0 < view.width <= 360.0
    assert -90.0 <= view.south < view.north <= 90.0
    assert all(_contains(view, p) for p in points)


@pytest.mark.parametrize(
    ("lat", "lon"), [(91.0, 0.0), (0.0, 181.0), (float("nan"), 0.0), (0.0, float("inf"))]
)
def test_bad_coordinates_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(InvalidCoordinates):
        render_svg([MapPoint(lat, lon, "bad")])


@pytest.mark.parametrize(
    ("points", "title", "width", "height_range"),
    [
        (FRANCE, "France", 1000, (500, 1500)),
        (SPREAD, None, 1000, (300, 600)),
        (ANTIMERIDIAN, "Fiji", 1000, (500, 1500)),
    ],
)
def test_png(
    tmp_path: Path,
    points: list[MapPoint],
    title: str | None,
    width: int,
    height_range: tuple[int, int],
) -> None:
    path = tmp_path / "map.png"
    render(points, path, title=title)
    got_width, got_height = _png_size(path)
    assert got_width == width
    assert height_range[0] <= got_height <= height_range[1]
    svg = _svg_root(render_svg(points, title=title))
    assert got_height == int(svg.attrib["height"])  # the same scene as the SVG


@pytest.mark.parametrize("suffix", [".html", ".HTM"])
def test_html_is_self_contained(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"map{suffix}"
    render([*FRANCE, MapPoint(43.4, 3.7, "<script>alert('x')</script>")], path, title="Posts")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page
    assert page.count("<circle") == len(FRANCE) + 1
    assert "<script" not in page
    for fetching in ("src=", "<link", "@import", "url(", "<img", "<iframe"):
        assert fetching not in page
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg"}
    assert page == render_html(
        [*FRANCE, MapPoint(43.4, 3.7, "<script>alert('x')</script>")], title="Posts"
    )


def test_svg_file(tmp_path: Path) -> None:
    path = tmp_path / "map.svg"
    render(FRANCE, path, title="France")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<?xml")
    assert len(_svg_root(text).findall(f".//{SVG}circle")) == len(FRANCE)


@pytest.mark.parametrize("name", ["map.jpg", "map", "map.svgz"])
def test_unknown_format_is_a_usage_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match=r"\.svg, \.png or \.html"):
        render(FRANCE, tmp_path / name)
    assert not (tmp_path / name).exists()


def test_too_narrow_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        render_svg(FRANCE, width=10)
