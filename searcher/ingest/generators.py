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
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
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

    def kind(self, rel: str) -> str:
        inside = within(rel, self.source)
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
        inside = within(rel, self.source)
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
        rel = within(rel, self.source) or rel
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


# --- Eleventy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eleventy(Site):
    ignored: tuple[str, ...] = ()  # input-relative folders and globs that are never content
    prefix: str = "/"
    collected: tuple[str, ...] = ()  # getFilteredByGlob's globs (from the root): the posts

    def kind(self, rel: str) -> str:
        inside = within(rel, self.content[0])
        if inside is None:
            return IGNORE
        if any(matches(inside, pattern) for pattern in self.ignored):
            return IGNORE
        if self.collected and not any(_glob(g).fullmatch(rel) for g in self.collected):
            globs = ", ".join(self.collected)
            return f"in none of the collections the site builds from files ({globs}): a page"
        return POST

    def defaults(self, rel: str) -> dict[str, Any]:
        """Eleventy's data cascade below global data: each folder's ``<folder>.json`` and
        ``<folder>.11tydata.json`` or ``.js`` (outer first), then the template's own data
        files."""
        inside = within(rel, self.content[0])
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
        inside = within(rel, self.content[0])
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


@functools.lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """A glob as Eleventy's (micromatch) reads one: ``**/`` any folders or none, ``*`` and
    ``?`` within one name, ``{a,b}`` either (translated once per glob: :meth:`Eleventy.kind`
    asks for every file)."""
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


def within(rel: str, folder: str) -> str | None:
    """The path within ``folder`` ("" for the site's root), or None when outside it (Jekyll's
    and Hexo's ``source``, Eleventy's input: where the generator reads everything from)."""
    if not folder:
        return rel
    return rel[len(folder) + 1 :] if rel.startswith(folder + "/") else None


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


def strings(value: Any) -> tuple[str, ...]:
    """The strings of a list setting (``exclude``, ``mainSections``); none for any other value."""
    return tuple(str(v) for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def one_or_more(value: Any) -> tuple[str, ...]:
    """The strings of a setting written as one string or a list of them (``mainSections``,
    ``ignoreFiles``, ``skip_render``)."""
    return (value,) if isinstance(value, str) else strings(value)
