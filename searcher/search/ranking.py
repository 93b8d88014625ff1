"""Whoosh's ranking of a query's best hits, where the fast scorer cannot evaluate it: equal
scores in path order, as every ranking of ours (and every shard's) breaks ties."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh import query
from whoosh.collectors import FilterCollector, TopCollector
from whoosh.searching import Searcher


def top_hits(
    searcher: Searcher,
    text: query.Query,
    limit: int,
    allowed: set[int] | None,
    path: Callable[[int], str],
) -> tuple[list[tuple[int, float]], int]:
    """The best ``limit`` (docnum, score) pairs, equal scores in path order, and the total.

    Whoosh breaks ties by document number, which follows the order posts were written in (and
    differs between the shards of a sharded index). One hit more than asked for shows whether
    a tie straddles the cut; while one does, the cut is widened.
    """
    if allowed is not None and not allowed:
        return [], 0  # Whoosh reads an empty filter as no filter at all
    want = limit
    while True:
        results = _ranked(searcher, text, want + 1, allowed)
        found = [(hit.docnum, hit.score) for hit in results]
        if len(found) <= want or found[limit][1] < found[limit - 1][1]:
            break
        want *= 4
    found.sort(key=lambda item: (-item[1], path(item[0])))
    return found[:limit], len(results)


def _ranked(searcher: Searcher, text: query.Query, limit: int, allowed: set[int] | None) -> Any:
    """Top ``limit`` hits and an exact total, in the cheaper of two ways for this query.

    A compound query is scored and counted in one pass. Whoosh's optimised pass replaces
    matchers that cannot reach the top N (and skips blocks), so counting then walks every
    posting again: twice the cost of 'ruby 2.7 released' at 30,000 posts. Replacement must
    be off in the one pass too, or the total misses documents of pruned branches (an OR
    counted 77 of 340). A single clause keeps the optimised pass, whose block skipping pays
    for the recount.
    """
    if not isinstance(text, query.CompoundQuery | query.BinaryQuery | query.Phrase):
        return searcher.search(text, limit=limit, filter=allowed)
    top = TopCollector(limit=limit, usequality=False)
    top.replace = 0
    collector = top if allowed is None else FilterCollector(top, allowed)
    searcher.search_with_collector(text, collector)
    return collector.results()
