"""Options and helpers the ``blogsearch`` commands share (only the CLI modules know click)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from searcher.errors import BlogsearchError, IndexMissing
from searcher.models import DEFAULT_MAX_BYTES, Post

if TYPE_CHECKING:  # the library is imported by the command that runs, when it runs
    from searcher import api
    from searcher.api import Index

F = TypeVar("F", bound=Callable[..., Any])


def ingest_options(func: F) -> F:
    func = click.option(
        "--drafts", is_flag=True, help="Include drafts (_drafts/, draft: true, unpublished)."
    )(func)
    func = click.option(
        "--max-size",
        "max_bytes",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_BYTES,
        show_default=True,
        help="Skip post files larger than this many bytes.",
    )(func)
    func = no_geocode_option(func)
    return func


def no_geocode_option(func: F) -> F:
    return click.option(
        "--no-geocode",
        "geocode",
        is_flag=True,
        flag_value=False,
        default=True,
        help="Do not place posts that only name a place (location: Berlin) with the gazetteer.",
    )(func)


def index_dir_option(func: F) -> F:
    return click.option(
        "--index-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Index folder (default: $BLOGSEARCH_INDEX or ./index).",
    )(func)


def audience_option(func: F) -> F:
    return click.option(
        "--audience",
        type=click.Choice(["owner", "public"]),
        default="owner",
        show_default=True,
        help="owner sees private locations (marked as such); public never does.",
    )(func)


def paging(func: F) -> F:
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


def geo_options(func: F) -> F:
    """--radius, --bbox and --within: the filters every geo-aware command takes."""
    func = click.option(
        "--radius", help="Only posts within this distance: 20 (km), 20km, 500m, 5mi."
    )(func)
    func = click.option(
        "--bbox", help="Only posts inside S,W,N,E (W > E crosses the 180th meridian)."
    )(func)
    func = click.option(
        "--within",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Only posts inside a GeoJSON Polygon/MultiPolygon or WKT file.",
    )(func)
    return func


def output_options(func: F) -> F:
    func = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(func)
    func = click.option(
        "--geojson", is_flag=True, help="Print the hits as a GeoJSON FeatureCollection."
    )(func)
    return func


def build(
    paths: list[Path],
    target: Path,
    options: api.BuildOptions,
    *,
    quiet: bool,
    rebuild: bool = False,
    verbose: bool = False,
) -> api.BuildReport:
    """Build or update with a progress bar on a terminal and warnings on stderr."""
    from searcher import api
    from searcher.cli.render import build_progress, print_skipped, print_warnings

    with build_progress(enabled=not quiet) as bar:

        def on_plan(count: int, why: str | None) -> None:
            if why and why != "no index yet" and not quiet:
                click.echo(f"{why[0].upper()}{why[1:]}.", err=True)
            bar.start(count)

        def on_post(post: Post) -> None:
            bar.advance()
            if verbose and post.warnings:
                print_warnings(post)

        def on_wait() -> None:
            click.echo(f"Another blogsearch index is writing {target}/; waiting for it…", err=True)

        report = api.build_index(paths, target, options, rebuild=rebuild, progress=on_post,
                               on_wait=on_wait, on_plan=on_plan)  # fmt: skip
    if verbose:
        print_skipped(report.summary)
    return report


def open_or_build(index_dir: Path | None, audience: str) -> Index:
    """Open the index; on a fresh checkout, build the default one from ./content first."""
    from searcher import api

    target = index_dir or api.default_index_dir()
    try:
        return api.open_index(target, audience=audience)
    except IndexMissing:
        if index_dir is not None or not api.DEFAULT_SOURCE.is_dir():
            raise
    click.echo(f"No index yet: building {target}/ from {api.DEFAULT_SOURCE}/ …", err=True)
    report = build([api.DEFAULT_SOURCE], target, api.BuildOptions(), quiet=True)
    click.echo(f"indexed {report.indexed} posts", err=True)
    return api.open_index(target, audience=audience)


class WordsCommand(click.Command):
    """A command whose TEXT may hold ``-word`` exclusions, as the query language writes
    them: ``blogsearch query ruby -rails`` (click read ``-rails`` as options -r -a…: "No
    such option '-r'"). An unknown ``--option`` before any ``--`` is still an error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        settings = kwargs.setdefault("context_settings", {})
        settings["ignore_unknown_options"] = True  # -rails is a word
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        known = [name for param in self.get_params(ctx) for name in getattr(param, "opts", ())
                 if name.startswith("--")]  # fmt: skip
        for arg in itertools.takewhile(lambda a: a != "--", args):
            name = arg.split("=", 1)[0]
            if len(name) > 2 and name.startswith("--") and name not in known:
                import difflib  # only for this error: startup imports no more

                close = difflib.get_close_matches(name, known, n=3)
                raise click.NoSuchOption(name, possibilities=close, ctx=ctx)
        return super().parse_args(ctx, args)


def fail_usage(exc: BlogsearchError) -> None:
    """A library usage error raised while reading arguments: one line, exit code 2."""
    raise click.UsageError(str(exc))


def filter_options(func: F) -> F:
    """--tag, --category, --any-tag, --lang, --since, --until, --has-location, --facets."""
    options = [
        click.option("--tag", "tags", multiple=True, help="Only posts with this tag (each one)."),
        click.option("--any-tag", is_flag=True, help="With several --tag: any of them will do."),
        click.option("--category", "categories", multiple=True,
                     help="Only posts in this category (repeatable: all)."),
        click.option("--lang", "langs", multiple=True, help="Only posts in this language: fr, de…"),
        click.option("--since", help="Only posts from this date on: 2011, 2011-03, 2011-03-01."),
        click.option("--until", help="Only posts up to this date: 2011, 2011-03, 2011-03-01."),
        click.option("--has-location", is_flag=True, help="Only posts with a place on the map."),
        click.option("--facets", is_flag=True, help="Count hits by tag, category, year, language."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def filter_kwargs(params: dict[str, Any]) -> dict[str, Any]:
    """The API keyword arguments of the filter options among a command's parameters."""
    return {
        "tags": params["tags"],
        "categories": params["categories"],
        "any_tag": params["any_tag"],
        "lang": params["langs"],
        "since": params["since"],
        "until": params["until"],
        "has_location": params["has_location"],
        "facets": params["facets"],
    }
