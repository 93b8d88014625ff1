"""A private place does not leave through the post's own text either: the geo markup a
WordPress theme printed into the body, or the point written out, is not searchable nor
shown in a snippet or an opening, on any public surface (small fixtures, no corpus)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import build_index

import searcher
from searcher.cli.commands import main

POSTS = {
    "2011-03-01-markup.md": """---
title: Conference notes
geo_latitude: '43.484082'
geo_longitude: '3.676690'
geo_public: '0'
---
A day at the conference. <p class="h-geo">Written at <span class="p-latitude">43.484082</span>,
<span class="p-longitude">3.676690</span></p> More words about talks.
""",
    "2011-03-02-abbr.md": """---
title: Road notes
private_location: true
---
Notes from the road. <abbr class="geo" title="48.8566;2.3522">Lutetia</abbr> was lovely.
""",
    "2011-03-03-written.md": """---
title: Harbour photo
geo: [-33.8568, 151.2153]
location_public: false
---
A photo from the harbour, taken at -33.8568, 151.2153 on a sunny day.
""",
    "2011-03-04-public.md": """---
title: Public walk
geo_public: '1'
---
A walk. <abbr class="geo" title="52.52;13.405">Spree bank</abbr> at 52.52, 13.405 today.
""",
}
SECRETS = ("43.484082", "3.67669", "48.8566", "Lutetia", "33.8568", "151.2153")


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("private-text")
    (root / "_posts").mkdir()
    for name, text in POSTS.items():
        (root / "_posts" / name).write_text(text, encoding="utf-8")
    return build_index([root], tmp_path_factory.mktemp("private-text-ix"))


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


@pytest.mark.parametrize(
    "args",
    [
        ["query", "conference", "--json"],
        ["query", "road lovely", "--json"],
        ["query", "harbour sunny", "--json"],
        ["query", "date:[1990 TO 2100]", "--limit", "100"],
        ["query", "date:[1990 TO 2100]", "--limit", "100", "--json"],
    ],
)
@pytest.mark.parametrize("audience", ["public", "owner"])
def test_cli_outputs_hold_no_private_text(index_dir: Path, args: list[str], audience: str) -> None:
    result = CliRunner().invoke(
        main, [*args, "--audience", audience, "--index-dir", str(index_dir)]
    )
    assert result.exit_code == 0, result.output
    shown = result.output
    if audience == "owner":  # the owner sees the places themselves, but not in the text
        if "--json" not in args:
            return
        shown = json.dumps([h.get("snippet") for h in json.loads(shown)["hits"]])
    assert _leaks(shown) == []


@pytest.mark.parametrize("word", ["43.484082", "Lutetia", "48.8566", "151.2153"])
def test_private_places_are_not_searchable_as_words(index_dir: Path, word: str) -> None:
    with searcher.open_index(index_dir, audience="public") as index:
        assert index.search(word).total == 0


def test_public_places_keep_their_text(index_dir: Path) -> None:
    with searcher.open_index(index_dir, audience="public") as index:
        hits = index.search("Spree bank").to_dict()["hits"]
    assert [h["title"] for h in hits] == ["Public walk"]
    assert "52.52, 13.405" in hits[0]["snippet"]


@pytest.mark.parametrize("url", ["/api/search?q=conference", "/?q=road", "/?q=harbour"])
def test_web_outputs_hold_no_private_text(index_dir: Path, url: str) -> None:
    from starlette.testclient import TestClient

    from searcher import web

    with searcher.open_index(index_dir, audience="public") as index:
        response = TestClient(web.create_app(index)).get(url)
    assert response.status_code == 200 and _leaks(response.text) == []
