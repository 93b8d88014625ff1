"""Limits and defaults the command line shows in its options, kept apart from the modules
that use them so that parsing arguments (or ``--version``) imports none of those modules."""

from __future__ import annotations

DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # post files larger than this are skipped
MAX_SHARDS = 256  # most shards a sharded index may have
