"""Byte-string columns read in place (``indexing._whoosh.bytecolumn``): every document gives
what Whoosh's own column reader gives, in our indexes and in Whoosh's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from whoosh import fields
from whoosh.filedb.filestore import FileStorage, RamStorage

from searcher.indexing import ondisk, records
from searcher.indexing._whoosh import bytecolumn
from searcher.indexing._whoosh.bytecolumn import ByteColumn


def whoosh_values(reader: Any, name: str) -> list[bytes]:
    """Each segment's values as its own Whoosh reader gives them (the reader over several
    segments misplaces documents after a segment without the column)."""
    found: list[bytes] = []
    for leaf, _ in reader.leaf_readers():
        column = leaf.column_reader(name)
        found += [column[d] for d in range(leaf.doc_count_all())]
    return found


def our_values(reader: Any, name: str) -> list[bytes]:
    read = ByteColumn(reader, name)
    return [read(d) for d in range(reader.doc_count_all())]


def test_every_post_shown_as_whoosh_reads_it(content_index: Path) -> None:
    with ondisk.open_existing(content_index).searcher() as searcher:
        found = our_values(searcher.reader(), records.SHOWN)
        assert found == whoosh_values(searcher.reader(), records.SHOWN)
        assert len(found) > 10 and all(records.read_shown(value) for value in found)


def test_whooshs_own_index_opening_reads_the_same(content_index: Path) -> None:
    """Plain Whoosh (its own storage, no class of ours in the way) opens and reads it."""
    with FileStorage(str(content_index)).open_index(ondisk.INDEX_NAME).searcher() as searcher:
        reader = searcher.reader()
        assert our_values(reader, records.SHOWN) == whoosh_values(reader, records.SHOWN)
        assert searcher.document(path=records.read_shown(reader.column_reader("shown")[0]).path)


@pytest.mark.parametrize("in_place", [True, False])
def test_several_segments_and_documents_without_a_value(
    in_place: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not in_place:  # a column laid out otherwise: read through Whoosh's reader
        monkeypatch.setattr(bytecolumn, "W3PerDocReader", type(None))
    schema = fields.Schema(key=fields.ID(stored=True), value=fields.COLUMN(bytecolumn.column()))
    ix = RamStorage().create_index(schema)
    for start in (0, 5, 12, 20):  # four segments, none merged; the third has no value at all
        with ix.writer(merge=False) as writer:
            for n in range(start, start + 5 + start % 3):
                values: dict[str, Any] = {"key": f"doc{n}"}
                if n % 4 and start != 12:
                    values["value"] = f"value {n} é ✓".encode() * (n % 3)
                writer.add_document(**values)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        assert len(list(reader.leaf_readers())) == 4
        found = our_values(reader, "value")
        assert found == whoosh_values(reader, "value")
        assert b"" in found and "value 7 é ✓".encode() in found
