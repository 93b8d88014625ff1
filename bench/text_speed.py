"""Time searcher.text.extract over every body in the shared corpora (ingest needs 1,500 posts/s).

Front matter is cut off crudely at the second ``---`` / ``+++`` so that only the text stage is
measured. Run: ``python bench/text_speed.py [rounds]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from searcher.ingest.text import extract

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
CORPUS_NAMES = ("chamerling", "evert", "ruby-lang", "rust-blog")


def bodies() -> dict[str, list[str]]:
    """Each corpus's post bodies, front matter removed."""
    found: dict[str, list[str]] = {}
    for name in CORPUS_NAMES:
        found[name] = []
        for path in sorted((CORPORA / name).rglob("*.md")):
            content = path.read_text(encoding="utf-8", errors="replace")
            for fence in ("---", "+++"):
                if content.startswith(fence) and content.count(fence) >= 2:
                    content = content.split(fence, 2)[2]
                    break
            found[name].append(content)
    return found


def main(rounds: int) -> None:
    corpora = bodies()
    count = sum(map(len, corpora.values()))
    size = sum(len(body) for texts in corpora.values() for body in texts)
    print(f"{count} bodies, {size / 1e6:.1f} M characters, best of {rounds} rounds")
    total = 0.0
    for name, texts in corpora.items():
        best = min(_time(texts) for _ in range(rounds))
        total += best
        print(f"  {name:<11} {len(texts):>5} bodies  {best:6.3f} s")
    print(f"  {'all':<11} {count:>5} bodies  {total:6.3f} s  {count / total:,.0f} bodies/s")


def _time(texts: list[str]) -> float:
    start = time.perf_counter()
    for body in texts:
        extract(body, "markdown")
    return time.perf_counter() - start


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
