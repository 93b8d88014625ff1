"""Files → normalised :class:`~searcher.models.Post` records.

Walks a content folder the way static-site generators lay one out, reads each post however
broken it is, and keeps a :class:`Summary` of what was read, left out and warned about.
Nothing here raises on a bad post: only an unusable source raises :class:`SourceError`.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from searcher import fields, langs, meta, places, sites, text
from searcher.errors import SourceError
from searcher.models import IngestWarning, Post

POST_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".html", ".htm"})
SKIP_DIRS = frozenset({"_site", "node_modules", "_drafts"})
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac")


@dataclass(frozen=True)
class Skipped:
    """A file that yields no post, and why."""

    path: str
    reason: str


@dataclass
class Summary:
    """What one ingest run read, produced, left out and warned about."""

    files: int = 0
    posts: int = 0
    drafts_excluded: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: Counter[str] = field(default_factory=Counter)
    warned_posts: int = 0
    located: int = 0  # posts with a point
    located_by: Counter[str] = field(default_factory=Counter)  # posts by where a point came from
    sites: list[str] = field(default_factory=list)  # the sites found, described

    def count(self, post: Post) -> None:
        self.posts += 1
        if post.located:
            self.located += 1
            self.located_by.update(places.located_by(post.locations))
        if post.warnings:
            self.warned_posts += 1
            self.warnings.update(w.reason for w in post.warnings)

    def skipped_by_reason(self) -> Counter[str]:
        return Counter(s.reason for s in self.skipped)


def scan(
    sources: Iterable[Path],
    *,
    drafts: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    summary: Summary | None = None,
    geocode: bool = True,
) -> Iterator[Post]:
    """Every post of every source (content folders or WordPress ``.xml`` exports); place
    names are geocoded offline unless ``geocode`` is false."""
    summary = summary if summary is not None else Summary()
    for source in sources:
        if source.is_file() and source.suffix.lower() == ".xml":
            from searcher import wxr

            records: Iterable[Post | Skipped] = wxr.read_export(
                source, max_bytes=max_bytes, geocode=geocode
            )
            summary.files += 1
        elif source.is_dir():
            note_site(source, summary)
            records = _read_folder(source, drafts, max_bytes, summary, geocode)
        elif source.is_file():
            records = [read_file(source, source.parent, max_bytes=max_bytes, geocode=geocode)]
            summary.files += 1
        else:
            raise SourceError(f"{source}: no such content folder or export file")
        for record in records:
            if isinstance(record, Skipped):
                summary.skipped.append(record)
            elif record.draft and not drafts:
                summary.drafts_excluded += 1
            else:
                summary.count(record)
                yield record


def note_site(source: Path, summary: Summary) -> None:
    """Say in the summary which site a source folder is, if it is one."""
    view = sites.for_source(source.resolve())
    if view is not None:
        summary.sites.append(view.site.describe())
        summary.sites.extend(f"  {problem}" for problem in view.site.problems)


def _read_folder(
    root: Path, drafts: bool, max_bytes: int, summary: Summary, geocode: bool
) -> Iterator[Post | Skipped]:
    for path in walk(root, drafts=drafts):
        summary.files += 1
        yield read_file(path, root, max_bytes=max_bytes, geocode=geocode)


def walk(root: Path, *, drafts: bool = False) -> Iterator[Path]:
    """Post files under ``root`` in a stable order, skipping build output and hidden folders."""
    for entry in site_files(root, drafts=drafts):
        yield Path(entry.path)


def site_files(root: Path, *, drafts: bool = False) -> Iterator[os.DirEntry[str]]:
    """:func:`scan_files`, without what the site ``root`` belongs to never publishes (layouts,
    includes, data, themes, excluded paths); the same files when there is no site."""
    view = sites.for_source(root)
    found = scan_files(root, drafts=drafts)
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


def scan_files(root: Path, *, drafts: bool = False) -> Iterator[os.DirEntry[str]]:
    """:func:`walk`'s files as directory entries: a caller that stats 60,000 of them (the
    indexer, to find what changed) makes no Path per file. Top-down, names sorted, files of a
    folder before its subfolders; symlinked folders are not followed."""
    if not os.access(root, os.R_OK | os.X_OK):
        raise SourceError(f"{root}: content folder is not readable")
    try:
        with os.scandir(root) as top:
            entries = sorted(top, key=_name)
    except OSError as error:
        raise SourceError(f"{root}: {error.strerror}") from None
    skip = SKIP_DIRS - {"_drafts"} if drafts else SKIP_DIRS
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
            elif name not in skip and not entry.is_symlink():
                below.append(entry.path)
        folders.extend(reversed(below))
        entries = []
        while folders and not entries:
            try:
                with os.scandir(folders.pop()) as inside:
                    entries = sorted(inside, key=_name)
            except OSError:
                continue  # as os.walk: an unreadable subfolder is skipped
        if not entries:
            return


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


def read_file(
    path: Path, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, geocode: bool = True
) -> Post | Skipped:
    """One post file as a record, or why it was skipped. Never raises."""
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    view = sites.for_source(root) if path.is_relative_to(root) else None
    skip = _site_skip(view, rel) or _skip_reason(path, rel, max_bytes)
    if skip:
        return Skipped(rel, skip)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Skipped(rel, f"unreadable: {exc.strerror}")
    if b"\x00" in data[:8192]:
        return Skipped(rel, "binary file")
    content, warnings = decode(data)
    in_drafts = "_drafts" in Path(rel).parts[:-1]
    post = read_text(content, rel, in_drafts=in_drafts, geocode=geocode, site=view)
    if warnings:
        post = _with_warnings(post, warnings)
    return post


def _site_skip(view: sites.View | None, rel: str) -> str | None:
    """Why the site never publishes this file as a post (a page, a layout…), if it does not."""
    if view is None:
        return None
    kind = view.kind(rel)
    if kind == sites.POST:
        return None
    return "not part of the site's content" if kind == sites.IGNORE else kind


def _skip_reason(path: Path, rel: str, max_bytes: int) -> str | None:
    if path.name == "_index.md":
        return "section index page, not a post"
    if path.name.lower().startswith("readme.") and "/" not in rel:
        return "repository README, not a post"
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"unreadable: {exc.strerror}"
    if size > max_bytes:
        return f"larger than {max_bytes} bytes"
    return None


def decode(data: bytes) -> tuple[str, list[IngestWarning]]:
    """Bytes → text with normalised newlines; bytes that are not UTF-8 are recovered and reported.

    Old archives mix encodings within one file, so a line that is not UTF-8 is read as
    Windows-1252 (the usual culprit) and only its truly undefined bytes become U+FFFD.
    """
    warnings: list[IngestWarning] = []
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        lines = []
        bad = 0
        for raw in data.removeprefix(b"\xef\xbb\xbf").split(b"\n"):
            try:
                lines.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                bad += 1
                lines.append(raw.decode("cp1252", errors="replace"))
        content = "\n".join(lines)
        warnings.append(IngestWarning("encoding", f"{bad} line(s) not UTF-8, read as Windows-1252"))
    if "\r" in content:
        content = content.replace("\r\n", "\n").replace("\r", "\n")
    if _MOJIBAKE.search(content):
        try:
            fixed = content.encode("cp1252").decode("utf-8")
        except UnicodeError:
            pass
        else:
            content = fixed
            warnings.append(IngestWarning("mojibake", "UTF-8 read as Windows-1252 repaired"))
    return content, warnings


def read_text(
    content: str,
    rel: str,
    *,
    in_drafts: bool = False,
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
    return build_post(data, extracted, rel, warnings, in_drafts=in_drafts, body=parsed.body,
                      geocode=geocode, site=site)  # fmt: skip


def build_post(
    data: dict[str, Any],
    extracted: text.Extracted,
    rel: str,
    warnings: list[IngestWarning],
    *,
    in_drafts: bool = False,
    url: str | None = None,
    body: str = "",
    geocode: bool = True,
    site: sites.View | None = None,
) -> Post:
    """Normalise front-matter values and extracted text into a :class:`Post`; ``body`` is the
    markup the text came from (for the places it marks up, and to notice text lost)."""
    if site is not None:
        data = {**site.defaults(rel), **data}
    title = fields.clean_title(data.get("title")) or extracted.heading or _title_from_name(rel)
    date = _date(data, rel, warnings)
    found = data.get("taxonomies")
    taxonomies: dict[str, Any] = found if isinstance(found, dict) else {}
    tags = fields.as_terms(_first(data, "tags", "tag", "keywords") or taxonomies.get("tags"))
    categories = fields.as_terms(
        _first(data, "categories", "category") or taxonomies.get("categories")
    )
    declared = _first(data, "lang", "language", "locale")
    default = site.lang(rel) if site is not None else None
    lang, lang_warning = langs.choose(declared, f"{title}\n{extracted.text}", default)
    if lang_warning:
        warnings.append(lang_warning)
    lost = text.little_text(body, extracted.text)
    if lost:
        warnings.append(IngestWarning("little-text", lost))
    found, geo_warnings = places.find_places(data, body, geocode=geocode)
    warnings.extend(geo_warnings)
    link = url or (site.url(rel, data, date, title) if site is not None else None)
    link = link or _first(data, "permalink", "url", "path")
    unpublished = site is not None and site.site.unpublished(data) is not None
    return Post(
        path=rel,
        title=title,
        date=date,
        tags=tags,
        categories=categories,
        lang=lang,
        url=_url(link) or fields.derive_url(rel, date),
        draft=in_drafts or fields.is_draft(data) or unpublished,
        locations=found,
        text=extracted.text,
        warnings=tuple(warnings),
    )


def _date(data: dict[str, Any], rel: str, warnings: list[IngestWarning]) -> Any:
    raw = _first(data, "date", "published_at", "pubdate", "created", "publishDate")
    if raw is not None:
        parsed = fields.parse_date(raw)
        if parsed is not None:
            return parsed
        warnings.append(IngestWarning("bad-date", f"date {str(raw)[:40]!r} not understood"))
    path_field = data.get("path")
    from_meta_path = fields.date_from_path(path_field) if isinstance(path_field, str) else None
    return fields.date_from_path(rel) or from_meta_path


def _url(link: Any) -> str | None:
    if not isinstance(link, str) or not link.strip():
        return None
    url: str = link.strip()
    return url if url.startswith(("/", "http://", "https://")) else "/" + url


def _first(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = data.get(key)
        if value is not None and value != "" and value != []:
            return value
    return None


def _title_from_name(rel: str) -> str:
    path = Path(rel)
    stem = path.parent.name if path.stem == "index" and path.parent.name else path.stem
    stem = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", stem)
    return " ".join(re.split(r"[-_\s]+", stem)).strip() or rel


def _with_warnings(post: Post, extra: list[IngestWarning]) -> Post:
    from dataclasses import replace

    return replace(post, warnings=(*extra, *post.warnings))
