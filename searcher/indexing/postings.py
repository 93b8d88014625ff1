"""Documents analysed where posts are read, as the batches of arrays the index writer takes.

Whoosh analyses every field inside ``add_document``: tokenising, folding and stemming took
40 % of the writer process's time in a full build. Workers analyse documents instead, with
the same schema, field by field as ``SegmentWriter.add_document`` would (the same index:
tested), and send each batch of them to the writer as arrays (``segruns.Batch``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from searcher.indexing import fieldterms, schema
from searcher.indexing._whoosh import segbuild, segruns

Prepared = segbuild.Prepared


@functools.cache
def _schema() -> Any:
    return schema.build_schema()


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
            for term, frequency, weight, encoded in fieldterms.index(field, value, document):
                if scorable:
                    length += frequency
                postings.append((term, weight * 1.0, encoded))  # add_document: weight * boost
        stored = value if field.stored else None
        column = field.to_column_value(value) if field.column_type else None
        prepared.append((name, postings, length, stored, column))
    return tuple(prepared)


def batch(documents: Iterable[dict[str, Any]]) -> segruns.Batch:
    """Documents (from :func:`schema.document`) analysed into one batch for the writer."""
    builder = segbuild.BatchBuilder(_schema())
    for document in documents:
        builder.add(prepare(document))
    return builder.finish()
