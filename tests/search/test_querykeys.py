"""Queries as cache keys: Whoosh's equality, a hash that tells different words apart."""

from __future__ import annotations

from whoosh import query

from searcher.search.querykeys import QueryKey, SameQuery

FIELDS = ("title", "body", "tags", "places")


def _word(text: str) -> query.Or:
    """What the parser makes of one word: an OR of its forms in every field."""
    return query.Or([query.Term(field, text) for field in FIELDS])


def test_whoosh_hashes_every_words_or_alike() -> None:
    """The bug worked around: if Whoosh ever hashes these apart, QueryKey can go."""
    assert len({hash(_word(w)) for w in ("ruby", "rails", "paris", "cloud")}) == 1


def test_keys_of_different_words_hash_apart_and_equal_queries_meet() -> None:
    words = [f"word{n}" for n in range(500)]
    assert len({hash(QueryKey(_word(w))) for w in words}) == len(words)
    kept = {QueryKey(_word(w)): w for w in words}
    assert all(kept[QueryKey(_word(w))] == w for w in words)  # a new, equal query finds it


def test_keys_follow_whoosh_equality() -> None:
    a = query.And([_word("ruby"), query.Not(query.Term("body", "rails"))])
    same = query.And([_word("ruby"), query.Not(query.Term("body", "rails"))])
    assert QueryKey(a) == QueryKey(same) and hash(QueryKey(a)) == hash(QueryKey(same))
    assert QueryKey(query.Or([query.Term("body", "x")], boost=2.0)) != QueryKey(
        query.Or([query.Term("body", "x")])
    )
    assert QueryKey(query.Or([query.Term("a", "x"), query.Term("b", "y")])) != QueryKey(
        query.Or([query.Term("a", "y"), query.Term("b", "x")])
    )


def test_a_same_query_key_meets_only_its_own_object() -> None:
    one, other = _word("ruby"), _word("ruby")
    assert one == other
    kept = {SameQuery(one): 1}
    assert kept.get(SameQuery(one)) == 1 and kept.get(SameQuery(other)) is None
