from __future__ import annotations

import datetime as dt

from conftest import FIXTURES

from searcher.ingest.reader import scan
from searcher.models import Location, Summary


def test_export_posts_with_geodata_and_taxonomies() -> None:
    summary = Summary()
    posts = list(scan([FIXTURES / "export.xml"], summary=summary))
    assert [p.path for p in posts] == ["export.xml/sunset-harbour"]
    post = posts[0]
    assert post.title == "Sunset over the harbour"
    assert post.date == dt.datetime(2012, 6, 21, 19, 30, tzinfo=dt.UTC)
    assert post.url == "https://blog.example.org/2012/06/21/sunset-harbour/"
    assert post.tags == ("boats", "sea") and post.categories == ("Travel",)
    assert post.location == Location(
        43.40165, 3.69702, False, "Quai de la Marine, Sète", source="front-matter"
    )
    assert "Fishing boats" in post.text and "Boats" in post.text and "dusk" in post.text
    assert "Excerpt" not in post.text and "[caption" not in post.text
    assert summary.drafts_excluded == 1


def test_drafts_included_on_request() -> None:
    posts = list(scan([FIXTURES / "export.xml"], drafts=True))
    draft = posts[1]
    assert (draft.path, draft.draft, draft.date) == ("export.xml/13", True, None)


def test_entity_bomb_is_refused_not_expanded() -> None:
    summary = Summary()
    assert list(scan([FIXTURES / "bomb.xml"], summary=summary)) == []
    assert [s.reason for s in summary.skipped] == ["refused unsafe XML (EntitiesForbidden)"]


def test_external_entity_is_refused() -> None:
    summary = Summary()
    assert list(scan([FIXTURES / "external-entity.xml"], summary=summary)) == []
    assert summary.skipped[0].reason.startswith("refused unsafe XML")


def test_not_xml_is_a_reported_skip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "broken.xml"
    bad.write_text("<rss><channel><item>")
    summary = Summary()
    assert list(scan([bad], summary=summary)) == []
    assert summary.skipped[0].reason.startswith("not a readable WordPress export")


def _export(items: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel>' + items + "</channel></rss>"
    )


def _item(post_id: int, name: str, status: str, kind: str, extra: str = "") -> str:
    return (
        f"<item><title>{name}</title><content:encoded><![CDATA[Words of {name}.]]>"
        f"</content:encoded><wp:post_id>{post_id}</wp:post_id><wp:post_name>{name}"
        f"</wp:post_name><wp:status>{status}</wp:status><wp:post_type>{kind}</wp:post_type>"
        f"{extra}</item>"
    )


def test_only_what_the_blog_shows_everyone_is_public(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A password-protected post is not public on the blog: it was indexed and served to the
    public audience. Trashed items are deleted, drafts or not; items of other types than
    posts and pages are named, except WordPress's own (attachments, revisions, menus)."""
    export = tmp_path / "blog.xml"
    export.write_text(_export(
        _item(1, "open", "publish", "post")
        + _item(2, "locked", "publish", "post", "<wp:post_password>pw</wp:post_password>")
        + _item(3, "binned", "trash", "post")
        + _item(4, "later", "future", "post")
        + _item(5, "photo", "inherit", "attachment")
        + _item(6, "open-revision-v1", "inherit", "revision")
        + _item(7, "menu", "publish", "nav_menu_item")
        + _item(8, "soup", "publish", "recipe")
    ))  # fmt: skip
    summary = Summary()
    assert [p.path for p in scan([export], summary=summary)] == ["blog.xml/open"]
    assert summary.drafts_excluded == 2
    assert [(s.path, s.reason) for s in summary.skipped] == [
        ("blog.xml/binned", "in the WordPress trash"),
        ("blog.xml/soup", "a WordPress 'recipe' item: only posts and pages are read"),
    ]
    with_drafts = {p.path: p.draft for p in scan([export], drafts=True)}
    assert with_drafts == {"blog.xml/open": False, "blog.xml/locked": True, "blog.xml/later": True}


def test_a_title_written_in_html_is_its_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """WordPress prints a title as HTML: its tags are markup, not words of the title (the
    theme unit test data's 'Markup: Title <em>With</em> <b>Mark<sup>up</sup></b>')."""
    titles = {
        "markup": "Markup: &lt;em&gt;Lit&lt;/em&gt; <![CDATA[<b>Mark<sup>up</sup></b>]]>",
        "signs": "<![CDATA[a < b and c > d]]>",
    }
    export = tmp_path / "blog.xml"
    export.write_text(_export("".join(
        _item(i, name, "publish", "post").replace(f"<title>{name}</title>", f"<title>{t}</title>")
        for i, (name, t) in enumerate(titles.items(), start=1)
    )))  # fmt: skip
    found = {p.path: p.title for p in scan([export])}
    assert found == {"blog.xml/markup": "Markup: Lit Markup", "blog.xml/signs": "a < b and c > d"}


def _dated(local: str, gmt: str) -> str:
    return f"<wp:post_date>{local}</wp:post_date><wp:post_date_gmt>{gmt}</wp:post_date_gmt>"


def test_dates_are_the_blogs_own_day_at_the_same_moment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """WordPress writes each post's date twice: on the blog's clock and in UTC. A New York
    post of 10 January at 23:30 is 11 January in UTC; its URL and its readers say the 10th."""
    export = tmp_path / "blog.xml"
    export.write_text(_export(
        _item(1, "evening", "publish", "post", _dated("2013-01-10 23:30:00", "2013-01-11 04:30:00"))
        + _item(2, "india", "publish", "post", _dated("2013-01-10 08:00:00", "2013-01-10 02:30:00"))
        + _item(3, "odd", "publish", "post", _dated("2013-01-10 08:00:00", "2013-03-10 08:00:00"))
        + _item(4, "gmt", "publish", "post", _dated("0000-00-00 00:00:00", "2013-01-10 08:00:00"))
        + _item(5, "draft", "draft", "post", _dated("2013-01-10 08:00:00", "0000-00-00 00:00:00"))
    ))  # fmt: skip
    dates = {p.path.split("/")[-1]: p.date for p in scan([export], drafts=True)}
    evening = dates["evening"]
    assert evening.date() == dt.date(2013, 1, 10)
    assert evening.utcoffset() == dt.timedelta(hours=-5)
    assert evening == dt.datetime(2013, 1, 11, 4, 30, tzinfo=dt.UTC)  # the same moment
    assert dates["india"].utcoffset() == dt.timedelta(hours=5, minutes=30)
    # two dates two months apart are no time zone: the UTC one is kept, as it says
    assert dates["odd"] == dt.datetime(2013, 3, 10, 8, tzinfo=dt.UTC)
    assert dates["gmt"] == dt.datetime(2013, 1, 10, 8, tzinfo=dt.UTC)
    assert dates["draft"] == dt.datetime(2013, 1, 10, 8)  # no UTC date: the blog's clock


def test_an_export_broken_past_repair_keeps_the_items_before_the_break(tmp_path) -> None:  # type: ignore[no-untyped-def]
    export = tmp_path / "cut.xml"
    whole = _export(_item(1, "first", "publish", "post") + _item(2, "second", "publish", "post"))
    export.write_text(whole[: whole.index("<wp:post_id>2")])  # a download cut short
    summary = Summary()
    posts = list(scan([export], summary=summary))
    assert [post.path for post in posts] == ["cut.xml/first"]
    assert summary.skipped[0].reason.startswith("not a readable WordPress export")


def test_bytes_not_utf8_in_an_export_are_read_as_windows_1252(tmp_path) -> None:  # type: ignore[no-untyped-def]
    export = tmp_path / "latin.xml"
    body = "<p>Caf\u00e9 cr\u00e8me \u2013 one line saved as Windows-1252</p>"
    item = _item(1, "cafe", "publish", "post").replace("Words of cafe.", body)
    export.write_bytes(_export(item).encode("cp1252"))
    (post,) = scan([export])
    assert post.text == "Café crème \u2013 one line saved as Windows-1252"
    assert [w.reason for w in post.warnings] == ["encoding"]


def test_a_well_formed_export_is_read_as_it_is(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # an export XML reads is read as it is: no repair, no warning (a title is HTML)
    export = tmp_path / "fine.xml"
    item = _item(1, "fine", "publish", "post").replace(
        "<title>fine</title>", "<title>A &amp;nbsp; and &#38; &lt;b&gt;</title>"
    )
    export.write_text(_export(item))
    (post,) = scan([export])
    assert post.title == "A and &" and post.warnings == ()


def test_an_xml_file_that_is_no_export_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "atom.xml"  # a site's Atom feed: no Blogger post in it
    feed.write_text(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        "<title>A post</title><content type='html'>Words</content></entry></feed>"
    )
    summary = Summary()
    assert list(scan([feed], summary=summary)) == []
    assert [s.reason for s in summary.skipped] == [
        "no post or page of a WordPress or Blogger export (its root is <feed>)"
    ]
    empty = tmp_path / "empty.xml"  # an export of a blog with nothing in it: nothing to say
    empty.write_text(_export(""))
    assert list(scan([empty], summary=(summary := Summary()))) == [] and summary.skipped == []
