"""Hostile and unusual files: links, special files, bombs, deep nesting, odd bytes and names.

Each is read (with a warning) or skipped (with its reason named), never followed outside the
sources, never allowed to hang or exhaust the run; the other posts are indexed.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import searcher
from searcher import fields, indexer, ingest
from searcher.cli import main
from searcher.models import Post

SECRET = "zanzibarpassword"


@pytest.fixture(autouse=True)
def deadline() -> Iterator[None]:
    """A hostile file must not hang the run: fail the test after 20 s instead."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError("hostile file took more than 20 s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A source folder with one ordinary post, and a secret file outside it."""
    (tmp_path / "secret.txt").write_text(f"---\ntitle: secret\n---\n{SECRET}\n")
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    (posts / "2020-01-01-ok.md").write_text("---\ntitle: Fine\n---\nan ordinary post\n")
    return posts.parent


def records(site: Path) -> dict[str, Post | ingest.Skipped]:
    """What scan makes of every file under ``site``, by path."""
    summary = ingest.Summary()
    found: dict[str, Post | ingest.Skipped] = {
        p.path: p for p in ingest.scan([site], summary=summary)
    }
    found.update((s.path, s) for s in summary.skipped)
    return found


def indexed_paths(site: Path, index_dir: Path) -> set[str]:
    report = indexer.build([site], index_dir)
    assert report.summary.posts == report.indexed
    with searcher.open_index(index_dir, audience="owner") as index:
        assert index.search(SECRET).total == 0  # nothing outside the sources was read
        return {hit.path for hit in index.search(sort="date", since="1900", limit=100).hits} | {
            hit.path for hit in index.search("ordinary OR body OR hello", limit=100).hits
        }


# -- bounded work per post ---------------------------------------------------------------------


def alias_bomb(key: str, levels: int = 9) -> str:
    """A few hundred bytes of YAML whose aliases expand to 9**levels values."""
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ",".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(["---", "title: Bomb", *lines, f"{key}: *l{levels - 1}", "---", "body", ""])


HOSTILE = {
    **{f"bomb-{key}.md": alias_bomb(key) for key in ("date", "title", "tags", "geo", "meta")},
    "deep-json.md": '{\n"title": "Deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "\n}\nbody\n",
    "deep-json-dict.md": '{\n"title": "Deep", ' + '"a": {' * 50_000 + "}" * 50_000 + "\n}\nbody\n",
    "deep-yaml.md": "---\ntitle: Deep\nx: " + "[" * 100_000 + "]" * 100_000 + "\n---\nbody\n",
    "deep-yaml-900.md": "---\ntitle: Deep\ngeo: " + "[" * 900 + "]" * 900 + "\n---\nbody\n",
    "surrogate-json.md": '{\n"title": "T\\ud800", "tags": ["\\udc00x"],\n'
    + '"geo": "\\udfff"\n}\nbody\n',
    "surrogate-yaml.md": '---\ntitle: "T\\ud800"\ntags: ["\\udc00"]\n---\nbody\n',
    "long-date.md": "---\ntitle: Long\ndate: " + "9" * 200_000 + "\n---\nbody\n",
    "recursive.md": "---\ntitle: Rec\ntags: &a [*a]\ngeo: &b {x: *b}\n---\nbody\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_front_matter_is_read_with_a_warning(site: Path, name: str) -> None:
    path = site / "_posts" / name
    path.write_text(HOSTILE[name])
    started = time.perf_counter()
    post = ingest.read_file(path, site)
    assert isinstance(post, Post) and post.warnings, post
    assert all(len(str(w)) < 400 for w in post.warnings)  # no expanded value in a message
    json.dumps(post.to_dict(), ensure_ascii=False).encode()  # printable, storable
    assert time.perf_counter() - started < 5
    assert indexed_paths(site, site.parent / "index") >= {"_posts/2020-01-01-ok.md"}
    result = CliRunner().invoke(main, ["scan", str(site), "--json"])
    assert result.exit_code == 0 and result.exception is None


@pytest.mark.parametrize(
    ("name", "body"),
    [("deep.html", "<div>" * 100_000 + "deep body" + "</div>" * 100_000),
     ("deep.md", "> " * 50_000 + "deep body\n" + "* " * 50_000 + "x\n"),
     ("wide.md", "[x](" * 20_000 + "\n" + "*a " * 100_000 + "deep body\n")],
)  # fmt: skip
def test_deeply_nested_bodies_are_read(site: Path, name: str, body: str) -> None:
    path = site / "_posts" / name
    path.write_text(body)
    post = ingest.read_file(path, site)
    assert isinstance(post, Post) and "deep body" in post.text


def test_twenty_thousand_tags_take_linear_time() -> None:
    tags = [f"tag{i}" for i in range(20_000)]
    started = time.perf_counter()
    assert len(fields.as_terms(tags + [t.upper() for t in tags])) == 20_000
    assert time.perf_counter() - started < 2  # quadratic de-duplication took 9 s
