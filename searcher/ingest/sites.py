"""A site's generator and configuration, read from its root: what is a post, and its URL.

Pointed at a site's folder, blogsearch finds the generator by its configuration file (Jekyll
``_config.yml``, Hugo ``hugo.toml``/``config.*``, Zola ``config.toml``, Eleventy
``eleventy.config.js``/``.eleventy.js``; a ``_config.yml`` with Hexo's keys, or beside a
``package.json`` naming Hexo, is Hexo's) in that folder, or in its parent when the folder is
the site's content folder (``content/``, ``_posts/``). The site then says which files are posts
(Jekyll: ``_posts`` and collections of posts with ``output: true``, under its ``source``;
Hexo: ``source/_posts``; Hugo and Zola: the content folder; Eleventy: its input, or what its
collections' globs match), which never are (layouts, includes, partials, data, themes, excluded
paths: not even listed), which are other pages (listed as skipped, with the reason), each
post's URL as the generator builds it (see :mod:`searcher.ingest.permalinks`), and the language to
fall back on. Jekyll needs no configuration file: a root holding ``_posts/`` beside Jekyll's
own folders (``_layouts/``, ``_includes/``, ``_sass/``) or a Gemfile naming Jekyll is read as
a Jekyll site with Jekyll's defaults. Otherwise, without a configuration file nothing changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import posixpath
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from searcher.ingest import hexo, hugo, jsmatter, langs, meta, permalinks
from searcher.ingest.generators import (
    IGNORE,
    POST,
    Eleventy,
    Jekyll,
    Site,
    strings,
    text_value,
    true_flag,
)
from searcher.ingest.hugo import Hugo, Zola

__all__ = ["IGNORE", "POST", "Site", "View", "fingerprint", "for_source", "read_site"]


_JEKYLL = ("_config.yml", "_config.yaml", "_config.toml")
# folders only a Jekyll site has (``_site/`` and ``_drafts/`` also sit beside copied posts)
_JEKYLL_MARKS = ("_layouts", "_includes", "_sass", ".jekyll-cache", ".jekyll-metadata")
_JEKYLL_DEFAULTS = "no _config.yml: Jekyll's defaults"
_HUGO = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json")
_SHARED = ("config.toml", "config.yaml", "config.yml", "config.json")  # Hugo's, or Zola's
_ELEVENTY = (
    "eleventy.config.js", "eleventy.config.mjs", "eleventy.config.cjs", "eleventy.config.ts",
    ".eleventy.js", ".eleventy.mjs", ".eleventy.cjs",
)  # fmt: skip
_SPLIT = tuple(f"config/_default/{stem}.{ext}" for stem in ("hugo", "config")
               for ext in ("toml", "yaml", "yml", "json"))  # fmt: skip
_HUGO_CONFIG_FOLDERS = ("config/_default", "config/production")  # `hugo` builds production
_CONTENT_FOLDERS = ("content", "_posts", "src", "posts", "blog")  # a source that may be one
_ZOLA_KEYS = ("base_url", "compile_sass", "build_search_index", "generate_feed", "generate_feeds",
              "default_language", "markdown")  # fmt: skip
_HUGO_KEYS = frozenset(
    "baseurl contentdir languagecode defaultcontentlanguage theme permalinks taxonomies params "
    "markup menus menu module outputs disablekinds paginate".split()
)
_JEKYLL_EXCLUDES = (
    ".sass-cache", ".jekyll-cache", "gemfiles", "Gemfile", "Gemfile.lock", "node_modules",
    "vendor/bundle/", "vendor/cache/", "vendor/gems/", "vendor/ruby/",
)  # fmt: skip
_ELEVENTY_DATA = tuple(f"{stem}.{ext}" for stem in ("metadata", "site")
                       for ext in ("json", "js", "mjs", "cjs"))  # fmt: skip
_JS_POSTS = re.compile(r"""\baddCollection\s*\(\s*["'`](?:posts?|blog|articles?)["'`]""")
_JS_GLOBS = re.compile(r"\bgetFilteredByGlob\s*\(\s*(\[[^\]]*\]|[\"'`][^\"'`]+[\"'`])")
_JS_LOCAL = re.compile(r"""(?:\brequire\s*\(\s*|\bfrom\s+)["'](\./[^"']+)["']""")
_JS_DIR = re.compile(r"\b(input|output|includes|layouts|data)\s*:\s*[\"'`]([^\"'`]+)[\"'`]")
_JS_SETTER = re.compile(  # Eleventy 3: eleventyConfig.setInputDirectory("content")
    r"\bset(Input|Output|Includes|Layouts|Data)Directory\s*\(\s*[\"'`]([^\"'`]+)[\"'`]"
)
_CLI_DIR = re.compile(r"\beleventy\b[^\"\n]*?--(input|output)[= ]\s*['\"]?([^\s'\"&;]+)")
_JS_PREFIX = re.compile(r"\bpathPrefix\s*:\s*[\"'`]([^\"'`]+)[\"'`]")
_UP = 3  # levels above a source looked at for the site it belongs to
_RECHECK_S = 2.0  # a cached site is checked against its configuration's mtime this often

# --- finding and reading a site ------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """A site seen from a source folder: ``prefix`` leads from the site's root to the source."""

    site: Site
    prefix: str  # "" or "content/"

    def kind(self, rel: str) -> str:
        return self.site.kind(self.prefix + rel)

    def defaults(self, rel: str) -> dict[str, Any]:
        return self.site.defaults(self.prefix + rel)

    def front_matter(self, rel: str, data: dict[str, Any]) -> dict[str, Any]:
        return self.site.front_matter(self.prefix + rel, data)

    def url(self, rel: str, data: Mapping[str, Any], date: dt.datetime | None, title: str) -> str:
        """The post's absolute URL (or path, when the site names no base URL): the one its own
        ``permalink`` (Jekyll, Eleventy), ``url`` (Hugo) or ``path`` (Zola) gives, else the
        site's pattern."""
        path = self.site.path_url(self.prefix + rel, data, date, title) or ""
        return permalinks.absolute(self.site.base, path) if path else ""

    def lang(self, rel: str) -> str | None:
        if isinstance(self.site, Hugo):
            return self.site.post_lang(self.prefix + rel)
        return self.site.lang


_cache: dict[str, tuple[float, tuple[float, ...], View | None]] = {}
_cache_lock = threading.Lock()


def for_source(source: Path) -> View | None:
    """The site a source folder belongs to (its own root, or the root above its content
    folder), or None when there is no configuration: then nothing changes."""
    key = str(source)
    now = time.monotonic()
    kept = _cache.get(key)
    if kept is not None and now - kept[0] < _RECHECK_S:
        return kept[2]
    stamp = _stamp(source)
    if kept is not None and kept[1] == stamp:
        _cache[key] = (now, stamp, kept[2])
        return kept[2]
    view = _find(source)
    with _cache_lock:
        _cache[key] = (now, stamp, view)
    return view


def fingerprint(sources: Iterable[Path]) -> str:
    """A digest of the sites' configuration files: when it changes, every URL may have."""
    digest = hashlib.sha1()
    for source in sources:
        view = for_source(source.resolve()) if source.is_dir() else None
        if view is not None:
            digest.update(f"{view.site.root}/{view.site.config_file}/{view.prefix}".encode())
            for path in _config_files(view.site):
                try:
                    digest.update(path.read_bytes())
                except OSError:
                    continue
    return digest.hexdigest()[:16]


def _stamp(source: Path) -> tuple[float, ...]:
    stamps = []
    for folder in (source, *list(source.parents)[:_UP]):
        for name in (*_JEKYLL, *_HUGO, *_SHARED, *_ELEVENTY, "config", "_posts", *_JEKYLL_MARKS):
            try:
                stamps.append((folder / name).stat().st_mtime)
            except OSError:
                stamps.append(0.0)
    return tuple(stamps)


def _find(source: Path) -> View | None:
    """The site of ``source``: its own, or that of a folder up to :data:`_UP` levels above
    whose content folders hold it or are inside it (``content/``, ``content/fr/``,
    ``pages/_posts/`` under Jekyll's collections_dir)."""
    own = read_site(source)
    found = View(own, "") if own is not None else None
    if own is not None and own.config_file != _JEKYLL_DEFAULTS:
        return found
    # a folder that only looks like a Jekyll site (no configuration) may be the source of
    # a configured one above it: Octopress's source/ holds _posts and _layouts, a Hexo
    # site's source/ its CNAME
    for depth, root in enumerate(list(source.parents)[:_UP], start=1):
        site = read_site(root)
        if site is None or (found is not None and site.config_file == _JEKYLL_DEFAULTS):
            continue
        rel = "/".join(source.parts[-depth:])
        if not _holds_content(site, rel):
            break  # the nearest site does not publish this folder
        found = View(site, rel + "/")
        if site.config_file != _JEKYLL_DEFAULTS:
            break
    return found


def _holds_content(site: Site, rel: str) -> bool:
    """Whether the folder ``rel`` (from the site's root) is, holds or is inside content."""
    if site.generator == "jekyll" and (
        "_posts" in rel.split("/") or (site.root / rel / "_posts").is_dir()
    ):
        return True
    for folder in site.content:
        if not folder:
            return site.generator != "hugo" and rel in _CONTENT_FOLDERS
        if folder == rel or folder.startswith(rel + "/") or rel.startswith(folder + "/"):
            return True
    return False


def read_site(root: Path) -> Site | None:
    """The site whose configuration file is in ``root``, or None."""
    for name in _JEKYLL:
        if (root / name).is_file():
            config, problems = _read(root / name)
            if hexo.is_hexo(root, config):
                return hexo.read_site(root, name, config, problems)
            return _jekyll(root, name, config, problems)
    for name in _ELEVENTY:
        if (root / name).is_file():
            return _eleventy(root, name)
    for name in (*_HUGO, *_SHARED, *_SPLIT):
        if (root / name).is_file():
            config, problems = _read(root / name)
            if name == "config.toml" and any(k in config for k in _ZOLA_KEYS):
                return hugo.read_zola(root, name, config, problems)
            keys = {str(k).lower() for k in config}
            if name.startswith(("hugo.", "config/")) or keys & _HUGO_KEYS:
                return hugo.read_site(root, name, _with_config_folder(root, config), problems)
            continue  # a config.* of something else
    if _bare_jekyll(root):
        return _jekyll(root, _JEKYLL_DEFAULTS, {}, ())
    return None


def _bare_jekyll(root: Path) -> bool:
    """Whether ``root`` is a Jekyll site without a configuration file: ``_posts/`` beside one
    of Jekyll's own folders, a Gemfile that builds with Jekyll, or a ``CNAME``: a GitHub
    Pages site, which Pages builds with Jekyll (unless ``.nojekyll`` says not to).
    ``_posts/`` alone is a folder of posts, read as such."""
    if not (root / "_posts").is_dir():
        return False
    if any((root / mark).exists() for mark in _JEKYLL_MARKS):
        return True
    if (root / "CNAME").is_file() and not (root / ".nojekyll").exists():
        return True
    gemfile = _text(root / "Gemfile").lower()
    return "jekyll" in gemfile or "github-pages" in gemfile


def _read(path: Path) -> tuple[dict[str, Any], tuple[str, ...]]:
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        return {}, (f"{path.name}: {exc.strerror}",)
    kind = {".toml": "toml", ".json": "json"}.get(path.suffix, "yaml")
    data, warnings = meta.load_mapping(text, kind)
    return data, tuple(f"{path.name}: {w.message}" for w in warnings)


def _with_config_folder(root: Path, config: dict[str, Any]) -> dict[str, Any]:
    """Hugo's configuration folder set over its root file: ``config/_default/``, then the
    folder of the environment ``hugo`` builds (production: often its ``baseURL``). Each file
    is the table its name says (``permalinks.toml``), ``hugo.*`` and ``config.*`` the root,
    ``languages.fr.toml`` language ``fr``'s settings and ``params.fr.toml`` its params."""
    merged = dict(config)
    for folder in _HUGO_CONFIG_FOLDERS:
        for path in _split_files(root / folder):
            table = _read(path)[0]
            key, _, lang = path.stem.rpartition(".")
            key, lang = (key, lang) if key else (path.stem, "")
            if path.stem in ("hugo", "config"):
                merged = _set_over(merged, table)
            elif lang:
                inner = {key: table} if key in ("params", "menus", "menu") else table
                merged = _set_over(merged, {"languages": {lang: inner}})
            else:
                merged = _set_over(merged, {key: table})
    return merged


def _set_over(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` set into ``base`` as Hugo sets configuration: tables merged key by key all
    the way down, any other value replaced (keys in any case)."""
    merged = dict(base)
    names = {str(k).lower(): k for k in merged}
    for key, value in over.items():
        old = names.get(str(key).lower())
        if old is not None:
            prior = merged.pop(old)
            if isinstance(prior, Mapping) and isinstance(value, Mapping):
                value = _set_over(prior, value)
        merged[key] = value
        names[str(key).lower()] = key
    return merged


def _split_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.*") if p.suffix in (".toml", ".yaml", ".yml", ".json"))


def _config_files(site: Site) -> Iterator[Path]:
    yield site.root / site.config_file
    data = site.config.get("data") if isinstance(site, Eleventy) else None
    for name in (".eleventyignore", *(f"{data}/{n}" for n in _ELEVENTY_DATA if data)):
        if (site.root / name).is_file():
            yield site.root / name
    if isinstance(site, Hugo) and not isinstance(site, Zola):
        for folder in _HUGO_CONFIG_FOLDERS:
            yield from _split_files(site.root / folder)
    if isinstance(site, Eleventy | Hugo):  # data files and section cascades set URLs too
        for folder in site.content:
            yield from _data_files(site.root / folder, isinstance(site, Hugo))


def _data_files(top: Path, hugo: bool) -> Iterator[Path]:
    """Hugo's section pages or Eleventy's folder and template data files below ``top``."""
    for folder, subfolders, names in os.walk(top):
        subfolders[:] = sorted(d for d in subfolders if d[0] not in "._" and d != "node_modules")
        here = os.path.basename(folder)
        for name in sorted(names):
            if (
                name.startswith("_index.")
                if hugo
                else (".11tydata." in name or name == f"{here}.json")
            ):
                yield Path(folder, name)


def _jekyll(root: Path, name: str, config: dict[str, Any], problems: tuple[str, ...]) -> Jekyll:
    collections = config.get("collections")
    if isinstance(collections, list):
        collections = {str(label): {} for label in collections}
    if not isinstance(collections, Mapping):
        collections = {}
    collections = {str(k): (v if isinstance(v, Mapping) else {}) for k, v in collections.items()}
    posts = dict(collections.get("posts", {}))
    collections["posts"] = {**posts, "output": True}
    url = text_value(config.get("url")) or _pages_domain(root)
    base = f"{url or ''}{text_value(config.get('baseurl')) or ''}".rstrip("/")
    lang = langs.normalise(
        config.get("lang") or config.get("language") or config.get("locale")
        or config.get("default_lang")  # jekyll-polyglot
    )  # fmt: skip
    published = (
        f"_{k}" for k, v in collections.items() if k != "posts" and true_flag(v.get("output"))
    )
    source = _folder(config.get("source"))
    home = _folder(config.get("collections_dir"))
    content = tuple("/".join(p for p in (source, home, c) if p) for c in ("_posts", *published))
    excludes = (*strings(config.get("exclude")), *_JEKYLL_EXCLUDES)
    return Jekyll("jekyll", root, name, config, base, lang, problems, content,
                  collections=collections, excludes=excludes, source=source)  # fmt: skip


def _pages_domain(root: Path) -> str | None:
    """A GitHub Pages site's address from its ``CNAME`` file, as Pages sets ``site.url``
    (jekyll-github-metadata) when ``_config.yml`` names none; https, as Pages serves."""
    host = _text(root / "CNAME").strip().split("\n")[0].strip().strip("/")
    host = host.removeprefix("https://").removeprefix("http://")
    return f"https://{host}" if re.fullmatch(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}", host) else None


def _folder(value: Any) -> str:
    """A folder setting as a path from the site's root ("" for the root itself, or for a
    path that leaves it)."""
    parts = [p for p in str(value or "").replace("\\", "/").split("/") if p not in ("", ".")]
    return "" if ".." in parts or str(value or "").startswith("/") else "/".join(parts)


def _eleventy(root: Path, name: str) -> Eleventy:
    try:
        script = (root / name).read_text(encoding="utf-8", errors="replace")
    except OSError:
        script = ""
    written = dict(_JS_DIR.findall(script))
    written.update((key.lower(), value) for key, value in _JS_SETTER.findall(script))
    dirs = {key: value.strip("./") for key, value in written.items()}
    for key, value in _CLI_DIR.findall(_text(root / "package.json")):  # "eleventy --input=src"
        dirs.setdefault(key, value.strip("./"))
    folder = dirs.get("input", "")
    includes = dirs.get("includes", "_includes")
    ignored = [includes, dirs.get("layouts", includes), dirs.get("data", "_data"), "node_modules"]
    output = dirs.get("output", "_site")
    inside = folder and output.startswith(folder + "/")
    ignored.append(output[len(folder) + 1 :] if inside else output)
    for listing in (".eleventyignore", ".gitignore"):
        ignored.extend(_ignore_lines(root / listing, folder))
    data_folder = posixpath.normpath(posixpath.join(folder or ".", written.get("data", "_data")))
    outside = data_folder.startswith("../") or data_folder == ".."  # not the site's
    site_data, problems = ({}, []) if outside else _site_data(root / data_folder)
    prefix = _JS_PREFIX.search(script)
    lang = langs.normalise(site_data.get("language") or site_data.get("lang"))
    base = (text_value(site_data.get("url")) or "").rstrip("/")
    return Eleventy("eleventy", root, name, {"dir": dirs, "data": data_folder}, base, lang,
                    tuple(problems), (folder,), ignored=tuple(ignored),
                    prefix=prefix[1] if prefix else "/",
                    collected=_collection_globs(root, script))  # fmt: skip


def _collection_globs(root: Path, script: str) -> tuple[str, ...]:
    """The globs the site's collections are made from (``getFilteredByGlob("posts/*.md")``),
    in its configuration or a local module it requires (``require("./lib/posts")``), when
    it builds its collection of posts itself (``addCollection("posts", …)``); none when a
    collection is built another way (by tag, by a function), which could hold any
    template, or when the posts are only those tagged so."""
    if not _JS_POSTS.search(script):
        return ()
    texts = [script]
    for module in _JS_LOCAL.findall(script):
        path = root / module
        texts.append(_text(path if path.suffix else path.with_suffix(".js")))
    text = "\n".join(texts)
    if re.search(r"\bgetFiltered(?!ByGlob)|\bgetAll(?:Sorted)?\b", text):
        return ()
    found: list[str] = []
    for call in _JS_GLOBS.findall(text):
        found.extend(g.removeprefix("./") for g in re.findall(r"[\"'`]([^\"'`]+)[\"'`]", call))
    return tuple(dict.fromkeys(found))


def _site_data(folder: Path) -> tuple[dict[str, Any], list[str]]:
    """The global data file that names the site's URL and language (the starter blog's
    ``metadata.js`` or ``.json``, or ``site.*``), from Eleventy's data folder (which is
    relative to the input folder: ``../_data`` beside it). A JavaScript file is read
    without running it: its literal values (:mod:`searcher.ingest.jsmatter`)."""
    for name in _ELEVENTY_DATA:
        path = folder / name
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
            found = json.loads(text) if name.endswith(".json") else jsmatter.load(text)[0]
        except (OSError, ValueError, RecursionError) as exc:
            return {}, [f"{name}: {exc}"]
        return (found if isinstance(found, dict) else {}), []
    return {}, []


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[:100_000]
    except OSError:
        return ""


def _ignore_lines(path: Path, folder: str) -> list[str]:
    """Patterns of an ignore file, made relative to the input folder."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    patterns = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith(("#", "!")):
            continue
        line = line.lstrip("./").lstrip("/").rstrip("/")
        if folder and line.startswith(folder + "/"):
            line = line[len(folder) + 1 :]
        patterns.append(line)
    return patterns
