"""Query strings → Whoosh queries → :class:`~searcher.models.Hit` records.

Unfielded words search every language's title and body fields plus tags and places, each
field analysing the query its own way. ``title:``, ``body:``, ``tag:``, ``category:``,
``lang:``, ``place:`` and ``date:`` restrict a clause; AND/OR/NOT, quotes, parentheses and
``date:[2010 TO 2012]`` / ``date:>2011-03`` work as in Whoosh's syntax.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from whoosh import qparser, query, scoring
from whoosh.qparser import syntax

from searcher.errors import QuerySyntaxError, UsageError
from searcher.geo import haversine_km
from searcher.indexing import analysis, schema, wordforms
from searcher.indexing.records import StoredPost
from searcher.models import Hit, Location
from searcher.search import plainwords, querytree, typed
from searcher.search.nearclause import NearPlugin, NearSpec, lift_near
from searcher.search.visibility import Visibility
from searcher.support.caches import Bounded

WhooshQuery: TypeAlias = query.Query  # a parsed query, named for layers that keep off Whoosh
MAX_QUERY_CHARS = 1000
PARSED_QUERIES = 512  # parsed queries remembered per parser
WEIGHTING = scoring.BM25F(B=0.75, K1=1.2)
_WORD_START = r"(?:(?<=[\s(])|(?<![\s\S]))"


@dataclass(frozen=True)
class ParsedQuery:
    """The text part of a query (``None`` when only geo clauses were given) and its geo clauses."""

    text: query.Query | None
    near: tuple[NearSpec, ...] = ()
    plain: bool = False  # plain words only: no pattern to check (see Patterns.check)


class _OptionalGroup(syntax.OrGroup):  # type: ignore[misc]
    qclass = querytree.OptionalOr


class _FormsNode(syntax.SyntaxNode):  # type: ignore[misc]
    """A word or phrase in a multilingual field: one term or phrase per distinct form."""

    has_fieldname = False
    has_text = False
    has_boost = False

    def __init__(self, fieldname: str, forms: dict[tuple[str, ...], frozenset[str]],
                 keys: Sequence[str], slop: int, boost: float, like: Any) -> None:  # fmt: skip
        self.fieldname, self.forms, self.keys = fieldname, forms, keys
        self.slop, self.boost = slop, boost
        self.startchar, self.endchar = like.startchar, like.endchar

    def r(self) -> str:
        return f"<{self.fieldname}: {sorted(self.forms)}>"

    def query(self, parser: Any) -> query.Query:
        parts = [
            schema.form_query(
                self.fieldname, form, languages, self.keys, slop=self.slop, boost=self.boost
            )
            for form, languages in sorted(self.forms.items())
        ]
        return parts[0] if len(parts) == 1 else query.Or(parts)


class _Expand(qparser.Plugin):  # type: ignore[misc]
    """Gives every clause its fields: unfielded words search titles, bodies, tags and places.

    In the multilingual title and body fields a word is analysed in every language present and
    searched as each distinct form it takes. A word that some language drops as a stop word
    (English "on" in "ruby on rails") becomes optional: it still ranks posts that have it, but
    a post in that language need not contain it. ``title:``, ``body:``, ``tags:``,
    ``categories:`` and ``place:`` name fields; other unknown ``name:`` prefixes are words.
    """

    def __init__(
        self, keys: Sequence[str], boosts: dict[str, float], groups: dict[str, dict[str, float]]
    ) -> None:
        self.keys, self.boosts, self.groups = list(keys), boosts, groups

    def filters(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self.expand, 110)]  # after FieldsPlugin (100) has attached field names

    def expand(self, parser: Any, group: Any) -> Any:
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self.expand(parser, node)
            elif node.has_fieldname:
                group[i] = self._leaf(parser, node)
        return group

    def _leaf(self, parser: Any, node: Any) -> Any:
        name = node.fieldname
        if name is not None and name not in self.groups and name not in SEARCHABLE:
            if node.has_text:
                node.text = f"{name} {node.text}"
            node.set_fieldname(None, override=True)
            name = None
        targets = self.boosts if name is None else self.groups.get(name)
        if targets is None:
            if name == schema.LANG and isinstance(node, syntax.WordNode):
                node.text = lang_code(node.text)  # lang:FR, lang:fr_FR as --lang reads them
            return node
        parts, optional = [], False
        analysed: Any = None  # title and body analyse a word alike: once for both
        for fieldname, boost in targets.items():
            if fieldname in (schema.TITLE, schema.BODY) and isinstance(node, _WORDISH):
                analysed = analysed or analysis.word_forms(node.text, self.keys)
                forms, dropped = analysed
                optional = optional or (bool(dropped) and isinstance(node, syntax.WordNode))
                if forms:
                    slop = getattr(node, "slop", 1)
                    parts.append(
                        _FormsNode(fieldname, forms, self.keys, slop, boost * node.boost, node)
                    )
                continue
            clone = copy.copy(node)
            clone.set_fieldname(fieldname, override=True)
            clone.set_boost(boost * node.boost)
            parts.append(clone)
        return _OptionalGroup(parts) if optional else syntax.OrGroup(parts)


_WORDISH = (syntax.WordNode, qparser.PhrasePlugin.PhraseNode)
# Fields a query may name. Everything else is read as words: lat:[43 TO 44], cell_private:…
# or place_private:… would let anyone probe where a private post was written.
SEARCHABLE = frozenset({schema.TAG, schema.CATEGORY, schema.LANG, schema.DATE, schema.PATH})


class QueryParser:
    """Parses user query strings for one index (its languages) and one audience's policy."""

    def __init__(self, whoosh_schema: Any, keys: Sequence[str], visibility: Visibility) -> None:
        boosts = visibility.text_fields()
        places = visibility.place_fields()
        groups = {
            "title": {schema.TITLE: 1.0},
            "body": {schema.BODY: 1.0},
            "tags": {schema.TAG: 1.0},
            "categories": {schema.CATEGORY: 1.0},
            "place": places,
        }
        parser = qparser.QueryParser(None, whoosh_schema, group=qparser.AndGroup)
        parser.remove_plugin_class(qparser.FieldsPlugin)
        parser.add_plugin(qparser.FieldsPlugin(remove_unknown=False))
        parser.add_plugin(_Expand(keys, boosts, groups))
        parser.add_plugin(qparser.GtLtPlugin())
        parser.add_plugin(NearPlugin())
        # +word / -word only at the start of a word: dates and CVE ids keep their hyphens
        parser.add_plugin(qparser.PlusMinusPlugin(_WORD_START + r"\+", _WORD_START + "-"))
        self._parser = parser
        words = qparser.QueryParser(None, whoosh_schema, plugins=[], group=qparser.AndGroup)
        words.add_plugin(_Expand(keys, boosts, groups))
        self._words = words  # the last resort: whitespace-separated words, nothing else
        self._parsed: Bounded[str, ParsedQuery] = Bounded(PARSED_QUERIES)
        self._plainwords = plainwords.PlainWords(whoosh_schema, keys, boosts)

    def parse(self, text: str) -> ParsedQuery:
        """The text query and near: clauses of ``text``; :class:`QuerySyntaxError` if unusable.

        The last PARSED_QUERIES answers are remembered: popular queries come back, and parsing
        takes about as long as scoring does."""
        found = self._parsed.get(text)
        if found is None:
            found = self._parsed.put(text, self._parse(text))
        return found

    def _parse(self, text: str) -> ParsedQuery:
        check_size(text)
        repaired = typed.repair(text)
        near: list[NearSpec] = []
        found = self._plain(repaired)  # plain words: no near: clause, no syntax to read
        planned, key = found if found is not None else (None, None)
        plain = planned is not None and planned is not query.NullQuery
        if planned is None:
            parsed = self._strict(repaired)
            planned = (
                querytree.planned(lift_near(parsed, near))
                if parsed is not None
                else query.NullQuery
            )
        if planned is query.NullQuery and not near:  # nothing the syntax could read: words
            planned = querytree.planned(
                self._words.parse(typed.words_only(repaired), normalize=False)
            )
        if planned is query.NullQuery:
            if near:
                return ParsedQuery(None, tuple(near))
            raise QuerySyntaxError(f"nothing to search in {text!r}: it holds no words")
        if repaired != text:  # the title is the text as typed
            key = None
        titled = _with_title(planned, typed.plain_letters(text), not plain, key)
        return ParsedQuery(titled, tuple(near), plain)

    def _strict(self, text: str) -> query.Query | None:
        """``text`` read with the full syntax; None when Whoosh cannot read it (its own
        errors, such as "list index out of range" for ``>x``, are never shown)."""
        if not text.strip():
            return None
        try:
            parsed = self._parser.parse(text, normalize=False)
        except UsageError:
            raise  # ours: a bad date, a bad near: clause
        except Exception:
            return None
        error = _first_error(parsed)
        if isinstance(error, UsageError):
            raise error  # ours again, from a field's own parsing (date:yesterday)
        return None if error is not None else parsed

    def _plain(self, text: str) -> tuple[query.Query, str | None] | None:
        """The planned query of ``text`` when it is plain words (:mod:`plainwords`), built
        without running the parser (its taggers try every plugin's pattern at every character
        and its filters walk the tree a dozen times), and the title key of ``text`` where its
        words' tokens give it; None for anything else."""
        words = plainwords.plain_words(text)
        if words is None:
            return None
        keyed = len(text) <= 2 * wordforms.TITLE_KEY_CHARS  # title_key reads it all
        key = self._plainwords.title_key(words) if keyed else None
        return self._plainwords.planned(words), key


def lang_code(code: str) -> str:
    """``FR``, ``fr-FR``, ``fr_fr`` → ``fr``: posts' language codes are stored so (their
    primary subtag, lowercased: ``ingest.langs.normalise``)."""
    return code.strip().lower().replace("_", "-").split("-")[0]


def _with_title(
    q: query.Query, text: str, negations: bool = True, key: str | None = None
) -> query.Query:
    """``q``, or a post whose whole title the query is (as pasted: quotes, dashes, question
    marks and case aside), that post scoring far above the rest. A query that excludes
    words only lifts the posts it finds; one that lists posts alike gets nothing added.
    ``negations``: whether ``q`` may exclude words (plain words never do); ``key``: the
    title key of ``text``, where known."""
    exact = title_clause(text, key)
    if exact is None or ranks_alike(q):
        return q
    if negations and any(isinstance(leaf, query.Not | query.AndNot) for leaf in _nodes(q)):
        return query.AndMaybe(q, exact)
    either = query.Or([q, exact])  # q is planned, skip-capable already: only the root is new
    either.matcher_type = query.Or.DEFAULT_MATCHER
    return either


def title_clause(text: str, key: str | None = None) -> query.Query | None:
    """The posts whose whole title ``text`` is, as one scored clause (None: no words);
    ``key``: its title key (:func:`wordforms.title_key`), where known."""
    key = wordforms.title_key(text) if key is None else key
    if not key:
        return None
    return query.Term(schema.TITLE_KEY, schema.title_term(key), boost=schema.EXACT_TITLE_BOOST)


def _nodes(q: query.Query) -> Iterator[query.Query]:
    yield q
    for child in q.children():
        yield from _nodes(child)


def ranks_alike(q: query.Query | None) -> bool:
    """Whether ``q`` scores every post it finds alike (every post, or every post but some):
    such a query lists its posts, newest first, as a search with no words does."""
    if isinstance(q, query.AndNot):
        return ranks_alike(q.a)
    return isinstance(q, query.Every)


def _first_error(node: query.Query) -> Any:
    """Whoosh turns parse failures into silent null queries carrying an ``error``: find one."""
    error = getattr(node, "error", None)
    if error is not None:
        return error
    for child in node.children():
        found = _first_error(child)
        if found is not None:
            return found
    return None


def check_size(text: str) -> None:
    """Reject empty and oversized queries with a message that says which."""
    if not text.strip():
        raise UsageError("empty query")
    if len(text) > MAX_QUERY_CHARS:
        raise UsageError(f"query longer than {MAX_QUERY_CHARS} characters")


def make_hit(
    post: StoredPost,
    *,
    score: float,
    snippet_html: str,
    visibility: Visibility,
    distance_km: float | None = None,
    near: tuple[float, float] | None = None,
) -> Hit:
    """A :class:`Hit` from a post's stored record (:func:`records.read`), private locations
    redacted for the public; the place shown is the one nearest ``near``, when a centre was
    searched."""
    places = visibility.places(post.locations)
    return Hit(
        path=post.path,
        title=post.title,
        url=post.url,
        date=post.date,
        tags=post.tags,
        categories=post.categories,
        lang=post.lang,
        score=0.0 if math.isnan(score) else float(score),
        snippet=snippet_html,
        location=shown_place(places, near),
        distance_km=distance_km,
        locations=places,
    )


def shown_place(places: tuple[Location, ...], near: tuple[float, float] | None) -> Location | None:
    """The place a hit shows: the first, or the one nearest the centre searched."""
    if near is None or len(places) < 2:  # most posts have one place: no list to make
        return places[0] if places else None
    located = [(p, p.lat, p.lon) for p in places if p.lat is not None and p.lon is not None]
    if len(located) < 2:
        return places[0]
    return min(located, key=lambda item: haversine_km(near[0], near[1], item[1], item[2]))[0]
