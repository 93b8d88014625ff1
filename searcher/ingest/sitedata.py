"""Files a site's generator reads beside its posts, read once per version of each file:
Eleventy's folder and template data files (JSON or JavaScript), the front matter of Hugo's
section pages (for their ``cascade``)."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from searcher.ingest import jsmatter, meta

_MAX_BYTES = 1_000_000


def cascade(data: Mapping[str, Any]) -> dict[str, Any]:
    """A section's ``cascade``: a table, or a list of them (those without a ``_target``)."""
    value = data.get("cascade")
    tables = value if isinstance(value, list) else [value]
    found: dict[str, Any] = {}
    for table in tables:
        if isinstance(table, Mapping) and "_target" not in table and "target" not in table:
            found.update((str(k), v) for k, v in table.items())
    return found


def front_matter(path: Path) -> Mapping[str, Any]:
    """A section page's front matter (empty when absent or unreadable)."""
    try:
        info = path.stat()
    except OSError:
        return {}
    return _front_matter_of(str(path), info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=512)
def _front_matter_of(path: str, mtime_ns: int, size: int) -> Mapping[str, Any]:
    if size > _MAX_BYTES:
        return {}
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return meta.parse(file.read()).data
    except OSError:
        return {}


def json_data(path: Path) -> Mapping[str, Any]:
    """A data file's mapping (empty when absent, unreadable or not a mapping), read once per
    version of the file: JSON, or JavaScript (``.js``, ``.mjs``, ``.cjs``: the literal
    values of the object it exports, read without running it, :mod:`jsmatter`)."""
    try:
        info = path.stat()
    except OSError:
        return {}
    return _data_file(str(path), info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=512)
def _data_file(path: str, mtime_ns: int, size: int) -> Mapping[str, Any]:
    if size > _MAX_BYTES:
        return {}
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file) if path.endswith(".json") else jsmatter.load(file.read())[0]
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}
