"""Compact files of plain values (lists, dicts, tuples, strings, numbers) that a process
reads instead of building them again: the gazetteer's tables, a generation's completion
table. ``marshal`` reads such values several times faster than ``pickle`` or JSON; its
format is Python's own, so a file's name should carry the Python version that wrote it.

A *keyed* file (:func:`write_keyed`, :class:`Keyed`) is for tables a process looks a few keys
up in: each key's value is decoded with a few dozen others, not the whole file with it."""

from __future__ import annotations

import contextlib
import gc
import marshal
import mmap
import os
import struct
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeAlias


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
        data = marshal.dumps(value)
    except ValueError:  # a value marshal cannot write
        return False
    return write_bytes(path, [data])


def write_bytes(path: Path, parts: Iterable[bytes]) -> bool:
    """Write ``parts`` one after the other to ``path``, whole or not at all."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}", suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as f:
            for part in parts:
                f.write(part)
        os.replace(temporary, path)
        return True
    except (OSError, ValueError):
        return False
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


# -- keyed files: one table's value looked up without reading the others -------------------

Key: TypeAlias = str | int
_MAGIC = b"BSK1"  # a keyed file, format 1
_LENGTH = struct.Struct("<Q")
_PER_BUCKET = 64  # keys per bucket, on average: a lookup decodes about this many entries


def _bucket(key: Key, buckets: int) -> int:
    """The bucket of ``key``: the same in every process (Python's own ``hash`` of a str is
    not)."""
    if isinstance(key, str):
        return zlib.crc32(key.encode("utf-8", "surrogatepass")) % buckets
    return key % buckets


def write_keyed(
    path: Path,
    head: Any,
    tables: Mapping[str, Mapping[Key, Any]],
    per_bucket: Mapping[str, int] | None = None,
) -> bool:
    """Write ``head`` (read whole) and ``tables`` (each key's value read on its own, by
    :class:`Keyed`, with about ``per_bucket[table]`` others: 64 unless given) whole or not
    at all; False where the folder cannot be written."""
    blobs: list[bytes] = []
    layout: dict[str, tuple[int, list[int]]] = {}
    offset = 0
    for name, table in tables.items():
        count = max(1, len(table) // (per_bucket or {}).get(name, _PER_BUCKET))
        buckets: list[dict[Key, Any]] = [{} for _ in range(count)]
        for key, value in table.items():
            buckets[_bucket(key, count)][key] = value
        offsets = [offset]
        try:
            for bucket in buckets:
                blobs.append(marshal.dumps(bucket))
                offset += len(blobs[-1])
                offsets.append(offset)
        except ValueError:  # a value marshal cannot write
            return False
        layout[name] = (count, offsets)
    try:
        header = marshal.dumps({"head": head, "tables": layout})
    except ValueError:
        return False
    return write_bytes(path, [_MAGIC, _LENGTH.pack(len(header)), header, *blobs])


class Tables(Protocol):
    """Keyed tables with a head: a :class:`Keyed` file, or :class:`InMemory` where none
    could be written."""

    head: Any

    def get(self, table: str, key: Key, default: Any = None) -> Any: ...

    def items(self, table: str) -> Iterator[tuple[Key, Any]]: ...


class InMemory:
    """The tables of :func:`write_keyed` as plain dicts, for where none could be written."""

    def __init__(self, head: Any, tables: Mapping[str, Mapping[Key, Any]]) -> None:
        self.head = head
        self._tables = tables

    def get(self, table: str, key: Key, default: Any = None) -> Any:
        return self._tables[table].get(key, default)

    def items(self, table: str) -> Iterator[tuple[Key, Any]]:
        return iter(self._tables[table].items())


def keep_keyed(
    path: Path | None,
    head: Any,
    tables: Mapping[str, Mapping[Key, Any]],
    per_bucket: Mapping[str, int] | None = None,
    *,
    mapped: bool = False,
) -> Tables:
    """The tables, written to ``path`` and read back from it (see :meth:`Keyed.open`), else
    kept in memory."""
    if path is not None and write_keyed(path, head, tables, per_bucket):
        kept = Keyed.open(path, mapped=mapped)
        if kept is not None:
            return kept
    return InMemory(head, tables)


class Keyed:
    """A keyed file: its head decoded whole, each table's buckets decoded when a key in them
    is first looked up (a few µs instead of the whole file's tens of ms). Use :meth:`open`."""

    def __init__(self, data: Any, head: Any, start: int, layout: dict[str, Any]) -> None:
        self.head = head
        self._data = data  # the whole file: its bytes, or mapped into memory
        self._start = start  # where the buckets begin
        self._layout: dict[str, tuple[int, list[int]]] = layout
        self._decoded: dict[tuple[str, int], dict[Key, Any]] = {}

    @classmethod
    def open(cls, path: Path, *, mapped: bool = False) -> Keyed | None:
        """The keyed file at ``path``, or None when it is missing, unreadable or not whole.
        ``mapped``: mapped into memory (a large file of which a process decodes little)
        rather than read (a smaller one, or one whose folder should hold no map open)."""
        try:
            if mapped:
                with path.open("rb") as f:
                    data: Any = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            else:
                data = memoryview(path.read_bytes())
        except (OSError, ValueError):  # missing, or empty (which mmap refuses)
            return None
        try:
            if bytes(data[: len(_MAGIC)]) != _MAGIC:
                return None
            (length,) = _LENGTH.unpack_from(data, len(_MAGIC))
            start = len(_MAGIC) + _LENGTH.size + length
            header = marshal.loads(data[len(_MAGIC) + _LENGTH.size : start])
            layout = header["tables"]
            ends = [offsets[-1] for _, offsets in layout.values()]
            if max(ends, default=0) != len(data) - start:
                return None  # cut short
            return cls(data, header["head"], start, layout)
        except (ValueError, EOFError, TypeError, KeyError, struct.error):
            return None

    def tables(self) -> list[str]:
        return list(self._layout)

    def get(self, table: str, key: Key, default: Any = None) -> Any:
        """The value of ``key`` in ``table``, else ``default``."""
        count, _ = self._layout[table]
        return self._bucket(table, _bucket(key, count)).get(key, default)

    def items(self, table: str) -> Iterator[tuple[Key, Any]]:
        """Every key of ``table`` with its value (every bucket decoded), in no set order."""
        count, _ = self._layout[table]
        for number in range(count):
            yield from self._bucket(table, number).items()

    def _bucket(self, table: str, number: int) -> dict[Key, Any]:
        found = self._decoded.get((table, number))
        if found is None:  # two threads may both decode it: the same value, harmless
            _, offsets = self._layout[table]
            start, end = self._start + offsets[number], self._start + offsets[number + 1]
            found = self._decoded[(table, number)] = marshal.loads(self._data[start:end])
        return found
