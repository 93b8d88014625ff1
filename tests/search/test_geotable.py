"""Tests for searcher.search.geotable: cell numbers equal geohash's, rows are each cell's points."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.filedb.filestore import RamStorage

from searcher.geo import geohash_encode
from searcher.indexing import schema
from searcher.models import Location, Post
from searcher.search.geotable import (
    MAX_CELLS,
    PointTable,
    box_runs,
    cell_codes,
    code_span,
    load,
    point_code,
)

E7 = st.tuples(st.integers(-900_000_000, 900_000_000), st.integers(-1_800_000_000, 1_800_000_000))
EDGES = [
    (900_000_000, 1_800_000_000),
    (-900_000_000, -1_800_000_000),
    (0, 0),
    (450_000_000, -900_000_000),  # on cell edges at every precision
    (-1, -1),
    (899_999_999, 1_799_999_999),
]


def in_cell(lat_e7: int, lon_e7: int, code: int) -> bool:
    low, high = code_span(geohash_encode(lat_e7 / 1e7, lon_e7 / 1e7, schema.CELL_PRECISION))
    return low <= code < high


@settings(max_examples=300)
@given(st.lists(E7, min_size=1, max_size=20))
def test_cell_codes_are_geohashes_of_stored_points(points: list[tuple[int, int]]) -> None:
    points += EDGES
    lats, lons = (np.array(axis, dtype=np.int64) for axis in zip(*points, strict=True))
    for (lat, lon), code in zip(points, cell_codes(lats, lons).tolist(), strict=True):
        assert in_cell(lat, lon, code)
        assert point_code(lat, lon) == code


@pytest.mark.parametrize(
    ("cell", "span"),
    [
        ("", (0, 1 << 40)),
        ("0", (0, 1 << 35)),
        ("z", (31 << 35, 1 << 40)),
        ("u0", (26 << 35, 833 << 30)),
    ],
)
def test_code_span(cell: str, span: tuple[int, int]) -> None:
    assert code_span(cell) == span


def test_load_keeps_the_audiences_live_points_in_cell_order() -> None:
    points = [(48.85, 2.35), None, (-33.9, 151.2), (48.85, 2.35), (0.0, 180.0), (10.0, 10.0)]
    private, deleted = {3}, {5}
    ix = RamStorage().create_index(schema.build_schema(), indexname="blogsearch")
    for segment in (range(0, 3), range(3, 6)):
        writer = ix.writer()
        for i in segment:
            point = points[i]
            places = () if point is None else (Location(*point, public=i not in private),)
            writer.add_document(**schema.document(Post(path=f"p{i}", title="t", date=None,
                                                       locations=places)))  # fmt: skip
        writer.commit(merge=False)
    writer = ix.writer()
    writer.delete_document(5)
    writer.commit(merge=False)
    reader = ix.reader()
    for fields, visible in [
        ((schema.CELL,), {0, 2, 4}),
        ((schema.CELL, schema.CELL_PRIVATE), {0, 2, 3, 4}),
    ]:
        table = load(reader, fields)
        assert sorted(table.docs.tolist()) == sorted(visible - deleted)
        assert list(table.codes) == sorted(table.codes)
        for row, doc in enumerate(table.docs.tolist()):
            point = points[doc]
            assert point is not None and (table.lat[row], table.lon[row]) == point
            assert table.rows(doc).tolist() == [row]
            cell = geohash_encode(point[0], point[1], 3)
            start, stop = table.cell_rows(cell)
            assert start <= row < stop
        assert [len(table.rows(doc)) for doc in (1, 5, 99)] == [0, 0, 0]


def write(ix: Any, posts: list[Post]) -> None:
    writer = ix.writer()
    for post in posts:
        writer.add_document(**schema.document(post))
    writer.commit(merge=False)


def test_a_post_with_several_places_has_a_row_for_each() -> None:
    trip = (Location(54.32, 10.13), Location(59.91, 10.75), Location(55.68, 12.57))
    ix = RamStorage().create_index(schema.build_schema(), indexname="blogsearch")
    write(ix, [Post("one", "t", None, locations=(Location(1.0, 2.0),)),
               Post("trip", "t", None, locations=trip)])  # fmt: skip
    table = load(ix.reader(), (schema.CELL,))
    assert len(table) == 4 and table.located_docs == 2
    rows = table.rows(1).tolist()
    assert sorted(zip(table.lat[rows], table.lon[rows], strict=True)) == sorted(
        (p.lat, p.lon) for p in trip
    )


def test_a_segment_whose_located_posts_are_all_deleted_loads() -> None:
    ix = RamStorage().create_index(schema.build_schema(), indexname="blogsearch")
    write(ix, [Post("a", "t", None, locations=(Location(1.0, 2.0),))])
    write(ix, [Post("b", "t", None, locations=(Location(3.0, 4.0),))])
    writer = ix.writer()
    writer.delete_document(0)
    writer.commit(merge=False)
    table = load(ix.reader(), (schema.CELL,))
    assert table.docs.tolist() == [1]


@pytest.mark.parametrize("deleted", [{0}, {0, 1}, {1, 2}, {0, 1, 2}])
def test_load_skips_segments_whose_located_docs_are_all_deleted(deleted: set[int]) -> None:
    """An edited post leaves its old copy deleted in an older segment: the segment may have
    cell terms (they stay until a merge) but no live doc behind them, for either audience."""
    ix = RamStorage().create_index(schema.build_schema(), indexname="blogsearch")
    points = [(48.85, 2.35, True), (48.85, 2.35, False), (10.0, 10.0, True)]
    for segment in ([0, 1], [2]):
        writer = ix.writer()
        for i in segment:
            lat, lon, public = points[i]
            post = Post(path=f"p{i}", title="t", date=None, locations=(Location(lat, lon, public),))
            writer.add_document(**schema.document(post))
        writer.commit(merge=False)
    writer = ix.writer()
    for docnum in deleted:
        writer.delete_document(docnum)
    writer.commit(merge=False)
    reader = ix.reader()
    for fields, visible in [
        ((schema.CELL,), {0, 2}),
        ((schema.CELL, schema.CELL_PRIVATE), {0, 1, 2}),
    ]:
        assert sorted(load(reader, fields).docs.tolist()) == sorted(visible - deleted)


boxes_e7 = st.tuples(E7, E7).map(
    lambda c: (min(c[0][0], c[1][0]), min(c[0][1], c[1][1]), max(c[0][0], c[1][0]),
               max(c[0][1], c[1][1]))
)  # fmt: skip


@settings(max_examples=200)
@given(st.lists(E7, min_size=1, max_size=60), boxes_e7, st.integers(0, 4))
def test_box_runs_cover_every_point_of_the_box(
    points: list[tuple[int, int]], box: tuple[int, int, int, int], shrink: int
) -> None:
    """Every stored point inside the box lies in one of its runs, which are few and disjoint;
    a box is shrunk towards its corner too, down to a point."""
    south, west, north, east = box
    north, east = south + (north - south) // 10**shrink, west + (east - west) // 10**shrink
    runs = box_runs(south / 1e7, west / 1e7, north / 1e7, east / 1e7)
    if runs is None:  # cells would be far taller than the box: only very wide, flat boxes
        assert (east - west) > 4 * (north - south)
        return
    lows, highs = runs
    assert len(lows) <= MAX_CELLS
    assert all(a < b <= c for a, b, c in zip(lows, highs, [*lows[1:], 1 << 40], strict=True))
    inside = [(lat, lon) for lat, lon in points if south <= lat <= north and west <= lon <= east]
    inside.append((south, west))
    inside.append((north, east))
    for lat, lon in inside:
        code = point_code(lat, lon)
        assert any(low <= code < high for low, high in zip(lows, highs, strict=True))


@settings(max_examples=200)
@given(st.lists(E7, min_size=1, max_size=200), boxes_e7, st.integers(0, 6))
def test_box_rows_listed_in_python_are_numpys(
    points: list[tuple[int, int]], box: tuple[int, int, int, int], shrink: int
) -> None:
    """A box's rows are the same, in the same order, whether its few rows are listed in plain
    Python (a k-nearest's small circle) or by numpy (a radius's many), and hold every point
    inside the box."""
    south, west, north, east = box
    north, east = south + (north - south) // 10**shrink, west + (east - west) // 10**shrink
    lats, lons = (np.array(axis, dtype=np.int64) for axis in zip(*points, strict=True))
    table = PointTable(np.arange(len(points), dtype=np.int64), lats, lons)
    degrees = [(south / 1e7, west / 1e7, north / 1e7, east / 1e7)]
    found = []
    for listed in (0, 10**9):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("searcher.search.geotable.LISTED_ROWS", listed)
            found.append(table.box_rows(degrees))
    if found[0] is None:
        assert found[1] is None
        return
    assert found[0].dtype == found[1].dtype and found[0].tolist() == found[1].tolist()
    assert found[0].tolist() == sorted(set(found[0].tolist()))
    rows = set(found[0].tolist())
    for row, doc in enumerate(table.docs.tolist()):
        lat, lon = points[doc]
        if south <= lat <= north and west <= lon <= east:
            assert row in rows
