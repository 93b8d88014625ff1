"""Whoosh imported without the modules it imports and never uses.

whoosh-reloaded 2.7.5 imports, for every process that searches: ``urllib.request`` in
``whoosh.compat`` (for a ``urlretrieve`` nothing in Whoosh calls; it pulls in http.client,
email, ssl and socket), the PyPI ``cached_property`` in ``whoosh.reading`` (which imports
asyncio for its async variant, for one synchronous property), and ``whoosh.lang.morph_en`` in
``whoosh.query.terms`` (for the ``Variations`` query, which we never build). Together about
45 ms of a 300 ms ``blogsearch query``.

:func:`load` imports Whoosh's query package (and with it ``compat`` and ``reading``) while
``sys.modules`` holds stand-ins for those three modules, then takes the stand-ins out again:
Whoosh's modules keep what they took from them (a ``urlretrieve`` and a ``variations`` that
import the real module when called, and :class:`functools.cached_property`, which does the
same as the PyPI one for a synchronous property), and any later import of ``urllib.request``,
``cached_property`` or ``whoosh.lang.morph_en`` (by a site backend, or by Whoosh itself) loads
the real module. A module already imported when :func:`load` runs is used as it is, and
nothing is done when Whoosh was imported before us. The stand-ins are in ``sys.modules`` only
while Whoosh is imported (a few ms, when the first index is opened or built, normally before
any other thread runs): another thread importing one of those modules at that very moment
would be handed the stand-in.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def _on_call(module: str, name: str) -> Callable[..., Any]:
    """A function that imports ``module`` when called and calls its ``name``."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{module}.{name}, imported on the first call."
    return call


def _stand_ins() -> dict[str, dict[str, Any]]:
    """Module name → what Whoosh takes from it, by name."""
    return {
        "urllib.request": {"urlretrieve": _on_call("urllib.request", "urlretrieve")},
        "cached_property": {"cached_property": functools.cached_property},
        "whoosh.lang.morph_en": {"variations": _on_call("whoosh.lang.morph_en", "variations")},
    }


@contextmanager
def _standing_in(modules: dict[str, dict[str, Any]]) -> Iterator[None]:
    """``sys.modules`` holds a stand-in for each module not imported yet, until the end."""
    placed: dict[str, types.ModuleType] = {}
    for name, attributes in modules.items():
        if name not in sys.modules:
            stand_in = types.ModuleType(name, f"A stand-in while Whoosh is imported ({__name__}).")
            vars(stand_in).update(attributes)
            placed[name] = sys.modules[name] = stand_in
    try:
        yield
    finally:
        for name, stand_in in placed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


def load() -> types.ModuleType:
    """The ``whoosh`` package, with its query package (and ``compat``, ``reading``) imported
    without the modules above; a no-op once Whoosh's ``compat`` is imported."""
    if "whoosh.compat" not in sys.modules:
        with _standing_in(_stand_ins()):
            importlib.import_module("whoosh.query")
    return importlib.import_module("whoosh")
