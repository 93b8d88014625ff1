"""docs/cli.md is the CLI's --help, command by command: it must never drift from the code."""

from __future__ import annotations

import os

import click
from click.testing import CliRunner
from conftest import ROOT

from searcher.cli.commands import main

REFERENCE = ROOT / "docs" / "cli.md"


def commands() -> dict[str, click.Command]:
    """Every command, those imported only when run among them (``main.commands`` holds those
    imported so far)."""
    ctx = click.Context(main)
    found = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    return {name: command for name, command in found.items() if command is not None}


def reference() -> str:
    runner = CliRunner()
    parts = [
        "# blogsearch command reference\n",
        "Generated from `--help` by `tests/test_docs.py` "
        "(`BLOGSEARCH_UPDATE_DOCS=1 pytest tests/test_docs.py` rewrites it).\n",
    ]
    for name in [None, *sorted(commands())]:
        args = ["--help"] if name is None else [name, "--help"]
        result = runner.invoke(main, args, prog_name="blogsearch", terminal_width=100)
        assert result.exit_code == 0, name
        title = "blogsearch" if name is None else f"blogsearch {name}"
        parts.append(f"## {title}\n\n```\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


def test_cli_reference_matches_the_help() -> None:
    text = reference()
    if os.environ.get("BLOGSEARCH_UPDATE_DOCS") or not REFERENCE.exists():
        REFERENCE.write_text(text)
    assert REFERENCE.read_text() == text, "docs/cli.md drifted: rerun with BLOGSEARCH_UPDATE_DOCS=1"


def test_every_command_and_option_has_help() -> None:
    for name, command in commands().items():
        assert command.help, name
        for param in command.params:
            if param.param_type_name == "option":
                assert getattr(param, "help", None), f"{name} {param.name}"
