"""Plain, frozen records that cross module boundaries."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from typing import Any, Literal, NamedTuple, TypedDict

# Limits the command line shows in its options, here so that parsing arguments (or
# ``--version``) imports none of the modules that use them.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # post files larger than this are skipped
MAX_SHARDS = 256  # most shards a sharded index may have


@dataclass(frozen=True)
class Location:
    """A place a post was written at or is about.

    ``lat``/``lon`` are ``None`` when the post names a place in free text only.
    ``public`` is ``False`` when the author marked the location private (WordPress
    ``geo_public: 0``): such coordinates must never reach a public surface. ``source`` says
    where the point came from (``front-matter``, ``body`` or ``geocoded``); ``geocoded`` names
    the gazetteer place a written name was resolved to (``Berlin, DE``).
    """

    lat: float | None
    lon: float | None
    public: bool = True
    address: str | None = None
    source: str | None = None
    geocoded: str | None = None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None

    def to_dict(self) -> dict[str, Any]:
        return {"lat": self.lat, "lon": self.lon, "public": self.public, "address": self.address,
                "source": self.source, "geocoded": self.geocoded}  # fmt: skip

    @classmethod
    def of_dict(cls, values: dict[str, Any]) -> Location:
        """``Location(**values)``, taking ``values`` itself as the fields when it holds each of
        them and nothing else (what :meth:`to_dict` wrote): a hit reads its post's places from
        the stored record, and the frozen constructor's six ``object.__setattr__`` calls took
        four times as long. ``values`` is then the new location's own: do not change it."""
        if type(values) is not dict or values.keys() != _LOCATION_FIELDS:
            return cls(**values)
        made = object.__new__(cls)
        object.__setattr__(made, "__dict__", values)
        return made


_LOCATION_FIELDS = frozenset(f.name for f in dataclass_fields(Location))

MAX_MESSAGE = 300  # characters of a warning's message: a value quoted in it may be huge


@dataclass(frozen=True)
class IngestWarning:
    """Something that went wrong reading one post; ``reason`` is a short stable code. The
    message is cut to :data:`MAX_MESSAGE` characters, whatever it quotes."""

    reason: str
    message: str

    def __post_init__(self) -> None:
        if len(self.message) > MAX_MESSAGE:
            object.__setattr__(self, "message", self.message[: MAX_MESSAGE - 1] + "…")

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
    locations: tuple[Location, ...] = ()  # every place it names; a trip has several
    text: str = ""
    warnings: tuple[IngestWarning, ...] = field(default=())

    @property
    def location(self) -> Location | None:
        """The post's first place (its only one, mostly)."""
        return self.locations[0] if self.locations else None

    @property
    def located(self) -> bool:
        return any(place.has_point for place in self.locations)

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
            "locations": [place.to_dict() for place in self.locations],
            "text": self.text,
            "warnings": [{"reason": w.reason, "message": w.message} for w in self.warnings],
        }


@dataclass(frozen=True, init=False)  # its __init__ below is the dataclass's, faster
class Hit:
    """One search result, in the shape of the JSON output."""

    path: str
    title: str
    url: str
    date: str | None
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    lang: str | None
    score: float
    snippet: str
    location: Location | None  # the place nearest the centre searched, else the first one
    distance_km: float | None = None  # to the nearest of the post's places
    locations: tuple[Location, ...] = ()  # every place this audience may see

    def __init__(
        self,
        path: str,
        title: str,
        url: str,
        date: str | None,
        tags: tuple[str, ...],
        categories: tuple[str, ...],
        lang: str | None,
        score: float,
        snippet: str,
        location: Location | None,
        distance_km: float | None = None,
        locations: tuple[Location, ...] = (),
    ) -> None:
        # The generated frozen __init__ sets each of the twelve fields by object.__setattr__;
        # one dict is a third of that, and a hit is made for every post shown.
        object.__setattr__(self, "__dict__", {
            "path": path, "title": title, "url": url, "date": date, "tags": tags,
            "categories": categories, "lang": lang, "score": score, "snippet": snippet,
            "location": location, "distance_km": distance_km, "locations": locations,
        })  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "title": self.title,
            "url": self.url,
            "date": self.date,
            "tags": list(self.tags),
            "categories": list(self.categories),
            "lang": self.lang,
            "score": round(self.score, 6),
            "snippet": self.snippet,
            "location": self.location.to_dict() if self.location else None,
            "locations": [place.to_dict() for place in self.locations],
            "distance_km": None if self.distance_km is None else round(self.distance_km, 6),
        }


class Center(NamedTuple):
    """The point distances are measured from, and the place it was named as (if any)."""

    lat: float
    lon: float
    label: str | None = None


class TitleCompletion(TypedDict):
    """A post title completing what was typed, and the post's path."""

    kind: Literal["title"]
    text: str
    path: str


class TermCompletion(TypedDict):
    """What was typed with its last word completed, and how many posts hold that word."""

    kind: Literal["term"]
    text: str
    count: int


Completion = TitleCompletion | TermCompletion


@dataclass(frozen=True)
class Results:
    """A page of hits for one query, and how many posts matched in all."""

    query: str
    total: int
    hits: tuple[Hit, ...]
    page: int = 1
    limit: int = 10
    center: Center | None = None  # the point (and place name) searched near
    facets: dict[str, dict[str, int]] | None = None
    suggestion: str | None = None  # "did you mean", when the query found little or nothing

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"query": self.query, "total": self.total}
        data["hits"] = [h.to_dict() for h in self.hits]
        if self.facets is not None:
            data["facets"] = self.facets
        if self.suggestion is not None:
            data["suggestion"] = self.suggestion
        return data


@dataclass(frozen=True)
class Stats:
    """What an index holds (``blogsearch stats``)."""

    posts: int
    located: int
    located_private: int
    languages: dict[str, int]
    tags: dict[str, int]
    categories: dict[str, int]
    first_date: str | None
    last_date: str | None
    index_bytes: int
    built_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "posts": self.posts,
            "located": self.located,
            "located_private": self.located_private,
            "languages": self.languages,
            "tags": self.tags,
            "categories": self.categories,
            "first_date": self.first_date,
            "last_date": self.last_date,
            "index_bytes": self.index_bytes,
            "built_at": self.built_at,
        }


@dataclass(frozen=True)
class Skipped:
    """A file that yields no post, and why."""

    path: str
    reason: str


@dataclass
class Summary:
    """What one ingest run read, produced, left out and warned about."""

    files: int = 0
    posts: int = 0
    drafts_excluded: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: Counter[str] = field(default_factory=Counter)
    warned_posts: int = 0
    located: int = 0  # posts with a point
    located_by: Counter[str] = field(default_factory=Counter)  # posts by where a point came from
    sites: list[str] = field(default_factory=list)  # the sites found, described

    def count(self, post: Post) -> None:
        self.posts += 1
        if post.located:
            self.located += 1
            self.located_by.update(located_by(post.locations))
        if post.warnings:
            self.warned_posts += 1
            self.warnings.update(w.reason for w in post.warnings)

    def skipped_by_reason(self) -> Counter[str]:
        return Counter(s.reason for s in self.skipped)


def located_by(places: tuple[Location, ...]) -> Iterator[str]:
    """The sources of a post's points: front matter, body, geocoded (each once)."""
    yield from dict.fromkeys(p.source or "front-matter" for p in places if p.has_point)
