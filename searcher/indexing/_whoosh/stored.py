"""A document's stored fields read straight from its segment's stored-fields column.

Whoosh keeps each document's stored fields as a pickled dict, compressed with zlib, in the
segment's ``_stored`` column (W3: ``PickleColumn(CompressedBytesColumn())``, a
``VarBytesColumn`` of offsets and lengths underneath). ``searcher.stored_fields(docnum)``
finds them through six layers of calls (reader, per-document reader, cached column reader,
pickle reader, compressed reader, var-bytes reader) and then copies the dict, keeping only
the schema's fields: about 9 µs a document, a third of what making a k-nearest hit cost.
:class:`StoredFields` looks up where each segment's column lies once, then reads a document
as those layers do in the end: its bytes cut from the (memory-mapped) column file,
inflated and unpickled. The format is Whoosh's own, read and written unchanged; a
segment whose column is not laid out so (another codec, another column type) is read
through Whoosh's own call. The zlib streams are inflated by ISA-L (python-isal) where it is
installed: the same bytes out, in about half zlib's time.
"""

from __future__ import annotations

import pickle
import zlib
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

from whoosh.codec.whoosh3 import STORED_COLUMN, W3PerDocReader
from whoosh.columns import CompressedBytesColumn

try:  # reads any standard zlib stream, as zlib.decompress does
    from isal.isal_zlib import decompress as inflate
except ImportError:  # pragma: no cover - isal is a dependency; zlib is only slower
    from zlib import decompress as inflate

Fields = dict[str, Any]
_Read = Callable[[int], Fields]


class StoredFields:
    """The stored fields of one searcher's documents, by (top-level) docnum: a dict of the
    fields each document stored (``{}`` for none), as ``searcher.stored_fields`` gives them."""

    __slots__ = ("_bases", "_readers")

    def __init__(self, searcher: Any) -> None:
        leaves = list(searcher.reader().leaf_readers())
        self._bases = [base for _, base in leaves]
        self._readers = [_segment_reader(leaf) for leaf, _ in leaves]

    def __call__(self, docnum: int) -> Fields:
        if len(self._bases) == 1:
            return self._readers[0](docnum)
        at = bisect_right(self._bases, docnum) - 1
        return self._readers[at](docnum - self._bases[at])


def _segment_reader(leaf: Any) -> _Read:
    """How to read one segment's documents: in place when its stored column is Whoosh's
    (zlib-)compressed var-bytes column over a buffer, else through the segment reader."""
    column = _column(leaf)
    buffer = getattr(getattr(column, "_dbfile", None), "_buf", None)
    if column is None or buffer is None or column._decompress is not zlib.decompress:
        return _whoosh_reader(leaf)
    base: int = column._basepos
    offsets = column._offsets
    lengths = column._lengths
    loads = pickle.loads
    decompress = inflate

    def read(docnum: int) -> Fields:
        length = lengths[docnum]
        if not length:
            return {}
        start = base + offsets[docnum]
        found: Fields = loads(decompress(buffer[start : start + length]))
        return found

    return read


def _column(leaf: Any) -> Any:
    """The compressed var-bytes reader under a W3 segment's stored-fields column, or None."""
    perdoc = getattr(leaf, "_perdoc", None)
    if not isinstance(perdoc, W3PerDocReader) or not perdoc.has_column("_stored"):
        return None
    pickled = perdoc._cached_reader("_stored", STORED_COLUMN)  # the one Whoosh reads with
    child = getattr(pickled, "_child", None)
    return child if isinstance(child, CompressedBytesColumn.Reader) else None


def _whoosh_reader(leaf: Any) -> _Read:
    def read(docnum: int) -> Fields:
        found: Fields = leaf.stored_fields(docnum)
        return found

    return read
