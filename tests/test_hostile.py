"""Hostile and unusual files: links, special files, bombs, deep nesting, odd bytes and names.

Each is read (with a warning) or skipped (with its reason named), never followed outside the
sources, never allowed to hang or exhaust the run; the other posts are indexed.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import searcher
from searcher.cli.commands import main
from searcher.indexing import indexer
from searcher.ingest import fields
from searcher.ingest.reader import read_file, scan
from searcher.models import Post, Skipped, Summary

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


def records(site: Path) -> dict[str, Post | Skipped]:
    """What scan makes of every file under ``site``, by path."""
    summary = Summary()
    found: dict[str, Post | Skipped] = {p.path: p for p in scan([site], summary=summary)}
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


# -- links and special files -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda posts, outside: (posts / "x.md").symlink_to(outside / "secret.txt"),
         "link to a file outside the sources"),
        (lambda posts, outside: (posts / "x.md").symlink_to("/dev/zero"),
         "link to a file outside the sources"),
        (lambda posts, outside: (posts / "x.md").symlink_to("../../secret.txt"),
         "link to a file outside the sources"),
        (lambda posts, outside: (posts / "x.md").symlink_to(posts / "x.md"), "link loop"),
        (lambda posts, outside: (posts / "x.md").symlink_to("nowhere.md"), "broken link"),
        (lambda posts, outside: os.mkfifo(posts / "x.md"), "not a regular file (FIFO)"),
    ],
)  # fmt: skip
def test_links_leaving_the_sources_and_special_files_are_skipped_with_their_reason(
    site: Path, make: object, reason: str
) -> None:
    posts = site / "_posts"
    make(posts, site.parent)  # type: ignore[operator]
    found = records(site)
    assert found["_posts/x.md"] == Skipped("_posts/x.md", reason)
    assert isinstance(found["_posts/2020-01-01-ok.md"], Post)
    assert indexed_paths(site, site.parent / "index") == {"_posts/2020-01-01-ok.md"}
    result = CliRunner().invoke(main, ["scan", str(site)])
    assert result.exit_code == 0 and f"_posts/x.md: {reason}" in result.output


def test_sockets_and_devices_are_not_opened(site: Path) -> None:
    import socket
    import stat

    server = socket.socket(socket.AF_UNIX)
    server.bind(str(site / "_posts" / "sock.md"))
    try:
        os.mknod(site / "_posts" / "zero.md", stat.S_IFCHR | 0o600, os.makedev(1, 5))
        device = True
    except (PermissionError, OSError):
        device = False  # no right to make device files here: the socket alone is tried
    found = records(site)
    assert found["_posts/sock.md"] == Skipped("_posts/sock.md", "not a regular file (socket)")
    if device:
        assert found["_posts/zero.md"] == Skipped(
            "_posts/zero.md", "not a regular file (character device)"
        )
    assert indexed_paths(site, site.parent / "index") == {"_posts/2020-01-01-ok.md"}
    server.close()


def test_a_link_inside_the_sources_is_followed(site: Path) -> None:
    (site / "pages").mkdir()
    (site / "pages" / "about.md").write_text("---\ntitle: About\n---\nhello there\n")
    (site / "_posts" / "about.md").symlink_to("../pages/about.md")
    found = records(site)
    assert isinstance(found["_posts/about.md"], Post) and isinstance(found["pages/about.md"], Post)


def test_folder_links_and_unreadable_folders_are_named(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (site / "elsewhere").symlink_to(site.parent, target_is_directory=True)
    (site / "locked").mkdir()
    (site / "locked" / "p.md").write_text("x")
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    found = records(site)
    assert found["elsewhere"] == Skipped("elsewhere", "link to a folder, not followed")
    assert found["locked"] == Skipped("locked", "unreadable folder: Permission denied")


def test_unreadable_files_keep_the_reasons_detail_when_indexed(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (site / "_posts" / "locked.md").write_text("x")
    real_open = os.open

    def guarded(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(path).endswith("locked.md"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", guarded)
    report = indexer.build([site], site.parent / "index")
    assert Skipped("_posts/locked.md", "unreadable: Permission denied") in (report.summary.skipped)
    result = CliRunner().invoke(
        main, ["index", str(site), "--index-dir", str(site.parent / "index2"), "-v"]
    )
    assert "_posts/locked.md: unreadable: Permission denied" in result.output


def test_the_too_large_post_is_named(site: Path) -> None:
    (site / "_posts" / "big.md").write_text("x" * 2000)
    result = CliRunner().invoke(main, ["scan", str(site), "--max-size", "1000"])
    assert "_posts/big.md: larger than 1000 bytes" in result.output
    result = CliRunner().invoke(main, ["index", str(site), "--max-size", "1000", "-v",
                                       "--index-dir", str(site.parent / "index")])  # fmt: skip
    assert "_posts/big.md: larger than 1000 bytes" in result.output


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
    post = read_file(path, site)
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
    post = read_file(path, site)
    assert isinstance(post, Post) and "deep body" in post.text


def test_a_non_utf8_file_name_is_indexed_under_a_readable_path(site: Path) -> None:
    name = os.fsencode(site / "_posts") + b"/caf\xe9.md"
    with open(name, "w") as file:
        file.write("---\ntitle: Cafe\n---\nhello\n")
    found = records(site)
    post = found["_posts/caf\\xe9.md"]
    assert isinstance(post, Post) and [w.reason for w in post.warnings] == ["file-name"]
    assert "_posts/caf\\xe9.md" in indexed_paths(site, site.parent / "index")
    result = CliRunner().invoke(main, ["scan", str(site), "--json"])
    assert result.exit_code == 0 and "caf\\\\xe9" in result.output


def test_twenty_thousand_tags_take_linear_time() -> None:
    tags = [f"tag{i}" for i in range(20_000)]
    started = time.perf_counter()
    assert len(fields.as_terms(tags + [t.upper() for t in tags])) == 20_000
    assert time.perf_counter() - started < 2  # quadratic de-duplication took 9 s


# -- readable is read ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "warned"),
    [("utf-16", False), ("utf-32", False), ("utf-16-le", True), ("utf-16-be", True)],
)
def test_utf16_and_utf32_posts_are_read(site: Path, encoding: str, warned: bool) -> None:
    path = site / "_posts" / "2020-02-02-wide.md"
    path.write_bytes("---\ntitle: Éléphant\ntags: [zoo]\n---\nhello wide world\n".encode(encoding))
    post = read_file(path, site)
    assert isinstance(post, Post)
    assert (post.title, post.tags, post.text) == ("Éléphant", ("zoo",), "hello wide world")
    assert bool(post.warnings) == warned


def test_a_stray_nul_does_not_make_a_post_binary(site: Path) -> None:
    path = site / "_posts" / "2020-02-02-nul.md"
    path.write_bytes(b"---\ntitle: Nul\n---\nhello\x00 world\n")
    post = read_file(path, site)
    assert isinstance(post, Post) and post.text == "hello world"
    assert [w.reason for w in post.warnings] == ["nul-bytes"]
    path.write_bytes(b"---\ntitle: Padded\n---\nhello\n" + b"\x00" * 5000)  # after a crash
    post = read_file(path, site)
    assert isinstance(post, Post) and post.text == "hello"
    for binary in (b"\x00", b"\x00\x01", bytes(range(256)) * 40):  # real binary files stay so
        path.write_bytes(binary)
        assert read_file(path, site) == Skipped("_posts/2020-02-02-nul.md", "binary file")
    path.write_bytes(bytes(range(256)) * 40)  # a real binary file stays one
    assert read_file(path, site) == Skipped("_posts/2020-02-02-nul.md", "binary file")


@pytest.mark.parametrize(
    "front",
    [
        "lang: " + "x" * 100_000,
        "\n".join(f"k{i}: 1\nk{i}: 2" for i in range(5_000)),  # 5,000 duplicate keys
        "date: " + "2" * 100_000,
        "geo: [" + "1" * 100_000 + ", 2]",
    ],
)
def test_warnings_quote_values_in_a_few_words(site: Path, front: str) -> None:
    path = site / "_posts" / "2020-01-01-long.md"
    path.write_text(f"---\ntitle: Long\n{front}\n---\n" + "Some English words here. " * 40)
    post = read_file(path, site)
    assert isinstance(post, Post)
    assert all(len(str(warning)) < 400 for warning in post.warnings)
