from __future__ import annotations

from pathlib import Path

import pytest

from searcher.ingest import langs

ENGLISH = (
    "This post describes the release of a new version of the interpreter, with many bug fixes, "
    "performance improvements and a few changes to the standard library that users should know "
    "about before they upgrade their applications in production."
)
FRENCH = (
    "Ce billet décrit la nouvelle version de l'interpréteur, avec de nombreuses corrections, des "
    "améliorations de performance et quelques changements de la bibliothèque standard que les "
    "utilisateurs doivent connaître avant de mettre à jour leurs applications."
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("fr", "fr"),
        ("fr_FR", "fr"),
        ("zh-TW", "zh"),
        ("zh_cn", "zh"),
        ("French", "fr"),
        ("Deutsch", "de"),
        ("", None),
        (None, None),
        (3, None),
        ("not a language", None),
    ],
)
def test_normalise(raw: object, expected: str | None) -> None:
    assert langs.normalise(raw) == expected


def test_detection_alone_when_nothing_declared() -> None:
    assert langs.choose(None, FRENCH) == ("fr", None)
    assert langs.choose(None, ENGLISH) == ("en", None)


def test_declared_language_agreeing_is_kept() -> None:
    assert langs.choose("fr_FR", FRENCH) == ("fr", None)


def test_wrong_declaration_is_overruled_with_a_warning() -> None:
    lang, warning = langs.choose("de", ENGLISH)
    assert lang == "en"
    assert warning is not None and warning.reason == "lang-mismatch"


def test_short_text_never_overrules() -> None:
    assert langs.choose("de", "Release notes") == ("de", None)


def test_too_little_text_to_detect() -> None:
    assert langs.choose(None, "12 34 --") == (None, None)


def test_cached_model_ranks_as_the_bundled_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh = langs._load_model()  # no cache yet: decompressed, narrowed and then cached
    assert list((tmp_path / "blogsearch").glob("langid-*.arrays"))
    cached = langs._load_model()
    assert cached.nb_ptc is not fresh.nb_ptc
    # mapped from the file, not copied: processes that load it share its pages
    assert not cached.nb_ptc.flags.writeable and cached.tk_nextmove.readonly
    for text in (ENGLISH, FRENCH, "Hallo Welt, das ist ein deutscher Text", "日本語のテキスト"):
        assert cached.rank(text) == fresh.rank(text)


def test_unreadable_cache_falls_back_to_the_bundled_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    langs._cache_file().parent.mkdir(parents=True)
    langs._cache_file().write_bytes(b"not a model")
    assert langs._load_model().classify(FRENCH)[0] == "fr"


def test_caches_of_other_model_versions_are_removed_once_unused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import time

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "blogsearch"
    folder.mkdir()
    old = time.time() - 2 * langs.STALE_AFTER_S
    stale, recent, other = folder / "langid-0123.npz", folder / "langid-4567.arrays", folder / "x"
    for path in (stale, recent, other):
        path.write_bytes(b"a model of another version")
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    langs._load_model()  # no cache of this version: made, and the stale ones go
    assert langs._cache_file().is_file() and recent.is_file() and other.is_file()
    assert not stale.exists()
    os.utime(langs._cache_file(), (old, old))
    langs._load_model()  # read from the cache: marked as in use
    assert time.time() - langs._cache_file().stat().st_mtime < langs.STALE_AFTER_S
