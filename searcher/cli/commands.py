"""The ``blogsearch`` command line: parse arguments, call the library, format the answer.

Every failure is turned into one ``Error: …`` line and an exit code here, once, in
:class:`_Group`: a library error's own code, 2 for usage errors (click's among them, without
their usage block), 1 for anything else. No command prints a traceback (unless
``BLOGSEARCH_DEBUG`` is set, for a bug report).
"""

from __future__ import annotations

import errno
import gc
import importlib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from searcher.cli.common import build, index_dir_option, ingest_options, no_geocode_option
from searcher.errors import BlogsearchError, UsageError
from searcher.models import MAX_SHARDS, Post, Skipped, Summary

# numpy's OpenBLAS starts a thread per core when imported, and they spin waiting for work: a
# command's arrays are small (no matrix product worth threads), and on two cores the spinning
# took CPU from the command itself (a query: 0.37 -> 0.24 s CPU). Indexer workers and Dask's
# (which sets the same for its own workers) inherit it. A user's own setting wins.
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")

# Commands defined elsewhere, imported when one of them runs (or --help lists them): a command
# imports what it needs when it needs it, so ``--version`` or ``query`` start in a fraction
# of the time that importing every command's libraries took (0.45 s of a 0.55 s query).
LAZY_COMMANDS = {
    "query": "searcher.cli.search:query_command",
    "near": "searcher.cli.search:near_command",
    "map": "searcher.cli.search:map_command",
    "complete": "searcher.cli.search:complete_command",
    "similar": "searcher.cli.search:similar_command",
    "stats": "searcher.cli.search:stats_command",
    "serve": "searcher.cli.serve:serve_command",
}


class _Group(click.Group):
    """Runs a command and turns every failure into one ``Error: …`` line and an exit code."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:  # fmt: skip
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:  # bad options of the group itself
            exc.ctx = None  # without a context, click prints the error line alone
            raise

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = LAZY_COMMANDS.get(cmd_name)
        if where is None or cmd_name in self.commands:
            return super().get_command(ctx, cmd_name)
        module, name = where.split(":")
        with _uncollected():
            command: click.Command = getattr(importlib.import_module(module), name)
        self.add_command(command, cmd_name)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BlogsearchError as exc:
            _fail(ctx, str(exc), exc.exit_code)
        except click.UsageError as exc:  # a command's arguments, or no such command
            exc.ctx = None
            raise
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # output piped into a closed reader: click leaves quietly
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(ctx, f"{where}{exc.strerror or exc}", 1)
        except Exception as exc:
            if os.environ.get("BLOGSEARCH_DEBUG"):
                raise
            _fail(ctx, f"unexpected {type(exc).__name__}: {exc} (a bug: please report it; "
                       "BLOGSEARCH_DEBUG=1 shows where)", 1)  # fmt: skip


@contextmanager
def _uncollected() -> Iterator[None]:
    """Import a command's libraries with the cyclic garbage collector paused, then freeze
    what exists: modules, classes and functions live as long as the process, and the
    collector walked them again and again while they were imported (about 90 passes, 5-10%
    of a search command) and in every full pass after, freeing nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _fail(ctx: click.Context, message: str, code: int) -> NoReturn:
    click.echo(f"Error: {' '.join(message.split())}", err=True)
    ctx.exit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="blogsearch")
def main() -> None:
    """Full-text and geographic search for blog archives."""


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Content root the post's path is relative to (default: guessed from _posts/, content/).",
)
@no_geocode_option
def inspect(file: Path, as_json: bool, root: Path | None, geocode: bool) -> None:
    """Show what the indexer sees for one post: its normalised record and warnings.

    Given a WordPress export (.xml), each of its items (with --json: one list)."""
    from searcher import api
    from searcher.cli.render import echo_json

    root = root.resolve() if root else api.content_root(file)
    records = list(api.read_source_file(file.resolve(), root, geocode=geocode))
    if as_json and file.suffix.lower() == ".xml":  # one document: the list of its items
        echo_json([_as_dict(record) for record in records])
        return
    for record in records:
        _inspected(record, as_json)


def _as_dict(record: Post | Skipped) -> dict[str, Any]:
    if isinstance(record, Skipped):
        return {"path": record.path, "skipped": record.reason}
    return record.to_dict()


def _inspected(record: Post | Skipped, as_json: bool) -> None:
    from searcher.cli.render import echo_json, print_post

    if isinstance(record, Skipped):
        if as_json:
            echo_json({"path": record.path, "skipped": record.reason})
        else:
            click.echo(f"{record.path}: skipped ({record.reason})")
        return
    if as_json:
        echo_json(record.to_dict())
    else:
        print_post(record)


@main.command()
@click.argument(
    "sources", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="[SOURCE]..."
)
@ingest_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON record per line.")
@click.option("--quiet", "-q", is_flag=True, help="Only the summary.")
def scan(
    sources: tuple[Path, ...],
    drafts: bool,
    max_bytes: int,
    geocode: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Read every post of SOURCE folders or WordPress exports, without indexing them.

    Prints each post's warnings (or every record with --json), the files and folders
    skipped with their reason, and a summary.
    """
    from searcher import api
    from searcher.cli.render import print_skipped, print_summary, print_warnings

    summary = Summary()
    paths = list(sources) or [Path("content")]
    found = api.scan(paths, drafts=drafts, max_bytes=max_bytes, summary=summary,
                        geocode=geocode)  # fmt: skip
    for post in found:
        if as_json:
            click.echo(json.dumps(post.to_dict(), ensure_ascii=False))
        elif not quiet and post.warnings:
            print_warnings(post)
    if not quiet:
        print_skipped(summary)
    print_summary(summary, stream=sys.stderr if as_json else sys.stdout)


@main.command("index")
@click.argument(
    "sources", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="[SOURCE]..."
)
@index_dir_option
@ingest_options
@click.option(
    "--drop-private-locations",
    is_flag=True,
    help="Never store coordinates their author marked private (for public deployments).",
)
@click.option("--rebuild", is_flag=True, help="Start from scratch instead of updating.")
@click.option("--watch", is_flag=True, help="Keep the index current as files change.")
@click.option(
    "--shards",
    type=click.IntRange(1, MAX_SHARDS),
    metavar="N",
    help="Build N shards in parallel on a Dask cluster (see docs/sharding.md).",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    help="Dask scheduler to build shards on (default: worker processes on 127.0.0.1).",
)
@click.option("--quiet", "-q", is_flag=True, help="Only the final line.")
@click.option(
    "--verbose", "-v", is_flag=True, help="Every warning, post by post, and every file skipped."
)
def index_command(
    sources: tuple[Path, ...],
    index_dir: Path | None,
    drafts: bool,
    max_bytes: int,
    geocode: bool,
    drop_private_locations: bool,
    rebuild: bool,
    watch: bool,
    shards: int | None,
    scheduler: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build or update the index from SOURCE folders or WordPress exports (default: ./content).

    Only files added or changed since the last run are read; posts of deleted files go.
    A sharded index (--shards) is updated shard by shard; it keeps its number of shards
    unless given another.
    """
    from searcher import api
    from searcher.cli.render import print_report

    paths = list(sources) or [api.DEFAULT_SOURCE]
    target = index_dir or api.default_index_dir()
    options = api.BuildOptions(drafts, max_bytes, drop_private_locations, geocode)
    layout = api.read_layout(target)
    shards = shards or (layout.shards if layout else None)
    if shards is not None:
        if watch:
            raise UsageError("--watch does not work with a sharded index yet")
        report: Any = api.build_shards(paths, target, options, shards=shards, scheduler=scheduler,
                                     rebuild=rebuild)  # fmt: skip
    elif scheduler:
        raise UsageError("--scheduler needs --shards")
    else:
        report = build(paths, target, options, quiet=quiet, rebuild=rebuild, verbose=verbose)
    print_report(report, quiet=quiet)
    if watch:
        click.echo(f"Watching {', '.join(map(str, paths))} (Ctrl-C to stop)…", err=True)
        for update in api.watch(paths, target, options):
            print_report(update, quiet=True)
