"""What warming asks of a generation (search/warmup.py); tests/web/test_warmup.py checks that
a served index is warmed, and bench/web_warmup.py times it."""

from __future__ import annotations

from searcher.models import Completion, Hit, Results
from searcher.search import warmup
from searcher.search.planning import Request


class _Recorder:
    """A generation that answers every request with one post and records what it was asked."""

    def __init__(self) -> None:
        self.texts: list[str | None] = []

    def run(self, request: Request) -> Results:
        self.texts.append(request.text)
        hit = Hit("a.md", "Ruby 3.3 released", "/a", None, (), (), "en", 1.0, "", None, None, ())
        return Results("", 1, (hit,), 1, 10)

    def complete(self, prefix: str, limit: int) -> list[Completion]:
        return []


def test_warming_asks_a_word_beyond_ascii_whatever_the_titles() -> None:
    """An archive whose newest title is ASCII still has a query beyond ASCII warmed (the
    Unicode token pattern is compiled on a process's first such query)."""
    generation = _Recorder()
    warmup.warm(generation)
    texts = [text for text in generation.texts if text]
    assert "Ruby 3.3 released" in texts
    assert any(not text.isascii() for text in texts)
    assert not warmup.BEYOND_ASCII.isascii() and warmup.BEYOND_ASCII.isalpha()
