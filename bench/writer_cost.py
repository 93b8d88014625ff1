"""What Whoosh's own segment writer costs per post, with nothing else in the way.

Posts are read and analysed first (as the build's worker processes do), then timed: filing
them in a Whoosh ``SegmentWriter`` (``postings.add``) and committing (the posting pool's sort
and the codec writing the segment). That CPU time per post bounds any build that writes
through one Whoosh writer: 1,000 posts/s would need it under 1 ms, or under 2 ms with a
writer on each of two cores and nothing else to do.

Run from the repository root::

    python bench/writer_cost.py [--every N] [--corpora ../shared/corpora]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from whoosh import index

from searcher.indexing import indexer, postings, schema

SUFFIXES = {".md", ".markdown", ".html", ".htm"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    shared = Path(__file__).parents[2] / "shared" / "corpora"
    parser.add_argument("--corpora", type=Path, default=shared)
    parser.add_argument("--every", type=int, default=4, help="time every Nth post file (default 4)")
    args = parser.parse_args()
    files = sorted(p for p in args.corpora.rglob("*") if p.suffix in SUFFIXES and p.is_file())
    options = indexer.BuildOptions()
    prepared = []
    for path in files[:: args.every]:
        job = (str(path), args.corpora, "", options.max_bytes, options.geocode, "", options)
        _, _, analysed = indexer._read_one(job)
        prepared.extend(doc for doc in analysed or () if doc is not None)
    where = Path(tempfile.mkdtemp(prefix="writer-cost-"))
    try:
        ix = index.create_in(str(where), schema.build_schema())
        writer = ix.writer(limitmb=indexer.POOL_MB)
        start = time.process_time()
        for doc in prepared:
            postings.add(writer, doc)
        filed = time.process_time() - start
        start = time.process_time()
        writer.commit()
        committed = time.process_time() - start
    finally:
        shutil.rmtree(where, ignore_errors=True)
    count = len(prepared)
    total = filed + committed
    print(f"{count} posts (every {args.every}th file of {args.corpora})")
    print(f"filing postings (postings.add)  {filed / count * 1000:6.2f} ms CPU per post")
    print(f"commit (sort, write segment)    {committed / count * 1000:6.2f} ms CPU per post")
    print(f"Whoosh writer in all            {total / count * 1000:6.2f} ms CPU per post: "
          f"one writer files at most {count / total:,.0f} posts/s")  # fmt: skip


if __name__ == "__main__":
    main()
