"""What reading each shared archive gives: files, posts, places by source, warnings by reason.

Run from the repository root: ``python bench/archive_figures.py [--label NAME] [CORPORA_DIR]``.
Prints one table row per archive and writes ``bench/out/archive_figures-NAME.json``: the
figures, and a snapshot of every post (path, title, URL, language, date, tags, categories,
places, text length, warnings) so that ``--compare BEFORE AFTER`` can list what changed
between two versions, post by post and field by field, and ``--table BEFORE AFTER`` print
the figures side by side as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from searcher.ingest.reader import scan
from searcher.models import Post, Summary

DEFAULT_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
OUT = Path(__file__).resolve().parent / "out"
# each archive as a user would point blogsearch at it: the folder, or the export file
SOURCES = {
    "chamerling": ".",
    "evert": ".",
    "ruby-lang": ".",
    "rust-blog": ".",
    "bergie": ".",
    "kaigai-matome": ".",
    "chrisjrob-site": ".",
    "chrisjrob-wxr": "wordpress.xml",
    "tinkerthon": ".",
}


def _places(post: Post) -> list[Any]:
    found = getattr(post, "locations", None)
    if found is None:
        found = () if post.location is None else (post.location,)
    return list(found)


def _source(place: Any) -> str:
    return str(getattr(place, "source", None) or "front matter")


def read_archive(source: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The figures of one archive, and one snapshot record per post read."""
    summary = Summary()
    start = time.perf_counter()
    posts = list(scan([source], summary=summary))
    seconds = time.perf_counter() - start
    by_source: Counter[str] = Counter()
    located = private = geocoded = named_only = 0
    for post in posts:
        points = [p for p in _places(post) if p.lat is not None and p.lon is not None]
        if points:
            located += 1
            private += not all(p.public for p in points)
            by_source.update({_source(p) for p in points})
            geocoded += any(getattr(p, "geocoded", None) for p in points)
        elif _places(post):
            named_only += 1
    figures = {
        "files": summary.files,
        "posts": summary.posts,
        "drafts_left_out": summary.drafts_excluded,
        "skipped": dict(sorted(summary.skipped_by_reason().items())),
        "located": located,
        "located_private": private,
        "located_by_source": dict(sorted(by_source.items())),
        "geocoded": geocoded,
        "named_without_point": named_only,
        "warned_posts": summary.warned_posts,
        "warnings": dict(summary.warnings.most_common()),
        "seconds": round(seconds, 2),
    }
    return figures, [_snapshot(post) for post in posts]


def _snapshot(post: Post) -> dict[str, Any]:
    return {
        "path": post.path,
        "title": post.title,
        "url": post.url,
        "lang": post.lang,
        "date": post.date.isoformat() if post.date else None,
        "tags": list(post.tags),
        "categories": list(post.categories),
        "places": [
            [p.lat, p.lon, p.public, p.address, getattr(p, "geocoded", None)] for p in _places(post)
        ],
        "text_chars": len(post.text),
        "warnings": sorted(w.reason for w in post.warnings),
    }


def run(corpora: Path, label: str) -> None:
    results: dict[str, Any] = {"label": label, "archives": {}}
    print(f"{'archive':<15} {'files':>6} {'posts':>6} {'located':>8} {'geocoded':>8}  by source")
    for name, relative in SOURCES.items():
        source = corpora / name / relative
        if not source.exists():
            print(f"{name:<15} (not found at {source})")
            continue
        figures, posts = read_archive(source)
        results["archives"][name] = {"figures": figures, "posts": posts}
        sources = ", ".join(f"{k} {v}" for k, v in figures["located_by_source"].items()) or "—"
        print(f"{name:<15} {figures['files']:>6} {figures['posts']:>6} {figures['located']:>8} "
              f"{figures['geocoded']:>8}  {sources}")  # fmt: skip
        for reason, count in figures["skipped"].items():
            print(f"{'':<15} skipped {count:>5}  {reason}")
        for reason, count in figures["warnings"].items():
            print(f"{'':<15} warning {count:>5}  {reason}")
    OUT.mkdir(exist_ok=True)
    target = OUT / f"archive_figures-{label}.json"
    target.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n")
    print(f"written {target}")


def compare(before_file: Path, after_file: Path, limit: int) -> None:
    """Posts added or gone, and per field how many posts changed (with a few examples)."""
    before = json.loads(before_file.read_text())["archives"]
    after = json.loads(after_file.read_text())["archives"]
    for name in before.keys() & after.keys():
        old = {p["path"]: p for p in before[name]["posts"]}
        new = {p["path"]: p for p in after[name]["posts"]}
        print(f"== {name}: {len(old)} → {len(new)} posts")
        for what, paths in (("gone", old.keys() - new.keys()), ("new", new.keys() - old.keys())):
            if paths:
                print(f"  {what} {len(paths)}: {', '.join(sorted(paths)[:limit])}")
        changed: dict[str, list[str]] = {}
        for path in sorted(old.keys() & new.keys()):
            for field, value in old[path].items():
                if new[path].get(field) != value:
                    changed.setdefault(field, []).append(path)
        for field, paths in sorted(changed.items()):
            print(f"  {field}: {len(paths)} changed")
            for path in paths[:limit]:
                print(f"    {path}: {old[path][field]!r} → {new[path][field]!r}"[:300])


def table(before_file: Path, after_file: Path) -> None:
    """A Markdown table, one row per archive: each figure as before → after."""
    before = json.loads(before_file.read_text())["archives"]
    after = json.loads(after_file.read_text())["archives"]
    print("| archive | files | posts | located (by source) | geocoded | skipped | warnings |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in after:
        if name not in before:
            continue
        old, new = before[name]["figures"], after[name]["figures"]

        def pair(key: str, old: dict[str, Any] = old, new: dict[str, Any] = new) -> str:
            return f"{old[key]} → {new[key]}" if old[key] != new[key] else str(new[key])

        def counts(value: dict[str, int]) -> str:
            return ", ".join(f"{k} {v}" for k, v in value.items()) or "—"

        located = f"{old['located']} → {new['located']}" if old["located"] != new["located"] \
            else str(new["located"])  # fmt: skip
        located += f" ({counts(new['located_by_source'])})" if new["located"] else ""

        def change(key: str, old: dict[str, Any] = old, new: dict[str, Any] = new) -> str:
            before, after = counts(old[key]), counts(new[key])
            return after if before == after else f"{before} → {after}"

        cells = [name, pair("files"), pair("posts"), located, pair("geocoded"),
                 change("skipped"), change("warnings")]  # fmt: skip
        print("| " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="?", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--label", default="now")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--examples", type=int, default=3)
    parser.add_argument("--table", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.table:
        table(*args.table)
        return
    if args.compare:
        compare(*args.compare, args.examples)
        return
    if not args.corpora.is_dir():
        sys.exit(f"no corpora at {args.corpora}")
    run(args.corpora, args.label)


if __name__ == "__main__":
    main()
