"""Plain hits (nothing to mark) made from the SHOWN column are the hits the stored record
makes, for both audiences (an oracle test: the column bypasses Whoosh's stored fields)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import CONTENT, build_index

from searcher.indexing import ondisk, openings, records
from searcher.indexing._whoosh.bytecolumn import ByteColumn
from searcher.indexing._whoosh.stored import StoredFields
from searcher.indexing.records import read as read_record
from searcher.models import Center
from searcher.search import hits as hits_module
from searcher.search.geosearch import GeoIndex
from searcher.search.hits import Hits
from searcher.search.query import make_hit
from searcher.search.visibility import Visibility

CENTER = Center(43.48, 3.68)  # near chamerling's private places


def from_record(searcher: Any, visibility: Visibility, docnum: int, distance: Any) -> Any:
    """The hit as it was made before the SHOWN column: from the stored record."""
    post = read_record(StoredFields(searcher)(docnum))
    html = openings.opening(post.text[: hits_module.SNIPPET_SOURCE_CHARS])
    return make_hit(post, score=1.0, snippet_html=html, visibility=visibility,
                    distance_km=distance, near=(CENTER.lat, CENTER.lon))  # fmt: skip


def every_plain_hit(index_dir: Path, audience: str, check: bool = True) -> list[Any]:
    visibility = Visibility.for_audience(audience)
    with ondisk.open_existing(index_dir).searcher() as searcher:
        geo = GeoIndex(searcher.reader(), include_private=visibility.private_places)
        made = Hits(searcher, visibility, geo)
        found = []
        for docnum in range(searcher.doc_count_all()):
            hit = made.hit(docnum, 1.0, None, CENTER)
            if check:
                assert hit == from_record(searcher, visibility, docnum, hit.distance_km)
            found.append(hit)
    return found


@pytest.mark.parametrize("audience", ["owner", "public"])
def test_plain_hits_are_the_records_hits(content_index: Path, audience: str) -> None:
    assert len(every_plain_hit(content_index, audience)) > 10


@pytest.mark.corpora
@pytest.mark.parametrize("audience", ["owner", "public"])
def test_private_places_for_the_owner_only(
    chamerling_index: Path, audience: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if audience == "public":  # the column of private places is never read for the public
        monkeypatch.setattr(records, "read_shown_private", None)
    else:  # nor the records of the posts with private places, for the owner
        monkeypatch.setattr(records, "read", None)
    found = every_plain_hit(chamerling_index, audience)
    private = [place for hit in found for place in hit.locations if not place.public]
    assert len(private) >= 87 if audience == "owner" else private == []


def test_posts_without_a_shown_value_show_the_same(
    content_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "shown", lambda post, places: b"")
    older = build_index([CONTENT], tmp_path / "ix")
    monkeypatch.undo()
    with ondisk.open_existing(older).searcher() as searcher:
        shown = ByteColumn(searcher.reader(), records.SHOWN)
        assert not any(shown(d) for d in range(searcher.doc_count_all()))
    for audience in ("owner", "public"):
        assert every_plain_hit(older, audience) == every_plain_hit(content_index, audience, False)
