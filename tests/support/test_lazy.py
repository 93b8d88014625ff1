"""Tests for searcher.support.lazy.load: a library imported late, the collector as it was."""

from __future__ import annotations

import subprocess
import sys

_CODE = """
import gc, sys
from searcher.support import lazy

assert "colorsys" not in sys.modules and not gc.get_freeze_count()
lazy.load("colorsys")
assert "colorsys" in sys.modules and gc.isenabled()
assert not gc.get_freeze_count()  # a process that froze nothing: nothing frozen

gc.freeze()  # as the command line does once it has imported a command's libraries
before = gc.get_freeze_count()
lazy.load("wave")
assert "wave" in sys.modules and gc.isenabled() and gc.get_freeze_count() > before

gc.disable()
lazy.load("quopri")
assert not gc.isenabled()  # left as it was
lazy.load("quopri")  # imported already: nothing to do
print("ok")
"""


def test_load_imports_with_the_collector_paused_and_leaves_it_as_it_was() -> None:
    done = subprocess.run([sys.executable, "-c", _CODE], capture_output=True, text=True,
                          check=True, timeout=60)  # fmt: skip
    assert done.stdout.strip() == "ok"
