"""The array scorer against Whoosh's own matchers: same documents, same scores, same order."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import CONTENT, build_index
from whoosh import query
from whoosh.reading import TermNotFound

from searcher.api import open_index
from searcher.indexing._whoosh import segreader
from searcher.search import fastscore, ranking

CONTENT_QUERIES = [
    "cloud paris",
    "velo",
    "conférences",
    "interoperabilite",
    "l'interopérabilité",
    "été",
    "berlin OR madrid",
    "cloud NOT paris",
    "cloud -paris",
    "title:cloud",
    "tag:iceland",
    "tag:radfahren berlin",
    "lang:fr cloud",
    '"cloud computing"',
    '"cloud paris"~4',  # a slop: the set-based chain, not the slop-1 one
    "the cloud",  # an English stop word: optional (ANDMAYBE)
    "date:2011 cloud",
    "date:[2010 TO 2019] -cloud",  # a range from the date column, scored as Whoosh does
    "date:{2011-03-01 TO 2030} OR velo",
    "*",  # every post, scored alike
    "* -paris",
    "-paris",  # negations only: every post but those
    "berlin *",
]
RUBY_QUERIES = [
    "release",
    "ruby on rails",
    "ruby 2.7 released",
    "ruby NOT rails",
    "ruby -rails tag:security",
    "rubygems OR bundler",
    '"denial of service"',
    "CVE-2013-4164",
    "sécurité",
    "脆弱性",
    "уязвимость",
    "veröffentlicht",
    'title:"ruby 2.7"',
    '"security fix"~3',
    "リリース",  # a CJK word is a phrase of bigrams: hundreds of candidates, all in the chain
    "を参照してください",  # eight bigrams, the chain breaking in many candidates
    "ruby コミュニティの中であなたを大い",  # a title phrase read up to its first missing bigram
    '"ruby security release"~3',  # three words with a slop: the chain of reachable ends
]


def whoosh_ranking(searcher: Any, q: query.Query) -> list[tuple[int, float]]:
    return [(hit.docnum, hit.score) for hit in searcher.search(q, limit=None)]


def assert_same(index_dir: Path, text: str, budget: int = fastscore.POSTINGS_BUDGET) -> None:
    with open_index(index_dir, audience="owner") as index:
        generation = index._current()
        q = generation.parser.parse(text).text
        scorer = fastscore.Scorer(generation.searcher, generation.searcher.weighting, budget,
                                  ranges=generation._in_range)  # fmt: skip
        try:
            scored = scorer.evaluate(q)
        except fastscore.Unsupported:
            pytest.skip(f"{text!r} is searched by Whoosh")
        expected = whoosh_ranking(generation.searcher, q)
        ranked, total = scorer.top(scored, len(expected) + 5)
        assert total == len(expected), text
        assert expected, f"{text!r} should match something: the comparison would be empty"
        ours = dict(ranked)
        for docnum, score in expected:
            assert ours[docnum] == pytest.approx(score, rel=1e-12), (text, docnum)
        # Whoosh breaks ties by docnum, as top() does without a tiebreak
        by_docnum = sorted(expected, key=lambda pair: (-pair[1], pair[0]))
        assert [d for d, _ in ranked] == [d for d, _ in by_docnum]


@pytest.mark.parametrize("text", CONTENT_QUERIES)
def test_scores_equal_whooshs_on_the_bundled_content(content_index: Path, text: str) -> None:
    assert_same(content_index, text)


@pytest.mark.corpora
@pytest.mark.parametrize("text", RUBY_QUERIES)
def test_scores_equal_whooshs_on_ruby_lang(ruby_index: Path, text: str) -> None:
    assert_same(ruby_index, text)


@pytest.mark.corpora
def test_a_tiny_cache_budget_evicts_and_stays_exact(ruby_index: Path) -> None:
    for text in ("ruby on rails", "release", "ruby on rails"):
        assert_same(ruby_index, text, budget=10)


def test_several_segments_and_deleted_posts(tmp_path: Path) -> None:
    """Incremental updates add segments and delete documents: both must be read right."""
    source = tmp_path / "content"
    shutil.copytree(CONTENT, source)
    index_dir = build_index([source], tmp_path / "index")
    posts = sorted(p for p in source.rglob("*.md"))
    posts[0].unlink()
    changed = posts[1]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nCloud again.\n", "utf-8")
    build_index([source], index_dir)
    with open_index(index_dir, audience="owner") as index:
        reader = index._current().searcher.reader()
        assert reader.doc_count() < reader.doc_count_all() or not reader.is_atomic()
    for text in ("cloud", "cloud paris", "velo OR cloud", "*", "-cloud"):
        assert_same(index_dir, text)
    with open_index(index_dir, audience="owner") as index:
        assert_terms_read_as_whoosh_reads_them(index._current().searcher.reader())


def assert_terms_read_as_whoosh_reads_them(reader: Any) -> None:
    """segreader.term_matcher is reader.postings, None where that raises TermNotFound: for
    every title and body term of every segment (deleted posts left out), missing terms and
    a field the schema lacks."""
    checked = 0
    for leaf, _ in reader.leaf_readers():
        for fieldname in ("title", "body", "no-such-field"):
            texts = list(leaf.lexicon(fieldname)) if fieldname in leaf.schema else []
            for text in [*texts, b"zz-no-such-word", b""]:
                try:
                    expected = segreader.leaf_postings(leaf.postings(fieldname, text))
                except TermNotFound:
                    assert segreader.term_matcher(leaf, fieldname, text) is None
                    continue
                found = segreader.leaf_postings(segreader.term_matcher(leaf, fieldname, text))
                assert found.docs.tolist() == expected.docs.tolist(), (fieldname, text)
                assert found.weights.tolist() == expected.weights.tolist(), (fieldname, text)
                checked += 1
    assert checked > 100


def test_unsupported_shapes_fall_back_to_whoosh(owner: Any) -> None:
    generation = owner._current()
    q = query.And([query.FuzzyTerm("body", "clod"), generation.parser.parse("paris").text])
    with pytest.raises(fastscore.Unsupported):
        generation.fast.evaluate(q)
    # and the engine still answers, through Whoosh
    found, total = ranking.top_hits(generation.searcher, q, 10, None, generation._path)
    assert total == len(found) == 1


def test_date_ranges_are_read_from_the_date_column(owner: Any) -> None:
    generation = owner._current()
    q = generation.parser.parse("date:[2010 TO 2012] cloud").text
    scored = generation.fast.evaluate(q)  # no longer Whoosh's
    assert len(scored.docs) == owner.search("date:[2010 TO 2012] cloud").total == 1


def test_a_pattern_finds_what_whoosh_finds_and_ranks_its_matches_alike(owner: Any) -> None:
    generation = owner._current()
    for text in ("clou*", "f?rry", "par*"):
        q = generation.parser.parse(text).text
        expected = {hit.docnum for hit in generation.searcher.search(q, limit=None)}
        scored = generation.fast.evaluate(q)
        assert set(scored.docs.tolist()) == expected and expected, text
        results = owner.search(text, limit=100)
        assert results.total == len(expected)
        assert [h.path for h in results.hits] == sorted(
            (h.path for h in results.hits),
            key=lambda p: (-dict((h.path, h.score) for h in results.hits)[p], p),
        )


def test_equal_scores_follow_the_tiebreak() -> None:

    scored = fastscore.Scored(np.array([0, 1, 2]), np.array([1.0, 2.0, 1.0]))
    scorer = fastscore.Scorer.__new__(fastscore.Scorer)
    names = {0: "b", 1: "z", 2: "a"}
    assert scorer.top(scored, 2, tiebreak=names.__getitem__) == ([(1, 2.0), (2, 1.0)], 3)
    assert scorer.top(scored, 2) == ([(1, 2.0), (0, 1.0)], 3)
    allowed = np.array([True, False, True, True])
    assert scorer.top(scored, 5, allowed) == ([(0, 1.0), (2, 1.0)], 2)


def test_scores_of_picks_the_matching_docs() -> None:

    scored = fastscore.Scored(np.array([2, 5, 9]), np.array([0.5, 1.5, 2.5]))
    assert scored.scores_of([9, 3, 2, 10]) == {9: 2.5, 2: 0.5}
    assert scored.scores_of([]) == {}


@pytest.mark.parametrize(
    ("budget", "kept"), [(fastscore.WORDS_BUDGET, fastscore.WORDS_KEPT), (40, 1000), (10**6, 2)]
)
def test_kept_words_score_as_when_first_worked_out(
    content_index: Path, monkeypatch: pytest.MonkeyPatch, budget: int, kept: int
) -> None:
    """A query word's OR is kept and shared by later queries (within a budget of documents
    and a number of ORs, read-only), and every query still scores exactly as Whoosh does."""
    monkeypatch.setattr(fastscore, "WORDS_BUDGET", budget)
    monkeypatch.setattr(fastscore, "WORDS_KEPT", kept)
    texts = ["cloud paris", "cloud", "paris cloud", "velo OR cloud", "cloud NOT paris", "velo"]
    with open_index(content_index, audience="owner") as index:
        generation = index._current()
        searcher_ = generation.searcher
        scorer = fastscore.Scorer(searcher_, searcher_.weighting)
        for text in texts * 2:
            q = generation.parser.parse(text).text
            ranked, total = scorer.top(scorer.evaluate(q), 1000)
            expected = whoosh_ranking(searcher_, q)
            assert total == len(expected) > 0, text
            ours = dict(ranked)
            assert all(ours[d] == pytest.approx(s, rel=1e-12) for d, s in expected), text
        assert scorer._words, "query words should be kept"
        assert scorer._words.held <= budget or len(scorer._words) == 1
        assert len(scorer._words) <= kept
        assert len(scorer._words_by_id) == len(scorer._words)  # forgotten by id with the rest
        for _, kept, _ in scorer._words_by_id.values():
            assert not kept.docs.flags.writeable and not kept.scores.flags.writeable


def test_a_shard_scoring_with_collection_statistics_keeps_no_words(content_index: Path) -> None:
    from searcher.search.globalstats import GlobalStats

    with open_index(content_index, audience="owner") as index:
        generation = index._current()
        searcher_ = generation.searcher
        scorer = fastscore.Scorer(searcher_, searcher_.weighting)
        searcher_.stats = GlobalStats(10, {})  # as a shard actor sets them for one query
        try:
            scorer._or(query.Or([query.Term("body", "cloud"), query.Term("title", "cloud")]))
        finally:
            del searcher_.stats
        assert not scorer._words


def test_a_shared_restriction_is_filtered_once_and_an_empty_form_not_at_all(
    content_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restriction object shared by forms (as plain words share them) finds its mask by
    identity; a form no post holds never asks for its restriction's mask."""
    from searcher.indexing import schema

    with open_index(content_index, audience="owner") as index:
        searcher_ = index._current().searcher
        scorer = fastscore.Scorer(searcher_, searcher_.weighting)
        scope = query.Or([query.Term(schema.ANALYSIS, "fr"), query.Term(schema.ANALYSIS, "de")])
        empty = schema.Scoped(query.Term(schema.BODY, "nosuchwordanywhere"), scope)
        assert not len(scorer.evaluate(empty).docs)
        assert not scorer._filters_by_id and not len(scorer._filters)  # never asked
        keys = []
        monkeypatch.setattr(fastscore, "QueryKey", lambda q: keys.append(q) or ("k", id(q)))
        words = ["cloud", "paris", "velo", "berlin"]
        found = [scorer.evaluate(schema.Scoped(query.Term(schema.BODY, words[0]), scope))]
        assert keys and all(k is scope for k in keys)  # hashed for the first form ...
        asked = len(keys)
        found += [scorer.evaluate(schema.Scoped(query.Term(schema.BODY, w), scope))
                  for w in words[1:]]  # fmt: skip
        assert len(keys) == asked  # ... then found by identity
        for word, scored in zip(words, found, strict=True):
            unshared = query.Or([query.Term(schema.ANALYSIS, "fr"),
                                 query.Term(schema.ANALYSIS, "de")])  # fmt: skip
            expected = whoosh_ranking(searcher_, query.Require(query.Term(schema.BODY, word),
                                                               unshared))  # fmt: skip
            assert sorted(scored.docs.tolist()) == sorted(d for d, _ in expected), word


def test_an_and_of_terms_stops_reading_at_the_first_found_nowhere(
    content_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CJK word's tokens in tags and places are an AND of terms: once one is in no post,
    the rest are not read."""
    with open_index(content_index, audience="owner") as index:
        searcher_ = index._current().searcher
        scorer = fastscore.Scorer(searcher_, searcher_.weighting)
        found = query.And([query.Term("body", "cloud"), query.Term("body", "paris")])
        expected = sorted(d for d, _ in whoosh_ranking(searcher_, found))
        assert sorted(scorer.evaluate(found).docs.tolist()) == expected and expected
        read: list[tuple[str, bytes]] = []
        reading = scorer._read
        monkeypatch.setattr(scorer, "_read", lambda *term: read.append(term) or reading(*term))
        nowhere = query.And([query.Term("body", "nosuchword"), query.Term("body", "velo")])
        assert not len(scorer.evaluate(nowhere).docs)
        assert read == [("body", b"nosuchword")]  # velo never read


def test_a_term_in_no_post_is_not_kept(content_index: Path) -> None:
    """Postings are kept for the next query; a term no post holds is not (its word's OR is
    kept whole), and asked again it is still in none."""
    with open_index(content_index, audience="owner") as index:
        searcher_ = index._current().searcher
        scorer = fastscore.Scorer(searcher_, searcher_.weighting)
        for _ in range(2):
            assert len(scorer.evaluate(query.Term("body", "cloud")).docs)
            assert not len(scorer.evaluate(query.Term("body", "nosuchword")).docs)
        assert ("body", b"cloud") in scorer._postings
        assert ("body", b"nosuchword") not in scorer._postings


def test_a_words_or_is_kept_by_structure_a_whole_query_by_identity(
    content_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word's OR found again in another query object is not worked out again; a whole
    query's OR (its words and its pasted title) is not hashed: only its words are."""
    with open_index(content_index, audience="owner") as index:
        generation = index._current()
        searcher_ = generation.searcher
        scorer = fastscore.Scorer(searcher_, searcher_.weighting)
        hashed: list[Any] = []
        keyed = fastscore.QueryKey
        monkeypatch.setattr(fastscore, "QueryKey", lambda q: hashed.append(q) or keyed(q))
        q = generation.parser._plainwords.planned(["cloud"])
        whole = query.Or([q, query.Term("title_key", "x")])
        expected = sorted(d for d, _ in whoosh_ranking(searcher_, whole))
        assert sorted(scorer.evaluate(whole).docs.tolist()) == expected and expected
        assert hashed == [q]  # the word, not the whole query
        again = query.Or([query.Or(list(q.subqueries)), query.Term("title_key", "x")])
        assert sorted(scorer.evaluate(again).docs.tolist()) == expected
        assert len(hashed) == 2  # its word hashed, found kept: no whole query hashed
        assert len([k for k in scorer._words._kept if isinstance(k, keyed)]) == 1


def test_only_tied_documents_ask_the_tiebreak() -> None:
    scored = fastscore.Scored(
        np.arange(8, dtype=np.int64), np.array([5.0, 1.0, 3.0, 3.0, 9.0, 3.0, 0.5, 0.5])
    )
    scorer = fastscore.Scorer.__new__(fastscore.Scorer)
    asked: list[int] = []
    names = {2: "c", 3: "a", 5: "b"}

    def name(docnum: int) -> str:
        asked.append(docnum)
        return names[docnum]

    assert scorer.top(scored, 4, tiebreak=name) == ([(4, 9.0), (0, 5.0), (3, 3.0), (5, 3.0)], 8)
    assert sorted(asked) == [2, 3, 5]  # the tie at 3.0; not 0.5's, beyond the page
