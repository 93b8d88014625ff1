from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.ingest import meta


def reasons(fm: meta.FrontMatter) -> list[str]:
    return [w.reason for w in fm.warnings]


@pytest.mark.parametrize(
    ("text", "kind", "data"),
    [
        ("---\ntitle: A\n---\nbody", "yaml", {"title": "A"}),
        (
            '+++\ntitle = "A"\n[extra]\nlat = 1.5\n+++\nbody',
            "toml",
            {"title": "A", "extra": {"lat": 1.5}},
        ),
        ('{\n"title": "A", "tags": ["x"]\n}\nbody', "json", {"title": "A", "tags": ["x"]}),
        ("no front matter\n", "none", {}),
        ("---\n---\nbody", "yaml", {}),
        ("---\ntitle: A\n...\nbody", "yaml", {"title": "A"}),  # YAML's end, as Jekyll takes it
        ("\n\n---\ntitle: A\n---\nbody", "yaml", {"title": "A"}),  # blank lines first (Hugo)
        (' \n+++\ntitle = "A"\n+++\nbody', "toml", {"title": "A"}),
    ],
)
def test_formats(text: str, kind: str, data: dict[str, object]) -> None:
    fm = meta.parse(text)
    assert (fm.kind, fm.data, fm.warnings) == (kind, data, ())
    assert fm.body.strip() in ("body", "no front matter")


def test_yes_no_stay_strings_but_true_false_are_booleans() -> None:
    fm = meta.parse("---\ntitle: yes\npublished: false\nlang: no\n---\n")
    assert fm.data == {"title": "yes", "published": False, "lang": "no"}


def test_unknown_tags_kept_as_plain_values() -> None:
    fm = meta.parse("---\nx: !ruby/object:Foo\n  a: 1\nc: ! 'q'\n---\n")
    assert fm.data == {"x": {"a": 1}, "c": "q"}
    assert fm.warnings == ()


def test_binary_values_are_decoded() -> None:
    """Old exporters wrote dates and titles as base64 (``!binary``): they are read as text."""
    fm = meta.parse(
        "---\ndate: !binary |-\n  MjAxMS0wMy0wMSAxMDowMDowMA==\nb: !!binary aGk=\n"
        "c: !binary |\n  //79\n---\n"
    )
    assert fm.data == {"date": "2011-03-01 10:00:00", "b": "hi", "c": "//79\n"}  # c: not UTF-8
    assert fm.warnings == ()


def test_duplicate_keys_warn_and_keep_last() -> None:
    fm = meta.parse("---\ntitle: one\ntitle: two\n---\n")
    assert fm.data["title"] == "two"
    assert reasons(fm) == ["duplicate-keys"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '---\ntitle: "unterminated\ndate: 2011-03-01\ntags:\n- a\n- b\n---\n',
            {"date": dt.date(2011, 3, 1), "tags": ["a", "b"]},
        ),
        ('---\ntitle: A "quoted" word\nfoo: [bar\n---\n', {"title": 'A "quoted" word'}),
        ('+++\ntitle = "T"\nbroken = \n+++\n', {"title": "T"}),
        ('{\n"title": "J",\n"tags": ["a"],\n}\n', {"title": "J", "tags": ["a"]}),
    ],
)
def test_broken_front_matter_is_salvaged(text: str, expected: dict[str, object]) -> None:
    fm = meta.parse(text)
    assert "front-matter" in reasons(fm)
    for key, value in expected.items():
        assert fm.data[key] == value


def test_control_characters_removed_with_warning() -> None:
    fm = meta.parse("---\ntitle: a\x07b\n---\n")
    assert fm.data == {"title": "ab"}
    assert reasons(fm) == ["control-characters"]


def test_unterminated_block_keeps_the_whole_text_as_body() -> None:
    fm = meta.parse("---\ntitle: x\nno end")
    assert fm.kind == "none" and "no end" in fm.body and reasons(fm) == ["front-matter"]


@settings(max_examples=300)
@given(
    st.text(),
    st.sampled_from(["---\n", "+++\n", "{\n"]),
    st.sampled_from(["---\n", "+++\n", "}\n"]),
)
def test_never_raises(inner: str, start: str, end: str) -> None:
    fm = meta.parse(start + inner + "\n" + end + "body")
    assert isinstance(fm.data, dict)
    assert all(isinstance(k, str) for k in fm.data)


@pytest.mark.parametrize("value", ["2011-02-30", "2011-02-29 10:00:00", "2019-13-01", "0000-00-00"])
def test_an_impossible_date_is_a_string_not_a_broken_front_matter(value: str) -> None:
    """YAML's timestamp resolver raised on ``2011-02-30`` (anywhere, even ``updated:``) and the
    whole front matter was salvaged line by line: nested places and flags were lost."""
    fm = meta.parse(f"---\ntitle: T\nupdated: {value}\nmeta:\n  geo_public: '0'\n---\n")
    assert fm.data == {"title": "T", "updated": value, "meta": {"geo_public": "0"}}
    assert fm.warnings == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a broken line, then a nested map: its keys are kept in their map
            "---\ntitle: 'unterminated\ngeo_latitude: 43.48\nmeta:\n  geo_public: '0'\n"
            "  deeper:\n    key: v\nafter: 1\n---\n",
            {"geo_latitude": 43.48, "meta": {"geo_public": "0", "deeper": {"key": "v"}},
             "after": 1},
        ),
        (  # lists of one-key maps and of items, at the key's indentation or deeper
            "---\nbad: [x\nmeta:\n- geo_latitude: '50.9'\n- geo_longitude: '6.9'\n"
            "tags:\n  - a\n  - b\nloc:\n  - name: Bonn\n    lat: 50.7\n---\n",
            {"meta": [{"geo_latitude": "50.9"}, {"geo_longitude": "6.9"}], "tags": ["a", "b"],
             "loc": [{"name": "Bonn", "lat": 50.7}]},
        ),
    ],
)  # fmt: skip
def test_salvage_keeps_nested_keys_where_they_were(text: str, expected: dict[str, object]) -> None:
    """A privacy flag nested under a map (``meta: geo_public: '0'``) beside top-level
    coordinates was dropped by the salvage: the place became public."""
    fm = meta.parse(text)
    assert "front-matter" in reasons(fm)
    for key, value in expected.items():
        assert fm.data[key] == value


@pytest.mark.parametrize(
    ("written", "title"),
    [("12.50", "12.50"), ("true", "true"), ("0x1A", "0x1A"), ("010", "010"), ("1_000", "1_000"),
     ("2011-03-01", "2011-03-01"), ("1e3", "1e3"), ("'quoted 12.50'", "quoted 12.50")],
)  # fmt: skip
def test_a_title_is_kept_as_written_not_as_yaml_types_it(written: str, title: str) -> None:
    """'title: 12.50' was shown as 12.5 and 'title: true' as True: YAML typed them."""
    fm = meta.parse(f"---\ntitle: {written}\nslug: {written}\nn: 12.50\npermalink: false\n---\n")
    assert fm.data["title"] == title and fm.data["slug"] == title
    assert fm.data["n"] == 12.5 and fm.data["permalink"] is False
