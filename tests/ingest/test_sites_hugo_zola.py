"""Zola site roots read as Zola builds them: languages, ``path`` and ``slug`` overrides."""

from __future__ import annotations

from pathlib import Path

from searcher.ingest.reader import scan

CONFIG = "base_url = 'https://example.org'\ndefault_language = 'en'\n[languages.es]\n"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def page(front: str) -> str:
    return f"+++\ntitle = 'T'\ndate = 2023-10-28\n{front}+++\nwords\n"


def test_a_page_s_own_path_is_its_whole_path_in_every_language(tmp_path: Path) -> None:
    """Zola puts a translation under /<lang>/ only when the page gives no ``path``: a path
    written in front matter is the page's whole path (osc.garden's /es/privacy was read as
    /es/es/privacy)."""
    write(tmp_path, {"config.toml": CONFIG,
                     "content/pages/privacy/index.md": page("path = 'privacy'\n"),
                     "content/pages/privacy/index.es.md": page("path = '/es/privacy'\n"),
                     "content/blog/a-walk/index.es.md": page("slug = 'un-paseo'\n"),
                     "content/blog/2020-01-02-old.es.md": page("")})  # fmt: skip
    urls = {p.path: p.url for p in scan([tmp_path])}
    assert urls == {
        "content/pages/privacy/index.md": "https://example.org/privacy/",
        "content/pages/privacy/index.es.md": "https://example.org/es/privacy/",
        "content/blog/a-walk/index.es.md": "https://example.org/es/blog/un-paseo/",
        "content/blog/2020-01-02-old.es.md": "https://example.org/es/blog/old/",
    }


def test_paths_keep_dates_keeps_the_file_name_s_date_in_the_path(tmp_path: Path) -> None:
    """``[slugify] paths_keep_dates = true``: posts/2016-10-08_a-post.md is served at
    /posts/2016-10-08-a-post/ (the date still dates the page)."""
    config = "base_url = 'https://example.org'\n[slugify]\npaths_keep_dates = true\n"
    post = "+++\ntitle = 'A'\n+++\nwords\n"
    write(tmp_path, {"config.toml": config, "content/posts/2016-10-08_a-post.md": post})
    (found,) = scan([tmp_path])
    assert found.url == "https://example.org/posts/2016-10-08-a-post/"
    assert found.date is not None and found.date.date().isoformat() == "2016-10-08"


def test_the_languages_list_of_zola_before_0_15(tmp_path: Path) -> None:
    """Zola before 0.15 listed languages as ``languages = [{code = "fr"}]``: a page named
    ``*.fr.md`` is French, served under /fr/."""
    config = "base_url = 'https://example.org'\nlanguages = [{code = 'fr', feed = true}, 3]\n"
    write(tmp_path, {"config.toml": config, "content/blog/hello.fr.md": page("")})
    (found,) = scan([tmp_path])
    assert (found.url, found.lang) == ("https://example.org/fr/blog/hello/", "fr")


def test_pages_below_a_draft_section_are_drafts(tmp_path: Path) -> None:
    """Zola does not walk into a section whose _index.md says draft = true (its pages and
    subsections are built only with --drafts), whatever the pages say themselves."""
    write(tmp_path, {"config.toml": CONFIG,
                     "content/blog/_index.md": "+++\ntitle = 'Blog'\n+++\n",
                     "content/blog/a.md": page(""),
                     "content/wip/_index.md": "+++\ndraft = true\n+++\n",
                     "content/wip/b.md": page("draft = false\n"),
                     "content/wip/deep/c/index.md": page("")})  # fmt: skip
    assert [p.path for p in scan([tmp_path])] == ["content/blog/a.md"]
    drafts = {p.path: p.draft for p in scan([tmp_path], drafts=True)}
    assert drafts == {"content/blog/a.md": False, "content/wip/b.md": True,
                      "content/wip/deep/c/index.md": True}  # fmt: skip
