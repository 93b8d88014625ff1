"""Plain-word queries skip Whoosh's parser: the query built must be the one it builds.

Plain words include the punctuation people type inside words (``c++``, ``node.js``,
``e-mail``, ``it's``): the parser reads those as words too."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from whoosh import query

from searcher.indexing import analysis, schema, wordforms
from searcher.search.nearclause import lift_near
from searcher.search.plainwords import plain_words
from searcher.search.query import QueryParser
from searcher.search.querytree import planned
from searcher.search.visibility import Visibility

_PATTERNS = (query.Prefix, query.Wildcard)
KEYS = ["any", "cjk", "de", "en", "es", "fr", "it", "pt", "ru"]
WORDS = [
    "ruby", "rails", "on", "the", "de", "la", "und", "release", "Released", "sécurité",
    "Veröffentlicht", "уязвимость", "и", "脆弱性", "東京", "ελληνικά", "2011", "v2", "x",
    "AND", "OR", "NOT", "and", "or", "not", "ANDMAYBE", "near", "title", "tag", "date",
    "c3po", "ǅemal", "İstanbul", "straße", "l", "y", "a", "REQUIRE", "ANDNOT",
    "c++", "node.js", "e-mail", "it's", "l'été", "rock'n'roll", "C#", ".NET", "a/b", "x=1",
    "50%", "$5", "@me", "…", "knitr?", "Why?!", "2.7.0", "v1.2", "CVE-2013-4164", "a_b",
    "脆弱性テスト", "&", "~x", "a|b", ";", "--", "don\u2019t", "e.g.",
    "\uff32\uff55\uff42\uff59", "\u02bcokina",  # fullwidth Ruby, modifier apostrophe
]  # fmt: skip
_PIECES = st.lists(
    st.one_of(
        st.sampled_from(WORDS),
        st.text(
            alphabet="abcdeéñøßЖжы語文ΩωÀ0129 :-*\"'()+?_^.,#&/=%$@~|!;…\u2019<>[]{}\\؟\t",
            min_size=1,
            max_size=8,
        ),
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
    return (
        type(q),
        repr(q),
        getattr(q, "boost", None),
        getattr(q, "matcher_type", None),  # which matcher an OR asks for
        [_tree(c) for c in q.children()],
    )


@settings(max_examples=600, deadline=None)
@given(pieces=_PIECES, spaces=st.sampled_from([" ", "  ", " \t"]))
@example(pieces=["ruby", "on", "rails"], spaces=" ")
@example(pieces=["sécurité"], spaces=" ")
@example(pieces=["the"], spaces=" ")
@example(pieces=["ruby", "Ruby", "rubies", "ruby"], spaces=" ")  # duplicates go
@example(pieces=["the", "on", "the"], spaces=" ")  # optional words, twice
@example(pieces=["ruby", "REQUIRE", "rails"], spaces=" ")  # an operator of the parser's
@example(pieces=["node.js", "the", "c++"], spaces=" ")  # phrases, an optional word
@example(pieces=["…", "&"], spaces=" ")  # no word at all
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
    "text",
    ["ruby on rails", "sécurité", "脆弱性 東京", "Ruby 2011", "v2 x", "the", "c++", "node.js",
     "e-mail", "it's", "a_b", "C# .NET", "CVE-2013-4164", "rock'n'roll", "the on"],
)  # fmt: skip
def test_plain_words_take_the_fast_path(
    parsers: tuple[QueryParser, QueryParser], text: str
) -> None:
    fast, slow = parsers
    built = fast._plain(text)
    assert built is not None
    assert fast.parse(text).plain
    expected = planned(lift_near(slow._parser.parse(text, normalize=False), []))
    assert _tree(built[0]) == _tree(expected)
    assert built[1] == wordforms.title_key(text)


@settings(max_examples=200, deadline=None)
@given(pieces=_PIECES, spaces=st.sampled_from([" ", "  ", " \t", "\n"]))
@example(pieces=["L'été", "2.7.0", "脆弱性テスト"], spaces=" ")
@example(pieces=["C#", ".NET", "don\u2019t"], spaces="  ")
def test_a_plain_querys_title_key_comes_from_its_words_tokens(
    parsers: tuple[QueryParser, QueryParser], pieces: list[str], spaces: str
) -> None:
    """The title key of plain words, from the tokens their tags and places terms have,
    is the key of the text they were typed in."""
    text = spaces.join(pieces)
    words = plain_words(text)
    assume(words is not None)
    assert parsers[0]._plainwords.title_key(words) == wordforms.title_key(text)


def test_an_index_read_from_disk_keys_titles_from_words_too() -> None:
    """A schema read back from disk holds analyzers equal to ours, not ours."""
    read = pickle.loads(pickle.dumps(schema.build_schema()))
    parser = QueryParser(read, KEYS, Visibility.for_audience("public"))
    words = ["Ruby", "2.7.0", "l'été", "東京"]
    assert parser._plainwords.title_key(words) == wordforms.title_key(" ".join(words))
    assert parser._plainwords.title_key(words) == "ruby 2.7.0 l ete 東京"


@pytest.mark.parametrize(
    "text",
    ["ruby AND rails", "title:ruby", '"ruby on rails"', "ruby -rails", "rub*",
     "ruby REQUIRE rails", "'quoted' word", "ruby^2", "(ruby)", "date:[2010 TO 2012]",
     "date:>2011", "؟ ruby", "near:paris"],
)  # fmt: skip
def test_syntax_goes_to_whoosh(parsers: tuple[QueryParser, QueryParser], text: str) -> None:
    assert parsers[0]._plain(text) is None
    assert not parsers[0].parse(text).plain  # its patterns are checked


@pytest.mark.parametrize(
    "text", ["what is rust?", "Why?! ruby", "c++ templates", "node.js", "+ruby"]
)
def test_typed_punctuation_is_plain(parsers: tuple[QueryParser, QueryParser], text: str) -> None:
    assert parsers[0].parse(text).plain


@settings(max_examples=300, deadline=None)
@given(word=st.one_of(st.sampled_from(WORDS), st.text(min_size=1, max_size=12)))
def test_word_forms_are_forms_by_language(word: str) -> None:
    """The one-token shortcut gives what cutting the word with each tokenizer gives."""
    assert analysis.word_forms(word, KEYS) == analysis.forms_by_language(word, KEYS)


def test_forms_of_one_set_of_languages_share_one_restriction(
    parsers: tuple[QueryParser, QueryParser],
) -> None:
    """A restriction to some languages is built once and shared by every form scoped to
    them, in titles and bodies, in one word and the next; it equals schema.form_query's."""
    fast, _ = parsers
    scopes: dict[frozenset[str], list[Any]] = {}
    for text in ("projects", "rails", "summer break"):
        q = fast.parse(text).text
        assert q is not None
        for leaf in _scoped(q):
            languages = frozenset(t.text for t in leaf.b.leaves())
            scopes.setdefault(languages, []).append(leaf.b)
            unshared = schema.form_query(schema.BODY, ("x",), languages, KEYS)
            assert isinstance(unshared, schema.Scoped)
            assert _tree(leaf.b) == _tree(planned(unshared).b)
    assert len(scopes) > 1 and max(len(same) for same in scopes.values()) >= 4
    for same in scopes.values():
        assert all(b is same[0] for b in same)


def _scoped(q: Any) -> list[Any]:
    if isinstance(q, schema.Scoped):
        return [q]
    return [found for child in q.children() for found in _scoped(child)]
