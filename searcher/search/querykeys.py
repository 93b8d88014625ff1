"""Whoosh queries as dictionary keys that hash well.

whoosh-reloaded hashes a compound query as the XOR of its parts' hashes, and a term as
``hash(field) ^ hash(text) ^ hash(boost)``: the OR the parser makes of one word's forms in
every field (``title:x OR body:x OR …``) then hashes the same for every word ``x`` — the
text cancels out. A cache keyed by such queries collides on every word and degrades to a
linear scan of equality tests (13 % of a new query's time at 6,112 posts, over 400,000
``__eq__`` calls per 400 queries). :class:`QueryKey` keeps Whoosh's own equality but hashes
the query's structure in order, so equal queries still find each other.
"""

from __future__ import annotations

from typing import Any

from whoosh.query import Term


class QueryKey:
    """A query as a key: Whoosh's ``==``, a hash of its whole structure."""

    __slots__ = ("_hash", "query")

    def __init__(self, query: Any) -> None:
        self.query = query
        self._hash = hash(_shape(query))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QueryKey):
            return NotImplemented
        return self._hash == other._hash and bool(self.query == other.query)

    def __repr__(self) -> str:
        return f"QueryKey({self.query!r})"


class SameQuery:
    """A query as a key by identity: for a query only ever asked again as the same object
    (a whole parsed query, which the parser's cache hands out again), where hashing its
    structure would cost more than working it out again from its parts."""

    __slots__ = ("query",)

    def __init__(self, query: Any) -> None:
        self.query = query

    def __hash__(self) -> int:
        return id(self.query)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SameQuery) and other.query is self.query

    def __repr__(self) -> str:
        return f"SameQuery({self.query!r})"


def _shape(query: Any) -> tuple[Any, ...]:
    """What a query is made of, in order (its children's shapes, or a leaf's own repr; a
    term's parts, which its ``==`` compares: its repr took half the time of a new key)."""
    if type(query) is Term:
        return ("Term", query.fieldname, query.text, query.boost)
    children = getattr(query, "subqueries", None)
    if children is not None:
        return (type(query).__name__, query.boost, tuple([_shape(c) for c in children]))
    return (type(query).__name__, repr(query), getattr(query, "boost", 1.0))
