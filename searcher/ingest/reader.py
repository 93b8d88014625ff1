"""Files → normalised :class:`~searcher.models.Post` records.

Walks a content folder the way static-site generators lay one out, reads each post however
broken it is, and keeps a :class:`Summary` of what was read, left out and warned about.
Nothing here raises on a bad post: only an unusable source raises :class:`SourceError`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from searcher.errors import SourceError
from searcher.ingest import encodings, files, meta, sites, text, wxr
from searcher.ingest.drafts import excluded, in_folder, skipped_folders
from searcher.ingest.posts import build_post
from searcher.models import DEFAULT_MAX_BYTES, IngestWarning, Post, Skipped, Summary

# What reading a file gives changes between versions (a front matter form now read, a page
# now told from a post): an index built by an older revision re-reads every file. Bump it
# with any change that gives an unchanged file a different record or a different verdict.
READER_REVISION = 11
POST_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".html", ".htm"})
SKIP_DIRS = frozenset({"_site", "node_modules", "_drafts"})  # _drafts/: see drafts.py


def scan(
    sources: Iterable[Path],
    *,
    drafts: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    summary: Summary | None = None,
    geocode: bool = True,
) -> Iterator[Post]:
    """Every post of every source (content folders or WordPress ``.xml`` exports), under
    the paths the index gives them (see :func:`source_prefixes`); place names are geocoded
    offline unless ``geocode`` is false."""
    summary = summary if summary is not None else Summary()
    chosen = distinct_sources(sources)
    for source, prefix in zip(chosen, source_prefixes(chosen), strict=True):
        if source.is_dir():
            note_site(source, summary)
            records: Iterable[Post | Skipped] = _read_folder(
                source, drafts, max_bytes, summary, geocode
            )
        elif source.is_file():
            records = read_source_file(source, source.parent, max_bytes=max_bytes, geocode=geocode)
            summary.files += 1
        else:
            raise SourceError(f"{source}: no such content folder or export file")
        for record in records:
            if prefix:
                record = replace(record, path=prefix + record.path)
            if isinstance(record, Skipped):
                summary.skipped.append(record)
            elif excluded(record, drafts=drafts):
                summary.drafts_excluded += 1
            else:
                summary.count(record)
                yield record


def read_source_file(
    path: Path, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, geocode: bool = True
) -> Iterator[Post | Skipped]:
    """The records of one source file: each item of a WordPress export (``.xml``), or the one
    post of a post file, under its path relative to ``root``."""
    if path.suffix.lower() == ".xml":
        yield from wxr.read_export(path, max_bytes=max_bytes, geocode=geocode)
    else:
        yield read_file(path, root, max_bytes=max_bytes, geocode=geocode)


def note_site(source: Path, summary: Summary) -> None:
    """Say in the summary which site a source folder is, if it is one."""
    view = sites.for_source(source.resolve())
    if view is not None:
        summary.sites.append(view.site.describe())
        summary.sites.extend(f"  {problem}" for problem in view.site.problems)


def _read_folder(
    root: Path, drafts: bool, max_bytes: int, summary: Summary, geocode: bool
) -> Iterator[Post | Skipped]:
    left_out: list[Skipped] = []
    for entry in site_files(root, drafts=drafts, skipped=left_out):
        summary.files += 1
        yield read_file(Path(entry.path), root, max_bytes=max_bytes, geocode=geocode)
    yield from left_out


def distinct_sources(sources: Iterable[Path]) -> list[Path]:
    """The sources, each once however often it is given (by whatever path)."""
    seen: dict[str, Path] = {}
    for source in sources:
        seen.setdefault(os.path.realpath(source), source)
    return list(seen.values())


def source_prefixes(sources: Sequence[Path]) -> list[str]:
    """What the paths of each source's posts start with when several distinct sources are
    read together: the end of its path that no other source's ends with (``a/blog/`` and
    ``b/blog/`` for two ``blog`` folders), so that no two posts share a path. An export's
    posts start with its file name: the prefix is what precedes it."""
    if len(sources) < 2:
        return [""] * len(sources)
    parts = [Path(os.path.realpath(source)).parts for source in sources]
    prefixes = []
    for source, mine in zip(sources, parts, strict=True):
        others = [other for other in parts if other is not mine]
        size = next((n for n in range(1, len(mine)) if all(o[-n:] != mine[-n:] for o in others)),
                    len(mine))  # fmt: skip
        tail = "/".join(mine[-size:]).lstrip("/")
        if not source.is_dir():
            tail = tail.rpartition("/")[0]
        prefixes.append(f"{tail}/" if tail else "")
    return prefixes


def walk(root: Path, *, drafts: bool = False) -> Iterator[Path]:
    """Post files under ``root`` in a stable order, skipping build output and hidden folders."""
    for entry in site_files(root, drafts=drafts):
        yield Path(entry.path)


def site_files(
    root: Path, *, drafts: bool = False, skipped: list[Skipped] | None = None
) -> Iterator[os.DirEntry[str]]:
    """:func:`scan_files`, without what the site ``root`` belongs to never publishes (layouts,
    includes, data, themes, excluded paths); the same files when there is no site."""
    view = sites.for_source(root)
    found = scan_files(root, drafts=drafts, skipped=skipped)
    if view is None:
        return found
    base = os.path.join(os.fspath(root), "")
    slash = os.sep != "/"
    return (
        entry
        for entry in found
        if view.kind(entry.path[len(base) :].replace(os.sep, "/") if slash else
                     entry.path[len(base) :]) != sites.IGNORE
    )  # fmt: skip


def scan_files(
    root: Path, *, drafts: bool = False, skipped: list[Skipped] | None = None
) -> Iterator[os.DirEntry[str]]:
    """:func:`walk`'s files as directory entries: a caller that stats 60,000 of them (the
    indexer, to find what changed) makes no Path per file. Top-down, names sorted, files of a
    folder before its subfolders. Links to folders are not followed (they would read posts
    twice, or for ever); they and unreadable folders are added to ``skipped``."""
    if not os.access(root, os.R_OK | os.X_OK):
        raise SourceError(f"{root}: content folder is not readable")
    try:
        with os.scandir(root) as top:
            entries = sorted(top, key=_name)
    except OSError as error:
        raise SourceError(f"{root}: {error.strerror}") from None
    skip = skipped_folders(SKIP_DIRS, drafts=drafts)
    folders: list[str] = []  # a stack: the next folder to read is last
    while True:
        below = []
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if not is_dir:
                dot = name.rfind(".")
                if dot > 0 and name[dot:].lower() in POST_SUFFIXES:
                    yield entry
            elif name in skip:
                continue
            elif entry.is_symlink():
                _skip(skipped, root, entry.path, "link to a folder, not followed")
            else:
                below.append(entry.path)
        folders.extend(reversed(below))
        entries = []
        while folders and not entries:
            folder = folders.pop()
            try:
                with os.scandir(folder) as inside:
                    entries = sorted(inside, key=_name)
            except OSError as error:  # skipped, as os.walk does, but named
                _skip(skipped, root, folder, f"unreadable folder: {error.strerror}")
        if not entries:
            return


def _skip(skipped: list[Skipped] | None, root: Path, path: str, reason: str) -> None:
    if skipped is not None:
        skipped.append(Skipped(files.printable(os.path.relpath(path, root)), reason))


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def content_root(path: Path) -> Path:
    """The content folder a post file most likely belongs to (for paths relative to it)."""
    path = path.resolve()
    for parent in path.parents:
        if parent.name in ("_posts", "_drafts"):
            return parent.parent
        if parent.name == "content":
            return parent
    return path.parent


class PostFile(NamedTuple):
    """A post file opened: its path as the index names it, its bytes (or why it was not
    read), and whether its name had to be made readable."""

    rel: str
    opened: files.Opened
    renamed: bool
    site: sites.View | None = None  # the site the file belongs to, if any
    drafted: bool = False  # read from a folder of drafts its path does not show


def read_file(
    path: Path, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, geocode: bool = True
) -> Post | Skipped:
    """One post file as a record, or why it was skipped. Never raises."""
    return parse_post(open_post(path, root, max_bytes), geocode=geocode)


def open_post(path: Path, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> PostFile:
    """A post file's bytes, read as :func:`files.read_post` allows, unless its name says it
    is no post; its path relative to ``root``."""
    try:
        raw = path.relative_to(root).as_posix()
    except ValueError:  # not under root: named by its file name alone, and of no site
        raw, view = path.name, None
    else:
        view = sites.for_source(root)
    rel = files.printable(raw)
    reason = _site_skip(view, rel) or _skip_reason(path, rel)
    opened = _not_read(path, reason) if reason else files.read_post(path, root, max_bytes)
    return PostFile(rel, opened, rel != raw, view, in_folder(path.parent))


def _not_read(path: Path, reason: str) -> files.Opened:
    """A file its name or place says is no post, with the size and mtime it has: an update
    then passes it by until it changes (a no-op over 60,000 files re-read every section page)."""
    try:
        info = os.stat(path)  # as the indexer's survey does: through a link
    except OSError:
        return files.Opened(None, reason)
    return files.Opened(None, reason, info.st_size, info.st_mtime_ns)


def parse_post(source: PostFile, *, geocode: bool = True) -> Post | Skipped:
    """The record of an opened post file, or why it yields none."""
    rel, opened, renamed, view, drafted = source
    if opened.data is None:
        return Skipped(rel, opened.reason or "unreadable")
    content, warnings = encodings.decode(opened.data)
    if content is None:
        return Skipped(rel, "binary file")
    if renamed:
        warnings.append(IngestWarning("file-name", "file name not UTF-8: bytes shown as \\xNN"))
    if not content.strip():
        warnings.append(IngestWarning("empty", "empty file: indexed under its name only"))
    post = read_text(content, rel, geocode=geocode, site=view)
    if drafted and not post.draft:
        post = replace(post, draft=True)
    return _with_warnings(post, warnings) if warnings else post


def _site_skip(view: sites.View | None, rel: str) -> str | None:
    """Why the site never publishes this file as a post (a page, a layout…), if it does not."""
    if view is None:
        return None
    kind = view.kind(rel)
    if kind == sites.POST:
        return None
    return "not part of the site's content" if kind == sites.IGNORE else kind


def _skip_reason(path: Path, rel: str) -> str | None:
    if path.name == "_index.md":
        return "section index page, not a post"
    if path.stem.lower() == "404":  # every generator's "page not found", wherever it lies
        return "error page (404), not a post"
    if path.name.lower().startswith("readme.") and "/" not in rel:
        return "repository README, not a post"
    return None


def read_text(
    content: str,
    rel: str,
    *,
    geocode: bool = True,
    site: sites.View | None = None,
) -> Post:
    """Build a record from a post's decoded text and its path relative to the content root
    (and to the site it belongs to, if any: its URL and default language come from there)."""
    parsed = meta.parse(content)
    data = parsed.data
    warnings = list(parsed.warnings)
    markup = "html" if rel.lower().endswith((".html", ".htm")) else "markdown"
    extracted = text.extract(parsed.body, markup)  # type: ignore[arg-type]
    return build_post(data, extracted, rel, warnings, body=parsed.body, geocode=geocode,
                      site=site)  # fmt: skip


def _with_warnings(post: Post, extra: list[IngestWarning]) -> Post:
    return replace(post, warnings=(*extra, *post.warnings))
