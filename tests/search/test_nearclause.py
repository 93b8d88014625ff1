"""near: clauses lifted out of a parsed query: where they may stand, and what is left."""

from __future__ import annotations

import pytest

from searcher.errors import QuerySyntaxError
from searcher.indexing import schema
from searcher.search.query import QueryParser
from searcher.search.visibility import Visibility


@pytest.fixture(scope="module")
def parser() -> QueryParser:
    return QueryParser(schema.build_schema(), ["any", "en"], Visibility.for_audience("owner"))


@pytest.mark.parametrize(
    "text",
    ["near:Paris OR ruby", "ruby OR (rails near:Paris)", "(ruby OR (a near:Paris)) cloud",
     "NOT near:Paris", "ruby -near:Paris"],
)  # fmt: skip
def test_near_cannot_be_one_side_of_or_or_negated(parser: QueryParser, text: str) -> None:
    with pytest.raises(QuerySyntaxError, match="near:"):
        parser.parse(text)


@pytest.mark.parametrize(
    ("text", "places"),
    [("ruby near:Paris", ["Paris"]), ("ruby OR rails", []),
     ("(ruby OR rails) near:Berlin near:Paris", ["Berlin", "Paris"])],
)  # fmt: skip
def test_near_clauses_are_lifted_out(parser: QueryParser, text: str, places: list[str]) -> None:
    parsed = parser.parse(text)
    assert [spec.place for spec in parsed.near] == places
    assert parsed.text is not None
