"""Finding places: every shape of front matter, the body's geo markup, geocoded names, privacy."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.errors import InvalidCoordinates
from searcher.geo.coords import parse_one, parse_pair
from searcher.ingest.places import (
    BODY,
    FRONT_MATTER,
    GEOCODED,
    MAX_PLACES,
    find_location,
    find_places,
)

Point = tuple[float, float, bool, str | None]


def points(data: dict[str, Any], body: str = "") -> list[Point]:
    """(lat, lon, public, address) of each place found, without geocoding; no warning allowed."""
    places, warnings = find_places(data, body, geocode=False)
    assert warnings == []
    return [(p.lat, p.lon, p.public, p.address) for p in places]  # type: ignore[misc]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # WordPress meta, nested or not, quoted strings, private
        ({"meta": {"geo_latitude": "43.484082", "geo_longitude": "3.676690", "geo_public": "0",
                   "geo_address": "Chemin de Cresse, 34560 Poussan"}},
         [(43.484082, 3.67669, False, "Chemin de Cresse, 34560 Poussan")]),
        ({"geo_latitude": 52.5, "geo_longitude": "13.39"}, [(52.5, 13.39, True, None)]),
        ({"geo_latitude": "1", "geo_longitude": "2", "meta": {"geo_public": False}},
         [(1, 2, False, None)]),
        # exporters' one-item lists, at the top and under meta
        ({"geo_latitude": ["50.741671"], "geo_longitude": [7.090104], "geo_public": ["1"]},
         [(50.741671, 7.090104, True, None)]),
        ({"meta": {"geo_latitude": ["44.85"], "geo_longitude": ["-0.57"]}},
         [(44.85, -0.57, True, None)]),
        # meta as a list of one-key maps, then a second 0/0 pair (a placeholder: dropped)
        ({"meta": [{"geo_latitude": "50.97"}, {"geo_longitude": "7.01"}, {"geo_public": "1"}]},
         [(50.97, 7.01, True, None)]),
        # WXR-style postmeta records
        ({"postmeta": [{"key": "geo_latitude", "value": "5"}, {"key": "geo_longitude",
                       "value": "6"}, {"key": "geo_public", "value": "0"}]},
         [(5, 6, False, None)]),
        # pairs in one value
        ({"geo": [64.1417, -21.9266], "location": "Reykjavik, IS"},
         [(64.1417, -21.9266, True, "Reykjavik, IS")]),
        ({"geo": "64.1, -21.9"}, [(64.1, -21.9, True, None)]),
        ({"coords": "43.48 3.67"}, [(43.48, 3.67, True, None)]),
        ({"gps": "34°11'N 119°14'W"}, [(34.183333, -119.233333, True, None)]),
        ({"gps": "N 34° 11.5' W 119° 14.2'"}, [(34.191667, -119.236667, True, None)]),
        ({"map": "43.6108,3.8767"}, [(43.6108, 3.8767, True, None)]),
        ({"map": "https://www.openstreetmap.org/?mlat=43.61&mlon=3.88#map=15/43.61/3.88"},
         [(43.61, 3.88, True, None)]),
        ({"location": "https://www.google.com/maps/@48.8584,2.2945,17z"},
         [(48.8584, 2.2945, True, None)]),
        ({"position": "120.5, 40.1"}, [(40.1, 120.5, True, None)]),  # 120.5 is no latitude
        # key families: lat + lng/long, latitude + longitude, camelCase, prefixes
        ({"location": {"lat": "-17.70", "lon": 179.91}}, [(-17.7, 179.91, True, None)]),
        ({"location": {"latitude": 10, "longitude": 20}}, [(10, 20, True, None)]),
        ({"lat": 41.38, "lng": 2.19}, [(41.38, 2.19, True, None)]),
        ({"lat": 41.38, "long": 2.19}, [(41.38, 2.19, True, None)]),
        ({"position_lat": 60.1, "position_lon": 24.9}, [(60.1, 24.9, True, None)]),
        ({"geoLatitude": 60.1, "geoLongitude": 24.9}, [(60.1, 24.9, True, None)]),
        ({"GEO_LATITUDE": "7", "Geo_Longitude": "8"}, [(7, 8, True, None)]),
        ({"extra": {"lat": 43.6, "lon": 3.88}}, [(43.6, 3.88, True, None)]),
        ({"params": {"geo": {"lat": 1.5, "long": 2.5}}}, [(1.5, 2.5, True, None)]),
        ({"latitude": "34°11'N", "longitude": "119°14'W"}, [(34.183333, -119.233333, True, None)]),
        # GeoJSON: longitude first
        ({"coordinates": [15.6267, 78.2232]}, [(78.2232, 15.6267, True, None)]),
        ({"geometry": {"type": "Point", "coordinates": [2.35, 48.85, 35]}},
         [(48.85, 2.35, True, None)]),
        # a trip: several places, named from a list beside them
        ({"locations": ["Kiel", "Oslo"], "coordinates": ["10.13,54.32", "10.75,59.91"]},
         [(54.32, 10.13, True, "Kiel"), (59.91, 10.75, True, "Oslo")]),
        ({"stops": [{"name": "Kiel", "lat": 54.32, "lon": 10.13},
                    {"name": "Oslo", "lat": 59.91, "lon": 10.75}]},
         [(54.32, 10.13, True, "Kiel"), (59.91, 10.75, True, "Oslo")]),
        ({"start_lat": 54.32, "start_lng": 10.13, "end_lat": 59.91, "end_lng": 10.75},
         [(54.32, 10.13, True, None), (59.91, 10.75, True, None)]),
        # both axes in one key's name, as map libraries write them (latLng, lng_lat)
        ({"lat_lng": "43.48,3.67"}, [(43.48, 3.67, True, None)]),
        ({"latLng": [43.48, 3.67]}, [(43.48, 3.67, True, None)]),
        ({"lng_lat": [3.67, 43.48]}, [(43.48, 3.67, True, None)]),
        ({"latitude_longitude": "43.48 3.67"}, [(43.48, 3.67, True, None)]),
        # lists of points under map words: markers, a route, a track, waypoints
        ({"markers": ["43.48,3.67", "43.61,3.87"]},
         [(43.48, 3.67, True, None), (43.61, 3.87, True, None)]),
        ({"route": [[43.48, 3.67], [43.61, 3.87]]},
         [(43.48, 3.67, True, None), (43.61, 3.87, True, None)]),
        ({"map": {"waypoints": [{"lat": 43.48, "lng": 3.67}]}}, [(43.48, 3.67, True, None)]),
        # PHP-serialised meta (an ACF map field, a geo plugin's array), byte lengths off
        ({"map_location": 'a:3:{s:7:"address";s:11:"S\u00e8te France";s:3:"lat";'
                          's:7:"43.4028";s:3:"lng";s:6:"3.6934";}'},
         [(43.4028, 3.6934, True, "S\u00e8te France")]),
        ({"meta": {"_geo": 'a:3:{s:3:"lat";d:1.5;s:3:"lon";d:2.5;s:6:"public";s:1:"0";}'}},
         [(1.5, 2.5, False, None)]),
        # GIS text: WKT (longitude first by definition) and JSON written into a string
        ({"geo": "POINT(3.67 43.48)"}, [(43.48, 3.67, True, None)]),
        ({"location": "SRID=4326;POINT (-0.57 44.85)"}, [(44.85, -0.57, True, None)]),
        ({"geo": '{"lat": 43.48, "lng": 3.67}'}, [(43.48, 3.67, True, None)]),
        ({"meta": {"place": '{"name": "Sete", "coordinates": [3.67, 43.48], "type": "Point"}'}},
         [(43.48, 3.67, True, "Sete")]),
        # the same point written twice is one place
        ({"geo": [52.5, 13.4], "lat": 52.5, "lon": 13.4}, [(52.5, 13.4, True, None)]),
        # names only, not geocoded here
        ({"location": "Toronto, CA"}, [(None, None, True, "Toronto, CA")]),
        ({"title": "nothing here", "tags": ["long", "lat"]}, []),
        ({"long": True}, []),
        ({}, []),
    ],
)  # fmt: skip
def test_shapes(data: dict[str, Any], expected: list[Point]) -> None:
    found = points(data)
    assert len(found) == len(expected)
    for (lat, lon, public, address), want in zip(found, expected, strict=True):
        if want[0] is None:
            assert (lat, lon) == (None, None)
        else:
            assert (lat, lon) == pytest.approx(want[:2], abs=1e-6)
        assert (public, address) == want[2:]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"GPSLatitude": "48 deg 51' 0.00\" N", "GPSLongitude": "2 deg 21' 0.00\" W"},
         (48.85, -2.35)),  # exiftool -S, the letter in the value
        ({"exif": {"GPSLatitude": "33 deg 51' 0.00\"", "GPSLatitudeRef": "South",
                   "GPSLongitude": 151.2, "GPSLongitudeRef": "E"}}, (-33.85, 151.2)),
        ({"gps_latitude": "12.5", "gps_latitude_ref": "N", "gps_longitude": 70.5,
          "gps_longitude_ref": "W"}, (12.5, -70.5)),
        ({"GPSPosition": "48 deg 51' 0.00\" N, 2 deg 21' 0.00\" E"}, (48.85, 2.35)),
    ],
)  # fmt: skip
def test_exif_style_keys_and_hemisphere_refs(
    data: dict[str, Any], expected: tuple[float, float]
) -> None:
    """Photo posts copy exiftool's tags: ``GPSLatitude`` is a coordinate key like
    ``geoLatitude``, and an unsigned value takes its hemisphere from ``GPSLatitudeRef``."""
    [(lat, lon, _, _)] = points(data)
    assert (lat, lon) == pytest.approx(expected)


def test_a_ref_naming_the_other_axis_drops_the_point_with_a_warning() -> None:
    places, warnings = find_places({"GPSLatitude": 10.0, "GPSLatitudeRef": "E",
                                    "GPSLongitude": 20.0}, geocode=False)  # fmt: skip
    assert places == () and [w.reason for w in warnings] == ["bad-coordinates"]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"geo_latitude": "0", "geo_longitude": "0"}, "placeholder"),
        ({"lat": 95.5, "lng": 3}, "outside"),
        ({"lat": 45, "lng": 181}, "outside"),
        ({"latitude": "abc", "longitude": "3"}, "not a number"),
        ({"geo": ["nan", 3]}, "mixes"),
        ({"geo": [True, 3]}, "mixes"),
        ({"geo": [43.48]}, "one coordinate"),
        ({"geo": [43.48, 3.67, 5]}, "3 values"),
        ({"coords": "43.48"}, "one coordinate"),
        ({"lat": 43.48}, "no longitude"),
        ({"gps": "N 34° 11' N 3° 2'"}, "one axis"),
        ({"meta": {"geo_latitude": "44.1", "geo_longitude": ""}}, "one coordinate"),
    ],
)
def test_bad_coordinates_are_dropped_with_a_warning(data: dict[str, Any], says: str) -> None:
    places, warnings = find_places(data, geocode=False)
    assert [p for p in places if p.has_point] == []
    assert [w.reason for w in warnings] == ["bad-coordinates"]
    assert says in warnings[0].message


def test_a_placeholder_beside_a_real_point_is_dropped_and_said() -> None:
    data = {"meta": [{"geo_latitude": "50.97"}, {"geo_longitude": "7.01"},
                     {"geo_latitude": "0"}, {"geo_longitude": "0"}]}  # fmt: skip
    places, warnings = find_places(data, geocode=False)
    assert [(p.lat, p.lon) for p in places] == [(50.97, 7.01)]
    assert [w.reason for w in warnings] == ["bad-coordinates"]


def test_empty_coordinates_are_no_place_and_no_warning() -> None:
    assert points({"geo_latitude": "", "geo_longitude": None, "geo_address": ""}) == []


def test_bad_coordinates_keep_the_address() -> None:
    places, warnings = find_places({"lat": 0, "lon": 0, "geo_address": "Null Island"},
                                   geocode=False)  # fmt: skip
    assert [(p.lat, p.lon, p.address) for p in places] == [(None, None, "Null Island")]
    assert len(warnings) == 1


def test_first_valid_shape_kept_after_a_bad_one() -> None:
    location, warnings = find_location({"lat": "x", "lon": "y", "geo": [1, 2]})
    assert location is not None and (location.lat, location.lon) == (1, 2)
    assert location.source == FRONT_MATTER
    assert len(warnings) == 1


# --- privacy fails closed -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", 1, True, "true", "yes", "public", ["1"]])
def test_clearly_public_values_keep_places_public(value: Any) -> None:
    assert points({"geo": [1, 2], "geo_public": value}) == [(1, 2, True, None)]


@pytest.mark.parametrize("value", ["0", 0, False, "false", "no", "private", ["0"]])
def test_clearly_private_values_make_places_private(value: Any) -> None:
    assert points({"geo": [1, 2], "geo_public": value}) == [(1, 2, False, None)]


@pytest.mark.parametrize("value", ["hidden", "none", "null", -1, "", None, 2, "maybe", [1, 2]])
def test_unclear_privacy_values_make_places_private_with_a_warning(value: Any) -> None:
    places, warnings = find_places({"geo": [1, 2], "geo_public": value}, geocode=False)
    assert [(p.lat, p.lon, p.public) for p in places] == [(1, 2, False)]
    assert [w.reason for w in warnings] == ["private-location"]


@pytest.mark.parametrize(
    "data",
    [
        {"location": {"lat": 1, "lon": 2}, "geo_public": "0"},  # beside the coordinates' map
        {"location": {"lat": 1, "lon": 2, "geo_public": "0"}},
        {"geo": [1, 2], "meta": [{"geo_public": "0"}]},
        {"geo": [1, 2], "location_private": True},
        {"geo": [1, 2], "geo_public": "1", "meta": {"geo_public": "0"}},  # any private wins
        {"coordinates": ["2,1", "4,3"], "geo_public": 0},  # every place of a trip
        {"geo": {"latitude": 1, "longitude": 2, "private": True}},  # the place's own flag
        {"geo": [1, 2], "private": "yes"},  # the whole post is private
        {"geo": [1, 2], "visibility": "private"},
        {"location": {"lat": 1, "lon": 2, "visibility": "hidden"}},
        {"geo": [1, 2], "geo_visibility": "friends"},
        {"geo": [1, 2], "location_hidden": True},
    ],
)
def test_privacy_is_honoured_in_every_shape(data: dict[str, Any]) -> None:
    places, _ = find_places(data, geocode=False)
    assert places and not any(p.public for p in places)


@pytest.mark.parametrize(
    "data",
    [
        {"geo": [1, 2], "private": False},
        {"geo": [1, 2], "visibility": "public"},
        {"geo": {"lat": 1, "lon": 2, "hidden": "no"}},
        # a bare flag of something else (the comments', a sidebar's) is not the place's
        {"geo": [1, 2], "comments": {"private": True}, "toc": {"visibility": "show"}},
    ],
)
def test_flags_that_say_public_keep_places_public(data: dict[str, Any]) -> None:
    places, warnings = find_places(data, geocode=False)
    assert [p.public for p in places] == [True] and warnings == []


def test_a_geocoded_place_of_a_private_post_is_private() -> None:
    places, warnings = find_places({"location": "Berlin, Germany", "geo_public": "0"})
    assert [(p.geocoded, p.public, p.source) for p in places] == [("Berlin, DE", False, GEOCODED)]
    assert warnings == []


# --- geocoding ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "label"),
    [
        ({"location": "Berlin, Germany"}, "Berlin, DE"),
        ({"place": "Paris, Texas"}, "Paris, TX, US"),
        ({"city": "Leeds", "country": "United Kingdom"}, "Leeds, ENG, GB"),
        ({"location": "Las Palmas de Gran Canaria, Canary Islands"},
         "Las Palmas de Gran Canaria, ES"),  # an unknown region is no obstacle
        ({"location": "Spanish Water, Curaçao"}, "Curaçao (country)"),  # a country's centre
        ({"location": {"name": "München"}}, "Munich, DE"),
    ],
)  # fmt: skip
def test_names_are_geocoded_and_the_pick_recorded(data: dict[str, Any], label: str) -> None:
    places, warnings = find_places(data)
    assert [(p.geocoded, p.source) for p in places] == [(label, GEOCODED)]
    assert places[0].has_point and warnings == []


def test_a_trip_of_names_gives_every_place() -> None:
    places, _ = find_places({"locations": ["Lisbon, Portugal", "Porto, Portugal"]})
    assert [p.geocoded for p in places] == ["Lisbon, PT", "Porto, PT"]


@pytest.mark.parametrize("value", ["Albany, NY", ["Albany, NY"]])
def test_a_list_key_holding_one_name_names_one_place(value: Any) -> None:
    """Jekyll travel posts write ``locations:`` as a list, or one string, even for one place."""
    places, warnings = find_places({"locations": value})
    assert [(p.geocoded, p.address) for p in places] == [("Albany, NY, US", "Albany, NY")]
    assert warnings == []


def test_a_list_key_holding_one_name_labels_the_one_point() -> None:
    data = {"locations": ["Albany, NY"], "coordinates": ["-73.756, 42.653"]}
    assert points(data) == [(42.653, -73.756, True, "Albany, NY")]


@pytest.mark.parametrize(
    "value", ["Lisbon -> Porto", "Lisbon → Porto", "Lisbon ⇒ Porto", ["Lisbon => Porto"]]
)
def test_a_route_written_as_one_name_gives_every_stop(value: Any) -> None:
    """Travel posts write the day's trip in one value: 'Lisbon -> Porto' was not found."""
    places, warnings = find_places({"location": value})
    assert [(p.address, p.geocoded) for p in places] == [
        ("Lisbon", "Lisbon, PT"),
        ("Porto", "Porto, PT"),
    ]
    assert warnings == []


@pytest.mark.parametrize(
    ("written", "address"),
    [("Washington Metro (null)", "Washington Metro"), ("Springfield, null, US", "Springfield, US"),
     ("(null)", None), ("Nullarbor", "Nullarbor")],
)  # fmt: skip
def test_an_exporters_empty_field_is_no_part_of_a_name(written: str, address: str | None) -> None:
    """Blogger's export wrote geo_address "Washington Metro (null)" (n8henrie.github.io)."""
    data = {"geo_latitude": ["38.46"], "geo_longitude": ["-77.53"], "geo_address": [written]}
    assert points(data) == [(38.46, -77.53, True, address)]


def test_names_are_not_geocoded_when_coordinates_are_written() -> None:
    places, _ = find_places({"geo": [1.5, 2.5], "location": "Berlin, Germany"})
    assert [(p.lat, p.lon, p.address, p.geocoded) for p in places] == [
        (1.5, 2.5, "Berlin, Germany", None)
    ]


def test_an_unknown_name_stays_an_address_with_a_warning() -> None:
    places, warnings = find_places({"location": "Atlantic Ocean"})
    assert [(p.lat, p.address) for p in places] == [(None, "Atlantic Ocean")]
    assert [w.reason for w in warnings] == ["place-not-found"]


@pytest.mark.parametrize("value", ["online", "/blog/berlin/", "https://example.org", "42", "a@b.c"])
def test_what_is_no_place_name_is_not_geocoded(value: str) -> None:
    places, warnings = find_places({"location": value})
    assert not any(p.has_point for p in places)
    assert [w.reason for w in warnings if w.reason == "place-not-found"] == []


@pytest.mark.parametrize(
    "value", ["Airport", "University", "Downtown", "Center", "Bus", "Sea", "Pub", "Gym",
              "Island", "Market", "The office", "Train station", "At the beach", "Summit"],
)  # fmt: skip
def test_a_common_word_is_kept_as_an_address_not_geocoded(value: str) -> None:
    """The gazetteer's alternate names hold airport codes (BUS, SEA, PUB) and translations
    (Ísland): 'location: Bus' was put in Batumi, 'Airport' in Hawaii, 'Island' in Iceland."""
    places, _ = find_places({"location": value})
    assert [(p.lat, p.address) for p in places] == [(None, value)]


@pytest.mark.parametrize(
    ("value", "label"),
    [("Nice", "Nice, FR"), ("Summit, NJ", "Summit, NJ, US"), ("Bath, England", "Bath, ENG, GB")],
)
def test_towns_named_like_words_are_still_found(value: str, label: str) -> None:
    places, _ = find_places({"location": value})
    assert [p.geocoded for p in places] == [label]


def test_no_geocode_keeps_names_as_addresses() -> None:
    places, warnings = find_places({"location": "Berlin, Germany"}, geocode=False)
    assert [(p.lat, p.address, p.geocoded) for p in places] == [(None, "Berlin, Germany", None)]
    assert warnings == []


# --- the body -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '<p class="geo"><span class="latitude">43.48</span>, '
        '<span class="longitude">3.67</span></p>',
        '<abbr class="latitude" title="43.48">N 43°</abbr> <abbr class="longitude" '
        'title="3.67">E 3°</abbr>',
        '<span class="geo">43.48;3.67</span>',
        '<div class="h-geo"><data class="p-latitude" value="43.48"></data>'
        '<data class="p-longitude" value="3.67"></data></div>',
        '<meta itemprop="latitude" content="43.48" /><meta itemprop="longitude" content="3.67" />',
    ],
)
def test_geo_markup_in_the_body(body: str) -> None:
    places, warnings = find_places({}, body, geocode=False)
    assert [(p.lat, p.lon, p.source) for p in places] == [(43.48, 3.67, BODY)]
    assert warnings == []


def test_geo_markup_in_code_samples_is_no_place() -> None:
    body = '```html\n<span class="latitude">1.5</span><span class="longitude">2.5</span>\n```\n'
    assert points({}, body) == []
    assert points({}, f"<pre>{body}</pre>") == []


def test_a_long_track_is_sampled_with_a_warning() -> None:
    track = [[i / 100, 40 + i / 1000] for i in range(1, 500)]
    places, warnings = find_places({"geometry": {"type": "LineString", "coordinates": track}})
    assert len(places) == MAX_PLACES
    assert (places[0].lon, places[-1].lon) == (0.01, 4.99)
    assert [w.reason for w in warnings] == ["many-places"]


# --- never crashes, bounded ---------------------------------------------------------------

_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(
        st.sampled_from(["lat", "lng", "geo", "location", "geo_public", "meta", "coordinates",
                         "gps", "key", "value", "city", "country", "type", "name"]),
        inner, max_size=4),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(data=st.dictionaries(st.text(max_size=12), _values, max_size=5))
def test_any_front_matter_gives_places_or_warnings_never_an_error(data: dict[str, Any]) -> None:
    places, _ = find_places(data, geocode=False)
    for place in places:
        if place.has_point:
            assert -90 <= place.lat <= 90 and -180 <= place.lon <= 180  # type: ignore[operator]


@pytest.mark.parametrize(
    "data",
    [
        {"translator": "52.5, 13.4", "template": "1, 2", "layout": "post"},  # "lat" inside
        {"geo_public": "1", "location_name": "x"},  # names of a place, no point
        {"latitude_note": "52.5", "lng_source": "13.4"},  # the word first, not last
    ],
)
def test_keys_holding_a_coordinate_word_inside_are_no_coordinates(data: dict[str, Any]) -> None:
    places, warnings = find_places(data, geocode=False)
    assert [p for p in places if p.has_point] == [] and warnings == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"home_lat": "52.5", "home_lng": "13.4"}, (52.5, 13.4)),
        ({"start_geo": "52.5, 13.4"}, (52.5, 13.4)),
        ({"Geo": "52.5, 13.4"}, (52.5, 13.4)),
    ],
)
def test_keys_ending_in_a_coordinate_word_are_read(
    data: dict[str, Any], expected: tuple[float, float]
) -> None:
    assert [(lat, lon) for lat, lon, _, _ in points(data)] == [expected]


def test_shared_objects_are_walked_once() -> None:
    """A YAML alias bomb shares one object many times over: it must not be walked each time."""
    node: Any = {"lat": 1, "lon": 2}
    for _ in range(60):
        node = [node, node]
    places, _ = find_places({"meta": node}, geocode=False)
    assert [(p.lat, p.lon) for p in places] == [(1, 2)]


# --- coords -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("43.48,3.67", (43.48, 3.67)),
        ("(43.48 3.67)", (43.48, 3.67)),
        ("43,48; 3,67", (43.48, 3.67)),
        ("43.48N 3.67E", (43.48, 3.67)),
        ("119°14'W, 34°11'N", (34.183333, -119.233333)),
        ("34°11'30\"S 18°25\u2032E", (-34.191667, 18.416667)),
        ("\u221233.9249, 18.4241", (-33.9249, 18.4241)),
        ("geo:43.48,3.67", (43.48, 3.67)),
        ("https://maps.google.com/?q=43.48,3.67", (43.48, 3.67)),
    ],
)
def test_pairs_in_one_value(text: str, point: tuple[float, float]) -> None:
    assert parse_pair(text) == pytest.approx(point, abs=1e-6)


@pytest.mark.parametrize("text", ["48.8566,2.3522,35", "(48.8566 2.3522 35)", "1, 2, 3, 4"])
def test_three_numbers_in_one_string_read_as_the_list_they_write(text: str) -> None:
    """'geo: "48.8566,2.3522,35"' was dropped without a word: as a list, it is said."""
    with pytest.raises(InvalidCoordinates, match="values, not"):
        parse_pair(text)
    assert parse_pair("2.3522, 48.8566, 35", lon_first=True) == (48.8566, 2.3522)


@pytest.mark.parametrize("text", ["Berlin, Germany", "Route 66", "10115", "", "1e5,3"])
def test_what_is_no_pair(text: str) -> None:
    assert parse_pair(text) is None


def test_one_coordinate_names_its_axis() -> None:
    assert parse_one("34°11'S", "lat") == pytest.approx(-34.183333, abs=1e-6)
    with pytest.raises(InvalidCoordinates, match="other axis"):
        parse_one("3.67E", "lat")


@pytest.mark.parametrize(
    "data",
    [
        {"coordinates": "43.4028 3.6934", "location": "Sète, France"},
        {"coordinates": [43.4028, 3.6934], "place": "Sète"},
        {"coordinates": "3.6934, 43.4028", "city": "Sète", "country": "France"},  # lon first
        {"location": {"name": "Sète", "coordinates": [3.6934, 43.4028]}},
    ],
)
def test_a_named_place_settles_the_order_a_key_only_suggests(data: dict[str, Any]) -> None:
    """``coordinates`` suggests GeoJSON's longitude first, but people write "lat lon" under it
    too: with both orders in range, the place the post names beside it decides."""
    places, _ = find_places(data)
    assert [(round(p.lat, 4), round(p.lon, 4)) for p in places] == [(43.4028, 3.6934)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"extra": {"geo": {"coordinates": "52.221859,20.969030"}}}, (52.221859, 20.96903)),
        ({"coordinates": "51.096312/16.994242"}, (51.096312, 16.994242)),  # Wrocław, not Yemen
        ({"coordinates": ["-73.9835766,44.2805657"]}, (44.2805657, -73.9835766)),  # as hinted
        ({"coordinates": [2.3522, 48.8566]}, (48.8566, 2.3522)),
    ],
)
def test_with_no_name_the_order_that_lands_near_a_town_is_kept(
    data: dict[str, Any], expected: tuple[float, float]
) -> None:
    """Zola venue pages copy Google's "lat,lng" into `coordinates`, which hints longitude
    first: 18 of 22 in tpwres/teczki-polskiego-wrestlingu were put in the Arabian desert."""
    [(lat, lon, _, _)] = points(data)
    assert (lat, lon) == expected


def test_geojson_type_keeps_longitude_first_whatever_the_name() -> None:
    data = {"geometry": {"type": "Point", "coordinates": [43.4028, 3.6934]}, "location": "Sète"}
    places, _ = find_places(data)
    assert [(p.lat, p.lon) for p in places] == [(3.6934, 43.4028)]


@pytest.mark.parametrize(
    "text",
    ['a:1:{s:1:"x";O:8:"stdClass":0:{}}', "a:9:{", 'a:1:{s:99:"short";}', "a:2:{i:0;}",
     "a:1:{" * 50 + "}" * 50, 'a:1:{a:0:{};i:1;}'],
)  # fmt: skip
def test_broken_or_unsafe_serialised_values_are_left_as_text(text: str) -> None:
    from searcher.ingest import phpvalues

    assert phpvalues.loads(text) is None
    assert points({"meta": text}) == []


@settings(max_examples=300)
@given(st.text(alphabet='a:{};"sidbN0123456789-.xé', max_size=80))
def test_any_serialised_looking_text_is_read_or_refused_never_an_error(tail: str) -> None:
    from searcher.ingest import phpvalues

    value = phpvalues.loads("a:" + tail)
    assert value is None or isinstance(value, dict | list)


# --- privacy survives broken front matter -------------------------------------------------

_NESTED_FLAGS = ["geo_public: '0'", "geo_public: 0", "geo_public: no", "location_private: true"]
_BREAKERS = ["title2: 'unterminated", "bad: [x", "updated: 2011-02-30", "- stray item",
             "key: value: more", "\ttabbed: 1", "  odd_indent: 2", "{", "? complex"]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    flag=st.sampled_from(_NESTED_FLAGS),
    depth=st.integers(0, 3),
    breaker=st.sampled_from(_BREAKERS),
    at=st.integers(0, 12),
    coords_first=st.booleans(),
)
def test_a_private_flag_is_honoured_however_the_front_matter_is_broken(
    flag: str, depth: int, breaker: str, at: int, coords_first: bool
) -> None:
    """A broken line anywhere must never separate a post's coordinates from the flag that
    makes them private (the salvage once read top-level keys only)."""
    from searcher.ingest import meta

    point = ["geo_latitude: 43.48", "geo_longitude: 3.67"]
    nest = [f"{'  ' * i}{name}:" for i, name in enumerate(["meta", "wp", "extra"][:depth])]
    private = [*nest, "  " * depth + flag]
    lines = ["title: T", *(point + private if coords_first else private + point), "tags: [a]"]
    lines.insert(min(at, len(lines)), breaker)
    front = meta.parse("---\n" + "\n".join(lines) + "\n---\nwords")
    places, _ = find_places(front.data, geocode=False)
    assert not any(p.public for p in places), front.data


# --- a private place's text ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("at 43.484082, 3.676690 today", "at   today"),  # trailing zeros as written
        ("at 43.484082;3.67669.", "at  ."),
        ("at 43.4840821, 3.67669", "at 43.4840821, 3.67669"),  # another point
        ("version 43.484082 only", "version 43.484082 only"),  # one number is no point
    ],
)
def test_a_private_point_written_out_is_taken_from_the_text(text: str, kept: str) -> None:
    from searcher.ingest.privatetext import redact
    from searcher.models import Location

    private = (Location(43.484082, 3.67669, public=False),)
    assert redact(text, private) == kept
    assert redact(text, (Location(43.484082, 3.67669),)) == text  # public: left as it is


def test_whole_and_negative_degrees_are_matched_as_written() -> None:
    from searcher.ingest.privatetext import redact
    from searcher.models import Location

    assert redact("at -33, 151.0 and 33, 151", (Location(-33.0, 151.0, public=False),)) == (
        "at   and 33, 151"
    )


def test_the_text_of_geo_markup_is_taken_from_a_private_posts_text() -> None:
    from searcher.ingest.privatetext import redact
    from searcher.models import Location

    body = 'We met. <abbr class="geo" title="48.8566;2.3522">Lutetia</abbr> <pre>Lutetia</pre>'
    private = (Location(48.8566, 2.3522, public=False, source=BODY),)
    assert redact("We met. Lutetia", private, body) == "We met.  "
    here = '<span class="geo" title="48.8566;2.3522">here</span>'
    assert redact("There, here and where", private, here) == "There,   and where"
