"""A build's worker processes: how they end."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from searcher.indexing import processes

HOLDER = '''
import os

class Told:
    """Says when it is freed, with what it bound while the interpreter was whole."""

    def __init__(self, path, _open=open):
        self.path, self._open = path, _open

    def __del__(self):
        self._open(self.path, "w").close()

kept = []

def keep(path):
    kept.append(Told(path))
    return os.getpid()
'''


def test_a_worker_ends_without_freeing_what_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker let go skips the interpreter's teardown: what it read is not freed object by
    object (a reader holds thousands of posts' worth, and freeing them took CPU from the
    commit). Here an object a job left behind would say so when freed."""
    (tmp_path / "bs_test_holder.py").write_text(HOLDER)
    monkeypatch.syspath_prepend(str(tmp_path))  # a spawned worker starts with this sys.path
    holder = importlib.import_module("bs_test_holder")
    freed = tmp_path / "freed"
    workers = processes.pool(1)
    try:
        assert workers.submit(holder.keep, str(freed)).result() > 0
        assert workers.submit(sum, [1, 2]).result() == 3  # the worker goes on working
    finally:
        workers.shutdown(wait=True)
    assert not freed.exists()
