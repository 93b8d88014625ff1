"""The record codec: a post written as stored fields reads back as the same typed record."""

from __future__ import annotations

import datetime as dt
import json
import math
import pickle
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searcher.indexing import openings, records, schema
from searcher.models import Location, Post
from searcher.search.query import make_hit
from searcher.search.snippettext import flat
from searcher.search.visibility import Visibility

PARIS = Location(48.85, 2.35, True, "Paris", "front-matter")
LYON = Location(45.76, 4.84, False, "Lyon", "geocoded", "Lyon, FR")
POST = Post(
    "2011/paris.md",
    "À Paris",
    dt.datetime(2011, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    tags=("Cloud", "Données"),
    categories=("Voyage",),
    lang="fr",
    url="https://example.org/2011/paris/",
    locations=(PARIS, LYON),
    text="Le texte du billet.",
)


def _stored(post: Post, places: tuple[Location, ...]) -> dict[str, Any]:
    """What a reader gets back: the stored fields as Whoosh keeps them (pickled)."""
    fields = records.stored_fields(post, places)
    return dict(pickle.loads(pickle.dumps(fields)))


@pytest.mark.parametrize(
    "post",
    [
        POST,
        Post("undated.md", "", None),  # no date, title, tag, language, URL, place or text
        Post("one.md", "One place", dt.datetime(1, 1, 1), locations=(LYON,)),
    ],
)
def test_a_post_reads_back_as_it_was_written(post: Post) -> None:
    read = records.read(_stored(post, post.locations))
    assert read == records.StoredPost(
        path=post.path,
        title=post.title,
        url=post.url,
        date=post.date.isoformat() if post.date else None,
        tags=post.tags,
        categories=post.categories,
        lang=post.lang,
        locations=post.locations,
        text=post.text,
    )


def test_the_stored_record_keeps_its_on_disk_shape() -> None:
    """The record is a JSON list of plain values, in RECORD_FIELDS order."""
    stored = records.stored_fields(POST, POST.locations)
    assert set(stored) == {schema.PATH, schema.RECORD, schema.TEXT}
    assert json.loads(stored[schema.RECORD]) == [
        "À Paris",
        "https://example.org/2011/paris/",
        "2011-03-01T09:30:00+01:00",
        ["Cloud", "Données"],
        ["Voyage"],
        "fr",
        [PARIS.to_dict(), LYON.to_dict()],
    ]
    assert "À Paris" in stored[schema.RECORD]  # written as it is, not \u-escaped


def test_a_record_written_as_a_dict_reads_the_same() -> None:
    """Indexes before schema 10 stored the record as a dict."""
    stored = records.stored_fields(POST, POST.locations)
    as_dict = dict(zip(records.RECORD_FIELDS, json.loads(stored[schema.RECORD]), strict=True))
    assert records.read({**stored, schema.RECORD: as_dict}) == records.read(stored)


def test_the_document_stores_what_the_codec_writes() -> None:
    doc = schema.document(POST)
    places = schema.visible_places(POST.locations, keep_private=True)
    assert {k: doc[k] for k in (schema.PATH, schema.RECORD, schema.TEXT)} == (
        records.stored_fields(POST, places)
    )
    assert records.read_listed(doc[schema.LISTED]) == ("2011-03-01T09:30:00+01:00", "À Paris")


@pytest.mark.parametrize(
    ("stored", "title", "places"),
    [
        ({"path": "p.md"}, "p.md", ()),  # nothing but a path: the path is the title
        ({"path": "p.md", "record": None, "text": ""}, "p.md", ()),
        ({"path": "p.md", "record": {"title": "T", "location": PARIS.to_dict()}}, "T", (PARIS,)),
        ({"path": "p.md", "record": {"title": "T", "location": None}}, "T", ()),
        ({"path": "p.md", "record": '["T"]'}, "T", ()),  # a shorter list: the rest empty
        ({"path": "p.md", "record": "[not json"}, "p.md", ()),  # unreadable: as missing
        ({"path": "p.md", "record": '"T"'}, "p.md", ()),
    ],
)
def test_missing_values_read_as_empty(
    stored: dict[str, Any], title: str, places: tuple[Location, ...]
) -> None:
    read = records.read(stored)
    assert (read.title, read.url, read.date, read.tags, read.lang) == (title, "", None, (), None)
    assert read.locations == places and read.text == ""


@pytest.mark.parametrize(("audience", "shown"), [("owner", (PARIS, LYON)), ("public", (PARIS,))])
def test_a_hit_is_made_from_the_typed_record(audience: str, shown: tuple[Location, ...]) -> None:
    read = records.read(_stored(POST, POST.locations))
    hit = make_hit(read, score=1.5, snippet_html="<b>x</b>",
                   visibility=Visibility.for_audience(audience), near=(45.7, 4.8))  # fmt: skip
    assert hit.locations == shown and hit.location == shown[-1]  # the nearest shown
    assert (hit.path, hit.title, hit.url, hit.date) == (POST.path, POST.title, POST.url,
                                                       "2011-03-01T09:30:00+01:00")  # fmt: skip
    assert (hit.tags, hit.categories, hit.lang, hit.score) == (POST.tags, POST.categories,
                                                               "fr", 1.5)  # fmt: skip


@pytest.mark.parametrize(
    ("title", "lat"),
    [("lone \ud800 surrogate", 48.85), ("not a number", float("nan")), ("plain", 48.85)],
)
def test_what_the_fast_json_parser_refuses_reads_as_the_json_module_reads_it(
    title: str, lat: float
) -> None:
    """Records are parsed with orjson; what it refuses (a lone surrogate, NaN) is read by
    the json module, as before."""
    place = Location(lat, 2.35, True, "Somewhere", "front-matter")
    post = Post("p.md", title, None, tags=("a", "é"), locations=(place,), text="t")
    stored = records.stored_fields(post, post.locations)
    read = records.read(stored)
    expected = json.loads(stored[schema.RECORD])
    assert (read.title, read.tags, read.path, read.text) == (title, ("a", "é"), "p.md", "t")
    assert read.locations[0].to_dict().keys() == expected[6][0].keys()
    assert read.locations[0].lon == 2.35 and read.locations[0].address == "Somewhere"
    assert (read.locations[0].lat == lat) or (lat != lat and math.isnan(read.locations[0].lat or 0))


def test_places_read_from_a_record_are_locations_like_any_other() -> None:
    """A parsed record's place dicts become Locations without the constructor: they compare,
    hash, print and refuse changes as constructed ones do; a dict with other keys is refused
    as the constructor refuses it."""
    read = records.read(_stored(POST, POST.locations))
    assert read.locations == (PARIS, LYON)
    assert [hash(p) for p in read.locations] == [hash(PARIS), hash(LYON)]
    assert repr(read.locations[1]) == repr(LYON) and read.locations[1].has_point
    with pytest.raises(AttributeError):
        read.locations[0].lat = 0.0  # type: ignore[misc]
    assert Location.of_dict({**PARIS.to_dict()}) == PARIS
    with pytest.raises(TypeError):
        Location.of_dict({**PARIS.to_dict(), "extra": 1})
    with pytest.raises(TypeError):
        Location.of_dict({"lat": 1.0})  # lon missing


def test_a_hit_takes_the_fields_in_the_dataclass_order() -> None:
    """Hit's own __init__ (faster than the generated one) takes the fields in order, with the
    same defaults."""
    import dataclasses
    import inspect

    from searcher.models import Hit

    parameters = list(inspect.signature(Hit.__init__).parameters.values())[1:]
    fields = dataclasses.fields(Hit)
    assert [p.name for p in parameters] == [f.name for f in fields]
    assert [p.default for p in parameters] == [
        inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in fields
    ]
    values = ("p.md", "T", "/u", None, ("a",), (), "en", 1.0, "s", PARIS)
    hit = Hit(*values)
    assert tuple(getattr(hit, f.name) for f in fields) == (*values, None, ())
    assert hit == dataclasses.replace(hit) and hash(hit) == hash(dataclasses.replace(hit))
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.score = 2.0  # type: ignore[misc]


# -- the SHOWN column ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "post",
    [
        replace(POST, locations=(PARIS,)),
        Post("undated.md", "", None),
        Post("long.md", "Long", None, text="mot " * 20_000, locations=(PARIS, PARIS)),
    ],
)
def test_shown_reads_back_what_a_plain_hit_shows(post: Post) -> None:
    shown = records.read_shown(records.shown(post, post.locations))
    assert shown is not None and not shown.withheld
    from_record = records.read(_stored(post, post.locations))
    assert shown[:8] == from_record[:8]  # all but the text
    assert shown.opening == openings.opening(post.text[: openings.SOURCE_CHARS])


@pytest.mark.parametrize("keep_private", [True, False])
def test_shown_holds_nothing_private(keep_private: bool) -> None:
    places = schema.visible_places(POST.locations, keep_private=keep_private)  # Lyon is private
    value = records.shown(POST, places)
    private = (
        "Lyon",
        '"lat"',
        '"address"',
        "geocoded",
        "front-matter",
        "48.85",
        "45.76",
        "2.35",
        "4.84",
    )
    assert not any(word in value.decode() for word in private)
    shown = records.read_shown(value)
    assert shown is not None and shown.locations == ()
    assert shown.withheld is keep_private  # only then does the record hold places the column lacks
    assert shown.title == POST.title


def test_a_value_json_cannot_hold_is_left_to_the_record() -> None:
    post = replace(POST, text="lone \ud800 surrogate")  # UTF-8 cannot hold it
    assert records.shown(post, post.locations) == b""


@pytest.mark.parametrize(
    "value", [b"", b"not json", b"{}", b"[1, 2]", json.dumps([None] * 9)[:-1].encode()]
)
def test_what_shown_does_not_write_reads_as_none(value: bytes) -> None:
    assert records.read_shown(value) is None


def test_the_owners_places_are_in_their_own_column() -> None:
    places = schema.visible_places(POST.locations, keep_private=True)  # Lyon makes both private
    assert records.read_shown_private(records.shown_private(places)) == places
    assert records.shown_private((PARIS,)) == records.shown_private(()) == b""


@pytest.mark.parametrize("value", [b"", b"[", b"{}", b"[1]", b'[{"lat": 1}]', b'[{"x": 1}]'])
def test_what_shown_private_does_not_write_reads_as_none(value: bytes) -> None:
    assert records.read_shown_private(value) is None


@pytest.mark.parametrize(
    "text",
    ["", "Un mot.", "Deux blocs.\nLe second, plus long.", "語\n句", "ä\nb c\nd"],
)
def test_a_text_as_ingest_writes_it_is_stored_as_it_is(text: str) -> None:
    assert records.stored_text(text) is text


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        (" a", "a"),
        ("a\n", "a"),
        ("a\n\nb", "a b"),
        ("a \nb", "a b"),
        ("a\tb", "a b"),
        ("a\u3000b\u00a0c", "a b c"),
        ("a\r\nb", "a b"),
        ("\n", ""),
    ],
)
def test_other_whitespace_is_stored_as_one_space(text: str, stored: str) -> None:
    assert records.stored_text(text) == stored
    post = records.read(_stored(replace(POST, text=text), POST.locations))
    assert post.text == stored


def _split_stored(text: str) -> str:
    """stored_text as it was first written: the text split into its words to compare."""
    spaced = " ".join(text.split())
    return text if spaced == text.replace("\n", " ") else spaced


@given(
    st.text(alphabet=st.sampled_from("ab語 \n\t\r\x02\x1c\x85\xa0\u200e\u2028\u3000"), max_size=12)
)
def test_stored_text_is_what_splitting_the_text_gives(text: str) -> None:
    stored = records.stored_text(text)
    assert stored == _split_stored(text)
    assert (stored is text) == (_split_stored(text) is text)


def test_no_whitespace_but_the_space_is_printable() -> None:
    """What stored_text's test without splitting rests on."""
    odd = [c for c in map(chr, range(0x110000)) if c.isspace() and c.isprintable()]
    assert odd == [" "]


@given(st.text(alphabet=st.sampled_from("ab é語 \n\t\u3000\u00a0\r\x0c"), max_size=40), st.data())
def test_a_stored_text_cut_anywhere_reads_flat_as_splitting_makes_it(
    text: str, data: st.DataObject
) -> None:
    """flat_text of any start of a stored text is what snippets read: its words, one space
    between them, as snippets.flat would make it, checking for every kind of whitespace."""
    stored = records.stored_text(text)
    assert records.flat_text(stored) == " ".join(text.split())
    cut = data.draw(st.integers(0, len(stored)))
    assert records.flat_text(stored[:cut]) == " ".join(stored[:cut].split())
    assert records.flat_text(stored[:cut]) == flat(stored[:cut])
