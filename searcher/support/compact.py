"""Compact files of plain values (lists, dicts, tuples, strings, numbers) that a process
reads instead of building them again: the gazetteer's tables, a generation's completion
table. ``marshal`` reads such values several times faster than ``pickle`` or JSON; its
format is Python's own, so a file's name should carry the Python version that wrote it."""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any


def read(path: Path) -> Any:
    """The value in ``path``, or None when it is missing or unreadable.

    Read with the garbage collector paused, which would otherwise walk the growing tables
    again and again (half the time of reading them)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    enabled = gc.isenabled()
    gc.disable()
    try:
        return marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    finally:
        if enabled:
            gc.enable()


def write(path: Path, value: Any) -> bool:
    """Write ``value`` whole or not at all (another process may be reading or writing the
    same file); False where the folder cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}", suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as f:
            marshal.dump(value, f)
        os.replace(temporary, path)
        return True
    except (OSError, ValueError):
        return False
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
