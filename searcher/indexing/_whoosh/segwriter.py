"""Whoosh segments written from arrays, in whoosh-reloaded 2.7.5's own on-disk format (W3).

A segment is one compound file, ``<index>_<segid>.seg``: a ``!q`` and a ``!i`` (where its
directory starts and how long it is), its sub-files one after another, then the directory
(a pickled dict: sub-file name -> offset, length, modified) and a pickled options dict.
An unmodified Whoosh opens it; this module only writes the bytes faster. Its sub-files:

``.pst``, postings
    Per term: ``W3Bl``, then blocks of at most 128 postings in docnum order. A block is a
    ``!i`` (its length; negative for the term's last block), an info pickle ``(count, last
    docnum, max weight, compression, min length byte, max length byte)`` and a data pickle
    ``(docnum deltas, weights, values)``, zlib-compressed when compression is not 0.
    Weights are None when all are 1.0, one float when all are equal, else a tuple; values
    are None (a format without values: Existence), every posting's bytes joined (a
    fixed-size format: Frequency's 4 bytes), or a tuple of each posting's bytes (Positions:
    the count ``!I`` then the pickled list of position deltas).
``.trm``, terms
    Whoosh's ordered hash file: ``HSH3``, the hash type and two ``!i`` 0s; entries ``!ii``
    (key and value lengths), key, value; 256 linear-probing tables of ``!Iq`` (hash, entry
    position; 0, 0 when empty); a directory of 256 ``!qi`` (table position, slots); a pickled
    dict of extras (``fieldmap``: field name -> number, and the type and length of the index);
    the index (every entry's position, big-endian, in key order); the length in bytes of extras
    and index as a ``!i``. A key is the field's number (``!H``) then the term's bytes; keys are
    in byte order. A value is a ``W3TermInfo``: ``!BfIBBfII`` (inlined or not, total weight,
    document frequency, min and max length bytes, max weight, first and last docnum), then
    either the term's postings offset ``!q`` and length ``!i`` in ``.pst`` (flag 0) or (flag
    1) its postings inlined: a pickle of three tuples ``(docnums, weights, values)``, weights
    ints when whole, values each posting's bytes (None in a format without values).
``.<column>.col``, columns
    Written by Whoosh's own column writers: ``_stored`` (each document's stored fields,
    pickled and compressed), ``_<field>_len`` (each document's length of a scorable field as
    a byte, for BM25) and the schema's column fields.

Where Whoosh leaves a choice, this writer takes the smaller or faster one; Whoosh's reader
reads them all. Pickles carry no PROTO header and no memo and close small tuples with
TUPLE1-3 (Whoosh's protocol-2 pickles wrote each bytes value as a latin-1 string to
re-encode: twice the bytes); whole-number weights are pickled as ints; position values
lose the PROTO, BINPUT and STOP that ``decode_positions`` does without; a block is
compressed only when deflating (ISA-L's level 1: a standard zlib stream) shrinks it; the hash
tables have 1.5
slots per key, not 2; keys are hashed with CRC-32 (hash type 1); field numbers follow the
schema's indexed field names in order. A term of one block of at most INLINE postings is
inlined when its pickle is smaller than its ``.pst`` bytes and extent (about 30 bytes less
for a term of one post, half the terms of a blog; W3Codec's own writer never inlines).
Whoosh reads inlined postings through a ``ListMatcher``, which scores, skips by quality and
gives spans as a one-block W3 matcher does (its ``copy()`` loses the term info that block
quality needs, but no search copies a matcher). Pickles
and tables are emitted with numpy for a whole chunk of terms at once; only deflating runs
block by block. ``segreader`` reads these blocks back in bulk.
"""

from __future__ import annotations

import re
import struct
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from isal import isal_zlib
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb import filetables
from whoosh.filedb.compound import CompoundStorage
from whoosh.util import numeric

BLOCK = 128  # postings per block: W3Codec's blocklimit
# blocks are deflated by ISA-L: standard zlib streams, which Whoosh inflates with zlib. Against
# zlib at level 6, at ISA-L's level 1: in 0.43 (four corpora) and 0.34 (kaigai-matome) of the
# time, 4 % and 2 % larger, the indexes 1 % and 1.2 % (its level 3 is larger still on blocks)
BLOCK_LEVEL = 1
COMPRESSION = 1  # a block's compression, in its info: Whoosh inflates it when not 0
MIN_COMPRESSED = 48  # bytes: shorter block pickles are stored as they are
INLINE = 32  # postings a term may inline in its term info (when smaller than in .pst)
HASH_TYPE = 1  # filetables' CRC-32
HEADER = filetables.HashWriter.__init__.__defaults__[0]  # b"HSH3"

U8 = np.ndarray[Any, np.dtype[np.uint8]]
I64 = np.ndarray[Any, np.dtype[np.int64]]
F32 = np.ndarray[Any, np.dtype[np.float32]]


def _dtype(fmt: str) -> np.dtype[Any]:
    """The numpy record type of a big-endian ``struct`` format such as ``!BfIBBfII``."""
    codes = {"B": "u1", "H": ">u2", "i": ">i4", "I": ">u4", "q": ">i8", "f": ">f4"}
    fields = [(f"f{i}", codes[c]) for i, c in enumerate(re.findall(r"[A-Za-z]", fmt[1:]))]
    dtype = np.dtype(fields)
    assert dtype.itemsize == struct.calcsize(fmt), fmt
    return dtype


_TERMINFO = _dtype(W3TermInfo._struct.format + "qi")  # the info, then the postings' extent
_INFO_SIZE = W3TermInfo._struct.size  # the info alone (then an inlined term's pickle)
_EXTENT = _TERMINFO.itemsize - _INFO_SIZE  # a term's postings offset and length in .pst
_LENGTHS = _dtype(filetables._lengths.format)  # an entry's key and value lengths
_POINTER = _dtype(filetables._pointer.format)  # a hash table slot
_DIRECTORY = _dtype(filetables._dir_entry.format)  # a hash table's position and slots
_LENGTHS_CODED = np.array(numeric._length_byte_cache, dtype=np.int64)  # code -> least length


def length_bytes(lengths: np.ndarray[Any, Any]) -> U8:
    """Whoosh's byte code of each field length (0 for none): ``length_to_byte``'s bisection
    of its table, for every length at once (a table of the first 65,536 codes took 50 ms to
    build in every process that wrote)."""
    found = np.searchsorted(_LENGTHS_CODED, lengths, side="left")
    codes: U8 = np.minimum(found, 255).astype(np.uint8)
    return codes


# -- pickles, emitted with numpy -------------------------------------------------------------
# Whoosh reads blocks with pickle.loads, which takes any protocol's opcodes: these pickles have
# no PROTO header, no memo, and TUPLE1-3 for tuples of up to three items.

_K, _M, _J, _G, _N = b"KMJGN"  # ints of 1, 2 and 4 bytes, a float, None
_C, _B = b"CB"  # bytes with a 1-byte and a 4-byte length
_MARK, _TUPLE, _STOP, _TUPLE3 = b"(t.\x87"
_SMALL_TUPLES = np.frombuffer(b"\x85\x86\x87", dtype=np.uint8)  # TUPLE1, TUPLE2, TUPLE3
_MAX_INT = 1 << 31  # BININT is 4 signed bytes


def _spans(starts: I64, sizes: I64) -> I64:
    """The positions ``starts[i] .. starts[i] + sizes[i]`` of every span, in order."""
    total = int(sizes.sum())
    ends = np.cumsum(sizes)
    return np.repeat(starts - (ends - sizes), sizes) + np.arange(total, dtype=np.int64)


def _byte_spans(starts: I64, sizes: I64, end: int) -> np.ndarray[Any, Any]:
    """:func:`_spans` in bytes below ``end``: 32-bit positions when they fit (a gather of
    bytes by them took 0.55 of the time by 64-bit ones)."""
    total = int(sizes.sum())
    if max(end, total) >= _MAX_INT:
        return _spans(starts, sizes)
    sizes = sizes.astype(np.int32)
    ends = np.cumsum(sizes, dtype=np.int32)
    return np.repeat((starts - (ends - sizes)).astype(np.int32), sizes) + np.arange(
        total, dtype=np.int32
    )


def joined_spans(source: U8, starts: I64, sizes: I64) -> U8:
    """``source[starts[i]:starts[i] + sizes[i]]`` for every i, one after another."""
    found: U8 = source[_byte_spans(starts, sizes, len(source))]
    return found


def copy_spans(out: U8, at: I64, source: U8, starts: I64, sizes: I64) -> None:
    """``out[at[i]:at[i] + sizes[i]] = source[starts[i]:starts[i] + sizes[i]]`` for every i."""
    if len(sizes):
        out[_byte_spans(at, sizes, len(out))] = source[_byte_spans(starts, sizes, len(source))]


def _opening(counts: I64) -> I64:
    """Bytes before a tuple's items: MARK, unless TUPLE1-3 close it."""
    return (counts > 3).astype(np.int64)


def _put_tuples(out: U8, at: I64, counts: I64, size: I64) -> None:
    """Open (at ``at``) and close (at ``at + size - 1``) tuples of ``counts`` items."""
    big = counts > 3
    out[at[big]] = _MARK
    out[at + size - 1] = np.where(big, _TUPLE, _SMALL_TUPLES[np.minimum(counts, 3) - 1])


def _int_sizes(x: I64) -> I64:
    """Bytes a non-negative int below 2**31 takes: BININT1, BININT2 or BININT."""
    return np.where(x < 256, 2, np.where(x < 65536, 3, 5)).astype(np.int64)


def _put_ints(out: U8, at: I64, x: I64) -> None:
    small, large = x < 256, x >= 65536
    out[at] = np.where(small, _K, np.where(large, _J, _M))
    out[at + 1] = x & 255
    wide = ~small
    out[at[wide] + 2] = (x[wide] >> 8) & 255
    out[at[large] + 3] = (x[large] >> 16) & 255
    out[at[large] + 4] = (x[large] >> 24) & 255


def _put_floats(out: U8, at: I64, x: np.ndarray[Any, Any]) -> None:
    out[at] = _G
    out[at[:, None] + np.arange(1, 9)] = x.astype(">f8").view(np.uint8).reshape(-1, 8)


def _number_sizes(x: F32) -> I64:
    """Bytes a weight takes: as an int when it is a whole number, else a float."""
    whole = (x == np.floor(x)) & (x >= 0) & (x < _MAX_INT)
    return np.where(whole, _int_sizes(np.where(whole, x, 0).astype(np.int64)), 9)


def _put_numbers(out: U8, at: I64, x: F32) -> None:
    whole = (x == np.floor(x)) & (x >= 0) & (x < _MAX_INT)
    _put_ints(out, at[whole], x[whole].astype(np.int64))
    _put_floats(out, at[~whole], x[~whole])


def _bytes_header_sizes(sizes: I64) -> I64:
    return np.where(sizes < 256, 2, 5).astype(np.int64)


def _put_bytes_headers(out: U8, at: I64, sizes: I64) -> None:
    short = sizes < 256
    out[at] = np.where(short, _C, _B)
    out[at + 1] = sizes & 255
    long_at, long_sizes = at[~short], sizes[~short]
    for i in (1, 2, 3):
        out[long_at + 1 + i] = (long_sizes >> 8 * i) & 255


# -- position values --------------------------------------------------------------------------

# Positions.encode: the count (!I), then its deltas pickled with protocol 2 (PROTO, an empty
# list, BINPUT 0, items, STOP); decode_positions adds a missing STOP and needs no PROTO or memo
_POSITIONS = np.frombuffer(b"\x80\x02]q\x00", dtype=np.uint8)
_DROPPED = np.array([4, 5, 7, 8])  # PROTO and BINPUT; the STOP is the last byte


def compact_positions(values: bytes, sizes: I64, positional: np.ndarray[Any, Any]) -> tuple[
    bytes, I64
]:  # fmt: skip
    """Position values (where ``positional``) without the 5 bytes of their pickle that
    ``Positions.decode_positions`` does without; others as they are."""
    blob = np.frombuffer(values, dtype=np.uint8)
    starts = np.cumsum(sizes) - sizes
    found = np.flatnonzero(positional & (sizes > len(_POSITIONS) + 4))
    for i, byte in enumerate(_POSITIONS.tolist()):
        found = found[blob[starts[found] + 4 + i] == byte]
    found = found[blob[starts[found] + sizes[found] - 1] == _STOP]
    if not len(found):
        return values, sizes
    keep = np.ones(len(blob), dtype=bool)
    keep[(starts[found][:, None] + _DROPPED).ravel()] = False
    keep[starts[found] + sizes[found] - 1] = False
    compact = sizes.copy()
    compact[found] -= len(_DROPPED) + 1
    return blob[keep].tobytes(), compact


_APPEND, _APPENDS, _EMPTY_LIST = b"ae]"
_PICKLE_BATCH = 1000  # items between MARK and APPENDS (the C pickler's BATCHSIZE)


def position_values(counts: I64, deltas: I64) -> tuple[bytes, I64]:
    """The values :func:`compact_positions` makes of ``Positions.encode`` (each term's count,
    ``]``, its position deltas as pickled, without PROTO, BINPUT and STOP), and their sizes,
    for terms of ``counts`` positions (at least one) whose ``deltas`` (non-negative, below
    2**31) follow each other term by term; emitted at once. The pickler appends a list of one
    as ``item a`` and a longer one a batch of 1000 at a time, ``( items e``: each batch is
    placed as a whole (a few numpy steps per item: 35 steps an item took 1.1 ms of a
    Japanese post)."""
    items = int(counts.sum())
    if not items:
        return b"", np.zeros(0, dtype=np.int64)
    first = np.cumsum(counts) - counts  # each term's first item
    item_sizes = _int_sizes(deltas)
    before = np.cumsum(item_sizes) - item_sizes  # item bytes before each item, all terms
    batches = -(-counts // _PICKLE_BATCH)
    many = counts > 1
    sizes = 5 + np.add.reduceat(item_sizes, first) + np.where(many, 2 * batches, 1)
    starts = np.cumsum(sizes) - sizes
    out = np.empty(int(sizes.sum()), dtype=np.uint8)
    for k in range(4):  # the count, as pack_uint (!I)
        out[starts + k] = (counts >> 8 * (3 - k)) & 255
    out[starts + 4] = _EMPTY_LIST
    # each batch: its term, its number in the term, its first item and its item count
    term = np.repeat(np.arange(len(counts)), batches)
    nth = np.arange(len(term)) - np.repeat(np.cumsum(batches) - batches, batches)
    batch_first = first[term] + nth * _PICKLE_BATCH
    batch_items = np.minimum(counts[term] - nth * _PICKLE_BATCH, _PICKLE_BATCH)
    listed = many[term]  # ( MARK before each batch, APPENDS after it (2 bytes a batch before)
    offset = starts[term] + 5 - before[first[term]] + np.where(listed, 2 * nth + 1, 0)
    at = np.repeat(offset, batch_items) + before
    _put_ints(out, at, deltas)
    out[at[batch_first[listed]] - 1] = _MARK
    last = batch_first + batch_items - 1
    out[at[last] + item_sizes[last]] = np.where(listed, _APPENDS, _APPEND)
    return out.tobytes(), sizes


# -- postings ---------------------------------------------------------------------------------


@dataclass
class Field:
    """What the writer needs to know of an indexed field: the size of its posting values
    (-1: variable, 0: none, else fixed) and each document's length byte (None: not scorable)."""

    value_size: int
    length_codes: U8 | None


@dataclass
class Chunk:
    """Postings of consecutive terms, sorted by term then docnum."""

    keys: list[bytes]  # field number (!H) + term bytes, in order
    counts: I64  # postings per term
    docs: I64
    weights: F32
    value_sizes: I64
    value_starts: I64  # where each posting's value starts in ``values``
    values: U8


_NONE, _ONE, _NUMBERS = 0, 1, 2  # a block's weights: all 1.0, all one float, or a tuple


class _Blocks:
    """A chunk cut into blocks, with each block's statistics and the sizes of its pickles.

    A block's data pickle: a tuple of three, (docnum deltas, weights, values). Weights are
    None (all 1.0), one float (all equal, when that is shorter) or a tuple of numbers (ints
    when whole); values None, all of them joined (fixed size) or a tuple of bytes.
    """

    def __init__(self, chunk: Chunk, fields: Sequence[Field | None]) -> None:
        self.chunk = chunk
        count = len(chunk.docs)
        self.term_starts = np.cumsum(chunk.counts) - chunk.counts
        term_of = np.repeat(np.arange(len(chunk.counts)), chunk.counts)
        within = np.arange(count, dtype=np.int64) - self.term_starts[term_of]
        self.starts = np.flatnonzero(within % BLOCK == 0)
        self.counts = np.diff(np.append(self.starts, count))
        self.terms = term_of[self.starts]
        self.last = np.append(self.terms[1:] != self.terms[:-1], True)
        self.within = within % BLOCK  # each posting's place in its block
        self.block_of = np.repeat(np.arange(len(self.starts)), self.counts)
        field_of_term = np.array([k[0] << 8 | k[1] for k in chunk.keys], dtype=np.int64)
        self._codes(chunk, field_of_term[term_of], fields)
        kinds = np.array([f.value_size if f else 0 for f in fields], dtype=np.int64)
        self.value_size = kinds[field_of_term[self.terms]]
        self._sizes(chunk)

    def _codes(self, chunk: Chunk, field_of: I64, fields: Sequence[Field | None]) -> None:
        codes = np.zeros(len(chunk.docs), dtype=np.uint8)
        for number in np.unique(field_of).tolist():
            field = fields[number]
            if field is not None and field.length_codes is not None:
                mine = field_of == number
                codes[mine] = field.length_codes[chunk.docs[mine]]
        self.codes = codes
        self.max_length = np.maximum.reduceat(codes, self.starts)
        self.min_length = _least_lengths(codes, self.starts)

    def _sizes(self, chunk: Chunk) -> None:
        starts, counts = self.starts, self.counts
        self.deltas = chunk.docs - np.concatenate(([0], chunk.docs[:-1]))
        self.deltas[starts] = chunk.docs[starts]
        self.id_sizes = _int_sizes(self.deltas)
        self.ids_size = _opening(counts) + np.add.reduceat(self.id_sizes, starts) + 1
        low = np.minimum.reduceat(chunk.weights, starts)
        self.max_weight = np.maximum.reduceat(chunk.weights, starts)
        self.number_sizes = _number_sizes(chunk.weights)
        numbers = _opening(counts) + np.add.reduceat(self.number_sizes, starts) + 1
        ones = (low == 1) & (self.max_weight == 1)
        one = (low == self.max_weight) & (numbers > 9)
        self.weight_mode = np.where(ones, _NONE, np.where(one, _ONE, _NUMBERS))
        self.weights_size = np.choose(self.weight_mode, [1, 9, numbers])
        variable = self.value_size < 0
        joined = np.maximum(self.value_size, 0) * counts
        sizes = chunk.value_sizes
        self.item_sizes = np.where(variable[self.block_of], _bytes_header_sizes(sizes) + sizes, 0)
        items = _opening(counts) + np.add.reduceat(self.item_sizes, starts) + 1
        fixed = np.where(self.value_size == 0, 1, _bytes_header_sizes(joined) + joined)
        self.values_size = np.where(variable, items, fixed)
        # ids, weights, values, TUPLE3, STOP
        self.data_size = self.ids_size + self.weights_size + self.values_size + 2

    def emit(self, out: U8, at: I64, chosen: I64) -> None:
        """Write the data pickles of blocks ``chosen`` into ``out`` at ``at``."""
        counts = self.counts[chosen]
        postings = _spans(self.starts[chosen], counts)
        local = np.repeat(np.arange(len(chosen)), counts)  # each posting's block, among chosen
        first = np.cumsum(counts) - counts  # each block's first posting, in ``postings``
        _put_tuples(out, at, counts, self.ids_size[chosen])
        spots = _item_spots(at + _opening(counts), self.id_sizes[postings], local, first)
        _put_ints(out, spots, self.deltas[postings])
        weights_at = at + self.ids_size[chosen]
        self._emit_weights(out, weights_at, chosen, postings, local, first)
        values_at = weights_at + self.weights_size[chosen]
        self._emit_values(out, values_at, chosen, postings, local, first)
        end = values_at + self.values_size[chosen]
        out[end] = _TUPLE3
        out[end + 1] = _STOP

    def _emit_weights(
        self, out: U8, at: I64, chosen: I64, postings: I64, local: I64, first: I64
    ) -> None:
        weights = self.chunk.weights
        mode = self.weight_mode[chosen]
        out[at[mode == _NONE]] = _N
        one = mode == _ONE
        _put_floats(out, at[one], weights[self.starts[chosen[one]]])
        many = mode == _NUMBERS
        counts = self.counts[chosen]
        _put_tuples(out, at[many], counts[many], self.weights_size[chosen[many]])
        spots = _item_spots(at + _opening(counts), self.number_sizes[postings], local, first)
        listed = many[local]
        _put_numbers(out, spots[listed], weights[postings[listed]])

    def _emit_values(
        self, out: U8, at: I64, chosen: I64, postings: I64, local: I64, first: I64
    ) -> None:
        chunk, counts = self.chunk, self.counts[chosen]
        size = self.value_size[chosen]
        out[at[size == 0]] = _N
        fixed = size > 0
        joined = np.maximum(size, 0) * counts
        header = np.where(fixed, _bytes_header_sizes(joined), 0).astype(np.int64)
        _put_bytes_headers(out, at[fixed], joined[fixed])
        mine = fixed[local]
        blocks, where = local[mine], postings[mine]
        spots = (at[blocks] + header[blocks] + self.within[where] * size[blocks]).astype(np.int64)
        copy_spans(out, spots, chunk.values, chunk.value_starts[where], chunk.value_sizes[where])
        variable = size < 0
        _put_tuples(out, at[variable], counts[variable], self.values_size[chosen[variable]])
        spots = _item_spots(at + _opening(counts), self.item_sizes[postings], local, first)
        mine = variable[local]
        spots, where = spots[mine], postings[mine]
        sizes = chunk.value_sizes[where]
        _put_bytes_headers(out, spots, sizes)
        copy_spans(out, spots + _bytes_header_sizes(sizes), chunk.values, chunk.value_starts[where],
              sizes)  # fmt: skip


def _least_lengths(codes: U8, starts: I64) -> I64:
    """The least length byte of each group of postings, documents without a length (0) left
    out; 0 when none has one."""
    low = np.minimum.reduceat(np.where(codes == 0, 256, codes).astype(np.int64), starts)
    return np.where(low == 256, 0, low)


def _item_spots(items_at: I64, sizes: I64, local: I64, first: I64) -> I64:
    """Where each posting's item goes: its block's items start plus the sizes before it."""
    before = np.cumsum(sizes) - sizes
    spots: I64 = items_at[local] + before - before[first][local]
    return spots


class _Inlined:
    """Single-block terms' postings as W3TermInfo inlines them after its record: a pickle of
    ``(docnums, weights, values)``, three tuples (weights ints when whole; values bytes, or
    None in a format without values). Sized first, for all ``chosen`` blocks, then emitted for
    those kept."""

    def __init__(self, blocks: _Blocks, chosen: I64) -> None:
        self.blocks, self.chosen = blocks, chosen
        chunk, counts = blocks.chunk, blocks.counts[chosen]
        self.postings = _spans(blocks.starts[chosen], counts)
        self.local = np.repeat(np.arange(len(chosen)), counts)
        self.first = np.cumsum(counts) - counts
        self.none = blocks.value_size[chosen][self.local] == 0  # a format without values
        docs, value_sizes = chunk.docs[self.postings], chunk.value_sizes[self.postings]
        values = np.where(self.none, 1, _bytes_header_sizes(value_sizes) + value_sizes)
        self.item_sizes = [_int_sizes(docs), blocks.number_sizes[self.postings], values]
        opening = _opening(counts)
        self.tuple_sizes = [_sums(opening, s, self.first) for s in self.item_sizes]
        self.sizes: I64 = sum(self.tuple_sizes, np.full(len(chosen), 2))  # TUPLE3, STOP

    def emit(self, kept: np.ndarray[Any, np.dtype[np.bool_]]) -> U8:
        """The pickles of the ``kept`` blocks, one after another."""
        blocks, chunk = self.blocks, self.blocks.chunk
        counts = blocks.counts[self.chosen]
        mine = kept[self.local]
        postings, local = self.postings[mine], np.cumsum(kept)[self.local[mine]] - 1
        first = (np.cumsum(counts[kept]) - counts[kept]).astype(np.int64)
        total = self.sizes[kept]
        at: I64 = np.cumsum(total) - total
        out = np.zeros(int(total.sum()), dtype=np.uint8)
        spots = []
        for items, size in zip(self.item_sizes, self.tuple_sizes, strict=True):
            _put_tuples(out, at, counts[kept], size[kept])
            spots.append(_item_spots(at + _opening(counts[kept]), items[mine], local, first))
            at = at + size[kept]
        _put_ints(out, spots[0], chunk.docs[postings])
        _put_numbers(out, spots[1], chunk.weights[postings])
        none = self.none[mine]
        out[spots[2][none]] = _N
        spots, postings = spots[2][~none], postings[~none]
        sizes = chunk.value_sizes[postings]
        _put_bytes_headers(out, spots, sizes)
        copy_spans(out, spots + _bytes_header_sizes(sizes), chunk.values,
                   chunk.value_starts[postings], sizes)  # fmt: skip
        out[at] = _TUPLE3
        out[at + 1] = _STOP
        return out


def _sums(opening: I64, sizes: I64, first: I64) -> I64:
    """Bytes of tuples whose items take ``sizes`` (a tuple's from ``first``): MARK, TUPLE."""
    if not len(first):
        return np.zeros(0, dtype=np.int64)
    found: I64 = opening + np.add.reduceat(sizes, first) + 1
    return found


@dataclass
class Encoded:
    """A chunk's postings as they lie in ``.pst``, each term's W3TermInfo (a record of
    ``_TERMINFO``, its postings' offset from the chunk's first byte; flag 1 when inlined) and
    the inlined terms' pickles, one after another in ``inline`` (each term's size in
    ``inline_sizes``, 0 for terms in ``.pst``)."""

    data: bytes
    infos: np.ndarray[Any, Any]
    inline: U8
    inline_sizes: I64


def encode_postings(chunk: Chunk, fields: Sequence[Field | None]) -> Encoded:
    """Encode a chunk's postings: a term's blocks in ``.pst``, or (one block of at most
    INLINE postings) inlined in its term info when that takes fewer bytes."""
    blocks = _Blocks(chunk, fields)
    data_size = blocks.data_size.copy()
    compressed = _compressed(blocks, np.arange(len(data_size)), data_size)
    comp = np.zeros(len(data_size), dtype=np.int64)
    packed_blocks = np.fromiter(compressed, dtype=np.int64, count=len(compressed))
    comp[packed_blocks] = COMPRESSION
    data_size[packed_blocks] = [len(v) for v in compressed.values()]
    ends = blocks.starts + blocks.counts - 1
    info_values = [blocks.counts, blocks.chunk.docs[ends], blocks.max_weight, comp,
                   blocks.min_length, blocks.max_length]  # fmt: skip
    # MARK, count, last docnum, max weight, compression, min and max length, TUPLE, STOP
    info_size = 1 + np.sum([_number_sizes(v) for v in info_values], axis=0) + 2
    record = 4 + info_size + data_size
    inlined, inline = _inline(blocks, record)
    stored = np.flatnonzero(~inlined[blocks.terms])  # the blocks written to .pst
    record, info_size, data_size = record[stored], info_size[stored], data_size[stored]
    before = np.cumsum(record) - record
    terms = blocks.terms[stored]
    firsts = np.r_[True, terms[1:] != terms[:-1]][: len(terms)]
    at = before + 4 * np.cumsum(firsts)  # each term's blocks follow its magic
    out = np.zeros(int(record.sum()) + 4 * int(firsts.sum()), dtype=np.uint8)
    term_at = at[firsts] - 4
    for i, byte in enumerate(WHOOSH3_HEADER_MAGIC):
        out[term_at + i] = byte
    signed = np.where(blocks.last[stored], -1, 1) * (info_size + data_size)
    out[at[:, None] + np.arange(4)] = signed.astype(">i4").view(np.uint8).reshape(-1, 4)
    _emit_info(out, at + 4, [v[stored] for v in info_values])
    data_at = np.full(len(comp), -1, dtype=np.int64)
    data_at[stored] = at + 4 + info_size
    plain = stored[comp[stored] == 0]
    blocks.emit(out, data_at[plain], plain)
    for block, packed in compressed.items():
        if data_at[block] >= 0:
            out[data_at[block] : data_at[block] + len(packed)] = np.frombuffer(packed, np.uint8)
    infos = _term_infos(blocks, inlined, term_at, len(out))
    return Encoded(out.tobytes(), infos, *inline)


def _inline(blocks: _Blocks, record: I64) -> tuple[np.ndarray[Any, Any], tuple[U8, I64]]:
    """Which terms are inlined (a mask): those of one block of at most INLINE postings whose
    pickle is smaller than their block (``record`` bytes), W3Bl and extent; their pickles,
    and each term's pickle size (0 when not inlined)."""
    terms = len(blocks.chunk.counts)
    chosen = np.flatnonzero((blocks.counts <= INLINE) & blocks.last)
    chosen = chosen[blocks.chunk.counts[blocks.terms[chosen]] <= INLINE]  # the term's only block
    candidates = _Inlined(blocks, chosen)
    kept = candidates.sizes <= record[chosen] + len(WHOOSH3_HEADER_MAGIC) + _EXTENT
    inlined = np.zeros(terms, dtype=bool)
    inlined[blocks.terms[chosen[kept]]] = True
    sizes = np.zeros(terms, dtype=np.int64)
    sizes[blocks.terms[chosen[kept]]] = candidates.sizes[kept]
    return inlined, (candidates.emit(kept), sizes)


def deflate(data: bytes, level: int = BLOCK_LEVEL) -> bytes:
    """``data`` as a zlib stream (what ``zlib.decompress`` inflates), by ISA-L."""
    packed: bytes = isal_zlib.compress(data, level)
    return packed


def _compressed(blocks: _Blocks, chosen: I64, data_size: I64) -> dict[int, bytes]:
    """The blocks ``chosen`` worth compressing (at least MIN_COMPRESSED bytes, smaller
    compressed), by their place in ``chosen``, in order."""
    found: dict[int, bytes] = {}
    tried = np.flatnonzero(data_size >= MIN_COMPRESSED)
    if not len(tried):
        return found
    at = np.cumsum(data_size[tried]) - data_size[tried]
    scratch = np.zeros(int(data_size[tried].sum()), dtype=np.uint8)
    blocks.emit(scratch, at, chosen[tried])
    raw = scratch.tobytes()
    sizes = data_size[tried].tolist()
    for block, start, size in zip(tried.tolist(), at.tolist(), sizes, strict=True):
        packed = deflate(raw[start : start + size])
        if len(packed) < size:
            found[block] = packed
    return found


def _emit_info(out: U8, at: I64, values: list[Any]) -> None:
    """``(count, last docnum, max weight, compression, min length, max length)`` pickles."""
    out[at] = _MARK
    at = at + 1
    for value in values:
        _put_numbers(out, at, value)
        at = at + _number_sizes(value)
    out[at] = _TUPLE
    out[at + 1] = _STOP


def _term_infos(blocks: _Blocks, inlined: np.ndarray[Any, Any], term_at: I64, size: int) -> Any:
    chunk, starts = blocks.chunk, blocks.term_starts
    infos = np.zeros(len(chunk.keys), dtype=_TERMINFO)
    infos["f0"] = inlined
    infos["f1"] = np.add.reduceat(chunk.weights.astype(np.float64), starts)
    infos["f2"] = chunk.counts
    infos["f3"] = _least_lengths(blocks.codes, starts)
    infos["f4"] = np.maximum.reduceat(blocks.codes, starts)
    infos["f5"] = np.maximum.reduceat(chunk.weights, starts)
    infos["f6"] = chunk.docs[starts]
    infos["f7"] = chunk.docs[starts + chunk.counts - 1]
    kept = np.flatnonzero(~inlined)
    infos["f8"][kept] = term_at
    infos["f9"][kept] = np.diff(np.append(term_at, size))
    return infos


# -- terms ------------------------------------------------------------------------------------


class TermsWriter:
    """Writes a ``.trm`` sub-file: entries chunk by chunk, then the tables that find them."""

    def __init__(self, file: Any, fieldmap: dict[str, int]) -> None:
        self._file = file
        self._fieldmap = fieldmap
        self._start = file.tell()
        file.write(HEADER + bytes([HASH_TYPE]) + bytes(8))
        self._positions: list[I64] = []
        self._hashes: list[np.ndarray[Any, np.dtype[np.uint32]]] = []

    def add(self, keys: list[bytes], encoded: Encoded) -> None:
        """Entries for ``keys`` (in order, after any added before) and their term infos: the
        record, then the postings' extent or (when inlined) their pickle."""
        infos, inline, inline_sizes = encoded.infos, encoded.inline, encoded.inline_sizes
        count = len(keys)
        key_sizes = np.fromiter(map(len, keys), dtype=np.int64, count=count)
        inlined = inline_sizes > 0
        value_sizes = np.where(inlined, _INFO_SIZE + inline_sizes, _TERMINFO.itemsize)
        sizes = _LENGTHS.itemsize + key_sizes + value_sizes
        at = np.cumsum(sizes) - sizes
        out = np.zeros(int(sizes.sum()), dtype=np.uint8)
        lengths = np.zeros(count, dtype=_LENGTHS)
        lengths["f0"], lengths["f1"] = key_sizes, value_sizes
        out[at[:, None] + np.arange(_LENGTHS.itemsize)] = lengths.view(np.uint8).reshape(count, -1)
        joined = np.frombuffer(b"".join(keys), dtype=np.uint8)
        copy_spans(out, at + _LENGTHS.itemsize, joined, np.cumsum(key_sizes) - key_sizes, key_sizes)
        value_at = at + _LENGTHS.itemsize + key_sizes
        records = infos.view(np.uint8).reshape(count, -1)
        out[value_at[:, None] + np.arange(_INFO_SIZE)] = records[:, :_INFO_SIZE]
        extent = np.arange(_INFO_SIZE, _TERMINFO.itemsize)
        out[value_at[~inlined, None] + extent] = records[~inlined][:, extent]
        pickled = inline_sizes[inlined]
        copy_spans(out, value_at[inlined] + _INFO_SIZE, inline, np.cumsum(pickled) - pickled,
                   pickled)  # fmt: skip
        self._positions.append(self._file.tell() - self._start + at)
        self._hashes.append(np.fromiter(map(zlib.crc32, keys), np.uint32, count=count))
        self._file.write(out.tobytes())

    def finish(self) -> None:
        """The hash tables, their directory, the extras and the index of entry positions."""
        file = self._file
        positions = np.concatenate([np.zeros(0, np.int64), *self._positions])
        hashes = np.concatenate([np.zeros(0, np.uint32), *self._hashes])
        tables, directory = _hash_tables(hashes, positions, file.tell() - self._start)
        file.write(tables.tobytes())
        file.write(directory.tobytes())
        last = int(positions[-1]) if len(positions) else 0
        typecode = "H" if last < 1 << 16 else "i" if last < 1 << 31 else "q"
        extras_at = file.tell()
        extras = {"fieldmap": self._fieldmap, "indextype": typecode, "indexlen": len(positions)}
        file.write_pickle(extras)
        file.write(positions.astype(">" + np.dtype(typecode).str[1:]).tobytes())
        file.write_int(file.tell() - extras_at)


def _hash_tables(hashes: Any, positions: I64, start: int) -> tuple[Any, Any]:
    """Whoosh's 256 linear-probing tables and their directory: 1.5 slots per key (Whoosh's
    writer leaves two; a lookup then reads two slots on average, five for a missing key).

    Within a table, keys sorted by their home slot take the first free slot from there on
    (a cumulative maximum); the few pushed past the end wrap round to the first free slots.
    """
    hashes = hashes.astype(np.int64)
    bucket = hashes & 255
    counts = np.bincount(bucket, minlength=256)
    slots = counts + (counts + 1) // 2
    table_start = np.cumsum(slots) - slots
    home = (hashes >> 8) % np.maximum(slots[bucket], 1)
    order = np.lexsort((home, bucket))
    bucket, home = bucket[order], home[order]
    rank = np.arange(len(order)) - (np.cumsum(counts) - counts)[bucket]
    span = 4 * max(len(order), 1)
    reach = np.maximum.accumulate(bucket * span + home - rank) - bucket * span
    slot = reach + rank
    table = np.zeros(int(slots.sum()), dtype=_POINTER)
    fits = slot < slots[bucket]
    table["f0"][table_start[bucket[fits]] + slot[fits]] = hashes[order[fits]]
    table["f1"][table_start[bucket[fits]] + slot[fits]] = positions[order[fits]]
    for i in np.flatnonzero(~fits).tolist():  # wrapped round: the first free slot from 0
        base, free = int(table_start[bucket[i]]), 0
        while table["f1"][base + free]:
            free += 1
        table[base + free] = (hashes[order[i]], positions[order[i]])
    directory = np.zeros(256, dtype=_DIRECTORY)
    directory["f0"] = start + table_start * _POINTER.itemsize
    directory["f1"] = slots
    return table, directory


# -- the compound file ------------------------------------------------------------------------


class Compound:
    """A segment's ``.seg`` file, written sub-file by sub-file."""

    def __init__(self, storage: Any, segment: Any) -> None:
        self.segment = segment
        self.name = segment.make_filename(segment.COMPOUND_EXT)
        self.file = storage.create_file(self.name)
        self.file.write_long(0)
        self.file.write_int(0)
        self._directory: dict[str, dict[str, Any]] = {}
        self._open: tuple[str, int] | None = None

    def start(self, name: str) -> Any:
        """Begin the sub-file ``name``; returns the file to write it to."""
        self.end()
        self._open = (name, self.file.tell())
        return self.file

    def end(self) -> None:
        if self._open is not None:
            name, start = self._open
            length = self.file.tell() - start
            self._directory[name] = {"offset": start, "length": length, "modified": time.time()}
            self._open = None

    def close(self) -> None:
        """Write the directory and close the file (the directory's own writer does both)."""
        self.end()
        CompoundStorage.write_dir(self.file, 0, self._directory)
