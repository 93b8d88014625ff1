"""Hostile query strings and parameters, through the API, the CLI and the web API.

Whatever is typed: hits or one clean line of usage error (exit 2, HTTP 400), never a
traceback, a 500 or an internal error's text, and never a private place shown to the public.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

import searcher
from searcher import web
from searcher.cli.commands import main
from searcher.errors import UsageError

PIECES = [
    '"', "(", ")", "[", "]", "{", "}", "<", ">", "*", "?", ":", "~", "^", "-", "+", "!", "/",
    "\\", "'", ".", ",", ";", "=", "&", "|", " ", "  ", "\t", "AND", "OR", "NOT", "ANDNOT",
    "TO", "cloud", "paris", "Poussan", "Mourre", "vélo", "中文", "スマート", "LaTeX", "2011",
    "date:", "tag:", "title:", "body:", "lang:", "near:", "place:", "place_private:",
    "cell_private:", "lat:", "path:", "43.48,3.67", "~20km", "~-1km", "~abc", "</b>",
    "<script>", "\u00a0", "\u200b", "é", "ß", "İ", "\U0001f600",
]  # fmt: skip
TYPED = st.one_of(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=40),
)
# words only in the addresses of the bundled content's two private places
PRIVATE = ("Poussan", "Mourre", "34560", "Villette", "69003")


def _clean(message: str) -> None:
    assert "\n" not in message.strip() and "Traceback" not in message
    assert "list index" not in message and "object has no attribute" not in message


def _public_hits(hits: list[dict[str, Any]]) -> None:
    for hit in hits:
        location = hit.get("location")
        assert location is None or location.get("public") is True, hit
        assert not any(word in json.dumps(location) for word in PRIVATE)


@given(text=TYPED)
@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
def test_the_api_answers_any_typed_query(public: searcher.Index, text: str) -> None:
    try:
        results = public.search(text)
    except UsageError as exc:
        _clean(str(exc))
        return
    _public_hits([hit.to_dict() for hit in results.hits])


@given(text=TYPED)
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
def test_the_cli_answers_any_typed_query(content_index: Path, text: str) -> None:
    args = ["query", "--json", "--audience", "public", "--index-dir", str(content_index), "--"]
    result = CliRunner().invoke(main, [*args, text])
    assert result.exit_code in (0, 2), (text, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if result.exit_code == 0:
        _public_hits(json.loads(result.stdout)["hits"])
    else:
        _clean(result.output.strip().splitlines()[-1])


OPTIONS = ["--tag", "--category", "--lang", "--since", "--until", "--bbox", "--radius",
           "--near", "--sort", "--limit", "--page"]  # fmt: skip


@given(
    text=st.one_of(st.none(), TYPED),
    options=st.lists(st.tuples(st.sampled_from(OPTIONS), TYPED), max_size=3),
)
@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
def test_the_cli_answers_any_options(
    content_index: Path, text: str | None, options: list[tuple[str, str]]
) -> None:
    args = ["query", "--json", "--audience", "public", "--index-dir", str(content_index)]
    for name, value in options:
        args += [f"{name}={value}"]
    result = CliRunner().invoke(main, [*args, "--", *([text] if text else [])])
    assert result.exit_code in (0, 1, 2), (args, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        _public_hits(json.loads(result.stdout)["hits"])


@pytest.fixture(scope="module")
def client(public: searcher.Index) -> TestClient:
    return TestClient(web.create_app(public))


@given(
    path=st.sampled_from(["/api/search", "/api/near", "/", "/api/complete"]),
    text=TYPED,
    extra=st.dictionaries(st.sampled_from(["near", "radius", "tag", "lang", "since", "sort",
                                           "bbox", "facets"]), TYPED, max_size=2),
)  # fmt: skip
@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
def test_the_web_api_answers_any_typed_query(
    client: TestClient, path: str, text: str, extra: dict[str, str]
) -> None:
    response = client.get(path, params={"q": text, **extra})
    assert response.status_code in (200, 400), (path, text, extra, response.text[:300])
    if path == "/":
        assert "Traceback" not in response.text
        typed = f"{text} {extra}".lower()  # the page echoes what was typed: that may stay
        assert not any(w in response.text for w in PRIVATE if w.lower() not in typed)
        return
    body = response.json()
    if response.status_code == 400:
        _clean(body["error"])
        assert body["parameter"]
    elif path != "/api/complete":
        _public_hits(body["hits"])
