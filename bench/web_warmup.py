"""The web app's first requests after a rebuild, against its steady ones, with and without
warming the new generation before switching to it.

A copy of the index (``--index-dir``, built by ``blogsearch index``) is served in-process by the
Starlette app (``TestClient``: no network, no server process). Each round adds a post to an
extra source folder of the copy and updates the index incrementally (a new generation). The
app's index is checked for changes at every request (the refresh interval set to 0 here);
requests are sent until the new post is found (the slowest of them is "until switched": it
paid for opening the new generation, or ran beside the thread warming it), then one request
of each kind ("first": the slowest of them paid for a table built on first need), beside
the median of steady requests. ``switch`` is the old behaviour (the request
that notices a rebuild opens and builds the new generation; each kind's first request
builds its own tables), ``warm`` the app's (opened, then warmed in a thread while requests
keep the old generation). Run from the repository root::

    python bench/web_warmup.py --index-dir INDEX --source FOLDER... [--rounds 5]

The sources must be the ones INDEX was built from (else the update rebuilds it all).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

import searcher
from searcher import api
from searcher.indexing import indexer
from searcher.web import app as web

KINDS = {
    "search": "/api/search?q=borrow+checker",
    "listing": "/api/search?tag=release&facets=true",
    "near": "/api/near?lat=48.8566&lon=2.3522&radius=500km",
    "complete": "/api/complete?q=rub",
    "page": "/?q=cloud&near=48.8566,2.3522",
}
POST = (
    "---\ntitle: Zeppelin {n} over the lake\ndate: 2030-01-{day:02d}\n---\nzeppelin{n} flew by.\n"
)


def timed(client: TestClient, path: str) -> tuple[float, Any]:
    start = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        sys.exit(f"{path}: HTTP {response.status_code}: {response.text[:200]}")
    return elapsed, response.json() if path.startswith("/api/") else None


def one_round(
    client: TestClient, sources: list[Path], extra: Path, index_dir: Path, n: int
) -> tuple[float, float]:
    """Add a post and update the index; then (the slowest request until the new generation
    answers, the slowest first request of each kind on it)."""
    (extra / f"zeppelin-{n}.md").write_text(POST.format(n=n, day=n % 28 + 1))
    indexer.build([*sources, extra.parent], index_dir, indexer.BuildOptions())
    during = 0.0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until the new generation answers
        elapsed, found = timed(client, f"/api/search?q=zeppelin{n}")
        during = max(during, elapsed)
        if found["total"]:
            break
    return during, max(timed(client, path)[0] for path in KINDS.values())


def steady(client: TestClient, repeats: int = 5) -> float:
    return statistics.median(timed(client, path)[0] for _ in range(repeats)
                             for path in KINDS.values())  # fmt: skip


def measure(
    mode: str, index_dir: Path, sources: list[Path], extra: Path, posts: range
) -> dict[str, float]:
    with searcher.open_index(index_dir) as index:
        client = TestClient(web.create_app(index))
        if mode == "switch":
            index._backend.background = False  # type: ignore[attr-defined]
        for path in KINDS.values():
            timed(client, path)
        base = steady(client)
        rounds = [one_round(client, sources, extra, index_dir, n) for n in posts]
        return {"steady": base, "during": statistics.median(r[0] for r in rounds),
                "first": statistics.median(r[1] for r in rounds)}  # fmt: skip


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index-dir", type=Path, required=True, help="an index to copy")
    parser.add_argument("--source", type=Path, action="append", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    api.REFRESH_INTERVAL = 0.0  # every request checks the index: the switch is seen at once
    with tempfile.TemporaryDirectory(prefix="web-warmup-") as tmp:
        index_dir = Path(shutil.copytree(args.index_dir, Path(tmp) / "index"))
        extra = Path(tmp) / "extra" / "_posts"
        extra.mkdir(parents=True)
        sources = [s.resolve() for s in args.source]
        print("adding the extra source to the copy (once, not timed)…", flush=True)
        (extra / "zeppelin-0.md").write_text(POST.format(n=0, day=1))
        indexer.build([*sources, extra.parent], index_dir, indexer.BuildOptions())
        print(f"{'mode':<8} {'steady ms':>10} {'until switched ms':>18} {'first ms':>9}")
        for number, mode in enumerate(("switch", "warm")):
            posts = range(1 + number * args.rounds, 1 + (number + 1) * args.rounds)
            found = measure(mode, index_dir, sources, extra, posts)
            print(f"{mode:<8} {found['steady']:10.1f} {found['during']:18.1f} "
                  f"{found['first']:9.1f}")  # fmt: skip
    print(
        "steady: the median request; until switched: the slowest request from the rebuild "
        "until the new post is found; first: the slowest first request of each kind on the "
        "new generation (medians over the rounds). A shared machine inflates all three."
    )


if __name__ == "__main__":
    main()
