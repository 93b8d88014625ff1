"""The manifest file: what the index was built from, gzipped, read back whole or not at all."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from searcher.indexing.manifest import MANIFEST_FILE, PLAIN_FILE, Entry, Manifest


def _manifest() -> Manifest:
    found = Manifest(options={"drafts": False})
    found.put("/site/posts/a.md", Entry(120, 1_700_000_000_123_456_789, "ab" * 20, ["posts/a.md"]))
    found.put("/site/posts/é b.md", Entry(0, 5, "cd" * 20, ["posts/é b.md", "posts/b-2.md"]))
    found.put("/site/README.md", Entry(9, 7, ""))  # a file that gave no post
    return found


def _rows(manifest: Manifest) -> dict[str, Entry | None]:
    return {key: manifest.get(key) for key in manifest}


def test_saved_gzipped_and_read_back(tmp_path: Path) -> None:
    saved = _manifest()
    saved.save(tmp_path)
    data = json.loads(gzip.decompress((tmp_path / MANIFEST_FILE).read_bytes()))
    assert len(data["files"]) == 3  # zcat shows plain JSON
    loaded = Manifest.load(tmp_path)
    assert loaded.options == saved.options and _rows(loaded) == _rows(saved)
    assert loaded.is_current("/site/posts/a.md", 120, 1_700_000_000_123_456_789)


def test_an_older_plain_manifest_is_read_then_replaced(tmp_path: Path) -> None:
    saved = _manifest()
    saved.save(tmp_path)
    plain = gzip.decompress((tmp_path / MANIFEST_FILE).read_bytes())
    (tmp_path / MANIFEST_FILE).unlink()
    (tmp_path / PLAIN_FILE).write_bytes(plain)
    loaded = Manifest.load(tmp_path)
    assert _rows(loaded) == _rows(saved)
    loaded.save(tmp_path)
    assert not (tmp_path / PLAIN_FILE).exists()
    assert _rows(Manifest.load(tmp_path)) == _rows(saved)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short by a full disk
        lambda data: data[:10] + bytes(len(data) - 10),  # zeroed
        lambda data: b"{",  # not gzip at all
        lambda data: gzip.compress(b"[1, 2"),  # gzip of broken JSON
        lambda data: gzip.compress(b'{"format": 2, "options": {}, "files": [[]]}'),
    ],
)
def test_a_damaged_manifest_is_empty(tmp_path: Path, damage: object) -> None:
    """An unreadable manifest makes the next run read every file again, never crash."""
    _manifest().save(tmp_path)
    path = tmp_path / MANIFEST_FILE
    assert callable(damage)
    path.write_bytes(damage(path.read_bytes()))
    assert len(Manifest.load(tmp_path)) == 0
