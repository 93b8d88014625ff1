"""What the index was built from: each source file's size, mtime, hash and the posts it gave.

An update re-reads a file only when its size or mtime changed, and re-indexes it only when its
content hash changed too; posts of files that are gone are removed. Written next to the
index, after the index commit, so a crash between the two only makes the next run re-read a
few files.

Every run loads the whole manifest and a one-post update must finish in a second at 60,000
files, so it is two files:

- ``manifest.bin``, the *base*, written whole (atomically) by a full build and whenever the
  journal grows large: one line of JSON (format, the base's id, the build options, the
  number of files, the keys' length, the byte order), then one zlib stream of columns:
  sizes and mtimes (int64), post counts (int32; minus the length of a file's one post path
  when its key ends with it, the usual case, so the path is not stored), SHA-1s (20 bytes,
  zeros for none), the keys and the other post paths (UTF-8, NUL-separated). Loading it
  makes no object per file but the key; an :class:`Entry` is made only for the files a run
  touches.
- ``manifest.log``, the *journal*, which an update appends to instead of rewriting the base:
  records of ``length, crc32`` (little-endian uint32) and JSON, the first naming the base it
  follows (``{"base": id}``), each other one a run's changed rows ``[key, size, mtime_ns,
  sha1, post path…]`` and removed keys ``[key]``. A record cut short by a crash, or a journal
  of another base (a compaction killed before it removed the old journal), is ignored as if
  that run had not saved its manifest, and the next save writes the base anew.

JSON and gzip of 60,000 rows took 0.14 s to load and 0.19 s to save; the manifest of the
versions before (``manifest.json.gz``, or plain ``manifest.json``) is still read, once.
"""

from __future__ import annotations

import gzip
import json
import secrets
import struct
import sys
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from searcher.indexing import store

BASE_FILE = "manifest.bin"
JOURNAL_FILE = "manifest.log"
OLD_FILES = ("manifest.json.gz", "manifest.json")  # as the versions before wrote it
FORMAT = 3
LEVEL = 1  # zlib's: keys and paths 7x smaller, 20 ms to inflate 60,000 files'
COMPACT_AT = 1 / 8  # rewrite the base when the journal outgrows this fraction of it
COMPACT_FROM = 1 << 16  # and this many bytes (a small site's journal stays a journal)
_RECORD = struct.Struct("<II")  # a journal record's length and CRC-32
_NO_SHA1 = bytes(20)
_ERRORS = (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, zlib.error)


@dataclass
class Entry:
    """One source file as last indexed."""

    size: int
    mtime_ns: int
    sha1: str
    paths: list[str] = field(default_factory=list)  # the index paths of its posts

    def row(self, key: str) -> list[Any]:
        return [key, self.size, self.mtime_ns, self.sha1, *self.paths]


@dataclass
class _Base:
    """The base file's columns, position by position (a removed key keeps its position)."""

    sha1: bytes = b""  # 20 bytes per position
    counts: list[int] = field(default_factory=list)  # paths listed, or -length of the one
    listed: bytes = b""  # the listed post paths, NUL-separated, decoded when first needed
    id: str = ""
    size: int = 0  # bytes on disk
    _paths: list[str] | None = None
    _starts: list[int] = field(default_factory=list)

    def entry(self, i: int, key: str, size: int, mtime_ns: int) -> Entry:
        digest = self.sha1[20 * i : 20 * i + 20]
        sha1 = "" if digest == _NO_SHA1 else digest.hex()
        count = self.counts[i]
        if count < 0:  # the usual post: one, whose path ends its file's
            return Entry(size, mtime_ns, sha1, [key[count:]])
        if self._paths is None:
            self._paths = self.listed.decode("utf-8", "surrogatepass").split("\0")
            self._starts = [0, *accumulate(c if c > 0 else 0 for c in self.counts)]
        start = self._starts[i]
        return Entry(size, mtime_ns, sha1, self._paths[start : start + count])


@dataclass
class Manifest:
    """Source file (absolute path) → :class:`Entry`, plus the options the index was built with."""

    options: dict[str, Any] = field(default_factory=dict)
    _index: dict[str, int] = field(default_factory=dict)  # key → position
    _sizes: list[int] = field(default_factory=list)
    _mtimes: list[int] = field(default_factory=list)
    _base: _Base = field(default_factory=_Base)
    _rows: dict[int, Entry] = field(default_factory=dict)  # positions put since the base
    _journal: list[list[Any]] = field(default_factory=list)  # rows to append at the save
    _journal_end: int | None = None  # where the journal's valid records end; None: none
    _saved: dict[str, Any] | None = None  # the options in the base file

    def __contains__(self, key: str) -> bool:
        return key in self._index

    def __len__(self) -> int:
        return len(self._index)

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def get(self, key: str) -> Entry | None:
        i = self._index.get(key)
        if i is None:
            return None
        entry = self._rows.get(i)
        if entry is None:
            return self._base.entry(i, key, self._sizes[i], self._mtimes[i])
        return Entry(entry.size, entry.mtime_ns, entry.sha1, list(entry.paths))

    def is_current(self, key: str, size: int, mtime_ns: int) -> bool:
        """Whether ``key`` was indexed with this size and mtime (so need not be read)."""
        i = self._index.get(key)
        return i is not None and self._sizes[i] == size and self._mtimes[i] == mtime_ns

    def put(self, key: str, entry: Entry) -> None:
        self._put(key, entry)
        self._journal.append(entry.row(key))

    def pop(self, key: str) -> Entry:
        entry = self.get(key)
        if entry is None:
            raise KeyError(key)
        del self._index[key]
        self._journal.append([key])
        return entry

    def _put(self, key: str, entry: Entry) -> None:
        i = self._index.get(key)
        if i is None:
            i = self._index[key] = len(self._sizes)
            self._sizes.append(entry.size)
            self._mtimes.append(entry.mtime_ns)
        else:
            self._sizes[i], self._mtimes[i] = entry.size, entry.mtime_ns
        self._rows[i] = Entry(entry.size, entry.mtime_ns, entry.sha1, list(entry.paths))

    def _replay(self, rows: list[list[Any]]) -> None:
        for row in rows:
            if len(row) == 1:
                self._index.pop(row[0], None)
            else:
                key, size, mtime_ns, sha1, *paths = row
                self._put(key, Entry(int(size), int(mtime_ns), str(sha1), paths))

    @classmethod
    def load(cls, index_dir: Path) -> Manifest:
        """The manifest in ``index_dir``; an empty one when missing, unreadable or older."""
        try:
            found = _parse_base((index_dir / BASE_FILE).read_bytes())
        except FileNotFoundError:
            return _load_old(index_dir)
        except _ERRORS:
            return cls()
        try:
            data = (index_dir / JOURNAL_FILE).read_bytes()
        except FileNotFoundError:
            return found
        except OSError:
            data = b""
        found._journal_end, records = _records(data, found._base.id)
        for rows in records:
            found._replay(rows)
        return found

    def save(self, index_dir: Path) -> None:
        """Append this run's rows to the journal, or write the base anew (atomically, then
        the journal goes): a reader or a crash sees the old manifest or the new one."""
        compact = self._must_compact(index_dir)
        if compact or not self._journal:
            if compact:
                self._compact(index_dir)
            return
        record = _record(self._journal)
        if self._journal_end is None:  # a new journal: first the base it follows
            record = _record({"base": self._base.id}) + record
        _append(index_dir / JOURNAL_FILE, record)
        self._journal_end = (self._journal_end or 0) + len(record)
        self._journal = []

    def _must_compact(self, index_dir: Path) -> bool:
        if not self._base.id or self.options != self._saved:
            return True
        try:
            size = (index_dir / JOURNAL_FILE).stat().st_size
        except FileNotFoundError:
            return self._journal_end is not None
        return size != self._journal_end or size > max(COMPACT_FROM, self._base.size * COMPACT_AT)

    def _compact(self, index_dir: Path) -> None:
        keys = list(self._index)
        entries = [self.get(key) for key in keys]
        rows = [e for e in entries if e is not None]
        base_id = secrets.token_hex(8)
        header = {"format": FORMAT, "id": base_id, "options": self.options, "count": len(keys),
                  "order": sys.byteorder}  # fmt: skip
        text = "\0".join(keys).encode("utf-8", "surrogatepass")
        counts, listed = _paths_of(keys, rows)
        body = b"".join([
            array("q", [e.size for e in rows]).tobytes(),
            array("q", [e.mtime_ns for e in rows]).tobytes(),
            array("i", counts).tobytes(),
            b"".join(bytes.fromhex(e.sha1) if e.sha1 else _NO_SHA1 for e in rows),
            text, b"\0", "\0".join(listed).encode("utf-8", "surrogatepass"),
        ])  # fmt: skip
        header["keys"] = len(text)
        content = json.dumps(header).encode() + b"\n" + zlib.compress(body, LEVEL)
        store.write_atomically(index_dir / BASE_FILE, content)
        for name in (JOURNAL_FILE, *OLD_FILES):
            (index_dir / name).unlink(missing_ok=True)
        self._base.id, self._base.size = base_id, len(content)
        self._saved, self._journal, self._journal_end = dict(self.options), [], None


def _parse_base(content: bytes) -> Manifest:
    """A manifest of the base file's ``content`` alone; raises when it is not one."""
    line, _, packed = content.partition(b"\n")
    header = json.loads(line)
    if header["format"] != FORMAT or header["order"] != sys.byteorder:
        raise ValueError("another format, or another machine's")
    count, length = int(header["count"]), int(header["keys"])
    body = zlib.decompress(packed)
    sizes, mtimes, counts = array("q"), array("q"), array("i")
    sizes.frombytes(body[: 8 * count])
    mtimes.frombytes(body[8 * count : 16 * count])
    counts.frombytes(body[16 * count : 20 * count])
    sha1 = body[20 * count : 40 * count]
    text = body[40 * count : 40 * count + length].decode("utf-8", "surrogatepass")
    listed = body[40 * count + length + 1 :]
    keys = text.split("\0") if count else []
    paths = sum(filter((0).__lt__, counts))
    if (
        len(keys) != count
        or len(sha1) != 20 * count
        or listed.count(b"\0") != paths - 1 + (not paths)
    ):
        raise ValueError("columns of different lengths")
    base = _Base(sha1, counts.tolist(), listed, str(header["id"]), len(content))
    options = dict(header["options"])
    return Manifest(options, dict(zip(keys, range(count), strict=True)), sizes.tolist(),
                    mtimes.tolist(), base, _saved=dict(options))  # fmt: skip


def _append(path: Path, record: bytes) -> None:
    with path.open("ab") as journal:
        journal.write(record)


def _paths_of(keys: list[str], rows: list[Entry]) -> tuple[list[int], list[str]]:
    """Each file's count of post paths, or minus the length of its one path when the file's
    key ends with it (then not stored: a third of the base's bytes), and the paths stored."""
    counts, listed = [], []
    for key, entry in zip(keys, rows, strict=True):
        if len(entry.paths) == 1 and entry.paths[0] and key.endswith(entry.paths[0]):
            counts.append(-len(entry.paths[0]))
        else:
            counts.append(len(entry.paths))
            listed.extend(entry.paths)
    return counts, listed


def _record(payload: Any) -> bytes:
    data = json.dumps(payload, separators=(",", ":")).encode()
    return _RECORD.pack(len(data), zlib.crc32(data)) + data


def _records(data: bytes, base_id: str) -> tuple[int | None, list[list[list[Any]]]]:
    """Where the journal's valid records end (None if it follows another base) and the rows
    of each run they hold; a torn or damaged record ends it."""
    found: list[Any] = []
    at = 0
    while at + _RECORD.size <= len(data):
        length, crc = _RECORD.unpack_from(data, at)
        payload = data[at + _RECORD.size : at + _RECORD.size + length]
        if len(payload) != length or zlib.crc32(payload) != crc:
            break
        try:
            found.append(json.loads(payload))
        except ValueError:
            break
        at += _RECORD.size + length
    if not found or not isinstance(found[0], dict) or found[0].get("base") != base_id:
        return None, []
    if not all(isinstance(rows, list) for rows in found[1:]):
        return None, []
    return at, found[1:]


def _load_old(index_dir: Path) -> Manifest:
    """The manifest as the versions before wrote it: gzipped JSON (or plain), one row per
    file (or, in the first format, a map of path to fields)."""
    try:
        try:
            data = json.loads(gzip.decompress((index_dir / OLD_FILES[0]).read_bytes()))
        except FileNotFoundError:
            data = json.loads((index_dir / OLD_FILES[1]).read_bytes())
        files = data["files"]
        if data.get("format") != 2:  # the first format: {path: {"size": …, …}}
            files = [Entry(**value).row(key) for key, value in files.items()]
        found = Manifest(dict(data["options"]))
        found._replay(files)
        return found
    except (*_ERRORS, AttributeError):
        return Manifest()
