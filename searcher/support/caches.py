"""One bounded cache: least recently used first out, by count and/or by a weight budget."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Bounded(Generic[K, V]):
    """A mapping that forgets its least recently used entries beyond ``limit`` entries or
    beyond ``budget`` units of ``weigh(value)`` (the newest entry is always kept, whatever it
    weighs). ``get`` and ``put`` count as uses. Thread-safe unless ``locked=False`` (for a
    cache only ever read and written under its owner's lock: one lock less on a hot path).
    ``dropped(key, value)`` is told of each entry forgotten, under the lock."""

    def __init__(
        self,
        limit: int | None = None,
        *,
        budget: int | None = None,
        weigh: Callable[[V], int] | None = None,
        dropped: Callable[[K, V], None] | None = None,
        locked: bool = True,
    ) -> None:
        if (budget is None) != (weigh is None):
            raise ValueError("a budget needs a weigh function, and a weigh function a budget")
        self._kept: OrderedDict[K, V] = OrderedDict()
        self._limit = limit
        self._budget = budget
        self._weigh = weigh
        self._dropped = dropped
        self._held = 0
        self._lock: AbstractContextManager[object] = threading.Lock() if locked else nullcontext()

    def __len__(self) -> int:
        return len(self._kept)

    def __contains__(self, key: K) -> bool:
        return key in self._kept

    @property
    def held(self) -> int:
        """The total weight kept (0 without a budget)."""
        return self._held

    def get(self, key: K) -> V | None:
        """The value kept for ``key`` (now the most recently used), or None."""
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> V:
        """Keep ``value`` for ``key`` (replacing any), forget what no longer fits; ``value``."""
        with self._lock:
            old = self._kept.pop(key, None)
            if old is not None and self._weigh is not None:
                self._held -= self._weigh(old)
            self._add(key, value)
        return value

    def setdefault(self, key: K, value: V) -> V:
        """The value already kept for ``key`` if any (now most recent), else ``put`` ``value``."""
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
            self._add(key, value)
        return value

    def clear(self) -> None:
        """Forget everything (``dropped`` is not told)."""
        with self._lock:
            self._kept.clear()
            self._held = 0

    def _add(self, key: K, value: V) -> None:
        kept = self._kept
        kept[key] = value
        if self._weigh is not None:
            self._held += self._weigh(value)
        while len(kept) > 1 and (
            (self._limit is not None and len(kept) > self._limit)
            or (self._budget is not None and self._held > self._budget)
        ):
            old_key, old = kept.popitem(last=False)
            if self._weigh is not None:
                self._held -= self._weigh(old)
            if self._dropped is not None:
                self._dropped(old_key, old)
