"""Plain, frozen records that cross module boundaries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Location:
    """Where a post was written or what it is about.

    ``lat``/``lon`` are ``None`` when the post names a place in free text only.
    ``public`` is ``False`` when the author marked the location private (WordPress
    ``geo_public: 0``): such coordinates must never reach a public surface.
    """

    lat: float | None
    lon: float | None
    public: bool = True
    address: str | None = None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    def to_dict(self) -> dict[str, Any]:
        return {"lat": self.lat, "lon": self.lon, "public": self.public, "address": self.address}


@dataclass(frozen=True)
class IngestWarning:
    """Something that went wrong reading one post; ``reason`` is a short stable code."""

    reason: str
    message: str

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"


@dataclass(frozen=True)
class Post:
    """One normalised blog post, as the indexer sees it."""

    path: str
    title: str
    date: dt.datetime | None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    lang: str | None = None
    url: str = ""
    draft: bool = False
    location: Location | None = None
    text: str = ""
    warnings: tuple[IngestWarning, ...] = field(default=())

    @property
    def located(self) -> bool:
        return self.location is not None and self.location.has_point

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``blogsearch inspect --json``."""
        return {
            "path": self.path,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "tags": list(self.tags),
            "categories": list(self.categories),
            "lang": self.lang,
            "url": self.url,
            "draft": self.draft,
            "location": self.location.to_dict() if self.location else None,
            "text": self.text,
            "warnings": [{"reason": w.reason, "message": w.message} for w in self.warnings],
        }
