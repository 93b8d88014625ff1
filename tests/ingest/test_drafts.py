"""The draft rule (ingest/drafts.py): every generator's way of keeping a post off the site
makes it a draft, left out without ``--drafts`` and indexed as one with it."""

from __future__ import annotations

from pathlib import Path

import pytest

from searcher.ingest import drafts
from searcher.ingest import reader as ingest
from searcher.models import Post, Summary

WORDS = "some words"
JEKYLL = {"_config.yml": "title: Blog\n"}
HUGO = {"hugo.toml": "title = 'Blog'\n"}
ZOLA = {"config.toml": "base_url = 'https://example.org'\n"}
ELEVENTY = {"eleventy.config.js": "module.exports = () => ({});\n"}


def _yaml(front: str) -> str:
    return f"---\ntitle: A post\n{front}---\n{WORDS}\n"


def _toml(front: str) -> str:
    return f"+++\ntitle = 'A post'\n{front}+++\n{WORDS}\n"


def _wxr(status: str, extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>A post</title>'
        f"<content:encoded><![CDATA[{WORDS}]]></content:encoded><wp:post_id>1</wp:post_id>"
        f"<wp:post_name>a-post</wp:post_name><wp:status>{status}</wp:status>"
        f"<wp:post_type>post</wp:post_type>{extra}</item></channel></rss>"
    )


# (site files, the post's path, its text, a draft?) for each generator's ways
WAYS = [
    (JEKYLL, "_drafts/a-post.md", _yaml(""), True),
    (JEKYLL, "_posts/2020-01-02-a-post.md", _yaml("published: false\n"), True),
    (JEKYLL, "_posts/2020-01-02-a-post.md", _yaml("draft: true\n"), True),
    (JEKYLL, "_posts/2020-01-02-a-post.md", _yaml("published: true\n"), False),
    (HUGO, "content/posts/a-post.md", _yaml("draft: true\n"), True),
    (HUGO, "content/posts/a-post.md", _toml("draft = true\n"), True),
    (HUGO, "content/posts/a-post.md", _toml("draft = false\n"), False),
    (HUGO, "content/posts/a-post/index.md", _toml("headless = true\n"), True),
    (HUGO, "content/posts/a-post/index.md", _yaml("headless: 1\n"), True),  # as draft: 1 is
    (HUGO, "content/posts/a-post.md", _yaml("draft: 1\n"), True),
    (HUGO, "content/posts/a-post.md", _yaml("build:\n  render: never\n"), True),
    (HUGO, "content/posts/a-post.md", _yaml("build:\n  list: never\n"), True),  # unlisted
    (HUGO, "content/posts/a-post.md", _toml("[_build]\nlist = false\n"), True),
    (HUGO, "content/posts/a-post.md", _yaml("build:\n  list: local\n"), False),
    (HUGO, "content/posts/a-post.md", _yaml("expiryDate: 2001-02-03\n"), True),  # expired
    (HUGO, "content/posts/a-post.md", _toml("unpublishdate = 2001-02-03T04:05:06Z\n"), True),
    (HUGO, "content/posts/a-post.md", _yaml("expiryDate: 2999-02-03\n"), False),
    (ZOLA, "content/a-post.md", _toml("expirydate = 2001-02-03\n"), False),  # Hugo's only
    (ZOLA, "content/a-post.md", _toml("draft = true\n"), True),
    (ZOLA, "content/a-post.md", _toml(""), False),
    (ZOLA, "content/a-post.md", _toml("render = false\n"), True),  # Zola 0.19: never rendered
    (ZOLA, "content/a-post.md", _toml("render = true\n"), False),
    (ELEVENTY, "posts/a-post.md", _yaml("draft: true\n"), True),
    (ELEVENTY, "posts/a-post.md", _yaml("permalink: false\n"), True),
    (ELEVENTY, "posts/a-post.md", _yaml(""), False),
    ({}, "a-post.md", _yaml("draft: yes\n"), True),  # no site: front matter alone
    ({}, "a-post.md", _yaml("status: pending\n"), True),  # a WordPress importer's status
    ({}, "a-post.md", _yaml("status: publish\n"), False),
    ({}, "a-post.xml", _wxr("publish"), False),
    ({}, "a-post.xml", _wxr("draft"), True),
    ({}, "a-post.xml", _wxr("pending"), True),
    ({}, "a-post.xml", _wxr("private"), True),
    ({}, "a-post.xml", _wxr("future"), True),  # scheduled: not on the blog yet
    ({}, "a-post.xml", _wxr("publish", "<wp:post_password>pw</wp:post_password>"), True),
]


@pytest.mark.parametrize(("site", "rel", "text", "draft"), WAYS)
def test_every_generators_drafts_are_left_out_unless_asked_for(
    tmp_path: Path, site: dict[str, str], rel: str, text: str, draft: bool
) -> None:
    for name, content in {**site, rel: text}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    source = tmp_path / rel if rel.endswith(".xml") else tmp_path
    summary = Summary()
    without = list(ingest.scan([source], summary=summary))
    walked = not rel.startswith(drafts.FOLDER)  # without --drafts, _drafts/ is not walked
    assert (len(without), summary.drafts_excluded) == ((0, int(walked)) if draft else (1, 0))
    with_drafts = list(ingest.scan([source], drafts=True))
    assert [post.draft for post in with_drafts] == [draft]
    assert with_drafts[0].title == "A post" and WORDS in with_drafts[0].text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, False),
        ({"draft": True}, True),
        ({"draft": "true"}, True),
        ({"draft": False}, False),
        ({"published": False}, True),
        ({"published": "false"}, True),
        ({"published": True}, False),
        ({"status": "publish"}, False),
        ({"status": "draft"}, True),
        ({"status": "private"}, True),
        ({"status": "future"}, True),
        ({"status": "auto-draft"}, True),
        ({"status": "Unpublished"}, True),
        # a status that is no publishing state describes a published post: never dropped
        ({"status": "ongoing"}, False),
        ({"status": "seedling"}, False),
        ({"status": "evergreen"}, False),
        ({"status": "completed"}, False),
    ],
)
def test_is_draft(data: dict[str, object], expected: bool) -> None:
    """(Moved from test_fields with the rule.)"""
    assert (drafts.front_matter_reason(data) is not None) is expected


@pytest.mark.parametrize(
    ("rel", "data", "reason"),
    [
        ("_drafts/a.md", {}, "in a _drafts/ folder"),
        ("blog/_drafts/a.md", {"draft": False}, "in a _drafts/ folder"),
        ("_drafts.md", {}, None),  # a file so named is no folder of drafts
        ("a.md", {"draft": "on"}, "draft: true"),
        ("a.md", {"published": "no"}, "published: false"),
        ("a.md", {"status": " Future "}, "status: Future"),
    ],
)
def test_the_reason_a_post_is_a_draft(rel: str, data: dict[str, object], reason: str) -> None:
    assert drafts.reason(rel, data) == reason


@pytest.mark.parametrize(("draft", "asked", "out"), [(True, False, True), (True, True, False),
                                                     (False, False, False)])  # fmt: skip
def test_a_run_leaves_out_drafts_only_without_drafts(draft: bool, asked: bool, out: bool) -> None:
    assert drafts.excluded(Post("a.md", "A", None, draft=draft), drafts=asked) is out


def test_drafts_folder_is_walked_only_with_drafts() -> None:
    assert drafts.skipped_folders(ingest.SKIP_DIRS, drafts=False) == ingest.SKIP_DIRS
    assert drafts.skipped_folders(ingest.SKIP_DIRS, drafts=True) == ingest.SKIP_DIRS - {
        drafts.FOLDER
    }


@pytest.mark.parametrize(
    ("given", "published", "with_drafts"),
    [
        ("_drafts/d.md", set(), {"d.md": True}),
        ("site/_drafts/more/d.md", set(), {"d.md": True}),
        ("_drafts", {"blog/_posts/p.md"}, {"d.md": True, "blog/_posts/p.md": False}),
    ],
)
def test_a_draft_given_alone_is_still_a_draft(
    tmp_path: Path, given: str, published: set[str], with_drafts: dict[str, bool]
) -> None:
    """A file or folder of drafts named on the command line: its path relative to itself
    shows no _drafts/, but it is one (as `inspect` says); a _posts/ inside a folder named
    _drafts holds posts. The reader and the indexer agree."""
    from searcher.indexing import indexer

    for rel in ("_drafts/d.md", "site/_drafts/more/d.md", "_drafts/blog/_posts/p.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(_yaml(""))
    source = tmp_path / given
    assert {p.path for p in ingest.scan([source])} == published
    assert {p.path: p.draft for p in ingest.scan([source], drafts=True)} == with_drafts
    report = indexer.build([source], tmp_path / "ix", indexer.BuildOptions())
    assert (report.indexed, report.summary.drafts_excluded) == (len(published), 1)
