"""Jekyll-alike site roots: Hexo sites and Jekyll sites whose ``source`` is a subfolder
(Octopress), read as their generator reads them."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from searcher.ingest import permalinks, sites
from searcher.ingest.reader import scan
from searcher.models import Summary


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def generator(root: Path) -> str | None:
    site = sites.read_site(root)
    return site.generator if site else None


def page(title: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: 2021-04-05 06:07:08\n{extra}---\nSome words of {title}."


HEXO_CONFIG = (
    "title: A blog\nurl: https://example.org/blog\nroot: /blog/\n"
    "permalink: :year/:month/:day/:title/\nsource_dir: source\nnew_post_name: :title.md\n"
)


def test_hexo_site_root_reads_every_post_with_hexo_urls(tmp_path: Path) -> None:
    """A Hexo site also has a ``_config.yml`` and a ``_posts`` folder, but its post files
    carry no date in their names: read as Jekyll, every post was skipped. Hexo reads every
    file under ``source/_posts`` (any folder), leaves out ``_``/``.`` parts, and takes the
    slug from the path within ``_posts``."""
    write(tmp_path, {
        "_config.yml": HEXO_CONFIG,
        "package.json": '{"hexo": {"version": "7.0.0"}}',
        "source/_posts/Harbour at Dusk.md": page("Harbour at dusk"),
        "source/_posts/travel/lisbon.md": page("Lisbon", "categories: [Travel]\n"),
        "source/_posts/own.md": page("Own", "permalink: notes/own.html\n"),
        "source/_posts/_partial.md": page("Partial"),
        "source/_drafts/later.md": page("Later"),
        "source/about/index.md": page("About"),
        "themes/landscape/README.md": page("Theme"),
        "scaffolds/post.md": "---\ntitle: {{ title }}\n---\n",
    })  # fmt: skip
    summary = Summary()
    posts = {p.path: p for p in scan([tmp_path], drafts=True, summary=summary)}
    assert {path: (p.url, p.draft) for path, p in posts.items()} == {
        "source/_posts/Harbour at Dusk.md":
            ("https://example.org/blog/2021/04/05/Harbour%20at%20Dusk/", False),
        "source/_posts/travel/lisbon.md":
            ("https://example.org/blog/2021/04/05/travel/lisbon/", False),
        "source/_posts/own.md": ("https://example.org/blog/notes/own.html", False),
        "source/_drafts/later.md": ("https://example.org/blog/2021/04/05/later/", True),
    }  # fmt: skip
    assert {s.path: s.reason for s in summary.skipped} == {
        "source/about/index.md": "a page of the Hexo site, not a post"
    }
    assert generator(tmp_path) == "hexo"


KIND = "new_post_name: :kind/:title.md\npermalink: :kind/:title/"


@pytest.mark.parametrize(
    ("config", "rel", "front", "url"),
    [
        # a date in the file name, by new_post_name: the slug is what follows it
        ("new_post_name: :year-:month-:day-:title.md\n", "2019-02-03-tram-28.md", "",
         "/2021/04/05/tram-28/"),
        # new_post_name with folders: its other placeholders fill the permalink too
        (f"{KIND}\n", "git/tags.md", "", "/git/tags/"),
        (f"{KIND}\npermalink_defaults:\n  kind: misc\n", "tags.md", "", "/misc/tags/"),
        # :category: the last category's slug under its parents' (category_map renames)
        ("permalink: :category/:name.html\ncategory_map:\n  Reisen: travel\n", "x/trip.md",
         "categories: [Reisen, Porto e Douro]\n", "/travel/Porto-e-Douro/trip.html"),
        ("permalink: :category/:post_title/\n", "trip.md", "", "/uncategorized/trip-to-porto/"),
        ("permalink: :year/:title.html\npretty_urls:\n  trailing_html: false\n", "trip.md", "",
         "/2021/trip"),
        ("permalink: :id/\n", "trip.md", "", "/trip/"),  # a database id: the slug alone
    ],
)  # fmt: skip
def test_hexo_permalinks(tmp_path: Path, config: str, rel: str, front: str, url: str) -> None:
    write(tmp_path, {
        "_config.yml": "source_dir: source\n" + config,
        f"source/_posts/{rel}": page("Trip to Porto", front),
    })  # fmt: skip
    [post] = scan([tmp_path])
    assert post.url == url


def test_hexo_detected_by_package_json_and_read_from_its_posts_folder(tmp_path: Path) -> None:
    """A ``_config.yml`` with none of Hexo's keys is still Hexo's when ``package.json``
    names Hexo; the ``_posts`` folder given alone is read as part of that site; in a post's
    asset folder (``post_asset_folder``) only files of ``new_post_name``'s type are posts."""
    write(tmp_path, {
        "_config.yml": "permalink: :title/\npost_asset_folder: true\n",
        "package.json": '{"dependencies": {"hexo": "^7.0.0"}}',
        "source/_posts/trip.md": page("Trip"),
        "source/_posts/trip/notes.md": page("Notes"),
        "source/_posts/trip/embed.html": page("Embed"),
    })  # fmt: skip
    posts = {p.path: p.url for p in scan([tmp_path / "source" / "_posts"])}
    assert posts == {"trip.md": "/trip/", "trip/notes.md": "/trip/notes/"}


def test_hexo_keys_or_package_make_hexo_and_jekyll_stays_jekyll(tmp_path: Path) -> None:
    write(tmp_path / "hexo", {"_config.yml": "new_post_name: :title.md\n"})
    write(tmp_path / "jekyll", {"_config.yml": "permalink: pretty\n", "package.json": "{}"})
    assert (generator(tmp_path / "hexo"), generator(tmp_path / "jekyll")) == ("hexo", "jekyll")


@pytest.mark.parametrize(
    ("rule", "path", "expected"),
    [
        (":title.md", "a/b c.md", {"title": "a/b c"}),
        (":year-:month-:day-:title.md", "2019-02-03-x.md", {"year": "2019", "month": "02",
                                                             "day": "03", "title": "x"}),
        (":year-:month-:day-:title.md", "no-date here.md", {"title": "no-date-here"}),
        (":year/:title.md", "2019/x.md", {"year": "2019", "title": "x"}),
    ],
)  # fmt: skip
def test_hexo_filename(rule: str, path: str, expected: dict[str, str]) -> None:
    assert permalinks.hexo_filename(rule, path) == expected


def test_hexo_slugize() -> None:
    assert permalinks.slugize_hexo("Ça va? Très_bien / merci!") == "Ca-va-Tres-bien-merci"
    assert permalinks.slugize_hexo("Ça va", transform=1) == "ca-va"


def test_octopress_source_folder(tmp_path: Path) -> None:
    """Octopress (Jekyll with ``source: source``): Jekyll reads only the source folder, so
    its name is no category in a URL, ``defaults`` scopes are paths within it, and files
    beside it (the README, plugins) are no part of the site."""
    write(tmp_path, {
        "_config.yml": (
            "url: https://example.org\nsource: source\npermalink: date\n"
            "defaults:\n  - scope: {path: _posts}\n    values: {lang: fr}\n"
        ),
        "Rakefile": "task :default\n",
        "README.markdown": page("Readme"),
        "source/_posts/2020-01-02-lisbon.markdown": "---\ntitle: Lisbon\n---\nTrams.",
        "source/blog/archives/index.html": page("Archives"),
    })  # fmt: skip
    summary = Summary()
    posts = {p.path: (p.url, p.lang) for p in scan([tmp_path], summary=summary)}
    assert posts == {
        "source/_posts/2020-01-02-lisbon.markdown":
            ("https://example.org/2020/01/02/lisbon.html", "fr"),
    }  # fmt: skip
    assert [s.path for s in summary.skipped] == ["source/blog/archives/index.html"]


def test_eleventy_starter_blog_metadata_beside_the_input(tmp_path: Path) -> None:
    """Eleventy's starter blog keeps its data beside the input (``data: "../_data"``) in
    ``metadata.js``: its literal ``url`` and ``language`` are the site's base URL and
    language (the folder was looked for inside the input, and only as JSON)."""
    write(tmp_path, {
        "eleventy.config.js": 'export const config = {dir: {input: "content", data: "../_data"}};',
        "_data/metadata.js": 'export default {\n  url: "https://example.org/",\n'
                             '  language: "de",\n  year: () => 2024,\n};\n',
        "content/blog/hafen.md": "---\ntitle: Hafen\n---\nKurz.",
    })  # fmt: skip
    [post] = scan([tmp_path])
    assert (post.url, post.lang) == ("https://example.org/blog/hafen/", "de")
    before = sites.fingerprint([tmp_path])
    (tmp_path / "_data/metadata.js").write_text('module.exports = {url: "https://b.example"};')
    assert sites.fingerprint([tmp_path]) != before


def test_eleventy_date_keywords(tmp_path: Path) -> None:
    """``date: Last Modified`` (or ``Created``) is the file's time, not a date nobody
    understood; ``git Last Modified`` takes the file name's date when it has one (a fresh
    checkout's file times are all the checkout's)."""
    write(tmp_path, {
        ".eleventy.js": "module.exports = () => ({});\n",
        "posts/a.md": "---\ntitle: A\ndate: Last Modified\n---\nWords.",
        "posts/2020-03-04-b.md": "---\ntitle: B\ndate: git Last Modified\n---\nWords.",
        "posts/c.md": "---\ntitle: C\ndate: git Created\n---\nWords.",
    })  # fmt: skip
    stamp = dt.datetime(2022, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    for name in ("a.md", "2020-03-04-b.md", "c.md"):
        os.utime(tmp_path / "posts" / name, (stamp.timestamp(), stamp.timestamp()))
    posts = {p.path: (p.date, [w.reason for w in p.warnings]) for p in scan([tmp_path])}
    assert posts == {
        "posts/a.md": (stamp, []),
        "posts/2020-03-04-b.md": (dt.datetime(2020, 3, 4), []),
        "posts/c.md": (stamp, []),
    }


def test_polyglot_language_folders_keep_the_sites_spelling(tmp_path: Path) -> None:
    """jekyll-polyglot serves a language under the folder the site lists (``/pt-BR/``, not
    ``/pt-br/``), whatever case a post or its folder writes it in."""
    write(tmp_path, {
        "_config.yml": 'url: https://example.org\nlanguages: ["en", "pt-BR", "zh-TW"]\n'
                       'default_lang: "en"\nlang_from_path: true\npermalink: /posts/:title/\n',
        "_posts/pt-BR/2024-01-02-ponte.md": "---\ntitle: Ponte\n---\nA ponte sobre o rio.",
        "_posts/2024-01-03-qiao.md": "---\ntitle: Qiao\nlang: zh-tw\n---\n河上的橋。",
        "_posts/en/2024-01-04-bridge.md": "---\ntitle: Bridge\n---\nThe bridge over the river.",
    })  # fmt: skip
    urls = {p.path: p.url for p in scan([tmp_path])}
    assert urls == {
        "_posts/pt-BR/2024-01-02-ponte.md": "https://example.org/pt-BR/posts/ponte/",
        "_posts/2024-01-03-qiao.md": "https://example.org/zh-TW/posts/qiao/",
        "_posts/en/2024-01-04-bridge.md": "https://example.org/posts/bridge/",
    }


def test_collection_ordered_by_hand_holds_pages(tmp_path: Path) -> None:
    """A collection sorted by something other than the date (Chirpy's ``_tabs``, sorted by
    ``order``: About, Archives, Tags) holds the site's pages, not posts; one in date order
    (``_notes``) holds posts."""
    write(tmp_path, {
        "_config.yml": "collections:\n  tabs: {output: true, sort_by: order}\n"
                       "  notes: {output: true, sort_by: date}\n",
        "_tabs/archives.md": "---\nlayout: archives\norder: 3\n---\n",
        "_notes/harbour.md": "---\ntitle: Harbour\ndate: 2024-01-02\n---\nBoats.",
    })  # fmt: skip
    summary = Summary()
    assert [p.path for p in scan([tmp_path], summary=summary)] == ["_notes/harbour.md"]
    assert [(s.path, s.reason) for s in summary.skipped] == [
        ("_tabs/archives.md", "in collection 'tabs', ordered by order: pages, not posts")
    ]


@pytest.mark.parametrize(
    ("config", "cname", "url"),
    [
        (None, "blog.example.org\n", "https://blog.example.org/2020/01/02/hello.html"),
        ("baseurl: /notes\n", "example.org", "https://example.org/notes/2020/01/02/hello.html"),
        ("url: http://own.example\n", "example.org", "http://own.example/2020/01/02/hello.html"),
        (None, "not a host name", "/2020/01/02/hello.html"),
    ],
)  # fmt: skip
def test_github_pages_cname_is_the_sites_address(
    tmp_path: Path, config: str | None, cname: str, url: str
) -> None:
    """GitHub Pages gives a site without ``url`` the address its ``CNAME`` names."""
    files = {"CNAME": cname, "_posts/2020-01-02-hello.md": "---\ntitle: Hello\n---\nHi.",
             "_layouts/post.html": "{{ content }}"}  # fmt: skip
    write(tmp_path, {**files, "_config.yml": config} if config else files)
    assert [p.url for p in scan([tmp_path])] == [url]


def test_eleventy_javascript_data_files(tmp_path: Path) -> None:
    """``blog.11tydata.js`` (folder data) and ``<post>.11tydata.js`` (template data) are
    read as their JSON twins were: their literal values; a computed one is left out."""
    write(tmp_path, {
        "eleventy.config.js": "export default function () {}\n",
        "blog/blog.11tydata.js": 'module.exports = {\n  permalink: "/b/{{ page.fileSlug }}/",\n'
                                 "  eleventyComputed: { title: (data) => data.x },\n};\n",
        "blog/a.md": "---\ntitle: A\n---\nWords.",
        "blog/b.md": "---\ntitle: B\n---\nWords.",
        "blog/b.11tydata.mjs": 'export default { permalink: "/own/b/", lang: "fr" };\n',
    })  # fmt: skip
    posts = {p.path: (p.url, p.title) for p in scan([tmp_path])}
    assert posts == {"blog/a.md": ("/b/a/", "A"), "blog/b.md": ("/own/b/", "B")}
    before = sites.fingerprint([tmp_path])
    (tmp_path / "blog/blog.11tydata.js").write_text('module.exports = {permalink: "/c/"};')
    assert sites.fingerprint([tmp_path]) != before


def test_eleventy_collection_tags_are_no_topics(tmp_path: Path) -> None:
    """``tags: posts`` (from a folder's data, or the post's own) only puts a page in the
    collection of posts: the site never shows it as a tag, and neither do we."""
    write(tmp_path, {
        ".eleventy.js": "module.exports = () => ({});\n",
        "posts/posts.json": '{"tags": ["posts"]}',
        "posts/a.md": "---\ntitle: A\ntags: [post, travel]\n---\nWords.",
        "posts/b.md": "---\ntitle: B\n---\nWords.",
        "posts/c.md": "---\ntitle: C\ntags: posts\n---\nWords.",
    })  # fmt: skip
    tags = {p.path: p.tags for p in scan([tmp_path])}
    assert tags == {"posts/a.md": ("travel",), "posts/b.md": (), "posts/c.md": ()}


def test_collections_dir_dot_is_the_root_and_tag_collections_hold_pages(tmp_path: Path) -> None:
    """``collections_dir: .`` is the site's root (every post was 'outside the collections
    folder'); a collection of tag pages (``_tags``, one page per tag) holds no posts."""
    write(tmp_path, {
        "_config.yml": "collections_dir: .\ncollections:\n"
                       "  blog: {output: true, permalink: '/p/:collection/:year/:title.html'}\n"
                       "  tags: {output: true, permalink: '/tags/:name/'}\n",
        "_blog/2019-02-03-kotlin.md": "---\ntitle: Kotlin\n---\nWords.",
        "_tags/kotlin.md": "---\nname: Kotlin\n---\n",
    })  # fmt: skip
    summary = Summary()
    assert [p.url for p in scan([tmp_path], summary=summary)] == ["/p/blog/2019/kotlin.html"]
    assert [(s.path, s.reason) for s in summary.skipped] == [
        ("_tags/kotlin.md", "in collection 'tags': pages of the site, not posts")
    ]


def test_collection_laid_out_as_pages_holds_pages(tmp_path: Path) -> None:
    """A collection its defaults lay out as pages (``type: meta`` → ``layout: page``:
    About, Legal) holds no posts; one laid out as posts does."""
    write(tmp_path, {
        "_config.yml": "collections:\n  meta: {output: true}\n  notes: {output: true}\n"
                       "defaults:\n  - scope: {path: '', type: meta}\n    values: {layout: page}\n"
                       "  - scope: {path: ''}\n    values: {layout: default}\n",
        "_meta/about.md": "---\ntitle: About\n---\nMe.",
        "_notes/2020-01-01-tide.md": "---\ntitle: Tide\n---\nLow tide.",
    })  # fmt: skip
    summary = Summary()
    assert [p.path for p in scan([tmp_path], summary=summary)] == ["_notes/2020-01-01-tide.md"]
    assert [s.reason for s in summary.skipped] == [
        "in collection 'meta', laid out as a page (layout: page)"
    ]


@pytest.mark.parametrize(
    ("scopes", "lang"),
    [
        ("{path: _posts/fr}|fr", "fr"),  # alone
        ("{path: _posts/fr}|fr;{path: ''}|en", "fr"),  # a longer path wins, listed first too
        ("{path: '', type: posts}|fr;{path: ''}|en", "fr"),  # same path: the typed one wins
        ("{path: ''}|en;{path: '', type: posts}|fr", "fr"),
        ("{path: ''}|en;{path: ''}|fr", "fr"),  # equal: the later one
        ("{path: '_posts', type: posts}|en;{path: ''}|fr", "en"),
    ],
)
def test_jekyll_defaults_precedence(tmp_path: Path, scopes: str, lang: str) -> None:
    """Jekyll's front-matter defaults: the more specific scope wins whatever the order."""
    entries = (part.split("|") for part in scopes.split(";"))
    config = "defaults:\n" + "".join(
        f"  - scope: {scope}\n    values: {{lang: {value}}}\n" for scope, value in entries
    )
    write(tmp_path, {"_config.yml": config})
    site = sites.read_site(tmp_path)
    assert site is not None and site.defaults("_posts/fr/2020-01-01-tide.md")["lang"] == lang


@pytest.mark.parametrize(
    ("config", "module", "posts"),
    [
        # the posts collection from a glob: other templates are the site's pages
        ('module.exports = c => { c.addCollection("posts", a => a.getFilteredByGlob('
         '"./src/blog/**/*.md")); return {dir: {input: "src"}}; };', None,
         {"src/blog/a.md", "src/blog/2020/b/index.md", "src/blog/index.md"}),
        # ... in a module the configuration requires
        ('const posts = require("./lib/posts");\nmodule.exports = c => '
         '{ c.addCollection("posts", posts); return {dir: {input: "src"}}; };',
         "module.exports = a => a.getFilteredByGlob(['src/blog/*.md', 'src/notes/*.md']);",
         {"src/blog/a.md", "src/blog/index.md"}),
        # a glob for another collection: the posts are those tagged so, nothing is left out
        ('module.exports = c => { c.addCollection("featured", a => a.getFilteredByGlob('
         '"src/blog/a.md")); return {dir: {input: "src"}}; };', None,
         {"src/blog/a.md", "src/blog/2020/b/index.md", "src/about.md", "src/blog/index.md"}),
        # a collection by tag could hold any template: nothing is left out
        ('module.exports = c => { c.addCollection("posts", a => a.getFilteredByGlob("x/*.md")'
         '.concat(a.getFilteredByTag("post"))); return {dir: {input: "src"}}; };', None,
         {"src/blog/a.md", "src/blog/2020/b/index.md", "src/about.md", "src/blog/index.md"}),
    ],
)  # fmt: skip
def test_eleventy_collections_from_globs_say_what_is_a_post(
    tmp_path: Path, config: str, module: str | None, posts: set[str]
) -> None:
    files = {
        ".eleventy.js": config,
        "src/blog/a.md": page("A"),
        "src/blog/2020/b/index.md": page("B"),
        "src/blog/index.md": page("Blog"),
        "src/about.md": page("About"),
    }
    write(tmp_path, {**files, "lib/posts.js": module} if module else files)
    summary = Summary()
    assert {p.path for p in scan([tmp_path], summary=summary)} == posts
    assert {s.path for s in summary.skipped} == set(files) - posts - {".eleventy.js"}


def test_eleventy_computed_permalink(tmp_path: Path) -> None:
    """``eleventyComputed.permalink`` (here from the folder's data) is the post's URL."""
    write(tmp_path, {
        ".eleventy.js": "module.exports = () => ({});\n",
        "blog/blog.11tydata.json": '{"eleventyComputed": {"permalink": "/b/{{ slug }}/"}}',
        "blog/2019/2019-04-20-tide/index.md": "---\ntitle: Tide\nslug: low-tide\n---\nWords.",
    })  # fmt: skip
    assert [p.url for p in scan([tmp_path])] == ["/b/low-tide/"]


@pytest.mark.parametrize(("nojekyll", "url"), [(False, "https://example.org/2021/04/05/hello.html"),
                                               (True, None)])  # fmt: skip
def test_github_pages_site_without_jekyll_folders(
    tmp_path: Path, nojekyll: bool, url: str | None
) -> None:
    """``_posts/`` beside a ``CNAME`` is a GitHub Pages site, built with Jekyll's defaults;
    with ``.nojekyll`` Pages does not run Jekyll: a folder of posts."""
    write(tmp_path, {"CNAME": "example.org\n", "_posts/2020-01-02-hello.md": page("Hello")})
    if nojekyll:
        (tmp_path / ".nojekyll").write_text("")
    assert generator(tmp_path) == ("jekyll" if not nojekyll else None)
    if url:
        assert [p.url for p in scan([tmp_path])] == [url]


@pytest.mark.parametrize("given", ["source", "source/_posts"])
def test_source_folder_given_alone_is_read_as_its_sites(tmp_path: Path, given: str) -> None:
    """An Octopress ``source/`` (``_posts`` beside ``_layouts``) or a Hexo ``source/`` (with
    its CNAME) looks like a Jekyll site of its own: the configured site above it wins."""
    write(tmp_path / "octo", {
        "_config.yml": "url: https://example.org\nsource: source\npermalink: /blog/:title/\n",
        "source/_layouts/post.html": "{{ content }}",
        "source/_posts/2020-01-02-lisbon.md": "---\ntitle: Lisbon\n---\nTrams.",
    })  # fmt: skip
    write(tmp_path / "hexo", {
        "_config.yml": HEXO_CONFIG,
        "source/CNAME": "example.org",
        "source/_posts/lisbon.md": page("Lisbon"),
    })  # fmt: skip
    octo = [p.url for p in scan([tmp_path / "octo" / given])]
    hexo = [p.url for p in scan([tmp_path / "hexo" / given])]
    assert (octo, hexo) == (
        ["https://example.org/blog/lisbon/"],
        ["https://example.org/blog/2021/04/05/lisbon/"],
    )
