"""support.caches.Bounded: least recently used out first, by count and by weight budget."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import pytest

from searcher.support.caches import Bounded


def test_the_least_recently_used_goes_first() -> None:
    kept: Bounded[str, int] = Bounded(3)
    for key, value in [("a", 1), ("b", 2), ("c", 3)]:
        kept.put(key, value)
    assert kept.get("a") == 1  # a used: b is now the oldest
    kept.put("d", 4)
    assert "b" not in kept
    assert [k for k in "acd" if k in kept] == ["a", "c", "d"] and len(kept) == 3
    kept.put("e", 5)
    assert "c" not in kept and kept.get("a") == 1 and kept.get("e") == 5


def test_a_missing_key_is_none_and_put_replaces() -> None:
    kept: Bounded[str, int] = Bounded(2)
    assert kept.get("x") is None
    assert kept.put("x", 1) == 1
    kept.put("x", 2)
    assert kept.get("x") == 2 and len(kept) == 1


def test_setdefault_keeps_the_first_value() -> None:
    kept: Bounded[str, str] = Bounded(2)
    assert kept.setdefault("k", "first") == "first"
    assert kept.setdefault("k", "second") == "first"


def test_the_budget_forgets_the_oldest_but_keeps_the_newest() -> None:
    dropped: list[str] = []
    kept: Bounded[str, list[int]] = Bounded(
        budget=5, weigh=len, dropped=lambda key, _: dropped.append(key)
    )
    kept.put("a", [1, 2])
    kept.put("b", [1, 2])
    assert kept.held == 4 and not dropped
    kept.put("c", [1, 2])  # 6 > 5: a goes
    assert dropped == ["a"] and kept.held == 4
    kept.put("b", [1])  # replacing counts the new weight only
    assert kept.held == 3
    kept.put("big", list(range(10)))  # heavier than the budget on its own: still kept
    assert dropped == ["a", "c", "b"] and len(kept) == 1 and kept.held == 10


def test_clear_forgets_everything() -> None:
    kept: Bounded[int, list[int]] = Bounded(budget=10, weigh=len)
    kept.put(1, [1, 2, 3])
    kept.clear()
    assert len(kept) == 0 and kept.held == 0 and kept.get(1) is None


def test_a_budget_needs_a_weight() -> None:
    with pytest.raises(ValueError, match="weigh"):
        Bounded(budget=3)


@pytest.fixture
def busy_switching() -> Iterator[None]:
    """Threads switch every microsecond: an unlocked Bounded miscounts here most runs."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


@pytest.mark.parametrize("run", range(3))
@pytest.mark.usefixtures("busy_switching")
def test_threads_never_break_the_bounds(run: int) -> None:
    kept: Bounded[int, list[int]] = Bounded(50, budget=400, weigh=len)
    failures: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            for i in range(3000):
                key = (i * 7 + seed) % 120
                if kept.get(key) is None:
                    kept.put(key, [0] * (key % 9 + 1))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert 1 <= len(kept) <= 50 and kept.held <= 400
    assert kept.held == sum(len(v) for k in range(120) if (v := kept.get(k)) is not None)
