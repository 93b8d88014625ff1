"""``near:`` clauses in query strings: a Whoosh parser plugin and the pass that lifts them out.

``cloud near:Montpellier~20km``, ``near:"Paris, US"``, ``near:43.61,3.88~500m``: the plugin
tags the clause, the parser leaves a marker in the query tree, and :func:`lift_near` takes
the markers out so the text query and the place can be run by their own engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from whoosh import qparser, query
from whoosh.qparser import syntax

from searcher.errors import QuerySyntaxError


@dataclass(frozen=True)
class NearSpec:
    """A ``near:PLACE~RADIUS`` clause: a place name or "lat,lon", and an optional radius."""

    place: str
    radius: str | None = None


class _NearMarker(query.Query):  # type: ignore[misc]
    """Stands in the parsed tree for a near: clause until :func:`_lift_near` takes it out."""

    def __init__(self, spec: NearSpec) -> None:
        self.spec = spec
        self.boost = 1.0
        self.fieldname = None  # Whoosh asks a query for its field while normalizing

    def __unicode__(self) -> str:
        return f"near:{self.spec.place}"

    __str__ = __unicode__

    def normalize(self) -> query.Query:
        return self


class _NearNode(syntax.SyntaxNode):  # type: ignore[misc]
    has_fieldname = False
    has_text = False
    has_boost = False

    def __init__(self, spec: NearSpec) -> None:
        self.spec = spec

    def r(self) -> str:
        return f"near:{self.spec.place}"

    def query(self, parser: Any) -> query.Query:
        return _NearMarker(self.spec)


class NearPlugin(qparser.TaggingPlugin):  # type: ignore[misc]
    """``near:Montpellier~20km``, ``near:"Paris, US"``, ``near:43.61,3.88~500m``."""

    priority = -1  # before the field tagger would read "near:" as a field name
    expr = (
        r'near:(?P<place>"[^"]*"|[^\s~()"]+)'
        r"(?:~(?P<radius>[^\s()]*))?(?=[\s()]|$)"  # any radius: checked, refused if not one
    )

    def create(self, parser: Any, match: Any) -> _NearNode:
        place = match.group("place").strip('"').strip()
        return _NearNode(NearSpec(place, match.group("radius")))


def lift_near(q: query.Query, found: list[NearSpec]) -> query.Query:
    """``q`` without its near: markers (collected into ``found``); NullQuery if nothing is left."""
    if isinstance(q, _NearMarker):
        found.append(q.spec)
        return query.NullQuery
    negated = [q.query] if isinstance(q, query.Not) else []
    negated += [q.b] if isinstance(q, query.AndNot) else []
    if _has_near(negated):
        raise QuerySyntaxError("near: cannot be negated")
    if isinstance(q, query.BinaryQuery):  # AndNot, AndMaybe, Require, Otherwise
        left = lift_near(q.a, found)
        if isinstance(q, query.AndNot):  # near:Paris -cloud: every post there but those
            return q.__class__(query.Every() if left is query.NullQuery else left, q.b)
        right = lift_near(q.b, found)  # +word near:x makes it the second part
        if query.NullQuery in (left, right):
            return right if left is query.NullQuery else left
        return q.__class__(left, right)
    if isinstance(q, query.CompoundQuery):
        before = len(found)  # every marker below is found or refused: none went unseen
        kept = [lift_near(child, found) for child in q.subqueries]
        if isinstance(q, query.Or) and len(found) > before:
            raise QuerySyntaxError("near: cannot be one side of OR")
        rest = [k for k in kept if k is not query.NullQuery]
        if q.subqueries and not rest:  # nothing but near: clauses
            return query.NullQuery
        return q.__class__(rest, boost=q.boost)
    return q


def _has_near(children: Any) -> bool:
    return any(isinstance(c, _NearMarker) or _has_near(list(c.children())) for c in children)
