"""``blogsearch serve``: options, the owner-mode warning, and the app each worker builds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from searcher import web
from searcher.cli.commands import main
from searcher.cli.serve import is_loopback

ENV = ("BLOGSEARCH_INDEX", "BLOGSEARCH_AUDIENCE", "BLOGSEARCH_CORS_ORIGINS")


@pytest.fixture
def uvicorn_run(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record the server serve would start instead of starting it; restore the environment."""
    import uvicorn

    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    return calls


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.168.1.5", False),
     ("example.org", False)],
)  # fmt: skip
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_serve_runs_uvicorn_with_the_app_factory(
    content_index: Path, uvicorn_run: list[dict[str, Any]]
) -> None:
    result = CliRunner().invoke(main, ["serve", "--index-dir", str(content_index), "--port",
                                       "8123", "--workers", "2", "--cors-origin", "https://a.example",
                                       "--cors-origin", "https://b.example"])  # fmt: skip
    assert result.exit_code == 0, result.output
    (call,) = uvicorn_run
    assert call["app"] == "searcher.web:app_from_env" and call["factory"] is True
    assert (call["host"], call["port"], call["workers"]) == ("127.0.0.1", 8123, 2)
    import os

    assert os.environ["BLOGSEARCH_INDEX"] == str(content_index.resolve())
    assert os.environ["BLOGSEARCH_AUDIENCE"] == "public"
    assert os.environ["BLOGSEARCH_CORS_ORIGINS"] == "https://a.example,https://b.example"
    assert "Warning" not in result.output


@pytest.mark.parametrize(
    ("audience", "host", "warned"),
    [("owner", "0.0.0.0", True), ("owner", "192.168.1.5", True), ("owner", "127.0.0.1", False),
     ("owner", "::1", False), ("public", "0.0.0.0", False)],
)  # fmt: skip
def test_owner_mode_beyond_loopback_is_warned_about(
    content_index: Path, uvicorn_run: list[dict[str, Any]], audience: str, host: str, warned: bool
) -> None:
    result = CliRunner().invoke(main, ["serve", "--index-dir", str(content_index),
                                       "--audience", audience, "--host", host])  # fmt: skip
    assert result.exit_code == 0
    assert ("Warning: serving private locations" in result.stderr) is warned
    assert uvicorn_run[0]["host"] == host


def test_serve_without_an_index_is_one_error_line(
    tmp_path: Path, uvicorn_run: list[dict[str, Any]]
) -> None:
    result = CliRunner().invoke(main, ["serve", "--index-dir", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no index") and "Traceback" not in result.output
    assert uvicorn_run == []


def test_serve_rejects_a_bad_port(content_index: Path, uvicorn_run: list[dict[str, Any]]) -> None:
    for port in ("x", "70000", "-1"):
        result = CliRunner().invoke(main, ["serve", "--index-dir", str(content_index),
                                           "--port", port])  # fmt: skip
        assert result.exit_code == 2 and "--port" in result.stderr
    assert uvicorn_run == []


def test_the_worker_app_reads_the_environment(
    content_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOGSEARCH_INDEX", str(content_index))
    monkeypatch.setenv("BLOGSEARCH_AUDIENCE", "owner")
    monkeypatch.setenv("BLOGSEARCH_CORS_ORIGINS", "https://a.example, https://b.example")
    app = web.app_from_env()
    assert app.state.index.audience == "owner"
    response = TestClient(app).get("/api/stats", headers={"Origin": "https://b.example"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://b.example"
    app.state.index.close()
