"""What each static-site generator makes of a site's files: which are posts, their URLs.

One class per generator (:class:`Jekyll`, :class:`Hugo`, :class:`Zola`, :class:`Eleventy`,
:class:`Hexo`)
over a :class:`Site` read by :mod:`searcher.ingest.sites`: ``kind`` sorts a file (relative to the
site's root) into a post, something never published, or another page with the reason;
``path_url`` gives a post's path as the generator builds it (:mod:`searcher.ingest.permalinks`).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from searcher.ingest import fields, permalinks, sitedata

POST = "post"
IGNORE = "ignore"  # never content: not listed at all
_NEVER = "Jekyll never reads it"
_DATED_FILE = re.compile(r"^\d{2,4}-\d{1,2}-\d{1,2}-.*\.[^.]+$")


@dataclass(frozen=True)
class Site:
    """One site: its generator, folder, configuration, base URL and default language."""

    generator: str  # "jekyll", "hugo", "zola", "eleventy" or "hexo"
    root: Path
    config_file: str
    config: Mapping[str, Any]
    base: str = ""  # put before every post's path for absolute URLs
    lang: str | None = None
    problems: tuple[str, ...] = ()
    content: tuple[str, ...] = ("",)  # folders (relative to root) that hold posts

    def kind(self, rel: str) -> str:
        """POST, IGNORE, or why a file of the site is not a post."""
        raise NotImplementedError

    def path_url(self, rel: str, data: Mapping[str, Any], date: dt.datetime | None,
                 title: str) -> str | None:  # fmt: skip
        """The post's path on the site (None: left to the generic guess)."""
        raise NotImplementedError

    def defaults(self, rel: str) -> dict[str, Any]:
        """Front matter a post gets from the site's configuration (its own keys win)."""
        return {}

    def unpublished(self, data: Mapping[str, Any]) -> str | None:
        """Why a post's front matter keeps it off the site, beyond drafts (None: it is on)."""
        return None

    def front_matter(self, rel: str, data: dict[str, Any]) -> dict[str, Any]:
        """A post's front matter (its site's defaults under it) with the values only the
        generator knows how to read put as plain values."""
        return data

    def describe(self) -> str:
        where = ", ".join(f"{c or '.'}/" for c in self.content)
        parts = [f"{self.generator.capitalize()} site ({self.config_file}): posts from {where}"]
        if self.base:
            parts.append(f"URLs under {self.base}")
        if self.lang:
            parts.append(f"language {self.lang}")
        return ", ".join(parts)


# --- Jekyll --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Jekyll(Site):
    collections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    excludes: tuple[str, ...] = ()
    source: str = ""  # the ``source`` folder (Octopress: ``source``), "" for the root

    def _in_source(self, rel: str) -> str | None:
        """The path within the site's ``source`` folder, where Jekyll reads everything from
        (None: outside it, never read)."""
        if not self.source:
            return rel
        return rel[len(self.source) + 1 :] if rel.startswith(self.source + "/") else None

    def kind(self, rel: str) -> str:
        inside = self._in_source(rel)
        if inside is None:
            return IGNORE
        rel = inside
        parts = rel.split("/")
        if self._excluded(rel):
            return IGNORE
        inner = self._inner(parts)
        if inner is None:
            if any(p in ("_posts", "_drafts") or p[1:] in self.collections for p in parts[:-1]):
                home = "/".join(self._home())
                return f"outside the collections folder (collections_dir: {home}): {_NEVER}"
            inner = parts
        for magic in ("_posts", "_drafts"):
            if magic in inner[:-1]:
                above = inner[: inner.index(magic)]
                if any(p.startswith("_") for p in above):
                    return IGNORE
                if magic == "_posts" and not _DATED_FILE.match(parts[-1]):
                    return "no date in its file name: Jekyll does not publish it as a post"
                return POST
        label = inner[0][1:] if len(inner) > 1 and inner[0].startswith("_") else None
        if label is not None and label in self.collections:
            if true_flag(self.collections[label].get("output")):
                pages = _collection_pages(label, self.collections[label])
                layout = self.defaults(rel).get("layout")
                if pages is None and layout == "page":  # Jekyll's layout for pages
                    pages = f"in collection '{label}', laid out as a page (layout: {layout})"
                return pages or POST
            return f"in collection '{label}', which has output: false (never published)"
        if any(p.startswith(("_", "#", "~")) or p.endswith("~") for p in parts):
            return IGNORE
        return "a page of the Jekyll site, not a post"

    def _home(self) -> list[str]:
        """The folders of ``collections_dir`` (where posts and collections are, if set)."""
        return [p for p in str(self.config.get("collections_dir") or "").split("/") if p.strip(".")]

    def _inner(self, parts: list[str]) -> list[str] | None:
        """A path's parts within the collections folder (None: outside it, when one is set)."""
        home = self._home()
        if not home:
            return parts
        return parts[len(home) :] if parts[: len(home)] == home else None

    def _excluded(self, rel: str) -> bool:
        return any(matches(rel, pattern) for pattern in self.excludes)

    def defaults(self, rel: str) -> dict[str, Any]:
        inside = self._in_source(rel)
        if inside is None:
            return {}
        rel = inside
        found: dict[str, Any] = {}
        kind = self._type(rel)
        held = (-1, False)  # the winning scope so far: its path's length, whether it has a type
        for entry in _list(self.config.get("defaults")):
            scope = entry.get("scope") if isinstance(entry, Mapping) else None
            values = entry.get("values") if isinstance(entry, Mapping) else None
            if not isinstance(scope, Mapping) or not isinstance(values, Mapping):
                continue
            path, wanted = str(scope.get("path") or ""), scope.get("type")
            if wanted and wanted != kind:
                continue
            if path and not matches(rel, path):
                continue
            # Jekyll's has_precedence?: the longer path wins, then a scope with a type
            rank = (len(path.strip("/")), bool(wanted))
            if rank[0] > held[0] or (rank[0] == held[0] and (rank[1] or not held[1])):
                found, held = {**found, **values}, rank
            else:
                found = {**values, **found}
        lang = self._path_language(rel)
        return {"lang": lang, **found} if lang else found

    def _type(self, rel: str) -> str:
        parts = rel.split("/")
        if "_posts" in parts[:-1]:
            return "posts"
        if "_drafts" in parts[:-1]:
            return "drafts"
        return parts[0][1:] if parts[0].startswith("_") else "pages"

    def path_url(self, rel: str, data: Mapping[str, Any], date: dt.datetime | None,
                 title: str) -> str | None:  # fmt: skip
        rel = self._in_source(rel) or rel
        parts = self._inner(rel.split("/")) or rel.split("/")
        magic = next((m for m in ("_posts", "_drafts") if m in parts[:-1]), None)
        if magic:
            at = parts.index(magic)
            label, inside = "posts", "/".join(parts[at + 1 :])
            # Jekyll: the folders above _posts first, then the front matter's (Document#read)
            categories = (*parts[:at], *_categories(data), *_terms(data.get("category")))
        else:
            label, inside, categories = parts[0][1:], "/".join(parts[1:]), _categories(data)
        collection = self.collections.get(label, {})
        own = data.get("permalink")
        template = own if isinstance(own, str) and own.strip() else collection.get("permalink")
        if not isinstance(template, str) or not template:
            template = permalinks.jekyll_template(self.config.get("permalink"), collection=label)
        elif label == "posts" and template in permalinks.JEKYLL_STYLES:
            template = permalinks.JEKYLL_STYLES[template]
        slug = data.get("slug")
        doc = permalinks.JekyllDoc(
            relative=inside, collection=label, date=self._local(date),
            slug=str(slug) if slug else permalinks.jekyll_slug(parts[-1]),
            categories=tuple(dict.fromkeys(str(c) for c in categories)),
        )  # fmt: skip
        return self._language_prefix(data, rel) + permalinks.jekyll_url(template, doc)

    def _languages(self) -> tuple[tuple[str, ...], str]:
        """jekyll-polyglot's ``languages`` and ``default_lang`` (none: not a polyglot site)."""
        listed = self.config.get("languages")
        if not isinstance(listed, list):
            return (), ""
        codes = tuple(str(code).strip() for code in listed if str(code).strip())
        default = str(self.config.get("default_lang") or (codes[0] if codes else ""))
        return codes, default

    def _path_language(self, rel: str) -> str | None:
        """With polyglot's ``lang_from_path``, the first folder of the path named after one of
        the site's languages (``_posts/es/…``) says the post's language."""
        codes, _ = self._languages()
        if not codes or not true_flag(self.config.get("lang_from_path")):
            return None
        return next(filter(None, map(_spelling(codes), rel.split("/")[:-1])), None)

    def _language_prefix(self, data: Mapping[str, Any], rel: str) -> str:
        """polyglot builds each language but the default under ``/<lang>``, the language
        spelled as the site lists it (``/pt-BR/``)."""
        codes, default = self._languages()
        lang = data.get("lang")
        lang = _spelling(codes)(lang) if isinstance(lang, str) else self._path_language(rel)
        return f"/{lang}" if lang and lang.lower() != default.strip().lower() else ""

    def _local(self, date: dt.datetime | None) -> dt.datetime | None:
        """The date as Jekyll formats it: in the site's timezone (UTC without one)."""
        if date is None or date.tzinfo is None:
            return date
        zone: dt.tzinfo = dt.UTC
        name = self.config.get("timezone")
        if isinstance(name, str):
            try:
                from zoneinfo import ZoneInfo

                zone = ZoneInfo(name)
            except (ValueError, KeyError, OSError):
                pass
        try:
            return date.astimezone(zone)
        except (OverflowError, ValueError):  # a date at the very end of the calendar
            return date


def _collection_pages(label: str, settings: Mapping[str, Any]) -> str | None:
    """Why a published collection holds the site's pages rather than posts: it is sorted by
    hand (Chirpy's ``_tabs``, ``sort_by: order``), or named for a taxonomy's or the site's
    pages (``_tags``: a page per tag); None for a collection of posts."""
    order = settings.get("sort_by")
    if order not in (None, "date"):
        return f"in collection '{label}', ordered by {order}: pages, not posts"
    if label.lower() in _PAGE_COLLECTIONS:
        return f"in collection '{label}': pages of the site, not posts"
    return None


_PAGE_COLLECTIONS = frozenset("tags tag categories category authors author tabs pages".split())


def _spelling(codes: tuple[str, ...]) -> Callable[[str], str | None]:
    """The site's spelling of a language code written in any case (None: not the site's)."""
    spelled = {code.lower(): code for code in codes}
    return lambda code: spelled.get(code.strip().lower())


def _categories(data: Mapping[str, Any]) -> tuple[str, ...]:
    value = data.get("categories")
    return tuple(value.split()) if isinstance(value, str) else _terms(value)


def _terms(value: Any) -> tuple[str, ...]:
    if value is None or isinstance(value, bool | Mapping):
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if v is not None and not isinstance(v, Mapping | list))
    return (str(value),)


# --- Hugo and Zola -------------------------------------------------------------------------


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


# --- Eleventy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eleventy(Site):
    ignored: tuple[str, ...] = ()  # input-relative folders and globs that are never content
    prefix: str = "/"
    collected: tuple[str, ...] = ()  # getFilteredByGlob's globs (from the root): the posts

    def kind(self, rel: str) -> str:
        inside = self._inside(rel)
        if inside is None:
            return IGNORE
        if any(matches(inside, pattern) for pattern in self.ignored):
            return IGNORE
        if self.collected and not any(_glob(g).fullmatch(rel) for g in self.collected):
            globs = ", ".join(self.collected)
            return f"in none of the collections the site builds from files ({globs}): a page"
        return POST

    def _inside(self, rel: str) -> str | None:
        folder = self.content[0]
        if not folder:
            return rel
        return rel[len(folder) + 1 :] if rel.startswith(folder + "/") else None

    def defaults(self, rel: str) -> dict[str, Any]:
        """Eleventy's data cascade below global data: each folder's ``<folder>.json`` and
        ``<folder>.11tydata.json`` or ``.js`` (outer first), then the template's own data
        files."""
        inside = self._inside(rel)
        if inside is None:
            return {}
        parts = inside.split("/")
        folder = self.root / self.content[0] if self.content[0] else self.root
        found: dict[str, Any] = {}
        for name in (*parts[:-1], None):
            if name is not None:
                folder = folder / name
            stem = name if name is not None else parts[-1].rsplit(".", 1)[0]
            for data_file in (f"{stem}.json", *(f"{stem}.11tydata.{e}" for e in _ELEVENTY_DATA)):
                found.update(sitedata.json_data(folder / data_file))
        return found

    def front_matter(self, rel: str, data: dict[str, Any]) -> dict[str, Any]:
        """The post's tags without the collections that only make it a post (``post``,
        ``posts``: Eleventy's starter blog leaves them out wherever it shows tags), and its
        date, :meth:`_date`."""
        tags = data.get("tags")
        if isinstance(tags, str) and tags.strip().lower() in _ELEVENTY_COLLECTIONS:
            data = {k: v for k, v in data.items() if k != "tags"}
        elif isinstance(tags, list):
            tags = [
                t for t in tags if not (isinstance(t, str) and t.lower() in _ELEVENTY_COLLECTIONS)
            ]
            data = {**data, "tags": tags}
        return self._date(rel, data)

    def _date(self, rel: str, data: dict[str, Any]) -> dict[str, Any]:
        """Eleventy's date keywords (``date: Last Modified``, ``Created``, ``git Last
        Modified``, ``git Created``) as the file's modification time. Git's dates would need
        its history, and a fresh checkout's files are all as old as the checkout: for those
        a date in the file name is nearer, when there is one."""
        date = data.get("date")
        keyword = date.strip().lower() if isinstance(date, str) else ""
        if keyword not in _ELEVENTY_DATES:
            return data
        undated = {k: v for k, v in data.items() if k != "date"}
        if keyword.startswith("git") and fields.date_from_path(rel) is not None:
            return undated
        try:
            stamp = (self.root / rel).stat().st_mtime
        except OSError:
            return undated
        return {**data, "date": dt.datetime.fromtimestamp(stamp, dt.UTC).replace(microsecond=0)}

    def unpublished(self, data: Mapping[str, Any]) -> str | None:
        if data.get("permalink") is False:
            return "permalink: false: Eleventy never writes it"
        if fields.truthy(data.get("eleventyExcludeFromCollections")):
            return "eleventyExcludeFromCollections: in no collection, not a post"
        return None

    def path_url(self, rel: str, data: Mapping[str, Any], date: dt.datetime | None,
                 title: str) -> str | None:  # fmt: skip
        inside = self._inside(rel)
        if inside is None:
            return None
        computed = data.get("eleventyComputed")  # its string values are templates too
        own = computed.get("permalink") if isinstance(computed, Mapping) else None
        own = own if isinstance(own, str) else data.get("permalink")
        path = permalinks.eleventy_url(inside, own, data)
        if path is None:
            return None
        return "/" + self.prefix.strip("/") + path if self.prefix.strip("/") else path


_ELEVENTY_DATA = ("json", "cjs", "mjs", "js")  # the order Eleventy 3 reads them in, last wins
_ELEVENTY_COLLECTIONS = ("all", "nav", "post", "posts")  # the starter blog's filterTagList
_ELEVENTY_DATES = ("last modified", "created", "git last modified", "git created")


def _glob(pattern: str) -> re.Pattern[str]:
    """A glob as Eleventy's (micromatch) reads one: ``**/`` any folders or none, ``*`` and
    ``?`` within one name, ``{a,b}`` either (compiled once: ``re`` keeps what it compiled)."""
    out, at = [], 0
    pattern = pattern.strip().removeprefix("./")
    while at < len(pattern):
        if pattern.startswith("**/", at):
            out.append("(?:.*/)?")
            at += 3
            continue
        char = pattern[at]
        if pattern.startswith("**", at):
            out.append(".*")
            at += 1
        elif char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char in "{}":
            out.append("(?:" if char == "{" else ")")
        elif char == ",":
            out.append("|" if "{" in pattern[:at] else ",")
        else:
            out.append(re.escape(char))
        at += 1
    try:
        return re.compile("".join(out))
    except re.error:
        return re.compile(re.escape(pattern))


def matches(rel: str, pattern: str) -> bool:
    """Whether a path is, or is inside, what a glob or folder pattern names."""
    pattern = pattern.strip().rstrip("/")
    if not pattern:
        return False
    return fnmatch.fnmatchcase(rel, pattern) or rel == pattern or rel.startswith(pattern + "/")


def true_flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def text_value(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
