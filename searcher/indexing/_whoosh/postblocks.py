"""W3 postings blocks decoded from the postings file's buffer, into numpy arrays.

A term's postings in ``.pst`` (written by ``segwriter``, whose docstring has the whole
format, or by Whoosh's own W3 writer) are ``W3Bl`` then blocks. A block is

- ``!i``: the length of the rest of the block, negative for the term's last block;
- an info pickle ``(count, last docnum, max weight, compression, min length byte, max
  length byte)``;
- a data pickle ``(docnum deltas, weights, values)``, zlib-compressed when compression is
  not 0. Weights are None (all 1.0), one number (all equal) or one per posting; values are
  None, every posting's bytes joined (a fixed-size format) or a tuple of each posting's
  bytes (Positions: most of the block).

Scoring needs docnums and weights only. Where the data pickle is ours (no PROTO header: see
``segwriter``), just the front of the block is inflated, up to the end of the weights (found
with one regular expression over the pickle's opcodes), and unpickled; values are read only
when asked for. Any other pickle (Whoosh's writer, protocol 2) is inflated and unpickled
whole, as Whoosh's matcher reads it. Whole blocks are inflated by isal (its partial
inflation, by ``max_length``, inflates all and costs more than zlib's: the front is zlib's).
"""

from __future__ import annotations

import io
import pickle
import re
import struct
import zlib
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

try:  # reads any standard zlib stream, as zlib.decompress does, in about half its time
    from isal.isal_zlib import decompress as inflate
except ImportError:  # pragma: no cover - isal is a dependency; zlib is only slower
    from zlib import decompress as inflate

I64 = np.ndarray[Any, np.dtype[np.int64]]
F64 = np.ndarray[Any, np.dtype[np.float64]]

_LENGTH = struct.Struct("!i")
_NUMBER = rb"K.|M..|J....|G.{8}"  # BININT1, BININT2, BININT, BINFLOAT
_TUPLE = rb"\((?:%s)*+t|(?:%s){1,3}[\x85-\x87]|\)" % (_NUMBER, _NUMBER)  # MARK..TUPLE, TUPLE1-3
# the data pickle up to the end of its weights: docnum deltas, weights (None, a tuple or one
# number: a tuple of 1 to 3 starts as a number does) and no more; then only the values (whose
# first opcode is never a number's nor a tuple's), TUPLE3 and STOP
_ONE = rb"(?:%s)(?=[^KMJG\x85-\x87])" % _NUMBER  # one weight: then a value, not cut short
_FRONT = re.compile(rb"(?:%s)(?:N|%s|%s)" % (_TUPLE, _TUPLE, _ONE), re.DOTALL)
_FRONT_GUESS = 5  # bytes per posting first inflated: deltas and weights of up to 2 bytes each


@dataclass
class Postings:
    """One term's postings in one segment: docnums, weights and (if asked) values, all
    values' bytes joined with their sizes."""

    docs: I64
    weights: F64
    value_sizes: I64 | None = None
    values: bytes = b""


def read_blocks(postings: bytes, fixed: int | None, values: bool) -> Postings:
    """Every posting of a term from its ``postings`` (its extent in ``.pst``: a W3 header
    then blocks); ``fixed``: the format's value size (``fixed_value_size()``)."""
    if not values:
        found = _docs_and_weights(postings)
        if found is not None:
            return found
    ids: list[I64] = []
    weights: list[F64] = []
    sizes: list[I64] = []
    blobs: list[bytes] = []
    for count, _, compression, data in _blocks(postings):
        if values:
            deltas, block_weights, block_values = _whole(data, compression)
            sizes.append(_value_sizes(block_values, fixed, count))
            blobs.append(b"".join(block_values) if isinstance(block_values, tuple)
                         else block_values or b"")  # fmt: skip
        else:
            deltas, block_weights = _front(data, compression, count)
        ids.append(np.cumsum(np.array(deltas, dtype=np.int64)))
        weights.append(_weights(block_weights, count))
    return Postings(np.concatenate(ids), np.concatenate(weights),
                    np.concatenate(sizes) if values else None, b"".join(blobs))  # fmt: skip


def _docs_and_weights(postings: bytes) -> Postings | None:
    """:func:`read_blocks` without values: every block's deltas and weights gathered in two
    lists, made arrays once (a term holds two blocks on average, and numpy's calls on a
    block's hundred numbers cost more than the numbers). None where a block's one weight
    for all is not a 32-bit float: Whoosh keeps it unrounded, unlike a tuple's."""
    deltas: list[int] = []
    weights: list[float] = []
    last = 0  # the block before's last docnum: a block's deltas start from 0
    for count, last_doc, compression, data in _blocks(postings):
        block_deltas, block_weights = _front(data, compression, count)
        start = len(deltas)
        deltas += block_deltas
        deltas[start] -= last
        last = last_doc
        if block_weights is None:
            weights += [1.0] * count
        elif isinstance(block_weights, float | int):
            if _FLOAT32.unpack(_FLOAT32.pack(block_weights))[0] != block_weights:
                return None
            weights += [block_weights] * count
        else:
            weights += block_weights
    docs = np.cumsum(np.array(deltas, dtype=np.int64))
    return Postings(docs, np.array(weights, dtype=np.float32).astype(np.float64))


_FLOAT32 = struct.Struct("f")


def read_values(postings: bytes, docs: list[int], fixed: int | None) -> dict[int, Any]:
    """The values of those of ``docs`` (sorted docnums) the term's ``postings`` hold, by
    docnum; blocks that cannot hold one of them (by their last docnum) are not inflated."""
    found: dict[int, Any] = {}
    i = 0
    for count, last_doc, compression, data in _blocks(postings):
        if i == len(docs):
            break
        if docs[i] > last_doc:
            continue
        stop = bisect_right(docs, last_doc, i)
        deltas, _, values = _whole(data, compression)
        ids, held = list(accumulate(deltas)), _split(values, fixed, count)
        for docnum in docs[i:stop]:  # found by bisection: no dict of the whole block
            at = bisect_left(ids, docnum)
            if at < count and ids[at] == docnum:
                found[docnum] = held[at]
        i = stop
    return found


def _blocks(postings: bytes) -> Iterator[tuple[int, int, int, memoryview]]:
    """Each block of a term's postings: its count, last docnum, compression and data
    pickle (the info pickle read by ``pickle.load``, which knows where it ends)."""
    if not postings.startswith(WHOOSH3_HEADER_MAGIC):
        raise ValueError("not W3 postings")
    extent, raw = io.BytesIO(postings), memoryview(postings)  # a BytesIO of bytes shares them
    at, last = len(WHOOSH3_HEADER_MAGIC), False
    while not last:
        size = _LENGTH.unpack_from(raw, at)[0]
        last, size = size < 0, abs(size)
        extent.seek(at + _LENGTH.size)
        count, last_doc, _, compression = pickle.load(extent)[:4]
        at += _LENGTH.size + size
        yield count, last_doc, compression, raw[extent.tell() : at]


def _split(values: Any, fixed: int | None, count: int) -> Any:
    """A block's values one by one, as Whoosh's matcher hands them out."""
    if fixed is None or fixed < 0:
        return values
    if fixed == 0:
        return [None] * count
    return [values[i : i + fixed] for i in range(0, len(values), fixed)]


def _whole(data: memoryview, compression: int) -> Any:
    """The block's data tuple, all of it."""
    return pickle.loads(inflate(data) if compression else data)


def _front(data: memoryview, compression: int, count: int) -> tuple[Any, Any]:
    """The block's docnum deltas and weights: the data pickle's front, inflated as far as
    they go; the whole pickle where it is not ours."""
    if not compression:
        plain = bytes(data)
        found = _FRONT.match(plain)
    else:
        partial = zlib.decompressobj()
        plain = partial.decompress(data, 16 + _FRONT_GUESS * count)
        found = _FRONT.match(plain)
        if found is None and not partial.eof:
            plain += partial.decompress(partial.unconsumed_tail)
            found = _FRONT.match(plain)
    if found is not None:
        deltas, weights = pickle.loads(plain[: found.end()] + b"\x86.")  # TUPLE2
        if len(deltas) == count and (not isinstance(weights, tuple) or len(weights) == count):
            return deltas, weights
    if compression:  # not ours: Whoosh's own pickle
        plain = inflate(data)
    deltas, weights, _ = pickle.loads(plain)
    return deltas, weights


def _weights(weights: Any, count: int) -> F64:
    """A block's weights as Whoosh's matcher gives them (an array of 32-bit floats; one
    for all, as stored)."""
    if weights is None:
        return np.ones(count, dtype=np.float64)
    if isinstance(weights, float | int):
        return np.full(count, weights, dtype=np.float64)
    return np.array(weights, dtype=np.float32).astype(np.float64)


def _value_sizes(values: Any, fixed: int | None, count: int) -> I64:
    if fixed is None or fixed < 0:  # a tuple of each posting's bytes
        return np.fromiter(map(len, values), np.int64, count=count)
    return np.full(count, fixed, dtype=np.int64)  # none, or fixed-size values joined
