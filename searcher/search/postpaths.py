"""A post named as its user has it: the path the index stores, or its file, relative or absolute.

The index stores each post's path relative to its source folder (``_posts/2011-03-01-x.md``);
a user at a terminal has the file as ``content/_posts/2011-03-01-x.md`` or an absolute path.
The stored path is the longest tail of the given path's parts that the index holds.
"""

from __future__ import annotations

import os
from pathlib import PurePath
from typing import Any

from searcher.errors import UsageError
from searcher.indexing import schema

MAX_PARTS = 64  # deeper paths are not posts; only their last parts are tried


def stored_path(searcher: Any, given: str) -> str:
    """The stored path of the post ``given`` names; :class:`UsageError` saying which forms
    are understood, with a stored path near the one given as an example."""
    for candidate in candidates(given):
        if searcher.document_number(path=candidate) is not None:
            return candidate
    near = example(searcher, given)
    raise missing(given, near[1] if near else None)


def missing(given: str, example: str | None) -> UsageError:
    """The error for a path that names no post of the index (``example`` is one that does)."""
    hint = f", such as {example!r}" if example else ""
    return UsageError(
        f"no post at {given!r} in the index: give the post's file (relative to the current "
        f"folder, or absolute) or its path as the index stores it{hint}"
    )


def candidates(given: str) -> list[str]:
    """The given path as written, then every tail of it as a file path from here."""
    plain = given.strip().replace("\\", "/")
    found = [plain, plain.removeprefix("./")]
    where = os.path.normpath(os.path.join(os.getcwd(), os.path.expanduser(plain)))
    parts = PurePath(where).parts[-MAX_PARTS:]
    found += ["/".join(parts[i:]) for i in range(len(parts))]
    return list(dict.fromkeys(p for p in found if p))


def example(searcher: Any, given: str) -> tuple[int, str] | None:
    """A stored path in a folder the given path names, else any stored path: (how far from
    the given path's folder it is, the first such path), the nearest and first of several
    searchers' examples being the one an index of all their posts would give."""
    reader = searcher.reader()
    parts = PurePath(given.strip().replace("\\", "/")).parts[:-1][-MAX_PARTS:]
    prefixes = ["/".join(parts[i:]) + "/" for i in range(len(parts))]
    for distance, prefix in enumerate([*prefixes, ""]):
        for term in reader.expand_prefix(schema.PATH, prefix):
            path = term.decode() if isinstance(term, bytes) else str(term)
            if searcher.document_number(path=path) is not None:  # a live post
                return distance, path
    return None
