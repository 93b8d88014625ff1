"""Choosing a snippet's passages: the best window, against trying every candidate."""

from __future__ import annotations

import bisect

from hypothesis import given
from hypothesis import strategies as st

from searcher.search import snippets


def _every_candidate(
    starts: tuple[int, ...], ends: tuple[int, ...], keys: tuple[str, ...], gap: int, chars: int
) -> tuple[tuple[int, int], tuple[int, int]]:
    """:func:`snippets._best` over the whole text, each candidate window tried."""
    best, best_score = (0, 0), (-1, 0)
    for at in starts:
        start = max(at - chars // 4, 0)
        end = start + chars
        if end > gap:
            end, start = gap, max(gap - chars, 0)
        first = bisect.bisect_left(starts, start)
        count = bisect.bisect_right(ends, end, first) - first
        score = (len(set(keys[first : first + count])), count)
        if score > best_score:
            best, best_score = (start, end), score
    return best, best_score  # every span fits in a window: the best holds one


@given(
    st.lists(
        st.tuples(st.integers(0, 2000), st.integers(1, 12), st.sampled_from("ab")),
        min_size=1,
        max_size=40,
    ),
    st.integers(20, 300),
    st.booleans(),
)
def test_the_best_window_is_the_best_candidate(
    found: list[tuple[int, int, str]], chars: int, one: bool
) -> None:
    spans, last_end = [], 0
    for gap, size, key in found:  # in order, not overlapping, as words' spans are
        start = last_end + gap
        spans.append((start, start + size, "a" if one else key))
        last_end = start + size
    starts, ends, keys = zip(*spans, strict=True)
    one_key = len(set(keys)) == 1
    size = last_end + 10
    got = snippets._best(starts, ends, keys, one_key, 0, len(spans), 0, size, chars)
    assert got == _every_candidate(starts, ends, keys, size, chars)
