"""The index's one writer: batches of analysed posts in, one Whoosh segment out per commit.

Where posts are read (worker processes), a :class:`BatchBuilder` turns analysed documents
into a :class:`Batch`: arrays of postings (term, document, weight, value) and the documents'
stored fields, lengths and column values. The :class:`IndexWriter` files each batch's
per-document values with Whoosh's own column writers and its postings in a run
(``segruns``: sorted once by term and document with numpy, spilled to a temporary file past
RUN_POSTINGS postings or RUN_BYTES of values). At the commit the runs are merged a chunk of
terms at a time and encoded by ``segwriter`` (ENCODERS chunks at once, while the next is
merged: in worker processes when the build has them, else in threads) into one segment
file; Whoosh's table of contents then makes it the index's,
atomically (a killed writer leaves the previous generation whole).

Updates mark the old documents of a post deleted in their segments, as Whoosh's writer
does; the segments Whoosh's own merge policy (``MERGE_SMALL``) picks are read back
(``segreader``) and written into the new segment after the new documents, as Whoosh's
``add_reader`` would.
"""

from __future__ import annotations

import os
import pickle
from collections import defaultdict, deque
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import columns, formats, index, writing
from whoosh.codec import default_codec
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, STORED_COLUMN, W3Codec, _lenfield
from whoosh.system import pack_ushort
from whoosh.util.filelock import try_for
from whoosh.util.numeric import byte_to_length

from searcher.indexing._whoosh import segreader, segruns, segwriter
from searcher.indexing._whoosh.segruns import Batch
from searcher.indexing._whoosh.segwriter import I64, U8, Field

RUN_POSTINGS = 1_000_000  # postings sorted in memory before a run is spilled (~110 bytes each)
# or bytes of their values, whichever comes first: values average 8 bytes (kaigai-matome's long
# Japanese posts too), but a value holds every position of its word in the post
RUN_BYTES = 64_000_000
ENCODERS = 2  # threads encoding chunks of postings at the commit (a build has two cores)
_STORED = "_stored"
# the stored column's values pickled as Whoosh's STORED_COLUMN pickles them (protocol 2) and
# deflated by ISA-L at its level 3 into the zlib streams Whoosh inflates: against zlib at
# level 6 (Whoosh's), 1.15 -> 0.12 ms a kaigai-matome post, its stored fields 11 % larger
# (21.3 -> 23.6 MB, 1.5 % of the index); 0.064 -> 0.020 ms a post of the four corpora
STORED_PICKLE = 2
STORED_LEVEL = 3

# one document's analysed fields: (name, [(term, weight, value)], length, stored, column)
Prepared = tuple[tuple[str, list[tuple[bytes, float, bytes]], int, Any, Any], ...]


def field_numbers(schema: Any) -> dict[str, int]:
    """Every indexed field's number in a segment's terms: the schema's names in order."""
    return {name: i for i, name in enumerate(n for n in schema.names() if schema[n].indexed)}


class BatchBuilder:
    """Collects analysed documents (see ``postings.prepare``) into a :class:`Batch`."""

    def __init__(self, schema: Any) -> None:
        if any(field.vector or field.separate_spelling() for _, field in schema.items()):
            raise ValueError("the segment writer writes no term vectors or spelling fields")
        self._prefix = {name: pack_ushort(n) for name, n in field_numbers(schema).items()}
        self._positional = {name for name in self._prefix
                            if type(schema[name].format) is formats.Positions}  # fmt: skip
        self._position_runs: list[tuple[int, int]] = []  # (first posting, count)
        self._keys: list[bytes] = []  # each posting's
        self._weights: list[float] = []
        self._values: list[bytes] = []
        self._per_doc: list[int] = []
        self._lengths: dict[str, tuple[list[int], list[int]]] = {}
        self._columns: dict[str, tuple[list[int], list[Any]]] = {}
        # each document's stored fields as the stored column keeps them: pickled, compressed
        self._stored: list[bytes] = []
        self.count = 0

    def add(self, prepared: Prepared) -> None:
        doc, before = self.count, len(self._keys)
        stored = {}
        for name, postings, length, value, column in prepared:
            if postings:
                if name in self._positional:
                    self._position_runs.append((len(self._keys), len(postings)))
                terms, weights, values = zip(*postings, strict=True)
                self._keys.extend(map(self._prefix[name].__add__, terms))
                self._weights.extend(weights)
                self._values.extend(values)
            if length:
                with_length, lengths = self._lengths.setdefault(name, ([], []))
                with_length.append(doc)
                lengths.append(length)
            if value is not None:
                stored[name] = value
            if column is not None:
                with_value, column_values = self._columns.setdefault(name, ([], []))
                with_value.append(doc)
                column_values.append(column)
        self._per_doc.append(len(self._keys) - before)
        encoded = b""  # as Whoosh: a document with no stored field has no stored value
        if stored:
            encoded = segwriter.deflate(pickle.dumps(stored, STORED_PICKLE), STORED_LEVEL)
        self._stored.append(encoded)
        self.count += 1

    def finish(self) -> Batch:
        sizes = np.fromiter(map(len, self._values), np.int64, count=len(self._values))
        positional = np.zeros(len(sizes), dtype=bool)
        if self._position_runs:
            first, counts = np.array(self._position_runs, dtype=np.int64).T
            positional[segwriter._spans(first, counts)] = True
        values, sizes = segwriter.compact_positions(b"".join(self._values), sizes, positional)
        lengths = {name: (np.array(docs, dtype=np.int64), np.array(found, dtype=np.int64))
                   for name, (docs, found) in self._lengths.items()}  # fmt: skip
        keys, terms = _numbered(self._keys)
        return Batch(
            self.count,
            keys,
            terms,
            np.array(self._per_doc, dtype=np.int32),
            np.array(self._weights, dtype=np.float32),
            sizes.astype(np.uint32),
            values,
            lengths,
            (b"".join(self._stored), np.fromiter(map(len, self._stored), np.int64)),
            self._columns,
        )


def _numbered(keys: list[bytes]) -> tuple[list[bytes], np.ndarray[Any, np.dtype[np.int32]]]:
    """The distinct keys, first seen first, and each key's number among them: one dict probe
    per key (``setdefault`` of the key's position, then a table from positions to numbers)."""
    ids: dict[bytes, int] = {}
    first = np.fromiter(map(ids.setdefault, keys, range(len(keys))), np.int64, count=len(keys))
    numbers = np.empty(len(keys), dtype=np.int32)
    numbers[np.fromiter(ids.values(), np.int64, count=len(ids))] = np.arange(len(ids))
    return list(ids), numbers[first]


# -- per-document values ----------------------------------------------------------------------


class _PerDoc:
    """Stored fields, lengths and columns, each in a Whoosh column writer over a temp file."""

    def __init__(self, schema: Any, temp: Any) -> None:
        self._schema, self._temp = schema, temp
        self._writers: dict[str, tuple[Any, Any]] = {}
        self._codes: dict[str, list[tuple[I64, U8]]] = defaultdict(list)
        self.lengths: dict[str, int] = defaultdict(int)  # as W3PerDocWriter's field lengths
        self.count = 0
        # Whoosh's writer always makes this one; its values come encoded (BatchBuilder)
        self._stored = self._writer(_STORED, STORED_COLUMN._child)

    def _writer(self, name: str, column: Any) -> Any:
        if name not in self._writers:
            file = self._temp.create_file(f"{name}.col")
            self._writers[name] = (file, column.writer(file))
        return self._writers[name][1]

    def add_batch(self, batch: Batch) -> None:
        base = self.count
        blob, sizes = batch.stored
        ends = np.cumsum(sizes).tolist()
        for doc, size in enumerate(sizes.tolist()):
            if size:  # the value as the stored column encoded it, written as it is
                columns.VarBytesColumn.Writer.add(self._stored, base + doc,
                                                  blob[ends[doc] - size : ends[doc]])  # fmt: skip
        for name, (docs, values) in batch.columns.items():
            add = self._writer(name, self._schema[name].column_type).add
            for doc, value in zip(docs, values, strict=True):
                add(base + doc, value)
        for name, (which, lengths) in batch.lengths.items():
            self.lengths[name] += int(lengths.sum())
            self._add_codes(name, which + base, segwriter.length_bytes(lengths))
        self.count += batch.count

    def _add_codes(self, name: str, docs: I64, codes: U8) -> None:
        if not len(docs):  # as Whoosh: a column only once a document has a value
            return
        self._codes[name].append((docs, codes))
        add = self._writer(_lenfield(name), LENGTHS_COLUMN).add
        for doc, code in zip(docs.tolist(), codes.tolist(), strict=True):
            add(doc, code)

    def add_segment(self, reader: Any, live: I64) -> None:
        """The live documents of a segment, after those added so far."""
        base, perdoc = self.count, reader._perdoc
        new = np.arange(base, base + len(live), dtype=np.int64)
        raw = perdoc.column_reader(_STORED, columns.VarBytesColumn())  # still compressed
        for old, doc in zip(live.tolist(), new.tolist(), strict=True):
            value = raw[old]
            if value:
                columns.VarBytesColumn.Writer.add(self._stored, doc, value)
        for name, fieldobj in self._schema.items():
            if fieldobj.column_type and perdoc.has_column(name) and len(live):
                values = perdoc.column_reader(name, fieldobj.column_type)
                add = self._writer(name, fieldobj.column_type).add
                for old, doc in zip(live.tolist(), new.tolist(), strict=True):
                    add(doc, values[old])
            codes = segreader.length_codes(reader, name) if fieldobj.scorable else None
            if codes is not None:
                kept = codes[live]
                has = kept > 0
                # as Whoosh's merge: lengths re-read from their bytes
                self.lengths[name] += sum(map(byte_to_length, kept[has].tolist()))
                self._add_codes(name, new[has], kept[has])
        self.count += len(live)

    def fields(self, numbers: dict[str, int]) -> list[Field | None]:
        """What the postings encoder needs of each field, by number."""
        found: list[Field | None] = [None] * len(numbers)
        for name, number in numbers.items():
            size = self._schema[name].format.fixed_value_size()
            codes = None
            if name in self._codes:
                codes = np.zeros(self.count, dtype=np.uint8)
                for docs, part in self._codes[name]:
                    codes[docs] = part
            found[number] = Field(-1 if size is None else size, codes)
        return found

    def finish(self) -> Iterator[tuple[str, str]]:
        """(column name, temp file path) of every column, each finished and closed."""
        for name, (file, writer) in self._writers.items():
            writer.finish(self.count)
            file.close()
            yield name, os.path.join(self._temp.folder, f"{name}.col")


# -- the new segment --------------------------------------------------------------------------


class _Segment:
    """The documents and postings of the segment a commit writes."""

    def __init__(self, schema: Any, temp: Any) -> None:
        self._schema, self._temp = schema, temp
        self._numbers = field_numbers(schema)
        self._prefix = {name: pack_ushort(n) for name, n in self._numbers.items()}
        self._pending = segruns.Pending()
        self._runs: list[segruns.Run] = []
        self.perdoc = _PerDoc(schema, temp)
        self.postings = 0  # of the documents added (not of the segments merged in)

    @property
    def count(self) -> int:
        return self.perdoc.count

    def add_batch(self, batch: Batch) -> None:
        if not batch.count:
            return
        self.postings += len(batch.terms)
        self._pending.add(batch, self.perdoc.count)
        self.perdoc.add_batch(batch)
        if self._pending.postings >= RUN_POSTINGS or self._pending.value_bytes >= RUN_BYTES:
            path = os.path.join(self._temp.folder, f"run{len(self._runs)}")
            self._runs.append(self._pending.run().spill(path))

    def add_segment(self, reader: Any) -> None:
        """Merge an existing segment's live documents in (Whoosh's ``add_reader``)."""
        if self._pending.postings:
            self._runs.append(self._pending.run())
        count = reader.doc_count_all()
        live = np.array([d for d in range(count) if not reader.is_deleted(d)], dtype=np.int64)
        docmap = np.full(count, -1, dtype=np.int64)
        docmap[live] = self.perdoc.count + np.arange(len(live))
        keys, counts, parts = [], [], []
        for fieldname, text in reader.all_terms():
            if fieldname not in self._prefix:
                continue
            found = segreader.leaf_postings(reader.postings(fieldname, text), values=True)
            if len(found.docs):
                keys.append(self._prefix[fieldname] + text)
                counts.append(len(found.docs))
                parts.append(found)
        self.perdoc.add_segment(reader, live)
        if keys:
            self._runs.append(segruns.decoded_run(keys, counts, parts, docmap))

    def write(self, storage: Any, indexname: str, encoders: Executor | None = None) -> Any:
        """Write the segment, its postings encoded by ``encoders`` (ENCODERS threads if
        None); returns Whoosh's segment object (None if it holds nothing)."""
        if not self.count:
            return None
        if self._pending.postings:
            self._runs.append(self._pending.run())
        segment = default_codec().new_segment(storage, indexname)
        compound = segwriter.Compound(storage, segment)
        try:
            self._write(compound, encoders)
        except BaseException:
            compound.file.close()
            storage.delete_file(compound.name)
            raise
        segment.set_doc_count(self.count)
        segment._fieldlengths = defaultdict(int, self.perdoc.lengths)
        segment.compound = True
        return segment

    def _write(self, compound: segwriter.Compound, encoders: Executor | None) -> None:
        segment = compound.segment
        fields = self.perdoc.fields(self._numbers)
        postings = compound.start(segment.make_filename(W3Codec.POSTS_EXT))
        start = postings.tell()
        terms_file = self._temp.create_file("terms")
        terms = segwriter.TermsWriter(terms_file, dict(self._numbers))
        for keys, encoded in _encoded(segruns.chunks(self._runs), fields, encoders):
            encoded.infos["f8"] += postings.tell() - start  # where the chunk's postings begin
            postings.write(encoded.data)
            terms.add(keys, encoded)
        terms.finish()
        terms_file.close()
        for run in self._runs:
            run.remove()
        self._copy(compound, segment.make_filename(W3Codec.TERMS_EXT),
                   os.path.join(self._temp.folder, "terms"))  # fmt: skip
        for name, path in self.perdoc.finish():
            self._copy(compound, W3Codec.column_filename(segment, name), path)
        compound.close()

    @staticmethod
    def _copy(compound: segwriter.Compound, name: str, path: str) -> None:
        file = compound.start(name)
        with open(path, "rb") as source:
            while data := source.read(1 << 20):
                file.write(data)
        compound.end()
        os.unlink(path)


def _encoded(
    chunks: Iterator[segwriter.Chunk], fields: list[Field | None], encoders: Executor | None
) -> Iterator[tuple[list[bytes], segwriter.Encoded]]:
    """Each chunk's keys, postings bytes and term infos, in order, encoded ENCODERS chunks at
    a time while the next chunk is merged: by ``encoders`` (worker processes, say), else in
    threads (zlib and numpy let go of the GIL, but the rest of the encoding holds it: two
    threads were 1.35-1.75 times as fast as one)."""
    with ExitStack() as stack:
        pool = encoders or stack.enter_context(
            ThreadPoolExecutor(ENCODERS, thread_name_prefix="encode")
        )
        pending: deque[tuple[list[bytes], Future[segwriter.Encoded]]] = deque()
        try:
            for chunk in chunks:
                pending.append((chunk.keys, pool.submit(segwriter.encode_postings, chunk, fields)))
                del chunk  # held by its job only, freed once encoded
                if len(pending) >= ENCODERS:
                    keys, job = pending.popleft()
                    yield keys, job.result()
            while pending:
                keys, job = pending.popleft()
                yield keys, job.result()
        finally:
            for _, job in pending:
                job.cancel()


# -- the writer -------------------------------------------------------------------------------


@dataclass
class _Merger:
    """What Whoosh's merge policies ask of a writer: its storage, schema and ``add_reader``."""

    storage: Any
    schema: Any
    segment: _Segment

    def add_reader(self, reader: Any) -> None:
        self.segment.add_segment(reader)


class IndexWriter:
    """Holds an index's write lock; deletes documents, adds batches, commits one segment."""

    def __init__(self, ix: Any, *, timeout: float = 0.0, delay: float = 0.1) -> None:
        self.writelock = ix.lock("WRITELOCK")
        if not try_for(self.writelock.acquire, timeout=timeout, delay=delay):
            raise index.LockError
        try:
            toc = ix._read_toc()
            self.storage, self.indexname, self.schema = ix.storage, ix.indexname, toc.schema
            self.generation = toc.generation + 1
            self.segments = list(toc.segments)
            self._temp = self.storage.temp_storage(f"{self.indexname}.tmp")
        except BaseException:
            self.writelock.release()
            raise
        self._segment = _Segment(self.schema, self._temp)
        self._readers: dict[Any, Any] = {}
        self.closed = False

    def add_batch(self, batch: Batch) -> None:
        """Add a batch's documents (after those added before)."""
        self._segment.add_batch(batch)

    @property
    def postings(self) -> int:
        """How many postings the documents added so far hold."""
        return self._segment.postings

    def delete_by_term(self, fieldname: str, text: str) -> int:
        """Mark deleted every live document of the existing segments with the term; how many."""
        from whoosh.reading import SegmentReader

        btext = self.schema[fieldname].to_bytes(text)
        count = 0
        for segment in self.segments:
            reader = self._readers.get(segment)
            if reader is None:
                reader = self._readers[segment] = SegmentReader(self.storage, self.schema,
                                                                segment)  # fmt: skip
            if (fieldname, btext) not in reader:
                continue
            for docnum in reader.postings(fieldname, btext).all_ids():
                if not segment.is_deleted(docnum):
                    segment.delete_document(docnum)
                    count += 1
        return count

    def commit(self, *, fresh: bool = False, encoders: Executor | None = None) -> None:
        """Write the new segment and the table of contents that makes it the index's: alone
        when ``fresh``, else after the segments Whoosh's MERGE_SMALL leaves unmerged.
        ``encoders`` encode its postings (processes, say), else threads of this process."""
        try:
            if fresh:
                kept: list[Any] = []
            else:
                self._close_readers()
                merger = _Merger(self.storage, self.schema, self._segment)
                kept = writing.MERGE_SMALL(merger, list(self.segments))
            new = self._segment.write(self.storage, self.indexname, encoders)
            final = kept + ([new] if new is not None else [])
            index.TOC(self.schema, final, self.generation).write(self.storage, self.indexname)
            index.clean_files(self.storage, self.indexname, self.generation, final)
        finally:
            self._finish()

    def cancel(self) -> None:
        self._finish()

    def _close_readers(self) -> None:
        for reader in self._readers.values():
            reader.close()
        self._readers = {}

    def _finish(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self._close_readers()
            self._temp.destroy()
        finally:
            self.writelock.release()
