"""The ``blogsearch`` command line: parse arguments, call the library, format the answer.

Library errors are turned into one ``Error: …`` line and the error's exit code here, once,
in :class:`_Group`; no command prints a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from searcher import indexer, ingest
from searcher.api import Index, open_index
from searcher.errors import BlogsearchError, IndexMissing
from searcher.models import Post
from searcher.render import (
    build_progress,
    echo_json,
    print_post,
    print_results,
    print_stats,
    print_summary,
    print_warnings,
)

F = TypeVar("F", bound=Callable[..., Any])


class _Group(click.Group):
    """Runs a command and turns a :class:`BlogsearchError` into ``Error: …`` and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BlogsearchError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="blogsearch")
def main() -> None:
    """Full-text and geographic search for blog archives."""


def _ingest_options(func: F) -> F:
    func = click.option(
        "--drafts", is_flag=True, help="Include drafts (_drafts/, draft: true, unpublished)."
    )(func)
    func = click.option(
        "--max-size",
        "max_bytes",
        type=click.IntRange(min=1),
        default=ingest.DEFAULT_MAX_BYTES,
        show_default=True,
        help="Skip post files larger than this many bytes.",
    )(func)
    return func


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Content root the post's path is relative to (default: guessed from _posts/, content/).",
)
def inspect(file: Path, as_json: bool, root: Path | None) -> None:
    """Show what the indexer sees for one post: its normalised record and warnings."""
    root = root.resolve() if root else ingest.content_root(file)
    record = ingest.read_file(file.resolve(), root, max_bytes=ingest.DEFAULT_MAX_BYTES)
    if isinstance(record, ingest.Skipped):
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
@_ingest_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON record per line.")
@click.option("--quiet", "-q", is_flag=True, help="Only the summary.")
def scan(
    sources: tuple[Path, ...], drafts: bool, max_bytes: int, as_json: bool, quiet: bool
) -> None:
    """Read every post of SOURCE folders or WordPress exports, without indexing them.

    Prints each post's warnings (or every record with --json) and a summary.
    """
    summary = ingest.Summary()
    paths = list(sources) or [Path("content")]
    for post in ingest.scan(paths, drafts=drafts, max_bytes=max_bytes, summary=summary):
        if as_json:
            click.echo(json.dumps(post.to_dict(), ensure_ascii=False))
        elif not quiet and post.warnings:
            print_warnings(post)
    print_summary(summary, stream=sys.stderr if as_json else sys.stdout)


def _index_dir_option(func: F) -> F:
    return click.option(
        "--index-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Index folder (default: $BLOGSEARCH_INDEX or ./index).",
    )(func)


def _audience_option(func: F) -> F:
    return click.option(
        "--audience",
        type=click.Choice(["owner", "public"]),
        default="owner",
        show_default=True,
        help="owner sees private locations (marked as such); public never does.",
    )(func)


@main.command("index")
@click.argument(
    "sources", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="[SOURCE]..."
)
@_index_dir_option
@_ingest_options
@click.option(
    "--drop-private-locations",
    is_flag=True,
    help="Never store coordinates their author marked private (for public deployments).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no per-post warnings.")
def index_command(
    sources: tuple[Path, ...],
    index_dir: Path | None,
    drafts: bool,
    max_bytes: int,
    drop_private_locations: bool,
    quiet: bool,
) -> None:
    """Build the index from SOURCE folders or WordPress exports (default: ./content)."""
    paths = list(sources) or [indexer.DEFAULT_SOURCE]
    target = index_dir or indexer.default_index_dir()
    options = indexer.BuildOptions(drafts, max_bytes, drop_private_locations)
    report = _build(paths, target, options, quiet=quiet)
    print_summary(report.summary)
    click.echo(f"indexed {report.indexed} posts into {target}/")


def _build(
    paths: list[Path], target: Path, options: indexer.BuildOptions, *, quiet: bool
) -> indexer.BuildReport:
    for path in paths:
        if not path.exists():
            raise click.BadParameter(f"{path} does not exist", param_hint="SOURCE")
    total = indexer.count_files(paths, drafts=options.drafts)
    with build_progress(total, enabled=not quiet) as advance:

        def on_post(post: Post) -> None:
            advance()
            if not quiet and post.warnings:
                print_warnings(post)

        return indexer.build(paths, target, options, progress=on_post)


def _open(index_dir: Path | None, audience: str) -> Index:
    """Open the index; on a fresh checkout, build the default one from ./content first."""
    target = index_dir or indexer.default_index_dir()
    try:
        return open_index(target, audience=audience)
    except IndexMissing:
        if index_dir is not None or not indexer.DEFAULT_SOURCE.is_dir():
            raise
    click.echo(f"No index yet: building {target}/ from {indexer.DEFAULT_SOURCE}/ …", err=True)
    report = _build([indexer.DEFAULT_SOURCE], target, indexer.BuildOptions(), quiet=True)
    click.echo(f"indexed {report.indexed} posts", err=True)
    return open_index(target, audience=audience)


def _paging(func: F) -> F:
    func = click.option(
        "--limit",
        type=click.IntRange(1, 1000),
        default=10,
        show_default=True,
        help="Hits per page.",
    )(func)
    func = click.option(
        "--page", type=click.IntRange(min=1), default=1, show_default=True, help="Page number."
    )(func)
    return func


@main.command("query")
@click.argument("text")
@_paging
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@_index_dir_option
@_audience_option
def query_command(
    text: str, limit: int, page: int, as_json: bool, index_dir: Path | None, audience: str
) -> None:
    """Search the index: words, "phrases", AND/OR/NOT, title: tag: category: lang: date:."""
    with _open(index_dir, audience) as index:
        results = index.search(text, limit=limit, page=page)
    if as_json:
        echo_json(results.to_dict())
    else:
        print_results(results)


class _Coordinate(click.ParamType):  # type: ignore[type-arg]
    """A latitude or longitude; bad values are usage errors with a one-line reason."""

    name = "coordinate"

    def __init__(self, axis: str) -> None:
        self.axis = axis

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        from searcher.geo import parse_coordinate

        try:
            return parse_coordinate(value, self.axis)  # type: ignore[arg-type]
        except BlogsearchError as exc:
            self.fail(str(exc), param, ctx)


@main.command("near", context_settings={"ignore_unknown_options": True})
@click.argument("lat", type=_Coordinate("lat"))
@click.argument("lon", type=_Coordinate("lon"))
@click.argument("text", required=False)
@click.option("--radius", help="Only posts within this distance: 20 (km), 20km, 500m, 5mi.")
@_paging
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@_index_dir_option
@_audience_option
def near_command(
    lat: float,
    lon: float,
    text: str | None,
    radius: str | None,
    limit: int,
    page: int,
    as_json: bool,
    index_dir: Path | None,
    audience: str,
) -> None:
    """Located posts nearest to LAT LON, nearest first; TEXT narrows them by keyword."""
    with _open(index_dir, audience) as index:
        results = index.near(lat, lon, text=text, radius_km=radius, limit=limit, page=page)
    if as_json:
        echo_json(results.to_dict())
    else:
        print_results(results)


@main.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@_index_dir_option
@_audience_option
def stats_command(as_json: bool, index_dir: Path | None, audience: str) -> None:
    """What the index holds: posts, places, languages, tags, dates, size."""
    with _open(index_dir, audience) as index:
        stats = index.stats()
    if as_json:
        echo_json(stats.to_dict())
    else:
        print_stats(stats)
