"""Plain helpers with no blog, index or geography vocabulary, below every other layer.

``compact``: files of plain values (tables a process reads instead of building them again).
``caches``: :class:`Bounded`, the least-recently-used cache by count or weight budget.
``lazy``: a package's public names imported on first use (every subpackage's ``__init__``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from searcher.support.lazy import exports

if TYPE_CHECKING:
    from searcher.support import compact, lazy
    from searcher.support.caches import Bounded

__getattr__, __dir__ = exports(
    __name__, {"searcher.support.caches": ("Bounded",)}, ("compact", "lazy")
)

__all__ = ["Bounded", "compact", "lazy"]
