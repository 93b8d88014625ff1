"""Queries of plain words, planned without Whoosh's query parser.

Most queries are a few words, sometimes with the punctuation people type (``c++``,
``node.js``, ``e-mail``, ``it's``). Whoosh's parser reads each such word as one word node
and nothing more, but gets there by trying every plugin's pattern at every character and
walking the tree a dozen times; :mod:`~searcher.search.querytree`'s ``normal``,
``optionalize`` and ``skip_capable`` then walk and copy it three times more.
:class:`PlainWords` builds the same planned tree in one pass, each word's analysis and
clause remembered. Anything else (fields, quotes, operators, patterns, ranges, signs,
groups, boosts) is left to the parser: :func:`plain_words` says which.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from whoosh import query

from searcher.indexing import analysis, schema, wordforms
from searcher.search import querytree
from searcher.support.caches import Bounded

# What no tagger of the parser matches inside a word: any character but whitespace, ( ) " [
# ] { } < > ^ * : \ and the question marks Whoosh takes for wildcards. A ' inside a word is
# plain (SingleQuotePlugin only opens a quote after a non-word character); + and - start a
# word as signs (PlusMinusPlugin), inside it they are plain.
_WORD = re.compile(r"(?![-+'])(?:[^\s()\"\[\]{}<>^*?:\\\u055e\u061f\u1367']|(?<=\w)')+")
_SPACE = re.compile(r"\s+")
# Words the parser reads as operators (OperatorsPlugin's, REQUIRE included).
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE"})
# A word's clause holds ~5 KB of query objects (2,972 words: 16 MB): 1,024 words kept, about
# what the 512 parsed queries of the parser's own cache hold.
WORDS_KEPT = 1024


def plain_words(text: str) -> list[str] | None:
    """The words of ``text`` when the parser would read nothing but words in it, else None."""
    words = _SPACE.split(text.strip())
    for word in words:
        if word in OPERATORS or _WORD.fullmatch(word) is None:
            return None
    return words


class _Word(NamedTuple):
    """What a word becomes in each field: its forms in the multilingual text fields (with
    their languages), the languages that drop it, its tokens in each other field, and the
    clause they make (None: a corner case left to the general walk)."""

    forms: list[tuple[tuple[str, ...], frozenset[str]]]
    dropped: bool
    tokens: dict[str, tuple[str, ...]]
    node: query.Query | None = None


class PlainWords:
    """Plans plain-word queries for one index's languages (``keys``) and fields searched
    (``boosts``, as :class:`~searcher.search.query.QueryParser` searches unfielded words)."""

    def __init__(self, whoosh_schema: Any, keys: Sequence[str], boosts: Mapping[str, float]):
        self.keys = list(keys)
        self.boosts = dict(boosts)
        fields = {name: whoosh_schema[name] for name in boosts if name in whoosh_schema}
        self._tokenized: list[tuple[Any, list[str]]] = []  # each distinct field, its names
        for name, field in fields.items():
            if name in (schema.TITLE, schema.BODY):
                continue
            same = [names for other, names in self._tokenized if _alike(other, field)]
            if same:
                same[0].append(name)  # tags and places analyse alike: once
            else:
                self._tokenized.append((field, [name]))
        # a field whose tokens of a word are its words in a title key (tags, places; an
        # index's schema as read from disk holds an equal analyzer, not the same one)
        self._keyed = next((names[0] for field, names in self._tokenized
                            if getattr(field, "analyzer", None) == analysis.plain_analyzer()),
                           None)  # fmt: skip
        self._words: Bounded[str, _Word] = Bounded(WORDS_KEPT)
        self._every = frozenset(self.keys)
        # each set of languages' restriction (None: every language), built once: a form's
        # query would otherwise build its own list of language terms
        self._scopes: dict[frozenset[str], query.Query | None] = {}

    def planned(self, words: Sequence[str]) -> query.Query:
        """The query :func:`querytree.planned` makes of what the parser reads in ``words``."""
        nodes: list[query.Query] = []
        for word in words:
            node = self._word(word).node
            if node is None:  # one part or none: the general walk's corner cases
                return self._walked(words)
            nodes.append(node)
        unique: list[query.Query] = []
        for node in nodes:
            if node not in unique:  # the same word twice (ruby Ruby): once
                unique.append(node)
        required = [n for n in unique if not isinstance(n, querytree.OptionalOr)]
        optional = [n for n in unique if isinstance(n, querytree.OptionalOr)]
        if not required:  # nothing but stop words: required where they are words
            found = [querytree.everywhere(n) for n in optional]
            return found[0] if len(found) == 1 else query.And(found)
        if len(unique) == 1:
            return unique[0]
        if not optional:
            return query.And(unique)
        must = required[0] if len(required) == 1 else query.And(required)
        return query.AndMaybe(must, optional[0] if len(optional) == 1 else _or(optional))

    def title_key(self, words: Sequence[str]) -> str | None:
        """:func:`wordforms.title_key` of a text of ``words`` (up to its length cap: a word's
        tokens are the same whatever is around it), from the tokens the tags and places
        fields have of them already; None where no field searched is analysed so."""
        if self._keyed is None:
            return None
        tokens = [t for word in words for t in self._word(word).tokens[self._keyed]]
        return " ".join(tokens)[: wordforms.TITLE_KEY_CHARS]

    def _node(self, word: _Word) -> query.Query | None:
        """One word's clause as planned: an OR of its forms and terms in every field, optional
        where some language drops it; None when it has fewer than two parts."""
        optional = word.dropped
        parts: list[query.Query] = []
        for fieldname, boost in self.boosts.items():
            if fieldname in (schema.TITLE, schema.BODY):
                forms = [self._form(fieldname, f, langs, boost) for f, langs in word.forms]
                if optional and len(forms) > 1:  # an OR in an optional OR: not flattened
                    parts.append(_or(forms))
                else:
                    parts += forms
            else:
                tokens = word.tokens.get(fieldname)
                if tokens is None:  # not a field of the schema: the text as written
                    return None
                # several tokens: an AND, as the parser's multitoken_query "default" makes
                terms = [query.Term(fieldname, t, boost=boost) for t in dict.fromkeys(tokens)]
                if len(terms) == 1:
                    parts.append(terms[0])
                elif terms:
                    parts.append(query.And(terms))
        # no two parts alike: each has its own field, or in one field its own form
        if len(parts) < 2:
            return None
        node = querytree.OptionalOr(parts) if optional else query.Or(parts)
        node.matcher_type = query.Or.DEFAULT_MATCHER
        return node

    def _form(
        self, fieldname: str, form: tuple[str, ...], languages: frozenset[str], boost: float
    ) -> query.Query:
        """One form's query, normalized and skip-capable as the general walk leaves it: what
        ``schema.form_query`` makes, its restriction to ``languages`` shared. (Whoosh's
        normalize of a form's phrase, every word a token, is a copy equal in every field.)"""
        q = schema.form_query(fieldname, form, self._every, self.keys, boost=boost)
        scope = self._scope(languages)
        return q if scope is None else schema.Scoped(q, scope)

    def _scope(self, languages: frozenset[str]) -> query.Query | None:
        """The restriction ``schema.form_query`` gives a form of ``languages`` (None where
        every language gives it), made once per set of languages and shared."""
        try:
            return self._scopes[languages]
        except KeyError:
            pass
        q = schema.form_query(schema.TITLE, ("",), languages, self.keys)
        scope = q.b if isinstance(q, schema.Scoped) else None
        if isinstance(scope, query.Or):
            scope.matcher_type = query.Or.DEFAULT_MATCHER
        self._scopes[languages] = scope
        return scope

    def _word(self, text: str) -> _Word:
        """``text``'s analysis and clause, remembered."""
        found = self._words.get(text)
        if found is None:
            forms, dropped = analysis.word_forms(text, self.keys)
            tokens: dict[str, tuple[str, ...]] = {}
            for field, names in self._tokenized:
                found_tokens = tuple(field.process_text(text, mode="query"))
                tokens.update((name, found_tokens) for name in names)
            found = _Word(sorted(forms.items()), bool(dropped), tokens)
            # built once, shared by every query holding the word: nothing changes a planned
            # query (the parsed-query cache shares whole ones already)
            found = self._words.put(text, found._replace(node=self._node(found)))
        return found

    def _walked(self, words: Sequence[str]) -> query.Query:
        """What the general walk makes of ``words``: each word's OR (optional where a language
        drops it) of its forms and terms, normalized, optionalized and made skip-capable."""
        nodes: list[query.Query] = []
        for text in words:
            word = self._word(text)
            parts: list[query.Query] = []
            for fieldname, boost in self.boosts.items():
                if fieldname in (schema.TITLE, schema.BODY):
                    forms = [
                        schema.form_query(fieldname, f, langs, self.keys, boost=boost)
                        for f, langs in word.forms
                    ]
                    if forms:
                        parts.append(forms[0] if len(forms) == 1 else query.Or(forms))
                    continue
                tokens = word.tokens.get(fieldname, (text,))
                terms = [query.Term(fieldname, t, boost=boost) for t in tokens]
                if terms:
                    parts.append(terms[0] if len(terms) == 1 else query.And(terms))
            nodes.append(querytree.OptionalOr(parts) if word.dropped else query.Or(parts))
        return querytree.finished(querytree.normal(query.And(nodes)))


def _alike(one: Any, other: Any) -> bool:
    """Whether two fields make the same tokens of a query word (one analyzer, one type)."""
    analyzer = getattr(one, "analyzer", None)
    return (
        analyzer is not None
        and type(one) is type(other)
        and analyzer is getattr(other, "analyzer", None)
    )


def _or(parts: list[query.Query]) -> query.Or:
    either = query.Or(parts)
    either.matcher_type = query.Or.DEFAULT_MATCHER
    return either
