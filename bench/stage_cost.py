"""Where a full build's CPU goes, stage by stage, per post: reading, analysis field by field,
the batches of arrays, their trip between processes, the writer.

Everything runs in this one process and is timed in CPU seconds (``time.process_time``: the
machine is shared, wall time is not a fair measure); a real build spreads the reading and
analysis over worker processes and adds their start-up. The language model and gazetteer
are loaded first and reported apart. Analysis is timed field by field inside
``postings.batch`` (``fieldterms.terms``, and ``fieldterms.index`` for the fields Whoosh
analyses), whose remainder is building the arrays.

    python bench/stage_cost.py [--every N] [--corpora ../shared/corpora] [NAME ...]
"""

from __future__ import annotations

import argparse
import contextlib
import pickle
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage

from searcher.geo import gazetteer
from searcher.indexing import fieldterms, indexer, ondisk, postings, schema
from searcher.indexing._whoosh import segbuild
from searcher.ingest.reader import open_post, parse_post, read_text, walk
from searcher.models import Post

NAMES = ("chamerling", "evert", "ruby-lang", "rust-blog")
TEXT_FIELDS = ("title", "body", "words", "spellings")


def read(corpora: Path, names: list[str], every: int, spent: Counter[str]) -> list[Post]:
    options = indexer.BuildOptions()
    posts = []
    for name in names:
        root = corpora / name
        for path in sorted(walk(root))[::every]:
            start = time.process_time()
            source = open_post(path, root, options.max_bytes)
            spent["read: open and hash"] += time.process_time() - start
            start = time.process_time()
            post = parse_post(source)
            spent["read: parse (front matter, text, language, places)"] += (
                time.process_time() - start
            )
            if isinstance(post, Post) and not post.draft:
                posts.append(post)
    return posts


def analyse(posts: list[Post], spent: Counter[str]) -> list[segbuild.Batch]:
    start = time.process_time()
    documents = [schema.document(post) for post in posts]
    spent["schema.document"] += time.process_time() - start
    start = time.process_time()
    step = indexer.READ_BATCH
    with _fields_timed(spent) as analysed:
        batches = [postings.batch(documents[i : i + step]) for i in range(0, len(documents), step)]
    spent["arrays (postings.batch less its analysis)"] += (
        time.process_time() - start - sum(analysed.values())
    )
    start = time.process_time()
    batches = [pickle.loads(pickle.dumps(b, protocol=pickle.HIGHEST_PROTOCOL)) for b in batches]
    spent["batches pickled and unpickled"] += time.process_time() - start
    return batches


@contextlib.contextmanager
def _fields_timed(spent: Counter[str]) -> Iterator[Counter[str]]:
    """Time ``fieldterms.terms`` and ``fieldterms.index`` field by field while
    ``postings.batch`` calls them, as a build does (each word's memo filled once); the
    times are added to ``spent`` and yielded."""
    names = {id(field): name for name, field in postings._schema().items()}
    analysed: Counter[str] = Counter()
    originals = {name: getattr(fieldterms, name) for name in ("terms", "index")}

    def timed(function: Callable[..., Any]) -> Callable[..., Any]:
        def call(field: Any, value: Any, document: dict[str, Any]) -> Any:
            begin = time.process_time()
            try:
                return function(field, value, document)
            finally:
                name = names[id(field)]
                label = name if name in TEXT_FIELDS else "other fields"
                analysed[f"analysis: {label}"] += time.process_time() - begin

        return call

    for name, function in originals.items():
        setattr(fieldterms, name, timed(function))
    try:
        yield analysed
    finally:
        for name, function in originals.items():
            setattr(fieldterms, name, function)
        spent.update(analysed)


def write(batches: list[segbuild.Batch], spent: Counter[str]) -> float:
    """Write the batches into a fresh index; its size in MB."""
    work = Path(tempfile.mkdtemp(prefix="stage-cost-"))
    try:
        storage = FileStorage(str(work))
        ix = storage.create_index(postings._schema(), indexname=ondisk.INDEX_NAME)
        start = time.process_time()
        writer = segbuild.IndexWriter(ix)
        for batch in batches:
            writer.add_batch(batch)
        spent["writer: add_batch"] += time.process_time() - start
        start = time.process_time()
        writer.commit(fresh=True)
        spent["writer: commit"] += time.process_time() - start
        return sum(p.stat().st_size for p in work.iterdir()) / 1e6
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    shared = Path(__file__).parents[2] / "shared" / "corpora"
    parser.add_argument("names", nargs="*", default=list(NAMES))
    parser.add_argument("--corpora", type=Path, default=shared)
    parser.add_argument("--every", type=int, default=1, help="every Nth post file (default 1)")
    args = parser.parse_args()
    start = time.process_time()
    read_text("warm-up: load the language model once\n" * 20, "warm.md")
    gazetteer.geocode("Paris, France")
    loaded = time.process_time() - start
    spent: Counter[str] = Counter()
    posts = read(args.corpora, args.names, args.every, spent)
    size = write(analyse(posts, spent), spent)
    count = len(posts)
    print(f"{count} posts of {', '.join(args.names)} (every {args.every}th file); CPU ms per post")
    print(f"  {'(once: language model and gazetteer loaded)':<52} {loaded * 1000:8.0f} ms")
    for label, seconds in spent.items():
        print(f"  {label:<52} {seconds / count * 1000:8.3f}")
    print(f"  {'in all':<52} {sum(spent.values()) / count * 1000:8.3f}   index {size:.1f} MB")


if __name__ == "__main__":
    main()
