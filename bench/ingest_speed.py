"""Ingest speed on one core over the shared corpora: posts per second, front matter to record.

Run from the repository root: ``python bench/ingest_speed.py [CORPORA_DIR]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from searcher.ingest.reader import read_text, scan
from searcher.models import Summary


def main() -> None:
    corpora = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[2] / "shared" / "corpora"
    )
    roots = sorted(p for p in corpora.iterdir() if p.is_dir())
    read_text("warm-up: load the language model once\n" * 20, "warm.md")
    total_posts = 0
    total_time = 0.0
    for root in roots:
        summary = Summary()
        start = time.perf_counter()
        count = sum(1 for _ in scan([root], drafts=True, summary=summary))
        elapsed = time.perf_counter() - start
        total_posts += count
        total_time += elapsed
        print(f"{root.name:<12} {count:>6} posts {elapsed:6.2f} s {count / elapsed:8.0f} posts/s")
    rate = total_posts / total_time
    print(f"{'all':<12} {total_posts:>6} posts {total_time:6.2f} s {rate:8.0f} posts/s")


if __name__ == "__main__":
    main()
