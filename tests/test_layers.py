"""The package's layers, read from its source: imports go one way, Whoosh stays behind its door.

Every ``import`` counts, at module level or inside a function (a lazy import is still a
dependency). Layers, lowest first: errors and models, geo, ingest, indexing, search, shards, the
API (``searcher/__init__.py`` and ``api.py``), then the CLI and the web app side by side.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "searcher"
DOOR = "searcher.indexing._whoosh"

# layer → the layers it may import (besides itself)
ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "support": frozenset({"errors"}),  # plain helpers with no domain vocabulary
    "models": frozenset({"errors"}),
    "geo": frozenset({"models", "errors", "support"}),
    "ingest": frozenset({"geo", "models", "errors", "support"}),
    "indexing": frozenset({"ingest", "geo", "models", "errors", "support"}),
    "search": frozenset({"indexing", "geo", "models", "errors", "support"}),
    "shards": frozenset({"search", "indexing", "geo", "models", "errors", "support"}),
    "api": frozenset(
        {"shards", "search", "indexing", "ingest", "geo", "models", "errors", "support"}
    ),
    "cli": frozenset({"api", "geo", "models", "errors", "support"}),
    "web": frozenset({"api", "geo", "models", "errors", "support"}),
}
WHOOSH_LAYERS = frozenset({"indexing", "search"})

# What is still to be done (issue 17): each entry goes when fixed, and nothing may be added.
NOT_YET = {
    "imports": {},
    "cycle": [],
    "whoosh": [],
    "private": [],
}  # fmt: skip


def whoosh_private_names() -> frozenset[str]:
    """Every private attribute Whoosh's own classes set on themselves (``self._x = ...``)."""
    import whoosh

    names = set()
    for path in Path(whoosh.__file__).parent.rglob("*.py"):
        with warnings.catch_warnings():  # Whoosh's own sources hold invalid escapes ('\\g')
            warnings.simplefilter("ignore", DeprecationWarning)
            tree = ast.parse(path.read_bytes())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and _private_of_self(node):
                names.add(node.attr)
    return frozenset(names)


def _private_of_self(node: ast.Attribute) -> bool:
    return (
        node.attr.startswith("_")
        and not node.attr.startswith("__")
        and isinstance(node.value, ast.Name)
        and node.value.id in ("self", "cls")
    )


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    return {module_name(p): ast.parse(p.read_text(), str(p)) for p in PACKAGE.rglob("*.py")}


MODULES = modules()


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "api":
        return "api"
    return parts[1]


def imports(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """Every module an import statement names, with its line: ``from a import b`` names ``a.b``
    when that is a module of ours, else ``a``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                yield (submodule if submodule in MODULES else node.module), node.lineno


def internal(module: str) -> Iterator[tuple[str, int]]:
    """The modules of ``searcher`` that ``module`` imports, with the packages that importing
    them initialises (but the root package, which every import runs first)."""
    for name, line in imports(MODULES[module]):
        parts = name.split(".")
        if name == "searcher":
            yield name, line
        elif parts[0] == "searcher":
            for end in range(2, len(parts) + 1):
                target = ".".join(parts[:end])
                if target in MODULES and not module.startswith(target + "."):  # not its own package
                    yield target, line


def test_the_layers_are_the_packages() -> None:
    assert {layer(m) for m in MODULES} == set(ALLOWED)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_one_way(module: str) -> None:
    own = layer(module)
    wrong = sorted(
        f"line {line}: {name} ({layer(name)})"
        for name, line in internal(module)
        if layer(name) != own and layer(name) not in ALLOWED[own]
    )
    expected: list[str] = NOT_YET["imports"].get(module, [])  # type: ignore[attr-defined]
    assert wrong == expected, f"{module} ({own}) may import only {sorted(ALLOWED[own])}"


def test_no_import_cycles() -> None:
    graph = {m: {name for name, _ in internal(m) if name != m} for m in MODULES}
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        for dependency in sorted(graph[module]):
            cycle = visit(dependency, [*path, module])
            if cycle:
                return cycle
        done.add(module)
        return None

    def canonical(cycle: list[str]) -> tuple[str, ...]:  # the same cycle, from its first name
        ring = cycle[:-1]
        start = ring.index(min(ring))
        return (*ring[start:], *ring[:start], ring[start])

    cycles = {canonical(cycle) for module in sorted(graph) if (cycle := visit(module, []))}
    assert sorted(cycles) == ([tuple(NOT_YET["cycle"])] if NOT_YET["cycle"] else [])


def test_only_the_index_and_search_layers_import_whoosh() -> None:
    importers = {
        module
        for module, tree in MODULES.items()
        for name, _ in imports(tree)
        if name == "whoosh" or name.startswith("whoosh.")
    }
    assert importers, "the search reads nothing from Whoosh? the test is looking wrongly"
    assert sorted(m for m in importers if layer(m) not in WHOOSH_LAYERS) == NOT_YET["whoosh"]


def private_reads(tree: ast.Module, whoosh_names: frozenset[str]) -> Iterator[str]:
    """Reads of Whoosh's private attributes: ``x._name`` (or ``getattr(x, "_name")``) with a
    name Whoosh sets on its objects, unless the module sets that name on its own objects."""
    own = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and _private_of_self(n)}
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Attribute):
            name = node.attr
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr")
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            name = node.args[1].value
        if name in whoosh_names and name not in own:
            yield f"line {node.lineno}: .{name}"


def test_whoosh_private_attributes_are_read_only_behind_the_door() -> None:
    whoosh_names = whoosh_private_names()
    found = {
        module: list(private_reads(tree, whoosh_names))
        for module, tree in MODULES.items()
        if not module.startswith(DOOR)
    }
    assert sorted(module for module, reads in found.items() if reads) == NOT_YET["private"]


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer(m) in ("search", "shards")))
def test_the_read_path_opens_indexes_without_the_writer(module: str) -> None:
    writer = "searcher.indexing.indexer"
    builds = module == "searcher.shards.layout"  # builds shards with the writer
    assert builds or writer not in {name for name, _ in internal(module)}


# The root and each layer's package: a public surface (``__all__``) imported on first use.
PACKAGES = sorted(
    m for m in MODULES if m.count(".") <= 1 and (PACKAGE / m[9:] / "__init__.py").exists()
)
LAZY = "searcher.support.lazy"  # what every package's __init__ imports to be lazy
# The packages that import Whoosh import its door first (Whoosh imported without what it never
# uses, before any of their modules imports a part of it): the door and what it imports.
THROUGH_THE_DOOR = {"searcher.indexing", "searcher.search"}
DOOR_MODULES = {"searcher.indexing", DOOR, f"{DOOR}.loading", "searcher.errors"}
_NEW_MODULES = """
import json, sys
before = set(sys.modules)
import {package}
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def type_checking_names(tree: ast.Module) -> dict[str, tuple[str, str]]:
    """The names an ``if TYPE_CHECKING:`` block imports: name → (module, name in it)."""
    names = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module
                for alias in statement.names:
                    names[alias.asname or alias.name] = (statement.module, alias.name)
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_resolves_to_what_mypy_sees(package: str) -> None:
    module = importlib.import_module(package)
    public = module.__all__
    typed = type_checking_names(MODULES[package])
    assert public and sorted(public) == sorted(typed), "__all__ and the TYPE_CHECKING imports"
    for name in public:
        source, original = typed[name]
        submodule = f"{source}.{original}"
        expected = (
            importlib.import_module(submodule)
            if submodule in MODULES
            else getattr(importlib.import_module(source), original)
        )
        assert getattr(module, name) is expected, name
        assert name in dir(module)
    with pytest.raises(AttributeError):
        _ = module.no_such_name


@pytest.mark.parametrize("package", PACKAGES)
def test_importing_a_package_imports_none_of_its_modules(package: str) -> None:
    code = _NEW_MODULES.format(package=package)  # a fresh process: nothing imported before
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)  # fmt: skip
    ours = {name for name in json.loads(done.stdout) if name.split(".")[0] == "searcher"}
    door = DOOR_MODULES if package in THROUGH_THE_DOOR else set()
    assert ours <= {"searcher", package, "searcher.support", LAZY, *door}, sorted(ours)
