from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher.ingest import fields

UTC = dt.UTC
PLUS2 = dt.timezone(dt.timedelta(hours=2))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (dt.date(2011, 3, 1), dt.datetime(2011, 3, 1)),
        (dt.datetime(2011, 3, 1, 9, 22, 54), dt.datetime(2011, 3, 1, 9, 22, 54)),
        ("2019-01-03 15:51:41 UTC", dt.datetime(2019, 1, 3, 15, 51, 41, tzinfo=UTC)),
        ("2026-07-16 05:08:11 +0000", dt.datetime(2026, 7, 16, 5, 8, 11, tzinfo=UTC)),
        ("2010-06-24 00:25:37.000000000 +02:00", dt.datetime(2010, 6, 24, 0, 25, 37, tzinfo=PLUS2)),
        ("2024-05-02T10:00:00Z", dt.datetime(2024, 5, 2, 10, tzinfo=UTC)),
        ("2014-10-08 19:30:00 +0200", dt.datetime(2014, 10, 8, 19, 30, tzinfo=PLUS2)),
        ("2011-03-01", dt.datetime(2011, 3, 1)),
        ("2011/03/01", dt.datetime(2011, 3, 1)),
        ("2011-3-1 9:05", dt.datetime(2011, 3, 1, 9, 5)),
        ("2015-11-15 15.45", dt.datetime(2015, 11, 15, 15, 45)),  # a dot between hours and minutes
        # seconds left out before a fraction: the minute, as Jekyll (Ruby's Time.parse) reads it
        ("2024-09-23T08:30.000+02:00", dt.datetime(2024, 9, 23, 8, 30, tzinfo=PLUS2)),
        # EXIF's form, as cameras and exiftool write it into photo posts' front matter
        ("2018:01:05 21:35:36", dt.datetime(2018, 1, 5, 21, 35, 36)),
        ("2018:01:05 21:35:36+02:00", dt.datetime(2018, 1, 5, 21, 35, 36, tzinfo=PLUS2)),
        ("2018:01:05", dt.datetime(2018, 1, 5)),
        ("2018:13:05 21:35:36", None),
        ("2018:01:05x", None),
        ("2024-09-23 08:30,5", dt.datetime(2024, 9, 23, 8, 30)),
        ("Tue, 01 Mar 2011 09:22:54 +0000", dt.datetime(2011, 3, 1, 9, 22, 54, tzinfo=UTC)),
        ("March 1, 2011", dt.datetime(2011, 3, 1)),
        ("Jan 3, 2019 10:00 PM", dt.datetime(2019, 1, 3, 22)),  # a time after words: kept
        ("Jan 3, 2019 12:05 am", dt.datetime(2019, 1, 3, 0, 5)),
        ("Thursday, January 3, 2019 at 9:30 AM", dt.datetime(2019, 1, 3, 9, 30)),
        ("3 janvier 2019 à 14:05:09", dt.datetime(2019, 1, 3, 14, 5, 9)),
        ("Jan 3, 2019 13:00 PM", dt.datetime(2019, 1, 3)),  # no such time: the day
        ("1st March 2011", dt.datetime(2011, 3, 1)),
        ("1er mars 2011", dt.datetime(2011, 3, 1)),
        ("3. März 2011", dt.datetime(2011, 3, 3)),
        (1300000000, dt.datetime(2011, 3, 13, 7, 6, 40, tzinfo=UTC)),
        (1300000000123, dt.datetime(2011, 3, 13, 7, 6, 40, 123000, tzinfo=UTC)),  # milliseconds
        (2011, dt.datetime(2011, 1, 1)),  # a year, not 33 minutes after 1970
        ("2011", dt.datetime(2011, 1, 1)),
        ("2011-03", dt.datetime(2011, 3, 1)),
        (20110304, dt.datetime(2011, 3, 4)),
        ("20110304", dt.datetime(2011, 3, 4)),
        (
            "2011-03-04 10:00:00 CET",
            dt.datetime(2011, 3, 4, 10, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        ),
        (
            "2011-03-04 10:00 PST",
            dt.datetime(2011, 3, 4, 10, tzinfo=dt.timezone(dt.timedelta(hours=-8))),
        ),
        # day and month in numbers: dots are day first; slashes and dashes where one number
        # cannot be a month; 05/06/2015 could be May or June and is left for the file name
        ("15.11.2015", dt.datetime(2015, 11, 15)),
        ("5.6.2015 14:30", dt.datetime(2015, 6, 5, 14, 30)),
        ("15/11/2015", dt.datetime(2015, 11, 15)),
        ("11/15/2015", dt.datetime(2015, 11, 15)),
        ("11-15-2015", dt.datetime(2015, 11, 15)),
        ("05/06/2015", None),
        ("31/02/2015", None),
        # month names in more languages, weekdays, dashes, Spanish and Portuguese "de"
        ("15-Nov-2015", dt.datetime(2015, 11, 15)),
        ("Sunday, November 15, 2015", dt.datetime(2015, 11, 15)),
        ("Monday 16 November 2015", dt.datetime(2015, 11, 16)),
        ("15 de noviembre de 2015", dt.datetime(2015, 11, 15)),
        ("15 de março de 2015", dt.datetime(2015, 3, 15)),
        ("15 ноября 2015", dt.datetime(2015, 11, 15)),
        ("3 maart 2015", dt.datetime(2015, 3, 3)),
        # Chinese, Japanese and Korean
        ("2015年11月15日", dt.datetime(2015, 11, 15)),
        ("2015年11月15日 14:05", dt.datetime(2015, 11, 15, 14, 5)),
        ("2015년 11월 15일", dt.datetime(2015, 11, 15)),
        ("2015年13月15日", None),
        (0, None),
        (-1, None),
        (99, None),
        (20111304, None),
        ("not a date", None),
        ("2011-02-30", None),
        ("", None),
        (None, None),
        (True, None),
        (["2011-03-01"], None),
    ],
)
def test_parse_date(raw: object, expected: dt.datetime | None) -> None:
    assert fields.parse_date(raw) == expected


@given(st.text())
def test_parse_date_never_raises(raw: str) -> None:
    result = fields.parse_date(raw)
    assert result is None or isinstance(result, dt.datetime)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("_posts/2011-03-01-inthe-cloud-paris.md", dt.datetime(2011, 3, 1)),
        ("_posts/2019/2019-01-03-x.md", dt.datetime(2019, 1, 3)),
        ("2016/09/29/Rust-1.12.md", dt.datetime(2016, 9, 29)),
        ("inside-rust/2020/3/7/x", dt.datetime(2020, 3, 7)),
        ("_posts/2011-13-45-bad.md", None),
        ("posts/plain.md", None),
        ("posts/v2011-03-01.md", None),
    ],
)
def test_date_from_path(path: str, expected: dt.datetime | None) -> None:
    assert fields.date_from_path(path) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["ruby", "Rails", 2024], ("ruby", "Rails", "2024")),
        ("ruby, rails , web", ("ruby", "rails", "web")),
        ("ruby rails", ("ruby", "rails")),
        ("Cloud computing", ("Cloud", "computing")),
        ("Cloud computing, Paris", ("Cloud computing", "Paris")),
        (2024, ("2024",)),
        (3.5, ("3.5",)),
        (None, ()),
        ("", ()),
        (["a", "A", " a "], ("a",)),
        ([None, {"x": 1}, "ok"], ("ok",)),  # a mapping with no name says nothing
        (["Travel", ["Europe", "Asia"]], ("Travel", "Europe", "Asia")),  # nested: not lost
        ([{"name": "Travel", "slug": "travel"}, {"title": "Food"}], ("Travel", "Food")),  # CMS
        (True, ()),
        (["C&amp;A", "M&uuml;nchen", "AT&T"], ("C&A", "München", "AT&T")),
        # Blogger's kind, which export converters copy among the labels: no topic
        (["http://schemas.google.com/blogger/2008/kind#post", "Tech"], ("Tech",)),
        ("http://schemas.google.com/blogger/2008/kind#post, research ideas", ("research ideas",)),
    ],
)
def test_as_terms(raw: object, expected: tuple[str, ...]) -> None:
    assert fields.as_terms(raw) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("en/news/_posts/2001-01-18-stable.md", "/en/news/2001/01/18/stable/"),
        ("_posts/2019/2019-01-03-x.md", "/2019/01/03/x/"),
        ("posts/slug/index.md", "/posts/slug/"),
        ("content/about.html", "/about/"),
        ("index.md", "/"),
    ],
)
def test_derive_url(path: str, expected: str) -> None:
    assert fields.derive_url(path, None) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("N&auml;chster Workshop &#8211; Elektronische Spiele",
         "Nächster Workshop \u2013 Elektronische Spiele"),
        ("Workshop &#x201C;Rentiere&#x201D;", "Workshop \u201cRentiere\u201d"),
        # escaped twice by an exporter: what the author wrote, not the escape's remains
        ("Tom &amp;amp; Jerry", "Tom & Jerry"),
        ("Caf&amp;#233; &amp;#8211; M&amp;uuml;nchen &amp;#x2014;",
         "Caf\u00e9 \u2013 M\u00fcnchen \u2014"),
        ("R&amp;amp;amp;D", "R&D"),
        ("5 &amp; 6 &amp;c", "5 & 6 &c"),
        ("AT&T and Q&copy without a semicolon", "AT&T and Q&copy without a semicolon"),
        ("  two\n lines ", "two lines"),
        ({"a": 1}, None),
        ("", None),
    ],
)  # fmt: skip
def test_clean_title_decodes_character_references(raw: object, expected: str | None) -> None:
    assert fields.clean_title(raw) == expected
