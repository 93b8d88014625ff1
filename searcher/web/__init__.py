"""The web app (Starlette): the JSON API, the search page, its OpenAPI description and assets.

:mod:`~searcher.web.params` is the one table of request parameters, :mod:`~searcher.web.page`
writes the HTML page, :mod:`~searcher.web.openapi` the API description, :mod:`~searcher.web.app`
the routes; ``blogsearch serve`` runs ``searcher.web:app_from_env``.

Imported on first use: importing the parameters or the page never imports the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from searcher.support.lazy import exports

if TYPE_CHECKING:
    from searcher.web.app import app_from_env, create_app

__getattr__, __dir__ = exports(
    __name__,
    {
        "searcher.web.app": (
            "app_from_env",
            "create_app",
        )
    },
)

__all__ = ["app_from_env", "create_app"]
