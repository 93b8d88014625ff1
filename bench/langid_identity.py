"""Language scores to the bit: our numpy walk of py3langid's automaton against its own loop.

For every post of every corpus (read as the indexer reads it), the samples ``langs.choose``
gives the detector (the opening and the whole sample, each with and without the title) are
scored twice: by py3langid's ``LanguageIdentifier`` over the same narrowed arrays, whose
``visit_counts`` walks the bytes in Python, and by ours. The feature counts (and their order),
``classify``'s (language, probability) and ``rank``'s whole list must be identical; the CPU
time of each is reported (``time.process_time``; the machine may be shared)::

    python bench/langid_identity.py [--corpora ../shared/corpora] [NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from py3langid.langid import LanguageIdentifier, visit_counts

from searcher.ingest import langs
from searcher.ingest.reader import read_source_file, walk
from searcher.models import Post

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def samples(root: Path) -> list[str]:
    found = []
    for path in sorted(walk(root)) or sorted(root.glob("*.xml")):
        for post in read_source_file(path, root, geocode=False):
            if isinstance(post, Post):
                for text in (f"{post.title}\n{post.text}", post.text):
                    sample = langs._sample(text)
                    found += [sample, sample[: langs._LEDE]]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="corpora (default: every one)")
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    args = parser.parse_args()
    names = args.names or sorted(p.name for p in args.corpora.iterdir() if p.is_dir())
    ours = langs._model()
    plain = LanguageIdentifier(
        ours.nb_ptc, ours.nb_pc, ours.nb_classes, ours.tk_nextmove, ours.tk_output,
        norm_probs=True, tk_row=ours.tk_row,
    )  # fmt: skip
    differ = total = 0
    spent = {"py3langid": 0.0, "ours": 0.0}
    for name in names:
        texts = samples(args.corpora / name)
        results: dict[str, list[Any]] = {}
        for label, model in (("py3langid", plain), ("ours", ours)):
            start = time.process_time()
            results[label] = [(model.classify(t), model.rank(t)) for t in texts]
            spent[label] += time.process_time() - start
        for text, old, new in zip(texts, results["py3langid"], results["ours"], strict=True):
            data = ours._encode(text)
            counts = visit_counts(plain.tk_nextmove, plain._rowbase, plain.tk_output, data)
            visits = ours.automaton.visits(data)
            same = (None if counts is None else list(counts.items())) == (
                None if visits is None else list(visits.items())
            )
            if old != new or not same:
                differ += 1
                print(f"{name}: differs on {text[:60]!r}: {old[0]} / {new[0]}")
        total += len(texts)
        print(f"{name}: {len(texts)} samples scored")
    print(f"{total} samples, {differ} differ; CPU s (classify + rank): {spent}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
