"""Hugo's configuration as Hugo reads it: the root file, then the configuration folder
(``config/_default/``, then the production environment's), and the settings' newer names."""

from __future__ import annotations

from pathlib import Path

from searcher.ingest import sites
from searcher.ingest.reader import scan
from searcher.models import Summary

PAGE = "---\ntitle: {}\ndate: 2021-03-04\n---\nwords"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_the_production_folder_sets_its_values_over_the_default_ones(tmp_path: Path) -> None:
    """``hugo`` builds the production environment: its folder's baseURL (and any other
    value) is the published one, set over ``_default`` key by key."""
    write(tmp_path, {
        "config/_default/hugo.toml": "baseURL = 'http://localhost:1313'\n",
        "config/_default/permalinks.toml": "posts = '/p/:slug/'\nnotes = '/n/:slug/'\n",
        "config/production/hugo.toml": "baseurl = 'https://example.org'\n",
        "config/production/permalinks.toml": "notes = '/notes/:slug/'\n",
        "config/development/hugo.toml": "baseURL = 'http://127.0.0.1'\n",
        "content/posts/a.md": PAGE.format("A"),
        "content/notes/b.md": PAGE.format("B"),
    })  # fmt: skip
    urls = {p.path: p.url for p in scan([tmp_path])}
    assert urls == {"content/posts/a.md": "https://example.org/p/a/",
                    "content/notes/b.md": "https://example.org/notes/b/"}  # fmt: skip


def test_the_folder_is_read_beside_a_root_file(tmp_path: Path) -> None:
    write(tmp_path, {"hugo.toml": "baseURL = 'http://localhost/'\n",
                     "config/_default/permalinks.yaml": "posts: /:year/:slug/\n",
                     "config/production/params.toml": "x = 1\n",
                     "config/production/hugo.yaml": "baseURL: https://example.org/\n",
                     "content/posts/a.md": PAGE.format("A")})  # fmt: skip
    assert [p.url for p in scan([tmp_path])] == ["https://example.org/2021/a/"]


def test_language_files_in_the_folder_are_that_language_s_settings(tmp_path: Path) -> None:
    """``languages.fr.toml`` is ``[languages.fr]``, ``params.fr.toml`` its params: a French
    page is then served under /fr/."""
    write(tmp_path, {
        "config/_default/hugo.toml": "defaultContentLanguage = 'en'\n",
        "config/_default/languages.en.toml": "weight = 1\n",
        "config/_default/languages.fr.toml": "weight = 2\nlocale = 'fr-FR'\n",
        "config/_default/params.fr.toml": "subtitle = 'x'\n",
        "content/posts/a.md": PAGE.format("A"),
        "content/posts/a.fr.md": PAGE.format("Un"),
    })  # fmt: skip
    site = sites.read_site(tmp_path)
    assert site is not None
    assert site.config["languages"]["fr"] == {"weight": 2, "locale": "fr-FR",
                                              "params": {"subtitle": "x"}}  # fmt: skip
    posts = {p.path: (p.url, p.lang) for p in scan([tmp_path])}
    assert posts == {"content/posts/a.md": ("/posts/a/", "en"),
                     "content/posts/a.fr.md": ("/fr/posts/a/", "fr")}  # fmt: skip


def test_the_site_language_may_be_named_by_locale(tmp_path: Path) -> None:
    """Hugo 0.158 renamed ``languageCode`` ``locale``."""
    write(tmp_path, {"hugo.toml": "baseURL = 'https://example.org/'\nlocale = 'de-DE'\n",
                     "content/posts/a.md": "---\ntitle: A\n---\nok"})  # fmt: skip
    site = sites.read_site(tmp_path)
    assert site is not None and site.lang == "de"


def test_pages_in_a_disabled_language_are_skipped_with_the_reason(tmp_path: Path) -> None:
    """``disableLanguages`` (or a language's ``disabled``) keeps Hugo from building that
    language's pages: by file name or content folder, each is listed as skipped."""
    config = (
        "defaultContentLanguage = 'zh-cn'\ndisableLanguages = ['en']\n"
        "[languages.zh-cn]\n[languages.en]\n[languages.fr]\ndisabled = true\n"
        "contentDir = 'content/fr'\n"
    )
    write(tmp_path, {"hugo.toml": config,
                     "content/posts/a.md": PAGE.format("A"),
                     "content/posts/a.en.md": PAGE.format("A"),
                     "content/fr/posts/b.md": PAGE.format("B")})  # fmt: skip
    summary = Summary()
    assert [p.path for p in scan([tmp_path], summary=summary)] == ["content/posts/a.md"]
    assert {s.path: s.reason for s in summary.skipped} == {
        "content/posts/a.en.md": "page in a disabled language (en), not built",
        "content/fr/posts/b.md": "page in a disabled language (fr), not built",
    }


def test_pages_outside_every_section_are_the_site_s_own_when_a_section_holds_more(
    tmp_path: Path,
) -> None:
    """With mainSections unset Hugo lists its largest section's pages as the posts: the
    about and search pages at the top (a file or a bundle) are skipped, with the reason,
    while a blog keeping its posts at the top keeps them all."""
    page = PAGE.format("P")
    write(tmp_path / "a", {"hugo.toml": "", "content/about.md": page,
                           "content/search/index.md": page, "content/_index.md": page,
                           "content/posts/p1.md": page, "content/posts/p2/index.md": page,
                           "content/posts/2020/p3.md": page})  # fmt: skip
    summary = Summary()
    found = {p.path for p in scan([tmp_path / "a"], summary=summary)}
    assert found == {"content/posts/p1.md", "content/posts/p2/index.md",
                     "content/posts/2020/p3.md"}  # fmt: skip
    reasons = {s.path: s.reason for s in summary.skipped}
    assert "outside every section" in reasons["content/about.md"]
    assert "outside every section" in reasons["content/search/index.md"]
    write(tmp_path / "b", {"hugo.toml": "", "content/one.md": page, "content/two.md": page,
                           "content/notes/n.md": page})  # fmt: skip
    assert len(list(scan([tmp_path / "b"]))) == 3
    write(tmp_path / "c", {"hugo.toml": "mainSections = ['posts']", "content/about.md": page,
                           "content/posts/p.md": page, "content/notes/n.md": page})  # fmt: skip
    assert [p.path for p in scan([tmp_path / "c"])] == ["content/posts/p.md"]


def test_files_in_a_leaf_bundle_are_its_resources_not_pages(tmp_path: Path) -> None:
    """Every file of a leaf bundle but its index, below it too, is a resource of the bundle
    (hugo-scroll's headless homepage/ bundle holds the page's sections): never a post."""
    page = PAGE.format("P")
    write(tmp_path, {"hugo.toml": "[languages.en]\n[languages.fr]\n",
                     "content/homepage/index.md": "---\nheadless: true\n---\n",
                     "content/homepage/about.md": page,
                     "content/homepage/deep/more.md": page,
                     "content/posts/trip/index.fr.md": page,
                     "content/posts/trip/notes.md": page,
                     "content/posts/a.md": page,
                     "content/posts/b/index.md": page})  # fmt: skip
    summary = Summary()
    found = {p.path for p in scan([tmp_path], summary=summary)}
    assert found == {"content/posts/a.md", "content/posts/b/index.md",
                     "content/posts/trip/index.fr.md"}  # fmt: skip
    reasons = {s.path: s.reason for s in summary.skipped}
    assert reasons["content/homepage/deep/more.md"] == (
        "resource of the page bundle content/homepage/index.md, not a page"
    )
    assert reasons["content/posts/trip/notes.md"].endswith("trip/index.fr.md, not a page")


def test_ignore_files_as_blogdown_sets_them(tmp_path: Path) -> None:
    """blogdown's sites set ignoreFiles for knitr's leftovers beside the posts
    (``x.knit.md``, ``x.utf8.md``, ``x_cache/``): Hugo never reads them, so they are no
    second copies of the post. A pattern Python cannot read is left out."""
    config = "baseURL = '/'\nignoreFiles = ['\\.knit\\.md$', '\\.utf8\\.md$', '_cache$', '(?<']"
    page = PAGE.format("P")
    write(tmp_path, {"config.toml": config,
                     "content/post/2020-01-01-x.md": page,
                     "content/post/2020-01-01-x.knit.md": page,
                     "content/post/2020-01-01-x.utf8.md": page,
                     "content/post/2020-01-01-x_cache/html/part.md": page})  # fmt: skip
    summary = Summary()
    found = [p.path for p in scan([tmp_path], summary=summary)]
    assert found == ["content/post/2020-01-01-x.md"]
    assert {s.reason for s in summary.skipped} == {"matched by ignoreFiles: never read by Hugo"}
    assert len(summary.skipped) == 3
