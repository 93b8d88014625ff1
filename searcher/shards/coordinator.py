"""Searching a sharded index: one request fanned out to per-shard Dask actors, then merged.

A request is parsed once, here, with the languages of every shard. Each shard then answers
in three calls (:mod:`searcher.shards.actor`): its share of the collection statistics (a
refresh first, if it changed on disk), its best candidates scored with the statistics of
all shards, and the hits of the candidates the merge kept. Merging orders candidates by the
engine's keys (score, distance or date, then path), so the page equals the one a single
index over the same posts gives. "Did you mean" and typo tolerance read every shard's words.

A shard that does not answer (its worker died, say) makes the actors be placed again and
the request be run again, once; then :class:`ShardUnavailable`. Never a partial page.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from searcher.errors import BlogsearchError, ShardUnavailable, UsageError
from searcher.indexing import analysis, schema
from searcher.models import Completion, Hit, Results, Stats
from searcher.search import facets, postpaths, suggest
from searcher.search.geosearch import order_by_distance
from searcher.search.globalstats import GlobalStats, MissingStatistics, summed
from searcher.search.planning import (
    Filters,
    Request,
    Sort,
    chosen_sort,
    narrowed,
    page_of,
    relevance_page,
    request_center,
)
from searcher.search.query import ParsedQuery, QueryParser, WhooshQuery
from searcher.search.stats import TOP as STATS_TOP
from searcher.search.visibility import Audience, Visibility
from searcher.shards.actor import Candidates, Plan, ShardActor, ShardInfo
from searcher.shards.layout import Layout, connect, local_workers, read_layout
from searcher.support.caches import Bounded

CALL_TIMEOUT = 120.0  # seconds a shard may take to answer one call
ATTEMPTS = 2  # a request is run again once after its actors were placed again
SCHEDULER_ENV = "BLOGSEARCH_SCHEDULER"
LEXICON_MEMO = 50_000  # word look-ups remembered per generation of the shards


Chosen = tuple[int, int, float]  # (shard, docnum, score) of a merged candidate
_T = TypeVar("_T")


@dataclass(frozen=True)
class _Search:
    """One search of a request over every shard: its plan, the statistics it was scored with,
    the requested page's candidates, how many matched, and its facet counts (if asked)."""

    plan: Plan
    stats: GlobalStats
    chosen: list[Chosen]
    total: int
    counts: dict[str, dict[str, int]] | None


class _Shards:
    """One Dask actor per shard, spread over the workers; placed again when one is lost."""

    def __init__(self, layout: Layout, audience: Audience, scheduler: str | None) -> None:
        self.layout = layout
        self.audience = audience
        self._stack = ExitStack()
        self.client = self._stack.enter_context(connect(scheduler, local_workers(layout.shards)))
        self.actors: list[Any] = []
        try:
            self.place()
        except BlogsearchError:
            self.close()
            raise
        except Exception as exc:
            self.close()
            raise ShardUnavailable(_lost(exc)) from None

    def place(self) -> None:
        """Create every shard's actor, round-robin over the live workers."""
        self.client.wait_for_workers(1, timeout=CALL_TIMEOUT)
        workers = sorted(self.client.scheduler_info(n_workers=-1)["workers"])
        futures = [
            self.client.submit(ShardActor, str(path), self.audience, actor=True, pure=False,
                               workers=[workers[n % len(workers)]], allow_other_workers=True,
                               key=f"blogsearch-shard-{n}-{os.urandom(6).hex()}")
            for n, path in enumerate(self.layout.shard_dirs())
        ]  # fmt: skip
        with self.client.as_current():  # an actor handle binds to the current client
            self.actors = [future.result(timeout=CALL_TIMEOUT) for future in futures]

    def call(self, method: str, *args: Any) -> list[Any]:
        """``method(*args)`` on every shard at once; every answer, in shard order."""
        return self.call_some([(n, args) for n in range(len(self.actors))], method)

    def call_some(self, calls: Sequence[tuple[int, tuple[Any, ...]]], method: str) -> list[Any]:
        """``method`` on the given shards, each with its own arguments, at once."""
        futures = [getattr(self.actors[n], method)(*args) for n, args in calls]
        return [future.result(timeout=CALL_TIMEOUT) for future in futures]

    def close(self) -> None:
        self._stack.close()


class ShardedGeneration:
    """A generation over every shard (:class:`~searcher.search.backend.Searchable`): parses
    here, searches there, plans and ranks with the engine's functions. Completion is not
    offered on a sharded index yet.
    """

    def __init__(self, shards_: _Shards, audience: Audience) -> None:
        self.shards = shards_
        self.audience = audience
        self.visibility = Visibility.for_audience(audience)
        self.infos: list[ShardInfo] = []
        self.keys: list[str] = []
        self._lexicon: Lexicon | None = None
        self.parser = QueryParser(schema.build_schema(), ["any"], self.visibility)

    def _prepare(self, text: WhooshQuery | None, filters: Filters | None = None) -> GlobalStats:
        """Refresh the shards' figures; the collection statistics of the request's terms."""
        answers = self.shards.call("prepare", text, filters)
        infos: list[ShardInfo] = [info for info, _ in answers]
        langs = {code for info in infos for code in info.langs}
        keys = sorted({analysis.language_key(code) for code in langs} | {"any"})
        if keys != self.keys:
            self.keys = keys
            self.parser = QueryParser(schema.build_schema(), keys, self.visibility)
        self.infos = infos
        lengths: dict[str, int] = {}
        for info in infos:
            for name, length in info.field_lengths.items():
                lengths[name] = lengths.get(name, 0) + length
        return GlobalStats(sum(i.doc_count_all for i in infos), lengths,
                           summed(freqs for _, freqs in answers))  # fmt: skip

    def run(self, request: Request) -> Results:
        return self._retried(self._run, request)

    def _retried(self, answer: Callable[[_T], Results], asked: _T) -> Results:
        """``answer(asked)``, asked again on shards placed anew when a worker was lost; a
        :class:`ShardUnavailable` when they cannot answer."""
        attempt = 1
        while True:
            try:
                return answer(asked)
            except (BlogsearchError, MissingStatistics):
                raise
            except Exception as exc:  # a lost worker shows as any of a dozen Dask errors
                if attempt >= ATTEMPTS:
                    raise ShardUnavailable(_lost(exc)) from None
                attempt += 1
                try:
                    self.shards.place()
                except Exception as again:
                    raise ShardUnavailable(_lost(again)) from None

    def _run(self, request: Request) -> Results:
        if not self.infos:
            self._prepare(None)  # the languages queries are parsed with
        request = narrowed(request, tuple(code for info in self.infos for code in info.langs))
        keys = self.keys
        parsed = self.parser.parse(request.text) if request.text else ParsedQuery(None)
        center, radius = request_center(request, parsed.near)
        sort = chosen_sort(request, parsed.text, center)
        plan = Plan(request, parsed.text, center, radius, sort, request.facets)
        searches: list[_Search] = []  # the last one fills the page

        def rank(text: WhooshQuery, close: bool) -> tuple[list[Chosen], int]:
            # facets count the exact words' (or a pasted title's) posts, never close spellings
            searches.append(
                self._search(replace(plan, text=text, facets=plan.facets and not close))
            )
            return searches[-1].chosen, searches[-1].total

        suggestion = None
        if sort == "relevance":
            assert parsed.text is not None
            suggestion = relevance_page(request, parsed.text, self, rank).suggestion
        else:
            searches.append(self._search(plan))
        if self.keys != keys:  # a shard changed on disk, with new languages: parse again
            return self._run(request)
        counts = next((s.counts for s in reversed(searches) if s.plan.facets), None)
        return replace(self._page(searches[-1]), facets=counts, suggestion=suggestion)

    def _search(self, plan: Plan) -> _Search:
        """The shards' candidates for ``plan``, merged: the requested page's, and the total."""
        stats = self._prepare(plan.text, plan.request.filters)
        answers: list[Candidates] = self.shards.call("candidates", plan, stats)
        request = plan.request
        start, end = (request.page - 1) * request.limit, request.page * request.limit
        counts = None
        if plan.facets:
            labels = self._words().labels()
            counts = facets.merged((a.facets for a in answers if a.facets is not None), labels)
        chosen = _merged(answers, plan.sort)[start:end]
        return _Search(plan, stats, chosen, sum(a.total for a in answers), counts)

    def _page(self, search: _Search) -> Results:
        """The page of a search, its hits made by the shards that hold them."""
        plan = search.plan
        calls: dict[int, list[tuple[int, float]]] = {}
        for shard, docnum, score in search.chosen:
            calls.setdefault(shard, []).append((docnum, score))
        order = list(calls)
        rendered = self.shards.call_some(
            [(n, (plan, search.stats, calls[n])) for n in order], "render"
        )
        by_shard = {n: iter(hits) for n, hits in zip(order, rendered, strict=True)}
        hits: list[Hit] = [next(by_shard[shard]) for shard, _, _ in search.chosen]
        return page_of(plan.request, hits, search.total, plan.center)

    @property
    def lexicon(self) -> Lexicon:
        """The words of every shard (:class:`~searcher.search.planning.Vocabulary`)."""
        return self._words()

    def _words(self) -> Lexicon:
        """The words of every shard, looked up once per generation of the shards."""
        generations = tuple(info.generation for info in self.infos)
        if self._lexicon is None or self._lexicon.generations != generations:
            self._lexicon = Lexicon(self.shards, self.infos)
        return self._lexicon

    def stats(self, index_dir: Path) -> Stats:
        parts: list[Stats] = self.shards.call("stats")
        return _merged_stats(parts, index_dir, self._words().labels())

    def similar(self, path: str, limit: int) -> Results:
        """The single index's similar posts (:meth:`Generation.similar`): the post's key
        terms weighed by every shard's figures, then searched as any query is."""
        return self._retried(functools.partial(self._similar, limit=limit), path)

    def _similar(self, path: str, limit: int) -> Results:
        self._prepare(None)
        located = self.shards.call("locate", postpaths.candidates(path))
        found = [(answer, n) for n, answer in enumerate(located) if answer is not None]
        if not found:
            examples = [e for e in self.shards.call("path_example", path) if e is not None]
            raise postpaths.missing(path, min(examples)[1] if examples else None)
        (_, stored, docnum, source, lang), shard = min(found, key=lambda item: item[0][0])

        def occurrences(keys: list[tuple[str, str]]) -> list[int]:
            answers = self.shards.call("occurrences", keys)
            return [sum(counts) for counts in zip(*answers, strict=True)]

        docs = sum(info.doc_count_all for info in self.infos)
        words = sum(info.field_lengths.get(schema.WORDS, 0) for info in self.infos)
        terms = suggest.key_terms(source, lang, docs, words, occurrences)
        hits: tuple[Hit, ...] = ()
        if terms:
            plan = Plan(Request(limit=limit + 1), suggest.similar_query(terms), None, None,
                        "relevance")  # fmt: skip
            search = self._search(plan)
            chosen = [c for c in search.chosen if c[:2] != (shard, docnum)][:limit]
            hits = self._page(replace(search, plan=replace(plan, text=None), chosen=chosen)).hits
        return Results(f"similar to {stored}", len(hits), hits, 1, limit)

    def complete(self, prefix: str, limit: int) -> list[Completion]:
        raise UsageError("completion is not available on a sharded index yet")


class Lexicon:
    """The words of every shard, as :mod:`searcher.search.suggest` reads a reader's."""

    def __init__(self, shards_: _Shards, infos: list[ShardInfo]) -> None:
        self._shards = shards_
        self.generations = tuple(info.generation for info in infos)
        self._docs = sum(info.doc_count for info in infos)
        # read and written one request at a time, under the backend's lock: no lock of their own
        self._frequencies: Bounded[tuple[str, str], int] = Bounded(LEXICON_MEMO, locked=False)
        self._within: Bounded[tuple[str, str, int, int], frozenset[str]] = Bounded(
            LEXICON_MEMO, locked=False
        )
        self._labels: dict[str, dict[str, str]] | None = None

    def labels(self) -> dict[str, dict[str, str]]:
        """How every shard's tags and categories are shown (:func:`facets.merged_labels`)."""
        if self._labels is None:
            self._labels = facets.merged_labels(self._shards.call("labels"))
        return self._labels

    def doc_count(self) -> int:
        return self._docs

    def doc_frequency(self, fieldname: str, text: Any) -> int:
        key = (fieldname, text.decode() if isinstance(text, bytes) else str(text))
        found = self._frequencies.get(key)
        if found is None:
            answers = self._shards.call("frequencies", [key])
            found = self._frequencies.put(key, sum(counts[0] for counts in answers))
        return found

    def leaf_readers(self) -> list[tuple[Lexicon, int]]:
        return [(self, 0)]

    def terms_within(self, fieldname: str, text: str, maxdist: int, prefix: int = 0) -> set[str]:
        key = (fieldname, text, maxdist, prefix)
        found = self._within.get(key)
        if found is None:
            answers: list[set[str]] = self._shards.call("terms_within", *key)
            found = self._within.put(key, frozenset().union(*answers))
        return set(found)


class ShardedBackend:
    """A sharded index (:class:`~searcher.search.backend.Backend`) searched through per-shard
    Dask actors.

    ``scheduler`` is a Dask scheduler address (default ``$BLOGSEARCH_SCHEDULER``); without
    one a local cluster of worker processes is started on 127.0.0.1 and stopped on close.
    """

    def __init__(self, index_dir: Path, audience: Audience, scheduler: str | None) -> None:
        layout = read_layout(index_dir)
        if layout is None:
            raise UsageError(f"{index_dir}/ is not a sharded index")
        self.index_dir = index_dir
        self._lock = threading.RLock()
        self._shards = _Shards(layout, audience, scheduler or os.environ.get(SCHEDULER_ENV))
        self._generation = ShardedGeneration(self._shards, audience)

    def close(self) -> None:
        with self._lock:
            self._shards.close()

    @contextmanager
    def using(self, refresh_interval: float) -> Iterator[ShardedGeneration]:
        """One request at a time: the coordinator's figures are set per request (the shards
        notice rebuilds themselves, so ``refresh_interval`` is theirs)."""
        with self._lock:
            yield self._generation

    @property
    def shard_count(self) -> int:
        return self._shards.layout.shards

    def stats(self, refresh_interval: float) -> Stats:
        with self._lock:
            try:
                return self._generation.stats(self.index_dir)
            except BlogsearchError:
                raise
            except Exception as exc:
                raise ShardUnavailable(_lost(exc)) from None

    def shard_workers(self) -> list[str]:
        """The address of the Dask worker holding each shard's actor."""
        return [str(actor._address) for actor in self._shards.actors]

    def worker_pids(self) -> dict[str, int]:
        """Each Dask worker's process id (for the fault tests)."""
        pids: dict[str, int] = self._shards.client.run(os.getpid)
        return pids


def _merged(answers: list[Candidates], sort: Sort) -> list[Chosen]:
    """Every shard's candidates as (shard, docnum, score) in the order of one index."""
    pooled = [(key, n, docnum, score) for n, answer in enumerate(answers)
              for key, docnum, score in answer.entries]  # fmt: skip
    if sort != "distance":
        pooled.sort(key=lambda item: item[0])
        return [(n, docnum, score) for _, n, docnum, score in pooled]
    found = [(key[0], i) for i, (key, _, _, _) in enumerate(pooled)]
    order_by_distance(found, lambda i: pooled[i][0][1])  # ties within TIE_KM by path
    return [(pooled[i][1], pooled[i][2], pooled[i][3]) for _, i in found]


def _merged_stats(parts: list[Stats], index_dir: Path, labels: dict[str, dict[str, str]]) -> Stats:
    def summed_counts(name: str, top: int | None) -> dict[str, int]:
        total: dict[str, int] = {}
        for part in parts:
            for value, count in getattr(part, name).items():
                total[value] = total.get(value, 0) + count
        field = facets.FACETS[name]
        return facets.ordered(facets.shown(total, field, labels.get(field, {})), top)

    firsts = [p.first_date for p in parts if p.first_date]
    lasts = [p.last_date for p in parts if p.last_date]
    built = [p.built_at for p in parts if p.built_at]
    return Stats(
        posts=sum(p.posts for p in parts),
        located=sum(p.located for p in parts),
        located_private=sum(p.located_private for p in parts),
        languages=summed_counts("languages", None),
        tags=summed_counts("tags", STATS_TOP),
        categories=summed_counts("categories", STATS_TOP),
        first_date=min(firsts, key=dt.datetime.fromisoformat) if firsts else None,
        last_date=max(lasts, key=dt.datetime.fromisoformat) if lasts else None,
        index_bytes=sum(p.index_bytes for p in parts),
        built_at=max(built) if built else None,
    )


def _lost(exc: BaseException) -> str:
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"a shard did not answer (its Dask worker may have died): {detail}"
