from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from searcher.ingest.substrings import holds

_CHARS = st.sampled_from(list("{}%[]/*&#<!-ab東京\u3000"))


@given(st.text(_CHARS, max_size=30), st.text(_CHARS, max_size=4))
def test_holds_as_in_does(text: str, needle: str) -> None:
    assert holds(text, needle) is (needle in text)
