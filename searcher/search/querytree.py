"""Parsed query trees made ready to run: normalized, match-alls made one cheap Every, words
that some language drops as stop words made optional, ORs asked for matchers that can skip.

:func:`planned` does it for any tree Whoosh's parser reads; :func:`normal` is Whoosh's
normalize for the trees plain words make, without its copies and hashes.
"""

from __future__ import annotations

from whoosh import query

from searcher.indexing import schema


class OptionalOr(query.Or):  # type: ignore[misc]
    """The forms of a query word that some language drops as a stop word: scored, not required."""


def skip_capable(q: query.Query) -> query.Query:
    """Ask for binary union matchers, which can skip inside an AND: below 5,000 documents Whoosh
    otherwise preloads every posting of every form of an OR into arrays and scores them all."""
    if isinstance(q, query.Or):
        q.matcher_type = query.Or.DEFAULT_MATCHER
    for child in q.children():
        skip_capable(child)
    return q


def optionalize(q: query.Query) -> query.Query:
    """Turn And(required…, optional…) into AndMaybe(required, optional) throughout ``q``."""
    if isinstance(q, query.BinaryQuery):
        return q.__class__(optionalize(q.a), optionalize(q.b))
    if not isinstance(q, query.CompoundQuery):
        return q
    children = [optionalize(c) for c in q.subqueries]
    if not isinstance(q, query.And):
        return q.__class__(children, boost=q.boost)
    required = [c for c in children if not isinstance(c, OptionalOr)]
    optional = [c for c in children if isinstance(c, OptionalOr)]
    if not optional:
        return query.And(children, boost=q.boost)
    if not required:  # nothing but stop words: require them where they are words
        return query.And([everywhere(c) for c in optional], boost=q.boost)
    must = required[0] if len(required) == 1 else query.And(required)
    return query.AndMaybe(must, optional[0] if len(optional) == 1 else query.Or(optional))


def everywhere(word: query.Or) -> query.Or:
    """A stop word's clause (an :class:`OptionalOr`) in a query of nothing but stop words
    (``it``, ``it's``, ``to be or not to be``): required, where it is a word or in the words
    field, which keeps every word of every post. In a language that drops it, the title and
    body fields do not hold it: such a query found no English post at all."""
    words = [_in_words(part) for part in word.subqueries if _in_terms(part)]
    either = query.Or([*word.subqueries, *words])
    either.matcher_type = query.Or.DEFAULT_MATCHER
    return either


def _in_terms(q: query.Query) -> bool:
    """Whether ``q`` is a word's clause in the terms field: its tokens, plain-analysed."""
    if isinstance(q, query.And):
        return bool(q.subqueries) and all(_in_terms(c) for c in q.subqueries)
    return type(q) is query.Term and q.fieldname == schema.TERMS


def _in_words(q: query.Query) -> query.Query:
    """A terms-field clause (:func:`_in_terms`) asked of the words field, which analyses a
    word alike (its CJK aside: never a stop word)."""
    if isinstance(q, query.And):
        return query.And([_in_words(c) for c in q.subqueries])
    return query.Term(schema.WORDS, q.text)


_MERGED = (query.Every, query.TermRange, query.NumericRange)  # Whoosh's normalize merges these
_FLAT = (query.And, query.Or, OptionalOr)


def normal(q: query.Query) -> query.Query:
    """``q.normalize()`` for the trees plain words make (ANDs and ORs of terms, phrases and
    language-scoped forms), without Whoosh's copy of every leaf it flattens and its hash of
    every subtree at every level (a third of a plain query's parse); what else it meets is
    Whoosh's to normalize."""
    kind = type(q)
    if kind is query.Term:  # Whoosh's normalize of a term is the term
        return q
    if kind is schema.Scoped:
        a, b = normal(q.a), normal(q.b)
        if a is query.NullQuery or b is query.NullQuery:
            return query.NullQuery
        return schema.Scoped(a, b)
    if kind not in _FLAT:
        return q.normalize()
    parts: list[query.Query] = []
    for child in q.subqueries:
        if type(child) is query.Term:  # most leaves: nothing to normalize or flatten
            parts.append(child)
            continue
        child = normal(child)
        if not isinstance(child, kind):
            parts.append(child)
        elif child.boost == 1.0:  # with_boost(boost * 1.0) would copy each unchanged
            parts += child.subqueries
        else:
            parts += [grand.with_boost(grand.boost * child.boost) for grand in child]
    unique: list[query.Query] = []
    terms: set[tuple[str, str, float]] = set()  # (field, text, boost): Term's own ==
    for part in parts:  # duplicates go, first kept, as Whoosh's set of those seen does
        if type(part) is query.Term:
            term = (part.fieldname, part.text, part.boost)
            if term not in terms:
                terms.add(term)
                unique.append(part)
        elif isinstance(part, _MERGED):
            return q.normalize()
        elif part is not query.NullQuery and part not in unique:
            unique.append(part)
    if not unique:
        return query.NullQuery
    if len(unique) > 1:
        return kind(unique, boost=q.boost)
    only = unique[0]
    boost = getattr(only, "boost", 1.0)
    return only if q.boost == 1.0 and boost == 1.0 else only.with_boost(boost * q.boost)


def planned(q: query.Query) -> query.Query:
    """A parsed query as it is run: match-alls made one cheap :class:`Every`, a query of
    negations only taken from every post, stop words optional."""
    q = _every(q).normalize()
    if isinstance(q, query.Not):
        q = query.AndNot(query.Every(), q.query)
    return finished(q)


def finished(q: query.Query) -> query.Query:
    """A normalized tree with stop words optional (a lone one :func:`everywhere`), its ORs
    skip-capable."""
    q = optionalize(q)
    return skip_capable(everywhere(q) if isinstance(q, OptionalOr) else q)


def _every(q: query.Query) -> query.Query:
    """``*``, ``body:*`` and ``???*`` say "any word": every post, as one Every (Whoosh would
    otherwise read every term of every field: 24 s on 6,000 posts). An OR holding it is
    every post, an AND holding it needs its other parts only, and an AND of negations only
    (``-ruby``, ``* NOT ruby``) is every post but those. Run before Whoosh's normalize,
    which turns any AND holding an Every into Every."""
    if isinstance(q, query.Every) or (isinstance(q, query.Wildcard) and not q.text.strip("*?")):
        return query.Every(boost=q.boost)
    if isinstance(q, query.AndNot):
        kept = _every(q.a)
        return query.AndNot(query.Every() if _empty(kept) else kept, _every(q.b))
    if isinstance(q, query.BinaryQuery):
        return q.__class__(_every(q.a), _every(q.b))
    if not isinstance(q, query.CompoundQuery):
        return q
    children = [c for c in (_every(c) for c in q.subqueries) if not _empty(c)]
    if isinstance(q, query.Or) and any(isinstance(c, query.Every) for c in children):
        return query.Every(boost=q.boost)
    if isinstance(q, query.And) and children:
        wanted = [c for c in children if not isinstance(c, query.Not | query.Every)]
        unwanted = [c.query for c in children if isinstance(c, query.Not)]
        if not wanted:
            everything = query.Every(boost=q.boost)
            if not unwanted:
                return everything
            return query.AndNot(
                everything, unwanted[0] if len(unwanted) == 1 else query.Or(unwanted)
            )
        children = [c for c in children if not isinstance(c, query.Every)]
    return q.__class__(children, boost=q.boost)


def _empty(q: query.Query) -> bool:
    return q is query.NullQuery or (isinstance(q, query.CompoundQuery) and not q.subqueries)
