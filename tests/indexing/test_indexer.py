"""Incremental, versioned, crash-safe indexing."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import CONTENT
from whoosh import fields
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from searcher.cli.commands import main
from searcher.errors import IndexBusy, IndexMissing, SourceError
from searcher.indexing import indexer, manifest, ondisk
from searcher.ingest import reader
from searcher.ingest.reader import scan


def stored_paths(index_dir: Path) -> list[str]:
    reader = whoosh_index.open_dir(str(index_dir), indexname=ondisk.INDEX_NAME).reader()
    try:
        return sorted(reader.stored_fields(d)["path"] for d in reader.all_doc_ids())
    finally:
        reader.close()


def expected_paths(source: Path) -> list[str]:
    return sorted(p.path for p in scan([source]))


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
    generation = whoosh_index.open_dir("index", indexname=ondisk.INDEX_NAME).latest_generation()
    report = indexer.build([site], Path("index"))
    assert report.summary.files == 1 and (report.indexed, report.unchanged) == (0, 16)
    assert stored_paths(Path("index")) == expected_paths(site)
    again = whoosh_index.open_dir("index", indexname=ondisk.INDEX_NAME).latest_generation()
    assert again == generation  # nothing to commit
    assert indexer.build([site], Path("index")).summary.files == 0  # new mtime remembered


def test_files_skipped_by_name_are_not_read_again(tmp_path: Path) -> None:
    """A section page (``_index.md``) or a README is no post; unchanged, the next run does not
    look at it again (read on every run, they made a no-op over 60,000 files rewrite the
    manifest)."""
    source = tmp_path / "blog"
    (source / "posts").mkdir(parents=True)
    (source / "posts" / "one.md").write_text("---\ntitle: One\n---\nA post.")
    (source / "posts" / "_index.md").write_text("+++\ntitle = 'Posts'\n+++\n")
    (source / "README.md").write_text("About this blog.")
    index_dir = tmp_path / "index"
    first = indexer.build([source], index_dir)
    assert first.indexed == 1 and len(first.summary.skipped) == 2
    saved = (index_dir / manifest.BASE_FILE).stat().st_mtime_ns
    noop = indexer.build([source], index_dir)
    assert (noop.summary.files, noop.unchanged) == (0, 3)
    assert (index_dir / manifest.BASE_FILE).stat().st_mtime_ns == saved
    assert not (index_dir / manifest.JOURNAL_FILE).exists()
    (source / "README.md").write_text("About this blog, and more.")
    again = indexer.build([source], index_dir)
    assert again.summary.files == 1 and [s.path for s in again.summary.skipped] == ["README.md"]


def test_manifest_of_the_first_format_is_read(site: Path) -> None:
    indexer.build([site], Path("index"))
    current = manifest.Manifest.load(Path("index"))
    first = {key: dataclasses.asdict(current.get(key)) for key in current}
    (Path("index") / manifest.BASE_FILE).unlink()  # as an older version wrote it: plain JSON
    (Path("index") / manifest.OLD_FILES[1]).write_text(
        json.dumps({"options": current.options, "files": first})
    )
    assert len(manifest.Manifest.load(Path("index"))) == 16
    assert indexer.build([site], Path("index")).summary.files == 0
    (site / "posts" / "new.md").write_text("---\ntitle: New\n---\nnew")
    assert indexer.build([site], Path("index")).indexed == 1  # saved in the new format
    assert not (Path("index") / manifest.OLD_FILES[1]).exists()
    assert len(manifest.Manifest.load(Path("index"))) == 17


def test_an_index_read_by_an_older_reader_is_read_again(site: Path) -> None:
    """Files unchanged since an older blogsearch read them may now give other records (a
    front matter form newly read): every file is read again, once."""
    first = indexer.build([site], Path("index")).indexed
    meta = json.loads((Path("index") / ondisk.META_FILE).read_text())
    assert meta["reader"] == reader.READER_REVISION
    del meta["reader"]  # as versions before the revision was recorded wrote it
    (Path("index") / ondisk.META_FILE).write_text(json.dumps(meta))
    again = indexer.build([site], Path("index"))
    assert again.rebuilt and "reads posts differently" in again.rebuilt and again.indexed == first
    assert indexer.build([site], Path("index")).rebuilt is None


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
        ondisk.open_existing(index_dir)
    report = indexer.build([site], index_dir)
    assert report.rebuilt is not None and "older version" in report.rebuilt
    assert not list(index_dir.glob("*blogsearch_*")) and len(stored_paths(index_dir)) == 15


def test_an_index_stemmed_by_whoosh_is_rebuilt_and_the_user_told_why(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Schema 10 was the last whose stems came from Whoosh's stemmers: such an index is not
    read with today's stems, it is rebuilt from its posts."""
    with monkeypatch.context() as patched:
        patched.setattr(ondisk, "INDEX_NAME", "blogsearch10")
        patched.setattr(indexer, "INDEX_NAME", "blogsearch10")
        indexer.build([site], Path("index"))
    assert ondisk.INDEX_NAME != "blogsearch10" and list(Path("index").glob("_blogsearch10_*"))
    with pytest.raises(IndexMissing, match="older version"):
        ondisk.open_existing(Path("index"))
    result = CliRunner().invoke(main, ["index", str(site), "--index-dir", "index"])
    assert result.exit_code == 0, result.output
    assert "built by an older version; rebuilding it" in result.output
    assert not list(Path("index").glob("*blogsearch10_*"))
    assert stored_paths(Path("index")) == expected_paths(site)


def test_second_writer_fails_clearly_or_waits(site: Path) -> None:
    index_dir = Path("index")
    indexer.build([site], index_dir)
    (site / "posts" / "new.md").write_text("---\ntitle: New\n---\nnew")
    holder = whoosh_index.open_dir(str(index_dir), indexname=ondisk.INDEX_NAME).writer()
    try:
        with pytest.raises(IndexBusy, match="another blogsearch index is writing"):
            indexer.build([site], index_dir)
    finally:
        holder.cancel()
    assert indexer.build([site], index_dir).indexed == 1


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Index files that fill the disk once ``room["bytes"]`` more have been written."""
    room = {"bytes": 10**12}
    create_file = FileStorage.create_file

    class Filling:
        def __init__(self, file: Any) -> None:
            self._file = file

        def write(self, data: bytes) -> int:
            room["bytes"] -= len(data)
            if room["bytes"] < 0:
                raise OSError(errno.ENOSPC, "No space left on device")
            return int(self._file.write(data))

        def __getattr__(self, name: str) -> Any:
            return getattr(self._file, name)

    def filling(self: FileStorage, name: str, *args: Any, **kwargs: Any) -> Any:
        structfile = create_file(self, name, *args, **kwargs)
        structfile.file = Filling(structfile.file)
        return structfile

    monkeypatch.setattr(FileStorage, "create_file", filling)
    return room


def index_files(index_dir: Path) -> set[str]:
    """Every file and folder of an index folder that is not one of its committed files (nor
    the manifest's journal, which an update may start)."""
    ix = whoosh_index.open_dir(str(index_dir), indexname=ondisk.INDEX_NAME)
    committed = {name for segment in ix._segments() for name in segment.list_files(ix.storage)}
    committed |= {f"_{ondisk.INDEX_NAME}_{ix.latest_generation()}.toc"}
    return set(os.listdir(index_dir)) - committed - {manifest.JOURNAL_FILE}


@pytest.mark.parametrize("room", [0, 2_000, 50_000])
def test_a_full_disk_is_one_line_and_the_next_run_cleans_up(
    site: Path, full_disk: dict[str, int], room: int
) -> None:
    index_dir = Path("index")
    indexer.build([site], index_dir)
    settled = index_files(index_dir)
    edited = sorted((site / "_posts").glob("*.md"))[:5]
    for post in edited:
        post.write_text(post.read_text() + "\nmore words\n")
    full_disk["bytes"] = room
    result = CliRunner().invoke(main, ["index", str(site), "--index-dir", "index", "-q"])
    assert (result.exit_code, result.output.count("\n")) == (1, 1), result.output
    assert result.output.startswith("Error: cannot write the index in index/: No space left")
    assert stored_paths(index_dir) == expected_paths(site)  # the previous index, intact
    full_disk["bytes"] = 10**12
    assert indexer.build([site], index_dir).indexed == len(edited)
    assert index_files(index_dir) == settled  # nothing left behind


@pytest.mark.parametrize("where", ["base", "journal"])
def test_a_full_disk_after_the_commit_is_one_line_too(site: Path, where: str) -> None:
    """The manifest's base (written whole by a rebuild) or its journal (appended to by an
    update) cannot be written: one line, and the next run reads the new post again."""
    index_dir = Path("index")
    indexer.build([site], index_dir)
    (site / "posts" / "new.md").write_text("---\ntitle: New\n---\nnew")
    write_bytes, append = Path.write_bytes, manifest._append

    def full(self: Path, *args: Any, **kwargs: Any) -> int:
        if self.name.startswith(".manifest.bin"):
            write_bytes(self, b"{")  # part of it, then no room for the rest
            raise OSError(errno.ENOSPC, "No space left on device")
        return write_bytes(self, *args, **kwargs)

    def full_journal(path: Path, record: bytes) -> None:
        append(path, record[: len(record) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    rebuild = ["--rebuild"] if where == "base" else []
    with pytest.MonkeyPatch.context() as patch:  # undone alone: the site fixture's chdir stays
        patch.setattr(Path, "write_bytes", full)
        patch.setattr(manifest, "_append", full_journal)
        result = CliRunner().invoke(main, ["index", str(site), "--index-dir", "index", "-q",
                                           *rebuild])  # fmt: skip
    assert (result.exit_code, result.output.count("\n")) == (1, 1), result.output
    assert not [name for name in os.listdir(index_dir) if name.endswith(".tmp")]
    again = indexer.build([site], index_dir)  # the manifest missed the new post: read again
    assert again.summary.files == 1 and again.indexed == 1
    assert stored_paths(index_dir) == expected_paths(site)
    assert indexer.build([site], index_dir).summary.files == 0


def stored_posts(index_dir: Path) -> list[dict[str, Any]]:
    reader = whoosh_index.open_dir(str(index_dir), indexname=ondisk.INDEX_NAME).reader()
    try:
        return sorted((reader.stored_fields(d) for d in reader.all_doc_ids()),
                      key=lambda fields: str(fields["path"]))  # fmt: skip
    finally:
        reader.close()


def test_an_update_killed_while_its_journal_is_written(site: Path) -> None:
    """A kill while an update appends to the manifest's journal (after the index commit)
    leaves part of a record: the next run reads that update's files again, and the index
    holds what a rebuild from the same files holds."""
    indexer.build([site], Path("index"))
    (site / "posts" / "zeppelin.md").write_text("---\ntitle: Zeppelin\n---\nA zeppelin.")
    indexer.build([site], Path("index"))  # the journal's first record
    before = (Path("index") / manifest.JOURNAL_FILE).read_bytes()
    post = site / "_posts" / "2019-01-03-four-hours-of-daylight-in-reykjavik.md"
    post.write_text(post.read_text() + "\nNorthern lights.\n")
    (site / "posts" / "zeppelin.md").rename(site / "posts" / "airship.md")
    (site / "posts" / "endlich-offene-fahrplandaten.md").unlink()
    assert indexer.build([site], Path("index")).indexed == 2
    whole = (Path("index") / manifest.JOURNAL_FILE).read_bytes()
    indexer.build([site], Path("rebuilt"), rebuild=True)
    for cut in (len(before), len(before) + 5, len(before) + 9, (len(before) + len(whole)) // 2,
                len(whole) - 1):  # fmt: skip
        killed = Path(f"killed-{cut}")
        shutil.copytree("index", killed)
        (killed / manifest.JOURNAL_FILE).write_bytes(whole[:cut])
        report = indexer.build([site], killed)
        assert (report.summary.files, report.indexed) == (2, 2)  # gone posts are gone already
        assert stored_posts(killed) == stored_posts(Path("rebuilt"))
        assert indexer.build([site], killed).summary.files == 0


def test_leftovers_of_a_failed_run_are_removed_by_the_next(site: Path) -> None:
    index_dir = Path("index")
    indexer.build([site], index_dir)
    settled = index_files(index_dir)
    ix = whoosh_index.open_dir(str(index_dir), indexname=ondisk.INDEX_NAME)
    writer = ix.writer()
    writer.add_document(path="half-written.md")
    writer.add_document(path="half-written-too.md")
    (index_dir / f"{ondisk.INDEX_NAME}_0123456789abcdef.pst").write_bytes(b"x" * 100)
    (index_dir / f"_{ondisk.INDEX_NAME}_9.toc.1712345678.9").write_bytes(b"x")
    (index_dir / ".manifest.bin.999999999.tmp").write_text("{")
    writer.writelock.release()  # as if its process had died
    (site / "posts" / "new.md").write_text("---\ntitle: New\n---\nnew")
    assert indexer.build([site], index_dir).indexed == 1
    assert index_files(index_dir) == settled


def test_missing_source_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        indexer.build([tmp_path / "nope"], tmp_path / "index")


def contents(index_dir: Path) -> list[object]:
    """Everything an index holds: lengths, postings, stored fields, in order."""
    ix = whoosh_index.open_dir(str(index_dir), indexname=ondisk.INDEX_NAME)
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
    # the commit's postings encoded by worker processes too, as a large build's are
    monkeypatch.setattr(indexer, "ENCODE_IN_PROCESSES_FROM", 1)
    indexer.build([site], Path("encoded-by-workers"), options, workers=2)
    assert contents(Path("encoded-by-workers")) == contents(Path("by-writer"))
    # and started while the last files are read (one file per batch: 17 batches)
    monkeypatch.setattr(indexer, "READ_BATCH", 1)
    events: list[str] = []
    start, add = indexer.processes.start, indexer.segbuild.IndexWriter.add_batch

    def starting(*args: Any) -> None:
        events.append("start")
        start(*args)

    def adding(writer: Any, batch: Any) -> None:
        events.append("add")
        add(writer, batch)

    monkeypatch.setattr(indexer.processes, "start", starting)
    monkeypatch.setattr(indexer.segbuild.IndexWriter, "add_batch", adding)
    indexer.build([site], Path("encoders-started-early"), options, workers=2)
    assert contents(Path("encoders-started-early")) == contents(Path("by-writer"))
    assert events[-9:] == ["start"] + ["add"] * 8  # as the last of 4 * 2 batches ahead is sent


class _Done:
    """An executor that runs each job as it is submitted."""

    def __init__(self) -> None:
        self.submitted = 0

    def submit(self, job: Any, *args: Any) -> Any:
        from concurrent.futures import Future

        self.submitted += 1
        future: Future[Any] = Future()
        future.set_result(job(*args))
        return future


def test_read_ahead_says_when_the_last_batch_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexer, "_read_batch", lambda jobs: (jobs, None))
    pool, taken, told = _Done(), [], []

    def sent() -> None:
        told.append((pool.submitted, len(taken)))

    for result in indexer._read_ahead(pool, [[i] for i in range(10)], 3, sent):  # type: ignore[arg-type]
        taken.append(result)
    assert told == [(10, 7)]  # once, with three batches still to take
    assert [jobs for jobs, _ in taken] == [[i] for i in range(10)]
