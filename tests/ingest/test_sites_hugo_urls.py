"""Hugo's page links (resources/page/page_paths.go): a page is ``…/index.html``, linked with
a trailing slash, or with uglyURLs ``….html``, whatever the permalink pattern ends with;
removePathAccents strips accents from the path Hugo makes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from searcher.ingest import permalinks
from searcher.ingest.reader import scan

DAY = dt.datetime(2019, 6, 12, 10, 30)


@pytest.mark.parametrize(
    ("pattern", "ugly", "expected"),
    [
        ("/:year/:month/:day/:slug", False, "/2019/06/12/reprenons-sérieusement/"),
        ("/:year/:month/:day/:slug/", False, "/2019/06/12/reprenons-sérieusement/"),
        ("posts/:slugorcontentbasename", False, "/posts/reprenons/"),
        ("/:year/:month/:day/:slug", True, "/2019/06/12/reprenons-sérieusement.html"),
        ("/:year/:month/:day/:slug/", True, "/2019/06/12/reprenons-sérieusement.html"),
    ],
)
def test_a_pattern_s_last_slash_does_not_change_the_link(
    pattern: str, ugly: bool, expected: str
) -> None:
    page = permalinks.HugoPage("posts/reprenons.md", DAY, "Reprenons sérieusement", None, None)
    table = {"posts": pattern}
    assert permalinks.hugo_url(page, table, lower=True, ugly=ugly) == expected


def test_remove_path_accents(tmp_path: Path) -> None:
    """removePathAccents (fljdin's French blog): é becomes e in the paths Hugo makes, from
    the title as from the file name, but not in a url written in front matter."""
    files = {
        "hugo.yaml": "removePathAccents: true\npermalinks:\n  posts: /:year/:slug\n",
        "content/posts/a.md": "---\ntitle: Le jour où tout bascule\ndate: 2019-12-19\n---\nx",
        "content/pages/À propos.md": "---\ntitle: À propos\n---\nx",
        "content/pages/b.md": "---\ntitle: B\nurl: /été/\n---\nx",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    urls = {p.path: p.url for p in scan([tmp_path])}
    assert urls == {"content/posts/a.md": "/2019/le-jour-ou-tout-bascule/",
                    "content/pages/À propos.md": "/pages/a-propos/",
                    "content/pages/b.md": "/été/"}  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (":sections[1:]/:slugorcontentbasename", "/a/b/c/"),  # FixIt's example site
        ("/:sections[last]/:slug/", "/b/t/"),
        ("/:sections[0]/:filename/", "/private/c/"),
        ("/:sections[:last]/:filename/", "/private/a/c/"),
        ("/:sections[1:2]/:filename/", "/a/c/"),
        ("/:sections[7]/:filename/", "/c/"),  # out of range: nothing
        ("/:sections/:filename/", "/private/a/b/c/"),
    ],
)
def test_hugo_slices_of_the_section_tree(pattern: str, expected: str) -> None:
    """Hugo 0.120's :sections[…] slices (resources/page/permalinks.go) were read as the
    whole tree followed by the bracket's digits (/private/a/b1/c/)."""
    page = permalinks.HugoPage("private/a/b/c.md", DAY, "T", None, None, ("private", "a", "b"))
    assert permalinks.hugo_url(page, {"private": pattern}, lower=True, ugly=False) == expected


def test_ugly_urls_per_section(tmp_path: Path) -> None:
    """uglyURLs may name sections (Hugo's documented ``[uglyURLs] books = true``): only
    their pages end in .html."""
    files = {
        "hugo.toml": "[uglyURLs]\nBooks = true\nfilms = false\n",
        "content/books/a.md": "---\ntitle: A\n---\nx",
        "content/films/b.md": "---\ntitle: B\n---\nx",
        "content/notes/c/index.md": "---\ntitle: C\n---\nx",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    urls = {p.path: p.url for p in scan([tmp_path])}
    assert urls == {"content/books/a.md": "/books/a.html", "content/films/b.md": "/films/b/",
                    "content/notes/c/index.md": "/notes/c/"}  # fmt: skip
