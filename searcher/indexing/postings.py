"""Documents analysed where posts are read, as the batches of arrays the index writer takes.

Whoosh analyses every field inside ``add_document``: tokenising, folding and stemming took
40 % of the writer process's time in a full build. Workers analyse documents instead, with
the same schema, field by field as ``SegmentWriter.add_document`` would (the same index:
tested), and send each batch of them to the writer as arrays (``segruns.Batch``): each
field's postings come as arrays (``fieldterms.Terms``) and are joined as they are, and the
writer's ``BatchBuilder`` keeps the documents' stored fields, lengths and columns.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from typing import Any

import numpy as np
from whoosh import formats
from whoosh.system import pack_ushort

from searcher.indexing import fieldterms, schema, termstream
from searcher.indexing._whoosh import segbuild, segruns, segwriter

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
    """Documents (from :func:`schema.document`) analysed into one batch for the writer: what
    ``BatchBuilder`` makes of :func:`prepare`'s documents (tested), without a tuple per
    posting."""
    fields = _schema()
    builder = segbuild.BatchBuilder(fields)  # the stored fields, lengths and columns
    found = _Postings(fields)
    for document in documents:
        prepared: list[tuple[str, list[Any], int, Any, Any]] = []
        for name in sorted(document):
            value = document[name]
            if value is None or name.startswith("_"):
                continue
            field = fields[name]
            length = found.add(name, field, value, document) if field.indexed else 0
            stored = value if field.stored else None
            column = field.to_column_value(value) if field.column_type else None
            prepared.append((name, [], length, stored, column))
        found.end_document()
        builder.add(tuple(prepared))
    return found.batch(builder.finish())


class _Postings:
    """A batch's postings, field by field and document by document, as arrays; the values
    of the fields with positions are encoded at the end, all at once."""

    def __init__(self, fields: Any) -> None:
        self._fields = fields
        self._prefix = {name: pack_ushort(n) for name, n in segbuild.field_numbers(fields).items()}
        # each field's terms → the place of the first posting that has it: one dict probe
        # per posting, on the terms as the analysis made them (memoised strings hash once),
        # and a key's bytes made once; strings apart from bytes (where Whoosh analysed the
        # field), each dict of one kind (a key listed twice would be numbered alike by the
        # writer's run, as any key two batches share)
        self._firsts: dict[tuple[str, type], dict[Any, int]] = {}
        self._first: list[Any] = []  # each field's postings' firsts, as arrays
        # the postings of terms with codes (CJK runs' tokens), by field: (places, codes),
        # numbered by numpy at the end rather than a dict probe each (-1 in their firsts)
        self._coded: dict[str, list[tuple[Any, Any]]] = {}
        self._count = 0  # postings so far
        self._weights: list[Any] = []
        self._pieces: list[int] = []  # postings of each field of each document
        self._positional: list[bool] = []  # whether their values are position deltas
        self._frequencies: list[Any] = []  # of the positional pieces
        self._deltas: list[Any] = []
        self._sizes: list[Any] = []  # of the other pieces
        self._values: list[bytes] = []
        self._per_doc: list[int] = []
        self._before = 0

    def add(self, name: str, field: Any, value: Any, document: dict[str, Any]) -> int:
        """Add a field's postings; the field's length (0 if it is not scorable)."""
        terms = fieldterms.terms(field, value, document)
        if terms is None:  # a field Whoosh analyses: its postings as field.index gives them
            terms = _as_terms(field, list(fieldterms.index(field, value, document)))
        count = len(terms.terms)
        firsts = self._firsts.setdefault((name, type(terms.terms[0]) if count else str), {})
        if terms.codes is None:
            places = map(firsts.setdefault, terms.terms, range(self._count, self._count + count))
            self._first.append(np.fromiter(places, np.int64, count=count))
        else:
            first = np.full(count, -1, dtype=np.int64)
            coded = terms.codes >= 0
            plain = np.flatnonzero(~coded)
            strings = map(terms.terms.__getitem__, plain.tolist())
            places = map(firsts.setdefault, strings, (plain + self._count).tolist())
            first[plain] = np.fromiter(places, np.int64, count=len(plain))
            where = np.flatnonzero(coded)
            self._coded.setdefault(name, []).append((where + self._count, terms.codes[where]))
            self._first.append(first)
        self._count += count
        self._weights.append(terms.weights)
        self._pieces.append(len(terms.terms))
        self._positional.append(terms.deltas is not None)
        if terms.deltas is not None:
            self._frequencies.append(terms.frequencies)
            self._deltas.append(terms.deltas)
        else:
            self._sizes.append(terms.sizes)
            self._values.append(terms.values)
        return int(terms.frequencies.sum()) if field.scorable else 0

    def end_document(self) -> None:
        self._per_doc.append(self._count - self._before)
        self._before = self._count

    def batch(self, documents: segruns.Batch) -> segruns.Batch:
        """``documents`` (a batch of the same documents without postings) with these."""
        keys, numbers = self._numbered()
        sizes, values = self._joined_values()
        return dataclasses.replace(
            documents,
            keys=keys,
            terms=numbers,
            per_doc=np.array(self._per_doc, dtype=np.int32),
            weights=_joined(self._weights).astype(np.float32),
            value_sizes=sizes.astype(np.uint32),
            values=values,
        )

    def _numbered(self) -> tuple[list[bytes], np.ndarray[Any, np.dtype[np.int32]]]:
        """The distinct keys (field number (!H) + term bytes), field by field, and each
        posting's number among them: in no order the writer needs (its runs sort the keys),
        so not sorted by first posting (an argsort and a list of the keys again)."""
        keys: list[bytes] = []
        places: list[Any] = []
        for (name, kind), firsts in self._firsts.items():
            prefix = self._prefix[name]
            keys += map(prefix.__add__, firsts if kind is bytes else map(str.encode, firsts))
            places.append(np.fromiter(firsts.values(), np.int64, count=len(firsts)))
        first = _joined(self._first)
        for name, coded in self._coded.items():  # a key may come twice: as a string too
            at, codes = _joined([a for a, _ in coded]), _joined([c for _, c in coded])
            distinct, index, inverse = termstream.unique_codes(codes)
            first[at] = at[index][inverse]
            keys += map(self._prefix[name].__add__, map(str.encode, termstream.decoded(distinct)))
            places.append(at[index])
        rank = np.empty(self._count, dtype=np.int32)
        rank[_joined(places)] = np.arange(len(keys), dtype=np.int32)
        return keys, rank[first]

    def _joined_values(self) -> tuple[termstream.I64, bytes]:
        """Every posting's value size, and the values joined, in posting order: the position
        values and the others each joined, then interleaved a field of a document at a time
        (a copy a byte by numpy's index arrays cost a Japanese post 0.5 ms)."""
        pieces = np.array(self._pieces, dtype=np.int64)
        flags = np.array(self._positional, dtype=bool)
        positional = np.repeat(flags, pieces)
        encoded, encoded_sizes = segwriter.position_values(
            _joined(self._frequencies), _joined(self._deltas)
        )
        other_sizes, other = _joined(self._sizes), b"".join(self._values)
        sizes = np.empty(len(positional), dtype=np.int64)
        sizes[positional], sizes[~positional] = encoded_sizes, other_sizes
        if not other:  # nothing to interleave
            return sizes, encoded
        ends = np.concatenate([[0], np.cumsum(sizes)])  # bytes before each posting, and all
        piece_bytes = np.diff(ends[np.concatenate([[0], np.cumsum(pieces)])])
        found = {True: memoryview(encoded), False: memoryview(other)}
        at = {True: 0, False: 0}
        parts = []
        for flag, size in zip(flags.tolist(), piece_bytes.tolist(), strict=True):
            parts.append(found[flag][at[flag] : at[flag] + size])
            at[flag] += size
        return sizes, b"".join(parts)


def _joined(arrays: list[Any]) -> termstream.I64:
    return np.concatenate([np.zeros(0, dtype=np.int64), *arrays])


def _as_terms(field: Any, found: list[fieldterms.Posting]) -> fieldterms.Terms:
    """Postings as ``field.index`` gives them, as arrays (position values compacted)."""
    count = len(found)
    frequencies = np.fromiter((p[1] for p in found), np.int64, count=count)
    weights = np.fromiter((p[2] * 1.0 for p in found), np.float64, count=count)
    sizes = np.fromiter((len(p[3]) for p in found), np.int64, count=count)
    values = b"".join(p[3] for p in found)
    if type(field.format) is formats.Positions:
        values, sizes = segwriter.compact_positions(values, sizes, np.ones(count, dtype=bool))
    return fieldterms.Terms([p[0] for p in found], frequencies, weights, sizes, values)
