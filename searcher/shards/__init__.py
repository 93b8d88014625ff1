"""Sharded indexes on Dask: a folder of independent shards searched as one index.

Vocabulary: the *layout* (``shards.json``) records how many shards there are and how a post is
*routed* to one (:mod:`~searcher.shards.layout`, which also builds them); the *coordinator*
(:mod:`~searcher.shards.coordinator`) asks every shard's *actor*
(:mod:`~searcher.shards.actor`) and merges their hits; *global statistics*
(:mod:`~searcher.search.globalstats`) make every shard score as the whole index would.

The API uses :func:`build` (a sharded build, reported by the one BuildReport), :func:`read_layout`
and the :class:`ShardedBackend` that searches the shards as one index. Imported on first use:
importing one module never imports its siblings (nor Dask).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from searcher.support.lazy import exports

if TYPE_CHECKING:
    from searcher.shards import layout
    from searcher.shards.coordinator import ShardedBackend
    from searcher.shards.layout import build, read_layout

__getattr__, __dir__ = exports(
    __name__,
    {
        "searcher.shards.coordinator": ("ShardedBackend",),
        "searcher.shards.layout": ("build", "read_layout"),
    },
    ("layout",),
)

__all__ = ["ShardedBackend", "build", "layout", "read_layout"]
