"""Whoosh segments read back in bulk: postings blocks and numeric columns as numpy arrays.

Whoosh's matchers hand out one posting at a time; scoring a query over arrays (fastscore),
loading the map of located posts (geotable) and merging segments (segbuild) read whole
postings lists instead (their blocks decoded by ``postblocks``) and whole columns.
Scoring looks terms up through one :class:`TermReader` per segment.
"""

from __future__ import annotations

import pickle
import struct
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3LeafMatcher,
    W3TermInfo,
    W3TermsReader,
    _lenfield,
)
from whoosh.columns import NumericColumn
from whoosh.filedb.filetables import HashReader, OrderedHashReader
from whoosh.filedb.structfile import BufferFile
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import SegmentReader, TermNotFound

from searcher.indexing._whoosh import postblocks
from searcher.indexing._whoosh.postblocks import Postings as Postings

I64 = np.ndarray[Any, np.dtype[np.int64]]
U8 = np.ndarray[Any, np.dtype[np.uint8]]


class TermReader:
    """One segment's postings by term, for every term of every query while the segment is
    searched: what ``reader.postings`` and ``reader.doc_frequency`` give, without a term
    info object, a matcher and a header read per term, nor a second look-up."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        terms: Any = getattr(reader, "_terms", None)
        self._direct = (type(reader) is SegmentReader and type(terms) is W3TermsReader
                        and not reader.is_closed)  # fmt: skip
        if not self._direct:
            return
        self._get = _lookup(terms._tindex)
        self._fields: dict[str, tuple[bytes, int | None]] = {
            name: (_FIELD_NUMBER.pack(number), reader.schema[name].format.fixed_value_size())
            for name, number in terms._fieldmap.items()
            if name in reader.schema
        }
        self._postfile = terms._postfile
        deleted = reader.deleted_docs_set
        self._deleted = np.sort(np.fromiter(deleted, np.int64, len(deleted))) if deleted else None

    def postings(self, fieldname: str, text: bytes) -> tuple[Postings | None, int]:
        """The term's live postings in the segment (None where it has none) and its document
        frequency there (deleted documents counted, as ``reader.doc_frequency``)."""
        if not self._direct:
            matcher, count = term_postings(self._reader, fieldname, text)
            return (None if matcher is None else leaf_postings(matcher)), count
        field = self._fields.get(fieldname)
        if field is None:
            return None, 0
        raw = self._get(field[0] + text)
        if raw is None:
            return None, 0
        inlined, count = _INFO_HEAD.unpack_from(raw)
        if inlined:
            found = _inlined_postings(raw[_INFO_SIZE:])
        else:
            offset, length = _EXTENT.unpack_from(raw, _INFO_SIZE)
            found = postblocks.read_blocks(self._postfile.get(offset, length), field[1], False)
        if self._deleted is not None:
            found = _kept(found, ~np.isin(found.docs, self._deleted))
        return found, int(count)

    def values(self, fieldname: str, text: bytes, docs: I64) -> dict[int, Any]:
        """The term's posting values (positions) in ``docs`` (sorted segment docnums that
        hold it), by docnum: only the blocks that hold them are read."""
        field = self._fields.get(fieldname) if self._direct else None
        raw = None if field is None else self._get(field[0] + text)
        if field is None or raw is None or raw[0]:  # not read here, or inlined: Whoosh's
            matcher = term_matcher(self._reader, fieldname, text)
            return {} if matcher is None else dict(leaf_values(matcher, docs))
        offset, length = _EXTENT.unpack_from(raw, _INFO_SIZE)
        postings = self._postfile.get(offset, length)
        return postblocks.read_values(postings, docs.tolist(), field[1])


_FIELD_NUMBER = struct.Struct("!H")  # a term key's start: its field's number
_INFO_HEAD = struct.Struct("!BxxxxI")  # W3TermInfo: inlined or not, (weight,) doc frequency
_INFO_SIZE = W3TermInfo._struct.size  # then the postings' extent, or their inlined pickle
_EXTENT = struct.Struct("!qi")


def term_matcher(reader: Any, fieldname: str, text: Any) -> Any | None:
    """``reader.postings(fieldname, text)`` of one segment, or None where it raises
    TermNotFound: one look-up in the term dictionary and no exception for a missing term
    (most forms of a query word are in no post, and a miss raised cost three look-ups'
    time)."""
    return term_postings(reader, fieldname, text)[0]


def term_postings(reader: Any, fieldname: str, text: Any) -> tuple[Any | None, int]:
    """:func:`term_matcher` and the term's document frequency in the segment (what
    ``reader.doc_frequency`` gives: deleted documents counted), from one look-up."""
    terms: Any = getattr(reader, "_terms", None)
    if type(reader) is not SegmentReader or type(terms) is not W3TermsReader or reader.is_closed:
        try:
            return reader.postings(fieldname, text), int(reader.doc_frequency(fieldname, text))
        except TermNotFound:
            return None, 0
    try:
        text = reader._text_to_bytes(fieldname, text)
    except TermNotFound:  # a field the schema does not have
        return None, 0
    raw = _lookup(terms._tindex)(terms._keycoder(fieldname, text))
    if raw is None:
        return None, 0
    info = W3TermInfo.from_bytes(raw)
    format_ = reader.schema[fieldname].format
    matcher = terms._codec.postings_reader(terms._postfile, info, format_, term=(fieldname, text))
    deleted = reader.deleted_docs_set
    found = FilterMatcher(matcher, deleted, exclude=True) if deleted else matcher
    return found, int(info.doc_frequency())


_POINTER = struct.Struct("!Iq")  # a hash table's slot: the key's hash, the entry's position
_LENGTHS = struct.Struct("!ii")  # an entry's key and value lengths
_LOOKUPS: weakref.WeakKeyDictionary[Any, Callable[[bytes], bytes | None]] = (
    weakref.WeakKeyDictionary()
)


def _lookup(table: Any) -> Callable[[bytes], bytes | None]:
    """``table.get`` of a Whoosh hash file, for one segment's term dictionary: where the
    file is a buffer (as every segment we open is), the same probe reads the buffer directly
    with ``struct.unpack_from``; Whoosh's goes through a generator and a ``StructFile.get``
    (a copy) per slot, a dozen Python calls per term."""
    found = _LOOKUPS.get(table)
    if found is None:
        found = table.get
        dbfile, kind = table.dbfile, type(table)
        if (isinstance(dbfile, BufferFile) and type(dbfile).get is BufferFile.get
                and kind.get is HashReader.get
                and kind.ranges_for_key is HashReader.ranges_for_key):  # fmt: skip
            found = _buffer_lookup(table)
        _LOOKUPS[table] = found
    return found


def _buffer_lookup(table: Any) -> Callable[[bytes], bytes | None]:
    """``HashReader.ranges_for_key``'s linear probe over the file's buffer: the first value
    stored under the key, or None."""
    buf = table.dbfile._buf  # BufferFile.get(pos, n) is bytes(buf[pos : pos + n])
    hashfn, tables = table.hashfn, list(table.tables)
    slot, lengths = _POINTER.unpack_from, _LENGTHS.unpack_from
    size = _POINTER.size

    def get(key: bytes) -> bytes | None:
        keyhash = hashfn(key)
        start, slots = tables[keyhash & 255]
        if not slots:
            return None
        pos, end = start + ((keyhash >> 8) % slots) * size, start + slots * size
        for _ in range(slots):
            slothash, item = slot(buf, pos)
            if not item:
                return None
            if slothash == keyhash:
                keylen, datalen = lengths(buf, item)
                at = item + 8
                if keylen == len(key) and buf[at : at + keylen] == key:
                    return bytes(buf[at + keylen : at + keylen + datalen])
            pos += size
            if pos == end:
                pos = start
        return None

    return get


def prefixed_terms(reader: Any, fieldname: str, prefix: str) -> list[bytes] | None:
    """The terms of one segment's field that start with ``prefix``, in order (what
    ``reader.expand_prefix`` yields), read from the term dictionary's key index in place:
    Whoosh's cursor decodes each key through three generators and two copies. None where
    the segment is not read that way."""
    terms: Any = getattr(reader, "_terms", None)
    if type(reader) is not SegmentReader or type(terms) is not W3TermsReader or reader.is_closed:
        return None
    keys = _key_index(terms._tindex)
    if keys is None:
        return None
    start = terms._keycoder(fieldname, reader._text_to_bytes(fieldname, prefix))
    return keys.starting(start, skip=len(terms._keycoder(fieldname, b"")))


_KEY_INDEXES: weakref.WeakKeyDictionary[Any, _KeyIndex | None] = weakref.WeakKeyDictionary()
_INDEX_TYPES = frozenset("BHiIq")  # OrderedHashReader's position array types (big-endian)


def _key_index(table: Any) -> _KeyIndex | None:
    if table not in _KEY_INDEXES:
        dbfile, kind = table.dbfile, table.extras.get("indextype")
        usable = (type(table) is OrderedHashReader and isinstance(dbfile, BufferFile)
                  and type(dbfile).get is BufferFile.get and kind in _INDEX_TYPES)  # fmt: skip
        _KEY_INDEXES[table] = _KeyIndex(table) if usable else None
    return _KEY_INDEXES[table]


class _KeyIndex:
    """An ordered hash file's keys in order: its index of entry positions (one big-endian
    number per key, in key order), read where it lies."""

    def __init__(self, table: Any) -> None:
        self._buf = table.dbfile._buf  # BufferFile.get(pos, n) is bytes(buf[pos : pos + n])
        kind = np.dtype(">" + table.extras["indextype"])
        self._positions = np.frombuffer(
            self._buf, dtype=kind, count=table.indexlen, offset=table.indexbase
        )

    def _key(self, i: int) -> bytes:
        pos = int(self._positions[i])
        keylen = _LENGTHS.unpack_from(self._buf, pos)[0]
        return bytes(self._buf[pos + 8 : pos + 8 + keylen])

    def _first_from(self, key: bytes) -> int:
        """The number of the first key >= ``key`` (OrderedHashReader.closest_key_pos)."""
        lo, hi = 0, len(self._positions)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._key(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def starting(self, start: bytes, skip: int) -> list[bytes]:
        """The keys that start with ``start``, in order, each without its first ``skip``
        bytes."""
        lo = self._first_from(start)
        above = start.rstrip(b"\xff")  # the first key above them all starts with this + 1
        hi = (self._first_from(above[:-1] + bytes([above[-1] + 1])) if above
              else len(self._positions))  # fmt: skip
        if lo >= hi:
            return []
        at = self._positions[lo:hi].astype(np.int64)
        raw = np.frombuffer(self._buf, dtype=np.uint8)
        sizes = np.zeros(len(at), dtype=np.int64)
        for i in range(4):  # the key's length: a big-endian int32 at the entry's start
            sizes = (sizes << 8) | raw[at + i]
        starts = at + 8 + skip
        buf = self._buf
        return [bytes(buf[s:e]) for s, e in zip(starts.tolist(), (at + 8 + sizes).tolist(),
                                                 strict=True)]  # fmt: skip


def leaf_postings(matcher: Any, *, values: bool = False) -> Postings:
    """Every posting of one segment's matcher (``reader.postings(...)``), deleted documents
    left out: W3 blocks are decoded a block at a time (docnums are delta-coded)."""
    deleted: frozenset[int] | None = None
    if isinstance(matcher, FilterMatcher):
        deleted = frozenset(matcher._ids)
        matcher = matcher.child
    if isinstance(matcher, W3LeafMatcher) and not matcher._byteids:
        length = matcher._length  # W3TermInfo.from_bytes leaves it a 1-tuple
        length = length[0] if isinstance(length, tuple) else length
        extent = matcher._postfile.get(matcher._startoffset, length)
        found = postblocks.read_blocks(extent, matcher._fixedsize, values)
    elif _is_inlined(matcher):  # postings inlined in the term info
        found = _inlined(matcher, values)
    else:  # any other matcher: walk it
        items = _walk(matcher)
        found = Postings(
            np.array([d for d, _, _ in items], dtype=np.int64),
            np.array([w for _, w, _ in items], dtype=np.float64),
            np.array([len(v or b"") for _, _, v in items], dtype=np.int64) if values else None,
            b"".join(v or b"" for _, _, v in items) if values else b"",
        )
    if deleted:
        live = ~np.isin(found.docs, np.fromiter(deleted, dtype=np.int64))
        found = _kept(found, live)
    return found


def _walk(matcher: Any) -> list[tuple[int, float, bytes | None]]:
    items = []
    while matcher.is_active():
        items.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return items


def _is_inlined(matcher: Any) -> bool:
    """W3's matcher of inlined postings: a ListMatcher over W3TermInfo's three tuples."""
    return (
        type(matcher) is ListMatcher
        and isinstance(matcher._weights, tuple)
        and isinstance(matcher._values, tuple)
        and not matcher._all_weights
    )


def _inlined(matcher: ListMatcher, values: bool) -> Postings:
    """A ListMatcher's postings from where it stands: W3TermInfo's inlined tuples (weights
    as pickled: ints when whole; values bytes, None in a format without values)."""
    at = matcher._i
    docs = np.array(matcher._ids[at:], dtype=np.int64)
    weights = np.array(matcher._weights[at:], dtype=np.float32).astype(np.float64)
    if not values:
        return Postings(docs, weights)
    items = [v or b"" for v in matcher._values[at:]]
    return Postings(
        docs, weights, np.fromiter(map(len, items), np.int64, len(items)), b"".join(items)
    )


def _inlined_postings(pickled: bytes) -> Postings:
    """Postings inlined in a term info (``segwriter``): a pickle of three tuples, weights as
    ListMatcher gives them."""
    ids, weights, _ = pickle.loads(pickled)
    return Postings(np.array(ids, dtype=np.int64),
                    np.array(weights, dtype=np.float32).astype(np.float64))  # fmt: skip


def _kept(found: Postings, live: np.ndarray[Any, np.dtype[np.bool_]]) -> Postings:
    if found.value_sizes is None:
        return Postings(found.docs[live], found.weights[live])
    sizes = found.value_sizes
    starts = np.cumsum(sizes) - sizes
    kept = b"".join(
        found.values[s : s + n]
        for s, n in zip(starts[live].tolist(), sizes[live].tolist(), strict=True)
    )
    return Postings(found.docs[live], found.weights[live], sizes[live], kept)


def leaf_values(matcher: Any, docs: I64) -> Iterator[tuple[int, bytes]]:
    """(docnum, posting value) for ``docs`` (sorted segment docnums) in one postings list;
    blocks that cannot hold one of them are skipped unread."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher) or matcher._byteids:
        for docnum in docs.tolist():
            if not matcher.is_active():
                break
            matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                yield docnum, matcher.value()
        return
    i, count = 0, len(docs)
    while i < count:
        if matcher._maxid >= docs[i]:
            matcher._read_values()
            ids = np.cumsum(np.asarray(matcher._data[0], dtype=np.int64))
            values = matcher._values
            stop = int(np.searchsorted(docs, matcher._maxid, side="right"))
            for at, docnum in zip(np.searchsorted(ids, docs[i:stop]).tolist(),
                                  docs[i:stop].tolist(), strict=True):  # fmt: skip
                if at < len(ids) and ids[at] == docnum:
                    yield docnum, values[at]
            i = stop
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)


def numeric_column(column: Any, count: int) -> np.ndarray[Any, Any] | None:
    """All ``count`` values of a Whoosh numeric column reader at once (fixed-size big-endian
    numbers up to the last document given one, the default after), or None for others."""
    if not isinstance(column, NumericColumn.Reader):
        return None
    dtype = np.dtype(column._typecode).newbyteorder(">")
    stored = min(column._count, count)
    values = np.full(count, column._default, dtype=dtype.newbyteorder("="))
    raw = column._dbfile.get(column._basepos, stored * dtype.itemsize)
    values[:stored] = np.frombuffer(bytes(raw), dtype=dtype)
    return values


def length_codes(reader: Any, fieldname: str) -> U8 | None:
    """One segment's byte-coded lengths in a field (one per document, 0 for none), or None
    when the field stores none."""
    column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    count = reader.doc_count_all()
    codes = numeric_column(column, count)
    if codes is None:
        return np.fromiter((column[d] for d in range(count)), dtype=np.uint8, count=count)
    return codes.astype(np.uint8)
