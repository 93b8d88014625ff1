"""Sharded indexes on Dask: a folder of independent shards searched as one index.

Vocabulary: the *layout* (``shards.json``) records how many shards there are and how a post is
*routed* to one (:mod:`~searcher.shards.layout`, which also builds them); the *coordinator*
(:mod:`~searcher.shards.coordinator`) asks every shard's *actor*
(:mod:`~searcher.shards.actor`) and merges their hits; *global statistics*
(:mod:`~searcher.search.globalstats`) make every shard score as the whole index would.
"""
