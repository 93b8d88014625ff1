"""The same posts before and after a change: a digest of every record read from the corpora.

Reads every post file of every corpus (site roots as the site publishes them, WordPress
exports item by item) with ``reader.read_source_file`` and writes one line per record: the
corpus, its path and a SHA-1 of the record's ``repr`` (every field of the ``Post``, warnings
too, or the ``Skipped`` and its reason). Run it once against a checkout of the commit before
(``git worktree add --detach /tmp/before <commit>``; put it first on ``PYTHONPATH``, since the
editable install of this checkout wins otherwise) and once against this one, then compare::

    (cd /tmp/before && PYTHONPATH=/tmp/before python $OLDPWD/bench/read_digest.py --out /tmp/a)
    python bench/read_digest.py --out /tmp/b
    python bench/read_digest.py --compare /tmp/a /tmp/b

It also reports the CPU seconds spent reading (``time.process_time``, after the language model
and gazetteer are loaded): on a shared machine compare runs made one after the other.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import searcher
from searcher.geo import gazetteer
from searcher.ingest.reader import read_source_file, read_text, walk

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def files(root: Path) -> list[Path]:
    """A corpus's source files: its posts, or the WordPress exports it holds if none."""
    return sorted(walk(root)) or sorted(root.glob("*.xml"))


def digest(corpora: Path, names: list[str], out: Path) -> None:
    read_text("warm-up: load the language model once\n" * 20, "warm.md")
    gazetteer.geocode("Paris, France")
    spent = 0.0
    count = 0
    with out.open("w", encoding="utf-8") as lines:
        for name in names:
            root = corpora / name
            for path in files(root):
                start = time.process_time()
                records = list(read_source_file(path, root))
                spent += time.process_time() - start
                for record in records:
                    sha = hashlib.sha1(repr(record).encode("utf-8", "backslashreplace"))
                    lines.write(f"{name}\t{record.path!r}\t{sha.hexdigest()}\n")
                    count += 1
    print(f"{count} records from {searcher.__file__}: {spent:.2f} s CPU reading", file=sys.stderr)


def compare(before: Path, after: Path) -> int:
    """Print the records whose digests differ; the number of differences."""
    old = before.read_text(encoding="utf-8").splitlines()
    new = after.read_text(encoding="utf-8").splitlines()
    differ = sorted(set(old) ^ set(new))
    for line in differ[:40]:
        print(("- " if line in set(old) else "+ ") + line)
    print(f"{len(old)} records before, {len(new)} after, {len(differ)} lines differ")
    return len(differ)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="corpora (default: every one)")
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--out", type=Path, help="write the digests here")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        sys.exit(1 if compare(*args.compare) else 0)
    names = args.names or sorted(p.name for p in args.corpora.iterdir() if p.is_dir())
    digest(args.corpora, names, args.out or Path("/dev/stdout"))


if __name__ == "__main__":
    main()
