"""Query strings → Whoosh queries → :class:`~searcher.models.Hit` records.

Unfielded words search every language's title and body fields plus tags and places, each
field analysing the query its own way. ``title:``, ``body:``, ``tag:``, ``category:``,
``lang:``, ``place:`` and ``date:`` restrict a clause; AND/OR/NOT, quotes, parentheses and
``date:[2010 TO 2012]`` / ``date:>2011-03`` work as in Whoosh's syntax.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from whoosh import qparser, query, scoring
from whoosh.qparser import syntax

from searcher import schema
from searcher.errors import QuerySyntaxError, UsageError
from searcher.models import Hit, Location

Audience = Literal["owner", "public"]
AUDIENCES: tuple[Audience, ...] = ("owner", "public")
MAX_QUERY_CHARS = 1000
WEIGHTING = scoring.BM25F(B=0.75, K1=1.2)
_WORD_START = r"(?:(?<=[\s(])|(?<![\s\S]))"


class _FieldGroups(qparser.Plugin):  # type: ignore[misc]
    """``title:x`` → x in every language's title field; unknown field names become plain words."""

    def __init__(self, groups: dict[str, dict[str, float]], known: frozenset[str]) -> None:
        self.groups = groups
        self.known = known

    def filters(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self.expand, 105)]  # after FieldsPlugin (100), before MultifieldPlugin (110)

    def expand(self, parser: Any, group: Any) -> Any:
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self.expand(parser, node)
            elif node.has_fieldname and node.fieldname in self.groups:
                copies = []
                for name, boost in self.groups[node.fieldname].items():
                    clone = copy.copy(node)
                    clone.set_fieldname(name, override=True)
                    clone.set_boost(boost)
                    copies.append(clone)
                group[i] = syntax.OrGroup(copies)
            elif node.has_fieldname and node.fieldname and node.fieldname not in self.known:
                if node.has_text:
                    node.text = f"{node.fieldname} {node.text}"
                node.set_fieldname(None, override=True)
        return group


@dataclass(frozen=True)
class NearSpec:
    """A ``near:PLACE~RADIUS`` clause: a place name or "lat,lon", and an optional radius."""

    place: str
    radius: str | None = None


@dataclass(frozen=True)
class ParsedQuery:
    """The text part of a query (``None`` when only geo clauses were given) and its geo clauses."""

    text: query.Query | None
    near: tuple[NearSpec, ...] = ()


class _NearMarker(query.Query):  # type: ignore[misc]
    """Stands in the parsed tree for a near: clause until :func:`_lift_near` takes it out."""

    def __init__(self, spec: NearSpec) -> None:
        self.spec = spec
        self.boost = 1.0

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


class _NearPlugin(qparser.TaggingPlugin):  # type: ignore[misc]
    """``near:Montpellier~20km``, ``near:"Paris, US"``, ``near:43.61,3.88~500m``."""

    priority = -1  # before the field tagger would read "near:" as a field name
    expr = (
        r'near:(?P<place>"[^"]*"|[^\s~()"]+)'
        r"(?:~(?P<radius>\d+(?:[.,]\d+)?\s*(?:km|m|mi|nmi)?))?(?=[\s()]|$)"
    )

    def create(self, parser: Any, match: Any) -> _NearNode:
        place = match.group("place").strip('"').strip()
        return _NearNode(NearSpec(place, match.group("radius")))


def _lift_near(q: query.Query, found: list[NearSpec]) -> query.Query:
    """``q`` without its near: markers (collected into ``found``); NullQuery if nothing is left."""
    if isinstance(q, _NearMarker):
        found.append(q.spec)
        return query.NullQuery
    negated = [q.query] if isinstance(q, query.Not) else []
    negated += [q.b] if isinstance(q, query.AndNot) else []
    if _has_near(negated):
        raise QuerySyntaxError("near: cannot be negated")
    if isinstance(q, query.BinaryQuery):  # AndNot, AndMaybe, Require, Otherwise
        left = _lift_near(q.a, found)
        if left is query.NullQuery:
            raise QuerySyntaxError("near: needs words beside NOT")
        return q.__class__(left, q.b)
    if isinstance(q, query.CompoundQuery):
        kept = [_lift_near(child, found) for child in q.subqueries]
        if isinstance(q, query.Or) and _has_near(q.subqueries):
            raise QuerySyntaxError("near: cannot be one side of OR")
        return q.__class__([k for k in kept if k is not query.NullQuery], boost=q.boost)
    return q


def _has_near(children: Any) -> bool:
    return any(isinstance(c, _NearMarker) or _has_near(list(c.children())) for c in children)


class _StopWordMatch(syntax.SyntaxNode):  # type: ignore[misc]
    """Stands for a query word that one language's analyser drops as a stop word.

    Without it, ``du`` (a French stop word) would still be required in the other languages'
    fields and no French post could match ``dépassement du tas``: posts in that language
    match it trivially instead, adding nothing to their score.
    """

    has_fieldname = False
    has_text = False
    has_boost = False

    def __init__(self, key: str, like: Any) -> None:
        self.key = key
        self.startchar, self.endchar = like.startchar, like.endchar

    def r(self) -> str:
        return f"<stopword in {self.key}>"

    def query(self, parser: Any) -> query.Query:
        return query.Term(schema.ANALYSIS, self.key, boost=1e-6)  # 0 drops hits from pages


class _Multifield(qparser.Plugin):  # type: ignore[misc]
    """Whoosh's MultifieldPlugin, aware that a word can be a stop word in some languages only."""

    def __init__(self, boosts: dict[str, float], stop_keys: dict[str, str]) -> None:
        self.boosts = boosts
        self.stop_keys = stop_keys  # text field → analysis key, for the stop-word check

    def filters(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self.expand, 110)]

    def expand(self, parser: Any, group: Any) -> Any:
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self.expand(parser, node)
            elif node.has_fieldname and node.fieldname is None:
                group[i] = syntax.OrGroup(self._copies(parser, node))
        return group

    def _copies(self, parser: Any, node: Any) -> list[Any]:
        copies, stopped = [], set()
        for name, boost in self.boosts.items():
            key = self.stop_keys.get(name)
            if key and isinstance(node, syntax.WordNode) and _drops(parser, name, node.text):
                stopped.add(key)
                continue
            clone = copy.copy(node)
            clone.set_fieldname(name)
            clone.set_boost(boost)
            copies.append(clone)
        return copies + [_StopWordMatch(key, node) for key in sorted(stopped)]


def _drops(parser: Any, fieldname: str, text: str) -> bool:
    analyzer = parser.schema[fieldname].analyzer
    return next(iter(analyzer(text, mode="query")), None) is None


class QueryParser:
    """Parses user query strings for one index (its languages) and one audience."""

    def __init__(self, whoosh_schema: Any, keys: Sequence[str], audience: Audience) -> None:
        owner = audience == "owner"
        boosts = schema.text_fields(keys, private_places=owner)
        places = {schema.PLACE: 1.0, **({schema.PLACE_PRIVATE: 1.0} if owner else {})}
        groups = {
            "title": {schema.title_field(k): 1.0 for k in keys},
            "body": {schema.body_field(k): 1.0 for k in keys},
            "tags": {schema.TAG: 1.0},
            "categories": {schema.CATEGORY: 1.0},
            "place": places,
        }
        known = frozenset({schema.TAG, schema.CATEGORY, schema.LANG, schema.DATE, schema.PATH})
        parser = qparser.QueryParser(None, whoosh_schema, group=qparser.AndGroup)
        parser.remove_plugin_class(qparser.FieldsPlugin)
        parser.add_plugin(qparser.FieldsPlugin(remove_unknown=False))
        parser.add_plugin(_FieldGroups(groups, known))
        stop_keys = {schema.body_field(k): k for k in keys}
        parser.add_plugin(_Multifield(boosts, stop_keys))
        parser.add_plugin(qparser.GtLtPlugin())
        parser.add_plugin(_NearPlugin())
        # +word / -word only at the start of a word: dates and CVE ids keep their hyphens
        parser.add_plugin(qparser.PlusMinusPlugin(_WORD_START + r"\+", _WORD_START + "-"))
        self._parser = parser

    def parse(self, text: str) -> ParsedQuery:
        """The text query and near: clauses of ``text``; :class:`QuerySyntaxError` if unusable."""
        check_syntax(text)
        try:
            parsed = self._parser.parse(text, normalize=False)
        except QuerySyntaxError:
            raise
        except Exception as exc:  # whoosh raises bare exceptions from field parsers
            raise QuerySyntaxError(f"cannot parse query {text!r}: {exc}") from None
        error = _first_error(parsed)
        if error is not None:
            raise QuerySyntaxError(f"cannot parse query {text!r}: {error}")
        near: list[NearSpec] = []
        parsed = _lift_near(parsed, near).normalize()
        if parsed is query.NullQuery:
            if near:
                return ParsedQuery(None, tuple(near))
            raise QuerySyntaxError(f"query {text!r} has no searchable words")
        return ParsedQuery(parsed, tuple(near))


def _first_error(node: query.Query) -> str | None:
    """Whoosh turns parse failures into silent null queries carrying an ``error``: find one."""
    error = getattr(node, "error", None)
    if error is not None:
        return str(error)
    for child in node.children():
        found = _first_error(child)
        if found is not None:
            return found
    return None


def check_syntax(text: str) -> None:
    """Reject empty, oversized and unbalanced queries with a message that says which."""
    if not text.strip():
        raise UsageError("empty query")
    if len(text) > MAX_QUERY_CHARS:
        raise UsageError(f"query longer than {MAX_QUERY_CHARS} characters")
    if text.count('"') % 2:
        raise QuerySyntaxError(f"unbalanced quote in query {text!r}")
    depth = 0
    for char in re.sub(r'"[^"]*"', "", text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth:
        raise QuerySyntaxError(f"unbalanced parenthesis in query {text!r}")
    if re.search(r"(^|\s)(AND|OR|NOT|ANDNOT|ANDMAYBE)\s*$", text.strip()):
        raise QuerySyntaxError(f"query {text!r} ends with an operator")


def make_hit(
    stored: dict[str, Any],
    *,
    score: float,
    snippet_html: str,
    audience: Audience,
    distance_km: float | None = None,
) -> Hit:
    """A :class:`Hit` from a document's stored fields, private locations redacted for the public."""
    record = stored.get(schema.RECORD) or {}
    raw = record.get("location")
    location = Location(**raw) if raw else None
    if location is not None and not location.public and audience == "public":
        location = None
    return Hit(
        path=stored[schema.PATH],
        title=record.get("title", stored[schema.PATH]),
        url=record.get("url", ""),
        date=record.get("date"),
        tags=tuple(record.get("tags", ())),
        categories=tuple(record.get("categories", ())),
        lang=record.get("lang"),
        score=0.0 if math.isnan(score) else float(score),
        snippet=snippet_html,
        location=location,
        distance_km=distance_km,
    )


def audience_of(value: str) -> Audience:
    if value not in AUDIENCES:
        raise UsageError(f"audience must be 'owner' or 'public', not {value!r}")
    return value
