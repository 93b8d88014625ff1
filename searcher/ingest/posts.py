"""Front-matter values and extracted text → :class:`~searcher.models.Post`: the one place a
post is made, from a post file (:mod:`~searcher.ingest.reader`) or a WordPress item
(:mod:`~searcher.ingest.wxr`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from searcher.ingest import drafts, fields, langs, places, privatetext, sites, text
from searcher.models import IngestWarning, Post


def build_post(
    data: dict[str, Any],
    extracted: text.Extracted,
    rel: str,
    warnings: list[IngestWarning],
    *,
    url: str | None = None,
    body: str = "",
    geocode: bool = True,
    site: sites.View | None = None,
) -> Post:
    """Normalise front-matter values and extracted text into a :class:`Post`; ``body`` is the
    markup the text came from (for the places it marks up, and to notice text lost)."""
    data = any_case(data)
    if site is not None:
        data = site.front_matter(rel, {**any_case(site.defaults(rel)), **data})
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
    return Post(
        path=rel,
        title=title,
        date=date,
        tags=tags,
        categories=categories,
        lang=lang,
        url=_url(link) or fields.derive_url(rel, date),
        draft=drafts.reason(rel, data, site) is not None,
        locations=found,
        text=privatetext.redact(extracted.text, found, body),
        warnings=tuple(warnings),
    )


# where generators write a post's date: Jekyll, Hugo and Zola's date, before the file name's
DATE_KEYS = ("date", "published_at", "pubdate", "created", "publishDate")
# where others write it (Astro's pubDate, schema.org's datePublished, CMS exports', Hugo's
# published alias): taken only where neither those keys nor the file name give one, as
# Jekyll dates a post by its name whatever else it says (tinkerthon: published: 14.05.2018
# on 2018-05-15-….md); a yes or no (Jekyll's published: false) is no date. Last, when a post
# says only when it last changed (Hugo's lastmod and modified, which Hugo itself dates such a
# page by; jekyll-last-modified-at's last_modified_at), that is nearer its date than none.
OTHER_DATE_KEYS = ("pubDate", "publish_date", "published", "date_published", "datePublished",
                   "published_on", "created_at", "posted", "lastmod", "modified",
                   "last_modified_at", "updated", "updated_at", "dateModified")  # fmt: skip


def _date(data: dict[str, Any], rel: str, warnings: list[IngestWarning]) -> Any:
    raw = _first(data, *DATE_KEYS)
    if raw is not None:
        parsed = fields.parse_date(raw)
        if parsed is not None and fields.storable(parsed):
            named = fields.date_from_path(rel) if fields.is_partial(raw) else None
            return named if named and named.year == parsed.year else parsed  # the finer one
        problem = "not understood" if parsed is None else "out of range once in UTC"
        warnings.append(IngestWarning("bad-date", f"date {str(raw)[:40]!r} {problem}"))
    path_field = data.get("path")
    from_meta_path = fields.date_from_path(path_field) if isinstance(path_field, str) else None
    named = fields.date_from_path(rel) or from_meta_path
    if named is not None or raw is not None:
        return named
    other = _first(data, *OTHER_DATE_KEYS)
    parsed = fields.parse_date(other) if other is not None else None
    return parsed if parsed is not None and fields.storable(parsed) else None


def _url(link: Any) -> str | None:
    if not isinstance(link, str) or not link.strip():
        return None
    url: str = link.strip()
    return url if url.startswith(("/", "http://", "https://")) else "/" + url


def any_case(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with each key also under its lower-case spelling where that is no key of its
    own (the first of several spellings wins). Hugo reads front-matter keys in any case, and
    exporters to it write ``Title:``, ``Tags:``, ``Slug:``, ``Draft:`` (spf13.com's posts);
    a title or a tag written so is the post's whatever generator made the site."""
    extra: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(key, str) and not key.islower():
            lowered = key.lower()
            if lowered != key and lowered not in data:
                extra.setdefault(lowered, value)
    return {**data, **extra} if extra else data


def _first(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = data.get(key)
        if value is None and not key.islower():  # publishDate, also as Hugo reads it
            value = data.get(key.lower())
        if value is not None and value != "" and value != [] and not isinstance(value, bool):
            return value
    return None


def _title_from_name(rel: str) -> str:
    """A title for a post that names none: Jekyll's for a dated post name (its slug's words
    capitalised, as ``titleize_slug`` shows it: ``2016-05-20-welcome-to-jekyll.md`` is
    "Welcome To Jekyll"), else the name's words as written."""
    path = Path(rel)
    stem = path.parent.name if path.stem == "index" and path.parent.name else path.stem
    slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", stem)
    if slug != stem and slug.strip("-"):
        return " ".join(w[:1].upper() + w[1:].lower() for w in slug.split("-")).strip()
    return " ".join(re.split(r"[-_\s]+", slug)).strip() or rel
