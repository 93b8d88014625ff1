"""What the index was built from: each source file's size, mtime, hash and the posts it gave.

An update re-reads a file only when its size or mtime changed and then its content hash too;
posts of files that are gone are removed. Written atomically next to the index, after the
index commit, so a crash between the two only makes the next run re-read a few files.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MANIFEST_FILE = "manifest.json"


@dataclass
class Entry:
    """One source file as last indexed."""

    size: int
    mtime_ns: int
    sha1: str
    paths: list[str] = field(default_factory=list)  # the index paths of its posts


@dataclass
class Manifest:
    """Source file (absolute path) → :class:`Entry`, plus the options the index was built with."""

    files: dict[str, Entry] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, index_dir: Path) -> Manifest:
        """The manifest in ``index_dir``; an empty one when missing or unreadable."""
        try:
            data = json.loads((index_dir / MANIFEST_FILE).read_text())
            files = {key: Entry(**value) for key, value in data["files"].items()}
            return cls(files, dict(data.get("options", {})))
        except (OSError, ValueError, KeyError, TypeError):
            return cls()

    def save(self, index_dir: Path) -> None:
        """Write atomically: a reader or a crash sees the old manifest or the new one."""
        data = {"options": self.options, "files": {k: asdict(v) for k, v in self.files.items()}}
        temp = index_dir / f".{MANIFEST_FILE}.{os.getpid()}.tmp"
        temp.write_text(json.dumps(data, separators=(",", ":")))
        temp.replace(index_dir / MANIFEST_FILE)
