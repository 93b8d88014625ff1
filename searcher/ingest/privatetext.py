"""A private place kept out of its post's text: what the body's geo markup shows, and the
point written out, are taken from the text a private post is indexed and shown with."""

from __future__ import annotations

import re
from collections.abc import Sequence

from searcher.ingest import microformat
from searcher.models import Location


def redact(text: str, places: Sequence[Location], body: str = "") -> str:
    """A post's ``text`` without what would tell where its private places are: the text of
    the body's geo markup (its coordinates, the name it marks up) and each private point
    written out as two numbers. Public places leave the text as it is."""
    private = [place for place in places if not place.public]
    if not private:
        return text
    for marked in microformat.shown(body):  # as whole words: "here" leaves "there" whole
        text = re.sub(rf"(?<!\w){re.escape(marked)}(?!\w)", " ", text)
    for place in private:
        if place.lat is not None and place.lon is not None:
            text = _written(place.lat, place.lon).sub(" ", text)
    return text


def _written(lat: float, lon: float) -> re.Pattern[str]:
    """A point as a post writes it: ``43.484082, 3.676690``, ``-33.85 151.2``, ``48.85;2.35``."""
    pair = rf"{_decimal(lat)}\s*[,;/]?\s*{_decimal(lon)}"
    return re.compile(rf"(?<![\d.]){pair}(?![\d])")


def _decimal(value: float) -> str:
    shortest = repr(abs(value))  # as parsed from the text: 42.956294391395296, 3.67669
    written = f"{abs(value):.7f}" if "e" in shortest else shortest
    whole, _, fraction = written.rstrip("0").partition(".")
    digits = rf"{whole}\.{fraction}0*" if fraction else rf"{whole}(?:\.0*)?"
    return rf"[-+\u2212]?{digits}" if value >= 0 else rf"[-\u2212]{digits}"
