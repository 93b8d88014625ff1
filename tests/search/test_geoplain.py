"""Tests for searcher.search.geoplain: the k nearest and their ties, against a plain reading."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.search.geoplain import TIE_KM, k_nearest, measure, measured

# distances from a few values, each also a hair (well within TIE_KM) or a tie's width away
_BASES = [0.0, 1.0, 1.5, 2.0, 1e6]
_OFFSETS = [0.0, TIE_KM / 4, TIE_KM / 2, TIE_KM, 2 * TIE_KM, 0.75 * TIE_KM]
distances = st.builds(lambda base, offset: base + offset, st.sampled_from(_BASES),
                      st.sampled_from(_OFFSETS))  # fmt: skip


def path(doc: int) -> str:
    return f"p{(7 * doc) % 13:02d}-{doc}"  # runs against docnums, so ties by path show


def plainly(found: list[tuple[float, int]], k: int, limit: float) -> list[tuple[float, int]]:
    """The rule read plainly: the pairs within the limit, nearest first; those within TIE_KM
    of a run's first distance are one run, ordered by path; then the first k."""
    found = sorted(item for item in found if item[0] <= limit)
    if len(found) > k:
        found = [item for item in found if item[0] <= found[k - 1][0] + TIE_KM]
    ordered: list[tuple[float, int]] = []
    while found:
        run = [item for item in found if item[0] - found[0][0] <= TIE_KM]
        ordered += sorted(run, key=lambda item: path(item[1]))
        found = found[len(run) :]
    return ordered[:k]


@settings(max_examples=500)
@given(
    st.lists(distances, max_size=40),
    st.integers(1, 12),
    st.sampled_from([math.inf, 1.0, 1.5 + TIE_KM / 2, 2.0, 0.0]),
)
def test_k_nearest_is_the_rule_read_plainly(kms: list[float], k: int, limit: float) -> None:
    found = [(km, doc) for doc, km in enumerate(kms)]
    assert k_nearest(list(found), k, limit, path) == plainly(found, k, limit)


def test_measured_leaves_out_only_points_beyond_the_most() -> None:
    points = [(0.0, 0.0), (0.0, 1.0), (0.0, 2.0), (1.0, 0.0)]
    located = [(doc, math.radians(lat), math.cos(math.radians(lat)), lon)
               for doc, (lat, lon) in enumerate(points)]  # fmt: skip
    every = measured(0.0, 0.0, located, None)
    one_degree = math.sin(math.radians(1.0) / 2) ** 2  # the haversine term of a degree
    assert measured(0.0, 0.0, located, None, one_degree) == [every[0], every[1], every[3]]
    assert measured(0.0, 0.0, located, None, 0.0) == [every[0]]
    assert measure(0.0, 0.0, located, None, one_degree) == [every[0], every[1], every[3]]
