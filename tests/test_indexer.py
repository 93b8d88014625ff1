"""Incremental, versioned, crash-safe indexing."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import CONTENT
from whoosh import fields
from whoosh import index as whoosh_index

from searcher import indexer, ingest, manifest
from searcher.errors import IndexBusy, IndexMissing, SourceError


def stored_paths(index_dir: Path) -> list[str]:
    reader = whoosh_index.open_dir(str(index_dir), indexname=indexer.INDEX_NAME).reader()
    try:
        return sorted(reader.stored_fields(d)["path"] for d in reader.all_doc_ids())
    finally:
        reader.close()


def expected_paths(source: Path) -> list[str]:
    return sorted(p.path for p in ingest.scan([source]))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of content/ to change, reached by a relative path as users type it."""
    shutil.copytree(CONTENT, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return Path("content")


def test_relative_sources_keep_full_paths(site: Path) -> None:
    report = indexer.build([site], Path("index"))
    assert report.indexed == 15 and report.rebuilt == "no index yet"
    assert stored_paths(Path("index")) == expected_paths(site)


def test_updates_follow_additions_changes_renames_and_deletions(site: Path) -> None:
    index_dir = Path("index")
    indexer.build([site], index_dir)
    noop = indexer.build([site], index_dir)
    assert (noop.indexed, noop.removed, noop.unchanged, noop.summary.files) == (0, 0, 16, 0)

    (site / "posts" / "zeppelin.md").write_text("---\ntitle: Zeppelin\n---\nA zeppelin.")
    post = site / "_posts" / "2019-01-03-four-hours-of-daylight-in-reykjavik.md"
    post.write_text(post.read_text() + "\nNorthern lights.\n")
    changed = indexer.build([site], index_dir)
    assert (changed.indexed, changed.summary.files, changed.unchanged) == (2, 2, 15)

    (site / "posts" / "zeppelin.md").rename(site / "posts" / "airship.md")
    (site / "posts" / "endlich-offene-fahrplandaten.md").unlink()
    moved = indexer.build([site], index_dir)
    assert (moved.indexed, moved.removed) == (1, 2)
    assert stored_paths(index_dir) == expected_paths(site)


def test_touched_but_unchanged_file_is_hashed_not_reindexed(site: Path) -> None:
    indexer.build([site], Path("index"))
    post = site / "posts" / "field-notes-from-longyearbyen.md"
    os.utime(post, ns=(1, 1))
    generation = whoosh_index.open_dir("index", indexname=indexer.INDEX_NAME).latest_generation()
    report = indexer.build([site], Path("index"))
    assert report.summary.files == 1 and (report.indexed, report.unchanged) == (0, 16)
    assert stored_paths(Path("index")) == expected_paths(site)
    again = whoosh_index.open_dir("index", indexname=indexer.INDEX_NAME).latest_generation()
    assert again == generation  # nothing to commit
    assert indexer.build([site], Path("index")).summary.files == 0  # new mtime remembered


def test_manifest_of_the_first_format_is_read(site: Path) -> None:
    indexer.build([site], Path("index"))
    current = manifest.Manifest.load(Path("index"))
    first = {key: dataclasses.asdict(current.get(key)) for key in current}
    (Path("index") / manifest.MANIFEST_FILE).write_text(
        json.dumps({"options": current.options, "files": first})
    )
    assert len(manifest.Manifest.load(Path("index"))) == 16
    assert indexer.build([site], Path("index")).summary.files == 0


def test_changed_options_and_rebuild_start_from_scratch(site: Path) -> None:
    indexer.build([site], Path("index"))
    with_drafts = indexer.build([site], Path("index"), indexer.BuildOptions(drafts=True))
    assert with_drafts.rebuilt == "the reading options changed since the last build"
    assert with_drafts.indexed == 17
    again = indexer.build([site], Path("index"), indexer.BuildOptions(drafts=True), rebuild=True)
    assert again.rebuilt == "asked to rebuild" and len(stored_paths(Path("index"))) == 17


def test_index_of_an_older_version_is_detected_and_rebuilt(site: Path) -> None:
    index_dir = Path("index")
    index_dir.mkdir()
    schema = fields.Schema(path=fields.ID(stored=True))
    old = whoosh_index.create_in(str(index_dir), schema, indexname="blogsearch")
    writer = old.writer()
    writer.add_document(path="old.md")
    writer.commit()
    with pytest.raises(IndexMissing, match="older version"):
        indexer.open_existing(index_dir)
    report = indexer.build([site], index_dir)
    assert report.rebuilt is not None and "older version" in report.rebuilt
    assert not list(index_dir.glob("*blogsearch_*")) and len(stored_paths(index_dir)) == 15


def test_second_writer_fails_clearly_or_waits(site: Path) -> None:
    index_dir = Path("index")
    indexer.build([site], index_dir)
    (site / "posts" / "new.md").write_text("---\ntitle: New\n---\nnew")
    holder = whoosh_index.open_dir(str(index_dir), indexname=indexer.INDEX_NAME).writer()
    try:
        with pytest.raises(IndexBusy, match="another blogsearch index is writing"):
            indexer.build([site], index_dir)
    finally:
        holder.cancel()
    assert indexer.build([site], index_dir).indexed == 1


def test_missing_source_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        indexer.build([tmp_path / "nope"], tmp_path / "index")


def contents(index_dir: Path) -> list[object]:
    """Everything an index holds: lengths, postings, stored fields, in order."""
    ix = whoosh_index.open_dir(str(index_dir), indexname=indexer.INDEX_NAME)
    with ix.reader() as reader:
        found: list[object] = [reader.field_length(f) for f in reader.schema.names()]
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            items = list(reader.postings(fieldname, text).all_items())
            found.append((fieldname, text, items, info.min_length(), info.max_length()))
        for docnum in reader.all_doc_ids():
            found.append([reader.doc_field_length(docnum, f) for f in reader.schema.names()])
            found.append(reader.stored_fields(docnum))
    return found


def test_posts_analysed_in_workers_index_as_the_writer_would(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = indexer.BuildOptions(drafts=True)
    indexer.build([site], Path("by-writer"), options, workers=1)
    monkeypatch.setattr(indexer, "PARALLEL_FROM", 2)
    report = indexer.build([site], Path("by-workers"), options, workers=2)
    assert report.indexed == 17
    assert contents(Path("by-workers")) == contents(Path("by-writer"))
