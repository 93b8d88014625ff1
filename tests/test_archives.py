"""The second wave of shared archives, end to end: site roots, free-text places, shortcode
prose, one-item-list coordinates, entity titles and a WordPress.com export."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS_NAMES, build_index, corpus

import searcher
from searcher.ingest import reader, sites
from searcher.models import Post, Summary

pytestmark = pytest.mark.corpora


Scanned = tuple[list[Post], Summary]


def scan(name: str, *parts: str) -> Scanned:
    summary = Summary()
    return list(reader.scan([corpus(name).joinpath(*parts)], summary=summary)), summary


@pytest.fixture(scope="module")
def bergie_posts() -> Scanned:
    return scan("bergie")


@pytest.fixture(scope="module")
def bergie(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """bergie's site root with its layouts and includes, and one post in four plus every post
    that names Berlin (a whole build takes half a minute on two cores)."""
    root = corpus("bergie")
    site = tmp_path_factory.mktemp("bergie") / "bergie"
    for folder in ("_layouts", "_includes"):
        shutil.copytree(root / folder, site / folder)
    shutil.copy(root / "_config.yml", site / "_config.yml")
    (site / "_posts").mkdir()
    for i, path in enumerate(sorted((root / "_posts").iterdir())):
        if i % 4 == 0 or re.search(r"^\s*location: .*Berlin", path.read_text(), re.M):
            shutil.copy(path, site / "_posts" / path.name)
    index_dir = build_index([site], tmp_path_factory.mktemp("bergie-index"))
    with searcher.open_index(index_dir, audience="owner") as index:
        yield index


def test_bergie_indexes_only_its_posts_at_the_sites_urls(bergie_posts: Scanned) -> None:
    posts, summary = bergie_posts
    dated = {p.name for p in corpus("bergie").joinpath("_posts").iterdir() if p.is_file()}
    assert {Path(p.path).name for p in posts} <= dated
    assert len(posts) + summary.drafts_excluded == len(dated)  # every post, nothing else
    now = "in collection 'now', which has output: false (never published)"
    assert summary.skipped_by_reason()[now] == len(list(corpus("bergie").glob("_now/*")))
    urls = {p.url for p in posts}
    assert all(re.fullmatch(r"https://bergie\.iki\.fi/blog/[^/]+/", url) for url in urls)
    # the site's own links between posts: nearly all lead to a post's URL as computed
    links = set()
    for path in corpus("bergie").joinpath("_posts").iterdir():
        links.update(re.findall(r"https?://bergie\.iki\.fi(/blog/[\w.%-]+/)", path.read_text()))
    known = {url.removeprefix("https://bergie.iki.fi") for url in urls}
    assert len(links) > 20 and len(links & known) / len(links) > 0.9


def test_bergie_short_posts_take_the_sites_language(bergie_posts: Scanned) -> None:
    posts, _ = bergie_posts
    langs = Counter(p.lang for p in posts)
    assert langs["en"] / len(posts) > 0.99 and None not in langs and "la" not in langs


def test_bergie_free_text_places_are_geocoded(bergie_posts: Scanned, bergie: Any) -> None:
    posts, summary = bergie_posts
    named = [p for p in posts if p.location is not None]
    assert summary.located == summary.located_by["geocoded"] > 100
    assert sum(p.located for p in named) / len(named) > 0.95
    berlin = {p.path for p in posts
              if p.location and (p.location.address or "").startswith("Berlin")}  # fmt: skip
    found = bergie.search(None, near="Berlin", radius_km=30, limit=1000)
    assert {hit.path for hit in found.hits} == berlin and len(berlin) > 50  # all were copied
    assert all(hit.location and hit.location.geocoded == "Berlin, DE" for hit in found.hits)


def test_bergie_search_finds_posts_not_templates(bergie: Any) -> None:
    results = bergie.search("analytics", limit=50)
    assert results.hits and not any("_includes" in h.path or "_layouts" in h.path
                                    for h in results.hits)  # fmt: skip


def test_kaigai_matome_keeps_its_shortcode_prose() -> None:
    posts, summary = scan("kaigai-matome", "posts", "2025_03")
    assert len(posts) > 100 and summary.warnings["little-text"] == 0
    sizes = sorted(len(p.text) for p in posts)
    assert sizes[len(sizes) // 10] > 2000  # nine posts in ten keep over 2,000 characters
    assert Counter(p.lang for p in posts)["ja"] / len(posts) > 0.95


def test_kaigai_matome_quotes_are_searchable(tmp_path: Path) -> None:
    """Words written only inside {{<matomeQuote body="…">}} are found (ten posts: a build of
    these long Japanese posts costs about a second each)."""
    source = corpus("kaigai-matome") / "posts" / "2025_03"
    words = {}
    for path in sorted(source.rglob("index.md")):
        word = _a_word_only_in_quotes(path.read_text(encoding="utf-8"))
        if word:
            shutil.copytree(path.parent, tmp_path / "posts" / path.parent.name)
            words[word] = path.parent.name
        if len(words) == 10:
            break
    assert len(words) == 10
    with searcher.open_index(build_index([tmp_path / "posts"], tmp_path / "index")) as index:
        for word, folder in words.items():
            assert folder in {hit.path.split("/")[0] for hit in index.search(word).hits}, word


def _a_word_only_in_quotes(text: str) -> str | None:
    """A Latin-script word that a post writes only inside a shortcode's body= parameter."""
    outside = re.sub(r"\{\{<.*?>\}\}", " ", text, flags=re.S)
    for word in re.findall(r'body="[^"]*?\b([A-Za-z]{6,})\b', text):
        if word.lower() not in outside.lower():
            return word
    return None


def test_chrisjrob_site_indexes_its_posts_at_their_dated_urls() -> None:
    posts, summary = scan("chrisjrob-site")
    dated = [p for p in corpus("chrisjrob-site").joinpath("_posts").iterdir() if p.is_file()]
    assert len(posts) == len(dated) and not any(p.path.startswith(("tag/", "category/"))
                                                for p in posts)  # fmt: skip
    assert summary.skipped_by_reason()["a page of the Jekyll site, not a post"] >= 240
    for post in posts:  # Jekyll dates the URL by the front matter's date, if there is one
        slug = re.sub(r"^_posts/\d{4}-\d{2}-\d{2}-|\.\w+$", "", post.path)
        assert post.date and post.url == f"https://chrisjrob.com/{post.date:%Y/%m/%d}/{slug}/"


def test_chrisjrob_wxr_post_formats_are_not_categories() -> None:
    posts, _ = scan("chrisjrob-wxr", "wordpress.xml")
    categories = Counter(c for p in posts for c in p.categories)
    assert not {"Image", "Link", "Quote", "Aside", "Gallery"} & set(categories)
    located = [p for p in posts if p.located]
    assert len(located) == 1 and located[0].location and located[0].location.source


def test_tinkerthon_one_item_lists_and_entity_titles() -> None:
    posts, summary = scan("tinkerthon")
    assert len(posts) == 100 and summary.warnings["bad-coordinates"] == 0
    relaunch = next(p for p in posts if p.path.endswith("relaunch-der-website.md"))
    assert relaunch.location and (relaunch.location.lat, relaunch.location.lon) == (
        50.741671, 7.090104,
    )  # fmt: skip
    assert relaunch.url == "https://tinkerthon.de/2010/10/relaunch-der-website/"
    assert not any("&#" in p.title or "&amp;" in p.title for p in posts)
    assert any("\u201c" in p.title or "\u2013" in p.title for p in posts)


@pytest.mark.parametrize("name", [*CORPUS_NAMES, "kaigai-matome"])
def test_archives_without_a_site_configuration_read_as_before(name: str) -> None:
    """No configuration file, no site: paths, URLs and skips are the generic ones."""
    root = corpus(name)
    assert sites.for_source(root) is None
    assert all(sites.for_source(folder) is None for folder in root.iterdir() if folder.is_dir())
