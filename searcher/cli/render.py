"""Human-readable output for the terminal: colour on a terminal, plain text when piped.

Lines are styled with click (already loaded by every command) and written with
``click.echo``, which drops the colour when the stream is not a terminal. rich is imported
by the progress bar of a build on a terminal only: importing it and rendering its markup
took about a fifth of a ``blogsearch query``.
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any, TextIO

import click

from searcher.models import Completion, Hit, Location, Post, Results, Stats, Summary

if TYPE_CHECKING:
    from rich.progress import Progress

# Control characters a post's text may carry would move the cursor or ring the bell on the
# user's terminal: each is shown as a space (tabs and line breaks stay).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

bold = partial(click.style, bold=True)
dim = partial(click.style, dim=True)
cyan = partial(click.style, fg="cyan")
green = partial(click.style, fg="green")
magenta = partial(click.style, fg="magenta")
yellow = partial(click.style, fg="yellow")


def clean(value: str) -> str:
    """Text from a post or a user, safe to write to a terminal."""
    return _CONTROLS.sub(" ", value)


class _Out:
    """Lines to one stream (stdout by default), coloured only on a terminal."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream or sys.stdout

    def print(self, line: str = "") -> None:
        click.echo(line, file=self.stream)


def console(stream: TextIO | None = None) -> _Out:
    """Where a command's lines go: colour on a terminal, plain text when piped."""
    return _Out(stream)


def echo_json(value: Any, stream: TextIO | None = None) -> None:
    """One JSON document, UTF-8 as is, on its own line."""
    (stream or sys.stdout).write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def print_post(post: Post, stream: TextIO | None = None) -> None:
    """Every field of a record, for ``blogsearch inspect``."""
    out = console(stream)
    out.print(bold(clean(post.title)))
    rows = [
        ("path", post.path),
        ("date", post.date.isoformat() if post.date else "—"),
        ("url", post.url),
        ("lang", post.lang or "—"),
        ("tags", ", ".join(post.tags) or "—"),
        ("categories", ", ".join(post.categories) or "—"),
        ("draft", "yes" if post.draft else "no"),
        *(("location" if i == 0 else "", _location_text(place))
          for i, place in enumerate(post.locations or (None,))),
    ]  # fmt: skip
    for name, value in rows:
        out.print(f"  {cyan(name.ljust(10))} {clean(value)}")
    words = len(post.text.split())
    preview = post.text[:400] + ("…" if len(post.text) > 400 else "")
    out.print(f"  {cyan('text'.ljust(10))} {words} words: {clean(preview)}")
    for warning in post.warnings:
        out.print(f"  {yellow('warning')}    {clean(str(warning))}")


def _location_text(loc: Location | None) -> str:
    if loc is None:
        return "—"
    parts = []
    if loc.has_point:
        parts.append(f"{loc.lat:.6f}, {loc.lon:.6f}")
    if loc.address:
        parts.append(loc.address)
    if loc.geocoded:
        parts.append(f"(geocoded: {loc.geocoded})")
    elif loc.source == "body":
        parts.append("(from the body)")
    if not loc.public:
        parts.append("(private)")
    return " ".join(parts)


def print_warnings(post: Post, stream: TextIO | None = None) -> None:
    """``path: warning`` lines, one per warning, on stderr by default."""
    out = console(stream or sys.stderr)
    for warning in post.warnings:
        out.print(f"{yellow('warning')} {clean(post.path)}: {clean(str(warning))}")


def print_skipped(summary: Summary, stream: TextIO | None = None) -> None:
    """``skipped path: reason`` lines, one per file or folder left out, on stderr by default."""
    out = console(stream or sys.stderr)
    for skipped in summary.skipped:
        out.print(f"{yellow('skipped')} {clean(skipped.path)}: {clean(skipped.reason)}")


def print_summary(summary: Summary, stream: TextIO | None = None) -> None:
    """The end-of-run report: files, posts, drafts, skips and warnings by reason."""
    out = console(stream)
    for line in summary.sites:
        out.print(clean(line))
    files, posts = counted(summary.files, "file"), counted(summary.posts, "post")
    out.print(
        f"{bold(files)} read, {bold(posts)}, "
        f"{counted(summary.drafts_excluded, 'draft')} left out, {len(summary.skipped)} skipped, "
        f"{counted(summary.warned_posts, 'post')} with warnings"
    )
    if summary.posts:
        out.print(_located_line(summary))
    for reason, count in sorted(summary.skipped_by_reason().items()):
        out.print(f"  skipped {count:>5}  {clean(reason)}")
    for reason, count in summary.warnings.most_common():
        out.print(f"  warning {count:>5}  {clean(reason)}")


_SOURCES = {"front-matter": "from front matter", "body": "from the body",
            "geocoded": "geocoded from names"}  # fmt: skip


def _located_line(summary: Summary) -> str:
    """``412 posts with a place: 400 from front matter, 12 geocoded``: a user sees at once
    when an archive's places were missed."""
    line = f"{counted(summary.located, 'post')} with a place"
    if summary.located_by:
        line += ": " + ", ".join(f"{count} {_SOURCES.get(source, source)}"
                                 for source, count in summary.located_by.most_common())  # fmt: skip
    return line


class _Bar:
    """A progress bar started once the number of files to read is known."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._task: Any = None

    def start(self, total: int) -> None:
        if self._progress is not None and total:
            self._task = self._progress.add_task("index", total=total)

    def advance(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)


@contextmanager
def build_progress(*, enabled: bool = True) -> Iterator[_Bar]:
    """A progress bar with rate and ETA on a terminal; nothing when piped or disabled."""
    if not enabled or not sys.stderr.isatty():
        yield _Bar(None)
        return
    from rich.console import Console
    from rich.progress import (  # a build on a terminal only: searches need none of it
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class _RateColumn(ProgressColumn):
        """Posts per second."""

        def render(self, task: Task) -> Text:
            return Text("" if task.speed is None else f"{task.speed:5.0f} posts/s", style="cyan")

    columns = (
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeRemainingColumn(),
    )
    stderr = Console(file=sys.stderr, highlight=False)
    with Progress(*columns, console=stderr, transient=True) as progress:
        yield _Bar(progress)


_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def snippet_markup(snippet_html: str) -> str:
    """The HTML snippet for the terminal: matches in bold yellow, entities decoded."""
    parts = _MARK.split(snippet_html)
    out = []
    for i, part in enumerate(parts):
        text = clean(html.unescape(part))
        out.append(click.style(text, fg="yellow", bold=True) if i % 2 else text)
    return "".join(out)


def print_results(
    results: Results, stream: TextIO | None = None, *, empty: str | None = None
) -> None:
    """Hits as a numbered list: title, date, where, tags, snippet, place and distance; then
    the facets, if asked for. ``empty`` says why nothing matched (which filters)."""
    out = console(stream)
    first = (results.page - 1) * results.limit
    if results.suggestion:
        out.print(f"Did you mean: {bold(clean(results.suggestion))}?")
    if not results.hits:
        out.print(_no_hits(results, empty))
        return
    last = first + len(results.hits)
    what = clean(results.query) or "the filters"
    out.print(dim(f"{first + 1}-{last} of {results.total} for {what}"))
    for number, hit in enumerate(results.hits, start=first + 1):
        _print_hit(out, number, hit)
    if results.facets:
        out.print("\n" + bold("facets"))
        for name, counts in results.facets.items():
            out.print(f"  {name:<11} " + clean(_pairs(counts)))


def _no_hits(results: Results, empty: str | None) -> str:
    """What to say for an empty page: why nothing matched, or that the hits are elsewhere."""
    if results.total:
        return f"No hits on page {results.page} ({results.total} in all)."
    if results.query and empty:
        return f"No posts match {clean(results.query)}: {clean(empty)}"
    if empty:
        return f"No posts: {clean(empty)}"
    return f"No posts match {clean(results.query)}." if results.query else "No posts match."


def _print_hit(out: _Out, number: int, hit: Hit) -> None:
    date = (hit.date or "")[:10]
    out.print(f"\n{bold(f'{number}. {clean(hit.title)}')}  {dim(date)}")
    out.print(f"   {cyan(clean(hit.url or hit.path))}" + (
        f"  {dim(clean(hit.path))}" if hit.url else ""))  # fmt: skip
    if hit.tags:
        out.print("   " + magenta(clean(", ".join(hit.tags))))
    if hit.snippet:
        out.print("   " + snippet_markup(hit.snippet))
    if hit.location is not None or hit.distance_km is not None:
        place = _location_text(hit.location)
        distance = "" if hit.distance_km is None else f"{_distance(hit.distance_km)} away  "
        out.print("   " + green(f"{distance}{clean(place)}"))


def _distance(km: float) -> str:
    return f"{km * 1000:.0f} m" if km < 1 else f"{km:.1f} km"


def print_stats(stats: Stats, stream: TextIO | None = None) -> None:
    """The index's contents at a glance."""
    out = console(stream)
    out.print(f"{bold(str(stats.posts))} posts, {stats.located} located "
              f"({stats.located_private} private)")  # fmt: skip
    out.print(f"dates      {stats.first_date or '—'} … {stats.last_date or '—'}")
    out.print("languages  " + clean(_pairs(stats.languages)))
    out.print("tags       " + clean(_pairs(stats.tags)))
    out.print("categories " + clean(_pairs(stats.categories)))
    out.print(f"index      {stats.index_bytes / 1e6:.1f} MB, built {stats.built_at or '—'}")


def _pairs(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} ({count})" for name, count in counts.items()) or "—"


def say_center(center: Any, stream: TextIO | None = None) -> None:
    """Tell which place a name was resolved to (on stderr, so JSON output stays clean)."""
    if getattr(center, "label", None):
        out = console(stream or sys.stderr)
        out.print(dim(f"near {clean(center.label)} ({center.lat:.4f}, {center.lon:.4f})"))


def to_geojson(results: Results) -> dict[str, Any]:
    """Hits with a point as a GeoJSON FeatureCollection (hits are already audience-redacted):
    a Point, or a MultiPoint for a post with several places (the first the one shown)."""
    features = []
    for hit in results.hits:
        shown = hit.location
        if shown is None or shown.lat is None or shown.lon is None:
            continue
        others = [(p.lon, p.lat) for p in hit.locations
                  if p.lon is not None and p.lat is not None and p != shown]  # fmt: skip
        properties = {k: v for k, v in hit.to_dict().items() if k != "location"}
        properties.update(address=shown.address, public=shown.public, source=shown.source,
                          geocoded=shown.geocoded)  # fmt: skip
        geometry: dict[str, Any] = {"type": "Point", "coordinates": [shown.lon, shown.lat]}
        if others:
            points = [[shown.lon, shown.lat], *map(list, others)]
            geometry = {"type": "MultiPoint", "coordinates": points}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features,
            "properties": {"query": results.query, "total": results.total}}  # fmt: skip


def counted(count: int, noun: str) -> str:
    """``1 post``, ``2 posts``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def print_report(report: Any, *, quiet: bool = False, stream: TextIO | None = None) -> None:
    """After ``blogsearch index``: the summary, then what changed in the index."""
    if not quiet:
        print_summary(report.summary, stream)
    out = console(stream)
    if report.rebuilt:
        line = f"indexed {counted(report.indexed, 'post')} into {report.index_dir}/"
    elif report.indexed or report.removed:
        written, unchanged = counted(report.indexed, "post"), counted(report.unchanged, "file")
        line = f"updated {report.index_dir}/: {written} written, {report.removed} removed, "
        line += f"{unchanged} unchanged"
    else:
        line = f"{report.index_dir}/ is up to date ({counted(report.unchanged, 'file')} unchanged)"
    out.print(clean(line))


def print_completions(found: list[Completion], stream: TextIO | None = None) -> None:
    """Completions, one per line: titles with their path, words with how many posts have them."""
    out = console(stream)
    for item in found:
        if item["kind"] == "title":
            out.print(f"{clean(item['text'])}  {dim(clean(item['path']))}")
        else:
            count = counted(item["count"], "post")
            out.print(f"{clean(item['text'])}  {dim(f'({count})')}")
