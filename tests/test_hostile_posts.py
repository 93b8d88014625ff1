"""A battery of generated hostile posts: odd encodings, nesting, aliases, dates, sizes, names
and links, side by side with an ordinary post.

Whatever they hold: no traceback from scan or index, every file is a post or a named skip,
the ordinary post is indexed and found, and nothing outside the sources is read.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import searcher
from searcher.cli.commands import main
from searcher.indexing import indexer
from searcher.ingest.reader import scan
from searcher.models import Summary

SECRET = "zanzibarpassword"

# -- values a front matter may hold ------------------------------------------------------------

edge_dates = st.one_of(
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)).map(
        lambda d: d.isoformat()
    ),
    st.tuples(
        st.sampled_from(["0001-01-01T00:00:00", "9999-12-31T23:59:59", "0000-01-01", "2011-02-30",
                         "10000-01-01", "9999-12-31", "1970-01-01T00:00:00"]),
        st.sampled_from(["", "Z", "+14:00", "-14:00", "+99:00", "-00:01", " UTC"]),
    ).map("".join),
    st.sampled_from(["Fri, 31 Dec 9999 23:59:59 -1400", "Mon, 01 Jan 0001 00:00:00 +0100",
                     "31 December 9999", "1e400", "-1", "99999999999999999999"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)  # fmt: skip
scalars = st.one_of(
    st.text(max_size=30),
    st.integers(),
    st.floats(),
    st.sampled_from(["\ud800", "\udfff", "x" * 100_000, "~", "null", "0", "-1", "private"]),
)


def nested(depth: int, key: str) -> object:
    value: object = "leaf"
    for _ in range(depth):
        value = {key: value} if depth % 2 else [value]
    return value


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """A front matter block in YAML, TOML or JSON with a few hostile values."""
    kind = draw(st.sampled_from(["yaml", "toml", "json", "yaml-aliases", "none"]))
    data: dict[str, object] = {"title": draw(st.text(max_size=40))}
    for key in draw(st.lists(st.sampled_from(["date", "tags", "geo", "lang", "location",
                                              "geo_public", "categories", "meta", "draft"]),
                             max_size=4, unique=True)):  # fmt: skip
        data[key] = draw(st.one_of(
            edge_dates, scalars, st.lists(scalars, max_size=30),
            st.integers(0, 800).map(lambda depth, k=key: nested(depth, k)),
            st.integers(1000, 25_000).map(lambda n: [f"t{i}" for i in range(n)]),
        ))  # fmt: skip
    deep = draw(st.integers(0, 100_000))  # nesting written out: deeper than json.dumps goes
    data["deep"] = "DEEP"
    if kind == "json":
        text = json.dumps(data, default=str)
        return text.replace('"DEEP"', "[" * deep + "]" * deep) + "\n"
    if kind == "toml":
        lines = [f"{key} = {json.dumps(value, default=str)}" for key, value in data.items()]
        return "+++\n" + "\n".join(lines).replace('"DEEP"', "[" * deep + "]" * deep) + "\n+++\n"
    if kind == "yaml-aliases":
        levels = draw(st.integers(1, 9))
        lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, levels)]
        key = draw(st.sampled_from(["date", "tags", "title", "geo", "location", "meta"]))
        return "---\n" + "\n".join([*lines, f"{key}: *a{levels - 1}"]) + "\n---\n"
    if kind == "yaml":  # JSON is YAML too
        text = json.dumps(data, default=str).replace('"DEEP"', "[" * deep + "]" * deep)
        return "---\n" + text + "\n---\n"
    return ""


bodies = st.one_of(
    st.text(max_size=300),
    st.integers(0, 50_000).map(lambda n: "<div>" * n + "text" + "</div>" * n),
    st.integers(0, 50_000).map(lambda n: "> " * n + "quoted\n"),
    st.integers(0, 20_000).map(lambda n: "[a](" * n + "\n" + "*b " * n),
    st.sampled_from(["\x00", "hello\x00world", "&#xd800; &#0; &#x110000;", "\ufeff" * 3]),
)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "cp1252"])
names = st.one_of(
    st.sampled_from([b"post.md", b"2011-03-01-x.md", b"caf\xe9.md", b"\xff\xfe.md", b"-x.md",
                     b"space name.html", b"a" * 200 + b".md", b"index.md", b"README.md",
                     b"_index.md", b"x.markdown", b"\xe2\x80\xae.md"]),
    st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=30)
    .map(lambda t: t.encode("utf-8")[:200] + b".md"),
)  # fmt: skip


@st.composite
def hostile_file(draw: st.DrawFn) -> tuple[bytes, bytes | str]:
    """(file name, its bytes), or (file name, "link:…") for a link to make."""
    name = draw(names)
    link = draw(st.sampled_from([None, None, None, None, "outside", "loop", "dev", "inside"]))
    if link:
        return name, f"link:{link}"
    text = draw(front_matter()) + draw(bodies)
    encoding = draw(encodings)
    data = text.encode(encoding, errors="surrogatepass" if "utf" in encoding else "replace")
    if draw(st.booleans()):  # random damage
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=40)) + data[cut:]
    return name, data


@pytest.fixture(autouse=True)
def deadline() -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError("a hostile post took more than 60 s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(60)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _make(posts: Path, name: bytes, data: bytes | str, outside: Path) -> None:
    path = os.path.join(os.fsencode(posts), name)
    if isinstance(data, bytes):
        with open(path, "wb") as file:
            file.write(data)
        return
    targets = {"outside": os.fsencode(outside), "loop": path, "dev": b"/dev/zero",
               "inside": os.fsencode(posts / "2020-01-01-ok.md")}  # fmt: skip
    os.symlink(targets[data.removeprefix("link:")], path)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(hostile_file(), min_size=1, max_size=3, unique_by=lambda f: f[0]))
def test_hostile_posts_never_stop_the_run(files: list[tuple[bytes, bytes | str]]) -> None:
    work = Path(tempfile.mkdtemp(prefix="blogsearch-hostile-"))
    try:
        outside = work / "secret.md"
        outside.write_text(f"---\ntitle: Secret\n---\n{SECRET}\n")
        posts = work / "site" / "_posts"
        posts.mkdir(parents=True)
        (posts / "2020-01-01-ok.md").write_text("---\ntitle: Fine\n---\nan ordinary post\n")
        for name, data in files:
            if name != b"2020-01-01-ok.md":
                _make(posts, name, data, outside)
        summary = Summary()
        found = list(scan([posts.parent], summary=summary))
        assert summary.files == len(found) + len(summary.skipped) + summary.drafts_excluded
        for post in found:
            json.dumps(post.to_dict(), ensure_ascii=False).encode("utf-8")
            assert SECRET not in post.text
        report = indexer.build([posts.parent], work / "index")
        assert report.indexed == len(found)
        with searcher.open_index(work / "index") as index:
            assert "_posts/2020-01-01-ok.md" in {h.path for h in index.search("ordinary").hits}
            assert index.search(SECRET).total == 0
        result = CliRunner().invoke(main, ["scan", str(posts.parent), "--json"])
        assert result.exit_code == 0 and result.exception is None, result.output
    finally:
        shutil.rmtree(work, ignore_errors=True)
