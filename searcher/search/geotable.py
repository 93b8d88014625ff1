"""One reader generation's visible points in memory, sorted by geohash cell.

The cell terms of the index say which documents an audience may see (``schema.CELL``, plus
``schema.CELL_PRIVATE`` for the owner); their stored points come from the lat/lon columns, and
for the few posts with several places (``schema.MULTI``) from their ``schema.POINTS``: a post
has one row per point, so a doc may appear in several rows.
Sorted by their finest geohash (a 40-bit number), the points of any cell at any precision
(any prefix of the number, not only whole geohash characters) are one run of rows, found by
bisection, so a query reads no postings and no columns at all: a box is a few such runs
(:func:`box_runs`).
Loading reads every visible point once per generation: 50-70 ms of CPU and ~11 MB at 200,000.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from searcher.indexing import schema
from searcher.indexing._whoosh import segreader

IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]

PRECISION = schema.CELL_PRECISION  # the finest cell a row's code names
_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
_DECODE = {c: i for i, c in enumerate(_BASE32)}
_HALF_BITS = 5 * PRECISION // 2  # bits per axis (precision 8: 20 and 20)
_LAT_SPAN_E7, _LON_SPAN_E7 = 1_800_000_000, 3_600_000_000
_MAX_LAT_E7, _MAX_LON_E7 = 900_000_000, 1_800_000_000  # beyond: no point (the column default)
MAX_CELLS = 48  # cells covering a box: more cost more runs to find, fewer more points to measure
LISTED_ROWS = 64  # a box's rows up to which they are listed in Python, not by numpy's calls


class PointTable:
    """Visible points as parallel arrays in geohash order: ``codes`` (finest cell, 40 bits),
    ``docs`` (docnums, repeated for a post with several points), ``lat`` and ``lon`` (stored
    degrees), ``phi`` (lat in radians) and ``cos`` (its cosine)."""

    def __init__(self, docs: IntArray, lat_e7: IntArray, lon_e7: IntArray) -> None:
        codes = cell_codes(lat_e7, lon_e7)
        order = np.argsort(codes)
        self.codes: IntArray = codes[order]
        self.docs: IntArray = docs[order]
        self.lat: FloatArray = lat_e7[order] / 1e7  # as (e7 - shift) / 1e7 in Python
        self.lon: FloatArray = lon_e7[order] / 1e7
        self.phi: FloatArray = self.lat * (np.pi / 180.0)  # bit for bit math.radians
        # libm's cosines (numpy's may differ in an ulp): exact distances use them
        self.cos: FloatArray = np.fromiter(map(math.cos, self.phi.tolist()), float, len(order))
        self._by_doc: IntArray = np.argsort(self.docs, kind="stable")  # rows in doc order
        self._sorted_docs: IntArray = self.docs[self._by_doc]
        # how many distinct docs: a post with several points has several rows
        self.located_docs = int(np.count_nonzero(np.diff(self._sorted_docs))) + bool(len(order))
        self.several = self.located_docs < len(order)  # some doc has several rows

    def __len__(self) -> int:
        return len(self.docs)

    def rows(self, docnum: int) -> IntArray:
        """The rows of a visible doc's points (none for a doc this audience cannot see)."""
        start, stop = np.searchsorted(self._sorted_docs, (docnum, docnum + 1))
        return self._by_doc[start:stop]

    def row_at(self, lat: float, lon: float) -> int:
        """Where a point's finest cell is, or would be, among the rows."""
        code = point_code(round(lat * 1e7), round(lon * 1e7))
        return int(self.codes.searchsorted(code))  # the method: np.searchsorted's wrapper costs

    def cell_rows(self, cell: str) -> tuple[int, int]:
        """The rows [start, stop) of the points inside a cell (of any precision)."""
        low, high = code_span(cell)
        start, stop = np.searchsorted(self.codes, (low, high))
        return int(start), int(stop)

    def box_rows(self, boxes: list[tuple[float, float, float, float]]) -> IntArray | None:
        """The rows of every point that may lie in the boxes ((south, west, north, east),
        west <= east, degrees), in order: the runs of rows of a few cells of one size covering
        each box (:func:`box_runs`); None where such cells would be much taller than a box
        (a band round a pole), for the caller's finer covering."""
        runs = [box_runs(*box) for box in boxes]
        if any(run is None for run in runs):
            return None
        lows = [low for run in runs if run is not None for low in run[0]]
        highs = [high for run in runs if run is not None for high in run[1]]
        found = self.codes.searchsorted(lows + highs)  # the method: no np.searchsorted wrapper
        starts, stops = found[: len(lows)], found[len(lows) :]
        if len(boxes) > 1:
            return np.unique(ranges(starts, stops))
        bounds = found.tolist()
        if sum(bounds[len(lows) :]) - sum(bounds[: len(lows)]) > LISTED_ROWS:
            return ranges(starts, stops)
        # a small circle's rows (a k-nearest's): listed in Python, cheaper than numpy's calls
        spans = zip(bounds[: len(lows)], bounds[len(lows) :], strict=True)
        return np.array([row for start, stop in spans for row in range(start, stop)], np.int64)

    def child_rows(self, cell: str, start: int, stop: int) -> list[int]:
        """Where each of the cell's 32 children starts, and where the last one stops."""
        low, _ = code_span(cell)
        step = 1 << 5 * (PRECISION - len(cell) - 1)
        bounds = np.arange(low, low + 33 * step, step, dtype=np.int64)
        found: list[int] = (np.searchsorted(self.codes[start:stop], bounds) + start).tolist()
        return found


def common_cell(south: float, west: float, north: float, east: float) -> str:
    """The smallest cell holding the box (west <= east): the one both its corners are in."""
    low = point_code(math.floor(south * 1e7), math.floor(west * 1e7))
    high = point_code(math.ceil(north * 1e7), math.ceil(east * 1e7))
    precision = (5 * PRECISION - (low ^ high).bit_length()) // 5
    return "".join(_BASE32[low >> 5 * (PRECISION - 1 - i) & 31] for i in range(precision))


def cell_box(cell: str) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a cell, exact: as geo.geohash_bbox, without checks."""
    low, _ = code_span(cell)
    bits = 5 * len(cell)
    code = low >> 5 * PRECISION - bits
    row = column = 0
    for bit in range(bits - 1, -1, -1):  # the first (highest) bit is a longitude bit
        if (bits - 1 - bit) % 2 == 0:
            column = column << 1 | code >> bit & 1
        else:
            row = row << 1 | code >> bit & 1
    height, width = 180.0 / (1 << bits // 2), 360.0 / (1 << bits - bits // 2)
    south, west = -90.0 + row * height, -180.0 + column * width
    return south, west, south + height, west + width


def box_runs(
    south: float, west: float, north: float, east: float
) -> tuple[list[int], list[int]] | None:
    """The finest codes [low, high) of the cells of one size covering a box (west <= east), at
    most MAX_CELLS of them, adjacent cells merged into one run; None where those cells would be
    several times as tall as the box (a band round a pole: mostly points far from it).

    A cell here is any prefix of a code, not only of 5 bits: with ``bits`` bits it is row
    ``r`` of 2**(bits // 2) and column ``c`` of 2**(bits - bits // 2), its code the bits of
    c and r interleaved (a longitude bit first), as in :func:`cell_codes`.
    """
    s, n = max(math.floor(south * 1e7), -_MAX_LAT_E7), min(math.ceil(north * 1e7), _MAX_LAT_E7)
    w, e = max(math.floor(west * 1e7), -_MAX_LON_E7), min(math.ceil(east * 1e7), _MAX_LON_E7)
    tall = min((5 * _LAT_SPAN_E7 // max(n - s, 1)).bit_length() - 1, _HALF_BITS)  # >= height/5
    wide = min((5 * _LON_SPAN_E7 // max(e - w, 1)).bit_length() - 1, _HALF_BITS)
    bits = min(2 * tall + 2, 2 * wide + 1, 2 * _HALF_BITS)  # a bit finer; then coarser
    # the rows and columns of the edges as cell_codes counts them, and _spread_int, written
    # out: a k-nearest asks once a query, and the calls cost a quarter of it
    s, n = s + _LAT_SPAN_E7 // 2, n + _LAT_SPAN_E7 // 2  # counted from the south pole
    w, e = w + _LON_SPAN_E7 // 2, e + _LON_SPAN_E7 // 2  # and from the 180th meridian
    while True:
        lat_bits, lon_bits = bits // 2, bits - bits // 2
        last_row, last_column = (1 << lat_bits) - 1, (1 << lon_bits) - 1
        row0 = min((s << lat_bits) // _LAT_SPAN_E7, last_row)
        row1 = min((n << lat_bits) // _LAT_SPAN_E7, last_row)
        col0 = min((w << lon_bits) // _LON_SPAN_E7, last_column)
        col1 = min((e << lon_bits) // _LON_SPAN_E7, last_column)
        if (row1 - row0 + 1) * (col1 - col0 + 1) <= MAX_CELLS or bits == 0:
            break
        bits -= 1
    if lat_bits < tall - 4:
        return None
    shift = 2 * _HALF_BITS - bits
    spread, odd = _SPREAD_10, bits % 2  # an odd count of bits ends with a longitude bit
    rows = [(spread[r & 1023] | spread[r >> 10] << 20) << odd for r in range(row0, row1 + 1)]
    columns = [(spread[c & 1023] | spread[c >> 10] << 20) << (1 - odd)
               for c in range(col0, col1 + 1)]  # fmt: skip
    prefixes = sorted([r | c for r in rows for c in columns])
    lows, highs = [], []
    low = high = prefixes[0]
    for prefix in prefixes:  # adjacent cells make one run
        if prefix != high:
            lows.append(low << shift)
            highs.append(high << shift)
            low = prefix
        high = prefix + 1
    lows.append(low << shift)
    highs.append(high << shift)
    return lows, highs


def ranges(starts: IntArray, stops: IntArray) -> IntArray:
    """Every row of the runs [start, stop), in order, without a Python loop."""
    lengths = stops - starts
    ends = np.cumsum(lengths)
    found: IntArray = np.arange(int(ends[-1]) if len(ends) else 0)
    found += np.repeat(starts - ends + lengths, lengths)
    return found


def span_rows(spans: list[tuple[int, int]]) -> IntArray:
    """Every row of the spans [start, stop), in order."""
    if not spans:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(start, stop, dtype=np.int64) for start, stop in spans])


def code_span(cell: str) -> tuple[int, int]:
    """The finest codes [low, high) inside a cell: its bits followed by every ending."""
    code = 0
    for char in cell:
        code = code << 5 | _DECODE[char]
    shift = 5 * (PRECISION - len(cell))
    return code << shift, (code + 1) << shift


def cell_codes(lat_e7: IntArray, lon_e7: IntArray) -> IntArray:
    """The finest geohash of each point as a number, by integer arithmetic on 1e-7 degrees:
    a row is the point's by geohash's own rule (the upper cell on an edge, the last at 90°/180°),
    because a 7-decimal number is never within a rounding of a cell edge unless on it."""
    top = (1 << _HALF_BITS) - 1
    rows = np.minimum(((lat_e7 + _LAT_SPAN_E7 // 2) << _HALF_BITS) // _LAT_SPAN_E7, top)
    columns = np.minimum(((lon_e7 + _LON_SPAN_E7 // 2) << _HALF_BITS) // _LON_SPAN_E7, top)
    return _spread(columns) << 1 | _spread(rows)  # the first bit is a longitude bit


def point_code(lat_e7: int, lon_e7: int) -> int:
    """:func:`cell_codes` of one point."""
    top = (1 << _HALF_BITS) - 1
    row = min(((lat_e7 + _LAT_SPAN_E7 // 2) << _HALF_BITS) // _LAT_SPAN_E7, top)
    column = min(((lon_e7 + _LON_SPAN_E7 // 2) << _HALF_BITS) // _LON_SPAN_E7, top)
    return _spread_int(column) << 1 | _spread_int(row)


_SPREAD = (
    (16, 0x0000FFFF0000FFFF),
    (8, 0x00FF00FF00FF00FF),
    (4, 0x0F0F0F0F0F0F0F0F),
    (2, 0x3333333333333333),
    (1, 0x5555555555555555),
)


def _spread(values: IntArray) -> IntArray:
    """Each bit i of 20-bit numbers moved to bit 2i."""
    x = values.astype(np.uint64)
    for shift, mask in _SPREAD:
        x = (x | x << np.uint64(shift)) & np.uint64(mask)
    return x.astype(np.int64)


def _spread_int(x: int) -> int:
    """:func:`_spread` of one number, by a table of 10-bit halves."""
    return _SPREAD_10[x & 1023] | _SPREAD_10[x >> 10] << 20


def _spread_slow(x: int) -> int:
    for shift, mask in _SPREAD:
        x = (x | x << shift) & mask
    return x


_SPREAD_10 = [_spread_slow(x) for x in range(1024)]


# --- loading -------------------------------------------------------------------------------


def load(reader: Any, fields: tuple[str, ...]) -> PointTable:
    """The table of every live doc with a term in ``fields``: their precision-1 cells hold each
    located doc once. Only those docs' coordinates are kept."""
    parts: list[IntArray] = [np.zeros(0, dtype=np.int64)]
    lats: list[IntArray] = [np.zeros(0, dtype=np.int64)]
    lons: list[IntArray] = [np.zeros(0, dtype=np.int64)]
    shift = int(reader.schema[schema.LAT].to_column_value(0))
    for leaf, base in reader.leaf_readers():
        ids = [
            segreader.leaf_postings(leaf.postings(field, cell)).docs
            for field in fields
            for cell in _BASE32
            if leaf.doc_frequency(field, cell)
        ]
        found = np.sort(np.concatenate(ids)) if ids else np.zeros(0, dtype=np.int64)
        if not len(found):  # no cell here, or only deleted docs' cells (an edited post's)
            continue
        found = found[np.r_[True, found[1:] != found[:-1]]]  # np.unique hashes: 5x slower
        lat, lon = (_column_e7(leaf, name, found, shift) for name in (schema.LAT, schema.LON))
        located = (np.abs(lat) <= _MAX_LAT_E7) & (np.abs(lon) <= _MAX_LON_E7)
        several = _several(leaf, found)
        located &= ~several
        parts.append(found[located] + base)
        lats.append(lat[located])
        lons.append(lon[located])
        for doc in found[several].tolist():
            points = np.array(schema.unpack_points(_points_value(leaf, doc)), dtype=np.int64)
            points = points.reshape(-1, 2)
            parts.append(np.full(len(points), doc + base, dtype=np.int64))
            lats.append(points[:, 0])
            lons.append(points[:, 1])
    docs = np.concatenate(parts)
    return PointTable(docs, np.concatenate(lats), np.concatenate(lons))


def _several(leaf: Any, found: IntArray) -> Any:
    """Which of ``found`` have several points (``schema.MULTI``), as a boolean mask."""
    if schema.MULTI not in leaf.schema or not leaf.doc_frequency(schema.MULTI, "1"):
        return np.zeros(len(found), dtype=bool)
    return np.isin(found, segreader.leaf_postings(leaf.postings(schema.MULTI, "1")).docs)


def _points_value(leaf: Any, doc: int) -> bytes:
    value = leaf.column_reader(schema.POINTS)[doc]
    return bytes(value) if value else b""


def _column_e7(leaf: Any, name: str, docs: IntArray, shift: int) -> IntArray:
    """One segment's integer column (1e-7 degrees) at ``docs``."""
    column = leaf.column_reader(name, translate=False)
    every = segreader.numeric_column(column, leaf.doc_count_all())
    if every is not None:
        values = every.astype(np.uint64)[docs]
    else:
        values = np.fromiter((column[d] for d in docs.tolist()), dtype=np.uint64, count=len(docs))
    return (values - np.uint64(shift)).view(np.int64)
