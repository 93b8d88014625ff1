"""Stored fields read straight from a segment's column (``indexing._whoosh.stored``): every
document gives what Whoosh's own ``stored_fields`` gives, in our indexes and in Whoosh's."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import pytest
from isal import isal_zlib
from whoosh import fields
from whoosh.filedb.filestore import FileStorage, RamStorage

from searcher.indexing import ondisk
from searcher.indexing._whoosh import stored
from searcher.indexing._whoosh.stored import StoredFields


def whoosh_answers(searcher: Any) -> list[Any]:
    return [searcher.stored_fields(d) for d in range(searcher.doc_count_all())]


def our_answers(searcher: Any) -> list[Any]:
    read = StoredFields(searcher)
    return [read(d) for d in range(searcher.doc_count_all())]


def test_every_post_of_an_index_as_whoosh_reads_it(content_index: Path) -> None:
    ix = ondisk.open_existing(content_index)
    with ix.searcher() as searcher:
        # our own storage maps the segment: the fields are read where they lie
        assert all(reader is not None for reader in map(stored._column, _leaves(searcher)))
        found = our_answers(searcher)
        assert found == whoosh_answers(searcher)
        assert len(found) > 10 and all(post["path"] and post["record"] for post in found)


def test_whooshs_own_copying_storage(content_index: Path) -> None:
    ix = FileStorage(str(content_index)).open_index(ondisk.INDEX_NAME)
    with ix.searcher() as searcher:
        assert our_answers(searcher) == whoosh_answers(searcher)


@pytest.mark.parametrize("stored_text", [True, False])
def test_several_segments_deletions_and_documents_without_stored_fields(
    stored_text: bool,
) -> None:
    schema = fields.Schema(
        key=fields.ID(stored=True, unique=True),
        body=fields.TEXT(stored=stored_text),
        count=fields.NUMERIC(stored=True),
    )
    ix = RamStorage().create_index(schema)
    for start in (0, 5, 12):  # three segments, none merged into another
        with ix.writer() as writer:
            for n in range(start, start + 5 + start % 3):
                values: dict[str, Any] = {"body": f"text {n} é ✓"}
                if n % 4:
                    values.update(key=f"doc{n}", count=n * 1.5)
                writer.add_document(**values)
    with ix.writer(merge=False) as writer:  # deletes a document of an earlier segment
        writer.update_document(key="doc6", body="replaced", count=-1)
    with ix.searcher() as searcher:
        assert len(_leaves(searcher)) == 4
        found = our_answers(searcher)
        assert found == whoosh_answers(searcher)
        assert {} in found or stored_text  # a document that stored nothing reads as {}


def test_a_column_in_another_layout_is_read_through_whoosh(
    content_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stored, "_column", lambda leaf: None)
    ix = ondisk.open_existing(content_index)
    with ix.searcher() as searcher:
        assert our_answers(searcher) == whoosh_answers(searcher)


def test_isal_inflates_what_zlib_would(
    content_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert stored.inflate is isal_zlib.decompress  # installed with us: zlib is the fallback
    ix = ondisk.open_existing(content_index)
    with ix.searcher() as searcher:
        found = our_answers(searcher)
        monkeypatch.setattr(stored, "inflate", zlib.decompress)
        assert our_answers(searcher) == found == whoosh_answers(searcher)


def _leaves(searcher: Any) -> list[Any]:
    return [leaf for leaf, _ in searcher.reader().leaf_readers()]
