"""The builds the index benchmark runs as child processes besides the ``blogsearch`` CLI.

* plain Whoosh: walks the same files, parses front matter with python-frontmatter, strips
  HTML with BeautifulSoup and indexes path, title and body with StemmingAnalyzer in one
  writer in one process, committing once: what a Whoosh user writes first;
* SQLite FTS5: the posts blogsearch indexes (read by its own ingest, so the very same posts),
  in an FTS5 table of path (unindexed), title, tags and body with the unicode61 tokenizer
  (diacritics removed), then optimized; reading and FTS5 are timed apart;
* ours in one process (no worker processes), for a profile.

Each prints ``indexed N posts`` and, for FTS5, ``fts5 S s`` (its own insert time).
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import frontmatter
from bs4 import BeautifulSoup
from frontmatter.default_handlers import BaseHandler

SUFFIXES = {".md", ".markdown", ".mdown", ".html", ".htm"}


class _TomlHandler(BaseHandler):  # type: ignore[misc]
    """``+++`` TOML front matter; python-frontmatter's own handler needs the ``toml`` package."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


def plain_files(sources: list[Path]) -> list[tuple[str, Path]]:
    """(path to index, file) for the files ``blogsearch index`` would read, walked naively."""
    found = []
    for source in sources:
        prefix = f"{source.name}/" if len(sources) > 1 else ""
        for folder, dirs, names in os.walk(source):
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".") and d not in {"_site", "node_modules", "_drafts"}
            )
            for name in sorted(names):
                path = Path(folder, name)
                if not name.startswith(".") and path.suffix.lower() in SUFFIXES:
                    found.append((prefix + path.relative_to(source).as_posix(), path))
    return found


def plain_build(sources: list[Path], index_dir: Path) -> None:
    """The naive single-process Whoosh build."""
    from whoosh import index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    schema = Schema(
        path=ID(stored=True, unique=True),
        title=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=TEXT(analyzer=StemmingAnalyzer()),
    )
    index_dir.mkdir(parents=True)
    writer = index.create_in(str(index_dir), schema).writer()
    toml, count, unreadable = _TomlHandler(), 0, 0
    for rel, path in plain_files(sources):
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            post = frontmatter.loads(text, handler=toml if text.startswith("+++") else None)
            title, content = str(post.get("title") or ""), post.content
        except Exception:  # the naive way: index what is there
            unreadable += 1
            title, content = "", text
        body = BeautifulSoup(content, "lxml").get_text(" ")
        writer.add_document(path=rel, title=title, body=body)
        count += 1
    writer.commit()
    print(f"indexed {count} posts ({unreadable} with front matter it could not parse)")


def fts5_build(sources: list[Path], database: Path) -> None:
    """The posts blogsearch indexes, in SQLite FTS5."""
    from searcher.ingest.reader import scan

    start = time.perf_counter()
    posts = []
    for source in sources:
        prefix = f"{source.name}/" if len(sources) > 1 else ""
        posts += [replace(p, path=prefix + p.path) for p in scan([source])]
    reading = time.perf_counter() - start
    start = time.perf_counter()
    db = sqlite3.connect(database)
    with db:
        db.execute(
            "CREATE VIRTUAL TABLE t USING fts5(path UNINDEXED, title, tags, body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        rows = ((p.path, p.title, ", ".join(p.tags + p.categories), p.text) for p in posts)
        db.executemany("INSERT INTO t(path, title, tags, body) VALUES (?, ?, ?, ?)", rows)
        db.execute("INSERT INTO t(t) VALUES('optimize')")
    db.close()
    fts5 = time.perf_counter() - start
    print(f"indexed {len(posts)} posts: reading {reading:.2f} s, fts5 {fts5:.3f} s")


def serial_build(sources: list[Path], index_dir: Path) -> None:
    """Our full build in this one process (no worker processes), for a profile."""
    from searcher.indexing import indexer

    report = indexer.build(sources, index_dir, workers=1)
    print(f"indexed {report.indexed} posts")


BUILDS = {"plain": plain_build, "fts5": fts5_build, "serial": serial_build}
