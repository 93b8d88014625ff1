"""Plain-word queries skip Whoosh's parser: the query built must be the one it builds."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from whoosh import query

from searcher.indexing import schema
from searcher.search.nearclause import lift_near
from searcher.search.query import QueryParser
from searcher.search.querytree import planned
from searcher.search.visibility import Visibility

_PATTERNS = (query.Prefix, query.Wildcard)
KEYS = ["any", "cjk", "de", "en", "es", "fr", "it", "pt", "ru"]
WORDS = [
    "ruby", "rails", "on", "the", "de", "la", "und", "release", "Released", "sécurité",
    "Veröffentlicht", "уязвимость", "и", "脆弱性", "東京", "ελληνικά", "2011", "v2", "x",
    "AND", "OR", "NOT", "and", "or", "not", "ANDMAYBE", "near", "title", "tag", "date",
    "c3po", "ǅemal", "İstanbul", "straße", "l", "y", "a",
]  # fmt: skip
_PIECES = st.lists(
    st.one_of(
        st.sampled_from(WORDS),
        st.text(alphabet="abcdeéñøßЖжы語文ΩωÀ0129 :-*\"'()+?_^", min_size=1, max_size=8),
    ),
    min_size=1,
    max_size=5,
)


@pytest.fixture(scope="module", params=["owner", "public"])
def parsers(request: pytest.FixtureRequest) -> tuple[QueryParser, QueryParser]:
    """A parser taking the plain-word path, and one always running Whoosh's parser."""
    visibility = Visibility.for_audience(request.param)
    fast = QueryParser(schema.build_schema(), KEYS, visibility)
    slow = QueryParser(schema.build_schema(), KEYS, visibility)
    slow._plain = lambda text: None  # type: ignore[method-assign]
    return fast, slow


def _tree(q: Any) -> Any:
    """A query as a comparable tree: its class, repr and children's trees (== alone ignores
    some attributes)."""
    if q is None:
        return None
    return (type(q), repr(q), getattr(q, "boost", None), [_tree(c) for c in q.children()])


@settings(max_examples=300, deadline=None)
@given(pieces=_PIECES, spaces=st.sampled_from([" ", "  ", " \t"]))
@example(pieces=["ruby", "on", "rails"], spaces=" ")
@example(pieces=["sécurité"], spaces=" ")
@example(pieces=["the"], spaces=" ")
@example(pieces=["ruby", "Ruby", "rubies", "ruby"], spaces=" ")  # duplicates go
@example(pieces=["the", "on", "the"], spaces=" ")  # optional words, twice
def test_plain_words_build_the_query_whoosh_builds(
    parsers: tuple[QueryParser, QueryParser], pieces: list[str], spaces: str
) -> None:
    fast, slow = parsers
    text = spaces.join(pieces)
    try:
        expected = slow.parse(text)
    except Exception as exc:  # an error must stay the same error
        with pytest.raises(type(exc)):
            fast.parse(text)
        return
    found = fast.parse(text)
    assert found.near == expected.near
    assert found.text == expected.text
    assert _tree(found.text) == _tree(expected.text)
    if found.plain:  # a search checks no pattern of a plain query: it must hold none
        assert found.text is not None
        assert not [leaf for leaf in found.text.leaves() if isinstance(leaf, _PATTERNS)]


@pytest.mark.parametrize(
    "text", ["ruby on rails", "sécurité", "脆弱性 東京", "Ruby 2011", "v2 x", "the"]
)
def test_plain_words_take_the_fast_path(
    parsers: tuple[QueryParser, QueryParser], text: str
) -> None:
    fast, slow = parsers
    built = fast._plain(text)
    assert built is not None
    assert fast.parse(text).plain
    expected = planned(lift_near(slow._parser.parse(text, normalize=False), []))
    assert _tree(built) == _tree(expected)


@pytest.mark.parametrize(
    "text", ["ruby AND rails", "title:ruby", '"ruby on rails"', "ruby -rails", "rub*", "a_b", "c++"]
)
def test_syntax_goes_to_whoosh(parsers: tuple[QueryParser, QueryParser], text: str) -> None:
    assert parsers[0]._plain(text) is None
    assert not parsers[0].parse(text).plain  # its patterns are checked
