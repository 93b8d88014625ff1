"""Search commands: query, near, map and stats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from searcher.api import SORTS, Center, Index, resolve_center
from searcher.cli.common import (
    WordsCommand,
    audience_option,
    filter_kwargs,
    filter_options,
    geo_options,
    index_dir_option,
    open_or_build,
    output_options,
    paging,
)
from searcher.cli.render import (
    echo_json,
    print_completions,
    print_results,
    print_stats,
    say_center,
    to_geojson,
)
from searcher.errors import InvalidCoordinates, OutputError, UsageError
from searcher.geo import parse_coordinate
from searcher.models import Results


def _shape(within: Path | None) -> Any:
    """The polygon of a ``--within`` file (shapely is imported only then)."""
    if within is None:
        return None
    from searcher.geo import shapes

    return shapes.load(within)


def _emit(results: Results, as_json: bool, geojson: bool, empty: str | None = None) -> None:
    if results.center and results.center[2]:
        say_center(Center(*results.center))
    if geojson:
        echo_json(to_geojson(results))
    elif as_json:
        echo_json(results.to_dict())
    else:
        print_results(results, empty=empty)


def _empty_filters(index: Index, results: Results, filters: dict[str, Any]) -> str | None:
    """For a search that found nothing: the filters that match no post on their own, or,
    when each matches some, that they match none together."""
    if results.total:
        return None
    given = _filters_given(filters)
    if not given:
        return None
    alone = [label for label, one in given if not index.search(limit=1, **one).total]
    if alone:
        return f"{_joined(alone)} {'matches' if len(alone) == 1 else 'match'} no post."
    if len(given) > 1:
        return f"no post has {_joined([label for label, _ in given])} together."
    return None


def _filters_given(filters: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Each filter of a command as (how to name it, the search keywords of it alone)."""
    given: list[tuple[str, dict[str, Any]]] = [
        (f"tag {t!r}", {"tags": [t]}) for t in filters["tags"]
    ]
    given += [(f"category {c!r}", {"categories": [c]}) for c in filters["categories"]]
    given += [(f"lang {code!r}", {"lang": code}) for code in filters["lang"]]
    given += [(f"{name} {filters[name]}", {name: filters[name]})
              for name in ("since", "until") if filters[name]]  # fmt: skip
    if filters["has_location"]:
        given.append(("--has-location", {"has_location": True}))
    return given


def _joined(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


@click.command("query", cls=WordsCommand)
@click.argument("words", nargs=-1, metavar="[TEXT]")
@click.option(
    "--near", "near", help="Centre: LAT,LON or a place name (e.g. Montpellier, 'Paris, US')."
)
@geo_options
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="relevance",
    show_default=True,
    help="Order of hits.",
)
@filter_options
@paging
@output_options
@index_dir_option
@audience_option
def query_command(
    words: tuple[str, ...],
    near: str | None,
    radius: str | None,
    bbox: str | None,
    within: Path | None,
    sort: str,
    limit: int,
    page: int,
    as_json: bool,
    geojson: bool,
    index_dir: Path | None,
    audience: str,
    **filters: Any,
) -> None:
    """Search: words, "phrases", AND/OR/NOT, title: tag: category: lang: date: near:.

    Several TEXT arguments are joined with spaces: blogsearch query cloud paris.
    """
    text = " ".join(words) or None
    center = _center(near) if near else None
    shape = _shape(within)
    asked = filter_kwargs(filters)
    with open_or_build(index_dir, audience) as index:
        results = index.search(text, limit=limit, page=page, near=center, radius_km=radius,
                               bbox=bbox, within=shape, sort=sort, **asked)  # fmt: skip
        empty = None if as_json or geojson else _empty_filters(index, results, asked)
    _emit(results, as_json, geojson, empty)


@click.command("near", cls=WordsCommand)
@click.argument("where", nargs=-1, required=True, metavar="(LAT LON | PLACE) [TEXT]")
@geo_options
@filter_options
@paging
@output_options
@index_dir_option
@audience_option
def near_command(
    where: tuple[str, ...],
    radius: str | None,
    bbox: str | None,
    within: Path | None,
    limit: int,
    page: int,
    as_json: bool,
    geojson: bool,
    index_dir: Path | None,
    audience: str,
    **filters: Any,
) -> None:
    """Located posts nearest to LAT LON or to a PLACE, nearest first; TEXT narrows them."""
    center, text = _split_where(where)
    shape = _shape(within)
    asked = filter_kwargs(filters)
    with open_or_build(index_dir, audience) as index:
        results = index.search(text, near=center, radius_km=radius, limit=limit, page=page,
                               bbox=bbox, within=shape, sort="distance", **asked)  # fmt: skip
        empty = None if as_json or geojson else _empty_filters(index, results, asked)
    _emit(results, as_json, geojson, empty)


@click.command("map", cls=WordsCommand)
@click.argument("words", nargs=-1, metavar="[TEXT]")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Picture to write: .png, .svg or .html.")  # fmt: skip
@click.option("--near", "near", help="Centre: LAT,LON or a place name.")
@geo_options
@click.option("--limit", type=click.IntRange(1, 5000), default=1000, show_default=True,
              help="Most posts to draw.")  # fmt: skip
@index_dir_option
@audience_option
def map_command(
    words: tuple[str, ...],
    output: Path,
    near: str | None,
    radius: str | None,
    bbox: str | None,
    within: Path | None,
    limit: int,
    index_dir: Path | None,
    audience: str,
) -> None:
    """Draw where the matching posts are (all located posts without TEXT), offline."""
    from searcher.geo import maps

    text = " ".join(words) or None
    if output.suffix.lower() not in (".png", ".svg", ".html", ".htm"):
        raise click.BadParameter("the picture must end in .png, .svg or .html", param_hint="-o")
    if not output.parent.is_dir():  # said before searching, not after
        raise UsageError(f"cannot write {output}: there is no folder {output.parent}")
    center = _center(near) if near else None
    shape = _shape(within)
    with open_or_build(index_dir, audience) as index:
        results = index.search(text, limit=limit, near=center, radius_km=radius, bbox=bbox,
                               within=shape, located_only=True,
                               sort="relevance" if text else "date")  # fmt: skip
    points = maps.hit_points(results.hits)
    try:
        maps.render(points, output, title=text or "blogsearch")
    except OSError as exc:
        raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from None
    posts = sum(1 for hit in results.hits if maps.hit_points([hit]))
    places = f"{len(points)} places of " if len(points) != posts else ""
    click.echo(f"drew {places}{posts} posts into {output}")


@click.command("complete")
@click.argument("prefix")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True,
              help="Most completions.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@index_dir_option
@audience_option
def complete_command(
    prefix: str, limit: int, as_json: bool, index_dir: Path | None, audience: str
) -> None:
    """Completions for search-as-you-type: post titles, then words, for PREFIX."""
    with open_or_build(index_dir, audience) as index:
        found = index.complete(prefix, limit=limit)
    if as_json:
        echo_json(found)
    else:
        print_completions(found)


@click.command("similar")
@click.argument("path")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True,
              help="Most posts.")  # fmt: skip
@output_options
@index_dir_option
@audience_option
def similar_command(
    path: str, limit: int, as_json: bool, geojson: bool, index_dir: Path | None, audience: str
) -> None:
    """Posts most related to the post at PATH, by its key terms.

    PATH is the post's file (relative to the current folder, or absolute) or its path in the
    index, as hits show it.
    """
    with open_or_build(index_dir, audience) as index:
        results = index.similar(path, limit=limit)
    _emit(results, as_json, geojson)


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@index_dir_option
@audience_option
def stats_command(as_json: bool, index_dir: Path | None, audience: str) -> None:
    """What the index holds: posts, places, languages, tags, dates, size."""
    with open_or_build(index_dir, audience) as index:
        stats = index.stats()
    if as_json:
        echo_json(stats.to_dict())
    else:
        print_stats(stats)


def _center(value: str) -> Center:
    """A --near value; a named place is reported on stderr so the user sees which one."""
    try:
        center = resolve_center(value)
    except UsageError as exc:
        raise click.BadParameter(str(exc), param_hint="--near") from None
    return center


def _split_where(where: tuple[str, ...]) -> tuple[Center, str | None]:
    """``LAT LON [TEXT]`` or ``PLACE [TEXT]``; a numeric second word means coordinates. A
    place is the most words (up to PLACE_WORDS) that name one, typed unquoted: ``San
    Francisco`` is not San (Mali) and the word "Francisco"."""
    first, rest = where[0], list(where[1:])
    if (rest and _numeric(rest[0])) or _numeric(first):
        if not rest:
            raise click.UsageError("give both a latitude and a longitude, or a place name")
        try:
            lat, lon = parse_coordinate(first, "lat"), parse_coordinate(rest[0], "lon")
        except InvalidCoordinates as exc:
            raise click.UsageError(str(exc)) from None
        return Center(lat, lon), " ".join(rest[1:]) or None
    for words in range(min(len(where), PLACE_WORDS), 1, -1):  # São Paulo, Paris, FR
        try:
            return resolve_center(" ".join(where[:words])), " ".join(where[words:]) or None
        except UsageError:
            continue
    return _center(first), " ".join(rest) or None


PLACE_WORDS = 4  # Rio de Janeiro, Paris, Île-de-France, 48°51'N 2°21'E


def _numeric(value: Any) -> bool:
    try:
        float(str(value).replace(",", "."))
    except ValueError:
        return False
    return True


COMMANDS = (
    query_command,
    near_command,
    map_command,
    complete_command,
    similar_command,
    stats_command,
)
