"""The web layer: a Starlette app over one opened index, safe to put on the internet.

``create_app(index)`` serves the JSON API (the shapes of the CLI's ``--json``), its OpenAPI
description, a search page that works without JavaScript, and the page's two static files.
Errors are translated here, once: a :class:`BlogsearchError` becomes JSON with its HTTP
status and, for a bad parameter, that parameter's name; anything else is logged and answered
with a bare 500, never a traceback. The app mounts inside any Starlette or FastAPI app.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from searcher.api import REFRESH_INTERVAL, Index, open_index
from searcher.errors import BlogsearchError, InvalidParameter, UsageError
from searcher.geo import maps
from searcher.models import Results
from searcher.web import openapi, page, params

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("searcher.web")  # the name users configure, kept from before the move

# Sent with every response: nothing runs but our own script, nothing is framed or sniffed.
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


class _JSON(JSONResponse):
    """UTF-8 as is, like the CLI's ``--json``."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _Endpoints:
    """The request handlers, bound to one index. Plain functions: Starlette runs them in its
    thread pool, and :class:`Index` is thread-safe."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._stats: tuple[float, dict[str, Any]] | None = None  # (when, figures)

    def search(self, request: Request) -> Response:
        values = params.parse("search", request.query_params)
        params.check_centre(values)
        results = _run(lambda: self.index.search(
            values["q"], sort=values["sort"], facets=values["facets"],
            **params.search_kwargs(values)))  # fmt: skip
        return _JSON(results.to_dict())

    def near(self, request: Request) -> Response:
        values = params.parse("near", request.query_params)
        values["near"] = _centre(values)
        results = _run(lambda: self.index.search(
            values["q"], sort="distance", **params.search_kwargs(values)))  # fmt: skip
        return _JSON(results.to_dict())

    def complete(self, request: Request) -> Response:
        values = params.parse("complete", request.query_params)
        prefix = values["q"] or ""
        return _JSON(self.index.complete(prefix, limit=values["limit"]) if prefix.strip() else [])

    def stats(self, request: Request) -> Response:
        """The figures, counted again at most once per refresh interval (they read every
        post's date: tens of milliseconds on a few thousand posts)."""
        now = time.monotonic()
        if self._stats is None or now - self._stats[0] >= REFRESH_INTERVAL:
            self._stats = (now, self.index.stats().to_dict())
        return _JSON(self._stats[1])

    def openapi(self, request: Request) -> Response:
        return _JSON(openapi.document())

    def page(self, request: Request) -> Response:
        """The search page: the form, and for a query its hits, paging and map."""
        root = request.scope.get("root_path", "")
        form = page.Form.of(request.query_params)
        try:
            values = params.parse("page", request.query_params)
            results = self._page_results(values)
        except UsageError as exc:
            html = page.render(root, form, None, None, error=str(exc))
            return HTMLResponse(html, status_code=400)
        drawing = _map(results) if results is not None else None
        return HTMLResponse(page.render(root, form, results, drawing))

    def _page_results(self, values: dict[str, Any]) -> Results | None:
        asked = values["q"] or values["near"] or values["bbox"] or values["tag"]
        asked = asked or values["category"] or values["lang"] or values["since"] or values["until"]
        if not asked and not values["has_location"]:
            return None
        params.check_centre(values)
        return _run(lambda: self.index.search(
            values["q"], sort=values["sort"], **params.search_kwargs(values)))  # fmt: skip


def _run(search: Any) -> Results:
    """Run a search; an error that names no parameter is about the query text."""
    try:
        results: Results = search()
    except InvalidParameter:
        raise
    except UsageError as exc:
        raise InvalidParameter("q", str(exc)) from None
    return results


def _centre(values: dict[str, Any]) -> Any:
    """/api/near's centre: ``near``, or ``lat`` and ``lon`` together."""
    lat, lon, near = values["lat"], values["lon"], values["near"]
    if near is not None and (lat is not None or lon is not None):
        raise InvalidParameter("near", "give either near or lat and lon, not both")
    if near is not None:
        return near
    if lat is None or lon is None:
        missing = "near" if lat is None and lon is None else "lon" if lon is None else "lat"
        raise InvalidParameter(missing, "give a centre: lat and lon, or near")
    return (lat, lon)


def _map(results: Results) -> str | None:
    """The hits' places as inline SVG, or None when no hit on the page has one to show."""
    points = tuple(maps.hit_points(results.hits))
    return _drawing(points) if points else None


@functools.lru_cache(maxsize=256)
def _drawing(points: tuple[maps.MapPoint, ...]) -> str:
    """Drawing a map clips the world outline (a few tens of ms): the same hits, the same map."""
    return maps.render_svg(points, width=320, standalone=False)


# -- errors ------------------------------------------------------------------------------


def _error_body(message: str, parameter: str | None = None) -> dict[str, Any]:
    return {"error": message, "parameter": parameter}


async def _library_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BlogsearchError)
    parameter = exc.parameter if isinstance(exc, InvalidParameter) else None
    return _JSON(_error_body(str(exc), parameter), status_code=exc.http_status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _JSON(_error_body(exc.detail), status_code=exc.status_code, headers=exc.headers)


class _Guard:
    """Outermost: adds the security headers, and turns any unexpected exception into a logged,
    generic 500 (no traceback leaves the server)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.decode("latin-1").lower() not in SECURITY_HEADERS]  # fmt: skip
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_secured)
        except Exception:
            log.exception("unexpected error serving %s", scope.get("path"))
            if not started:
                response = _JSON(_error_body("internal error"), status_code=500)
                await response(scope, receive, send_secured)


# -- the app -----------------------------------------------------------------------------


def create_app(index: Index, *, cors_origins: Sequence[str] = ()) -> Starlette:
    """The ASGI app over ``index`` (the caller opens and closes it).

    ``cors_origins`` lists the origins other sites may call the API from; none by default.
    From now on the index warms each rebuild in a background thread before answering from it
    (:meth:`Index.refresh_in_background`).
    """
    index.refresh_in_background()  # a rebuild is warmed before requests use it
    endpoints = _Endpoints(index)
    routes: list[BaseRoute] = [
        Route("/", endpoints.page, name="page"),
        Route("/api/search", endpoints.search, name="search"),
        Route("/api/near", endpoints.near, name="near"),
        Route("/api/complete", endpoints.complete, name="complete"),
        Route("/api/stats", endpoints.stats, name="stats"),
        Route("/openapi.json", endpoints.openapi, name="openapi"),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [Middleware(_Guard)]
    if cors_origins:
        middleware.append(Middleware(
            CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET"]))  # fmt: skip
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={BlogsearchError: _library_error, HTTPException: _http_error},
    )
    app.state.index = index
    return app


def app_from_env() -> Starlette:
    """The app ``blogsearch serve`` runs in each worker, configured by the environment:
    ``BLOGSEARCH_INDEX``, ``BLOGSEARCH_AUDIENCE`` (public by default) and
    ``BLOGSEARCH_CORS_ORIGINS`` (comma-separated). ``uvicorn --factory`` can run it too."""
    audience = os.environ.get("BLOGSEARCH_AUDIENCE") or "public"
    origins = os.environ.get("BLOGSEARCH_CORS_ORIGINS", "")
    index = open_index(os.environ.get("BLOGSEARCH_INDEX") or None, audience=audience)
    index.warm()  # before the worker serves: its first requests as fast as the others
    return create_app(index, cors_origins=[o.strip() for o in origins.split(",") if o.strip()])
