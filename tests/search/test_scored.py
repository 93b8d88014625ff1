"""Matches combined over arrays against the same sums worked out one document at a time, in
the parts' order (as Whoosh's matchers add them): sparse and dense unions, intersections,
AND NOT and ANDMAYBE."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from searcher.search.scored import Scored, intersection, maybe, union, without

_PART = st.dictionaries(st.integers(0, 40), st.floats(0.01, 100.0), max_size=20)


def _scored(part: dict[int, float]) -> Scored:
    docs = sorted(part)
    return Scored(np.array(docs, dtype=np.int64), np.array([part[d] for d in docs]))


def _pairs(found: Scored) -> list[tuple[int, float]]:
    return list(zip(found.docs.tolist(), found.scores.tolist(), strict=True))


@given(parts=st.lists(_PART, min_size=1, max_size=5), size=st.sampled_from([41, 10_000]))
def test_union_adds_each_documents_scores_in_the_parts_order(
    parts: list[dict[int, float]], size: int
) -> None:
    expected: dict[int, float] = {}
    for part in parts:
        for doc, score in part.items():
            expected[doc] = expected[doc] + score if doc in expected else score
    assert _pairs(union([_scored(p) for p in parts], size)) == sorted(expected.items())


@given(parts=st.lists(_PART, min_size=1, max_size=4))
def test_intersection_keeps_documents_of_every_part(parts: list[dict[int, float]]) -> None:
    common = set(parts[0]).intersection(*parts[1:])
    expected = []
    for doc in sorted(common):
        total = parts[0][doc]
        for part in parts[1:]:
            total += part[doc]
        expected.append((doc, total))
    assert _pairs(intersection([_scored(p) for p in parts])) == expected


@given(kept=_PART, other=_PART)
def test_and_not_and_andmaybe(kept: dict[int, float], other: dict[int, float]) -> None:
    assert _pairs(without(_scored(kept), _scored(other))) == sorted(
        (d, s) for d, s in kept.items() if d not in other
    )
    assert _pairs(maybe(_scored(kept), _scored(other))) == sorted(
        (d, s + other[d] if d in other else s) for d, s in kept.items()
    )
