"""Plain helpers with no blog, index or geography vocabulary, below every other layer.

``compact``: files of plain values (tables a process reads instead of building them again).
``caches``: ``Bounded``, the least-recently-used cache by count or weight budget.
"""
