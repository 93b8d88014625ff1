from __future__ import annotations

from typing import Any

import pytest

from searcher.models import Location
from searcher.places import find_location


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {
                "meta": {
                    "geo_latitude": "43.484082",
                    "geo_longitude": "3.676690",
                    "geo_public": "0",
                    "geo_address": "Chemin de Cresse, 34560 Poussan",
                }
            },
            Location(43.484082, 3.67669, False, "Chemin de Cresse, 34560 Poussan"),
        ),
        ({"geo_latitude": 52.5, "geo_longitude": "13.39"}, Location(52.5, 13.39, True, None)),
        (
            {"geo_latitude": "1", "geo_longitude": "2", "meta": {"geo_public": False}},
            Location(1, 2, False, None),
        ),
        (
            {"geo": [64.1417, -21.9266], "location": "Reykjavik, IS"},
            Location(64.1417, -21.9266, True, "Reykjavik, IS"),
        ),
        ({"geo": "64.1, -21.9"}, Location(64.1, -21.9, True, None)),
        ({"location": {"lat": "-17.70", "lon": 179.91}}, Location(-17.7, 179.91, True, None)),
        ({"location": {"latitude": 10, "longitude": 20}}, Location(10, 20, True, None)),
        ({"lat": 41.38, "lng": 2.19}, Location(41.38, 2.19, True, None)),
        ({"latitude": 48.15, "longitude": 11.59}, Location(48.15, 11.59, True, None)),
        ({"coordinates": [15.6267, 78.2232]}, Location(78.2232, 15.6267, True, None)),
        (
            {"geometry": {"type": "Point", "coordinates": [2.35, 48.85]}},
            Location(48.85, 2.35, True, None),
        ),
        ({"extra": {"lat": 43.6, "lon": 3.88}}, Location(43.6, 3.88, True, None)),
        ({"params": {"geo": {"lat": 1.5, "long": 2.5}}}, Location(1.5, 2.5, True, None)),
        (
            {
                "postmeta": [
                    {"key": "geo_latitude", "value": "5"},
                    {"key": "geo_longitude", "value": "6"},
                    {"key": "geo_public", "value": "0"},
                ]
            },
            Location(5, 6, False, None),
        ),
        ({"location": "Toronto, CA"}, Location(None, None, True, "Toronto, CA")),
        ({"GEO_LATITUDE": "7", "Geo_Longitude": "8"}, Location(7, 8, True, None)),
        ({"title": "nothing here"}, None),
        ({}, None),
    ],
)
def test_shapes(data: dict[str, Any], expected: Location | None) -> None:
    location, warnings = find_location(data)
    assert location == expected
    assert warnings == []


@pytest.mark.parametrize(
    "data",
    [
        {"geo_latitude": "0", "geo_longitude": "0"},
        {"lat": 95.5, "lng": 3},
        {"lat": 45, "lng": 181},
        {"latitude": "abc", "longitude": "3"},
        {"geo": ["nan", 3]},
        {"geo": [True, 3]},
    ],
)
def test_bad_coordinates_are_dropped_with_a_warning(data: dict[str, Any]) -> None:
    location, warnings = find_location(data)
    assert location is None
    assert [w.reason for w in warnings] == ["bad-coordinates"]


def test_bad_coordinates_keep_the_address() -> None:
    location, warnings = find_location({"lat": 0, "lon": 0, "geo_address": "Null Island"})
    assert location == Location(None, None, True, "Null Island")
    assert len(warnings) == 1


def test_first_valid_shape_wins_after_a_bad_one() -> None:
    location, warnings = find_location({"lat": "x", "lon": "y", "geo": [1, 2]})
    assert location == Location(1, 2, True, None)
    assert len(warnings) == 1
