"""Text output shows what was asked for: facets, and which filters found nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONTENT

from searcher.cli.commands import main

CLOUD = "_posts/2011-03-01-cloud-paris.md"


@pytest.fixture
def run() -> CliRunner:
    return CliRunner()


def _query(run: CliRunner, index: Path, *args: str) -> str:
    result = run.invoke(main, ["query", *args, "--index-dir", str(index)])
    assert result.exit_code == 0, result.output
    return result.output


def test_facets_are_printed_as_text(run: CliRunner, content_index: Path) -> None:
    out = _query(run, content_index, "--tag", "cloud", "--facets")
    assert "tags" in out and "years" in out and "languages" in out
    assert "2011 (1)" in out and "fr (1)" in out


def test_facets_follow_the_hits_of_a_text_query(run: CliRunner, content_index: Path) -> None:
    out = _query(run, content_index, "cloud", "--facets")
    assert out.index("1. ") < out.index("years")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--tag", "nosuchtag"], "tag 'nosuchtag'"),
        (["--category", "nosuchcategory"], "category 'nosuchcategory'"),
        (["--since", "2099"], "since 2099"),
        (["--until", "1900"], "until 1900"),
        (["--tag", "cloud", "--tag", "nosuchtag"], "tag 'nosuchtag'"),
    ],
)
def test_a_filter_that_matches_nothing_is_named(
    run: CliRunner, content_index: Path, args: list[str], said: str
) -> None:
    out = _query(run, content_index, *args)
    assert said in out and "matches no post" in out
    assert "No posts match ." not in out


def test_filters_that_match_only_apart_are_named_together(
    run: CliRunner, content_index: Path
) -> None:
    out = _query(run, content_index, "--tag", "cloud", "--lang", "de")
    assert "tag 'cloud'" in out and "lang 'de'" in out and "together" in out


def test_a_text_query_with_no_hits_names_its_filters(run: CliRunner, content_index: Path) -> None:
    out = _query(run, content_index, "cloud", "--since", "2099")
    assert "cloud" in out and "since 2099" in out


def test_similar_takes_the_file_as_the_user_has_it(run: CliRunner, content_index: Path) -> None:
    result = run.invoke(main, ["similar", str(CONTENT / CLOUD), "--index-dir", str(content_index),
                               "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    result = run.invoke(main, ["similar", "nowhere/x.md", "--index-dir", str(content_index)])
    assert result.exit_code == 2 and "relative to the current folder" in result.output


def test_terminal_output_carries_no_control_characters_from_posts() -> None:
    """A title or snippet holding escape sequences or a bell cannot drive the terminal; on a
    terminal the hit is coloured, piped it is plain text."""
    import io

    from searcher.cli.render import print_results
    from searcher.models import Hit, Results

    hit = Hit(path="_posts/x.md", title="Owned\x1b[2J\x07 title", url="", date="2011-03-01",
              tags=("a\x1b]0;t\x07",), categories=(), lang="en", score=1.0,
              snippet="before <mark>word\x1b[31m</mark> after\r", location=None)  # fmt: skip
    results = Results(query="word", total=1, hits=(hit,))

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    piped, terminal = io.StringIO(), Terminal()
    print_results(results, piped)
    print_results(results, terminal)
    assert "Owned [2J  title" in piped.getvalue()  # each control character a space
    assert not any(c in piped.getvalue() for c in "\x1b\x07\r")
    shown = terminal.getvalue()
    assert "\x1b[1m" in shown  # the title in bold: our own styling reaches the terminal
    assert "\x1b[2J" not in shown and "\x07" not in shown and "\x1b]0;" not in shown
