"""The search page, written as HTML by hand: every value from a post or a request is escaped
here, and the only markup that survives from a snippet is our own ``<mark>``.

The page works without JavaScript (a GET form, links for paging); ``static/search.js`` only
adds completions as you type. Links are relative to where the app is mounted.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from searcher.api import SORTS
from searcher.models import Hit, Location, Results
from searcher.web.params import MAX_PAGE

ECHO_CHARS = 1000  # longest value echoed back into the form
SORT_LABELS = {"relevance": "best match", "distance": "nearest first", "date": "newest first",
               "date-asc": "oldest first"}  # fmt: skip
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_FIELDS = ("near", "radius", "bbox", "since", "until")


def e(value: object) -> str:
    """``value`` as HTML text or attribute value."""
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Form:
    """The search form as the user last filled it in (raw text, escaped when written)."""

    q: str = ""
    fields: tuple[tuple[str, str], ...] = ()  # (name, value) of near, radius, bbox, since, until
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    sort: str = "relevance"
    query: tuple[tuple[str, str], ...] = ()  # every parameter, to build paging links from

    @classmethod
    def of(cls, params: Any) -> Form:
        """The form from a request's query parameters (a multi-dict)."""

        def first(name: str) -> str:
            return str(params.get(name, ""))[:ECHO_CHARS]

        def every(name: str) -> tuple[str, ...]:
            return tuple(v[:ECHO_CHARS] for v in params.getlist(name))[:20]

        return cls(
            q=first("q") or first("text"),
            fields=tuple((name, first(name)) for name in _FIELDS),
            tags=every("tag"),
            categories=every("category"),
            langs=every("lang"),
            sort=first("sort") or "relevance",
            query=tuple((k, v[:ECHO_CHARS]) for k, v in params.multi_items())[:100],
        )

    def link(self, **changes: Any) -> str:
        """A query-only URL: this search with some parameters replaced (None drops one)."""
        kept = [(k, v) for k, v in self.query if k not in changes]
        kept += [(k, str(v)) for k, v in changes.items() if v is not None]
        return "?" + urlencode(kept)

    @property
    def advanced(self) -> bool:
        filled = any(value for _, value in self.fields) or self.sort != "relevance"
        return filled or bool(self.tags or self.categories or self.langs)


def render(
    root: str,
    form: Form,
    results: Results | None,
    drawing: str | None,
    *,
    error: str | None = None,
) -> str:
    """The whole page: the form, then an error, or the results with their map and paging."""
    title = f"{form.q} \u2013 blogsearch" if form.q else "blogsearch"
    body = [_form(root, form)]
    if error is not None:
        body.append(f'<p class="error" role="alert">{e(error)}</p>')
    if results is not None:
        body.append(_results(form, results, drawing))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n"
        '<link rel="icon" href="data:,">\n'
        f'<link rel="stylesheet" href="{e(root)}/static/search.css">\n'
        f'<script src="{e(root)}/static/search.js" defer></script>\n'
        f'</head>\n<body>\n<header><a class="home" href="{e(root)}/">blogsearch</a></header>\n'
        "<main>\n" + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
    )


def _form(root: str, form: Form) -> str:
    labels = {"near": ("Near", "Montpellier or 43.61,3.88"), "radius": ("Within", "20km"),
              "bbox": ("In the box", "S,W,N,E"), "since": ("Since", "2011-03"),
              "until": ("Until", "2019")}  # fmt: skip
    inputs = [_input(labels[name][0], name, value, labels[name][1]) for name, value in form.fields]
    for label, name, values in (("Tag", "tag", form.tags), ("Category", "category",
                                form.categories), ("Language", "lang", form.langs)):  # fmt: skip
        inputs += [_input(label, name, value) for value in values or ("",)]
    options = "".join(
        f'<option value="{e(s)}"{" selected" if s == form.sort else ""}>{e(SORT_LABELS[s])}'
        "</option>"
        for s in SORTS
    )
    inputs.append(f'<label>Order <select name="sort">{options}</select></label>')
    return (
        f'<form method="get" action="{e(root)}/" role="search" '
        f'data-complete="{e(root)}/api/complete">\n'
        f'<input type="search" name="q" value="{e(form.q)}" list="completions" '
        'autocomplete="off" aria-label="Search the posts" placeholder="Search the posts">\n'
        '<datalist id="completions"></datalist>\n<button type="submit">Search</button>\n'
        f"<details{' open' if form.advanced else ''}><summary>Place, filters and order</summary>\n"
        + "\n".join(inputs)
        + "\n</details>\n</form>"
    )


def _input(label: str, name: str, value: str, placeholder: str = "") -> str:
    hint = f' placeholder="{e(placeholder)}"' if placeholder else ""
    return f'<label>{e(label)} <input name="{e(name)}" value="{e(value)}"{hint}></label>'


def _results(form: Form, results: Results, drawing: str | None) -> str:
    out = ['<section class="results" aria-label="Results">']
    if results.suggestion:
        link = form.link(q=results.suggestion, page=None)
        out.append(f'<p class="suggestion">Did you mean <a href="{e(link)}">'
                   f"{e(results.suggestion)}</a>?</p>")  # fmt: skip
    out.append(f'<p class="summary">{_summary(results)}</p>')
    if drawing:
        out.append(f'<figure class="map" aria-label="Where these posts are">{drawing}</figure>')
    if results.hits:
        first = (results.page - 1) * results.limit + 1
        out.append(f'<ol class="hits" start="{first}">')
        out.extend(_hit(hit) for hit in results.hits)
        out.append("</ol>")
    out.append(_paging(form, results))
    out.append("</section>")
    return "\n".join(part for part in out if part)


def _summary(results: Results) -> str:
    what = f"“{e(results.query)}”" if results.query else "the filters"
    where = ""
    if results.center is not None and results.center[2] and not results.query.startswith("near "):
        where = f" near {e(results.center[2])}"
    if results.total == 0:
        return f"No posts match {what}{where}."
    if not results.hits:
        return f"No hits on page {results.page} ({results.total} in all)."
    first = (results.page - 1) * results.limit + 1
    last = first + len(results.hits) - 1
    posts = "post" if results.total == 1 else "posts"
    return f"{first}\u2013{last} of {results.total} {posts} for {what}{where}"


def _hit(hit: Hit) -> str:
    title = e(hit.title or hit.path)
    href = _safe_href(hit.url)
    heading = f'<a href="{e(href)}">{title}</a>' if href else title
    meta = []
    if hit.date:
        meta.append(f'<time datetime="{e(hit.date)}">{e(hit.date[:10])}</time>')
    place = _place(hit.location)
    if place:
        meta.append(f'<span class="place">{e(place)}</span>')
    if hit.distance_km is not None:
        meta.append(f'<span class="distance">{e(_distance(hit.distance_km))} away</span>')
    parts = [f'<li class="hit">\n<h2>{heading}</h2>']
    if meta:
        parts.append('<p class="meta">' + " · ".join(meta) + "</p>")
    if hit.snippet:
        parts.append(f'<p class="snippet">{safe_snippet(hit.snippet)}</p>')
    if hit.tags:
        links = (f'<a href="?{e(urlencode({"tag": t}))}">{e(t)}</a>' for t in hit.tags)
        parts.append('<p class="tags">' + " ".join(links) + "</p>")
    parts.append("</li>")
    return "\n".join(parts)


def safe_snippet(snippet_html: str) -> str:
    """A snippet with every tag but ``<mark>`` shown as text: entities are decoded and all of it
    escaped again, so nothing a post holds can become markup."""
    parts = _MARK.split(snippet_html)
    return "".join(
        f"<mark>{e(html.unescape(part))}</mark>" if i % 2 else e(html.unescape(part))
        for i, part in enumerate(parts)
    )


def _safe_href(url: str) -> str | None:
    """A post's URL when it is a web address or a path; never ``javascript:`` and the like."""
    url = url.strip()
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("", "http", "https") else None


def _place(loc: Location | None) -> str:
    if loc is None:
        return ""
    parts = []
    if loc.address:
        parts.append(loc.address)
    elif loc.lat is not None and loc.lon is not None:
        parts.append(f"{loc.lat:.4f}, {loc.lon:.4f}")
    if parts and not loc.public:
        parts.append("(private)")
    return " ".join(parts)


def _distance(km: float) -> str:
    return f"{km * 1000:.0f} m" if km < 1 else f"{km:.1f} km"


def _paging(form: Form, results: Results) -> str:
    pages = min(MAX_PAGE, math.ceil(results.total / results.limit)) if results.total else 0
    if pages <= 1:
        return ""
    links: list[str] = []
    if results.page > 1:
        previous = min(results.page - 1, pages)
        links.append(f'<a rel="prev" href="{e(form.link(page=previous))}">← Previous</a>')
    links.append(f'<span class="where">Page {results.page} of {pages}</span>')
    if results.page < pages:
        links.append(f'<a rel="next" href="{e(form.link(page=results.page + 1))}">Next →</a>')
    return '<nav class="paging" aria-label="Pages">' + " ".join(links) + "</nav>"
