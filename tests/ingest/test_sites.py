"""Site roots: finding the generator, what is a post, URLs as each generator builds them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import GOLDEN, build_index
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.indexing import indexer
from searcher.ingest import permalinks, sites
from searcher.ingest.permalinks import JekyllDoc
from searcher.ingest.reader import read_file, scan
from searcher.models import Post, Skipped, Summary

SITES = GOLDEN / "sites"
DAY = dt.datetime(2019, 5, 6, 7, 8, 9)


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("date", "/travel/2019/05/06/lisbon-trams.html"),
        ("pretty", "/travel/2019/05/06/lisbon-trams/"),
        ("ordinal", "/travel/2019/126/lisbon-trams.html"),
        ("weekdate", "/travel/2019/W19/Mon/lisbon-trams.html"),  # strftime's %a, as Jekyll
        ("none", "/travel/lisbon-trams.html"),
        ("/:year/:i_month/:i_day/:slug", "/2019/5/6/lisbon-trams"),
        ("/:short_year/:short_month/:title:output_ext", "/19/May/lisbon-trams.html"),
        ("/:categories/:name/", "/travel/2019-05-06-lisbon-trams/"),
        ("/blog/:year_:month/:title/", "/blog/2019_05/lisbon-trams/"),
    ],
)
def test_jekyll_permalink_styles_and_placeholders(style: str, expected: str) -> None:
    doc = JekyllDoc("2019-05-06-lisbon-trams.md", "posts", DAY, "lisbon-trams", ("Travel",))
    assert permalinks.jekyll_url(permalinks.jekyll_template(style), doc) == expected


@pytest.mark.parametrize(
    ("text", "default", "pretty"),
    [
        ("The _config.yml file", "the-config-yml-file", "The-_config.yml-file"),
        ("für (vor-)Schulkinder", "für-vor-schulkinder", "für-(vor-)Schulkinder"),
        ("  spaced  out  ", "spaced-out", "spaced-out"),
    ],
)
def test_jekyll_slugify(text: str, default: str, pretty: str) -> None:
    assert permalinks.slugify_jekyll(text) == default
    assert permalinks.slugify_jekyll(text, mode="pretty", cased=True) == pretty


def test_jekyll_collections_end_as_the_site_style_does() -> None:
    assert permalinks.jekyll_template("pretty", collection="notes") == "/:collection/:path/"
    assert permalinks.jekyll_template("date", collection="notes") == "/:collection/:path:output_ext"
    # add_permalink_suffix: weekdate is neither a named style there nor ends in one
    assert permalinks.jekyll_template("weekdate", collection="notes") == "/:collection/:path"
    doc = JekyllDoc("sub/a.md", "notes", None, "a", ())
    assert permalinks.jekyll_url("/:collection/:path/", doc) == "/notes/sub/a/"


def test_hugo_pages_without_a_date_have_go_s_zero_date() -> None:
    """Placeholders of a page without a usable date became words (/year/monthname/…)."""
    page = permalinks.HugoPage("posts/a.md", None, "A", None, None)
    table = {"posts": "/:year/:month/:monthname/:weekdayname/:slug/"}
    assert permalinks.hugo_url(page, table, lower=True, ugly=False) == "/0001/01/january/monday/a/"


def test_hugo_pages() -> None:
    page = permalinks.HugoPage("posts/Über Alles/index.md", DAY, "Ünïcode Title", None, None)
    assert permalinks.hugo_url(page, {}, lower=True, ugly=False) == "/posts/über-alles/"
    table = {"posts": "/:sections/:year/:title/"}
    assert (
        permalinks.hugo_url(page, table, lower=True, ugly=True) == "/posts/2019/ünïcode-title.html"
    )


@pytest.mark.parametrize(
    ("relative", "slug", "path", "expected"),
    [
        ("blog/2021-04-05_first-light.md", None, None, "/blog/first-light/"),
        ("Blog Posts/Été à Paris.md", None, None, "/blog-posts/ete-a-paris/"),
        ("blog/x.md", "chosen", None, "/blog/chosen/"),
        ("blog/x.md", None, "/2014/12/12/x", "/2014/12/12/x/"),
    ],
)
def test_zola_pages(relative: str, slug: str | None, path: str | None, expected: str) -> None:
    assert permalinks.zola_url(relative, slug=slug, path=path, slugify=True) == expected


@pytest.mark.parametrize(
    ("relative", "permalink", "expected"),
    [
        ("index.md", None, "/"),
        ("posts/a.md", None, "/posts/a/"),
        ("posts/a/a.md", None, "/posts/a/"),
        ("posts/a/index.md", None, "/posts/a/"),
        ("posts/a.md", "/elsewhere/", "/elsewhere/"),
        ("posts/a.md", "x/{{ title | slugify }}/index.html", "/x/a-title/"),
        ("posts/a.md", "/{{ page.date | date: '%Y' }}/", "/posts/a/"),  # not understood
        ("posts/a.md", False, None),
    ],
)
def test_eleventy_pages(relative: str, permalink: object, expected: str | None) -> None:
    assert permalinks.eleventy_url(relative, permalink, {"title": "A Title"}) == expected


def test_posts_alone_are_a_folder_of_posts(tmp_path: Path) -> None:
    write(tmp_path, {"_posts/2020-01-01-a.md": "---\ntitle: A\n---\nx", "notes/b.md": "y",
                     "_drafts/c.md": "z", "_site/index.html": "<p>built</p>"})  # fmt: skip
    assert sites.for_source(tmp_path) is None
    paths = {p.path: p.url for p in scan([tmp_path])}
    assert paths == {"_posts/2020-01-01-a.md": "/2020/01/01/a/", "notes/b.md": "/notes/b/"}


@pytest.mark.parametrize(
    "mark",
    ["_layouts/post.html", "_includes/head.html", "_sass/main.scss", "Gemfile"],
)  # fmt: skip
def test_jekyll_needs_no_configuration_file(tmp_path: Path, mark: str) -> None:
    """Jekyll builds a root without _config.yml with its defaults: so do we (posts from
    _posts/, Jekyll's date permalink, pages and layouts not posts)."""
    gemfile = "source 'https://rubygems.org'\ngem 'jekyll'\n"
    write(tmp_path, {"_posts/2020-01-01-a.md": "---\ntitle: A\n---\nx", "about.md": "me",
                     "index.html": "<p>home</p>", mark: gemfile})  # fmt: skip
    summary = Summary()
    posts = {p.path: p.url for p in scan([tmp_path], summary=summary)}
    assert posts == {"_posts/2020-01-01-a.md": "/2020/01/01/a.html"}
    assert summary.sites == ["Jekyll site (no _config.yml: Jekyll's defaults): posts from _posts/"]
    assert {s.path for s in summary.skipped} >= {"about.md", "index.html"}
    inside = {p.path: p.url for p in scan([tmp_path / "_posts"])}  # the content folder alone
    assert inside == {"2020-01-01-a.md": "/2020/01/01/a.html"}


def test_a_gemfile_of_something_else_is_no_jekyll_site(tmp_path: Path) -> None:
    write(tmp_path, {"_posts/2020-01-01-a.md": "x", "Gemfile": "gem 'rails'\n"})
    assert sites.for_source(tmp_path) is None


def test_a_config_yaml_of_something_else_is_no_hugo_site(tmp_path: Path) -> None:
    write(tmp_path, {"config.yaml": "database: sqlite\nport: 8080\n", "content/a.md": "x"})
    assert sites.for_source(tmp_path) is None and sites.for_source(tmp_path / "content") is None


def test_a_broken_configuration_still_names_the_site(tmp_path: Path) -> None:
    write(tmp_path, {"_config.yml": "url: 'https://x.org\npermalink: /:title/\n  bad: [",
                     "_posts/2020-01-01-a.md": "---\ntitle: A\n---\nx"})  # fmt: skip
    summary = Summary()
    posts = list(scan([tmp_path], summary=summary))
    assert [p.url for p in posts] == ["https://x.org/a/"]  # what could be salvaged is used
    assert summary.sites[0].startswith("Jekyll site") and "salvaged" in summary.sites[1]


def test_changing_the_site_configuration_rebuilds_the_index(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write(site, {"_config.yml": "permalink: /:title/\n",
                 "_posts/2020-01-01-a.md": "---\ntitle: A\n---\nsome words"})  # fmt: skip
    build_index([site], tmp_path / "index")
    (site / "_config.yml").write_text("permalink: /blog/:title/\n")
    sites._cache.clear()
    report = indexer.build([site], tmp_path / "index")
    assert report.rebuilt and "configuration changed" in report.rebuilt
    import searcher

    with searcher.open_index(tmp_path / "index") as index:
        assert [hit.url for hit in index.search("words").hits] == ["/blog/a/"]


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    | st.sampled_from(["pretty", "date", "/:title/", "/:year/:nope/", ":categories", "../x"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["output", "permalink", "scope", "values", "path", "type", "posts",
                         "page", "notes", "contentDir", "en", "fr"]), inner, max_size=3),
    max_leaves=12,
)  # fmt: skip
_CONFIG_KEYS = ["permalink", "collections", "defaults", "url", "baseurl", "timezone", "exclude",
                "language", "collections_dir", "baseURL", "permalinks", "languages",
                "contentDir", "uglyURLs", "defaultContentLanguage"]  # fmt: skip
_POST_KEYS = ["title", "permalink", "categories", "category", "slug", "date", "url", "headless",
              "lang", "published", "build"]  # fmt: skip


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    kind=st.sampled_from(["_config.yml", "hugo.json"]),
    config=st.dictionaries(st.sampled_from(_CONFIG_KEYS), _values, max_size=6),
    front=st.dictionaries(st.sampled_from(_POST_KEYS), _values, max_size=6),
)
def test_any_site_configuration_gives_posts_or_reasons(
    tmp_path_factory: pytest.TempPathFactory, kind: str, config: dict[str, Any],
    front: dict[str, Any],
) -> None:  # fmt: skip
    root = tmp_path_factory.mktemp("site")
    text = json.dumps(config, default=str)  # JSON is YAML too
    if kind == "hugo.json":
        post = root / "content" / "posts" / "a.md"
    else:
        post = root / "_posts" / "2020-01-02-a.md"
    write(root, {kind: text, str(post.relative_to(root)): "---\n" + json.dumps(front,
          default=str) + "\n---\nsome words"})  # fmt: skip
    for record in (*scan([root], drafts=True), read_file(post, root)):
        assert isinstance(record, Post | Skipped)
        if isinstance(record, Post):
            assert isinstance(record.url, str) and record.url


@pytest.mark.parametrize("table", ["page = 3", "page = 'x'", "posts = 3"])
def test_a_hugo_permalinks_table_of_odd_values_is_no_crash(tmp_path: Path, table: str) -> None:
    """Found by the property test above: ``[permalinks] page`` not a table raised."""
    write(tmp_path, {"hugo.toml": f"[permalinks]\n{table}\n",
                     "content/posts/a.md": "---\ntitle: A\n---\nwords"})  # fmt: skip
    assert [p.url for p in scan([tmp_path])] == ["/posts/a/"]


@pytest.mark.parametrize(
    ("url", "language", "expected"),
    [
        ("post/x", "", "/post/x/"),  # a page of its own: linked with a trailing slash
        ("/post//x/", "", "/post/x/"),
        ("/Old/Page.html", "", "/Old/Page.html"),  # a file: linked as written, case kept
        ("/feed.xml", "", "/feed.xml"),
        ("/v1.2/notes", "", "/v1.2/notes"),  # any dot makes it a file, as page_paths.go says
        ("/", "", "/"),
        ("/a/../b", "", "/b/"),
        ("about", "fr", "/fr/about/"),  # relative to the language folder
        ("/about", "fr", "/about/"),  # a leading slash: relative to the site root
    ],
)
def test_hugo_front_matter_urls_are_linked_as_hugo_links_them(
    url: str, language: str, expected: str
) -> None:
    """Hugo neither sanitises nor lower-cases a url set in front matter, nor makes it ugly."""
    page = permalinks.HugoPage("posts/a.md", DAY, "A", None, url)
    assert permalinks.hugo_url(page, {}, lower=True, ugly=True, language=language) == expected


def test_hugo_front_matter_urls_in_a_multilingual_site(tmp_path: Path) -> None:
    """A url in front matter overrides the path; Hugo adds the language folder only to one
    written without a leading slash."""
    config = "defaultContentLanguage = 'en'\n[languages.en]\n[languages.fr]\n"
    page = "---\ntitle: {}\nurl: {}\n---\nwords"
    write(tmp_path, {"hugo.toml": config,
                     "content/posts/a.md": page.format("A", "post/a"),
                     "content/posts/b.fr.md": page.format("B", "post/b"),
                     "content/posts/c.fr.md": page.format("C", "/post/c"),
                     "content/posts/d.fr.md": "---\ntitle: D\n---\nwords"})  # fmt: skip
    urls = {p.path: p.url for p in scan([tmp_path])}
    assert urls == {"content/posts/a.md": "/post/a/", "content/posts/b.fr.md": "/fr/post/b/",
                    "content/posts/c.fr.md": "/post/c/",
                    "content/posts/d.fr.md": "/fr/posts/d/"}  # fmt: skip


def test_hugo_sections_are_folders_with_an_index_page(tmp_path: Path) -> None:
    """:sections is Hugo's section tree: below the first level, only folders with an
    _index page are sections (year folders that only sort files are not)."""
    post = "---\ntitle: A Walk\n---\nwords"
    write(tmp_path, {"hugo.toml": "[permalinks]\nposts = '/:sections/:slug/'\n",
                     "content/posts/2020/a-walk.md": post,
                     "content/posts/travel/_index.md": "---\ntitle: Travel\n---\n",
                     "content/posts/travel/far/b.md": post.replace("A Walk", "B")})  # fmt: skip
    urls = {p.path: p.url for p in scan([tmp_path])}
    assert urls == {"content/posts/2020/a-walk.md": "/posts/a-walk/",
                    "content/posts/travel/far/b.md": "/posts/travel/b/"}  # fmt: skip


def test_hugo_section_cascade_reaches_the_pages_below(tmp_path: Path) -> None:
    """A section's _index.md may cascade front matter to every page below it: a hidden
    section (_build render never), drafts, a slug pattern's values. The page's own wins."""
    page = "---\ntitle: {}\n---\nwords"
    write(tmp_path, {
        "hugo.toml": "[permalinks]\nnotes = '/n/:slug/'\n",
        "content/notes/_index.md": "---\ncascade:\n  _build:\n    render: never\n---\n",
        "content/notes/a.md": page.format("A"),
        "content/posts/_index.md": "+++\n[cascade]\ndraft = true\n+++\n",
        "content/posts/b.md": page.format("B"),
        "content/posts/c.md": "---\ntitle: C\ndraft: false\n---\nwords",
    })  # fmt: skip
    drafts = {p.path: p.draft for p in scan([tmp_path], drafts=True)}
    assert drafts == {"content/notes/a.md": True, "content/posts/b.md": True,
                      "content/posts/c.md": False}  # fmt: skip


@pytest.mark.parametrize(
    ("files", "changed", "url"),
    [
        ({"eleventy.config.js": "export default function () {}\n",
          "blog/blog.json": '{"permalink": "/a/{{ page.fileSlug }}/"}'},
         ("blog/blog.json", '{"permalink": "/b/{{ page.fileSlug }}/"}'), "/b/p/"),
        ({"hugo.toml": "[permalinks]\nposts = '/:slug/'\n",
          "content/posts/_index.md": "---\ntitle: Posts\n---\n"},
         ("content/posts/_index.md", "---\ncascade:\n  slug: chosen\n---\n"), "/chosen/"),
    ],
)  # fmt: skip
def test_data_files_and_section_pages_are_part_of_the_configuration(
    tmp_path: Path, files: dict[str, str], changed: tuple[str, str], url: str
) -> None:
    """Eleventy's data files and Hugo's section cascades set posts' URLs too: editing one
    left every URL as it was ('up to date')."""
    site = tmp_path / "site"
    post = "content/posts/p.md" if "hugo.toml" in files else "blog/p.md"
    write(site, {**files, post: "---\ntitle: P\n---\nsome words"})
    build_index([site], tmp_path / "index")
    (site / changed[0]).write_text(changed[1])
    sites._cache.clear()
    assert indexer.build([site], tmp_path / "index").rebuilt
    import searcher

    with searcher.open_index(tmp_path / "index") as index:
        assert [hit.url for hit in index.search("words").hits] == [url]


@pytest.mark.parametrize(
    ("config", "posts"),
    [
        ('mainSections = "notes"\n', {"content/notes/n.md"}),  # the project setting, one name
        ("[params]\nMainSections = ['notes', 'posts']\n",
         {"content/notes/n.md", "content/posts/p.md"}),
        ("[params]\nmainSections = ['post']\n",  # no such folder: a stale setting is ignored
         {"content/notes/n.md", "content/posts/p.md", "content/about.md"}),
        ("", {"content/notes/n.md", "content/posts/p.md", "content/about.md"}),
    ],
)  # fmt: skip
def test_hugo_main_sections_say_which_pages_are_posts(
    tmp_path: Path, config: str, posts: set[str]
) -> None:
    """Hugo's mainSections names the sections that hold the posts; other pages are skipped
    with that reason, never silently, and a setting naming no folder of the site is ignored
    rather than leaving every post out."""
    page = "---\ntitle: T\n---\nwords"
    write(tmp_path, {"hugo.toml": config, "content/notes/n.md": page,
                     "content/posts/p.md": page, "content/about.md": page})  # fmt: skip
    summary = Summary()
    found = {p.path for p in scan([tmp_path], summary=summary)}
    assert found == posts
    skipped = {s.path: s.reason for s in summary.skipped}
    assert set(skipped) == {"content/notes/n.md", "content/posts/p.md", "content/about.md"} - posts
    assert all("outside the main sections" in reason for reason in skipped.values())


def test_eleventy_javascript_front_matter_gives_the_post_its_title_and_date() -> None:
    posts = {p.path: p for p in scan([SITES / "eleventy-site"], drafts=True)}
    post = posts["src/posts/scripted.md"]
    assert (post.title, post.tags, post.date) == (
        "Front matter as JavaScript",
        ("notes",),
        dt.datetime(2021, 3, 4),
    )
    assert "const" not in post.text and "literal values" in post.text


def test_jekyll_polyglot_languages_and_their_urls(tmp_path: Path) -> None:
    """jekyll-polyglot builds every language but the default under /<lang>/: a post's
    ``lang`` (or, with ``lang_from_path``, its folder) says which; the default language is
    the site's language."""
    config = (
        "url: https://example.org\npermalink: /:year/:title/\nlanguages: [en, es, de]\n"
        "default_lang: en\nlang_from_path: true\n"
    )
    write(tmp_path, {
        "_config.yml": config,
        "_posts/2020-01-01-hello.md": "---\ntitle: Hello\n---\nThe harbour at dusk.",
        "_posts/2020-01-02-hola.md": "---\ntitle: Hola\nlang: es\n---\nEl puerto al atardecer.",
        "_posts/de/2020-01-03-hallo.md": "---\ntitle: Hallo\n---\nDer Hafen in der Dämmerung.",
        "_posts/2020-01-04-other.md": "---\ntitle: Other\nlang: fr\n---\nLe port au crépuscule.",
    })  # fmt: skip
    posts = {p.path: (p.url, p.lang) for p in scan([tmp_path])}
    assert posts == {
        "_posts/2020-01-01-hello.md": ("https://example.org/2020/hello/", "en"),
        "_posts/2020-01-02-hola.md": ("https://example.org/es/2020/hola/", "es"),
        "_posts/de/2020-01-03-hallo.md": ("https://example.org/de/2020/hallo/", "de"),
        "_posts/2020-01-04-other.md": ("https://example.org/2020/other/", "fr"),  # not listed
    }
