"""The visibility policy: what one audience may see of the places its author marked private.

An *audience* is who reads the results: ``"owner"`` (the author, on their own machine) sees
every place, private ones marked as such; ``"public"`` (the API and web default) never gets a
private place, nor an answer that depends on one: no hit shows it, no ``place:`` word, geo
filter, radius or distance sort reads it. Every part of the read path asks one
:class:`Visibility` instead of testing the audience string itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from searcher.errors import UsageError
from searcher.indexing import schema
from searcher.models import Location

Audience = Literal["owner", "public"]
AUDIENCES: tuple[Audience, ...] = ("owner", "public")


def audience_of(value: str) -> Audience:
    """``value`` as an :data:`Audience`, or a :class:`UsageError` naming the choices."""
    if value not in AUDIENCES:
        raise UsageError(f"audience must be 'owner' or 'public', not {value!r}")
    return value


@dataclass(frozen=True)
class Visibility:
    """What ``audience`` may see; ``private_places`` is ``True`` for the owner only: it also
    decides whether the geo index (geo filters, radii, distance sorts) reads private points."""

    audience: Audience
    private_places: bool

    @classmethod
    def for_audience(cls, audience: str) -> Visibility:
        """The policy of ``audience`` (``"owner"`` or ``"public"``; anything else is refused)."""
        checked = audience_of(audience)
        return cls(checked, private_places=checked == "owner")

    @property
    def geo_terms(self) -> tuple[str, ...]:
        """The ``schema.GEO`` terms of the located posts this audience may find."""
        return ("public", "private") if self.private_places else ("public",)

    def text_fields(self) -> dict[str, float]:
        """The fields an unfielded query searches (private place names for the owner only)."""
        return schema.text_fields(private_places=self.private_places)

    def place_fields(self) -> dict[str, float]:
        """The fields a ``place:`` clause searches."""
        private = {schema.PLACE_PRIVATE: 1.0} if self.private_places else {}
        return {schema.PLACE: 1.0, **private}

    def shows(self, place: Location) -> bool:
        """Whether a place may leave through this audience's results."""
        return place.public or self.private_places

    def places(self, places: Iterable[Location]) -> tuple[Location, ...]:
        """The ``places`` (of a stored record, :func:`records.read`) this audience may see,
        the others redacted."""
        if self.private_places:  # the owner sees every place
            return tuple(places)
        return tuple([place for place in places if place.public])  # what shows() keeps
