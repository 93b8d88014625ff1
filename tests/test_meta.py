from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher import meta


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
