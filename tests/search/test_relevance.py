"""Known answers on real archives (skipped when ../shared/corpora is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

import searcher

pytestmark = pytest.mark.corpora
HEAP = "news/_posts/2013-11-22-heap-overflow-in-floating-point-parsing-cve-2013-4164.md"


def test_design_post_is_the_top_hit_for_cloud_paris(chamerling_index: Path) -> None:
    with searcher.open_index(chamerling_index, audience="owner") as index:
        results = index.search("cloud paris")
    assert results.hits[0].path == "2011-03-01-inthe-cloud-paris.md"
    assert results.hits[0].location is not None and not results.hits[0].location.public


def test_design_post_in_public_keeps_its_text_not_its_place(chamerling_index: Path) -> None:
    with searcher.open_index(chamerling_index) as index:
        hit = index.search("cloud paris").hits[0]
        assert hit.path == "2011-03-01-inthe-cloud-paris.md" and hit.location is None
        assert index.near(43.484, 3.677).total == 0  # every located post there is private


def test_security_announcement_found_by_cve_number(ruby_index: Path) -> None:
    with searcher.open_index(ruby_index) as index:
        results = index.search("CVE-2013-4164 lang:en")
    assert results.hits[0].path == "en/" + HEAP
    assert "CVE-2013-4164" in results.hits[0].title


@pytest.mark.parametrize(
    ("folder", "text"),
    [
        ("ja", "浮動小数点数 ヒープオーバーフロー"),
        ("ru", "переполнения кучи плавающая запятая"),
        ("fr", "dépassements du tas virgules flottantes"),
    ],
)
def test_same_news_item_found_in_its_language(ruby_index: Path, folder: str, text: str) -> None:
    with searcher.open_index(ruby_index) as index:
        results = index.search(text, limit=5)
    assert results.hits[0].path == f"{folder}/{HEAP}"


@pytest.mark.parametrize("text", ["cloud", "release", "petals OR esb", "date:[2008 TO 2010]"])
def test_total_is_every_hit_you_can_page_through(chamerling_index: Path, text: str) -> None:
    """Whoosh's unoptimised collector miscounts once its heap is full: totals must be exact."""
    with searcher.open_index(chamerling_index, audience="owner") as index:
        first = index.search(text, limit=3)
        every = index.search(text, limit=1000)
        pages = [index.search(text, limit=7, page=p).hits for p in range(1, every.total // 7 + 2)]
    assert first.total == every.total == len(every.hits) > 10
    assert [h.path for page in pages for h in page] == [h.path for h in every.hits]


@pytest.mark.parametrize("text", ["ruby 2.7 released", '"denial of service"', "ruby on rails",
                                  "release", "security lang:fr", "date:2019 ruby"])  # fmt: skip
def test_totals_equal_an_independent_count(ruby_index: Path, text: str) -> None:
    """The one-pass ranking must count what docs_for_query counts, and rank the same top."""
    with searcher.open_index(ruby_index, audience="owner") as index:
        generation = index._current()
        parsed = generation.parser.parse(text).text
        assert parsed is not None
        expected = sum(1 for _ in generation.searcher.docs_for_query(parsed))
        optimised = [h.docnum for h in generation.searcher.search(parsed, limit=10)]
        paths = [generation.searcher.stored_fields(d)["path"] for d in optimised]
        results = index.search(text, limit=10)
    assert results.total == expected > 10
    assert [h.path for h in results.hits] == paths


def test_snippets_from_kept_spans_equal_fresh_ones(ruby_index: Path) -> None:
    """Where each query word occurs in a shown post is kept for later queries; what those
    queries show must not depend on which came before, in any language or query shape."""
    from searcher.search import snippets

    texts = ["release", "ruby 2.7 released", '"denial of service"', "securit*", "sécurité",
             "脆弱性", "уязвимость", "veröffentlicht", "ruby OR rails",
             "rubygems security"]  # fmt: skip
    with searcher.open_index(ruby_index, audience="owner") as index:
        generation = index._current()
        fresh = {}
        for text in texts:
            generation.hits._spans = snippets.Kept()
            fresh[text] = [(h.path, h.snippet) for h in index.search(text, limit=20).hits]
        marked = sum("<mark>" in snippet for hits in fresh.values() for _, snippet in hits)
        assert all(fresh.values()) and marked > 150
        for text in [*reversed(texts), *texts]:  # now most words' spans come from earlier queries
            assert [(h.path, h.snippet) for h in index.search(text, limit=20).hits] == fresh[text]


def test_completions_spelled_as_most_posts_write_them(ruby_index: Path) -> None:
    """Completed words come from the folded lexicon; each is shown as most of its posts
    write it: French news write "sécurité" and "vulnérabilité", while "vulnerable" is
    mostly English, though French posts write "vulnérable" too."""
    with searcher.open_index(ruby_index) as index:
        terms = {e["text"] for p in ("vulner", "sécu", "secu") for e in index.complete(p, limit=8)
                 if e["kind"] == "term"}  # fmt: skip
    assert {"vulnerable", "vulnérabilité", "sécurité", "security"} <= terms
    assert "vulnérable" not in terms and "securite" not in terms
