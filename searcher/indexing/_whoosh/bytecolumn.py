"""A column of one byte string per document, read in place.

The column is Whoosh's own ``VarBytesColumn`` (:func:`column`), written by Whoosh's column
writer, so an unmodified Whoosh opens and reads it (``reader.column_reader(name)``). Whoosh's
reader finds a value through the column reader's ``__getitem__`` and its file's ``get``;
:class:`ByteColumn` looks up each segment's offsets, lengths and buffer once and cuts a
document's value from the (memory-mapped) buffer itself. A segment whose column is not laid
out so is read through Whoosh's own reader; one without the column gives ``b""`` for every
document, as Whoosh's does (and so does a schema without the field, where Whoosh's raises).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from whoosh import columns
from whoosh.codec.whoosh3 import W3PerDocReader

_Read = Callable[[int], bytes]


def column() -> columns.VarBytesColumn:
    """The column type of a field of byte strings: Whoosh's, as Whoosh writes it."""
    return columns.VarBytesColumn()


class ByteColumn:
    """The values of the byte-string column ``name`` of one reader's documents, by
    (top-level) docnum: ``b""`` where a document has none."""

    __slots__ = ("_bases", "_readers")

    def __init__(self, reader: Any, name: str) -> None:
        leaves = list(reader.leaf_readers())
        self._bases = [base for _, base in leaves]
        self._readers = [_segment_reader(leaf, name) for leaf, _ in leaves]

    def __call__(self, docnum: int) -> bytes:
        if len(self._bases) == 1:
            return self._readers[0](docnum)
        at = bisect_right(self._bases, docnum) - 1
        return self._readers[at](docnum - self._bases[at])


def _segment_reader(leaf: Any, name: str) -> _Read:
    """How to read one segment's values: cut from its buffer when its column is a var-bytes
    column over one, else through Whoosh's column reader."""
    if name not in leaf.schema or not leaf.has_column(name):  # Whoosh's reader: b"" (or
        return _empty  # a KeyError, for a field its schema lacks)
    perdoc = getattr(leaf, "_perdoc", None)
    if not isinstance(perdoc, W3PerDocReader):
        return _whoosh_reader(leaf, name)
    found = perdoc.column_reader(name, column())
    buffer = getattr(getattr(found, "_dbfile", None), "_buf", None)
    if not isinstance(found, columns.VarBytesColumn.Reader) or buffer is None:
        return _whoosh_reader(leaf, name)
    base: int = found._basepos
    offsets = found._offsets
    lengths = found._lengths

    def read(docnum: int) -> bytes:
        start = base + offsets[docnum]
        return bytes(buffer[start : start + lengths[docnum]])

    return read


def _empty(docnum: int) -> bytes:
    return b""


def _whoosh_reader(leaf: Any, name: str) -> _Read:
    values = leaf.column_reader(name, column())

    def read(docnum: int) -> bytes:
        return bytes(values[docnum])

    return read
