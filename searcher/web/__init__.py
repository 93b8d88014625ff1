"""The web app (Starlette): the JSON API, the search page, its OpenAPI description and assets.

:mod:`~searcher.web.params` is the one table of request parameters, :mod:`~searcher.web.page`
writes the HTML page, :mod:`~searcher.web.openapi` the API description, :mod:`~searcher.web.app`
the routes; ``blogsearch serve`` runs ``searcher.web:app_from_env``.
"""

from searcher.web.app import app_from_env, create_app

__all__ = ["app_from_env", "create_app"]
