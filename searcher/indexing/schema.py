"""The index schema: the one place that knows field names, field types and analysers.

Titles and bodies are each one field whose analyser reads the post's language from the front
of the value (:func:`analysis.marked`): a post's words are analysed in its own language, and
a query word is expanded into the forms it takes in every language present (see query.py).
Tags, categories and places are folded but not stemmed. A private post's address goes to a
field only the owner searches.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import hashlib
import re
import struct
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from whoosh import columns, fields, formats, query
from whoosh.analysis import CharsetFilter, CommaSeparatedTokenizer, LowercaseFilter
from whoosh.support.charset import accent_map
from whoosh.util.times import long_to_datetime

from searcher.errors import QuerySyntaxError
from searcher.geo import geohash_encode
from searcher.indexing import analysis, records, wordforms
from searcher.indexing._whoosh import bytecolumn
from searcher.indexing.records import LISTED as LISTED
from searcher.indexing.records import PATH as PATH
from searcher.indexing.records import RECORD as RECORD
from searcher.indexing.records import SHOWN as SHOWN
from searcher.indexing.records import SHOWN_PRIVATE as SHOWN_PRIVATE
from searcher.indexing.records import TEXT as TEXT
from searcher.models import Location, Post

# 7: several places per post (POINTS, MULTI); 8: whole titles as terms; 9: words and
# spellings keep no per-posting count (the Counts format); 10: the stored record is a JSON
# list, dates indexed in 16-bit tiers (DATE_SHIFT_STEP), runs in the Counts format, title
# keys as digests (title_term); 11: stems from Snowball's C library (analysis.stemmer), not
# Whoosh's Python stemmers; 12: what a plain hit shows in uncompressed columns (SHOWN and,
# for the owner, SHOWN_PRIVATE); 13: no CJK terms in WORDS (wordforms.words_analyzer)
SCHEMA_VERSION = 13

# PATH, RECORD, TEXT (the stored fields), LISTED, SHOWN and SHOWN_PRIVATE are named with
# their codec, records.py
TAG = "tag"  # folded: what filters and facets match
CATEGORY = "category"
TAG_LABEL = "tag_label"  # tags as written, to show facets and stats as authors wrote them
CATEGORY_LABEL = "category_label"
LANG = "lang"
ANALYSIS = "analysis"  # the analysis language key a post's words were indexed with
DATE = "date"
YEAR = "year"
TERMS = "terms"  # tags and categories as words, for unfielded queries
WORDS = "words"  # title and body words, folded, not stemmed, not CJK: spelling, completion
RUNS = "runs"  # CJK words as runs of one script (wordforms.script_runs), for completion
SPELLINGS = "spellings"  # how folded words are written ("ete" as "été"), to show completions
PLACE = "place"
PLACE_PRIVATE = "place_private"
GEO = "geo"  # "public" / "private" for located posts
CELL = "cell"  # geohash prefixes (precision 1..CELL_PRECISION) of public points
CELL_PRIVATE = "cell_private"  # the same for private points: the public audience never reads it
CELL_PRECISION = 8  # finest cell: about 38 m x 19 m
LAT = "lat"  # a located post's first point (its only one, mostly)
LON = "lon"
POINTS = "points"  # every point of a post with several, as packed 1e-7 degrees (POINT_CODEC)
MULTI = "multi"  # "1" for posts with several points: the only ones whose POINTS are read
POINT_CODEC = "<q"  # a point is two of these: lat, lon in 1e-7 degrees
TITLE_KEY = "title_key"  # the whole title as one term (title_term): pasted titles

# An undated post has no DATE or YEAR value: their columns hold Whoosh's empty default, the
# largest number of their width. Readers test for it through these names, nowhere else.
NO_DATE = 2**64 - 1  # the DATE column's default, read raw (translate=False)
NO_YEAR = 2**31 - 1  # the YEAR column's default, read as a year
UNDATED_KEY = 2**62  # NO_DATE as a signed 64-bit sort key: after every date (3.2e17 at most)

DATE_SHIFT_STEP = 16  # 4 terms a date, not 8: 10,803 date terms -> 6,101 at 6,112 posts

TITLE_BOOST = 3.0
EXACT_TITLE_BOOST = 100.0  # a query that is a post's whole title finds that post first
TERMS_BOOST = 2.0
PLACE_BOOST = 1.5


TITLE = "title"
BODY = "body"


class DateField(fields.DATETIME):  # type: ignore[misc]
    """DATETIME whose query-side parsing works: exclusive bounds, partial dates, clear errors.

    whoosh-reloaded ignores ``{…}`` exclusivity, turns ``date:>2011`` into a null query and
    hides unparseable dates behind an error query that silently matches nothing.

    A date is indexed as :data:`DATE_SHIFT_STEP`-bit tiers of its microsecond count, not
    DATETIME's 8: a post's date is all but unique below 2**36 µs (a day), so each tier under
    it was one more term per post. Our searches filter dates by the column
    (``generation``); the terms serve Whoosh's own NumericRange, which reads the same.
    """

    def __init__(self, *, sortable: bool = False) -> None:
        super().__init__(sortable=sortable)
        self.shift_step = DATE_SHIFT_STEP

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> query.Query:
        start, end = _query_span(qstring)
        return query.NumericRange(fieldname, _long(start), _long(end), boost=boost)

    def parse_range(
        self,
        fieldname: str,
        start: str | None,
        end: str | None,
        startexcl: bool,
        endexcl: bool,
        boost: float = 1.0,
    ) -> query.Query:
        start, end = (None if v is None or v.strip() in ("", "*") else v for v in (start, end))
        if start is None and end is None:
            return query.Every(fieldname, boost=boost)
        low = high = None
        if start is not None:  # counted in microseconds: no overflow past the ends of time
            first, last = _query_span(start)
            low = _long(last) + 1 if startexcl else _long(first)
        if end is not None:
            first, last = _query_span(end)
            high = _long(first) - 1 if endexcl else _long(last)
        return query.NumericRange(fieldname, low, high, boost=boost)


def _query_span(text: str) -> tuple[dt.datetime, dt.datetime]:
    """:func:`partial_date_span` for a query: a date at the calendar's ends (``9999``,
    ``0001`` with an exclusive bound) is an error of the query, not Whoosh's to hide."""
    try:
        first, last = partial_date_span(text)
        for moment in (first, last):
            _long(moment)  # that Whoosh can search it
    except (ValueError, OverflowError) as exc:
        raise QuerySyntaxError(f"{text!r} is not a date that can be searched ({exc})") from None
    return first, last


_PARTIAL = re.compile(r"^(\d{4})(?:[-/.]?(\d{1,2}))?(?:[-/.]?(\d{1,2}))?$")


def partial_date_span(text: str) -> tuple[dt.datetime, dt.datetime]:
    """``2011`` → all of 2011; ``2011-03`` → March 2011; ``2011-03-01`` → that day; from
    year 1 to 9999 (``9999`` ends at ``datetime.max``)."""
    match = _PARTIAL.match(text.strip().strip("'\""))
    if not match:
        raise QuerySyntaxError(f"{text!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None  # the pattern requires it
    try:
        start = dt.datetime(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError as exc:
        raise QuerySyntaxError(f"{text!r} is not a date ({exc})") from None
    last_month = month or 12
    last_day = day or calendar.monthrange(year, last_month)[1]
    return start, dt.datetime(year, last_month, last_day, 23, 59, 59, 999_999)


def _long(moment: dt.datetime) -> int:
    return int(fields.datetime_to_long(moment))


def date_of(value: int) -> dt.datetime | None:
    """A raw DATE column value as the (naive UTC) date it holds; ``None`` for an undated post."""
    return None if value >= UNDATED_KEY else long_to_datetime(value)


@functools.cache
def _keyword_analyzer() -> Any:
    return CommaSeparatedTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)


def folded_label(text: str) -> str:
    """A tag or category as the tag and category fields index it: lower-cased, unaccented."""
    return " ".join(token.text for token in _keyword_analyzer()(text))


class Counts(formats.Format):  # type: ignore[misc]
    """Whoosh's Frequency without the count it repeats in every posting's 4-byte value: the
    weight each posting keeps is that count already (the analysers set no token boosts), and
    the weights are what BM25 and Bo1 read. Each value is empty; 7 % of the index."""

    posting_size = 0

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        counted = formats.Frequency.word_values(self, value, analyzer, **kwargs)
        return ((word, count, weight, b"") for word, count, weight, _ in counted)


def _counted(field: fields.FieldType) -> fields.FieldType:
    field.format = Counts(field.format.field_boost)
    return field


def build_schema() -> fields.Schema:
    """Every field of the index."""
    schema = fields.Schema(
        path=fields.ID(stored=True, unique=True, sortable=True),
        tag=fields.TEXT(analyzer=_keyword_analyzer(), phrase=False),
        category=fields.TEXT(analyzer=_keyword_analyzer(), phrase=False),
        tag_label=fields.KEYWORD(commas=True, scorable=False),
        category_label=fields.KEYWORD(commas=True, scorable=False),
        lang=fields.ID(sortable=True),
        analysis=fields.ID,
        date=DateField(sortable=True),
        year=fields.NUMERIC(int, sortable=True),
        terms=fields.TEXT(analyzer=analysis.plain_analyzer(), phrase=True),
        words=_counted(fields.TEXT(analyzer=wordforms.words_analyzer(), phrase=False)),
        spellings=_counted(fields.TEXT(analyzer=analysis.spelling_analyzer(), phrase=False)),
        place=fields.TEXT(analyzer=analysis.plain_analyzer(), phrase=True),
        place_private=fields.TEXT(analyzer=analysis.plain_analyzer(), phrase=True),
        geo=fields.ID,
        cell=fields.KEYWORD,
        cell_private=fields.KEYWORD,
        # integer 1e-7 degrees (about 1 cm): whoosh-reloaded's float columns crash on write
        lat=fields.NUMERIC(int, bits=64, sortable=True),
        lon=fields.NUMERIC(int, bits=64, sortable=True),
        points=fields.COLUMN(columns.VarBytesColumn()),
        multi=fields.ID,
        record=fields.STORED,
        text=fields.STORED,
        listed=fields.COLUMN(columns.VarBytesColumn()),
        shown=fields.COLUMN(bytecolumn.column()),  # uncompressed: no inflating for plain hits
        shown_private=fields.COLUMN(bytecolumn.column()),  # the owner's alone: private places
        title_key=fields.ID,
        runs=_counted(fields.KEYWORD()),  # only counted, as words: completion reads its posts
    )
    for name in (TITLE, BODY):
        # a word that analyses into several tokens (CVE-2020-10663, CJK bigrams) is a phrase
        schema.add(name, fields.TEXT(analyzer=analysis.MultilingualAnalyzer(),
                                     multitoken_query="phrase"))  # fmt: skip
    return schema


def document(post: Post, *, keep_private_location: bool = True) -> dict[str, Any]:
    """The Whoosh document for one post."""
    key = analysis.language_key(post.lang)
    places = visible_places(post.locations, keep_private=keep_private_location)
    doc: dict[str, Any] = {
        **records.stored_fields(post, places),
        ANALYSIS: key,
        TITLE: analysis.marked(post.title, key),
        BODY: analysis.marked(post.text, key),
        TERMS: " ; ".join((*post.tags, *post.categories)),
        WORDS: f"{post.title}\n{post.text}",
        LISTED: records.listed(post),
        SHOWN: records.shown(post, places),  # b"" for a post shown from its record
        SHOWN_PRIVATE: records.shown_private(places),
    }
    runs = wordforms.script_runs(f"{post.title}\n{post.text}")
    if runs:
        doc[RUNS] = " ".join(runs)
    key = wordforms.title_key(post.title)
    if key:
        doc[TITLE_KEY] = title_term(key)
    spelled = analysis.spelled_words(post.text, post.title)
    if spelled:
        doc[SPELLINGS] = spelled
    if post.tags:
        doc[TAG] = doc[TAG_LABEL] = ",".join(post.tags)
    if post.categories:
        doc[CATEGORY] = doc[CATEGORY_LABEL] = ",".join(post.categories)
    if post.lang:
        doc[LANG] = post.lang
    if post.date is not None:
        doc[DATE] = naive_utc(post.date)
        doc[YEAR] = post.date.year
    doc.update(_place_fields(places))
    return doc


def title_term(key: str) -> str:
    """The :data:`TITLE_KEY` term of a title's ``wordforms.title_key``: a 64-bit digest in hex,
    16 characters where the key took 39 on average (0.14 MB of 6,112 posts' terms)."""
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def visible_places(places: Sequence[Location], *, keep_private: bool) -> tuple[Location, ...]:
    """A post's places as the index keeps them: all private if any is (privacy fails closed),
    and none at all if private ones are not to be kept."""
    if all(place.public for place in places):
        return tuple(places)
    if not keep_private:
        return ()
    return tuple(place if not place.public else replace(place, public=False) for place in places)


def _place_fields(places: tuple[Location, ...]) -> dict[str, Any]:
    """The fields that find a post by place: its addresses, its cells and its points."""
    if not places:
        return {}
    public = places[0].public
    doc: dict[str, Any] = {}
    addresses = dict.fromkeys(place.address for place in places if place.address)
    if addresses:
        doc[PLACE if public else PLACE_PRIVATE] = "\n".join(addresses)
    points = [(p.lat, p.lon) for p in places if p.lat is not None and p.lon is not None]
    if points:
        doc[GEO] = "public" if public else "private"
        doc[LAT], doc[LON] = to_e7(points[0][0]), to_e7(points[0][1])
        terms = dict.fromkeys(cell for lat, lon in points for cell in cells(lat, lon))
        doc[CELL if public else CELL_PRIVATE] = " ".join(terms)
    if len(points) > 1:
        doc[MULTI] = "1"
        doc[POINTS] = pack_points(points)
    return doc


def pack_points(points: Sequence[tuple[float, float]]) -> bytes:
    """Points as the :data:`POINTS` column stores them."""
    return struct.pack(f"<{2 * len(points)}q", *(to_e7(v) for point in points for v in point))


def unpack_points(value: bytes) -> list[tuple[int, int]]:
    """(lat, lon) in 1e-7 degrees of each point packed by :func:`pack_points`."""
    values = struct.unpack(f"<{len(value) // 8}q", value[: len(value) // 16 * 16])
    return list(zip(values[::2], values[1::2], strict=True))


def cells(lat: float, lon: float) -> list[str]:
    """Every geohash prefix of the point, coarsest first: the terms of the spatial index."""
    full = geohash_encode(lat, lon, CELL_PRECISION)
    return [full[:n] for n in range(1, CELL_PRECISION + 1)]


def to_e7(degrees: float) -> int:
    return round(degrees * 1e7)


def from_e7(value: int) -> float:
    return value / 1e7


def naive_utc(moment: dt.datetime) -> dt.datetime:
    """Whoosh stores naive datetimes: aware ones are converted to UTC first."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def form_query(
    fieldname: str,
    form: tuple[str, ...],
    languages: frozenset[str],
    keys: Sequence[str],
    *,
    slop: int = 1,
    boost: float = 1.0,
) -> query.Query:
    """One form of a query word in the multilingual ``fieldname`` (TITLE or BODY), searched
    only in posts analysed in the ``languages`` that give that form.

    A post's words are analysed in its own language, so a form from another language's
    stemmer is a false friend there: Spanish stems "hateoas" to "hate", which must not find
    English posts about hate. When every language of the index (``keys``) gives the form,
    no restriction is needed. The restriction is a Require: it filters, it does not score.
    """
    leaf: query.Query = (
        query.Term(fieldname, form[0], boost=boost)
        if len(form) == 1
        else query.Phrase(fieldname, list(form), slop=slop, boost=boost)
    )
    if languages.issuperset(keys):
        return leaf
    scope = [query.Term(ANALYSIS, key) for key in sorted(languages)]
    return Scoped(leaf, scope[0] if len(scope) == 1 else query.Or(scope))


class Scoped(query.Require):  # type: ignore[misc]
    """A Require whose boost is its scored part's: Whoosh's BinaryQuery.with_boost sets both
    parts' boosts to the new value, so flattening nested ORs would reset a title's 3.0 to 1."""

    def with_boost(self, boost: float) -> Scoped:
        return Scoped(self.a.with_boost(self.a.boost * boost), self.b)


def text_fields(*, private_places: bool) -> dict[str, float]:
    """Fields an unfielded query searches, with their boosts."""
    boosts: dict[str, float] = {TITLE: TITLE_BOOST, BODY: 1.0}
    boosts[TERMS] = TERMS_BOOST
    boosts[PLACE] = PLACE_BOOST
    if private_places:
        boosts[PLACE_PRIVATE] = PLACE_BOOST
    return boosts
