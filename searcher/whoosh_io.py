"""Read memory-mapped segments in place: a patch to whoosh-reloaded 2.7.5's ``BufferFile``.

Whoosh maps a segment file and hands each of its sub-files (terms, postings, columns) to a
``BufferFile`` over a memoryview of the map, which wraps the view in ``io.BytesIO``; BytesIO
copies it. Opening a 60,000-post index thus copied nearly all of its 383 MB segment file
(postings, stored fields, terms) into the own memory of every process searching it.
:class:`ViewFile` reads the view where it lies, and :func:`install` (called before an index is
opened) makes ``BufferFile`` use it.
"""

from __future__ import annotations

import io
import mmap
import threading
from collections.abc import Iterator
from typing import Any, TypeAlias

from whoosh.filedb.structfile import BufferFile

LINE_CHUNK = 4096  # bytes readline scans at a time

Buffer: TypeAlias = bytes | bytearray | memoryview | mmap.mmap

WHOOSH_INIT = BufferFile.__init__  # whoosh's own, which copies: to compare with


class _Position(threading.local):
    """A position in a file, one per thread (a thread starts at the file's start)."""

    pos = 0


class ViewFile:
    """A read-only binary file over a buffer (a slice of an mmap), reading it without a copy.

    It has what ``StructFile`` and ``pickle.load`` call on a file: read, readinto, readline,
    peek, seek and tell. Each thread has its own position: Whoosh reads postings and stored
    fields by a seek then reads, on one file shared by every search of a segment, so with
    one shared position (as BytesIO has) two concurrent searches read each other's bytes,
    and the index had to be searched one request at a time. ``close`` releases this file's
    own view of the map; the map itself lives on while ``BufferFile._buf`` does, as it
    always did.
    """

    __slots__ = ("_at", "_closed", "_size", "_view")

    def __init__(self, buf: Buffer) -> None:
        self._view = memoryview(buf).cast("B")  # a new view of the same memory, in bytes
        self._size = len(self._view)
        self._at = _Position()  # .pos: this thread's position
        self._closed = False

    def read(self, size: int | None = -1) -> bytes:
        pos = self._at.pos
        if size is None or size < 0:
            size = self._size
        data = self._view[pos : pos + size].tobytes()
        self._at.pos = pos + len(data)
        return data

    def readinto(self, buffer: Buffer) -> int:
        target = memoryview(buffer).cast("B")
        pos = self._at.pos
        end = min(pos + len(target), self._size)
        count = max(end - pos, 0)
        target[:count] = self._view[pos : pos + count]
        self._at.pos = pos + count
        return count

    def peek(self, size: int = 0) -> memoryview:
        """The bytes from the position on (``size`` of them, at least one), not consumed.

        A memoryview rather than bytes: ``pickle.load`` asks for 128 KiB ahead, reads what
        it needs through the buffer protocol, then ``read``\\ s that much; nothing is copied.
        """
        pos = self._at.pos
        return self._view[pos : pos + max(size, 1)]

    def readline(self, size: int | None = -1) -> bytes:
        pos = end = self._at.pos
        limit = self._size if size is None or size < 0 else min(pos + size, self._size)
        while end < limit:
            chunk = self._view[end : min(end + LINE_CHUNK, limit)].tobytes()
            newline = chunk.find(b"\n")
            if newline >= 0:
                end += newline + 1
                break
            end += len(chunk)
        self._at.pos = end
        return self._view[pos:end].tobytes()

    def readlines(self, hint: int = -1) -> list[bytes]:
        lines: list[bytes] = []
        total = 0
        for line in self:
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                break
        return lines

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if self._closed:
            raise ValueError("I/O operation on closed file")
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._at.pos + offset
        elif whence == io.SEEK_END:
            pos = self._size + offset
        else:
            raise ValueError(f"invalid whence ({whence!r}, should be 0, 1 or 2)")
        if pos < 0:
            if whence == io.SEEK_SET:
                raise ValueError(f"negative seek position {pos}")
            pos = 0  # as BytesIO does
        self._at.pos = pos
        return pos

    def tell(self) -> int:
        if self._closed:
            raise ValueError("I/O operation on closed file")
        return self._at.pos

    def close(self) -> None:
        """Release this file's view (reads then fail with ValueError, as on a closed file)."""
        if not self._closed:
            self._closed = True
            try:
                self._view.release()
            except BufferError:  # someone holds a buffer of this very view: let it go with them
                self._view = memoryview(b"")
                self._view.release()

    def getbuffer(self) -> memoryview:
        """A view of the whole file, as ``BytesIO.getbuffer``: the mapped memory itself."""
        return memoryview(self._view)

    @property
    def closed(self) -> bool:
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError("I/O operation on closed file")

    def readable(self) -> bool:
        self._check_open()
        return True

    def seekable(self) -> bool:
        self._check_open()
        return True

    def writable(self) -> bool:
        self._check_open()
        return False

    def write(self, data: Buffer) -> int:
        raise io.UnsupportedOperation("a memory-mapped segment is read-only")

    def truncate(self, size: int | None = None) -> int:
        raise io.UnsupportedOperation("a memory-mapped segment is read-only")

    def flush(self) -> None:
        pass

    def __enter__(self) -> ViewFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _buffer_file_init(self: Any, buf: Buffer, name: str | None = None, onclose: Any = None) -> None:
    """``BufferFile.__init__`` as in whoosh-reloaded 2.7.5, with a ViewFile for the BytesIO.

    Its read, seek and tell are the ViewFile's own, bound here: ``StructFile``'s forward every
    call through ``*args, **kwargs``, which costs more than BytesIO's C methods take to run
    and would make a Python-level file slower to read than the copy.
    """
    self._buf = buf
    self._name = name
    self.file = ViewFile(buf)
    self.read = self.file.read
    self.seek = self.file.seek
    self.tell = self.file.tell
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def install() -> None:
    """Make every ``BufferFile`` created from now on read its buffer in place (idempotent)."""
    BufferFile.__init__ = _buffer_file_init


def installed() -> bool:
    """Whether :func:`install` has run (``BufferFile`` reads in place)."""
    return bool(BufferFile.__init__ is _buffer_file_init)
