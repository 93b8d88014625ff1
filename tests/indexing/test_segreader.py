"""segreader's term look-ups against Whoosh's own: the same postings and document frequency
for every term of a segment, nothing for a term no segment holds, on our segments (read in
place), on Whoosh's own and on a file Whoosh reads through a stream."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import CONTENT, GOLDEN
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage, RamStorage

from searcher.indexing import indexer, ondisk, schema
from searcher.indexing._whoosh import segbuild, segreader
from searcher.ingest.reader import scan
from searcher.models import Post


def _posts() -> list[Post]:
    return [p for p in scan([CONTENT, GOLDEN], drafts=True) if isinstance(p, Post)]


def _walk(matcher: Any) -> list[tuple[int, float, Any]]:
    found = []
    while matcher is not None and matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return found


def _same_as_whoosh(index: Any) -> int:
    """Every term of every segment looked up both ways; the look-ups that read in place."""
    in_place = 0
    with index.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            for fieldname, text in leaf.all_terms():
                found, frequency = segreader.term_postings(leaf, fieldname, text)
                assert frequency == leaf.doc_frequency(fieldname, text)
                assert _walk(found) == _walk(leaf.postings(fieldname, text))
                for missing in (text + b"\x00", text[:-1] + b"\xff", b"zz" + text):
                    if (fieldname, missing) not in leaf:
                        assert segreader.term_postings(leaf, fieldname, missing) == (None, 0)
            table = leaf._terms._tindex
            in_place += segreader._lookup(table) != table.get
    return in_place


def test_our_segments_are_looked_up_in_place(tmp_path: Path) -> None:
    posts = _posts()
    indexer.write(posts, tmp_path / "ix")
    assert _same_as_whoosh(ondisk.open_existing(tmp_path / "ix")) == 1
    writer = segbuild.IndexWriter(whoosh_index.open_dir(str(tmp_path / "ix"), ondisk.INDEX_NAME))
    for post in posts[::4]:  # deleted documents: still counted in the frequency, as Whoosh does
        writer.delete_by_term(schema.PATH, post.path)
    writer.commit(fresh=False)
    index = ondisk.open_existing(tmp_path / "ix")
    assert index.reader().has_deletions()
    assert _same_as_whoosh(index) == 1


@pytest.mark.parametrize("storage, in_place", [("mapped", 1), ("ram", 1), ("stream", 0)])
def test_whooshs_own_segments_read_alike(tmp_path: Path, storage: str, in_place: int) -> None:
    """Whoosh's writer's segments: a buffer (mapped, or in memory) read in place, a file
    read as a stream looked up by Whoosh."""
    if storage == "ram":
        store: Any = RamStorage()
    else:
        store = FileStorage(str(tmp_path), supports_mmap=storage == "mapped")
    writer = store.create_index(schema.build_schema()).writer()
    for post in _posts()[:40]:
        writer.add_document(**schema.document(post))
    writer.commit()
    index = store.open_index() if storage == "ram" else FileStorage(
        str(tmp_path), supports_mmap=storage == "mapped").open_index()  # fmt: skip
    assert _same_as_whoosh(index) == in_place
    with index.reader() as reader:
        assert segreader.term_postings(reader, schema.BODY, "zzzznotaword") == (None, 0)


def test_prefixed_terms_are_whooshs_expansion(tmp_path: Path) -> None:
    """Every field's terms by prefix, read from the key index in place, as Whoosh's cursor
    gives them; a segment read as a stream is left to Whoosh (None)."""
    indexer.write(_posts(), tmp_path / "ix")
    with ondisk.open_existing(tmp_path / "ix").reader() as reader:
        leaf = reader.leaf_readers()[0][0]
        for fieldname in leaf.indexed_field_names():
            if not _words_field(leaf.schema[fieldname]):
                continue
            words = list(leaf.lexicon(fieldname))
            assert segreader.prefixed_terms(leaf, fieldname, "") == words
            letters = {w.decode("utf-8", "replace")[:1] for w in words if w}
            for prefix in [*sorted(letters)[:40], "zzq", "\U0010ffff", "é"]:
                expected = list(leaf.expand_prefix(fieldname, prefix))
                assert segreader.prefixed_terms(leaf, fieldname, prefix) == expected, prefix
        assert segreader.prefixed_terms(leaf, schema.BODY, "clo")  # some words, at least
    store = FileStorage(str(tmp_path / "w"), supports_mmap=False)
    tmp_path.joinpath("w").mkdir()
    writer = store.create_index(schema.build_schema()).writer()
    writer.add_document(**schema.document(_posts()[0]))
    writer.commit()
    with FileStorage(str(tmp_path / "w"), supports_mmap=False).open_index().reader() as reader:
        assert segreader.prefixed_terms(reader, schema.BODY, "") is None


def _words_field(field: Any) -> bool:
    """Whether a field's terms are text (a number or date field's are not prefixed by one)."""
    try:
        field.to_bytes("a")
    except Exception:
        return False
    return True
