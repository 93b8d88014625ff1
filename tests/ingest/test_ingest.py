"""Ingest: golden files, folder walking, summaries, robustness and the shared corpora."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import CONTENT, CORPUS_NAMES, GOLDEN, corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.errors import SourceError
from searcher.ingest.reader import POST_SUFFIXES, read_file, read_text, scan
from searcher.models import Post, Skipped, Summary

GOLDEN_INPUTS = sorted(p for p in GOLDEN.iterdir() if p.is_file() and p.suffix != ".json")
GOLDEN_SITES = sorted(p for p in (GOLDEN / "sites").iterdir() if p.is_dir())


@pytest.mark.parametrize("source", GOLDEN_INPUTS, ids=lambda p: p.name)
def test_golden(source: Path) -> None:
    """Each sample input sits next to its expected record (a WordPress export: its records);
    BLOGSEARCH_UPDATE_GOLDEN=1 rewrites them."""
    actual: object
    if source.suffix == ".xml":
        actual = [post.to_dict() for post in scan([source])]
    else:
        record = read_file(source, GOLDEN)
        assert isinstance(record, Post)
        actual = record.to_dict()
    expected_file = source.with_name(source.name + ".json")
    if os.environ.get("BLOGSEARCH_UPDATE_GOLDEN") or not expected_file.exists():
        expected_file.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n")
    assert actual == json.loads(expected_file.read_text())


def site_record(record: Post | Skipped) -> dict[str, object]:
    if isinstance(record, Skipped):
        return {"path": record.path, "skipped": record.reason}
    return {"path": record.path, "url": record.url, "lang": record.lang, "draft": record.draft}


@pytest.mark.parametrize("site", GOLDEN_SITES, ids=lambda p: p.name)
def test_golden_sites(site: Path) -> None:
    """A site root next to what reading it gives: its description, each post's URL, language
    and draft flag, each other file's reason; layouts and such not listed at all."""
    summary = Summary()
    records: list[dict[str, object]] = [
        site_record(r) for r in scan([site], drafts=True, summary=summary)
    ]
    records += [{"path": s.path, "skipped": s.reason} for s in summary.skipped]
    actual = {"site": summary.sites, "files": sorted(records, key=lambda r: str(r["path"]))}
    expected_file = site.with_name(site.name + ".json")
    if os.environ.get("BLOGSEARCH_UPDATE_GOLDEN") or not expected_file.exists():
        expected_file.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n")
    assert actual == json.loads(expected_file.read_text())


@pytest.mark.parametrize(
    ("site", "content"),
    [
        ("hugo-site", "content"),
        ("jekyll-site", "_posts"),
        ("zola-site", "content"),
        ("eleventy-site", "src"),
        ("eleventy-directory-data", "content"),
        ("hugo-multilingual", "content"),  # holds the languages' own folders
        ("hugo-multilingual", "content/fr"),
        ("hugo-main-sections", "content/post"),  # a main section named alone
        ("hugo-mounts", "content/french"),  # a language's mounted folder
        ("hugo-mounts", "content"),  # holds the mounted folders
        ("jekyll-collections-dir", "pages"),
        ("jekyll-collections-dir", "pages/_posts"),
        ("jekyll-site", "news"),  # a category folder holding its own _posts
    ],
)
def test_a_sites_content_folder_alone_gives_the_same_urls(site: str, content: str) -> None:
    """Pointed at the content folder rather than the root, the site is found in the parent."""
    whole = {p.path: p.url for p in scan([GOLDEN / "sites" / site])}
    alone = {p.path: p.url for p in scan([GOLDEN / "sites" / site / content])}
    assert (
        alone and {f"{content}/{path}": url for path, url in alone.items()}.items() <= whole.items()
    )


def make_tree(root: Path, files: dict[str, bytes | str]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data)
        else:
            path.write_bytes(data)


TREE: dict[str, bytes | str] = {
    "_posts/2020-01-01-a.md": "---\ntitle: A\n---\nbody",
    "_posts/2020-01-02-b.markdown": "---\ntitle: B\n---\nbody",
    "_posts/c.mdown": "body only",
    "pages/d.html": "<h1>D</h1>",
    "pages/e.htm": "<p>E</p>",
    "bundle/index.md": '+++\ntitle = "Bundle"\n+++\nbody',
    "section/_index.md": '+++\ntitle = "Section"\n+++\n',
    "films/404.md": "---\ntitle: Film not found\n---\nGo back to the list.",
    "_posts/2020-01-03-404.md": "---\ntitle: Why 404\n---\na post about error pages",
    "_drafts/f.md": "---\ntitle: F\n---\nbody",
    "_site/2020/01/01/a.html": "<p>built</p>",
    "node_modules/x/readme.md": "nope",
    ".git/notes.md": "nope",
    ".hidden.md": "nope",
    "notes.txt": "not a post",
    "image.png": b"\x89PNG\r\n\x1a\n\x00\x00",
    "binary.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x08\x06",
    "huge.md": "x" * 2000,
}


def test_walk_finds_posts_and_skips_build_output(tmp_path: Path) -> None:
    make_tree(tmp_path, TREE)
    summary = Summary()
    posts = list(scan([tmp_path], summary=summary, max_bytes=1000))
    assert sorted(p.path for p in posts) == [
        "_posts/2020-01-01-a.md", "_posts/2020-01-02-b.markdown", "_posts/2020-01-03-404.md",
        "_posts/c.mdown", "bundle/index.md", "pages/d.html", "pages/e.htm",
    ]  # fmt: skip
    assert {s.path: s.reason for s in summary.skipped} == {
        "binary.md": "binary file",
        "huge.md": "larger than 1000 bytes",
        "section/_index.md": "section index page, not a post",
        "films/404.md": "error page (404), not a post",
    }
    assert (summary.files, summary.posts, summary.drafts_excluded) == (11, 7, 0)
    bundle = next(p for p in posts if p.path == "bundle/index.md")
    assert (bundle.title, bundle.url) == ("Bundle", "/bundle/")
    assert next(p for p in posts if p.path == "pages/d.html").title == "D"


def test_drafts_only_on_request(tmp_path: Path) -> None:
    make_tree(tmp_path, {**TREE, "_posts/2020-02-02-g.md": "---\ntitle: G\ndraft: true\n---\nx"})
    summary = Summary()
    without = {p.path for p in scan([tmp_path], summary=summary)}
    assert "_drafts/f.md" not in without and "_posts/2020-02-02-g.md" not in without
    assert summary.drafts_excluded == 1  # _drafts/ is not even walked without --drafts
    with_drafts = {p.path: p for p in scan([tmp_path], drafts=True)}
    assert with_drafts["_drafts/f.md"].draft and with_drafts["_posts/2020-02-02-g.md"].draft


def test_missing_source_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such content folder"):
        list(scan([tmp_path / "nope"]))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder whatever its mode")
def test_unreadable_folder_is_an_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        with pytest.raises(SourceError):
            list(scan([locked]))
    finally:
        locked.chmod(0o755)


def test_bundled_content() -> None:
    summary = Summary()
    posts = {p.path: p for p in scan([CONTENT], summary=summary)}
    assert 12 <= len(posts) + summary.drafts_excluded <= 20
    assert summary.skipped == [] and summary.warned_posts == 0
    assert {p.lang for p in posts.values()} >= {"en", "fr", "de", "it"}
    cloud = posts["_posts/2011-03-01-cloud-paris.md"]
    assert cloud.lang == "fr" and cloud.location is not None
    assert (cloud.location.lat, cloud.location.lon, cloud.location.public) == (
        43.484082,
        3.67669,
        False,
    )
    assert all(p.date is not None for p in posts.values())


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=600), name=st.sampled_from(["x.md", "2011-03-01-x.html", "i.mdown"]))
def test_any_bytes_give_a_record_or_a_skip(tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    record = read_file(path, tmp_path)
    assert isinstance(record, Post | Skipped)


FRONT_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=10,
)
KEYS = st.sampled_from(
    ["title", "date", "tags", "categories", "lang", "draft", "status", "published", "permalink",
     "geo", "location", "lat", "lng", "geo_latitude", "geo_longitude", "geo_public", "meta",
     "coordinates", "taxonomies", "path", "url"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)  # a loaded machine took 413 ms for one
@given(st.dictionaries(KEYS, FRONT_VALUES, max_size=8), st.text(max_size=200))
def test_any_front_matter_gives_a_record(data: dict[str, object], body: str) -> None:
    content = "---\n" + json.dumps(data, default=str) + "\n---\n" + body
    post = read_text(content, "_posts/2011-03-01-x.md")
    assert post.title and isinstance(post.text, str)
    json.dumps(post.to_dict())


# --- the shared corpora -----------------------------------------------------------------

_LAT = re.compile(r"^\s*(?:geo_latitude|latitude|lat):\s*['\"]?(-?\d+(?:\.\d+)?)['\"]?\s*$", re.M)
_LON = re.compile(
    r"^\s*(?:geo_longitude|longitude|lng|lon):\s*['\"]?(-?\d+(?:\.\d+)?)['\"]?\s*$", re.M
)
_GEO = re.compile(r"^\s*geo:\s*\[\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\]", re.M)
_PRIVATE = re.compile(r"^\s*geo_public:\s*['\"]?0['\"]?\s*$", re.M)


def independent_location_count(root: Path) -> tuple[int, int]:
    """Located and private posts counted straight from the raw front matter, not by ingest."""
    located = private = 0
    for path in root.rglob("*.md"):
        raw = path.read_text(encoding="utf-8", errors="replace")
        if not raw.startswith(("---", "+++")) or path.name in ("_index.md", "README.md"):
            continue
        head = raw[3 : raw.find(raw[:3], 3)]
        if re.search(r"^(draft:\s*true|published:\s*false)\s*$", head, re.M):
            continue
        pairs = [(float(a), float(b)) for a, b in _GEO.findall(head)]
        lats, lons = _LAT.findall(head), _LON.findall(head)
        if lats and lons:
            pairs.append((float(lats[0]), float(lons[0])))
        if any(abs(a) <= 90 and abs(b) <= 180 and (a, b) != (0, 0) for a, b in pairs):
            located += 1
            private += bool(_PRIVATE.search(head))
    return located, private


@pytest.mark.corpora
@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_corpus_every_file_accounted_for(name: str) -> None:
    root = corpus(name)
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in POST_SUFFIXES)
    summary = Summary()
    posts = list(scan([root], summary=summary, drafts=True))
    assert summary.files == len(files)
    assert len(posts) + len(summary.skipped) == len(files)
    assert len({p.path for p in posts}) == len(posts)
    written = [p for p in posts if not p.draft and any(
        place.has_point and place.source != "geocoded" for place in p.locations)]  # fmt: skip
    located = [p for p in written if p.located]
    expected_located, expected_private = independent_location_count(root)
    assert len(located) == expected_located
    assert sum(1 for p in located if p.location and not p.location.public) == expected_private
    for post in posts:
        assert post.title.strip()
        assert "\xa0" not in post.text and "&nbsp;" not in post.text
        if "{%" in post.text:  # only what a raw block shows readers as written
            assert re.search(r"\{%-?\s*raw\b", (root / post.path).read_text()), post.path
    undated = [p.path for p in posts if p.date is None]
    assert [p for p in undated if has_date_evidence(root / p)] == []


def has_date_evidence(path: Path) -> bool:
    """A date key in the front matter or a date in the path: then ingest must find a date."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    head = raw[3 : raw.find(raw[:3], 3)] if raw.startswith(("---", "+++")) else ""
    dated_path = re.search(r"\d{4}[-/]\d{2}[-/]\d{2}", path.as_posix() + head)
    return bool(re.search(r"^date\s*[:=]", head, re.M) or dated_path)


@pytest.mark.corpora
def test_chamerling_locations_are_all_private() -> None:
    posts = list(scan([corpus("chamerling")]))
    located = [p for p in posts if p.located]
    assert len(located) == 87
    assert all(p.location is not None and not p.location.public for p in located)
    seed = next(p for p in posts if p.path == "2011-03-01-inthe-cloud-paris.md")
    assert seed.title == "InThe Cloud - Paris" and seed.lang == "fr"
    assert seed.location is not None
    assert (seed.location.lat, seed.location.lon) == (43.484082, 3.67669)
    assert seed.location.address == "Chemin de Cresse, 34560 Poussan"
    assert str(seed.date)[:10] == "2011-03-01" and "Cloud Computing" in seed.text


@pytest.mark.corpora
def test_evert_locations() -> None:
    posts = list(scan([corpus("evert")], drafts=True))
    written = [p for p in posts if p.location and p.location.source == "front-matter"]
    geocoded = {p.location.address: p.location.geocoded for p in posts
                if p.location and p.location.source == "geocoded"}  # fmt: skip
    assert len(written) == 450 and all(p.located for p in written)
    # the two posts that name a place without coordinates get it from the gazetteer
    assert geocoded == {"Groningen, NL": "Groningen, NL", "Nijega, NL": "Netherlands (country)"}
    assert sum(p.draft for p in posts) == 2


@pytest.mark.corpora
def test_ruby_lang_languages() -> None:
    posts = list(scan([corpus("ruby-lang")]))
    by_folder: dict[str, int] = {}
    for post in posts:
        folder = post.path.split("/")[0]
        declared = folder.split("_")[0]
        by_folder[folder] = by_folder.get(folder, 0) + (post.lang == declared)
    # the declared language holds for the great majority of each folder
    totals = {f: sum(1 for p in posts if p.path.startswith(f + "/")) for f in by_folder}
    for folder, agree in by_folder.items():
        assert agree / totals[folder] > 0.8, folder


@pytest.mark.parametrize(
    ("date", "rel", "expected"),
    [
        ("2011", "_posts/2011-03-04-a.md", "2011-03-04T00:00:00"),  # the file name is finer
        ("2011-03", "_posts/2011-03-04-a.md", "2011-03-04T00:00:00"),
        ("2011", "_posts/2012-03-04-a.md", "2011-01-01T00:00:00"),  # they disagree: as written
        ("2011", "posts/a.md", "2011-01-01T00:00:00"),
    ],
)
def test_a_year_alone_is_a_date_and_the_file_name_refines_it(
    date: str, rel: str, expected: str
) -> None:
    """``date: 2011`` (an integer to YAML) was read as 2,011 seconds after 1970."""
    for written in (date, f"'{date}'"):
        post = read_text(f"---\ntitle: T\ndate: {written}\n---\nWords.", rel)
        assert post.to_dict()["date"] == expected and post.warnings == ()


@pytest.mark.parametrize(
    "key", ["publishDate", "pubDate", "published", "datePublished", "published_at", "created_at"]
)
def test_a_date_under_another_generators_key_is_the_posts_date(key: str) -> None:
    post = read_text(f"---\ntitle: T\n{key}: 2019-01-03\n---\nWords.", "posts/a.md")
    assert post.to_dict()["date"] == "2019-01-03T00:00:00"


@pytest.mark.parametrize("key", ["lastmod", "modified", "last_modified_at", "updated"])
def test_a_post_dated_only_by_its_last_change_is_dated_so(key: str) -> None:
    """Hugo dates a page without a date by its ``lastmod``; no date found nothing by date."""
    post = read_text(f"---\ntitle: T\n{key}: 2021-06-07\n---\nWords.", "posts/a.md")
    assert post.to_dict()["date"] == "2021-06-07T00:00:00"
    both = f"---\ntitle: T\ndate: 2019-01-03\n{key}: 2021-06-07\n---\nWords."
    assert read_text(both, "posts/a.md").to_dict()["date"] == "2019-01-03T00:00:00"
    named = read_text(f"---\ntitle: T\n{key}: 2021-06-07\n---\nWords.", "_posts/2018-05-15-a.md")
    assert named.to_dict()["date"] == "2018-05-15T00:00:00"


def test_the_file_names_date_comes_before_another_generators_key() -> None:
    """Jekyll dates a post by its name, whatever ``published`` says."""
    post = read_text("---\ntitle: T\npublished: 14.05.2018\n---\nWords.", "_posts/2018-05-15-a.md")
    assert post.to_dict()["date"] == "2018-05-15T00:00:00"


def test_published_yes_or_no_is_not_a_date() -> None:
    """Jekyll's ``published: false`` hides a post; its date stays the file name's."""
    for flag in ("true", "false"):
        post = read_text(f"---\ntitle: T\npublished: {flag}\n---\nWords.", "_posts/2018-02-02-a.md")
        assert post.to_dict()["date"] == "2018-02-02T00:00:00" and post.warnings == ()
        assert post.draft is (flag == "false")


@pytest.mark.parametrize(
    ("name", "title"),
    [("2016-05-20-welcome-to-jekyll.md", "Welcome To Jekyll"),  # Jekyll's titleize_slug
     ("2016-05-20-iOS-tips.md", "Ios Tips"),  # as Ruby's capitalize writes it
     ("notes-on_travel.md", "notes on travel")],  # no Jekyll name: its words as written
)  # fmt: skip
def test_a_post_without_a_title_is_named_as_its_generator_names_it(
    tmp_path: Path, name: str, title: str
) -> None:
    (tmp_path / name).write_text("---\nlayout: post\n---\nSome words.\n")
    record = read_file(tmp_path / name, tmp_path)
    assert isinstance(record, Post) and record.title == title
