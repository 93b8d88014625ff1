"""Hexo sites: a ``_config.yml`` like Jekyll's, read as Hexo reads it.

Every renderable file under ``<source_dir>/_posts`` (any folders, any file names) is a post,
``_drafts`` holds drafts, the rest of the source folder is pages, and a path part starting
with ``_`` or ``.`` is never read (``hexojs/hexo``: ``processor/post.ts``, ``common.ts``).
A post's URL is the site's ``permalink`` filled from the slug its ``new_post_name`` reads
from the path (``filter/post_permalink.ts``; :func:`searcher.ingest.permalinks.hexo_url`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from searcher.ingest import langs, permalinks
from searcher.ingest.generators import (
    IGNORE,
    POST,
    Site,
    matches,
    one_or_more,
    text_value,
    true_flag,
    within,
)

__all__ = ["Hexo", "is_hexo", "read_site"]

# keys only Hexo's _config.yml has (Octopress, Jekyll with ``source: source``, has none)
_HEXO_KEYS = ("new_post_name", "source_dir", "public_dir", "post_asset_folder", "render_drafts",
              "default_layout", "filename_case", "permalink_defaults")  # fmt: skip
_HEXO_PLACEHOLDERS = ("http://example.com", "https://example.com", "http://yoursite.com")


def is_hexo(root: Path, config: Mapping[str, Any]) -> bool:
    """Whether a ``_config.yml`` is Hexo's: it sets one of Hexo's own keys, or the site's
    ``package.json`` names Hexo (as every Hexo site's does)."""
    return any(key in config for key in _HEXO_KEYS) or '"hexo"' in _package(root)


def read_site(root: Path, name: str, config: dict[str, Any], problems: tuple[str, ...]) -> Hexo:
    """The Hexo site of ``root``; its scaffold's placeholder ``url`` (example.com,
    yoursite.com) is no address of the site: its posts get paths."""
    source = "/".join(p for p in str(config.get("source_dir") or "source").split("/")
                      if p not in ("", "."))  # fmt: skip
    url = (text_value(config.get("url")) or "").rstrip("/")
    language = config.get("language")
    language = language[0] if isinstance(language, list) and language else language
    return Hexo("hexo", root, name, config, "" if url in _HEXO_PLACEHOLDERS else url,
                langs.normalise(language), problems, (f"{source}/_posts" if source else "_posts",),
                source=source)  # fmt: skip


def _package(root: Path) -> str:
    try:
        return (root / "package.json").read_text(encoding="utf-8", errors="replace")[:100_000]
    except OSError:
        return ""


@dataclass(frozen=True)
class Hexo(Site):
    """A Hexo site: posts in ``<source_dir>/_posts`` (any folders, any file names), drafts in
    ``_drafts``; the rest of the source folder is pages; a path part starting with ``_`` or
    ``.`` is never read (Hexo's ``isHiddenFile``)."""

    source: str = "source"  # source_dir: "" when the site's root is its source folder

    def kind(self, rel: str) -> str:
        inside = within(rel, self.source)
        if inside is None:
            return IGNORE  # themes, scaffolds, public/: not content
        first, _, rest = inside.partition("/")
        if rel.endswith(("%", "~")) or _hexo_hidden(rest if first in _HEXO_POSTS else inside):
            return IGNORE
        if any(matches(inside, p) for p in one_or_more(self.config.get("skip_render"))):
            return "in skip_render: Hexo copies it as it is, not a post"
        if first not in _HEXO_POSTS or not rest:
            return "a page of the Hexo site, not a post"
        asset_folder = true_flag(self.config.get("post_asset_folder"))
        wanted = PurePosixPath(str(self.config.get("new_post_name") or ":title.md")).suffix
        if asset_folder and PurePosixPath(rest).suffix != wanted:
            return IGNORE  # an asset of the post folder beside it
        return POST

    def path_url(self, rel: str, data: Mapping[str, Any], date: dt.datetime | None,
                 title: str) -> str | None:  # fmt: skip
        inside = (within(rel, self.source) or rel).partition("/")[2]  # the path within _posts
        info = permalinks.hexo_filename(str(self.config.get("new_post_name") or ""), inside)
        slug = info.pop("title")
        case = self.config.get("filename_case")
        values: dict[str, Any] = {
            "title": slug, "name": PurePosixPath(slug).name,
            "post_title": permalinks.slugize_hexo(title, transform=1),
            "category": self._category(data, case if isinstance(case, int) else 0),
        }  # fmt: skip
        if date is not None:
            values.update(permalinks.hexo_dates(date))
        values.update({k: v for k, v in info.items() if k not in values})
        values.update({str(k): v for k, v in data.items() if str(k) not in values})
        fallback = self.config.get("permalink_defaults")
        if isinstance(fallback, Mapping):
            values.update({str(k): v for k, v in fallback.items() if str(k) not in values})
        own = text_value(data.get("permalink"))
        rule = text_value(self.config.get("permalink")) or ":year/:month/:day/:title/"
        path = permalinks.hexo_url(rule, values, own) or quote(f"/{slug}/")  # the nearest
        pretty = self.config.get("pretty_urls")
        if path and isinstance(pretty, Mapping):
            if pretty.get("trailing_index") is False:
                path = path.removesuffix("index.html")
            if pretty.get("trailing_html") is False and not path.endswith("index.html"):
                path = path.removesuffix(".html")
        return path

    def _category(self, data: Mapping[str, Any], case: int) -> str:
        """``:category``: the slug of the post's last category, under its parents' slugs
        (``category_map`` renames first); ``default_category`` without one."""
        value = data.get("categories", data.get("category"))
        chain = value if isinstance(value, list) else [value] if value is not None else []
        if chain and isinstance(chain[-1], list):  # several hierarchies: the last one
            chain = chain[-1]
        names = [str(c) for c in chain if c is not None and not isinstance(c, Mapping | list)]
        if not names:
            return str(self.config.get("default_category") or "uncategorized")
        renames = self.config.get("category_map")
        renames = renames if isinstance(renames, Mapping) else {}
        return "/".join(
            permalinks.slugize_hexo(str(renames.get(n, n)), transform=case) for n in names
        )


_HEXO_POSTS = ("_posts", "_drafts")


def _hexo_hidden(path: str) -> bool:
    return any(part.startswith(("_", ".")) for part in path.split("/"))
