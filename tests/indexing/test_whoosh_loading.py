"""Whoosh through its door: imported without urllib.request, asyncio and morph_en, and with
nothing in ``sys.modules`` left replaced: a later import of those modules gets the real ones.

Each check runs in a fresh interpreter, since Whoosh is imported once per process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

UNUSED = ("urllib.request", "cached_property", "asyncio", "whoosh.lang.morph_en", "http.client",
          "email")  # fmt: skip


def run(code: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)  # fmt: skip
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_searching_imports_none_of_what_whoosh_never_uses() -> None:
    found = run(
        "import json, sys\n"
        "import searcher.search.generation, whoosh.reading, whoosh.query\n"
        f"print(json.dumps({{'left': [m for m in {UNUSED!r} if m in sys.modules]}}))"
    )
    assert found == {"left": []}


def test_later_imports_get_the_real_modules(tmp_path: Path) -> None:
    source = tmp_path / "page.txt"
    source.write_text("fetched")
    found = run(
        "import json, sys\n"
        "import searcher.search.query\n"
        "from whoosh import compat, reading\n"
        "from whoosh.query import terms\n"
        "import cached_property, urllib.request, whoosh.lang.morph_en as morph\n"
        # the real modules, each with its file and what a stand-in would lack
        "real = [bool(getattr(m, '__file__', None)) for m in (cached_property, urllib.request,"
        " morph)]\n"
        "real += [hasattr(urllib.request, 'Request'), hasattr(cached_property, 'asyncio')]\n"
        # Whoosh's own names still work: they call the real modules
        f"path, _ = compat.urlretrieve({source.as_uri()!r}, {str(tmp_path / 'copy')!r})\n"
        "forms = sorted(terms.variations('rendered'))\n"
        "print(json.dumps({'real': real, 'copied': open(path).read(),\n"
        "    'forms': forms == sorted(morph.variations('rendered')) and 'render' in forms,\n"
        "    'parent': sys.modules['urllib'].request is urllib.request,\n"
        "    'property': reading.SegmentReader.deleted_docs_set.attrname}))"
    )
    assert found == {"real": [True] * 5, "copied": "fetched", "forms": True, "parent": True,
                     "property": "deleted_docs_set"}  # fmt: skip


def test_modules_imported_before_whoosh_are_used_as_they_are() -> None:
    found = run(
        "import json, cached_property, urllib.request\n"
        "import searcher.indexing.ondisk\n"
        "from whoosh import compat, reading\n"
        "print(json.dumps([reading.cached_property is cached_property.cached_property,\n"
        "                  compat.urlretrieve is urllib.request.urlretrieve]))"
    )
    assert found == [True, True]
