"""What writing the index costs per post, Whoosh's own writer against ours, nothing else in
the way.

Posts are read and analysed first (as the build's worker processes do), then timed in CPU
seconds (``time.process_time``: the machine is shared, wall time is not a fair measure):

* Whoosh: filing the analysed postings in a ``SegmentWriter`` (what ``add_document`` does
  after analysis) and committing (the posting pool's sort and the W3 codec);
* ours, worker side: collecting the analysed documents into batches of arrays;
* the batches pickled and unpickled, as they travel from a worker to the writer;
* ours, writer side: ``add_batch`` (columns, keys numbered) and the commit (runs sorted,
  postings and terms encoded, the segment file written).

Both indexes' sizes are printed too. 1,000 posts/s on two cores leaves 2 ms of CPU per post
for everything (reading, analysing, writing).

Run from the repository root::

    python bench/writer_cost.py [--every N] [--corpora ../shared/corpora] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.filedb.filestore import FileStorage

from searcher.indexing import indexer, ondisk, postings, schema
from searcher.indexing._whoosh import segbuild
from searcher.ingest.reader import walk
from searcher.models import Post

NAMES = ("chamerling", "evert", "ruby-lang", "rust-blog")


def analysed(corpora: Path, every: int) -> list[postings.Prepared]:
    """Every ``every``-th post file of the four corpora, read and analysed."""
    found = []
    options = indexer.BuildOptions()
    for name in NAMES:
        files = sorted(str(p) for p in walk(corpora / name))[::every]
        for path in files:
            records, _ = indexer._read_one((path, corpora / name, "", options.max_bytes, True, "",
                                            options))  # fmt: skip
            found += [postings.prepare(schema.document(r)) for r in records or ()
                      if isinstance(r, Post) and not r.draft]  # fmt: skip
    return found


def whoosh_file(writer: Any, prepared: postings.Prepared) -> None:
    """File an analysed document in Whoosh's SegmentWriter as ``add_document`` would."""
    fields, per_document, add = writer.schema, writer.perdocwriter, writer.pool.add
    docnum = writer.docnum
    per_document.start_doc(docnum)
    for name, found, length, stored, column in prepared:
        field = fields[name]
        for term, weight, encoded in found:
            add((name, term, docnum, weight, encoded))
        per_document.add_field(name, field, stored, length)
        if column is not None:
            per_document.add_column_value(name, field.column_type, column)
    per_document.finish_doc()
    writer._added = True
    writer.docnum += 1


def whoosh(docs: list[postings.Prepared], where: Path) -> tuple[float, float]:
    where.mkdir()
    ix = index.create_in(str(where), schema.build_schema())
    writer = ix.writer(limitmb=48)
    start = time.process_time()
    for doc in docs:
        whoosh_file(writer, doc)
    filed = time.process_time() - start
    writer.commit()
    return filed, time.process_time() - start - filed


def ours(docs: list[postings.Prepared], where: Path, profile: bool) -> dict[str, float]:
    fields = schema.build_schema()
    times: dict[str, float] = {}
    start = time.process_time()
    batches = []
    for i in range(0, len(docs), indexer.READ_BATCH):
        builder = segbuild.BatchBuilder(fields)
        for doc in docs[i : i + indexer.READ_BATCH]:
            builder.add(doc)
        batches.append(builder.finish())
    times["worker: batches of arrays"] = time.process_time() - start
    start = time.process_time()
    sent = [pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL) for batch in batches]
    batches = [pickle.loads(data) for data in sent]
    times["batches pickled and unpickled"] = time.process_time() - start
    where.mkdir()
    ix = FileStorage(str(where)).create_index(fields, indexname=ondisk.INDEX_NAME)
    profiler = cProfile.Profile() if profile else None
    start = time.process_time()
    if profiler:
        profiler.enable()
    writer = segbuild.IndexWriter(ix)
    for batch in batches:
        writer.add_batch(batch)
    times["writer: add_batch"] = time.process_time() - start
    start = time.process_time()
    writer.commit(fresh=True)
    times["writer: commit"] = time.process_time() - start
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    shared = Path(__file__).parents[2] / "shared" / "corpora"
    parser.add_argument("--corpora", type=Path, default=shared)
    parser.add_argument("--every", type=int, default=1, help="every Nth post file (default 1)")
    parser.add_argument("--profile", action="store_true", help="cProfile our writer's side")
    args = parser.parse_args()
    docs = analysed(args.corpora, args.every)
    count = len(docs)
    work = Path(tempfile.mkdtemp(prefix="writer-cost-"))
    try:
        filed, committed = whoosh(docs, work / "whoosh")
        times = ours(docs, work / "ours", args.profile)
        sizes = {n: sum(f.stat().st_size for f in (work / n).iterdir()) for n in ("whoosh", "ours")}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    per = 1000 / count
    print(f"{count} posts of {', '.join(NAMES)} (every {args.every}th file); CPU ms per post")
    print(f"Whoosh: filing postings      {filed * per:6.3f}")
    print(f"Whoosh: commit               {committed * per:6.3f}")
    print(f"Whoosh writer in all         {(filed + committed) * per:6.3f}   index "
          f"{sizes['whoosh'] / 1e6:.1f} MB")  # fmt: skip
    for name, seconds in times.items():
        print(f"ours: {name:<23} {seconds * per:6.3f}")
    writer = times["writer: add_batch"] + times["writer: commit"]
    print(f"ours: writer process in all  {writer * per:6.3f}   index {sizes['ours'] / 1e6:.1f} MB")
    print(f"ours in all                  {sum(times.values()) * per:6.3f}")


if __name__ == "__main__":
    main()
