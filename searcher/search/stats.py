"""What an index holds, read from its terms and columns (``blogsearch stats``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from whoosh.searching import Searcher

from searcher.indexing import ondisk, schema
from searcher.models import Stats
from searcher.search import facets, live
from searcher.search.visibility import Audience

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
    counts = live.Lexicon(reader)  # deleted and replaced posts are not counted
    languages = _counts(
        counts, schema.LANG, {_text(t): _text(t) for t in reader.lexicon(schema.LANG)}
    )
    dates = _dates(reader)
    public = counts.doc_frequency(schema.GEO, "public")
    private = counts.doc_frequency(schema.GEO, "private")
    meta = ondisk.read_meta(index_dir)
    return Stats(
        posts=searcher.doc_count(),
        located=public + private,
        located_private=private,
        languages=dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))),
        tags=_top_terms(counts, schema.TAG, top),
        categories=_top_terms(counts, schema.CATEGORY, top),
        first_date=min(dates).isoformat() if dates else None,
        last_date=max(dates).isoformat() if dates else None,
        index_bytes=ondisk.index_bytes(index_dir),
        built_at=meta.get("built_at"),
    )


def _text(term: Any) -> str:
    return term.decode() if isinstance(term, bytes) else str(term)


def _dates(reader: Any) -> list[dt.datetime]:
    """The dates of the live posts that have one."""
    if not reader.has_column(schema.DATE):
        return []
    column = reader.column_reader(schema.DATE, translate=False)
    found = (schema.date_of(column[docnum]) for docnum in reader.all_doc_ids())
    return [date for date in found if date is not None]


def _top_terms(counts: live.Lexicon, field: str, top: int | None) -> dict[str, int]:
    shown_as = facets.labels(counts.reader, field)
    names = {_text(t): shown_as.get(_text(t), _text(t)) for t in counts.reader.lexicon(field)}
    return facets.ordered(_counts(counts, field, names), top)


def _counts(counts: live.Lexicon, field: str, names: dict[str, str]) -> dict[str, int]:
    """Live posts holding each term of ``names``, under its name; terms of none left out."""
    found = {names[term]: counts.doc_frequency(field, term) for term in names}
    return {name: count for name, count in found.items() if count}
