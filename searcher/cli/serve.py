"""``blogsearch serve``: the web app (:mod:`searcher.web`) under uvicorn."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import click

from searcher import api
from searcher.cli.common import index_dir_option, open_or_build

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name that may resolve anywhere


@click.command("serve")
@index_dir_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface).")  # fmt: skip
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on.")  # fmt: skip
@click.option(
    "--audience",
    type=click.Choice(["public", "owner"]),
    default="public",
    show_default=True,
    help="public never shows a private location; owner does (keep it on this machine).",
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (each opens the index): one per core under load.")  # fmt: skip
@click.option("--cors-origin", "cors_origins", multiple=True,
              help="Let pages from this origin call the API (repeatable).")  # fmt: skip
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="Log every request on stderr.")  # fmt: skip
def serve_command(
    index_dir: Path | None,
    host: str,
    port: int,
    audience: str,
    workers: int,
    cors_origins: tuple[str, ...],
    access_log: bool,
) -> None:
    """Serve the search page, the JSON API and its OpenAPI description over HTTP.

    Pages: / (search), /api/search, /api/near, /api/complete, /api/stats, /openapi.json.
    A rebuilt index is picked up while serving.
    """
    import uvicorn

    with open_or_build(index_dir, audience) as index:  # fail here, not in every worker
        target = index.index_dir
    if api.Visibility.for_audience(audience).private_places and not is_loopback(host):
        click.echo(
            f"Warning: serving private locations (--audience owner) on {host}, beyond this "
            "machine; anyone who can reach it sees them.",
            err=True,
        )
    os.environ["BLOGSEARCH_INDEX"] = str(target.resolve())
    os.environ["BLOGSEARCH_AUDIENCE"] = audience
    os.environ["BLOGSEARCH_CORS_ORIGINS"] = ",".join(cors_origins)
    uvicorn.run(
        "searcher.web:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        server_header=False,
        log_level="info",
    )
