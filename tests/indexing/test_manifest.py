"""The manifest: a base file written whole and a journal of updates, read back whole or not
at all; a journal cut short by a crash counts as the run that wrote it never saved."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from searcher.indexing import manifest
from searcher.indexing.manifest import BASE_FILE, JOURNAL_FILE, OLD_FILES, Entry, Manifest

ODD_NAME = "/site/posts/caf\udce9.md"  # a file name that is not UTF-8, as os.scandir gives it


def _manifest() -> Manifest:
    found = Manifest(options={"drafts": False})
    found.put("/site/posts/a.md", Entry(120, 1_700_000_000_123_456_789, "ab" * 20, ["posts/a.md"]))
    found.put("/site/posts/é b.md", Entry(0, 5, "cd" * 20, ["posts/é b.md", "posts/b-2.md"]))
    found.put("/site/README.md", Entry(9, 7, ""))  # a file that gave no post
    found.put(ODD_NAME, Entry(3, -4, "ef" * 20, ["posts/caf\\xe9.md"]))
    return found


def _rows(found: Manifest) -> dict[str, Entry | None]:
    return {key: found.get(key) for key in found}


def test_saved_whole_and_read_back(tmp_path: Path) -> None:
    saved = _manifest()
    saved.save(tmp_path)
    assert (tmp_path / BASE_FILE).exists() and not (tmp_path / JOURNAL_FILE).exists()
    loaded = Manifest.load(tmp_path)
    assert loaded.options == saved.options and _rows(loaded) == _rows(saved)
    assert list(loaded) == list(saved) and len(loaded) == 4 and ODD_NAME in loaded
    assert loaded.is_current("/site/posts/a.md", 120, 1_700_000_000_123_456_789)
    assert not loaded.is_current("/site/posts/a.md", 121, 1_700_000_000_123_456_789)
    assert not loaded.is_current("/site/posts/new.md", 1, 1)


def test_an_update_appends_to_the_journal_and_leaves_the_base(tmp_path: Path) -> None:
    _manifest().save(tmp_path)
    base = (tmp_path / BASE_FILE).read_bytes()
    first = Manifest.load(tmp_path)
    first.put("/site/posts/a.md", Entry(121, 8, "12" * 20, ["posts/a.md", "posts/a-2.md"]))
    first.pop("/site/README.md")
    first.put("/site/posts/new.md", Entry(1, 2, "34" * 20, ["posts/new.md"]))
    first.save(tmp_path)
    second = Manifest.load(tmp_path)
    assert _rows(second) == _rows(first) and "/site/README.md" not in second
    second.pop("/site/posts/new.md")
    second.put("/site/README.md", Entry(10, 11, ""))
    second.save(tmp_path)
    assert (tmp_path / BASE_FILE).read_bytes() == base
    third = Manifest.load(tmp_path)
    assert _rows(third) == _rows(second) and list(third)[-1] == "/site/README.md"
    assert third.get("/site/posts/a.md") == Entry(121, 8, "12" * 20, ["posts/a.md", "posts/a-2.md"])


def test_a_long_journal_is_folded_into_a_new_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(manifest, "COMPACT_AT", 0.5)
    monkeypatch.setattr(manifest, "COMPACT_FROM", 0)
    _manifest().save(tmp_path)
    for run in range(20):
        found = Manifest.load(tmp_path)
        found.put(f"/site/posts/{run}.md", Entry(run, run, "", [f"posts/{run}.md"]))
        found.save(tmp_path)
    journal = tmp_path / JOURNAL_FILE
    assert journal.exists() and journal.stat().st_size <= (tmp_path / BASE_FILE).stat().st_size
    assert len(Manifest.load(tmp_path)) == 24


def _update(index_dir: Path) -> tuple[Manifest, Manifest]:
    """The manifest saved, then as the next run changed and saved it."""
    _manifest().save(index_dir)
    Manifest.load(index_dir).save(index_dir)  # nothing to add: no journal yet
    before = Manifest.load(index_dir)
    after = Manifest.load(index_dir)
    after.put("/site/posts/a.md", Entry(121, 8, "12" * 20, ["posts/a.md"]))
    after.pop(ODD_NAME)
    after.save(index_dir)
    return before, after


def test_a_journal_cut_short_is_the_run_before(tmp_path: Path) -> None:
    """A kill while the journal is appended to leaves part of a record: the manifest reads
    as before that run (which the next run then repeats), and the next save starts over."""
    before, after = _update(tmp_path)
    whole = (tmp_path / JOURNAL_FILE).read_bytes()
    second = Manifest.load(tmp_path)
    second.put("/site/posts/b.md", Entry(5, 6, "", ["posts/b.md"]))
    second.save(tmp_path)
    longer = (tmp_path / JOURNAL_FILE).read_bytes()
    for cut in sorted({0, 1, 7, 8, 9, len(whole) // 2, len(whole) - 1}):
        (tmp_path / JOURNAL_FILE).write_bytes(whole[:cut])
        assert _rows(Manifest.load(tmp_path)) == _rows(before)
    for cut in range(len(whole), len(longer)):
        (tmp_path / JOURNAL_FILE).write_bytes(longer[:cut])
        assert _rows(Manifest.load(tmp_path)) == _rows(after)
    third = Manifest.load(tmp_path)  # a torn record: the next save writes the base anew
    third.put("/site/posts/c.md", Entry(7, 8, "", ["posts/c.md"]))
    third.save(tmp_path)
    assert not (tmp_path / JOURNAL_FILE).exists()
    assert _rows(Manifest.load(tmp_path)) == _rows(third)


def test_a_journal_of_another_base_is_ignored(tmp_path: Path) -> None:
    """A kill after a new base is written and before the old journal is removed: the journal
    is already in the base, and replaying it over the base would undo newer rows."""
    _, after = _update(tmp_path)
    stale = (tmp_path / JOURNAL_FILE).read_bytes()
    after.put(ODD_NAME, Entry(3, 4, "", ["posts/odd.md"]))
    after.options = {"drafts": True}  # new options: a new base
    after.save(tmp_path)
    (tmp_path / JOURNAL_FILE).write_bytes(stale)
    assert _rows(Manifest.load(tmp_path)) == _rows(after)


def test_an_older_manifest_is_read_then_replaced(tmp_path: Path) -> None:
    rows = _rows(_manifest())
    files = [entry.row(key) for key, entry in rows.items() if entry is not None]
    data = {"format": 2, "options": {"drafts": False}, "files": files}
    (tmp_path / OLD_FILES[0]).write_bytes(gzip.compress(json.dumps(data).encode()))
    loaded = Manifest.load(tmp_path)
    assert _rows(loaded) == rows
    loaded.save(tmp_path)
    assert not (tmp_path / OLD_FILES[0]).exists() and (tmp_path / BASE_FILE).exists()
    assert _rows(Manifest.load(tmp_path)) == rows


def test_the_first_plain_format_is_read(tmp_path: Path) -> None:
    first = {"/site/a.md": {"size": 1, "mtime_ns": 2, "sha1": "ab" * 20, "paths": ["a.md"]}}
    (tmp_path / OLD_FILES[1]).write_text(json.dumps({"options": {}, "files": first}))
    assert _rows(Manifest.load(tmp_path)) == {"/site/a.md": Entry(1, 2, "ab" * 20, ["a.md"])}


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short by a full disk
        lambda data: data[:10] + bytes(len(data) - 10),  # zeroed
        lambda data: data[:-5] + bytes(5),  # its end zeroed: the zlib checksum fails
        lambda data: b"{",  # not the format at all
        lambda data: data.replace(b'"count": 4', b'"count": 3'),  # columns disagree
        lambda data: data.replace(b'"format": 3', b'"format": 99'),  # a later version's
    ],
)
def test_a_damaged_base_is_empty(tmp_path: Path, damage: object) -> None:
    """An unreadable manifest makes the next run read every file again, never crash."""
    _manifest().save(tmp_path)
    path = tmp_path / BASE_FILE
    assert callable(damage)
    path.write_bytes(damage(path.read_bytes()))
    assert len(Manifest.load(tmp_path)) == 0
