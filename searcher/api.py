"""The Python API for site backends: open an index once, search it from many threads.

>>> import searcher
>>> index = searcher.open_index(INDEX_DIR)            # doctest: +SKIP
>>> index.search("cloud paris").hits[0].title          # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query
from whoosh.searching import Searcher

from searcher import analysis, indexer, schema, snippets
from searcher.errors import InvalidCoordinates, UsageError
from searcher.geo import EARTH_RADIUS_KM, parse_coordinate, parse_radius_km
from searcher.models import Hit, Results, Stats
from searcher.query import WEIGHTING, Audience, QueryParser, audience_of, make_hit

SNIPPET_SOURCE_CHARS = 40_000  # long posts are marked up within their first 40k characters
REFRESH_INTERVAL = 1.0  # seconds between checks that the index changed on disk
MAX_LIMIT = 1000


class Index:
    """An opened index. Thread-safe; notices rebuilds on disk and refreshes its one searcher."""

    def __init__(self, index_dir: Path, audience: Audience = "public") -> None:
        self.index_dir = Path(index_dir)
        self.audience = audience
        self._ix = indexer.open_existing(self.index_dir)
        self._lock = threading.RLock()
        self._searcher: Searcher = self._ix.searcher(weighting=WEIGHTING)
        self._checked = time.monotonic()
        self._state = _State.load(self._searcher, audience)

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._searcher.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _current(self) -> tuple[Searcher, _State]:
        """The searcher to use now, refreshed (and the old one closed) if the index changed."""
        with self._lock:
            now = time.monotonic()
            if now - self._checked >= REFRESH_INTERVAL:
                self._checked = now
                if not self._searcher.up_to_date():
                    # a whole new searcher, not refresh(): refresh() shares segment readers
                    # with the old one, which must be closed to release its files
                    fresh = self._ix.searcher(weighting=WEIGHTING)
                    self._searcher.close()
                    self._searcher = fresh
                    self._state = _State.load(fresh, self.audience)
            return self._searcher, self._state

    # -- queries -----------------------------------------------------------------------------

    def search(self, text: str, *, limit: int = 10, page: int = 1) -> Results:
        """Posts matching ``text``, best first, one page of ``limit`` hits."""
        _check_paging(limit, page)
        with self._lock:
            searcher, state = self._current()
            parsed = _text_query(state.parser.parse(text))
            results = searcher.search_page(parsed, page, pagelen=limit)
            total = len(results.results)
            marks = _Marks(searcher, parsed)
            hits = [self._hit(marks, hit.fields(), hit.score) for hit in results]
            return Results(text, total, tuple(hits), page, limit)

    def near(
        self,
        lat: Any,
        lon: Any,
        *,
        text: str | None = None,
        radius_km: Any = None,
        limit: int = 10,
        page: int = 1,
    ) -> Results:
        """Located posts nearest to (lat, lon), nearest first; ``text`` narrows, radius bounds."""
        _check_paging(limit, page)
        lat_f, lon_f = parse_coordinate(lat, "lat"), parse_coordinate(lon, "lon")
        radius = None if radius_km is None else parse_radius_km(radius_km)
        with self._lock:
            searcher, state = self._current()
            docnums, distances = state.distances(lat_f, lon_f)
            scores: dict[int, float] = {}
            marks = None
            if text is not None and text.strip():
                parsed = _text_query(state.parser.parse(text))
                marks = _Marks(searcher, parsed)
                matched = searcher.search(parsed, limit=None)
                scores = {hit.docnum: hit.score for hit in matched}
                keep = np.fromiter((d in scores for d in docnums), bool, len(docnums))
                docnums, distances = docnums[keep], distances[keep]
            if radius is not None:
                keep = distances <= radius
                docnums, distances = docnums[keep], distances[keep]
            order = sorted(
                range(len(docnums)), key=lambda i: (distances[i], state.path(int(docnums[i])))
            )
            start = (page - 1) * limit
            hits = []
            for i in order[start : start + limit]:
                docnum = int(docnums[i])
                stored = searcher.stored_fields(docnum)
                hits.append(self._hit(marks, stored, scores.get(docnum, 0.0), float(distances[i])))
            label = text or f"near {lat_f:.5f},{lon_f:.5f}"
            return Results(label, len(order), tuple(hits), page, limit)

    def stats(self) -> Stats:
        """Counts, languages, top tags and categories, date span, size and build time."""
        with self._lock:
            searcher, state = self._current()
            return state.stats(searcher, self.index_dir)

    # -- hits --------------------------------------------------------------------------------

    def _hit(
        self,
        marks: _Marks | None,
        stored: dict[str, Any],
        score: float,
        distance: float | None = None,
    ) -> Hit:
        text = stored.get(schema.TEXT, "")[:SNIPPET_SOURCE_CHARS]
        lang = (stored.get(schema.RECORD) or {}).get("lang")
        html = marks.snippet(text, lang) if marks else snippets.opening(text)
        return make_hit(stored, score=score, snippet_html=html, audience=self.audience,
                        distance_km=distance)  # fmt: skip


class _Marks:
    """Snippet targets of one query, per body field (worked out once per language)."""

    def __init__(self, searcher: Searcher, parsed: query.Query) -> None:
        self._targets = snippets.targets(parsed, schema.BODY)

    def snippet(self, text: str, lang: str | None) -> str:
        analyzer = analysis.text_analyzer(analysis.language_key(lang))
        return snippets.build(text, analyzer, self._targets)


class _State:
    """Everything derived from one searcher generation: parser, located points, paths."""

    def __init__(self, searcher: Searcher, audience: Audience) -> None:
        reader = searcher.reader()
        langs = [t.decode() if isinstance(t, bytes) else t for t in reader.lexicon(schema.LANG)]
        keys = sorted({analysis.language_key(code) for code in langs} | {"any"})
        self.keys = keys
        self.parser = QueryParser(searcher.schema, keys, audience)
        kinds = ["public"] if audience == "public" else ["public", "private"]
        located = query.Or([query.Term(schema.GEO, kind) for kind in kinds])
        docs = sorted(searcher.docs_for_query(located))
        lats, lons = _column(reader, schema.LAT, docs), _column(reader, schema.LON, docs)
        self.docnums = np.array(docs, dtype=np.int64)
        self.lats = np.radians(np.array(lats, dtype=np.float64) / 1e7)
        self.lons = np.radians(np.array(lons, dtype=np.float64) / 1e7)
        self._paths = reader.column_reader(schema.PATH) if reader.has_column(schema.PATH) else {}

    @classmethod
    def load(cls, searcher: Searcher, audience: Audience) -> _State:
        return cls(searcher, audience)

    def path(self, docnum: int) -> str:
        value = self._paths[int(docnum)]
        return value.decode() if isinstance(value, bytes) else str(value)

    def distances(
        self, lat: float, lon: float
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Haversine distance (km) from the point to every located post the audience may see."""
        phi, lam = np.radians(lat), np.radians(lon)
        dphi = self.lats - phi
        dlam = self.lons - lam
        a = np.sin(dphi / 2) ** 2 + np.cos(phi) * np.cos(self.lats) * np.sin(dlam / 2) ** 2
        dist = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
        return self.docnums.copy(), dist

    def stats(self, searcher: Searcher, index_dir: Path) -> Stats:
        reader = searcher.reader()
        languages = {
            _text(t): reader.doc_frequency(schema.LANG, t) for t in reader.lexicon(schema.LANG)
        }
        dates = [d for d in _column_values(reader, schema.DATE) if d]
        meta = indexer.read_meta(index_dir)
        return Stats(
            posts=searcher.doc_count(),
            located=reader.doc_frequency(schema.GEO, "public")
            + reader.doc_frequency(schema.GEO, "private"),
            located_private=reader.doc_frequency(schema.GEO, "private"),
            languages=dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))),
            tags=_top_terms(reader, schema.TAG),
            categories=_top_terms(reader, schema.CATEGORY),
            first_date=_iso(min(dates)) if dates else None,
            last_date=_iso(max(dates)) if dates else None,
            index_bytes=indexer.index_bytes(index_dir),
            built_at=meta.get("built_at"),
        )


def _text(term: Any) -> str:
    return term.decode() if isinstance(term, bytes) else str(term)


def _column(reader: Any, field: str, docs: list[int]) -> list[Any]:
    if not docs or not reader.has_column(field):
        return []
    column = reader.column_reader(field)
    return [column[d] for d in docs]


def _column_values(reader: Any, field: str) -> list[Any]:
    return _column(reader, field, list(reader.all_doc_ids()))


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.datetime) else str(value)


def _top_terms(reader: Any, field: str, count: int = 20) -> dict[str, int]:
    pairs = [(_text(t), reader.doc_frequency(field, t)) for t in reader.lexicon(field)]
    pairs.sort(key=lambda kv: (-kv[1], kv[0]))
    return dict(pairs[:count])


def _text_query(parsed: Any) -> Any:
    if parsed.text is None:
        raise UsageError("near: clauses need the geo engine")
    return parsed.text


def _check_paging(limit: int, page: int) -> None:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"limit must be between 1 and {MAX_LIMIT}, not {limit!r}")
    if not isinstance(page, int) or page < 1:
        raise UsageError(f"page must be 1 or more, not {page!r}")


def open_index(index_dir: Path | str | None = None, *, audience: str = "public") -> Index:
    """Open the index in ``index_dir`` (default ``$BLOGSEARCH_INDEX`` or ``index/``).

    ``audience="public"`` (the default, for site backends) never returns, filters or sorts by
    a location its author marked private; ``"owner"`` sees everything.
    """
    path = Path(index_dir) if index_dir is not None else indexer.default_index_dir()
    return Index(path, audience_of(audience))


__all__ = ["Index", "InvalidCoordinates", "open_index"]
