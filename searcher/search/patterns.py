"""Wildcards with a bounded cost: the words a pattern stands for, looked up once per reader.

``ruby*`` or ``kn?tr`` stands for the indexed words it matches. Finding them reads the
lexicon from the pattern's literal start (all of it for ``*ing``), and searching them reads
each word's postings, so both are bounded: a pattern that would read more than
:data:`MAX_SCANNED` words of a field, or stand for more than :data:`MAX_WORDS`, is refused
with a :class:`QuerySyntaxError` that says to give more letters.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from whoosh import query

from searcher.errors import QuerySyntaxError
from searcher.support.caches import Bounded

MAX_WORDS = 2_000  # words one pattern may stand for in one field
MAX_SCANNED = 100_000  # lexicon entries one pattern may read in one field
KEPT = 256  # expansions remembered per reader

Pattern = Any  # a whoosh query.Prefix or query.Wildcard
_PATTERNS = (query.Prefix, query.Wildcard)


class Patterns:
    """The expansions of the patterns searched in one reader (thread-safe)."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._kept: Bounded[tuple[str, str, type], tuple[bytes, ...]] = Bounded(KEPT)

    def check(self, q: query.Query | None) -> None:
        """Refuse ``q`` if one of its patterns stands for too many words."""
        if q is None:
            return
        for leaf in q.leaves():
            if isinstance(leaf, _PATTERNS) and leaf.text:
                self.words(leaf)

    def words(self, q: Pattern) -> tuple[bytes, ...]:
        """The indexed words (as bytes) the pattern ``q`` stands for in its field."""
        key = (q.fieldname, q.text, type(q))
        found = self._kept.get(key)
        if found is None:
            found = self._kept.put(key, tuple(_expand(self._reader, q)))
        return found


def _expand(reader: Any, q: Pattern) -> list[bytes]:
    fieldname = q.fieldname
    if fieldname not in reader.schema:
        return []
    literal = q.text if isinstance(q, query.Prefix) else re.split(r"[*?]", q.text)[0]
    match = None if isinstance(q, query.Prefix) else re.compile(fnmatch.translate(q.text)).match
    field = reader.schema[fieldname]
    candidates = reader.expand_prefix(fieldname, literal) if literal else reader.lexicon(fieldname)
    found: list[bytes] = []
    for scanned, btext in enumerate(candidates, start=1):
        if scanned > MAX_SCANNED:
            raise _too_broad(q, f"it would read over {MAX_SCANNED:,} words")
        if match is None or match(field.from_bytes(btext)):
            found.append(btext)
            if len(found) > MAX_WORDS:
                raise _too_broad(q, f"it matches over {MAX_WORDS:,} words")
    return found


def _too_broad(q: Pattern, why: str) -> QuerySyntaxError:
    shown = q.text + ("*" if isinstance(q, query.Prefix) else "")
    return QuerySyntaxError(f"the pattern {shown!r} is too broad ({why}): give more letters")
