"""A package's public names, imported on first use (PEP 562).

A subpackage's ``__init__`` names what other layers use from it without importing it: importing
one module of a package (``searcher.geo.coords``) must not import its siblings (shapely,
matplotlib, Whoosh…), which made every command pay start-up for libraries it never used.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def exports(
    package: str, where: Mapping[str, Iterable[str]], submodules: Iterable[str] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose public names are ``where``'s
    (module → the names it gives) and its ``submodules`` (each by its name)."""
    found = {name: module for module, names in where.items() for name in names}
    found.update({name: f"{package}.{name}" for name in submodules})

    def __getattr__(name: str) -> Any:
        module = found.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        if module == f"{package}.{name}":
            value = importlib.import_module(module)
        else:
            value = getattr(importlib.import_module(module), name)
        vars(sys.modules[package])[name] = value  # later look-ups find it directly
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *found})

    return __getattr__, __dir__


def load(module: str) -> None:
    """Import ``module`` (numpy, say, on the first request that needs it) with the cyclic
    garbage collector paused, and frozen after it where the process froze what it imported
    before (the command line does, see ``cli/commands.py``): a library's modules, classes and
    functions live as long as the process, and the collector would walk them again and again,
    freeing nothing (2 ms of a ``blogsearch query`` that imports numpy for its scorer)."""
    if module in sys.modules:
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        importlib.import_module(module)
    finally:
        if gc.get_freeze_count():
            gc.freeze()
        if enabled:
            gc.enable()
