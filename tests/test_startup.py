"""Start-up: ``import searcher`` and the commands import only what they need.

Each check runs in a fresh interpreter and asserts on ``sys.modules``: importing numpy,
shapely, Whoosh, the post readers and the rest made ``blogsearch --version`` take 0.45 s and
every search command pay for libraries it never used.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("numpy", "shapely", "matplotlib", "dask", "distributed", "rich", "starlette",
         "uvicorn", "whoosh", "bs4", "yaml", "frontmatter", "lxml", "defusedxml")  # fmt: skip
# What a text search needs none of: geometry, maps, the cluster, the web app, post readers.
NOT_FOR_SEARCH = ("shapely", "matplotlib", "dask", "distributed", "starlette", "uvicorn", "rich",
                  "bs4", "lxml", "defusedxml")  # fmt: skip

# The build side: reading posts and writing an index (a search needs none of it).
WRITER = ("searcher.ingest", "searcher.indexing.indexer", "searcher.indexing.postings",
          "searcher.indexing.fieldterms", "searcher.indexing.manifest", "searcher.indexing.store",
          "searcher.indexing._whoosh.segbuild", "searcher.indexing._whoosh.segruns",
          "searcher.indexing._whoosh.segwriter")  # fmt: skip

_RUN = """
import json, sys
sys.argv = {argv!r}
{setup}
try:
    from searcher.cli import main
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {modules!r})),
      file=sys.stderr)
"""


def imported(code: str) -> set[str]:
    """The top-level packages among ``HEAVY`` that ``code`` leaves imported (in a new process)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)  # fmt: skip
    return {name.split(".")[0] for name in json.loads(done.stderr.strip().splitlines()[-1])}


def command(*argv: str) -> set[str]:
    code = _RUN.format(argv=["blogsearch", *argv], setup="", modules=HEAVY)
    return imported(code)


def test_import_searcher_imports_no_heavy_module() -> None:
    code = (
        "import json, sys, searcher\n"
        f"print(json.dumps([m for m in sys.modules if m.split('.')[0] in {HEAVY!r}]),"
        " file=sys.stderr)"
    )
    assert imported(code) == set()


def test_public_names_still_import_on_use() -> None:
    import searcher
    from searcher.api import open_index

    assert searcher.open_index is open_index
    assert "open_index" in dir(searcher)
    with pytest.raises(AttributeError):
        _ = searcher.no_such_name


def test_version_imports_no_heavy_module() -> None:
    assert command("--version") == set()


def test_query_imports_nothing_a_text_search_does_not_use(content_index: Path) -> None:
    found = command("query", "paris", "--index-dir", str(content_index))
    assert "whoosh" in found  # the check sees what a search does import
    assert found.isdisjoint(NOT_FOR_SEARCH), found & set(NOT_FOR_SEARCH)


def test_searching_imports_neither_the_writer_nor_the_post_readers(content_index: Path) -> None:
    code = _RUN.format(argv=["blogsearch", "query", "paris", "--index-dir", str(content_index)],
                       setup="", modules=("searcher",))  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)  # fmt: skip
    ours = set(json.loads(done.stderr.strip().splitlines()[-1]))
    assert "searcher.search.engine" in ours  # the check sees what a search does import
    build_side = {m for m in ours if m.startswith(WRITER)}
    assert not build_side, build_side


def test_near_a_point_imports_no_geometry_library(content_index: Path) -> None:
    found = command("near", "48.85", "2.35", "--index-dir", str(content_index))
    assert found.isdisjoint(NOT_FOR_SEARCH), found & set(NOT_FOR_SEARCH)


def test_help_still_lists_every_command() -> None:
    from click.testing import CliRunner

    from searcher.cli import main

    out = CliRunner().invoke(main, ["--help"]).output
    for name in ("complete", "index", "inspect", "map", "near", "query", "scan", "serve",
                 "similar", "stats"):  # fmt: skip
        assert f"  {name} " in out
