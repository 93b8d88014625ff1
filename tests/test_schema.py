from __future__ import annotations

import datetime as dt

import pytest

from searcher import schema
from searcher.errors import QuerySyntaxError
from searcher.models import Location, Post


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2011", dt.datetime(2011, 1, 1), dt.datetime(2011, 12, 31, 23, 59, 59, 999999)),
        ("2011-03", dt.datetime(2011, 3, 1), dt.datetime(2011, 3, 31, 23, 59, 59, 999999)),
        ("2011-12", dt.datetime(2011, 12, 1), dt.datetime(2011, 12, 31, 23, 59, 59, 999999)),
        ("2012-02-29", dt.datetime(2012, 2, 29), dt.datetime(2012, 2, 29, 23, 59, 59, 999999)),
        ("20110301", dt.datetime(2011, 3, 1), dt.datetime(2011, 3, 1, 23, 59, 59, 999999)),
        ("2011/3/1", dt.datetime(2011, 3, 1), dt.datetime(2011, 3, 1, 23, 59, 59, 999999)),
    ],
)
def test_partial_date_span(text: str, start: dt.datetime, end: dt.datetime) -> None:
    assert schema.partial_date_span(text) == (start, end)


@pytest.mark.parametrize("text", ["yesterday", "2011-13", "2011-02-30", "11", ""])
def test_bad_dates_are_syntax_errors(text: str) -> None:
    with pytest.raises(QuerySyntaxError):
        schema.partial_date_span(text)


def test_private_location_goes_to_private_fields_or_nowhere() -> None:
    post = Post("a.md", "A", None, location=Location(43.5, 3.6, False, "Rue X, Poussan"))
    kept = schema.document(post)
    assert kept[schema.GEO] == "private" and kept[schema.PLACE_PRIVATE] == "Rue X, Poussan"
    assert schema.PLACE not in kept
    dropped = schema.document(post, keep_private_location=False)
    assert not {schema.GEO, schema.LAT, schema.LON, schema.PLACE_PRIVATE} & set(dropped)
    assert dropped[schema.RECORD]["location"] is None


def test_aware_dates_are_stored_as_utc() -> None:
    moment = dt.datetime(2010, 6, 24, 0, 25, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    post = Post("a.md", "A", moment)
    assert schema.document(post)[schema.DATE] == dt.datetime(2010, 6, 23, 22, 25)


def test_coordinates_round_trip_within_a_centimetre() -> None:
    for value in (43.484082, -17.7, 179.91, -180.0, 89.9999999):
        assert abs(schema.from_e7(schema.to_e7(value)) - value) < 1e-7
