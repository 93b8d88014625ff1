"""Documents analysed where posts are read, then added to the index by the one writer.

Whoosh analyses every field inside ``add_document``: tokenising, folding and stemming took
40 % of the writer process's time in a full build, the writer was the bottleneck, and the
worker processes that read posts waited for it. Workers now analyse documents too, with the
same schema, and send their postings; the writer only files them, as
``SegmentWriter.add_document`` would (the same index: tested).
"""

from __future__ import annotations

import functools
from typing import Any

from searcher.indexing import schema

# (field name, [(term bytes, weight, value bytes)], length, stored value, column value)
Field = tuple[str, list[tuple[bytes, float, bytes]], int, Any, Any]
Prepared = tuple[Field, ...]

_SHARED: dict[bytes | float, bytes | float] = {}  # a term, weight or value → its one copy
_SHARED_LIMIT = 100_000  # distinct objects shared before starting afresh


@functools.cache
def _schema() -> Any:
    return schema.build_schema()


@functools.cache
def supported() -> bool:
    """Whether :func:`add` can file this schema's documents: no term vectors, no separate
    spelling fields (add_document writes those, this module does not)."""
    return not any(field.vector or field.separate_spelling() for _, field in _schema().items())


def prepare(document: dict[str, Any]) -> Prepared:
    """``document`` (from :func:`schema.document`) analysed as ``add_document`` does it."""
    fields = _schema()
    prepared = []
    for name in sorted(document):
        value = document[name]
        if value is None or name.startswith("_"):
            continue
        field = fields[name]
        postings = []
        length = 0
        if field.indexed:
            scorable = field.scorable
            for term, frequency, weight, encoded in field.index(value):
                if scorable:
                    length += frequency
                postings.append((term, weight * 1.0, encoded))  # add_document: weight * boost
        stored = value if field.stored else None
        column = field.to_column_value(value) if field.column_type else None
        prepared.append((name, postings, length, stored, column))
    return tuple(prepared)


def add(writer: Any, prepared: Prepared) -> None:
    """File a prepared document in ``writer`` (a Whoosh SegmentWriter) as its next one.

    Unpickled, every posting brings its own copy of its term, weight and value, though few
    are distinct (on the four corpora, 760,000 postings had 58,000 terms, 74,000 values and
    113 weights): equal ones share one object, which more than halves what Whoosh's pool of
    postings really holds.
    """
    writer._check_state()
    fields = writer.schema
    per_document = writer.perdocwriter
    add_posting = writer.pool.add
    if len(_SHARED) > _SHARED_LIMIT:
        _SHARED.clear()
    share = _SHARED.setdefault
    docnum = writer.docnum
    per_document.start_doc(docnum)
    try:
        for name, postings, length, stored, column in prepared:
            field = fields[name]
            for term, weight, encoded in postings:
                add_posting((name, share(term, term), docnum, share(weight, weight),
                             share(encoded, encoded)))  # fmt: skip
            per_document.add_field(name, field, stored, length)
            if column is not None:
                per_document.add_column_value(name, field.column_type, column)
    except Exception:
        per_document.cancel_doc()
        raise
    per_document.finish_doc()
    writer._added = True
    writer.docnum += 1
