"""Typo tolerance, "did you mean", completion and similar posts over real indexes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import build_index
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query

import searcher
from searcher.errors import UsageError
from searcher.indexing import analysis, records, schema
from searcher.search import live, suggest
from searcher.support import compact

CLOUD = "_posts/2011-03-01-cloud-paris.md"
CLOUD_TITLE = "Cloud computing : trois jours de conférence à Paris"
TOKYO_TITLE = "Notes from a Python conference in Tokyo"


@dataclass(frozen=True)
class Opened:
    """One generation of an index, as the engine holds it."""

    index: searcher.Index
    searcher: Any
    reader: Any
    keys: list[str]

    def parse(self, text: str) -> Any:
        return self.index._current().parser.parse(text).text


def _open(path: Path) -> Iterator[Opened]:
    index = searcher.open_index(path, audience="owner")
    current = index._current().searcher
    reader = current.reader()
    codes = [t.decode() for t in reader.lexicon(schema.LANG)]
    keys = sorted({analysis.language_key(code) for code in codes} | {"any"})
    yield Opened(index, current, reader, keys)
    index.close()


@pytest.fixture(scope="module")
def content(content_index: Path) -> Iterator[Opened]:
    """The bundled content/ folder."""
    yield from _open(content_index)


@pytest.fixture(scope="module")
def chamerling(chamerling_index: Path) -> Iterator[Opened]:
    """A real French and English blog (skipped when ../shared/corpora is absent)."""
    yield from _open(chamerling_index)


@pytest.fixture(scope="module")
def two_segments(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    """A tiny archive indexed in two runs, so its reader has two segments."""
    posts, target = tmp_path_factory.mktemp("posts"), tmp_path_factory.mktemp("segments")
    post = '---\ntitle: "{}"\ndate: {}\n---\n{}\n'
    (posts / "a.md").write_text(post.format("A long time ago", "2020-05-04", "Luke Skywalker."))
    build_index([posts], target)
    (posts / "b.md").write_text(post.format("Return", "2021-05-04", "Skywalker is back."))
    build_index([posts], target)
    yield from _open(target)


# -- typo tolerance ------------------------------------------------------------------------


def _automaton_within(reader: Any, text: str, maxdist: int, prefix: int) -> set[str]:
    """What Whoosh's own Levenshtein automaton finds, segment by segment: the oracle."""
    found: set[str] = set()
    for leaf, _ in reader.leaf_readers():
        found.update(leaf.terms_within(schema.WORDS, text, maxdist, prefix=prefix))
    return found


_EDITED = st.tuples(
    st.sampled_from(["skywalker", "luke", "ferry", "conférence", "paris", "tokyo", "返回"]),
    st.lists(st.tuples(st.integers(0, 12), st.sampled_from("aeklsyé返x")), max_size=2),
    st.sampled_from([(1, 1), (2, 2), (1, 0), (2, 1)]),
)


@settings(max_examples=150, deadline=None)
@given(case=_EDITED)
def test_lexicon_terms_within_matches_the_automaton(
    content: Opened, two_segments: Opened, case: tuple[str, list[tuple[int, str]], tuple[int, int]]
) -> None:
    word, edits, (maxdist, prefix) = case
    for at, letter in edits:  # replace, or insert past the end
        word = word[:at] + letter + word[at + 1 :]
    for opened in (content, two_segments):
        lexicon = live.Lexicon(opened.reader)
        expected = _automaton_within(opened.reader, word, maxdist, prefix)
        assert lexicon.terms_within(schema.WORDS, word, maxdist, prefix) == expected


@pytest.mark.parametrize(
    ("word", "edits"),
    [("", 0), ("tge", 0), ("clod", 1), ("pythn", 1), ("python", 1), ("pyhtonn", 2), ("x" * 20, 2)],
)
def test_edits_grow_with_length(word: str, edits: int) -> None:
    assert suggest.max_edits(word) == edits


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("cloud", "cloud", 0), ("clod", "cloud", 1), ("pyhton", "python", 1), ("ab", "ba", 1),
     ("pyhtn", "python", 2), ("", "abc", 3), ("kitten", "sitting", 3)],
)  # fmt: skip
def test_distance_counts_a_swap_as_one_edit(a: str, b: str, distance: int) -> None:
    assert suggest._distance(a, b) == distance == suggest._distance(b, a)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ckoud", ["cloud"]),  # 5 letters, one substitution
        ("pythn", ["python"]),  # one deletion
        ("Pyhton", ["python"]),  # a swap of neighbours, any case
        ("stndardz", ["standards"]),  # 8 letters: two edits
        ("Montpelier", ["montpellier"]),
        ("tge", []),  # 3 letters: "the" is one edit away, but short words are not guessed
        ("pyhtn", []),  # 5 letters: two edits is too many
        ("xloud", []),  # the first letter is kept
        ("2011", []),
        ("東京", []),
    ],
)
def test_fuzzy_words_within_the_bound(content: Opened, typed: str, expected: list[str]) -> None:
    assert [word for word, _ in suggest.fuzzy_words(content.reader, typed)] == expected


def test_fuzzy_words_best_first_with_doc_frequencies(content: Opened) -> None:
    found = suggest.fuzzy_words(content.reader, "fery")
    assert found == [("ferry", 2), ("fer", 1)]  # both one edit away: the commoner first
    assert suggest.fuzzy_words(content.reader, "fery", limit=1) == [("ferry", 2)]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("securty", "security"), ("conferance", "conference"), ("interoperabilty",
     "interoperability"), ("perfromance", "performance"), ("clod", "cloud")],
)  # fmt: skip
def test_fuzzy_words_on_a_real_blog(chamerling: Opened, typed: str, meant: str) -> None:
    assert suggest.fuzzy_words(chamerling.reader, typed)[0][0] == meant


def test_fuzzy_words_reads_every_segment(two_segments: Opened) -> None:
    assert len(two_segments.reader.leaf_readers()) == 2
    assert suggest.fuzzy_words(two_segments.reader, "Skywaker") == [("skywalker", 2)]
    assert suggest.suggestion("luke skywaker", two_segments.reader, two_segments.keys) == (
        "luke skywalker"
    )


@pytest.mark.parametrize(
    ("word", "expected"),
    [("clod", ["cloud"]), ("interoperabilty", ["interoperabilite"]), ("cloud", []),
     ("clouds", []), ("ferri", []), ("veroffentlicht", []), ("tge", []), ("l'clod", [])],
)  # fmt: skip
def test_corrections_only_for_words_no_post_has(
    content: Opened, word: str, expected: list[str]
) -> None:
    # "ferri" stems like "ferry" in English: searching for it already works
    assert suggest.corrections(content.reader, word, content.keys) == expected


@pytest.mark.parametrize(
    ("word", "posts"),
    [("standards", 1), ("Conférence", 2), ("ferri", 2), ("montpellier", 1), ("Poussan", 0)],
)
def test_occurrences_count_what_an_unfielded_word_finds(
    content: Opened, word: str, posts: int
) -> None:
    # Poussan is only the private address of the cloud post: no answer may depend on it
    assert content.reader.doc_frequency(schema.PLACE_PRIVATE, "poussan") == 1
    assert suggest.occurrences(content.reader, word, content.keys) == posts


def test_fuzzy_query_ors_in_corrections_below_the_word(content: Opened) -> None:
    parsed = content.parse("clod paris")
    before = repr(parsed)
    widened = suggest.fuzzy_query(parsed, content.reader, content.keys)
    assert widened is not None and repr(parsed) == before  # the parsed query is not changed
    assert content.searcher.search(parsed).is_empty()
    hits = content.searcher.search(widened)
    assert hits[0]["path"] == CLOUD
    added = [leaf for leaf in widened.leaves() if leaf.text == "cloud"]
    assert {leaf.fieldname: leaf.boost for leaf in added} == pytest.approx(
        {
            schema.TITLE: schema.TITLE_BOOST * suggest.FUZZY_BOOST,
            schema.BODY: suggest.FUZZY_BOOST,
            schema.TERMS: schema.TERMS_BOOST * suggest.FUZZY_BOOST,
        }
    )


@pytest.mark.parametrize(
    ("text", "added"),
    [("clod", {"cloud"}), ("clod OR pyhton", {"cloud", "python"}), ("(clod paris) OR tokyo",
     {"cloud"}), ("clod -paris", {"cloud"}), ("paris ANDNOT pyhton", set()),
     ("paris NOT clod", set()), ("title:clod", set()), ('"clod paris"', set()),
     ("cloud paris", set()), ("date:2011 clod", {"cloud"})],
)  # fmt: skip
def test_fuzzy_query_widens_unfielded_positive_words(
    content: Opened, text: str, added: set[str]
) -> None:
    parsed = content.parse(text)
    widened = suggest.fuzzy_query(parsed, content.reader, content.keys)
    new = _words(widened) - _words(parsed) if widened is not None else set()
    assert (widened is None) == (not added)
    assert {word for word in new if word in added} == added


def _words(q: Any) -> set[str]:
    return {leaf.text for leaf in q.leaves() if isinstance(getattr(leaf, "text", None), str)}


def test_fuzzy_query_keeps_the_user_boost(content: Opened) -> None:
    widened = suggest.fuzzy_query(content.parse("clod^2 paris"), content.reader, content.keys)
    assert widened is not None
    if isinstance(widened, query.Or):  # the words, OR a post whose title they are
        widened = widened.subqueries[0]
    (group,) = [child for child in widened.children() if "cloud" in _words(child)]
    assert group.boost == 2.0 and "clod" in _words(group)


# -- did you mean --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("clod paris", "cloud paris"),
        ("interoperabilty", "interoperabilite"),
        ("l'interopérabilty", "l'interoperabilite"),
        ("Pyhton AND meetpu", "Python AND meetup"),
        ("CLOD", "CLOUD"),
        ('title:clod "clod paris"~2 tag:clod', 'title:cloud "cloud paris"~2 tag:clod'),
        ("(clod OR pythn) date:2011", "(cloud OR python) date:2011"),
        ("+clod^2 -clod", "+cloud^2 -clod"),
        ("paris NOT (clod OR pythn) pythn", "paris NOT (clod OR pythn) python"),
        ('near:"Montpelier" clod', 'near:"Montpelier" cloud'),
        ("date:[2010 TO 2012] body:tornoto", "date:[2010 TO 2012] body:toronto"),
        ("title:(clod", "title:(cloud)"),  # broken syntax is mended, not echoed
        ("clod) paris", "cloud paris"),
        ('"clod paris', "cloud paris"),
        ("(clod OR (pythn ", "(cloud OR (python))"),
    ],
)
def test_suggestion_fixes_words_and_keeps_the_syntax(
    content: Opened, text: str, expected: str
) -> None:
    assert suggest.suggestion(text, content.reader, content.keys) == expected
    content.parse(expected)  # still a valid query


@pytest.mark.parametrize(
    "text",
    ["cloud", "cloud paris", "Cloud Computing", "interopérabilité", "veroffentlicht",
     "date:2011", "tag:clod", "category:pythn", "clo*", "CVE-2020-10663", "ruby 2.7.1",
     "tge", "東京", "paris -clod", "clouds", 'lang:fr "cloud paris"', '"cloud paris', "(cloud"],
)  # fmt: skip
def test_no_suggestion_for_correct_or_uncheckable_queries(content: Opened, text: str) -> None:
    assert suggest.suggestion(text, content.reader, content.keys) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("securty cloud", "security cloud"), ("CVE-2020-10663 securty", "CVE-2020-10663 security"),
     ("conferance AND (securty OR cloud)", "conferance AND (security OR cloud)"),
     ("petals esb", None), ("loop", None), ("staff", None), ("paltform", None)],
)  # fmt: skip
def test_suggestion_on_a_real_blog(chamerling: Opened, text: str, expected: str | None) -> None:
    # "conferance" stems like "conference", so the search finds it as typed; "loop", "staff"
    # and the author's own "paltform" are in one post each: rare, but there
    assert suggest.suggestion(text, chamerling.reader, chamerling.keys) == expected


def test_a_request_works_out_each_words_corrections_once(
    content: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The widened query and "did you mean" of one request share the answers: each suspect
    word's occurrences are counted once, and both answer as they do on their own."""
    text = "clod OR pyhton paris"
    alone = suggest.fuzzy_query(content.parse(text), content.reader, content.keys)
    said = suggest.suggestion(text, content.reader, content.keys)
    counted: list[str] = []
    count = suggest.occurrences
    monkeypatch.setattr(
        suggest, "occurrences", lambda *a, **k: counted.append(a[1]) or count(*a, **k)
    )
    known: dict[str, list[str]] = {}
    widened = suggest.fuzzy_query(content.parse(text), content.reader, content.keys, known=known)
    assert repr(widened) == repr(alone)
    assert suggest.suggestion(text, content.reader, content.keys, known) == said
    assert said == "cloud OR python paris"
    assert sorted(counted) == ["clod", "paris", "pyhton"]
    assert known["clod"] == ["cloud"] and known["paris"] == []


def test_a_word_of_the_posts_is_counted_in_one_field_and_nothing_is_copied(
    content: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word some post holds as written is no typo: its other fields and forms are not
    counted; a query whose words are all fine is not copied to be widened."""
    asked: list[tuple[str, str]] = []
    frequency = content.reader.doc_frequency
    monkeypatch.setattr(
        content.reader, "doc_frequency", lambda f, t: asked.append((f, t)) or frequency(f, t)
    )
    assert suggest.corrections(content.reader, "paris", content.keys) == []
    assert asked == [(schema.WORDS, "paris")]
    assert suggest.occurrences(content.reader, "paris", content.keys) > 0  # all counted
    assert len(asked) > 3
    monkeypatch.setattr(suggest.copy, "copy", lambda q: pytest.fail(f"copied {q!r}"))
    assert suggest.fuzzy_query(content.parse("paris cloud"), content.reader, content.keys) is None


# -- completion ----------------------------------------------------------------------------


def test_completion_titles_first_then_terms(content: Opened) -> None:
    found = suggest.complete(content.reader, "clo")
    assert found[0] == {"kind": "title", "text": CLOUD_TITLE, "path": CLOUD}
    assert {"kind": "term", "text": "cloud", "count": 2} in found
    kinds = [entry["kind"] for entry in found]
    assert kinds == sorted(kinds, key=["title", "term"].index)


@pytest.mark.parametrize(
    ("prefix", "title"),
    [("conf", CLOUD_TITLE), ("CONFÉ", CLOUD_TITLE), ("Conférence", CLOUD_TITLE),
     ("paris clo", CLOUD_TITLE), ("cloud computing trois", CLOUD_TITLE),
     ("python conf", TOKYO_TITLE), ("sete", "Sète, le quai au petit matin"),
     ("cloud ", CLOUD_TITLE)],
)  # fmt: skip
def test_completion_of_titles_ignores_case_and_accents(
    content: Opened, prefix: str, title: str
) -> None:
    titles = [e["text"] for e in suggest.complete(content.reader, prefix) if e["kind"] == "title"]
    assert title in titles


@pytest.mark.parametrize(
    ("prefix", "term"),
    [("interop", "interopérabilité"), ("Interop", "interopérabilité"),
     ("interopé", "interopérabilité"), ("donn", "données"), ("velo", "vélo"),
     ("cloud comp", "cloud computing"), ("Meetup pyth", "Meetup Python")],
)  # fmt: skip
def test_completion_of_the_last_word(content: Opened, prefix: str, term: str) -> None:
    terms = [e["text"] for e in suggest.complete(content.reader, prefix) if e["kind"] == "term"]
    assert term in terms


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("", []), ("   ", []), ("zzzz", []), ("?!", []), ("tokyo clo", ["term"] * 3)],
)
def test_completion_with_nothing_to_complete(
    content: Opened, prefix: str, expected: list[str]
) -> None:
    # no title has "tokyo" and a word in "clo…": words still complete, whatever came before
    assert [e["kind"] for e in suggest.complete(content.reader, prefix)] == expected


def test_completion_after_a_space_offers_titles_only(content: Opened) -> None:
    found = suggest.complete(content.reader, "cloud ")
    assert found and {e["kind"] for e in found} == {"title"}


@pytest.mark.parametrize("limit", [0, 1, 2, 3, 5, 10])
def test_completion_respects_the_limit(content: Opened, limit: int) -> None:
    found = suggest.complete(content.reader, "s", limit=limit)
    assert len(found) == limit
    if limit >= 2:
        assert {e["kind"] for e in found} == {"title", "term"}  # both kinds get room


def test_completer_kept_per_generation_agrees(content: Opened) -> None:
    completer = suggest.Completer(content.searcher)
    for prefix in ("c", "cl", "par", "open d"):
        assert completer.complete(prefix, 4) == suggest.complete(content.reader, prefix, 4)


def test_completed_words_are_shown_as_posts_write_them(content: Opened) -> None:
    """Words are completed from the folded lexicon but shown with their accents; a word no
    post writes with accents stays as it is, and each shown word is looked up once."""
    completer = suggest.Completer(content.searcher)
    terms = {e["text"]: e["count"] for e in completer.complete("con", 20) if e["kind"] == "term"}
    assert terms["conférence"] == 2 and "conference" not in terms and "configuration" in terms
    assert completer._spellings.get("conference") == "conférence"
    assert completer._spellings.get("configuration") == "configuration"


@pytest.mark.parametrize(
    ("text", "spelled"),
    [("L'interopérabilité des systèmes", ["interoperabilite\x1finteropérabilité",
                                          "systemes\x1fsystèmes"]),
     ("ÉTÉ, été et Été", ["ete\x1fÉté", "ete\x1fété"]), ("Straße", ["strasse\x1fstraße"]),
     ("Ёлки", ["елки\x1fёлки"]), ("plain words, 脆弱性 and Москва", ["москва\x1fМосква"]),  # noqa: RUF001
     ("The start. Then R Markdown!\nAnd (Flowhub)", ["flowhub\x1fFlowhub",
                                                     "markdown\x1fMarkdown", "r\x1fR"]),
     ("plain words only", [])],
)  # fmt: skip
def test_spellings_keep_the_words_folding_changes(text: str, spelled: list[str]) -> None:
    """Accents anywhere; capitals inside a sentence (a sentence's first word says nothing
    of its case)."""
    terms = {t.text for t in analysis.spelling_analyzer()(analysis.spelled_words(text))}
    assert sorted(terms) == spelled


@pytest.mark.parametrize(
    ("spellings", "shown"),
    [(["ete", "été", "Été"], "été"), (["Python", "python"], "python"), (["GTFS"], "GTFS")],
)
def test_one_spelling_preferred_whatever_the_order(spellings: list[str], shown: str) -> None:
    import itertools

    for order in itertools.permutations(spellings):
        best = None
        for name in order:
            best = analysis.preferred_spelling(best, name)
        assert best == shown


def test_titles_listed_from_columns_as_their_records_give_them(tmp_path: Path) -> None:
    """Completion lists titles from a column; the live posts' (date, title, path) must be
    what their stored records say, once posts are updated and deleted in later runs."""
    import shutil

    from conftest import CONTENT

    source, target = tmp_path / "content", tmp_path / "index"
    shutil.copytree(CONTENT, source)
    build_index([source], target)
    (source / "_posts" / "2011-03-01-cloud-paris.md").unlink()
    renamed = next((source / "_posts").glob("*.html"))
    renamed.write_text(renamed.read_text().replace("title: ", "title: Renamed ", 1))
    build_index([source], target)
    with searcher.open_index(target, audience="owner") as index:
        reader = index._current().searcher.reader()
        assert reader.doc_count() < reader.doc_count_all()  # a deleted post is still there
        expected = []
        for docnum in reader.all_doc_ids():
            post = records.read(reader.stored_fields(docnum))
            expected.append((post.date or "", post.title, post.path))
        listed = suggest._listed(reader)
        assert listed == expected and len(listed) == 14
        assert any(title.startswith("Renamed ") for _, title, _ in listed)
        assert CLOUD not in {path for _, _, path in listed}


def test_completion_on_a_real_blog(chamerling: Opened) -> None:
    found = suggest.complete(chamerling.reader, "pet", limit=6)
    assert found[0]["kind"] == "title" and "petals" in analysis.fold(found[0]["text"])
    terms = [e for e in found if e["kind"] == "term"]
    assert terms[0]["text"] == "Petals"  # as most posts write it
    assert [e["count"] for e in terms] == sorted((e["count"] for e in terms), reverse=True)


# -- similar posts -------------------------------------------------------------------------


def test_similar_posts_of_the_cloud_post(content: Opened) -> None:
    found = content.index.similar(CLOUD, limit=3).hits
    assert found and len(found) <= 3 and CLOUD not in [hit.path for hit in found]
    assert [hit.score for hit in found] == sorted((hit.score for hit in found), reverse=True)
    assert found[0].lang == "fr" or "cloud" in analysis.fold(found[0].title)


def test_similar_posts_on_a_real_blog(chamerling: Opened) -> None:
    hits = chamerling.searcher.search(chamerling.parse("title:easywsdl"), limit=None)
    path = hits[0]["path"]
    found = chamerling.index.similar(path, limit=5).hits
    assert len(found) == 5 and path not in [hit.path for hit in found]
    assert "easywsdl" in analysis.fold(found[0].title)


@pytest.mark.parametrize("path", ["_posts/nope.md", "", "posts/"])
def test_similar_to_an_unknown_post(content: Opened, path: str) -> None:
    with pytest.raises(UsageError, match=r"no post at|needs the path") as error:
        content.index.similar(path)
    assert "\n" not in str(error.value)


# -- the completion tables: read from a compact file after the generation's first completion


def test_completion_tables_are_kept_per_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import CONTENT

    folder = build_index([CONTENT], tmp_path / "index")
    prefixes = ("c", "cl", "par", "open d", "conf")
    with searcher.open_index(folder) as index:
        built = [index.complete(prefix, limit=6) for prefix in prefixes]
    files = list(folder.glob("completion-*.bin"))
    assert len(files) == 1

    def no_reading(reader: Any) -> tuple[Any, ...]:
        raise AssertionError("the tables were read from the index again")

    monkeypatch.setattr(suggest, "_tables", no_reading)
    with searcher.open_index(folder) as index:
        assert [index.complete(prefix, limit=6) for prefix in prefixes] == built
    monkeypatch.undo()

    files[0].write_bytes(b"broken")  # an unreadable file is replaced
    with searcher.open_index(folder) as index:
        assert [index.complete(prefix, limit=6) for prefix in prefixes] == built
    assert files[0].read_bytes() != b"broken"


def test_a_new_generation_gets_its_own_tables(tmp_path: Path) -> None:
    source = tmp_path / "content" / "_posts"
    source.mkdir(parents=True)
    (source / "2020-01-01-one.md").write_text("---\ntitle: Zeppelin days\n---\nZeppelins.\n")
    folder = build_index([tmp_path / "content"], tmp_path / "index")
    with searcher.open_index(folder) as index:
        assert [e["text"] for e in index.complete("zep")][:1] == ["Zeppelin days"]
    first = {p.name for p in folder.glob("completion-*.bin")}
    (source / "2021-01-01-two.md").write_text("---\ntitle: Zebra crossing\n---\nZebras.\n")
    build_index([tmp_path / "content"], folder)
    with searcher.open_index(folder) as index:
        assert "Zebra crossing" in [e["text"] for e in index.complete("ze")]
    second = {p.name for p in folder.glob("completion-*.bin")}
    assert len(second) == 1 and second != first  # the old generation's file is gone


def test_a_read_only_index_folder_still_completes(content: Opened, tmp_path: Path) -> None:
    completer = suggest.Completer(content.searcher, tmp_path / "missing" / "x" / "t.bin")
    (tmp_path / "missing").write_text("a file where a folder would be")
    assert completer.complete("cl", 4) == suggest.complete(content.reader, "cl", 4)


def test_an_index_whose_posts_were_all_deleted_completes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "content" / "_posts"
    source.mkdir(parents=True)
    post = source / "2020-01-01-one.md"
    post.write_text("---\ntitle: Zeppelin days\n---\nZeppelins.\n")
    folder = build_index([tmp_path / "content"], tmp_path / "index")
    post.unlink()
    build_index([tmp_path / "content"], folder)
    with searcher.open_index(folder) as index:
        assert index.complete("zep") == []
        assert index.search("zeppelin").total == 0


def test_a_completion_decodes_the_lists_of_its_first_characters(
    content: Opened, tmp_path: Path
) -> None:
    table = tmp_path / "completion-1-test.bin"
    built = suggest.Completer(content.searcher, table)
    expected = built.complete("open d", 6)
    assert table.exists()
    completer = suggest.Completer(content.searcher, table)  # another process, say
    assert completer.complete("open d", 6) == expected
    tables = completer._tables
    assert isinstance(tables, compact.Keyed)
    decoded = {key for bucket in tables._decoded.values() for key in bucket}
    lexicon = {key for key, _ in tables.items(schema.WORDS)}
    assert {"o", "d"} <= decoded and len(lexicon) > 10  # the words of o and d, not of all
    assert not (lexicon - {"o", "d"}) <= decoded
