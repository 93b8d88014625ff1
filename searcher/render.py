"""Human-readable output for the terminal: colour on a terminal, plain text when piped."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape

from searcher.ingest import Summary
from searcher.models import Post


def console(stream: TextIO | None = None) -> Console:
    """A rich console that drops colour and wrapping when output is not a terminal."""
    stream = stream or sys.stdout
    tty = stream.isatty()
    return Console(file=stream, highlight=False, soft_wrap=not tty, no_color=not tty)


def echo_json(value: Any, stream: TextIO | None = None) -> None:
    """One JSON document, UTF-8 as is, on its own line."""
    (stream or sys.stdout).write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def print_post(post: Post, stream: TextIO | None = None) -> None:
    """Every field of a record, for ``blogsearch inspect``."""
    out = console(stream)
    out.print(f"[bold]{escape(post.title)}[/bold]")
    rows = [
        ("path", post.path),
        ("date", post.date.isoformat() if post.date else "—"),
        ("url", post.url),
        ("lang", post.lang or "—"),
        ("tags", ", ".join(post.tags) or "—"),
        ("categories", ", ".join(post.categories) or "—"),
        ("draft", "yes" if post.draft else "no"),
        ("location", _place(post)),
    ]
    for name, value in rows:
        out.print(f"  [cyan]{name:<10}[/cyan] {escape(value)}")
    words = len(post.text.split())
    preview = post.text[:400] + ("…" if len(post.text) > 400 else "")
    out.print(f"  [cyan]{'text':<10}[/cyan] {words} words: {escape(preview)}")
    for warning in post.warnings:
        out.print(f"  [yellow]warning[/yellow]    {escape(str(warning))}")


def _place(post: Post) -> str:
    loc = post.location
    if loc is None:
        return "—"
    parts = []
    if loc.has_point:
        parts.append(f"{loc.lat:.6f}, {loc.lon:.6f}")
    if loc.address:
        parts.append(loc.address)
    if not loc.public:
        parts.append("(private)")
    return " ".join(parts)


def print_warnings(post: Post, stream: TextIO | None = None) -> None:
    """``path: warning`` lines, one per warning, on stderr by default."""
    out = console(stream or sys.stderr)
    for warning in post.warnings:
        out.print(f"[yellow]warning[/yellow] {escape(post.path)}: {escape(str(warning))}")


def print_summary(summary: Summary, stream: TextIO | None = None) -> None:
    """The end-of-run report: files, posts, drafts, skips and warnings by reason."""
    out = console(stream)
    out.print(
        f"[bold]{summary.files}[/bold] files read, [bold]{summary.posts}[/bold] posts, "
        f"{summary.drafts_excluded} drafts left out, {len(summary.skipped)} skipped, "
        f"{summary.warned_posts} posts with warnings"
    )
    for reason, count in sorted(summary.skipped_by_reason().items()):
        out.print(f"  skipped {count:>5}  {escape(reason)}")
    for reason, count in summary.warnings.most_common():
        out.print(f"  warning {count:>5}  {escape(reason)}")
