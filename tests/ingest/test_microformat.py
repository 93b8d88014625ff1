from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.ingest import microformat

# --- the hint, opening with one class, finds what the alternation did ----------------------

_ALTERNATION = re.compile(r"latitude|[\"' ]h?-?geo[\"' ]", re.I)
_HINTY = st.lists(
    st.sampled_from(
        ["latitude", "LATITUDE", "Lat", "l", "L", "atitude", "geo", "GEO", "h-geo", "H-Geo",
         "hgeo", "-", "h", '"', "'", " ", "\n", "\u0130", "\u0131", "I", "i", "\u017f", "K",
         "\u212a", "日", "a", "e", "o", "g", "G", "t", "u", "d", "Ge", "eO", "-g", "-geo", "-GEO",
         "h-GeO", "hGEO", "Hgeo"]
    ),
    max_size=40,
).map("".join)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(_HINTY)
def test_hint_finds_what_the_case_blind_alternation_found(text: str) -> None:
    assert bool(microformat._HINT.search(text)) == bool(_ALTERNATION.search(text))


@pytest.mark.parametrize("mark", ["geo", "h-geo", "-geo", "hgeo", "GEO", "H-Geo", "latitude",
                                  "LatItude", "h-ge", "h--geo", "geos"])  # fmt: skip
@pytest.mark.parametrize("quote", ['"', "'", " ", "\n"])
def test_hint_of_each_mark(mark: str, quote: str) -> None:
    text = f"x{quote}{mark}{quote}y"
    assert bool(microformat._HINT.search(text)) == bool(_ALTERNATION.search(text))


def test_points_of_marked_up_bodies_are_read() -> None:
    body = '<span class="geo"><span class="latitude">48.85</span> <span class="longitude">2.35'
    assert list(microformat.points(body + "</span></span>", lambda *_: None)) == [(48.85, 2.35)]
    assert list(microformat.points("<p>a geo note, not marked up</p>", lambda *_: None)) == []
