"""The command line, driven in-process with click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONTENT, FIXTURES, GOLDEN

from searcher.cli import main


@pytest.fixture
def run() -> CliRunner:
    return CliRunner()


def test_inspect_json_has_the_documented_keys(run: CliRunner) -> None:
    result = run.invoke(
        main, ["inspect", str(CONTENT / "_posts/2011-03-01-cloud-paris.md"), "--json"]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert list(record) == [
        "path", "title", "date", "tags", "categories", "lang", "url", "draft", "location", "text",
        "warnings",
    ]  # fmt: skip
    assert record["path"] == "_posts/2011-03-01-cloud-paris.md"
    assert record["location"]["public"] is False and record["lang"] == "fr"


def test_inspect_text_shows_warnings(run: CliRunner) -> None:
    result = run.invoke(main, ["inspect", str(GOLDEN / "2019-05-04-broken-yaml.md")])
    assert result.exit_code == 0
    assert "warning" in result.output and "front-matter" in result.output
    assert "2019-05-04" in result.output


def test_inspect_skipped_file(run: CliRunner, tmp_path: Path) -> None:
    binary = tmp_path / "x.md"
    binary.write_bytes(b"\x00\x01")
    result = run.invoke(main, ["inspect", str(binary)])
    assert (result.exit_code, result.output.strip()) == (0, "x.md: skipped (binary file)")


def test_scan_summary(run: CliRunner) -> None:
    result = run.invoke(main, ["scan", str(CONTENT)])
    assert result.exit_code == 0
    assert "16 files read, 15 posts, 1 drafts left out, 0 skipped" in result.output


def test_scan_with_warnings_still_exits_zero(run: CliRunner) -> None:
    result = run.invoke(main, ["scan", str(GOLDEN)])
    assert result.exit_code == 0
    assert "2019-05-04-broken-yaml.md: front-matter" in result.output
    assert "warning     2  bad-coordinates" in result.output


def test_scan_json_lines(run: CliRunner) -> None:
    result = run.invoke(main, ["scan", str(CONTENT), "--json", "--drafts"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 17 and all("path" in line for line in lines)


def test_scan_refuses_xml_bomb_without_failing(run: CliRunner) -> None:
    result = run.invoke(main, ["scan", str(FIXTURES / "bomb.xml")])
    assert result.exit_code == 0 and "refused unsafe XML" in result.output


@pytest.mark.parametrize(
    "args",
    [["scan", "/nonexistent/folder"], ["inspect", "/nonexistent.md"], ["scan", "--max-size", "0"]],
)
def test_unusable_arguments_exit_2(run: CliRunner, args: list[str]) -> None:
    result = run.invoke(main, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_every_command_has_help(run: CliRunner) -> None:
    for name, command in main.commands.items():
        assert command.help, name
        assert run.invoke(main, [name, "--help"]).exit_code == 0


# --- index, query, near, stats -----------------------------------------------------------


def test_index_then_query_json(run: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "ix"
    built = run.invoke(main, ["index", str(CONTENT), "--index-dir", str(target)])
    assert built.exit_code == 0, built.output
    assert "indexed 15 posts" in built.output
    result = run.invoke(main, ["query", "cloud paris", "--json", "--index-dir", str(target)])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert list(data) == ["query", "total", "hits"]
    hit = data["hits"][0]
    assert list(hit) == ["path", "title", "url", "date", "tags", "categories", "lang", "score",
                         "snippet", "location", "distance_km"]  # fmt: skip
    assert hit["path"] == "_posts/2011-03-01-cloud-paris.md"
    assert hit["location"]["public"] is False  # the CLI's owner audience marks it private


def test_index_dir_from_environment(run: CliRunner, tmp_path: Path) -> None:
    env = {"BLOGSEARCH_INDEX": str(tmp_path / "env-ix")}
    assert run.invoke(main, ["index", str(CONTENT), "-q"], env=env).exit_code == 0
    result = run.invoke(main, ["stats", "--json"], env=env)
    assert json.loads(result.output)["posts"] == 15


def test_first_query_on_a_fresh_checkout_builds_the_index(
    run: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    shutil.copytree(CONTENT, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BLOGSEARCH_INDEX", raising=False)
    result = run.invoke(main, ["query", "cloud paris"])
    assert result.exit_code == 0, result.output
    assert "No index yet: building index/ from content/" in result.stderr
    assert "Cloud computing : trois jours de conférence à Paris" in result.stdout
    assert (tmp_path / "index").is_dir()
    again = run.invoke(main, ["query", "cloud paris"])
    assert "No index yet" not in again.stderr


def test_near_text_output(run: CliRunner, content_index: Path) -> None:
    result = run.invoke(
        main, ["near", "43.48", "3.67", "--limit", "2", "--index-dir", str(content_index)]
    )
    assert result.exit_code == 0
    assert (
        "Cloud computing" in result.output
        and "away" in result.output
        and "(private)" in result.output
    )


def test_near_negative_coordinates_are_not_options(run: CliRunner, content_index: Path) -> None:
    result = run.invoke(
        main, ["near", "-17.7", "-179.95", "--json", "--index-dir", str(content_index)]
    )
    assert result.exit_code == 0, result.output
    assert (
        json.loads(result.output)["hits"][0]["path"] == "posts/ferry-across-the-date-line/index.md"
    )


def test_stats_text(run: CliRunner, content_index: Path) -> None:
    result = run.invoke(main, ["stats", "--index-dir", str(content_index)])
    assert result.exit_code == 0 and "15 posts, 11 located (2 private)" in result.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["query", ""], 2, "empty query"),
        (["query", '"cloud'], 2, "unbalanced quote"),
        (["query", "date:yesterday"], 2, "not a date"),
        (["near", "95", "0"], 2, "latitude 95"),
        (["near", "abc", "3"], 2, "not a number"),
        (["query", "x", "--limit", "0"], 2, "limit"),
    ],
)
def test_errors_are_one_line(
    run: CliRunner, content_index: Path, args: list[str], code: int, message: str
) -> None:
    result = run.invoke(main, [*args, "--index-dir", str(content_index)])
    assert result.exit_code == code
    assert message in result.output and "Traceback" not in result.output


def test_missing_index_exits_1(run: CliRunner, tmp_path: Path) -> None:
    result = run.invoke(main, ["query", "cloud", "--index-dir", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: no index in")
