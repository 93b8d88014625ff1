"""Read memory-mapped segments in place, for our indexes only (whoosh-reloaded 2.7.5).

Whoosh maps a segment file and hands each of its sub-files (terms, postings, columns) to a
``BufferFile`` over a memoryview of the map, which wraps the view in ``io.BytesIO``; BytesIO
copies it. Opening a 60,000-post index thus copied nearly all of its 383 MB segment file
(postings, stored fields, terms) into the own memory of every process searching it.
:class:`MappedStorage` is the storage our indexes are opened with (:mod:`searcher.indexing.ondisk`):
it maps each segment file itself and cuts its sub-files as :class:`MappedFile` s, whose
:class:`ViewFile` reads the view where it lies. Whoosh's own classes are left as they are, so
an application that also opens Whoosh indexes of its own gets Whoosh's behaviour there.
"""

from __future__ import annotations

import contextlib
import io
import mmap
import threading
from collections.abc import Iterator
from typing import Any, TypeAlias

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile

LINE_CHUNK = 4096  # bytes readline scans at a time

Buffer: TypeAlias = bytes | bytearray | memoryview | mmap.mmap

SEGMENT_SUFFIX = ".seg"  # a compound segment file: every sub-file of one segment


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


class MappedFile(BufferFile):  # type: ignore[misc]
    """A ``BufferFile`` that reads its buffer in place; its sub-files do too."""

    __init__ = _buffer_file_init

    def subset(self, position: int, length: int, name: str | None = None) -> MappedFile:
        """A sub-file over the same memory (``BufferFile.subset`` copies the bytes)."""
        view = memoryview(self._buf)[position : position + length]
        part: MappedFile = MappedFile(view, name=name or self._name)
        return part


class MappedStorage(FileStorage):  # type: ignore[misc]
    """A folder whose segment files are mapped and read in place.

    ``supports_mmap`` is false so that Whoosh's ``CompoundStorage`` cuts each sub-file with
    the segment file's own ``subset`` (ours, in place) instead of mapping the file again and
    wrapping it in a copying ``BufferFile``.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False, readonly=True)

    def open_file(self, name: str, **kwargs: Any) -> Any:
        if not name.endswith(SEGMENT_SUFFIX):
            return super().open_file(name, **kwargs)
        with open(self._fpath(name), "rb") as f:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        return MappedFile(mapped, name=name, onclose=lambda _: _unmap(mapped))


def _unmap(mapped: mmap.mmap) -> None:
    """Let go of a segment's map when its storage closes (as Whoosh's own map: at once, or
    when the last view of it goes if one is still held)."""
    with contextlib.suppress(BufferError):
        mapped.close()
