"""Hugo and Zola sites: which files of the content folder are posts, and their URLs.

Hugo (``resources/page/page_paths.go``, ``hugolib/content_map_page.go``) and Zola (which
shares its content folder's shape) read here: :func:`read_site` and :func:`read_zola` make a
:class:`Hugo` or :class:`Zola` from the configuration :mod:`searcher.ingest.sites` found,
and the site says which files are posts, pages or nothing (bundles, resources, languages
the site does not build) and each post's URL (:func:`searcher.ingest.permalinks.hugo_url`).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from searcher.ingest import fields, langs, permalinks, sitedata
from searcher.ingest.generators import (
    IGNORE,
    POST,
    Site,
    one_or_more,
    strings,
    text_value,
    true_flag,
)

_PAGES = (".md", ".markdown", ".mdown", ".html", ".htm", ".org", ".adoc", ".rst", ".pdc")

# --- the sites -------------------------------------------------------------------------


@dataclass(frozen=True)
class Hugo(Site):
    languages: tuple[str, ...] = ()
    default_language: str = "en"
    main_sections: tuple[str, ...] = ()  # the site's ``mainSections``: where its posts are
    disabled: tuple[str, ...] = ()  # languages Hugo does not build (``disableLanguages``)
    top_posts: bool = True  # whether pages outside every section are posts (not about, search)
    ignore_files: tuple[re.Pattern[str], ...] = ()  # ``ignoreFiles``: on the absolute path

    def kind(self, rel: str) -> str:
        inside = self._inside(rel)
        if inside is None:
            return IGNORE
        name = PurePosixPath(inside).name
        if name.split(".")[0] == "_index":
            return f"section list page ({name}), not a post"
        if self.ignore_files and self._ignored(rel):
            return "matched by ignoreFiles: never read by Hugo"
        if self.disabled and (lang := self._language(rel, inside)) in self.disabled:
            return f"page in a disabled language ({lang}), not built"
        if self.generator == "hugo" and (bundle := self._leaf_bundle(rel, inside)):
            return f"resource of the page bundle {bundle}, not a page"
        if self.main_sections and not self._in_main_section(inside):
            return f"page outside the main sections ({', '.join(self.main_sections)}), not a post"
        if not self.top_posts and not self.main_sections and self._at_top(inside):
            return "page outside every section (Hugo lists its largest section's), not a post"
        return POST

    def _ignored(self, rel: str) -> bool:
        """Whether ``ignoreFiles`` matches the file's absolute path or a folder's above it
        (Hugo does not walk into a matching folder: blogdown's ``_cache$``)."""
        parts = rel.split("/")
        paths = [os.path.join(self.root, *parts[:n]) for n in range(1, len(parts) + 1)]
        return any(p.search(path) for p in self.ignore_files for path in paths)

    def _leaf_bundle(self, rel: str, inside: str) -> str | None:
        """The ``index`` page of the leaf bundle holding a file that is no bundle's own
        index: Hugo reads every other file of the bundle, below it too, as a resource (the
        headless ``homepage/`` bundle's sections), never as a page."""
        parts = inside.split("/")
        if len(parts) == 1 or parts[-1].split(".")[0] == "index":
            return None
        prefix = rel[: len(rel) - len(inside)]  # the content folder's, "content/"
        folder = os.path.join(self.root, prefix)
        for depth, part in enumerate(parts[:-1], start=1):
            folder = os.path.join(folder, part)
            try:
                version = os.stat(folder).st_mtime_ns  # a listing is read once a version
            except OSError:
                return None
            name = _bundle_index(folder, version, self.languages)
            if name:
                return prefix + "/".join([*parts[:depth], name])
        return None

    @staticmethod
    def _at_top(inside: str) -> bool:
        """Whether a page is in no section: ``about.md``, or a bundle ``search/index.md``."""
        parts = inside.split("/")
        return len(parts) == 1 or (len(parts) == 2 and parts[1].split(".")[0] == "index")

    def _in_main_section(self, inside: str) -> bool:
        """Whether a page is under one of ``mainSections`` (top-level section names; an
        entry with a slash names a deeper section by its path)."""
        folders = inside.casefold().split("/")[:-1]
        for section in self.main_sections:
            wanted = section.casefold().strip("/").split("/")
            if folders[: len(wanted)] == wanted:
                return True
        return False

    def _inside(self, rel: str) -> str | None:
        """The path within the deepest content folder holding it (``content/fr/`` before
        ``content/``: a language's own folder)."""
        for folder in sorted(self.content, key=len, reverse=True):
            if rel.startswith(folder.rstrip("/") + "/"):
                return rel[len(folder.rstrip("/")) + 1 :]
        return None

    def defaults(self, rel: str) -> dict[str, Any]:
        """What the ``cascade`` of each section's ``_index`` page above gives (outer first)."""
        inside = self._inside(rel)
        if inside is None:
            return {}
        folder = self.root / rel[: len(rel) - len(inside)]
        found: dict[str, Any] = {}
        for name in ("", *inside.split("/")[:-1]):
            folder = folder / name if name else folder
            for index in sorted(folder.glob("_index.*")):
                cascade = sitedata.cascade(sitedata.front_matter(index))
                found.update(cascade)
                if cascade:
                    break
        return found

    def _sections(self, rel: str, inside: str) -> tuple[str, ...]:
        """The page's sections: its first folder, then each deeper one that has an
        ``_index`` page (Hugo's nested sections; a folder without one is no section)."""
        folders = inside.split("/")[:-1]
        if folders and PurePosixPath(inside).stem.split(".")[0] == "index":
            folders = folders[:-1]  # a bundle's own folder
        content = self.root / rel[: len(rel) - len(inside)]
        found = folders[:1]
        for depth in range(2, len(folders) + 1):
            if not any(content.joinpath(*folders[:depth]).glob("_index.*")):
                break
            found.append(folders[depth - 1])
        return tuple(found)

    def unpublished(self, data: Mapping[str, Any]) -> str | None:
        if fields.truthy(data.get("headless")):  # a flag read as draft: is (drafts.py)
            return "headless bundle (headless: true): never rendered"
        for key in ("build", "_build"):
            build = data.get(key)
            if not isinstance(build, Mapping):
                continue
            render, listed = str(build.get("render")).lower(), str(build.get("list")).lower()
            if render in ("never", "false"):
                return f"{key}.render is {render}: never rendered"
            if listed in ("never", "false"):  # an unlisted page: a link's, in no list
                return f"{key}.list is {listed}: in no list of the site"
        return _expired(data)

    def path_url(self, rel: str, data: Mapping[str, Any], date: dt.datetime | None,
                 title: str) -> str | None:  # fmt: skip
        inside = self._inside(rel)
        if inside is None:
            return None
        lang = self._language(rel, inside)
        table = self.config.get("permalinks")
        table = table if isinstance(table, Mapping) else {}
        page_table = table.get("page")  # Hugo 0.120's [permalinks.page], else the old table
        table = page_table if isinstance(page_table, Mapping) else table
        page = permalinks.HugoPage(
            relative=inside, date=date, title=title, slug=text_value(data.get("slug")),
            url=text_value(data.get("url")), sections=self._sections(rel, inside),
        )  # fmt: skip
        lower = not true_flag(self.config.get("disablepathtolower"))
        ugly = self.config.get("uglyurls")
        if isinstance(ugly, Mapping):  # per section: uglyURLs = {books = true}
            section = (page.sections or ("",))[0].lower()
            ugly = next((v for k, v in ugly.items() if str(k).lower() == section), False)
        ugly = true_flag(ugly)
        in_subdir = true_flag(self.config.get("defaultcontentlanguageinsubdir"))
        apart = bool(self.languages) and (lang != self.default_language or in_subdir)
        folder = lang if lang and apart else ""  # the page is served under /lang
        accents = not true_flag(self.config.get("removepathaccents"))
        return permalinks.hugo_url(page, table, lower=lower, ugly=ugly, language=folder,
                                   accents=accents)  # fmt: skip

    def _language(self, rel: str, inside: str) -> str | None:
        """A page's language: its file name's (``trip.fr.md``), or its content folder's."""
        parts = PurePosixPath(inside).name.split(".")
        if len(parts) >= 3 and parts[-2].lower() in self.languages:
            return parts[-2].lower()
        languages = self.config.get("languages")
        if isinstance(languages, Mapping):
            for code, settings in languages.items():
                folder = settings.get("contentdir") if isinstance(settings, Mapping) else None
                if isinstance(folder, str) and rel.startswith(folder.rstrip("/") + "/"):
                    return str(code).lower()
        return None

    def post_lang(self, rel: str) -> str | None:
        inside = self._inside(rel)
        return (self._language(rel, inside) if inside else None) or self.lang


@functools.lru_cache(maxsize=1024)
def _bundle_index(folder: str, version: int, languages: tuple[str, ...]) -> str | None:
    """The leaf bundle page (``index.md``, ``index.fr.md``) in ``folder``, if any."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    for name in names:
        first, _, rest = name.partition(".")
        lang, _, ext = rest.rpartition(".")
        if first == "index" and ext in ("md", "html", "markdown") and lang in ("", *languages):
            return name
    return None


def _expired(data: Mapping[str, Any]) -> str | None:
    """Hugo's expiryDate (or unpublishDate) passed: Hugo builds the page no more."""
    for key in ("expirydate", "unpublishdate"):
        when = fields.parse_date(data.get(key))
        if when is None:
            continue
        now = dt.datetime.now(when.tzinfo or dt.UTC).replace(tzinfo=when.tzinfo)
        return f"{key} {when.date()} passed: no longer built" if when <= now else None
    return None


_DRAFT_SECTION = "zola draft section"  # no front matter key: a page cannot undo it


@dataclass(frozen=True)
class Zola(Hugo):
    def defaults(self, rel: str) -> dict[str, Any]:
        """Zola sections pass nothing down to their pages but their draft state: Zola does
        not walk into a section whose ``_index.md`` says ``draft = true``."""
        inside = self._inside(rel)
        if inside is None:
            return {}
        folder = self.root / rel[: len(rel) - len(inside)]
        for name in ("", *inside.split("/")[:-1]):
            folder = folder / name if name else folder
            for index in sorted(folder.glob("_index*.md")):
                if fields.truthy(sitedata.front_matter(index).get("draft")):
                    return {_DRAFT_SECTION: str(index.relative_to(self.root))}
        return {}

    def unpublished(self, data: Mapping[str, Any]) -> str | None:
        if data.get(_DRAFT_SECTION):
            return f"in a draft section ({data[_DRAFT_SECTION]}): not built"
        if data.get("render") is False:  # Zola 0.19: a page that is listed, never rendered
            return "render = false: never rendered"
        return None

    def path_url(self, rel: str, data: Mapping[str, Any], date: dt.datetime | None,
                 title: str) -> str | None:  # fmt: skip
        inside = self._inside(rel)
        if inside is None:
            return None
        lang = self._language(rel, inside)
        slugify = self.config.get("slugify")
        slugify = slugify if isinstance(slugify, Mapping) else {}
        name = PurePosixPath(inside)
        if lang:
            name = name.with_name(name.name.replace(f".{lang}.", "."))
        slug, own = text_value(data.get("slug")), text_value(data.get("path"))
        keep = true_flag(slugify.get("paths_keep_dates"))
        path = permalinks.zola_url(str(name), slug=slug, path=own, keep_dates=keep,
                                   slugify=slugify.get("paths") in (None, "on"))  # fmt: skip
        if lang and lang != self.default_language and not own:  # a page's path is whole
            path = f"/{lang}{path}"
        return path


# --- reading their configuration ---


def read_site(root: Path, name: str, config: dict[str, Any], problems: tuple[str, ...]) -> Hugo:
    config = {str(k).lower(): v for k, v in config.items()}  # Hugo's keys ignore case
    languages = config.get("languages")
    config["languages"] = {
        str(code).lower(): ({str(k).lower(): v for k, v in settings.items()}
                            if isinstance(settings, Mapping) else {})
        for code, settings in (languages.items() if isinstance(languages, Mapping) else ())
    }  # fmt: skip
    mounted = _content_mounts(config)
    for source, code in mounted:  # a language's mount is its content folder
        if code in config["languages"]:
            config["languages"][code].setdefault("contentdir", source)
    own = [text_value(settings.get("contentdir")) for settings in config["languages"].values()]
    folders = [f for f in own if f]
    if mounted:  # mounts replace the default content folder
        folders = [*dict.fromkeys([*(source for source, _ in mounted), *folders])]
    elif not folders or not all(own):  # a language without its own folder reads the site's
        folders.insert(0, text_value(config.get("contentdir")) or "content")
    default = text_value(config.get("defaultcontentlanguage")) or "en"
    lang = langs.normalise(  # Hugo 0.158 renamed languageCode locale
        config.get("locale") or config.get("languagecode") or config.get("defaultcontentlanguage")
    )
    base = text_value(config.get("baseurl")) or ""
    disabled = {c.lower() for c in strings(config.get("disablelanguages"))}
    disabled |= {c for c, items in config["languages"].items() if true_flag(items.get("disabled"))}
    return Hugo("hugo", root, name, config, base.rstrip("/"), lang, problems,
                tuple(f.strip("/") for f in dict.fromkeys(folders)),
                languages=tuple(config["languages"]),
                default_language=default.lower(),
                main_sections=_main_sections(root, config, folders),
                top_posts=_top_holds_posts(root, folders),
                ignore_files=_patterns(config.get("ignorefiles")),
                disabled=tuple(sorted(disabled - {default.lower()})))  # fmt: skip


def _content_mounts(config: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """The folders ``[[module.mounts]]`` mount as the whole of ``content`` (Hugo's way to
    give each language its folder, or to keep content elsewhere), each with its language
    (``lang``, or a single one in ``sites.matrix.languages``). Mounts into part of
    ``content`` and sources outside the site are not followed."""
    module = config.get("module")
    mounts = module.get("mounts") if isinstance(module, Mapping) else None
    found: list[tuple[str, str | None]] = []
    for mount in mounts if isinstance(mounts, list) else ():
        if not isinstance(mount, Mapping):
            continue
        mount = {str(k).lower(): v for k, v in mount.items()}
        source = (text_value(mount.get("source")) or "").strip("/")
        if text_value(mount.get("target")) not in ("content", "content/") or not source:
            continue
        if source.startswith("..") or "/../" in f"/{source}/" or ":" in source:
            continue
        found.append((source, _mount_language(mount)))
    return found


def _mount_language(mount: Mapping[str, Any]) -> str | None:
    code = text_value(mount.get("lang"))
    sites = mount.get("sites")
    matrix = sites.get("matrix") if isinstance(sites, Mapping) else None
    codes = matrix.get("languages") if isinstance(matrix, Mapping) else None
    if code is None and isinstance(codes, list) and len(codes) == 1:
        code = text_value(codes[0])
    return code.lower() if code and "*" not in code else None


def _main_sections(root: Path, config: Mapping[str, Any], folders: list[str]) -> tuple[str, ...]:
    """Hugo's ``mainSections`` (the project setting, or the older ``params.mainSections``
    that themes read): the sections that hold the posts. Unset, every section's pages are
    posts (Hugo falls back to its largest section; see :func:`_top_holds_posts` for the
    pages outside every section). Sections that no content
    folder has are dropped, and if none is left the setting is ignored: a stale or
    mistyped setting must not leave every post out."""
    params = config.get("params")
    params = {str(k).lower(): v for k, v in params.items()} if isinstance(params, Mapping) else {}
    for value in (config.get("mainsections"), params.get("mainsections")):
        names = one_or_more(value)
        names = tuple(n.strip().strip("/") for n in names if n.strip().strip("/"))
        found = tuple(n for n in names if any(_has_folder(root / f, n) for f in folders))
        if found:
            return found
    return ()


def _top_holds_posts(root: Path, folders: list[str]) -> bool:
    """Whether the pages outside every section (``about.md``, ``search/index.md``) are
    posts. With mainSections unset Hugo takes its largest section for the posts, so when a
    section holds more pages than the top, the top's are the site's own pages; a blog that
    keeps its posts at the top holds more there."""
    top, sections = 0, Counter[str]()
    for folder in folders:
        try:
            entries = list(os.scandir(root / folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_file() and _is_page(entry.name):
                top += 1
            elif entry.is_dir() and any(_is_page(n, "index") for n in os.listdir(entry.path)):
                top += 1  # a bundle
            elif entry.is_dir():
                for _, _, names in os.walk(entry.path):
                    sections[entry.name.lower()] += sum(_is_page(n) for n in names)
    return not sections or top >= max(sections.values())


def _patterns(value: Any) -> tuple[re.Pattern[str], ...]:
    """Hugo's ``ignoreFiles`` regular expressions (one Python cannot read is left out)."""
    found = []
    for text in one_or_more(value):
        try:
            found.append(re.compile(text))
        except (re.error, RecursionError):
            continue
    return tuple(found)


def _is_page(name: str, stem: str = "") -> bool:
    """Whether a file name is a Hugo content page's (``stem``: only that page name)."""
    first, _, _ = name.partition(".")
    kept = first == stem if stem else first != "_index"
    return kept and name.lower().endswith(_PAGES)


def _has_folder(content: Path, section: str) -> bool:
    """Whether ``content`` has the folder ``section`` (its name in any case, as Hugo's
    section names are compared)."""
    try:
        return (content / section).is_dir() or any(
            e.is_dir() and e.name.casefold() == section.casefold().split("/")[0]
            for e in os.scandir(content)
        )
    except OSError:
        return False


def read_zola(root: Path, name: str, config: dict[str, Any], problems: tuple[str, ...]) -> Zola:
    languages = config.get("languages")
    codes = tuple(str(c).lower() for c in languages) if isinstance(languages, Mapping) else ()
    if isinstance(languages, list):  # before Zola 0.15: languages = [{code = "fr"}, …]
        codes = tuple(str(t["code"]).lower() for t in languages if isinstance(t, Mapping)
                      and isinstance(t.get("code"), str))  # fmt: skip
    default = text_value(config.get("default_language")) or "en"
    lang = langs.normalise(config.get("default_language"))
    base = (text_value(config.get("base_url")) or "").rstrip("/")
    return Zola("zola", root, name, config, base, lang, problems, ("content",),
                languages=codes, default_language=default.lower())  # fmt: skip
