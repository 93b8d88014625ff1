"""Making hits: a post's stored record → :class:`~searcher.models.Hit`, with a snippet that
marks the query's words in the post's text (:mod:`searcher.search.snippets`).

Reading a post's stored fields and marking its words is most of a search's cost once its
posts are ranked, and the same posts come back in query after query: a generation's
:class:`Hits` keeps the recently shown posts' text and the words each query marks, each
within a bound. A hit with no word to mark (listings, k-nearest) is read from the
uncompressed ``SHOWN`` column instead, and made anew each time.
"""

from __future__ import annotations

import math

from whoosh import query
from whoosh.searching import Searcher

from searcher.indexing import analysis, openings, records, schema
from searcher.indexing._whoosh.bytecolumn import ByteColumn
from searcher.indexing._whoosh.stored import StoredFields
from searcher.models import Center, Hit
from searcher.search import snippets
from searcher.search.geosearch import GeoIndex
from searcher.search.query import PARSED_QUERIES, make_hit, shown_place
from searcher.search.visibility import Visibility
from searcher.support.caches import Bounded

SNIPPET_SOURCE_CHARS = openings.SOURCE_CHARS  # long posts are marked within their first 40k
DOCUMENT_CHARS = 4_000_000  # characters of recently shown posts' text kept per generation
# parsed queries whose snippet targets are kept: found by identity, a query's targets are
# asked for again only while the parser keeps the query (a second bound held ~40 objects
# a query for nothing, which only made the collector's full passes longer and sooner)
MARKED_QUERIES = PARSED_QUERIES


_NO_TARGETS = snippets.QueryTargets(query.NullQuery, schema.BODY)


class Hits:
    """The hits of one generation's posts, for one audience."""

    def __init__(self, searcher: Searcher, visibility: Visibility, geo: GeoIndex) -> None:
        self.searcher = searcher
        self.visibility = visibility
        self.geo = geo
        self._stored = StoredFields(searcher)
        self._shown = ByteColumn(searcher.reader(), records.SHOWN)
        self._private = (
            ByteColumn(searcher.reader(), records.SHOWN_PRIVATE)
            if visibility.private_places
            else None
        )
        self._documents = _Documents(self._stored, DOCUMENT_CHARS)
        self._spans = snippets.Kept()  # where query words occur in shown posts
        self._marked: Bounded[int, tuple[query.Query, snippets.QueryTargets]] = Bounded(
            MARKED_QUERIES
        )
        self._last: tuple[query.Query | None, snippets.QueryTargets] = (None, _NO_TARGETS)

    def hit(
        self,
        docnum: int,
        score: float,
        text: query.Query | None,
        center: Center | None,
        distance: float | None = None,
    ) -> Hit:
        """The hit of ``docnum``, its snippet marking the words of ``text`` (none: the post's
        opening), with its distance from ``center`` (``distance``, where already measured)."""
        if distance is None and center is not None:
            distance = self.geo.distance_km(docnum, center.lat, center.lon)
        near = (center.lat, center.lon) if center is not None else None
        if text is None:  # nothing to mark: the same hit every time, but for score and distance
            return self._plain_hit(docnum, score, distance, near)
        post, source = self._documents.get(docnum)
        key = analysis.language_key(post.lang)
        analyzer = analysis.text_analyzer(key)
        html = snippets.build(source, analyzer, self._targets(text, key), self._spans, docnum)
        return make_hit(post, score=score, snippet_html=html, visibility=self.visibility,
                        distance_km=distance, near=near)  # fmt: skip

    def _targets(self, text: query.Query, key: str) -> snippets.Targets:
        """What to mark in posts of language ``key``: kept per parsed query (walked once for
        all its hits' languages), which the parser keeps too, so a repeated query finds its
        targets by identity."""
        kept = self._last  # the query of the hit before, most often: no lock, no reordering
        if kept[0] is not text:
            kept = self._marked.get(id(text)) or kept
            if kept[0] is not text:
                kept = self._marked.put(id(text), (text, snippets.QueryTargets(text, schema.BODY)))
            self._last = kept
        return kept[1].targets(key)

    def _plain_hit(
        self, docnum: int, score: float, distance: float | None, near: tuple[float, float] | None
    ) -> Hit:
        """The hit of a doc with the opening of its text as snippet, from the uncompressed
        ``SHOWN`` column (inflating and unpickling the stored record, text and all, was most of
        a k-nearest hit's cost), with, for the owner, the private places it leaves out from
        ``SHOWN_PRIVATE`` (which the public never reads). Made anew each time: a bounded
        cache's get, put and copy cost 6 of a hit's 10 us, and few k-nearest hits came back.
        The record is read where the columns have no value (orjson could not write it)."""
        shown = records.read_shown(self._shown(docnum))
        if shown is None:
            return self._record_hit(docnum, score, distance, near)
        places = shown.locations  # public ones: what every audience may see
        if shown.withheld and self._private is not None:  # the owner, of a private post
            private = records.read_shown_private(self._private(docnum))
            if private is None:
                return self._record_hit(docnum, score, distance, near)
            places = private
        # made here, not by make_hit: the places need no audience's filter (half its time)
        return Hit(shown.path, shown.title, shown.url, shown.date, shown.tags, shown.categories,
                   shown.lang, 0.0 if math.isnan(score) else float(score), shown.opening,
                   shown_place(places, near), distance, places)  # fmt: skip

    def _record_hit(
        self, docnum: int, score: float, distance: float | None, near: tuple[float, float] | None
    ) -> Hit:
        """A plain hit made from the post's stored record, as every one was before SHOWN."""
        post = records.read(self._stored(docnum))
        return make_hit(post, score=score, snippet_html=openings.post_opening(post.text),
                        visibility=self.visibility, distance_km=distance, near=near)  # fmt: skip


class _Documents:
    """The stored fields of recently shown posts, with their text cut to what snippets read
    (and lower-cased once a query's word needs it): decompressing and unpickling a post's
    stored fields, then lower-casing its text, took a third of a hit's time, and the same
    posts come back in query after query (Solr's documentCache does the same). Bounded by
    the characters kept."""

    def __init__(self, stored: StoredFields, budget: int) -> None:
        self._stored = stored
        self._kept: Bounded[int, tuple[records.StoredPost, snippets.Source]] = Bounded(
            budget=budget, weigh=_size
        )

    def get(self, docnum: int) -> tuple[records.StoredPost, snippets.Source]:
        """The stored post ``docnum``, and its text for snippets."""
        kept = self._kept.get(docnum)
        if kept is not None:
            return kept
        post = records.read(self._stored(docnum))
        kept = (post, snippets.Source(records.flat_text(post.text[:SNIPPET_SOURCE_CHARS])))
        return self._kept.setdefault(docnum, kept)


def _size(kept: tuple[records.StoredPost, snippets.Source]) -> int:
    """What a kept post counts against the budget: its text as written, lowered and (where
    it may have accents) unaccented, and a little for its record. Weighed before the text is
    lowered (:class:`~searcher.search.snippets.Source` does that when first needed)."""
    text = kept[1].text
    return (2 if text.isascii() else 3) * len(text) + 500
