"""The index schema: the one place that knows field names, field types and analysers.

Titles and bodies are each one field whose analyser reads the post's language from the front
of the value (:func:`analysis.marked`): a post's words are analysed in its own language, and
a query word is expanded into the forms it takes in every language present (see query.py).
Tags, categories and places are folded but not stemmed. A private post's address goes to a
field only the owner searches.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from typing import Any

from whoosh import columns, fields, formats, query
from whoosh.analysis import CharsetFilter, CommaSeparatedTokenizer, LowercaseFilter
from whoosh.support.charset import accent_map

from searcher import analysis
from searcher.errors import QuerySyntaxError
from searcher.geo import geohash_encode
from searcher.models import Location, Post

SCHEMA_VERSION = 7

PATH = "path"
TAG = "tag"  # folded: what filters and facets match
CATEGORY = "category"
TAG_LABEL = "tag_label"  # tags as written, to show facets and stats as authors wrote them
CATEGORY_LABEL = "category_label"
LANG = "lang"
ANALYSIS = "analysis"  # the analysis language key a post's words were indexed with
DATE = "date"
YEAR = "year"
TERMS = "terms"  # tags and categories as words, for unfielded queries
WORDS = "words"  # every title and body word, folded but not stemmed: spelling and completion
SPELLINGS = "spellings"  # how folded words are written ("ete" as "été"), to show completions
PLACE = "place"
PLACE_PRIVATE = "place_private"
GEO = "geo"  # "public" / "private" for located posts
CELL = "cell"  # geohash prefixes (precision 1..CELL_PRECISION) of public points
CELL_PRIVATE = "cell_private"  # the same for private points: the public audience never reads it
CELL_PRECISION = 8  # finest cell: about 38 m x 19 m
LAT = "lat"
LON = "lon"
RECORD = "record"  # stored: what a hit shows
LISTED = "listed"  # a column of each post's date and title: completion lists every title
TEXT = "text"  # stored: the body, for snippets

TITLE_BOOST = 3.0
TERMS_BOOST = 2.0
PLACE_BOOST = 1.5


TITLE = "title"
BODY = "body"


class DateField(fields.DATETIME):  # type: ignore[misc]
    """DATETIME whose query-side parsing works: exclusive bounds, partial dates, clear errors.

    whoosh-reloaded ignores ``{…}`` exclusivity, turns ``date:>2011`` into a null query and
    hides unparseable dates behind an error query that silently matches nothing.
    """

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> query.Query:
        start, end = partial_date_span(qstring)
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
        if start is None and end is None:
            return query.Every(fieldname, boost=boost)
        low = high = None
        if start is not None:
            first, last = partial_date_span(start)
            low = _long(last + dt.timedelta(microseconds=1) if startexcl else first)
        if end is not None:
            first, last = partial_date_span(end)
            high = _long(first - dt.timedelta(microseconds=1) if endexcl else last)
        return query.NumericRange(fieldname, low, high, boost=boost)


_PARTIAL = re.compile(r"^(\d{4})(?:[-/.]?(\d{1,2}))?(?:[-/.]?(\d{1,2}))?$")


def partial_date_span(text: str) -> tuple[dt.datetime, dt.datetime]:
    """``2011`` → all of 2011; ``2011-03`` → March 2011; ``2011-03-01`` → that day."""
    match = _PARTIAL.match(text.strip().strip("'\""))
    if not match:
        raise QuerySyntaxError(f"{text!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        start = dt.datetime(year or 1, month or 1, day or 1)
    except ValueError as exc:
        raise QuerySyntaxError(f"{text!r} is not a date ({exc})") from None
    if day is not None:
        end = start + dt.timedelta(days=1)
    elif month is not None:
        end = start.replace(year=start.year + (month == 12), month=month % 12 + 1)
    else:
        end = start.replace(year=start.year + 1)
    return start, end - dt.timedelta(microseconds=1)


def _long(moment: dt.datetime) -> int:
    return int(fields.datetime_to_long(moment))


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


def _counted(field: fields.TEXT) -> fields.TEXT:
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
        words=_counted(fields.TEXT(analyzer=analysis.plain_analyzer(), phrase=False)),
        spellings=_counted(fields.TEXT(analyzer=analysis.spelling_analyzer(), phrase=False)),
        place=fields.TEXT(analyzer=analysis.plain_analyzer(), phrase=True),
        place_private=fields.TEXT(analyzer=analysis.plain_analyzer(), phrase=True),
        geo=fields.ID,
        cell=fields.KEYWORD,
        cell_private=fields.KEYWORD,
        # integer 1e-7 degrees (about 1 cm): whoosh-reloaded's float columns crash on write
        lat=fields.NUMERIC(int, bits=64, sortable=True),
        lon=fields.NUMERIC(int, bits=64, sortable=True),
        record=fields.STORED,
        text=fields.STORED,
        listed=fields.COLUMN(columns.VarBytesColumn()),
    )
    for name in (TITLE, BODY):
        # a word that analyses into several tokens (CVE-2020-10663, CJK bigrams) is a phrase
        schema.add(name, fields.TEXT(analyzer=analysis.MultilingualAnalyzer(),
                                     multitoken_query="phrase"))  # fmt: skip
    return schema


def document(post: Post, *, keep_private_location: bool = True) -> dict[str, Any]:
    """The Whoosh document for one post."""
    key = analysis.language_key(post.lang)
    location = post.location
    if location is not None and not location.public and not keep_private_location:
        location = None
    doc: dict[str, Any] = {
        PATH: post.path,
        ANALYSIS: key,
        TITLE: analysis.marked(post.title, key),
        BODY: analysis.marked(post.text, key),
        TERMS: " ; ".join((*post.tags, *post.categories)),
        WORDS: f"{post.title}\n{post.text}",
        RECORD: record(post, location),
        LISTED: listed(post),
        TEXT: post.text,
    }
    spelled = analysis.spelled_words(f"{post.title}\n{post.text}")
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
    if location is not None and location.address:
        doc[PLACE if location.public else PLACE_PRIVATE] = location.address
    if location is not None and location.lat is not None and location.lon is not None:
        doc[GEO] = "public" if location.public else "private"
        doc[LAT] = to_e7(location.lat)
        doc[LON] = to_e7(location.lon)
        doc[CELL if location.public else CELL_PRIVATE] = " ".join(cells(location.lat, location.lon))
    return doc


def listed(post: Post) -> bytes:
    """A post's :data:`LISTED` column value: its date (ISO, as its record has it) and title."""
    return f"{post.date.isoformat() if post.date else ''}\x1f{post.title}".encode()


def read_listed(value: bytes) -> tuple[str, str]:
    """(date, title) from a :data:`LISTED` column value."""
    date, _, title = value.decode().partition("\x1f")
    return date, title


def record(post: Post, location: Location | None) -> dict[str, Any]:
    """The stored summary a hit is rebuilt from."""
    return {
        "title": post.title,
        "url": post.url,
        "date": post.date.isoformat() if post.date else None,
        "tags": list(post.tags),
        "categories": list(post.categories),
        "lang": post.lang,
        "location": location.to_dict() if location else None,
    }


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
