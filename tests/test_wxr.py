from __future__ import annotations

import datetime as dt

from conftest import FIXTURES

from searcher import ingest
from searcher.models import Location


def test_export_posts_with_geodata_and_taxonomies() -> None:
    summary = ingest.Summary()
    posts = list(ingest.scan([FIXTURES / "export.xml"], summary=summary))
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
    posts = list(ingest.scan([FIXTURES / "export.xml"], drafts=True))
    draft = posts[1]
    assert (draft.path, draft.draft, draft.date) == ("export.xml/13", True, None)


def test_entity_bomb_is_refused_not_expanded() -> None:
    summary = ingest.Summary()
    assert list(ingest.scan([FIXTURES / "bomb.xml"], summary=summary)) == []
    assert [s.reason for s in summary.skipped] == ["refused unsafe XML (EntitiesForbidden)"]


def test_external_entity_is_refused() -> None:
    summary = ingest.Summary()
    assert list(ingest.scan([FIXTURES / "external-entity.xml"], summary=summary)) == []
    assert summary.skipped[0].reason.startswith("refused unsafe XML")


def test_not_xml_is_a_reported_skip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "broken.xml"
    bad.write_text("<rss><channel><item>")
    summary = ingest.Summary()
    assert list(ingest.scan([bad], summary=summary)) == []
    assert summary.skipped[0].reason.startswith("not a readable WordPress export")
