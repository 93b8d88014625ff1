"""Front-matter keys in any case: Hugo lower-cases every key it reads, and exports to it
write ``Title:``, ``Tags:``, ``Slug:``; a key written so is read as the generator reads it."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from searcher.ingest.posts import any_case
from searcher.ingest.reader import read_text, scan


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


CAPITALISED = """---
Title: Driver days round up
Date: 2012-11-16
Tags:
- Drivers
- Hack Day
Categories: [Events]
Slug: driver-days
Description: what the drivers team built in a day
---
# A heading that is not the title

Two times a year the team meets.
"""


def test_a_hugo_site_reads_capitalised_keys_as_hugo_does(tmp_path: Path) -> None:
    write(tmp_path, {
        "hugo.toml": "baseURL = 'https://example.org/'\n[permalinks]\npost = '/:year/:slug/'\n",
        "content/post/round-up.md": CAPITALISED,
        "content/post/hidden.md": "---\nTitle: Not yet\nDraft: true\n---\nwords\n",
    })  # fmt: skip
    posts = {post.path: post for post in scan([tmp_path], drafts=True)}
    post = posts["content/post/round-up.md"]
    assert post.title == "Driver days round up"
    assert post.tags == ("Drivers", "Hack Day")
    assert post.categories == ("Events",)
    assert post.url == "https://example.org/2012/driver-days/"
    assert posts["content/post/hidden.md"].draft
    assert [p.path for p in scan([tmp_path])] == ["content/post/round-up.md"]


def test_a_folder_of_posts_reads_capitalised_keys_too() -> None:
    post = read_text(CAPITALISED.replace("Date:", "PublishDate:"), "posts/round-up.md")
    assert (post.title, post.tags) == ("Driver days round up", ("Drivers", "Hack Day"))
    assert post.date is not None and post.date.isoformat().startswith("2012-11-16")


def test_the_lower_case_key_wins_over_other_spellings() -> None:
    text = "---\nTags: [upper]\ntags: [lower]\nTITLE: shouted\nTitle: first seen\n---\nx\n"
    post = read_text(text, "posts/p.md")
    assert post.tags == ("lower",)
    assert post.title == "shouted"


keys = st.text(alphabet="abcXYZ_1", min_size=1, max_size=4)


@given(st.dictionaries(keys, st.integers(), max_size=8))
def test_any_case_keeps_every_key_and_adds_only_missing_lower_case_ones(
    data: dict[str, int],
) -> None:
    folded = any_case(data)
    assert {key: folded[key] for key in data} == data
    for key in folded.keys() - data.keys():
        assert key.islower() and key not in data
        assert folded[key] == next(v for k, v in data.items() if k.lower() == key)
