"""The OpenAPI 3.1 description of the web API, written from the parameter table it checks
requests with, and from the JSON shapes of :mod:`searcher.models`."""

from __future__ import annotations

import functools
from importlib import metadata
from typing import Any

from searcher.webparams import MAX_REPEAT, Endpoint, Param, params_of

_ERRORS = {
    "400": "A parameter cannot be used; ``parameter`` names it.",
    "503": "No index to search (yet).",
}


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


_LOCATION = {
    "type": ["object", "null"],
    "description": "A place of the post; null when it has none the audience may see.",
    "properties": {
        "lat": _nullable("number"),
        "lon": _nullable("number"),
        "public": {"type": "boolean", "description": "false only for the owner audience"},
        "address": _nullable("string"),
        "source": {**_nullable("string"), "enum": ["front-matter", "body", "geocoded", None],
                   "description": "where the point came from"},
        "geocoded": {**_nullable("string"),
                     "description": "the gazetteer place a written name was resolved to"},
    },
    "required": ["lat", "lon", "public", "address", "source", "geocoded"],
}  # fmt: skip
_HIT = {
    "type": "object",
    "properties": {
        "path": {"type": "string"},
        "title": {"type": "string"},
        "url": {"type": "string"},
        "date": {**_nullable("string"), "description": "ISO 8601"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "categories": {"type": "array", "items": {"type": "string"}},
        "lang": _nullable("string"),
        "score": {"type": "number"},
        "snippet": {"type": "string", "description": "HTML: escaped text, matches in <mark>"},
        "location": {"$ref": "#/components/schemas/Location",
                     "description": "the place nearest the centre, else the first"},
        "locations": {"type": "array", "items": {"$ref": "#/components/schemas/Location"},
                      "description": "every place of the post the audience may see"},
        "distance_km": {**_nullable("number"),
                        "description": "from the centre to the nearest place, when one given"},
    },
    "required": ["path", "title", "url", "date", "tags", "categories", "lang", "score",
                 "snippet", "location", "locations", "distance_km"],
}  # fmt: skip
_COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
_RESULTS = {
    "type": "object",
    "properties": {
        "query": {"type": "string"},
        "total": {"type": "integer", "description": "posts matched in all, on every page"},
        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        "facets": {"type": "object", "additionalProperties": _COUNTS,
                   "description": "with facets=true: counts by tag, category, year, lang"},
        "suggestion": {"type": "string", "description": "did you mean (when found little)"},
    },
    "required": ["query", "total", "hits"],
}  # fmt: skip
_STATS = {
    "type": "object",
    "properties": {
        "posts": {"type": "integer"},
        "located": {"type": "integer"},
        "located_private": {"type": "integer"},
        "languages": _COUNTS,
        "tags": _COUNTS,
        "categories": _COUNTS,
        "first_date": _nullable("string"),
        "last_date": _nullable("string"),
        "index_bytes": {"type": "integer"},
        "built_at": _nullable("string"),
    },
    "required": ["posts", "located", "located_private", "languages", "tags", "categories",
                 "first_date", "last_date", "index_bytes", "built_at"],
}  # fmt: skip
_COMPLETION = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "enum": ["title", "term"]},
        "text": {"type": "string", "description": "what to put in the search box"},
        "path": {"type": "string", "description": "the post, for a title"},
        "count": {"type": "integer", "description": "posts holding the word, for a term"},
    },
    "required": ["kind", "text"],
}
_ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "parameter": {**_nullable("string"), "description": "the parameter at fault"},
    },
    "required": ["error", "parameter"],
}
SCHEMAS = {"Results": _RESULTS, "Hit": _HIT, "Location": _LOCATION, "Stats": _STATS,
           "Completion": _COMPLETION, "Error": _ERROR}  # fmt: skip

_ENDPOINTS: dict[str, tuple[Endpoint | None, str, str, dict[str, Any]]] = {
    "/api/search": ("search", "Search posts", "One page of the posts matching the text, "
                    "filters and place, as `blogsearch query --json` prints it.",
                    {"$ref": "#/components/schemas/Results"}),
    "/api/near": ("near", "Posts near a place", "Located posts nearest to a centre, nearest "
                  "first, as `blogsearch near --json` prints them. Give lat and lon, or near.",
                  {"$ref": "#/components/schemas/Results"}),
    "/api/complete": ("complete", "Completions", "Search-as-you-type: post titles, then words "
                      "completing the last word of q, as `blogsearch complete --json` prints "
                      "them. An empty q gets an empty list.",
                      {"type": "array", "items": {"$ref": "#/components/schemas/Completion"}}),
    "/api/stats": (None, "What the index holds", "Counts, languages, top tags and categories, "
                   "dates, size, as `blogsearch stats --json` prints them.",
                   {"$ref": "#/components/schemas/Stats"}),
}  # fmt: skip


def _parameter(param: Param) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": param.kind}
    if param.kind == "string":
        schema["maxLength"] = param.max_chars
    for key, value in (("minimum", param.minimum), ("maximum", param.maximum)):
        if value is not None:
            schema[key] = value
    if param.choices:
        schema["enum"] = list(param.choices)
    if param.default is not None:
        schema["default"] = param.default
    described: dict[str, Any] = {"name": param.name, "in": "query", "required": False,
                                 "description": param.help}  # fmt: skip
    if param.repeat:
        schema = {"type": "array", "items": schema, "maxItems": MAX_REPEAT}
        described |= {"style": "form", "explode": True}
    described["schema"] = schema
    if param.example is not None:
        described["example"] = param.example
    return described


@functools.cache
def document() -> dict[str, Any]:
    """The OpenAPI document served at ``/openapi.json``."""
    paths: dict[str, Any] = {}
    for path, (endpoint, summary, description, body) in _ENDPOINTS.items():
        responses: dict[str, Any] = {
            "200": {"description": "OK", "content": {"application/json": {"schema": body}}}
        }
        for status, why in _ERRORS.items():
            if status == "400" and endpoint is None:
                continue
            error = {"$ref": "#/components/schemas/Error"}
            responses[status] = {"description": why,
                                 "content": {"application/json": {"schema": error}}}  # fmt: skip
        operation = {
            "operationId": path.rsplit("/", 1)[-1],
            "summary": summary,
            "description": description,
            "parameters": [_parameter(p) for p in params_of(endpoint)] if endpoint else [],
            "responses": responses,
        }
        paths[path] = {"get": operation}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "blogsearch",
            "version": _version(),
            "description": "Full-text and geographic search over one blog archive's index.",
        },
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }


def _version() -> str:
    try:
        return metadata.version("blogsearch")
    except metadata.PackageNotFoundError:
        return "0"
