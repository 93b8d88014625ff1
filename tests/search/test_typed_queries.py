"""Queries as people type them: pasted titles, questions, markup, stray quotes and dashes.

Well-formed syntax keeps its meaning; anything else is searched as the words it holds, and a
query with nothing to search gets one clear line. Never an internal error's text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import build_index, paths
from hypothesis import example, given, settings
from hypothesis import strategies as st

import searcher
from searcher.errors import QuerySyntaxError, UsageError
from searcher.search import patterns
from searcher.search.typed import MAX_WORDS, repair, repaired, unchanged

POSTS = {
    "2020-01-05-reports.md": (
        "Markdown or LaTeX?",
        "en",
        "I write reports with knitr and R Markdown. knitr runs the code chunks.",
    ),
    "2020-02-10-merlin.md": (
        "Merlin - For Sale",
        "en",
        "Our old sailing boat Merlin is looking for a new crew.",
    ),
    "2020-03-15-laptop.md": (
        "11\" MacBook Air: the best computer I've ever had",
        "en",
        "Small, light, and the battery lasts a whole day of writing.",
    ),
    "2020-04-20-escaping.md": (
        "Escaping markup in comments",
        "en",
        "Never echo `<script>alert(1)</script>` back to a page; close every `</b>` you open.",
    ),
    "2020-05-25-typesetting.md": (
        "LaTeX中文排版",
        "zh",
        "用LaTeX写中文文档。FTP说明在这里。用data frame提取数据。",
    ),
    "2020-06-30-spaced.md": (
        "Notes on tools",
        "zh",
        "LaTeX 的 中文 支持, FTP 的 说明, data frame 的 提取。",
    ),
    "2020-07-04-cloud.md": (
        "Cloud Service?",
        "en",
        "A question about cloud services and what they cost.",
    ),
    "2020-08-01-sailing.md": ("Sailing", "en", "Pictures from last summer, on the water."),
    "2020-08-02-sailing-log.md": (
        "A log of sailing trips",
        "en",
        "Sailing again. Sailing at dawn, sailing at dusk: sailing is all we did. Sailing!",
    ),
    "2020-08-03-create.md": ("Create.js", "en", "A library for editing content in place."),
    "2020-09-01-sharejs.md": (
        "ShareJS 0.5: library for Wave-style editing",
        "en",
        "Now for WS-Notification users too, served from *.example.com hosts.",
    ),
    "2020-09-02-wave.md": (
        "ShareJS: library for Google Wave -style collaboration",
        "en",
        "Editing together in the browser, in the style of Google Wave.",
    ),
    "2020-08-04-create-2013.md": (
        "Create.js in 2013",
        "en",
        "What Create.js did in 2013: Create.js grew, and Create.js got faster.",
    ),
}


def _write(folder: Path) -> None:
    for name, (title, lang, body) in POSTS.items():
        head = f"---\ntitle: '{title.replace(chr(39), chr(39) * 2)}'\nlang: {lang}\n---\n"
        (folder / name).write_text(head + body + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> searcher.Index:
    root = tmp_path_factory.mktemp("typed")
    (root / "_posts").mkdir()
    _write(root / "_posts")
    return searcher.open_index(build_index([root], root / "index"), audience="owner")


@pytest.mark.parametrize("name", sorted(POSTS))
def test_a_pasted_title_finds_its_post_first(typed: searcher.Index, name: str) -> None:
    assert paths(typed.search(POSTS[name][0]))[:1] == [f"_posts/{name}"]


@pytest.mark.parametrize(
    ("typed_text", "plain"),
    [
        ("knitr?", "knitr"),
        ("knitr??", "knitr"),
        ("knitr?!", "knitr"),
        ("(knitr?)", "knitr"),
        ("Merlin - For Sale", "Merlin For Sale"),
        ("Merlin -- boat", "Merlin boat"),
        ("Merlin — boat", "Merlin boat"),
        ('11" MacBook', "11 MacBook"),
        ('"MacBook Air', "MacBook Air"),
        ("(knitr", "knitr"),
        ("knitr)", "knitr"),
        ("</b>", "b"),
        ("<script>alert(1)</script>", "script alert 1 script"),
        ("[knitr]", "knitr"),
        ("{knitr}", "knitr"),
        ("knitr AND", "knitr and"),
        ("AND knitr", "and knitr"),
        ("knitr NOT", "knitr not"),
        ("knitr OR OR chunks", "knitr or chunks"),
        ("LaTeX中文", "LaTeX 中文"),
        ("FTP说明", "FTP 说明"),
        ("data frame提取", "data frame 提取"),
        ("ShareJS 0.5: library", "ShareJS 0.5 library"),
        ("sharejs:", "sharejs"),
        ("Create::js", '"create js"'),  # a colon inside a word: the words side by side
        ("WS-Notification* users", "WS-Notification users"),
        ("*.example.com", "example.com"),
        ("example.com/*", "example.com"),
    ],
)
def test_what_cannot_be_syntax_is_searched_as_its_words(
    typed: searcher.Index, typed_text: str, plain: str
) -> None:
    found = typed.search(typed_text, limit=50)
    assert found.total > 0 and paths(found) == paths(typed.search(plain, limit=50))


@pytest.mark.parametrize("text", ["AND", "OR", "NOT", "ANDNOT", "AND OR NOT", "( )", "-", "+"])
def test_a_lone_operator_is_a_word_or_a_clear_error(typed: searcher.Index, text: str) -> None:
    try:
        typed.search(text)
    except QuerySyntaxError as exc:
        assert "nothing to search" in str(exc)


@pytest.mark.parametrize("text", ["!!!", "?", "???", '"', '""', "()", "-", "<>", "~", "^", "::"])
def test_a_query_with_nothing_to_search_says_so_in_one_line(
    typed: searcher.Index, text: str
) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        typed.search(text)
    message = str(caught.value)
    assert "nothing to search" in message and "\n" not in message


def test_no_internal_error_text_reaches_the_user(typed: searcher.Index) -> None:
    for text in (">x", "</b>", "x >", "<=", "tag:>", "a {b} c", "x ( ) y"):
        try:
            typed.search(text)
        except UsageError as exc:
            assert "list index" not in str(exc) and "Traceback" not in str(exc)


def test_well_formed_syntax_keeps_its_meaning(typed: searcher.Index) -> None:
    knitr = set(paths(typed.search("knitr", limit=50)))
    assert not knitr & set(paths(typed.search("knitr -chunks", limit=50)))
    assert not knitr & set(paths(typed.search("knitr NOT chunks", limit=50)))
    assert set(paths(typed.search("kni*", limit=50))) >= knitr
    assert set(paths(typed.search("kn?tr", limit=50))) == knitr
    assert paths(typed.search('"sailing boat"')) == ["_posts/2020-02-10-merlin.md"]
    assert typed.search('"boat sailing"').total == 0
    assert paths(typed.search("title:merlin")) == ["_posts/2020-02-10-merlin.md"]
    assert typed.search("date:2020-02").total == 1
    assert typed.search("knitr OR merlin").total == 2


def test_a_match_all_is_every_post_and_negations_alone_take_from_it(
    typed: searcher.Index,
) -> None:
    every = typed.search("*", limit=50)
    assert all(hit.score == every.hits[0].score for hit in every.hits)
    assert every.total == len(POSTS) == typed.search("body:*", limit=50).total
    assert typed.search("???*", limit=50).total == len(POSTS)
    without = set(paths(typed.search("* -knitr", limit=50)))
    assert without == set(paths(every)) - set(paths(typed.search("knitr", limit=50)))
    assert set(paths(typed.search("-knitr", limit=50))) == without
    assert set(paths(typed.search("NOT knitr", limit=50))) == without
    assert paths(typed.search("merlin *")) == paths(typed.search("merlin"))
    newest = [h.date for h in every.hits]
    assert newest == sorted(newest, reverse=True)  # a listing: newest first


def test_a_pattern_standing_for_too_many_words_is_refused(
    typed: searcher.Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patterns, "MAX_WORDS", 1)
    with pytest.raises(QuerySyntaxError, match="too broad"):
        typed.search("c*")  # cloud, code, computer...
    monkeypatch.setattr(patterns, "MAX_WORDS", 100)
    monkeypatch.setattr(patterns, "MAX_SCANNED", 3)
    with pytest.raises(QuerySyntaxError, match="give more letters"):
        typed.search("*ud")  # reads every word to find them
    assert paths(typed.search("merli*")) == ["_posts/2020-02-10-merlin.md"]


@pytest.mark.parametrize("radius", ["-1km", "abc", "", "0", "1e999km"])
def test_a_bad_radius_in_a_near_clause_is_refused(typed: searcher.Index, radius: str) -> None:
    with pytest.raises(UsageError, match="radius"):
        typed.search(f"near:43.48,3.67~{radius}")


@pytest.mark.parametrize(
    "text", ["cloud +near:Paris", "+cloud near:Paris", "near:Paris +cloud", "(near:Paris) cloud"]
)
def test_a_near_clause_anywhere_beside_words_is_lifted_out(
    owner: searcher.Index, text: str
) -> None:
    assert paths(owner.search(text, limit=50)) == paths(owner.search("cloud near:Paris", limit=50))


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("near:San Francisco", 'near:"San Francisco"'),  # not San (Mali) and "Francisco"
        ("near:San Francisco~10000km cloud", 'near:"San Francisco"~10000km cloud'),
        ("cloud near:Rio de Janeiro~10000km", 'cloud near:"Rio de Janeiro"~10000km'),
        ("near:Paris, FR cloud", 'near:"Paris, FR" cloud'),
        ("near:Paris cloud", 'near:"Paris" cloud'),  # "Paris cloud" names no place
    ],
)
def test_a_place_of_several_words_after_near_needs_no_quotes(
    owner: searcher.Index, text: str, same_as: str
) -> None:
    expected = owner.search(same_as, limit=50)
    found = owner.search(text, limit=50)
    assert found.center == expected.center and paths(found) == paths(expected)
    assert found.total


def test_a_near_clause_beside_negations_only_is_every_post_there_but_those(
    owner: searcher.Index,
) -> None:
    there = set(paths(owner.search("near:Paris~2000km", limit=50)))
    assert set(paths(owner.search("near:Paris~2000km -cloud", limit=50))) == there - set(
        paths(owner.search("cloud", limit=50))
    )


def test_a_pasted_paragraph_is_searched_by_its_first_words(typed: searcher.Index) -> None:
    # words past the first MAX_WORDS are not searched: here they are in no post
    words = ["knitr", "runs", "the", "code", "chunks"] * 7
    paragraph = " ".join(words[:MAX_WORDS] + ["nosuchword"] * 30)
    assert paths(typed.search(paragraph)) == ["_posts/2020-01-05-reports.md"]


@pytest.mark.parametrize(
    ("text", "same_as"),
    [("date:[* TO 2012]", "date:<=2012"), ("date:[2011 TO *]", "date:>=2011"),
     ("date:{* TO 2011}", "date:<2011")],
)  # fmt: skip
def test_an_open_date_range_is_written_with_a_star(
    owner: searcher.Index, text: str, same_as: str
) -> None:
    found = owner.search(text, limit=50)
    assert found.total and paths(found) == paths(owner.search(same_as, limit=50))


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("\u201csailing boat\u201d", '"sailing boat"'),  # curly double quotes
        ("\u201esailing boat\u201c", '"sailing boat"'),  # German
        ("\u00absailing boat\u00bb", '"sailing boat"'),  # guillemets
        ("\u00ab\u00a0sailing boat\u00a0\u00bb", '"sailing boat"'),  # French, spaced
        ("\u2018sailing boat\u2019", '"sailing boat"'),  # curly single quotes
        ("\u2018I\u2019ve ever had\u2019", '"I\'ve ever had"'),  # an apostrophe inside
        ("\u201cboat sailing\u201d", '"boat sailing"'),
        ("+merlin boat", "merlin boat"),  # not "merlin, and boat where it is"
        ("+merlin +boat", "merlin boat"),
        ('+"sailing boat" merlin', '"sailing boat" merlin'),
        ("+(merlin OR knitr) boat", "(merlin OR knitr) boat"),
        ("Title:merlin", "title:merlin"),  # a phone's capital
        ("TITLE:merlin", "title:merlin"),
        ("year:2020", "date:2020"),
        ("intitle:merlin", "title:merlin"),
        ("site:knitr", "knitr"),  # another search box's prefix: its value is searched
        ("author:knitr chunks", "knitr chunks"),
        ("-url:knitr markdown", "-knitr markdown"),
        ("year:>=2020-08", "date:>=2020-08"),
        ("date:2020-02..2020-04", "date:[2020-02 TO 2020-04]"),
        ("date:2020-08..", "date:>=2020-08"),
        ("date:..2020-02", "date:<=2020-02"),
        ("(date:..2020-02)", "date:<=2020-02"),
        ("2020-02", "date:2020-02"),  # no post holds the words: the posts of the month
        ("2020-08-02", "date:2020-08-02"),
        ("2020-08..2020-09", "date:[2020-08 TO 2020-09]"),
        ("sailing 2020-08", "sailing date:2020-08"),
        ("2020-02-30", "nosuchword"),  # no such day: words
        ("sail\u00ading", "sailing"),  # a soft hyphen pasted from a page
        ("sail\u200bing boat", "sailing boat"),  # a zero-width space
        ("\uff53\uff41\uff49\uff4c\uff49\uff4e\uff47", "sailing"),  # full-width
        ("\uff02sailing boat\uff02", '"sailing boat"'),
        ("\ufb01nd", "find"),  # a ligature
    ],
)
def test_typed_syntax_is_read_as_ours(typed: searcher.Index, text: str, same_as: str) -> None:
    expected = typed.search(same_as, limit=50)
    found = typed.search(text, limit=50)
    assert (found.total, paths(found)) == (expected.total, paths(expected))


def test_a_plus_requires_its_word_and_no_other_becomes_optional(typed: searcher.Index) -> None:
    assert typed.search("+merlin knitr").total == 0  # no post holds both
    assert typed.search("+knitr").total == typed.search("knitr").total > 0


@pytest.mark.parametrize(
    "text", ["users\u2019 guide", "it\u2019s", "\u2018", "\u201c\u201d", "date:.."]
)
def test_lone_typographic_quotes_and_dots_are_punctuation(typed: searcher.Index, text: str) -> None:
    try:
        typed.search(text)
    except UsageError as exc:
        assert "\n" not in str(exc) and "list index" not in str(exc)


@pytest.mark.parametrize("code", ["FR", "fr-FR", "fr_fr", " fr "])
def test_a_language_is_found_however_its_code_is_written(owner: searcher.Index, code: str) -> None:
    french = paths(owner.search("lang:fr", limit=50))
    assert french
    assert paths(owner.search(f"lang:{code.strip()}", limit=50)) == french
    assert paths(owner.search(f"language:{code.strip()}", limit=50)) == french
    assert sorted(paths(owner.search(lang=code, limit=50))) == sorted(french)


@pytest.mark.parametrize("text", ["the", "The", "is all we", "I've", "to be or not to be"])
def test_a_query_of_stop_words_finds_the_posts_holding_them(
    typed: searcher.Index, text: str
) -> None:
    """English drops these words from titles and bodies: they are found in the words field
    (they found no English post at all)."""

    def words(value: str) -> set[str]:
        return set(re.findall(r"[^\W_]+", value.lower()))

    holding = {f"_posts/{name}" for name, (title, _lang, body) in POSTS.items()
               if words(text) <= words(f"{title} {body}")}  # fmt: skip
    assert set(paths(typed.search(text, limit=50))) == holding
    assert holding or text == "to be or not to be"


def test_words_joined_by_colons_are_found_side_by_side(typed: searcher.Index) -> None:
    """std::vec is std and vec side by side, as node.js is node and js: not both anywhere."""
    assert typed.search("js create").total > 0
    assert typed.search("js::create").total == 0
    assert typed.search("create::js").total == typed.search('"create js"').total > 0


def test_a_tag_in_typographic_quotes_is_the_tag(owner: searcher.Index) -> None:
    tagged = paths(owner.search(tags="open source", limit=50))
    assert tagged
    assert paths(owner.search("tag:\u201copen source\u201d", limit=50)) == tagged


def test_a_tag_of_latin_and_cjk_letters_is_one_tag(tmp_path: Path) -> None:
    """CJK against Latin letters is split in words, as the tokenizer splits it; a tag is
    one term, and tag:Web開発 found the posts tagged "web" holding 開発 instead."""
    source = tmp_path / "site" / "_posts"
    source.mkdir(parents=True)
    posts = {"2020-01-01-a.md": "Web開発", "2020-01-02-b.md": "web", "2020-01-03-c.md": "開発"}
    for name, tag in posts.items():
        (source / name).write_text(f"---\ntitle: {name}\ntags: [{tag}]\n---\nWeb 開発\n")
    with searcher.open_index(build_index([source.parent], tmp_path / "index")) as index:
        for text in ["tag:Web開発", "tag:web開発", 'tag:"Web開発"', "tags:Web開発"]:
            assert paths(index.search(text)) == ["_posts/2020-01-01-a.md"], text
        assert index.search("-tag:Web開発 web").total == 2


@pytest.mark.parametrize("text", ["date:[0001 TO 9999]", "date:9999", "date:>9999 ruby"])
def test_a_date_at_the_calendars_end_is_a_clear_error(owner: searcher.Index, text: str) -> None:
    try:
        owner.search(text)
    except QuerySyntaxError as exc:
        assert "date" in str(exc) and "\n" not in str(exc)


def test_dates_are_read_on_an_index_of_several_segments(tmp_path: Path) -> None:
    """An incremental run adds a segment; Whoosh's column reader over several segments is
    falsy, and the date column was then taken for absent: no post had a date."""
    source = tmp_path / "site" / "_posts"
    source.mkdir(parents=True)
    (source / "2011-01-01-one.md").write_text("---\ntitle: One\n---\nFirst.\n")
    index_dir = build_index([source.parent], tmp_path / "index")
    (source / "2012-01-01-two.md").write_text("---\ntitle: Two\n---\nSecond.\n")
    build_index([source.parent], index_dir)
    with searcher.open_index(index_dir) as index:
        assert len(list(index._current().searcher.reader().leaf_readers())) == 2
        assert index.search("date:[2000 TO 2100]").total == 2
        assert index.search(since="2012").total == 1
        assert [h.title for h in index.search(sort="date", since="2000").hits] == ["Two", "One"]


_SIMPLE_WORDS = st.lists(
    st.one_of(st.sampled_from(["AND", "OR", "NOT", "and", "x", "2011", "Ruby", "脆弱性",
                               "LaTeX中文", "уязвимость", "\uff52\uff55\uff42\uff59"]),
              st.text(alphabet="aZ09 -?()\"é:*_中文かナ한ж²\u0301\u3000", min_size=1, max_size=6)),
    min_size=1,
    max_size=MAX_WORDS + 3,
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(words=_SIMPLE_WORDS)
@example(words=["x"] * MAX_WORDS)
@example(words=["x"] * (MAX_WORDS + 1))
@example(words=["ruby", "AND"])
@example(words=["rust", "中文"])
@example(words=["rust中文"])
def test_repair_leaves_alone_what_it_would_give_back(words: list[str]) -> None:
    """The shortcut for words of letters and digits (any script) gives what every repair
    gives."""
    text = " ".join(words)
    if unchanged(text):
        assert repaired(text) == text
    assert repair(text) == repaired(text)
