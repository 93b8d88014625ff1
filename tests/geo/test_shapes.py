from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES

from searcher.errors import UsageError
from searcher.geo import shapes


def test_geojson_feature() -> None:
    geometry = shapes.load(FIXTURES / "herault.geojson")
    assert geometry.geom_type == "Polygon" and geometry.bounds == (3.5, 43.3, 4.1, 43.75)


def test_wkt_multipolygon() -> None:
    assert shapes.load(FIXTURES / "berlin-munich.wkt").geom_type == "MultiPolygon"


def test_feature_collection_unions_its_polygons() -> None:
    text = (
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "geometry": {"type": "Polygon",'
        ' "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}},'
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [5, 5]}}]}'
    )
    assert shapes.parse(text).geom_type == "Polygon"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"type": "Point", "coordinates": [1, 2]}', "found Point"),
        ("LINESTRING (0 0, 1 1)", "found LineString"),
        ("not a shape", "not a GeoJSON or WKT polygon"),
        (
            '{"type": "Polygon", "coordinates": [[[0,0],[500,0],[500,1],[0,0]]]}',
            "longitude, latitude",
        ),
        ("[1, 2]", "not a GeoJSON or WKT polygon"),
        ('{"type": "FeatureCollection", "features": []}', "holds no polygon"),
    ],
)
def test_bad_shapes(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        shapes.parse(text)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read"):
        shapes.load(tmp_path / "missing.geojson")
