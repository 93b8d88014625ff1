"""Whoosh's BM25F scores for the usual query shapes, computed over arrays instead of matchers.

Whoosh scores a query by walking a tree of matchers one posting at a time in Python. A word
of a multilingual query is an OR of its forms in titles, bodies, tags and places, so at
60,000 posts "ruby on rails" walks hundreds of thousands of postings through dozens of
matchers. Here each term's postings are decoded a block at a time into numpy arrays (kept
per searcher generation, within a budget), scored with the formula and the statistics Whoosh
uses (its idf, average field lengths and byte-coded document lengths), and combined with
array operations over all documents at once. A query word's OR of forms is kept scored too,
for the next query that has the word.

Supported: terms, every post, AND, OR, AND NOT, ANDMAYBE, REQUIRE, NOT inside AND, boosts,
phrases (whose positions are read for the documents that hold all their words), date ranges
(from the date column, given as ``ranges``) and prefixes and wildcards, which rank their
matches alike (see :meth:`Scorer._pattern`: Whoosh's scores
for them depend on the reader). For any other query (ranges, fuzzy terms)
:class:`Unsupported` is raised and the caller searches with Whoosh as before. Other scores
equal Whoosh's up to the order in which floating-point sums are taken (within 1e-12).
Matches are combined by :mod:`~searcher.search.scored`; a phrase's words are found in order
by :mod:`~searcher.search.positions`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from math import log
from typing import Any

import numpy as np
from whoosh import query, scoring, searching
from whoosh.util.numeric import byte_to_length

from searcher.indexing._whoosh import field_b, pattern_words, segreader
from searcher.indexing.schema import Scoped
from searcher.search.globalstats import GlobalStatsSearcher
from searcher.search.positions import BoolArray, FloatArray, IntArray, PositionStore, within
from searcher.search.querykeys import QueryKey, SameQuery
from searcher.search.scored import (
    NO_DOCS,
    NO_SCORES,
    boosted,
    intersection,
    maybe,
    nothing,
    union,
    without,
)
from searcher.search.scored import Scored as Scored  # callers' name for a match
from searcher.support.caches import Bounded

POSTINGS_BUDGET = 4_000_000  # decoded postings kept per generation (16 bytes each)
FILTERS = 256  # filter masks kept per generation (one byte per document each)
WORDS_BUDGET = 1_000_000  # documents held by the kept ORs of a query word's forms (16 bytes each)
# ... and at most this many ORs: each holds its word's query tree (~100 objects, which every
# full pass of the garbage collector walks), however few documents it found
WORDS_KEPT = 4096
_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


class Unsupported(Exception):
    """A query shape this module does not score; search it with Whoosh."""


class Scorer:
    """Scores queries against one searcher generation; thread-safe."""

    def __init__(
        self,
        searcher: Any,
        weighting: scoring.BM25F,
        budget: int = POSTINGS_BUDGET,
        expand: Callable[[Any], Iterable[bytes]] | None = None,
        ranges: Callable[[Any], IntArray | None] | None = None,
    ) -> None:
        self.searcher = searcher
        self.size = int(searcher.doc_count_all())
        self._weighting = weighting
        self._leaves = list(searcher.reader().leaf_readers())
        self._terms = [segreader.TermReader(reader) for reader, _ in self._leaves]  # under _lock
        # a term's postings (docnums, weights) and its document frequency, read together
        self._postings: Bounded[tuple[str, bytes], tuple[IntArray, FloatArray, int]] = Bounded(
            budget=budget,
            weigh=_postings_weight,
            locked=False,  # read and filled under _lock
        )
        self._lengths: dict[str, FloatArray] = {}
        self._norms_of: dict[str, tuple[float, FloatArray]] = {}  # see _norms
        self._scorable: dict[str, bool] = {}  # each field's, from the schema
        self._avg_lengths: dict[str, float] = {}  # see _avg_length
        self._own_idf = _plain_idf(searcher)
        # the caches below are read and filled under _lock
        # keyed by QueryKey: Whoosh's own hash of an OR of one word's forms ignores the word
        self._filters: Bounded[QueryKey, BoolArray] = Bounded(FILTERS, locked=False)
        # the same masks by the restriction's identity: plain words share one restriction
        # object per set of languages (the query is kept with its mask: its id stays its own)
        self._filters_by_id: Bounded[int, tuple[query.Query, BoolArray]] = Bounded(
            FILTERS, locked=False
        )
        self._words: Bounded[QueryKey | SameQuery, tuple[query.Query, Scored]] = Bounded(
            WORDS_KEPT,
            budget=WORDS_BUDGET,
            weigh=_words_weight,
            dropped=self._forget_word,
            locked=False,
        )
        self._words_by_id: dict[int, tuple[query.Query, Scored, QueryKey | SameQuery]] = {}
        self._scores: Bounded[tuple[str, bytes, float, float], FloatArray] = Bounded(
            budget=budget, weigh=len
        )
        self._live_docs: IntArray | None = None
        self._expand = expand  # a pattern's words (bounded, kept); else Whoosh's expansion
        self._ranges = ranges  # the documents of a numeric range, from a column; None: Whoosh
        self._lock = threading.Lock()
        self._positions = PositionStore(self._leaves, self._terms, self._lock)  # for phrases

    # -- the public calls --------------------------------------------------------------------

    def evaluate(self, q: query.Query) -> Scored:
        """Every document ``q`` matches, with Whoosh's score; :class:`Unsupported` if unknown."""
        if isinstance(q, query.Term):
            return self._term(q)
        if isinstance(q, query.Phrase):
            return self._phrase(q)
        if isinstance(q, query.Prefix | query.Wildcard) and q.text:
            return self._pattern(q)
        if isinstance(q, query.NumericRange) and self._ranges is not None:
            return self._range(q)
        if isinstance(q, query.Every):  # every post, scored alike: listing costs no more
            live = self._live()
            return Scored(live, np.full(len(live), float(q.boost), dtype=np.float64))
        if isinstance(q, query.Require):  # scored by its first part, filtered by its second
            scored = self.evaluate(q.a)
            if not len(scored.docs):  # most forms of a word are in no post: nothing to filter
                return scored
            keep = self._filter(q.b)[scored.docs]
            return boosted(Scored(scored.docs[keep], scored.scores[keep]), q)
        if isinstance(q, query.AndMaybe):
            return boosted(maybe(self.evaluate(q.a), self.evaluate(q.b)), q)
        if isinstance(q, query.AndNot):
            kept, dropped = self.evaluate(q.a), self.evaluate(q.b)
            return boosted(without(kept, dropped), q)
        if isinstance(q, query.And):
            return boosted(self._and(q.subqueries), q)
        if isinstance(q, query.Or) and not q.scale and not q.minmatch:
            return self._or(q)
        raise Unsupported(type(q).__name__)

    def top(
        self,
        scored: Scored,
        limit: int,
        allowed: BoolArray | None = None,
        tiebreak: Callable[[int], Any] | None = None,
    ) -> tuple[list[tuple[int, float]], int]:
        """The ``limit`` best (docnum, score), best first; and the total.

        Equal scores are ordered by ``tiebreak(docnum)`` (by docnum without one)."""
        docs, scores = scored.docs, scored.scores
        if allowed is not None:
            keep = allowed[docs]
            docs, scores = docs[keep], scores[keep]
        total = len(docs)
        if limit <= 0:
            return [], total
        if total > limit:
            threshold = np.partition(scores, total - limit)[total - limit]
            near_top = scores >= threshold  # the best, and every score tied with the last
            docs, scores = docs[near_top], scores[near_top]
        pairs = list(zip(docs.tolist(), scores.tolist(), strict=True))
        pairs.sort(key=lambda pair: -pair[1])  # stable: equal scores stay in docnum order
        if tiebreak is not None:
            _break_ties(pairs, limit, tiebreak)
        return pairs[:limit], total

    def allowed(self, docs: Iterable[int]) -> BoolArray:
        """A document mask from docnums."""
        mask = np.zeros(self.size, dtype=bool)
        found = np.fromiter(docs, dtype=np.int64)
        mask[found[(found >= 0) & (found < self.size)]] = True
        return mask

    # -- shapes --------------------------------------------------------------------------------

    def _filter(self, q: query.Query) -> BoolArray:
        """The documents ``q`` matches as a mask over all documents, kept for reuse: filters
        such as a language scope come back in every query."""
        with self._lock:
            mine = self._filters_by_id.get(id(q))
        if mine is not None and mine[0] is q:
            return mine[1]
        key = QueryKey(q)
        with self._lock:
            found = self._filters.get(key)
        if found is None:
            found = np.zeros(self.size, dtype=bool)
            found[self.evaluate(q).docs] = True
            with self._lock:
                self._filters.put(key, found)
        with self._lock:
            self._filters_by_id.put(id(q), (q, found))
        return found

    def _or(self, q: query.Or) -> Scored:
        """An OR, kept for the next query that has it while the statistics stay the same.

        The parser turns each query word into an OR of its forms in every field and language
        (a dozen terms, each scoped to the languages that produce it), and the same word comes
        back query after query: "ruby" in "ruby on rails" and in "ruby 2.7 released". A shard
        scoring with collection-wide statistics set per query keeps nothing.
        """
        if getattr(self.searcher, "stats", None) is not None:
            return boosted(union([self.evaluate(child) for child in q.subqueries], self.size), q)
        with self._lock:
            mine = self._words_by_id.get(id(q))
            if mine is not None and mine[0] is q:  # a parsed query comes back as the same object
                key = mine[2]
                self._words.get(key)  # now the most recently used
                return Scored(mine[1].docs, mine[1].scores)
        key = _key(q)  # hashed only for a word not kept as this object
        with self._lock:
            kept = self._words.get(key)
        if kept is not None:
            return Scored(kept[1].docs, kept[1].scores)
        found = boosted(union([self.evaluate(child) for child in q.subqueries], self.size), q)
        found.docs.flags.writeable = found.scores.flags.writeable = False  # shared from now on
        with self._lock:
            if key not in self._words:  # not kept meanwhile
                self._words_by_id[id(q)] = (q, found, key)
                self._words.put(key, (q, found))
        return Scored(found.docs, found.scores)

    def _forget_word(self, key: QueryKey | SameQuery, kept: tuple[query.Query, Scored]) -> None:
        q = kept[0]
        if self._words_by_id.get(id(q), (None,))[0] is q:
            del self._words_by_id[id(q)]

    def _and(self, children: list[query.Query]) -> Scored:
        wanted = [c for c in children if not isinstance(c, query.Not)]
        unwanted = [c.query for c in children if isinstance(c, query.Not)]
        if not wanted:
            raise Unsupported("a conjunction of negations")
        if all(type(c) is query.Term for c in children):  # a CJK word's tokens in tags, places
            parts = []
            for child in wanted:  # none can be unsupported: stop at the first found nowhere
                parts.append(self._term(child))
                if not len(parts[-1].docs):
                    return nothing()
        else:
            parts = [self.evaluate(child) for child in wanted]
        result = intersection(parts)
        for child in unwanted:
            result = without(result, self.evaluate(child))
            result.scores += 1.0  # Whoosh intersects with an InverseMatcher, whose score is 1
        return result

    def _term(self, q: query.Term) -> Scored:
        fieldname = q.fieldname
        schema = self.searcher.schema
        if fieldname not in schema:
            return nothing()
        try:
            text = schema[fieldname].to_bytes(q.text)
        except ValueError:
            return nothing()
        docs, weights, frequency = self._decoded(fieldname, text)
        if not len(docs):
            return nothing()
        scores = self._term_scores(fieldname, text, docs, weights, frequency)
        return boosted(Scored(docs, scores), q)

    def _term_scores(
        self, fieldname: str, text: bytes, docs: IntArray, weights: FloatArray, frequency: int
    ) -> FloatArray:
        """A term's BM25F scores, kept with the statistics they were worked out from (a
        sharded index sets collection-wide ones per query)."""
        scorable = self._scorable.get(fieldname)
        if scorable is None:
            scorable = self._scorable[fieldname] = bool(self.searcher.schema[fieldname].scorable)
        if scorable:
            stats = (self._idf(fieldname, text, frequency), self._avg_length(fieldname))
        else:
            stats = (0.0, 0.0)
        key = (fieldname, text, *stats)
        found = self._scores.get(key)
        if found is None:
            found = self._bm25(fieldname, *stats, docs, weights) if scorable else weights.copy()
            found.flags.writeable = False  # shared by every query that asks: never changed
            self._scores.put(key, found)
        return found

    def _idf(self, fieldname: str, text: bytes, frequency: int) -> float:
        """``searcher.idf``: worked out here, as Whoosh's weighting does, from the document
        ``frequency`` read with the term's postings (Whoosh would look the term up again in
        every segment), where the searcher and its weighting are Whoosh's own."""
        if self._own_idf and getattr(self.searcher, "stats", None) is None:
            return log(self.size / (frequency + 1)) + 1
        return float(self.searcher.idf(fieldname, text))

    def _avg_length(self, fieldname: str) -> float:
        """``searcher.avg_field_length``, asked once per field while the searcher's own
        statistics hold (a shard's collection-wide ones are set per query)."""
        if getattr(self.searcher, "stats", None) is not None:
            return float(self.searcher.avg_field_length(fieldname))
        found = self._avg_lengths.get(fieldname)
        if found is None:
            found = self._avg_lengths[fieldname] = float(self.searcher.avg_field_length(fieldname))
        return found

    def _bm25(
        self, fieldname: str, idf: float, avg_length: float, docs: IntArray, tf: FloatArray
    ) -> FloatArray:
        """scoring.bm25 over arrays, operation for operation, with Whoosh's statistics (a
        field that is not scorable scores the weight itself: BM25F's fallback)."""
        k1, norms = self._weighting.K1, self._norms(fieldname, avg_length, docs)
        result: FloatArray = idf * ((tf * (k1 + 1)) / (tf + norms))
        return result

    def _norms(self, fieldname: str, avg_length: float, docs: IntArray) -> FloatArray:
        """``k1 * ((1 - b) + b * length / avgfl)`` of each of ``docs`` in ``fieldname``: the
        part of BM25 that depends on the document alone. Worked out for every document once
        per field while the searcher's own statistics hold (it was half of each term's
        operations), for ``docs`` alone where a shard sets them per query."""
        shared = getattr(self.searcher, "stats", None) is None
        with self._lock:
            kept = self._norms_of.get(fieldname) if shared else None
        if kept is not None and kept[0] == avg_length:
            return kept[1][docs]
        weighting = self._weighting
        b, k1, avgfl = field_b(weighting, fieldname), weighting.K1, avg_length or 1
        lengths = self._field_lengths(fieldname)
        found: FloatArray = k1 * ((1 - b) + b * (lengths if shared else lengths[docs]) / avgfl)
        if not shared:
            return found
        with self._lock:
            self._norms_of[fieldname] = (avg_length, found)
        return found[docs]

    def _pattern(self, q: query.Prefix | query.Wildcard) -> Scored:
        """Every document holding a word the pattern expands to, all scored alike (its boost).

        Whoosh scores a pattern by what it expands to in the reader at hand (one word: BM25;
        several: summed weights), so the same post would score differently in a shard, or
        after an update added a word. A pattern says "any of these words", not which one
        matters more, so ranking its matches alike is the one order every reader agrees on.
        """
        reader = self.searcher.reader()
        if q.fieldname not in self.searcher.schema:
            return nothing()
        parts = []
        for text in self._expand(q) if self._expand is not None else pattern_words(q, reader):
            docs = self._decoded(q.fieldname, text)[0]
            if len(docs):
                parts.append(Scored(docs, np.ones(len(docs), dtype=np.float64)))
        found = union(parts, self.size)
        return Scored(found.docs, np.full(len(found.docs), float(q.boost), dtype=np.float64))

    def _range(self, q: query.NumericRange) -> Scored:
        """A numeric range's live documents, scored alike (its boost), as Whoosh scores it."""
        docs = self._ranges(q) if self._ranges is not None else None
        if docs is None:
            raise Unsupported(f"a range of {q.fieldname!r}")
        live = np.zeros(self.size, dtype=bool)
        live[self._live()] = True
        docs = docs[(docs < self.size) & live[np.minimum(docs, self.size - 1)]]
        return Scored(docs, np.full(len(docs), float(q.boost), dtype=np.float64))

    def _live(self) -> IntArray:
        """The live documents' numbers, sorted (read once per generation)."""
        if self._live_docs is None:
            reader = self.searcher.reader()
            found = np.fromiter(reader.all_doc_ids(), dtype=np.int64)
            found.flags.writeable = False
            self._live_docs = found
        return self._live_docs

    def _phrase(self, q: query.Phrase) -> Scored:
        """Documents with the words in order, each within ``slop`` positions of the one before.

        Whoosh's phrase matcher (an ordered SpanNear2) scores a match as the sum of its words'
        term scores, times the phrase's boost. Documents holding every word are found first
        (reading stops at the first word no candidate holds: most words of a long CJK phrase
        in titles), then positions are read word by word for the candidates still in the
        chain only, and terms are scored last, for the matches only.
        """
        if q.fieldname not in self.searcher.schema or not q.words:
            return nothing()
        field = self.searcher.schema[q.fieldname]
        if not field.format or not field.format.supports("positions"):
            raise Unsupported(f"phrase in {q.fieldname!r}, which has no positions")
        words: list[tuple[bytes, IntArray, FloatArray, int]] = []
        docs: IntArray | None = None
        for word in q.words:
            try:
                text = field.to_bytes(word)
            except ValueError:
                return nothing()
            found, weights, frequency = self._decoded(q.fieldname, text)
            docs = found if docs is None else docs[within(docs, found)]
            if not len(docs):
                return nothing()
            words.append((text, found, weights, frequency))
        assert docs is not None
        if len(words) > 1:
            texts = [text for text, _, _, _ in words]
            docs = docs[self._positions.chained(q.fieldname, texts, docs, field.format, q.slop)]
        scores: FloatArray | None = None
        for text, found, weights, frequency in words:  # summed in order, as Whoosh adds them
            mine = self._term_scores(q.fieldname, text, found, weights, frequency)[
                np.searchsorted(found, docs)
            ]
            scores = mine if scores is None else scores + mine
        assert scores is not None
        return boosted(Scored(docs, np.array(scores, dtype=np.float64)), q)

    # -- reading -----------------------------------------------------------------------------

    def _decoded(self, fieldname: str, text: bytes) -> tuple[IntArray, FloatArray, int]:
        """A term's live postings over every segment, global docnums and weights, and its
        document frequency (kept where some segment holds it)."""
        key = (fieldname, text)
        with self._lock:
            hit = self._postings.get(key)
            if hit is None:
                hit = self._read(fieldname, text)
                if len(hit[0]):  # a term in no post is not kept: its word's OR is
                    self._postings.put(key, hit)
            return hit

    def _read(self, fieldname: str, text: bytes) -> tuple[IntArray, FloatArray, int]:
        """A term's live postings and its document frequency (deleted documents counted, as
        Whoosh counts them), read from every segment."""
        docs_parts, weight_parts, frequency = [], [], 0
        for (_, offset), terms in zip(self._leaves, self._terms, strict=True):
            leaf, count = terms.postings(fieldname, text)
            frequency += count
            if leaf is None:
                continue
            docs_parts.append(leaf.docs + offset if offset else leaf.docs)
            weight_parts.append(leaf.weights)
        if not docs_parts:
            return NO_DOCS, NO_SCORES, frequency
        if len(docs_parts) == 1:  # one segment holds it (most terms): arrays as read
            return docs_parts[0], weight_parts[0], frequency
        return np.concatenate(docs_parts), np.concatenate(weight_parts), frequency

    def _field_lengths(self, fieldname: str) -> FloatArray:
        """Each document's length in ``fieldname`` as Whoosh reads it (byte-coded)."""
        with self._lock:
            lengths = self._lengths.get(fieldname)
            if lengths is None:
                lengths = np.ones(self.size, dtype=np.float64)  # Whoosh's default for none
                for reader, offset in self._leaves:
                    codes = segreader.length_codes(reader, fieldname)
                    if codes is not None:
                        part = _LENGTHS[codes]
                        part[codes == 0] = 1.0
                        lengths[offset : offset + len(part)] = part
                self._lengths[fieldname] = lengths
            return lengths


def _plain_idf(searcher: Any) -> bool:
    """Whether ``searcher.idf`` is Whoosh's: ``log(documents / (frequency + 1)) + 1`` over
    the searcher's own documents (a shard's searcher with global statistics only while it
    has none set)."""
    return (
        type(searcher).idf in (searching.Searcher.idf, GlobalStatsSearcher.idf)
        and type(searcher.weighting).idf is scoring.WeightingModel.idf
        and searcher.get_parent() is searcher
        and searcher.doc_count_all() == searcher.reader().doc_count_all()
    )


_FORMS = (query.Term, query.Phrase, Scoped)  # what one word's OR holds, with ANDs of terms


def _key(q: query.Or) -> QueryKey | SameQuery:
    """How an OR is kept: one word's forms by their structure (the word comes back in other
    queries, parsed anew), any other OR (a whole query with its pasted title) by identity:
    hashing its whole tree cost more than making it again from its words, which are kept."""
    for child in q.subqueries:
        kind = type(child)
        if kind not in _FORMS and not (
            kind is query.And and all(type(t) is query.Term for t in child.subqueries)
        ):
            return SameQuery(q)
    return QueryKey(q)


def _postings_weight(postings: tuple[IntArray, FloatArray, int]) -> int:
    return len(postings[0])  # documents: what POSTINGS_BUDGET counts


def _words_weight(kept: tuple[query.Query, Scored]) -> int:
    return len(kept[1].docs)  # documents: what WORDS_BUDGET counts


def _break_ties(pairs: list[tuple[int, float]], limit: int, key: Callable[[int], Any]) -> None:
    """Order each run of equal scores in ``pairs`` (sorted best first) by ``key(docnum)``,
    as far as the first ``limit``: only tied documents' keys are read (a path each, from a
    stored column), not every one near the top."""
    start, count = 0, len(pairs)
    while start < min(limit, count):
        end = start + 1
        while end < count and pairs[end][1] == pairs[start][1]:
            end += 1
        if end - start > 1:
            pairs[start:end] = sorted(pairs[start:end], key=lambda pair: key(pair[0]))
        start = end
