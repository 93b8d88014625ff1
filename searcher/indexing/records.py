"""The record codec: what the index stores of a post to show it, written and read back.

The writer stores three fields per post: its :data:`PATH`, its :data:`RECORD` (title, URL,
date, tags, categories, language and places as a JSON list, in :data:`RECORD_FIELDS` order)
and its :data:`TEXT` (the body, for snippets: its words with one space or one newline
between them, :func:`stored_text`). Whoosh pickles and compresses each post's
stored fields; a JSON list compresses to 5 % less than the dict of the same values did
(its keys repeated in every post). :func:`stored_fields` writes them from a
:class:`~searcher.models.Post`; :func:`read` turns them back into a typed
:class:`StoredPost`, which is what every reader makes a hit, a snippet or a list of similar
posts from: nothing else reads them by key.
The :data:`LISTED` column (a post's date and title, for completion), the :data:`SHOWN`
column (what a hit with no word to mark shows, uncompressed, nothing private) and the
:data:`SHOWN_PRIVATE` column (the places a post's SHOWN value leaves out, for the owner) are
coded here too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple

import orjson

from searcher.indexing.openings import post_opening
from searcher.models import Location, Post

PATH = "path"  # stored, and the unique key of a post
RECORD = "record"  # stored: what a hit shows
TEXT = "text"  # stored: the body, for snippets
LISTED = "listed"  # a column of each post's date and title: completion lists every title
SHOWN = "shown"  # a column of what a plain hit shows: its record's fields and opening
SHOWN_PRIVATE = "shown_private"  # a column of the private places SHOWN leaves out
RECORD_FIELDS = ("title", "url", "date", "tags", "categories", "lang", "locations")


class StoredPost(NamedTuple):
    """A post as the index stored it: every place, private ones too (an audience's
    :class:`~searcher.search.visibility.Visibility` decides which of them leave). A named
    tuple: made for every hit, it costs half what a frozen dataclass did."""

    path: str
    title: str
    url: str
    date: str | None  # ISO 8601, as the post's date was written
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    lang: str | None
    locations: tuple[Location, ...]
    text: str


def stored_fields(post: Post, places: tuple[Location, ...]) -> dict[str, Any]:
    """The stored fields of ``post``, whose places are kept as ``places`` (see
    :func:`~searcher.indexing.schema.visible_places`)."""
    values = (*_listed(post), [place.to_dict() for place in places])  # a hit shows one
    record = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return {PATH: post.path, RECORD: record, TEXT: stored_text(post.text)}


def stored_text(text: str) -> str:
    """A post's :data:`TEXT` as stored: its words with one space or one newline between
    them, nothing around them. Ingest writes every text so (``ingest.text``), and it is then
    stored as it is; another one has its whitespace made one space.

    Told without splitting: a text whose newlines made spaces is printable (no whitespace
    but the space is), single-spaced and unpadded is one ingest wrote; splitting it into
    its words to compare cost 2.5 times as much."""
    flat = text.replace("\n", " ")
    if flat.isprintable() and "  " not in flat and flat[:1] != " " and flat[-1:] != " ":
        return text
    spaced = " ".join(text.split())  # other whitespace, or a character no printer shows
    return text if spaced == flat else spaced


def flat_text(stored: str) -> str:
    """A stored :data:`TEXT`, or the start of one, with one space between its words, as
    ``" ".join(stored.split())`` makes it: only its newlines to replace (:func:`stored_text`),
    where checking the text for every other kind of whitespace took 8 us a post (40 in
    Japanese), most of what making a first-time hit's snippet source cost."""
    return stored.replace("\n", " ").rstrip(" ")  # cut after a space: the space goes too


def _listed(post: Post) -> tuple[Any, ...]:
    """What both the record and the SHOWN value hold of a post, in this order."""
    return (post.title, post.url, iso_date(post), post.tags, post.categories, post.lang)


def read(stored: Mapping[str, Any]) -> StoredPost:
    """The :class:`StoredPost` of one document's stored fields (a missing value is empty;
    a missing title is the path)."""
    path: str = stored[PATH]
    raw = stored.get(RECORD)
    value = _json(raw) if isinstance(raw, str) else raw
    if type(value) is list and len(value) == len(RECORD_FIELDS) and type(value[6]) is list:
        place = Location.of_dict if value is not raw else _location  # parsed here: its own
    else:  # not what this schema writes: an older or broken record
        value, place = _fields(path, value), _location
    title, url, date, tags, categories, lang, places = value
    located = tuple([place(item) for item in places])
    return StoredPost(path, title, url, date, tuple(tags), tuple(categories), lang, located,
                      stored.get(TEXT, ""))  # fmt: skip


class Shown(NamedTuple):
    """What a hit with no word to mark shows of a post (its :data:`SHOWN` value): its
    record's fields but for the text, only its public places, and the opening of its text. A
    flat named tuple: one is read for every k-nearest hit."""

    path: str
    title: str
    url: str
    date: str | None
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    lang: str | None
    locations: tuple[Location, ...]  # public ones only
    opening: str  # the first words of the text, as HTML (openings.opening)
    withheld: bool  # the post's places are private: in :data:`SHOWN_PRIVATE`, not here


def shown(post: Post, places: tuple[Location, ...]) -> bytes:
    """The :data:`SHOWN` value of ``post``, whose places are kept as ``places``. Nothing
    private: a post with a private place (all its places are then, ``visible_places``) keeps
    none here, and JSON ``null`` says so."""
    public = None if any(not place.public for place in places) else places
    values = (
        post.path,
        *_listed(post),
        None if public is None else [place.to_dict() for place in public],
        post_opening(post.text),
    )
    try:
        return orjson.dumps(values)
    except orjson.JSONEncodeError:  # a lone surrogate, which UTF-8 cannot hold: such a post
        return b""  # is shown from its record, as before


def shown_private(places: tuple[Location, ...]) -> bytes:
    """The :data:`SHOWN_PRIVATE` value of a post whose places are kept as ``places``: those
    places where :func:`shown` leaves them out, else nothing (``b""``)."""
    if all(place.public for place in places):
        return b""
    return orjson.dumps([place.to_dict() for place in places])


def read_shown_private(value: bytes) -> tuple[Location, ...] | None:
    """The places of a :data:`SHOWN_PRIVATE` value; ``None`` where there are none or it is not
    what :func:`shown_private` writes."""
    try:
        places = orjson.loads(value) if value else None
    except ValueError:
        return None
    if type(places) is not list or not all(type(place) is dict for place in places):
        return None
    try:
        return tuple([Location.of_dict(place) for place in places])
    except TypeError:  # not a place's fields
        return None


def read_shown(value: bytes) -> Shown | None:
    """The :class:`Shown` of a :data:`SHOWN` value; ``None`` where there is none or it is not
    what :func:`shown` writes (a post written without one: read its record instead)."""
    try:
        fields = orjson.loads(value) if value else None
    except ValueError:
        return None
    if type(fields) is not list or len(fields) != 9:
        return None
    path, title, url, date, tags, categories, lang, places, opening = fields
    located = () if places is None else tuple([Location.of_dict(item) for item in places])
    return Shown(path, title, url, date, tuple(tags), tuple(categories), lang, located, opening,
                 places is None)  # fmt: skip


def _location(values: Any) -> Location:
    """The place of a record's dict that a caller may still hold (so not taken as is)."""
    return Location(**values)


def _json(text: str) -> Any:
    """A JSON value, or an empty dict where the text is not JSON. orjson parses a record in
    a third of the json module's time (4.3 -> 1.3 us); what it refuses (lone surrogates,
    NaN and infinities, deep nesting) the json module reads as it always did. (orjson reads
    an integer past 64 bits as a float: a record holds none, its only numbers are degrees.)"""
    try:
        return orjson.loads(text)
    except ValueError:
        pass
    try:
        return json.loads(text)
    except ValueError:
        return {}


def _fields(path: str, value: Any) -> list[Any]:
    """The values of a record that is not this schema's list, in :data:`RECORD_FIELDS`
    order: a dict in indexes before schema 10, a shorter list, or nothing readable."""
    record = _record(value)
    places = record.get("locations")
    if places is None:  # one ``location`` in a record written before posts had several
        places = [record["location"]] if record.get("location") else []
    return [record.get("title", path), record.get("url", ""), record.get("date"),
            record.get("tags", ()), record.get("categories", ()), record.get("lang"),
            places]  # fmt: skip


def _record(value: Any) -> Mapping[str, Any]:
    """A stored :data:`RECORD` value as a dict: a JSON list (a dict in indexes before
    schema 10); empty when missing or unreadable."""
    if isinstance(value, list):
        return dict(zip(RECORD_FIELDS, value, strict=False))
    return value if isinstance(value, Mapping) else {}


def iso_date(post: Post) -> str | None:
    """A post's date as its record and its :data:`LISTED` value write it."""
    return post.date.isoformat() if post.date else None


def listed(post: Post) -> bytes:
    """A post's :data:`LISTED` column value: its date (ISO, as its record has it) and title."""
    return f"{iso_date(post) or ''}\x1f{post.title}".encode()


def read_listed(value: bytes) -> tuple[str, str]:
    """(date, title) from a :data:`LISTED` column value."""
    date, _, title = value.decode().partition("\x1f")
    return date, title
