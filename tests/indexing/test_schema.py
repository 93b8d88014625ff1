from __future__ import annotations

import datetime as dt

import pytest

from searcher.errors import QuerySyntaxError
from searcher.indexing import records, schema
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
    post = Post("a.md", "A", None, locations=(Location(43.5, 3.6, False, "Rue X, Poussan"),))
    kept = schema.document(post)
    assert kept[schema.GEO] == "private" and kept[schema.PLACE_PRIVATE] == "Rue X, Poussan"
    assert schema.PLACE not in kept
    dropped = schema.document(post, keep_private_location=False)
    assert not {schema.GEO, schema.LAT, schema.LON, schema.PLACE_PRIVATE} & set(dropped)
    assert records.read(dropped).locations == ()


def test_one_private_place_makes_every_place_of_a_post_private() -> None:
    """Privacy fails closed: a post whose places disagree keeps them all private."""
    places = (Location(1.0, 2.0, True, "A"), Location(3.0, 4.0, False, "B"))
    doc = schema.document(Post("t.md", "T", None, locations=places))
    assert doc[schema.GEO] == "private" and doc[schema.PLACE_PRIVATE] == "A\nB"
    assert not {schema.CELL, schema.PLACE} & set(doc)
    assert [place.public for place in records.read(doc).locations] == [False, False]
    assert not {schema.GEO, schema.POINTS, schema.MULTI} & set(
        schema.document(Post("t.md", "T", None, locations=places), keep_private_location=False)
    )


def test_several_points_are_packed_and_every_cell_indexed() -> None:
    places = (Location(54.32, 10.13), Location(-33.9, 151.2))
    doc = schema.document(Post("t.md", "T", None, locations=places))
    assert doc[schema.MULTI] == "1"
    assert schema.unpack_points(doc[schema.POINTS]) == [(543200000, 101300000),
                                                        (-339000000, 1512000000)]  # fmt: skip
    assert {schema.cells(54.32, 10.13)[0], schema.cells(-33.9, 151.2)[0]} <= set(
        doc[schema.CELL].split()
    )


def test_aware_dates_are_stored_as_utc() -> None:
    moment = dt.datetime(2010, 6, 24, 0, 25, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    post = Post("a.md", "A", moment)
    assert schema.document(post)[schema.DATE] == dt.datetime(2010, 6, 23, 22, 25)


def test_coordinates_round_trip_within_a_centimetre() -> None:
    for value in (43.484082, -17.7, 179.91, -180.0, 89.9999999):
        assert abs(schema.from_e7(schema.to_e7(value)) - value) < 1e-7


@pytest.mark.parametrize(
    "moment", [dt.datetime.min, dt.datetime(2011, 3, 1, 9, 30), dt.datetime.max]
)
def test_a_date_column_value_reads_back_as_its_date(moment: dt.datetime) -> None:
    value = schema._long(moment)
    assert value < schema.UNDATED_KEY and schema.date_of(value) == moment


def test_an_undated_post_holds_the_columns_empty_defaults() -> None:
    """The one definition of "undated" is what Whoosh writes for a post without a date."""
    from whoosh.filedb.filestore import RamStorage

    ix = RamStorage().create_index(schema.build_schema())
    with ix.writer() as writer:
        for post in (Post("dated.md", "D", dt.datetime(2011, 3, 1)), Post("undated.md", "U", None)):
            writer.add_document(**schema.document(post))
    with ix.searcher() as searcher:
        reader = searcher.reader()
        raw = list(reader.column_reader(schema.DATE, translate=False))
        years = list(reader.column_reader(schema.YEAR))
    assert raw[1] == schema.NO_DATE and years == [2011, schema.NO_YEAR]
    assert [schema.date_of(value) for value in raw] == [dt.datetime(2011, 3, 1), None]


DATES = [
    dt.datetime(1999, 12, 31, 23, 59, 59, 999_999),
    dt.datetime(2011, 1, 1),
    dt.datetime(2011, 3, 1, 9, 30, 0, 123_456),
    dt.datetime(2011, 3, 1, 23, 59, 59, 999_999),
    dt.datetime(2011, 3, 2),
    dt.datetime(2011, 12, 31, 23, 59, 59, 999_999),
    dt.datetime(2012, 1, 1),
    dt.datetime(2024, 2, 29, 12),
]


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("date:2011", "2011", "2011"),
        ("date:2011-03-01", "2011-03-01", "2011-03-01"),
        ("date:[2011-03 TO 2012]", "2011-03", "2012"),
        ("date:[* TO 2011-03-01]", None, "2011-03-01"),
        ("date:[2011-03-02 TO *]", "2011-03-02", None),
        ("date:{2011-01-01 TO 2011-03-02}", "2011-01-02", "2011-03-01"),  # exclusive bounds
    ],
)
def test_whoosh_finds_dates_by_their_terms(text: str, low: str | None, high: str | None) -> None:
    """Whoosh's own NumericRange over the date terms (16-bit tiers) finds what the bounds hold,
    to the microsecond: the terms must agree with the column our searches filter by."""
    from whoosh.filedb.filestore import RamStorage
    from whoosh.qparser import QueryParser

    ix = RamStorage().create_index(schema.build_schema())
    with ix.writer() as writer:
        for i, moment in enumerate(DATES):
            writer.add_document(**schema.document(Post(f"{i}.md", "T", moment)))
    first = schema.partial_date_span(low)[0] if low else dt.datetime.min
    last = schema.partial_date_span(high)[1] if high else dt.datetime.max
    expected = [i for i, moment in enumerate(DATES) if first <= moment <= last]
    with ix.searcher() as searcher:
        reader = searcher.reader()
        postings = sum(reader.doc_frequency(schema.DATE, t) for t in reader.lexicon(schema.DATE))
        assert postings == 64 // schema.DATE_SHIFT_STEP * len(DATES)  # a term per tier
        found = searcher.search(QueryParser(schema.BODY, ix.schema).parse(text), limit=None)
        assert sorted(hit.docnum for hit in found) == expected


def test_a_title_is_one_term_whatever_its_punctuation() -> None:
    """Pasted titles: the title key's term is the same for the same words, and short."""
    term = schema.document(Post("a.md", '11" MacBook Air: the best…', None))[schema.TITLE_KEY]
    same = schema.document(Post("b.md", "11 macbook air — The Best", None))[schema.TITLE_KEY]
    other = schema.document(Post("c.md", "11 MacBook Air, the worst", None))[schema.TITLE_KEY]
    assert term == same == schema.title_term("11 macbook air the best") != other
    assert len(term) == 16 and int(term, 16) >= 0
    assert schema.TITLE_KEY not in schema.document(Post("d.md", "…", None))  # no words
