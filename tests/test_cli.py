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
