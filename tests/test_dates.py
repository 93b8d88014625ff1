"""Dates at the edges of every form they take: front matter, UTC, the numeric column and its
trie terms, year facets, stats, and the dates users ask for (CLI, API, web).

A date that cannot be stored (beyond year 1-9999 once in UTC) is a broken value: the post is
indexed without it, with a warning, and the run goes on.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

import searcher
from searcher import web
from searcher.cli.commands import main
from searcher.errors import QuerySyntaxError
from searcher.indexing import indexer, schema
from searcher.ingest import fields
from searcher.ingest.reader import read_text, scan

# each cannot be stored: a year 0 or 10000 once in UTC
UNSTORABLE = [
    ("md", "date: 9999-12-31T23:59:59-14:00"),
    ("md", "date: 0001-01-01T00:00:00+14:00"),
    ("md", "date: '9999-12-31 23:30:00 -01:00'"),
    ("md", "date: 0001-01-01T00:59:59.999999+01:00"),
    ("md", "date: 9999-12-31T23:59:59.5-00:01"),
    ("md", 'date: "Fri, 31 Dec 9999 23:59:59 -1400"'),
    ("md", 'date: "Mon, 01 Jan 0001 00:00:00 +0100"'),
    ("toml", "date = 9999-12-31T23:59:59-14:00"),
    ("toml", "date = 0001-01-01T00:00:00+00:01"),
    ("json", '"date": "9999-12-31T23:59:59-14:00"'),
    ("json", '"date": "0001-01-01T00:00:00+14:00"'),
]
# each can: the very first and last moments, and offsets that keep within the years
EDGES = [
    ("date: 0001-01-01T00:00:00", "0001-01-01T00:00:00"),
    ("date: 0001-01-01T00:00:00-01:00", "0001-01-01T00:00:00-01:00"),
    ("date: 9999-12-31T23:59:59.999999", "9999-12-31T23:59:59.999999"),
    ("date: 9999-12-31T10:00:00+14:00", "9999-12-31T10:00:00+14:00"),
    ("date: 9999-12-31", "9999-12-31T00:00:00"),
]


def _front(kind: str, line: str) -> str:
    if kind == "toml":
        return f'+++\ntitle = "T"\n{line}\n+++\nbody words\n'
    if kind == "json":
        return f'{{\n"title": "T",\n{line}\n}}\nbody words\n'
    return f"---\ntitle: T\n{line}\n---\nbody words\n"


@pytest.mark.parametrize(("kind", "line"), UNSTORABLE)
def test_an_unstorable_date_is_a_warning_and_the_run_goes_on(
    tmp_path: Path, kind: str, line: str
) -> None:
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    (posts / "2011-03-01-bad.md").write_text(_front(kind, line))
    (posts / "2012-01-01-good.md").write_text("---\ntitle: Good\n---\nbody words\n")
    scanned = {p.path: p for p in scan([posts.parent])}
    bad = scanned["_posts/2011-03-01-bad.md"]
    assert bad.date == dt.datetime(2011, 3, 1)  # from the file name, as for any broken date
    assert [w.reason for w in bad.warnings] == ["bad-date"]
    assert "out of range" in bad.warnings[0].message
    report = indexer.build([posts.parent], tmp_path / "index")
    assert report.indexed == 2 and report.summary.warnings["bad-date"] == 1
    (posts / "2013-01-01-new.md").write_text("---\ntitle: New\n---\nbody words\n")
    assert indexer.build([posts.parent], tmp_path / "index").indexed == 1  # later runs too


@pytest.mark.parametrize(("line", "shown"), EDGES)
def test_the_first_and_last_storable_moments_are_kept(
    tmp_path: Path, line: str, shown: str
) -> None:
    post = read_text(_front("md", line), "_posts/x.md")
    assert post.warnings == () and post.date is not None
    assert post.date.isoformat() == shown


def test_dates_at_both_ends_are_searched_sorted_faceted_and_counted(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for name, line in [
        ("first", "date: 0001-01-01T00:00:00"),
        ("last", "date: 9999-12-31T23:59:59.999999"),
        ("late", "date: 9999-12-31T10:00:00+14:00"),
        ("middle", "date: 2011-03-01"),
        ("undated", "title: Undated"),
    ]:
        (site / f"{name}.md").write_text(_front("md", line))
    indexer.build([site], tmp_path / "index")
    with searcher.open_index(tmp_path / "index") as index:

        def found(**kwargs: object) -> list[str]:
            results = index.search("body", limit=10, **kwargs)  # type: ignore[arg-type]
            return [hit.path for hit in results.hits]

        assert found(sort="date")[:4] == ["last.md", "late.md", "middle.md", "first.md"]
        assert found(since="9999") == ["last.md", "late.md"]
        assert found(since="9999-12-31") == ["last.md"]  # "late" is on the 30th in UTC
        assert found(until="0001") == found(until="0001-01-01") == ["first.md"]
        assert set(found(until="9999-12")) == {"first.md", "middle.md", "last.md", "late.md"}
        assert found(since="0001", until="0001-01") == ["first.md"]
        for text, expected in [
            ("date:9999", {"last.md", "late.md"}),
            ("date:0001-01-01", {"first.md"}),
            ("date:>9999", set()),  # after the last moment: nothing, and no overflow
            ("date:<0001", set()),  # before the first one
            ("date:{9999-12-31 TO 9999]", set()),
            ("date:{0001 TO 9999}", {"middle.md"}),
            ("date:>=9999-12-31", {"last.md"}),
            ("date:<0001-01-02", {"first.md"}),
        ]:
            assert {hit.path for hit in index.search(text, limit=10).hits} == expected, text
        facets = index.search("body", facets=True).facets
        assert facets is not None and facets["years"] == {"9999": 2, "2011": 1, "1": 1}
        stats = index.stats()
    assert (stats.first_date, stats.last_date) == (
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59.999999",
    )


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("9999", (dt.datetime(9999, 1, 1), dt.datetime.max)),
        ("9999-12", (dt.datetime(9999, 12, 1), dt.datetime.max)),
        ("9999-12-31", (dt.datetime(9999, 12, 31), dt.datetime.max)),
        ("0001", (dt.datetime.min, dt.datetime(1, 12, 31, 23, 59, 59, 999999))),
        ("2012-02", (dt.datetime(2012, 2, 1), dt.datetime(2012, 2, 29, 23, 59, 59, 999999))),
    ],
)
def test_partial_date_spans_reach_the_ends_of_time(
    text: str, span: tuple[dt.datetime, dt.datetime]
) -> None:
    assert schema.partial_date_span(text) == span


@pytest.mark.parametrize("text", ["0000", "0000-01-01", "2011-13", "2011-02-30", "10000"])
def test_impossible_partial_dates_are_refused(text: str) -> None:
    with pytest.raises(QuerySyntaxError, match="not a date"):
        schema.partial_date_span(text)


@settings(max_examples=300)
@given(st.from_regex(r"\A[0-9]{4}([-/.][0-9]{1,2}([-/.][0-9]{1,2})?)?\Z"))
def test_any_partial_date_is_a_span_or_a_clear_error(text: str) -> None:
    try:
        start, end = schema.partial_date_span(text)
    except QuerySyntaxError:
        return
    assert start <= end


@settings(max_examples=300)
@given(
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59)),
    st.integers(-14 * 60, 14 * 60),
)
def test_any_parsed_date_is_stored_or_warned_about(moment: dt.datetime, minutes: int) -> None:
    aware = moment.replace(tzinfo=dt.timezone(dt.timedelta(minutes=minutes)))
    for text in (aware.isoformat(), aware.strftime("%a, %d %b %Y %H:%M:%S %z")):
        post = read_text(f"---\ndate: '{text}'\n---\nx\n", "_posts/x.md")
        if post.date is not None:  # stored as Whoosh stores it, in UTC
            schema.document(post)
            assert fields.storable(post.date)
        else:
            assert [w.reason for w in post.warnings] == ["bad-date"]


@pytest.fixture(scope="module")
def dated_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("dated-site")
    (site / "p.md").write_text(_front("md", "date: 9999-12-31"))
    return indexer.build([site], tmp_path_factory.mktemp("dated-index")).index_dir


@pytest.mark.parametrize("option", [["--since", "9999"], ["--until", "9999-12"],
                                    ["--since", "9999-12-31"], ["--until", "0001"]])  # fmt: skip
def test_cli_dates_at_the_ends_answer_cleanly(dated_index: Path, option: list[str]) -> None:
    result = CliRunner().invoke(main, ["query", "x", *option, "--index-dir", str(dated_index)])
    assert result.exit_code == 0 and "Traceback" not in result.output


@pytest.mark.parametrize(
    "params",
    [{"since": "9999"}, {"until": "9999-12"}, {"since": "9999-12-31"}, {"until": "0001"},
     {"q": "date:>9999"}, {"q": "date:<0001-01"}, {"since": "0000"}],
)  # fmt: skip
def test_web_dates_at_the_ends_answer_cleanly(dated_index: Path, params: dict[str, str]) -> None:
    with searcher.open_index(dated_index) as index:
        response = TestClient(web.create_app(index)).get("/api/search", params={"q": "x", **params})
    assert response.status_code in (200, 400), response.text
    assert response.status_code == 200 or "not a date" in response.json()["error"]


def test_an_unstorable_export_date_is_a_warning_too(tmp_path: Path) -> None:
    export = tmp_path / "export.xml"
    export.write_text(
        '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        "<item><title>Late</title><pubDate>Fri, 31 Dec 9999 23:59:59 -1400</pubDate>"
        "<wp:post_id>1</wp:post_id><wp:post_name>late</wp:post_name></item>"
        "<item><title>Early</title><wp:post_date_gmt>0001-01-01 00:00:00</wp:post_date_gmt>"
        "<wp:post_id>2</wp:post_id><wp:post_name>early</wp:post_name></item>"
        "</channel></rss>"
    )
    posts = {post.path: post for post in scan([export])}
    late, early = posts["export.xml/late"], posts["export.xml/early"]
    assert late.date is None and [w.reason for w in late.warnings] == ["bad-date"]
    assert early.date == dt.datetime(1, 1, 1, tzinfo=dt.UTC) and early.warnings == ()
    assert indexer.build([export], tmp_path / "index").indexed == 2
