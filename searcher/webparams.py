"""The web API's parameters: one table gives each its name, type, bounds and help.

The same table checks a request's query string and writes the OpenAPI description, so the
two cannot drift apart. Every value is bounded (length, count, range) before it reaches the
search, and a bad one raises :class:`InvalidParameter` naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from searcher.engine import SORTS, resolve_center
from searcher.errors import InvalidParameter, UsageError
from searcher.geo import parse_bbox, parse_coordinate, parse_radius_km
from searcher.query import MAX_QUERY_CHARS
from searcher.schema import partial_date_span

MAX_LIMIT = 100  # hits per page
MAX_PAGE = 1000
MAX_COMPLETIONS = 20
MAX_CHARS = 200  # any value but the query text
MAX_REPEAT = 20  # values of one repeatable parameter
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")

Kind = Literal["string", "integer", "number", "boolean"]
Endpoint = Literal["search", "near", "complete", "page"]
_LISTS: tuple[Endpoint, ...] = ("search", "near", "page")  # endpoints returning hits


@dataclass(frozen=True)
class Param:
    """One query-string parameter: what it is, where it is taken, how it is checked."""

    name: str
    help: str
    endpoints: tuple[Endpoint, ...] = _LISTS
    kind: Kind = "string"
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    repeat: bool = False
    max_chars: int = MAX_CHARS
    check: Callable[[str], Any] | None = None  # raises UsageError; its result is the value
    choices: tuple[str, ...] = ()
    example: str | None = None


def _date(text: str) -> str:
    try:
        partial_date_span(text)
    except (ValueError, OverflowError) as exc:  # 9999: its end is past the calendar's
        raise UsageError(f"{text!r} is not a date that can be searched ({exc})") from None
    return text


PARAMS: tuple[Param, ...] = (
    Param("q", "Words, \"phrases\", AND/OR/NOT, title: tag: category: lang: date: near: "
          "(Whoosh syntax); also read as text. For /api/complete: the prefix typed so far.",
          ("search", "near", "complete", "page"), max_chars=MAX_QUERY_CHARS, example="cloud paris"),
    Param("near", "Centre: LAT,LON or a place name (offline gazetteer).",
          check=resolve_center, example="48.8566,2.3522"),
    Param("lat", "Latitude of the centre in degrees (with lon, instead of near).", ("near",),
          kind="number", minimum=-90, maximum=90, check=lambda v: parse_coordinate(v, "lat"),
          example="48.8566"),
    Param("lon", "Longitude of the centre in degrees (with lat, instead of near).", ("near",),
          kind="number", minimum=-180, maximum=180, check=lambda v: parse_coordinate(v, "lon"),
          example="2.3522"),
    Param("radius", "Only posts within this distance of the centre: 20 (km), 20km, 500m, 5mi.",
          check=parse_radius_km, example="20km"),
    Param("bbox", "Only posts inside S,W,N,E in degrees (W > E crosses the 180th meridian).",
          check=parse_bbox, example="43,3,44,4"),
    Param("tag", "Only posts with this tag; repeated: with each of them (any, with any_tag).",
          repeat=True),
    Param("any_tag", "With several tag values: any of them will do.", kind="boolean",
          default=False),
    Param("category", "Only posts in this category; repeated: in each of them.", repeat=True),
    Param("lang", "Only posts in this language (fr, de…); repeated: in any of them.",
          repeat=True, max_chars=20),
    Param("since", "Only posts from this date on: YYYY, YYYY-MM or YYYY-MM-DD.", check=_date,
          max_chars=20, example="2011-03"),
    Param("until", "Only posts up to this date: YYYY, YYYY-MM or YYYY-MM-DD.", check=_date,
          max_chars=20, example="2019"),
    Param("has_location", "Only posts with a place on the map.", kind="boolean", default=False),
    Param("sort", "Order of hits (distance needs a centre).", ("search", "page"),
          default="relevance", choices=SORTS),
    Param("facets", "Add counts of the hits by tag, category, year and language.",
          ("search",), kind="boolean", default=False),
    Param("page", "Page number.", kind="integer", default=1, minimum=1, maximum=MAX_PAGE),
    Param("limit", "Hits per page.", kind="integer", default=10, minimum=1, maximum=MAX_LIMIT),
    Param("limit", "Most completions.", ("complete",), kind="integer", default=10, minimum=1,
          maximum=MAX_COMPLETIONS),
)  # fmt: skip


def params_of(endpoint: Endpoint) -> tuple[Param, ...]:
    """The parameters one endpoint takes, in table order."""
    return tuple(p for p in PARAMS if endpoint in p.endpoints)


def parse(endpoint: Endpoint, query: Any) -> dict[str, Any]:
    """Every parameter of ``endpoint`` read from ``query`` (a multi-dict with ``getlist``),
    checked and converted; absent ones get their default (None, False or [])."""
    values: dict[str, Any] = {}
    for param in params_of(endpoint):
        given: list[str] = list(query.getlist(param.name))
        if param.name == "q" and not given:
            given = list(query.getlist("text"))  # the Python API's name for it
        values[param.name] = _read(param, given)
    return values


def _read(param: Param, given: Sequence[str]) -> Any:
    if len(given) > (MAX_REPEAT if param.repeat else 1):
        many = f"at most {MAX_REPEAT} times" if param.repeat else "once"
        raise InvalidParameter(param.name, f"{param.name} may be given {many}")
    for value in given:
        if len(value) > param.max_chars:
            raise InvalidParameter(
                param.name, f"{param.name} is longer than {param.max_chars} characters"
            )
    if param.repeat:
        return [v.strip() for v in given if v.strip()]
    if not given or (not given[0].strip() and param.kind != "boolean"):
        return param.default
    return _convert(param, given[0].strip())


def _convert(param: Param, value: str) -> Any:
    if param.kind == "boolean":
        if value.lower() not in TRUE + FALSE:
            raise InvalidParameter(param.name, f"{param.name} must be true or false, not {value!r}")
        return value.lower() in TRUE
    if param.kind == "integer":
        return _integer(param, value)
    if param.choices and value not in param.choices:
        raise InvalidParameter(
            param.name, f"{param.name} must be one of {', '.join(param.choices)}, not {value!r}"
        )
    if param.check is None:
        return value
    try:
        return param.check(value)
    except UsageError as exc:
        raise InvalidParameter(param.name, f"{param.name}: {exc}") from None


def _integer(param: Param, value: str) -> int:
    low, high = param.minimum, param.maximum
    try:
        number = int(value, 10)
    except ValueError:
        number = None
    if number is None or (low is not None and number < low) or (high is not None and number > high):
        raise InvalidParameter(
            param.name, f"{param.name} must be a whole number from {low} to {high}, not {value!r}"
        )
    return number


def search_kwargs(values: Mapping[str, Any]) -> dict[str, Any]:
    """The :meth:`Index.search` keyword arguments of parsed search parameters."""
    return {
        "near": values["near"],
        "radius_km": values["radius"],
        "bbox": values["bbox"],
        "tags": values["tag"],
        "any_tag": values["any_tag"],
        "categories": values["category"],
        "lang": values["lang"],
        "since": values["since"],
        "until": values["until"],
        "has_location": values["has_location"],
        "page": values["page"],
        "limit": values["limit"],
    }


def check_centre(values: Mapping[str, Any]) -> None:
    """The combinations the table alone cannot check: a radius or a distance sort needs a centre."""
    if values["near"] is not None or "near:" in (values.get("q") or ""):
        return
    if values["radius"] is not None:
        raise InvalidParameter("radius", "a radius needs a centre (near)")
    if values.get("sort") == "distance":
        raise InvalidParameter("sort", "sorting by distance needs a centre (near)")
