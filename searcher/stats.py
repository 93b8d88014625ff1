"""What an index holds, read from its terms and columns (``blogsearch stats``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from whoosh.searching import Searcher

from searcher import facets, indexer, schema
from searcher.models import Stats
from searcher.query import Audience

TOP = 20


def index_stats(
    searcher: Searcher, index_dir: Path, audience: Audience, *, top: int | None = TOP
) -> Stats:
    """Posts, located posts (public and private), languages, the ``top`` tags and categories
    (all with None), dates, size, build time.

    Private locations are counted, never placed: a count reveals nothing of where they are.
    """
    del audience  # the same figures for every audience: none of them locates anything
    reader = searcher.reader()
    lexicon = reader.lexicon(schema.LANG)
    languages = {_text(t): reader.doc_frequency(schema.LANG, t) for t in lexicon}
    dates = [d for d in _column_values(reader, schema.DATE) if isinstance(d, dt.datetime)]
    public = reader.doc_frequency(schema.GEO, "public")
    private = reader.doc_frequency(schema.GEO, "private")
    meta = indexer.read_meta(index_dir)
    return Stats(
        posts=searcher.doc_count(),
        located=public + private,
        located_private=private,
        languages=dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))),
        tags=_top_terms(reader, schema.TAG, top),
        categories=_top_terms(reader, schema.CATEGORY, top),
        first_date=min(dates).isoformat() if dates else None,
        last_date=max(dates).isoformat() if dates else None,
        index_bytes=indexer.index_bytes(index_dir),
        built_at=meta.get("built_at"),
    )


def _text(term: Any) -> str:
    return term.decode() if isinstance(term, bytes) else str(term)


def _column_values(reader: Any, field: str) -> list[Any]:
    if not reader.has_column(field):
        return []
    column = reader.column_reader(field)
    values = []
    for docnum in reader.all_doc_ids():
        try:
            values.append(column[docnum])
        except OverflowError:  # an undated post holds the column's empty default, not a date
            continue
    return values


def _top_terms(reader: Any, field: str, top: int | None) -> dict[str, int]:
    shown_as = facets.labels(reader, field)
    counts = {shown_as.get(_text(t), _text(t)): reader.doc_frequency(field, t)
              for t in reader.lexicon(field)}  # fmt: skip
    return facets.ordered(counts, top)
