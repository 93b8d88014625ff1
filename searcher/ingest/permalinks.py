"""The URL each static-site generator gives a post, computed as the generator does.

Pure functions over a post's place in the site and its front matter: Jekyll's permalink styles
and ``:placeholders`` (site-wide, per collection, per post), Hugo's ``[permalinks]`` per section
with ``slug``/``url``, Zola's sections and slugs with ``path``, Eleventy's folders with
``permalink``, Hexo's ``permalink`` with the slug its ``new_post_name`` reads. Each returns a
path (``/blog/a-title/``); :func:`absolute` puts the site's base URL before it.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote, urlsplit

JEKYLL_STYLES = {
    "none": "/:categories/:title:output_ext",
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
}
_DATED_NAME = re.compile(r"^(\d{2,4}-\d{1,2}-\d{1,2})-(.*)$")
_ZOLA_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][\d:]+)?[-_]")
_PLACEHOLDER = re.compile(r":([a-z_]+)")


# --- Jekyll --------------------------------------------------------------------------------


@dataclass(frozen=True)
class JekyllDoc:
    """What Jekyll's URL placeholders are made of, for one document."""

    relative: str  # path within the collection's folder: "blog/2012-05-31-a-title.md"
    collection: str  # "posts" or a collection's label
    date: dt.datetime | None
    slug: str  # from the file name (after its date) unless the front matter gives one
    categories: tuple[str, ...]


def jekyll_template(style: Any, *, collection: str = "posts") -> str:
    """A permalink setting (a style name or a template) as a template; collections other than
    posts default to ``/:collection/:path`` ending as the site's style does."""
    text = str(style) if style else "date"
    if collection != "posts":
        suffix = "/" if text == "pretty" or text.endswith("/") else ""
        if text in ("date", "ordinal", "none") or text.endswith(":output_ext"):
            suffix = ":output_ext"
        return "/:collection/:path" + suffix
    return JEKYLL_STYLES.get(text, text)


def jekyll_url(template: str, doc: JekyllDoc) -> str:
    """Jekyll's ``URL#to_s``: placeholders filled and escaped, then the path sanitised."""
    values = _jekyll_values(doc)

    def fill(match: re.Match[str]) -> str:
        name = match[1]
        for key in (name, name.rstrip("_")) if name.endswith("_") else (name,):
            if key in values:
                rest = name[len(key) :]
                return _escape_path(values[key]) + rest
        return match[0]  # Jekyll would stop the build: leave it as written

    url = _PLACEHOLDER.sub(fill, template)
    url = ("/" + url).replace("..", "/").replace("./", "")
    return re.sub("/{2,}", "/", url)


def _jekyll_values(doc: JekyllDoc) -> dict[str, str]:
    stem = PurePosixPath(doc.relative)
    cleaned = str(stem.with_suffix("")).rstrip(".")
    values = {
        "collection": doc.collection,
        "path": "/" + cleaned if not cleaned.startswith("/") else cleaned,
        "name": slugify_jekyll(stem.stem),
        "title": slugify_jekyll(doc.slug, mode="pretty", cased=True),
        "slug": slugify_jekyll(doc.slug),
        "categories": "/".join(dict.fromkeys(c.lower() for c in doc.categories)),
        "slugified_categories": "/".join(dict.fromkeys(map(slugify_jekyll, doc.categories))),
        "output_ext": ".html",
    }
    if doc.date is not None:
        values.update(_dates(doc.date))
    return values


def _dates(date: dt.datetime) -> dict[str, str]:
    iso = date.isocalendar()
    return {
        "year": f"{date.year:04d}", "month": f"{date.month:02d}", "day": f"{date.day:02d}",
        "hour": f"{date.hour:02d}", "minute": f"{date.minute:02d}", "second": f"{date.second:02d}",
        "i_day": str(date.day), "i_month": str(date.month),
        "short_month": date.strftime("%b"), "long_month": date.strftime("%B"),
        "short_year": f"{date.year % 100:02d}", "w_year": str(iso.year),
        "week": f"{iso.week:02d}", "w_day": str(iso.weekday),
        "short_day": date.strftime("%a"), "long_day": date.strftime("%A"),
        "y_day": f"{date.timetuple().tm_yday:03d}",
    }  # fmt: skip


def jekyll_slug(filename: str) -> str:
    """The slug Jekyll takes from a post's file name: what follows its date, no extension."""
    stem = PurePosixPath(filename).stem if "." in filename else filename
    match = _DATED_NAME.match(stem)
    return (match[2] if match else stem).rstrip(".")


def slugify_jekyll(text: str, *, mode: str = "default", cased: bool = False) -> str:
    """Jekyll's ``Utils.slugify``: runs of other characters become one hyphen."""
    other = r"[^\w._~!$&'()+,;=@]+" if mode == "pretty" else r"(?:[^\w]|_)+"
    slug = re.sub(other, "-", text).strip("-")
    return slug if cased else slug.lower()


def _escape_path(path: str) -> str:
    """Jekyll's ``URL.escape_path``: what is not allowed in a URL path is percent-encoded."""
    if not path or re.fullmatch(r"[a-zA-Z0-9./-]+", path):
        return path
    return quote(path, safe="/!$&'()*+,;=:@-._~")


# --- Hugo ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HugoPage:
    """A content page: its path within the content folder and what its front matter says."""

    relative: str  # "posts/my-trip/index.md"
    date: dt.datetime | None
    title: str
    slug: str | None
    url: str | None
    sections: tuple[str, ...] | None = None  # its section folders (None: all its folders)


def hugo_url(
    page: HugoPage, permalinks: Mapping[str, Any], *, lower: bool, ugly: bool, language: str = "",
    accents: bool = True,
) -> str:  # fmt: skip
    """The page's path as Hugo builds it: its ``url``, else its section's permalink pattern,
    else its folders and its slug or file name; under ``/language`` for a page whose
    language is not served from the site's root ("" for one that is). Hugo writes a page
    as ``…/index.html`` (linked with a trailing slash, whether the pattern ends in one or
    not) or, with uglyURLs, as ``….html``; ``accents=False`` is its removePathAccents."""
    if page.url:
        if urlsplit(page.url).scheme:
            return page.url
        return _hugo_front_matter_url(page.url, language)
    parts = PurePosixPath(page.relative).parts
    bundle = parts[-1].split(".")[0] in ("index", "_index")
    folders = list(parts[:-2] if bundle else parts[:-1])
    name = parts[-2] if bundle else PurePosixPath(parts[-1]).name.split(".")[0]
    section = folders[0] if folders else ""
    pattern = permalinks.get(section) if section else None
    if isinstance(pattern, str):
        tree = list(folders if page.sections is None else page.sections)
        pattern = _SECTIONS_CUT.sub(lambda m: "/".join(_cut(tree, m[1])), pattern)
        values = {
            "section": section, "title": urlize(page.title),
            "sections": "/".join(tree),
            "slug": urlize(page.slug or page.title), "filename": name,
            "slugorfilename": page.slug or name, "contentbasename": name,
            "slugorcontentbasename": page.slug or name,
            **_hugo_dates(page.date or _HUGO_ZERO),
        }  # fmt: skip
        path = _fill(pattern, values)
    else:
        path = "/" + "/".join([*folders, page.slug or name]) + "/"
    path = _make_path(path)
    if not accents:
        bare = unicodedata.normalize("NFD", path)
        path = unicodedata.normalize("NFC", "".join(c for c in bare if not _nonspacing(c)))
    if lower:
        path = path.lower()
    if path != "/":
        path = path.rstrip("/") + (".html" if ugly else "/")
    return f"/{language}{path}" if language else path


def _nonspacing(char: str) -> bool:
    return unicodedata.category(char) == "Mn"


_SECTIONS_CUT = re.compile(r":sections(\[[^\]/]*\])")  # :sections[1:], [last], [:last]


def _cut(sections: list[str], cut: str) -> list[str]:
    """Hugo's slice of the section tree (``resources/page/permalinks.go``, toSliceFunc):
    ``[n]``, ``[n:m]``, each bound a number or ``last`` (the last index), out of range
    giving nothing."""
    bounds = cut[1:-1].lower().split(":")
    if len(bounds) > 2 or not sections:
        return []

    def index(text: str, low: bool) -> int:
        text = text.strip()
        if not text:
            return 0 if low else len(sections)
        if text == "last":
            return len(sections) - 1
        number = max(int(text), 0) if text.lstrip("-").isdigit() else 0
        return -1 if low and number >= len(sections) else min(number, len(sections))

    start = index(bounds[0], True)
    if len(bounds) == 1:
        return [sections[start]] if start >= 0 else []
    return sections[start : index(bounds[1], False)] if start >= 0 else []


def _hugo_front_matter_url(url: str, language: str) -> str:
    """A front matter ``url`` as Hugo links it (``resources/page/page_paths.go``): a page
    of its own (``url/index.html``, linked with a trailing slash) unless the value holds a
    dot and does not end in a slash (``/feed.xml``, ``/old/page.html``: a file, linked as
    written); a url holding ".." is cleaned first. Hugo keeps it as written otherwise: not
    sanitised or lower-cased, uglyURLs not applied. Only a value without a leading slash
    goes under the page's language folder."""
    if ".." in url:
        url = posixpath.normpath("/" + url) + ("/" if url.endswith("/") else "")
    page = url.endswith("/") or "." not in url
    path = "/" + "/".join(part for part in url.split("/") if part)
    if page and path != "/":
        path += "/"
    return f"/{language}{path}" if language and not url.startswith("/") else path


_HUGO_ZERO = dt.datetime(1, 1, 1)  # Go's zero time: the date of a page that gives none


def _hugo_dates(date: dt.datetime) -> dict[str, str]:
    return {
        "year": f"{date.year:04d}", "month": f"{date.month:02d}", "monthname": date.strftime("%B"),
        "day": f"{date.day:02d}", "weekday": str((date.weekday() + 1) % 7),
        "weekdayname": date.strftime("%A"), "yearday": str(date.timetuple().tm_yday),
    }  # fmt: skip


def urlize(text: str) -> str:
    """Hugo's ``urlize``: lower-cased, spaces to hyphens, only what a path may hold."""
    return _make_path(text.strip().lower().replace(" ", "-"))


def _make_path(path: str) -> str:
    """Hugo's path sanitising: letters, digits, marks and ``./_-~`` kept; spaces to hyphens."""
    kept = []
    for char in path.replace(" ", "-"):
        if char.isalnum() or char in "./_-~+#" or unicodedata.category(char).startswith("M"):
            kept.append(char)
    return "".join(kept)


def _fill(pattern: str, values: Mapping[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        return values.get(match[1], match[0])

    path = _PLACEHOLDER.sub(one, pattern)
    return re.sub("/{2,}", "/", "/" + path.lstrip("/"))


# --- Zola ----------------------------------------------------------------------------------


def zola_url(
    relative: str, *, slug: str | None, path: str | None, slugify: bool, keep_dates: bool = False
) -> str:
    """The page's path as Zola builds it: its ``path``, else its sections' folders and its slug
    (the file or bundle name, without a leading date unless ``paths_keep_dates``)."""
    tidy: Callable[[str], str] = slugify_zola if slugify else _make_path
    if path:
        return "/" + path.strip("/") + "/"
    parts = PurePosixPath(relative).parts
    bundle = parts[-1].split(".")[0] == "index"
    folders = parts[:-2] if bundle else parts[:-1]
    name = parts[-2] if bundle else PurePosixPath(parts[-1]).name.split(".")[0]
    name = slug or (name if keep_dates else _ZOLA_DATED.sub("", name))
    return "/" + "/".join([*map(tidy, folders), tidy(name)]) + "/"


def slugify_zola(text: str) -> str:
    """Zola's default slugs: ASCII, lower-case, other characters as single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# --- Eleventy ------------------------------------------------------------------------------


def eleventy_url(relative: str, permalink: Any, data: Mapping[str, Any]) -> str | None:
    """The page's URL as Eleventy writes it: its ``permalink`` (a few common template forms
    filled in), else its folders and file name; None for ``permalink: false``."""
    parts = list(PurePosixPath(relative).with_suffix("").parts)
    if len(parts) > 1 and parts[-1] in ("index", parts[-2]):
        parts.pop()
    elif parts == ["index"]:
        parts = []
    default = "/" + "/".join(parts) + ("/" if parts else "")
    if permalink is False:
        return None
    if not isinstance(permalink, str) or not permalink.strip():
        return default
    values = {
        "page.fileSlug": _DATED_NAME.sub(r"\2", parts[-1]) if parts else "",
        "page.filePathStem": "/" + str(PurePosixPath(relative).with_suffix("")),
        "title": str(data.get("title") or ""),
        "slug": str(data.get("slug") or ""),
    }
    filled = re.sub(r"\{\{-?\s*([\w.]+)\s*(\|\s*(?:slug|slugify)\s*)?-?\}\}",
                    lambda m: _template_value(m, values), permalink.strip())  # fmt: skip
    if "{{" in filled or "{%" in filled:
        return default  # a template we cannot evaluate: the default is the best guess
    filled = filled.removesuffix("index.html")
    return "/" + filled.lstrip("/")


def _template_value(match: re.Match[str], values: Mapping[str, str]) -> str:
    value = values.get(match[1])
    if value is None:
        return match[0]
    return slugify_zola(value) if match[2] else value


# --- Hexo ----------------------------------------------------------------------------------

_HEXO_PARAM = re.compile(r":(\w*[^_\W])")  # hexo-util's Permalink: a name not ending in _
_HEXO_SEGMENTS = {
    "year": r"(\d{4})", "month": r"(\d{2})", "day": r"(\d{2})",
    "i_month": r"(\d{1,2})", "i_day": r"(\d{1,2})", "hash": r"([0-9a-f]{12})",
}  # fmt: skip
_HEXO_SPECIAL = re.compile(r"[\s~`!@#$%^&*()\-_+=\[\]{}|\\;:\"'<>,.?/]+")
_HEXO_UNKNOWN = frozenset({"id", "hash", "timestamp"})  # Hexo's database id, the build's clock


def hexo_filename(new_post_name: str, relative: str) -> dict[str, str]:
    """What Hexo reads from a post's path within ``_posts`` by its ``new_post_name`` pattern
    (``:year-:month-:day-:title.md``): the slug (``title``), and date parts or other
    placeholders the pattern names; a path the pattern does not fit is all slug, slugized."""
    rule = str(PurePosixPath(new_post_name).with_suffix("")) if new_post_name else ":title"
    path = str(PurePosixPath(relative).with_suffix(""))
    names: list[str] = []

    def segment(match: re.Match[str]) -> str:
        names.append(match[1])
        return _HEXO_SEGMENTS.get(match[1], "(.+?)")

    pattern = _HEXO_PARAM.sub(segment, re.escape(rule))
    found = re.fullmatch(pattern, path)
    if found is None:
        return {"title": slugize_hexo(path)}
    info = dict(zip(names, found.groups(), strict=True))
    info.setdefault("title", slugize_hexo(path))
    return info


def slugize_hexo(text: str, *, transform: int = 0) -> str:
    """hexo-util's ``slugize``: diacritics dropped, runs of punctuation and spaces as one
    hyphen; ``transform`` 1 lower-cases, 2 upper-cases."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    slug = _HEXO_SPECIAL.sub("-", re.sub(r"[\x00-\x1f]", "", plain)).strip("-")
    return slug.lower() if transform == 1 else slug.upper() if transform == 2 else slug


def hexo_dates(date: dt.datetime) -> dict[str, str]:
    return {
        "year": f"{date.year:04d}", "month": f"{date.month:02d}", "day": f"{date.day:02d}",
        "hour": f"{date.hour:02d}", "minute": f"{date.minute:02d}", "second": f"{date.second:02d}",
        "i_month": str(date.month), "i_day": str(date.day),
    }  # fmt: skip


def hexo_url(rule: str, values: Mapping[str, Any], own: str | None) -> str | None:
    """A post's path as Hexo's ``post_permalink`` filter writes it: its own ``permalink``, or
    the site's rule with each ``:name`` filled from ``values`` (Hexo writes "undefined" for a
    name it has no value for); None when the rule needs what only Hexo's build knows (the
    database id, the file's creation time)."""
    if own:
        return own if own.startswith("/") else "/" + own
    wanted = set(_HEXO_PARAM.findall(rule))
    if wanted & _HEXO_UNKNOWN or ("year" in wanted and "year" not in values):
        return None
    path = _HEXO_PARAM.sub(lambda m: str(values.get(m[1], "undefined")), rule)
    return quote("/" + path.lstrip("/"), safe="/;,?:@&=+$-_.!~*'()#%")  # encodeURI


# --- all -----------------------------------------------------------------------------------


def absolute(base: str, path: str) -> str:
    """``path`` under the site's base URL (``https://example.org/blog`` + ``/a/``)."""
    if urlsplit(path).scheme:
        return path
    if not base:
        return path
    return base.rstrip("/") + "/" + path.lstrip("/")
