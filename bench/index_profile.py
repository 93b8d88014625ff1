"""Where a full build's time goes: cProfile over our indexer, summarised by cost centre.

Profiles of the same small build: the real CLI (the writer process; reading happens in worker
processes it only waits for), the same build in one process (``workers=1``), which shows every
cost side by side, and the CLI re-indexing one changed post. Nested centres overlap by design.
"""

from __future__ import annotations

import pstats
from pathlib import Path
from typing import Any

# (label, end of the file name, function name): cumulative time inside each
CENTRES = [
    ("read + parse post files (ingest.read_file)", "searcher/ingest/reader.py", "read_file"),
    ("  front matter (meta.parse)", "searcher/ingest/meta.py", "parse"),
    ("  Markdown/HTML to plain text (text.extract)", "searcher/ingest/text.py", "extract"),
    ("    Markdown to HTML (gfm.to_html)", "searcher/ingest/gfm.py", "to_html"),
    ("    BeautifulSoup parse (text._soup_text)", "searcher/ingest/text.py", "_soup_text"),
    ("  language check (langs.choose)", "searcher/ingest/langs.py", "choose"),
    ("    loading the language model (langs._model)", "searcher/ingest/langs.py", "_model"),
    ("post to Whoosh document (schema.document)", "searcher/indexing/schema.py", "document"),
    ("Whoosh add_document: analysis + postings", "whoosh/writing.py", "add_document"),
    ("  our analysers (largest analysis.py __call__)", "searcher/indexing/analysis.py", "__call__"),
    ("Whoosh commit: sort runs, write segment", "whoosh/writing.py", "commit"),
    ("  merging segments (writing.MERGE_SMALL)", "whoosh/writing.py", "MERGE_SMALL"),
    ("opening the index (index.open_dir)", "whoosh/index.py", "open_dir"),
    ("manifest load (manifest.load)", "searcher/indexing/manifest.py", "load"),
    ("manifest save (manifest.save)", "searcher/indexing/manifest.py", "save"),
    ("files to read: walk + stat (indexer._survey)", "searcher/indexing/indexer.py", "_survey"),
    ("read files in worker processes (indexer._read)", "searcher/indexing/indexer.py", "_read"),
    ("incl. waiting on worker results (lock acquire)", "~", "<method 'acquire' of '_thread.lock"),
    ("start-up: import searcher", "searcher/__init__.py", "<module>"),
]
SKIP_FILES = ("<frozen", "runpy.py", "cProfile.py", "profile.py")


def summary(prof: Path, top: int = 15) -> dict[str, Any]:
    """Named cost centres, the top functions by own time, and the top by cumulative time."""
    stats = pstats.Stats(str(prof))
    total: float = stats.total_tt  # type: ignore[attr-defined]
    entries: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    centres = []
    for label, file_end, func in CENTRES:
        seconds = max(
            (
                ct
                for (file, _, name), (_, _, _, ct, _) in entries.items()
                if file.endswith(file_end) and name.startswith(func)
            ),
            default=0.0,
        )
        if seconds:
            centres.append(_line(label, seconds, total))
    own = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)
    cumulative = sorted(
        (item for item in entries.items() if not item[0][0].endswith(SKIP_FILES)),
        key=lambda item: item[1][3],
        reverse=True,
    )
    return {
        "total_s": round(total, 3),
        "centres": centres,
        "top_own": [_line(_name(key), v[2], total) for key, v in own[:top]],
        "top_cumulative": [_line(_name(key), v[3], total) for key, v in cumulative[:top]],
    }


def _line(label: str, seconds: float, total: float) -> dict[str, Any]:
    return {
        "label": label,
        "seconds": round(seconds, 3),
        "share": round(seconds / total, 3) if total else 0.0,
    }


def _name(key: tuple[str, int, str]) -> str:
    file, lineno, func = key
    if file == "~":
        return func
    parts = Path(file).parts
    short = "/".join(parts[-2:]) if len(parts) > 1 else file
    return f"{short}:{lineno}({func})"


def print_summary(title: str, data: dict[str, Any], top: int = 10) -> None:
    print(f"\n{title}: {data['total_s']} s profiled")
    for key, heading in (("centres", "cost centres (cumulative)"), ("top_own", "top own time")):
        print(f"  {heading}:")
        lines = data[key] if key == "centres" else data[key][:top]
        for line in lines:
            if line["share"] < 0.005:
                continue
            print(f"    {line['seconds']:8.2f} s {line['share']:6.1%}  {line['label']}")
