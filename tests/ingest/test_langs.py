from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import corpus
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _choose_as_before(declared: Any, text: str, default: str | None) -> str | None:
    """choose's language as it was written first: classify and rank run on each sample."""
    model = langs._model()

    def detect(sample: str) -> tuple[str, float] | None:
        if not langs._has_letters(sample[:400], 20):
            return None
        lang, prob = model.classify(sample)
        return (lang, prob) if lang not in ("zxx", "und") else None

    def probability(sample: str, code: str) -> float:
        return next((prob for lang, prob in model.rank(sample) if lang == code), 0.0)

    code = langs.normalise(declared)
    if code is None:
        script = langs.cjk_language(text)
        if script:
            return script
        sample = langs._sample(text)
        guess = detect(sample)
        unsure = guess is None or guess[1] < 0.9 or not langs._has_letters(sample, 200)
        return default if default and unsure else guess[0] if guess else None
    if len(text) < 200:
        return code
    quick = detect(langs._sample(text)[:300])
    if quick is None or quick[0] == code:
        return code
    sample = langs._sample(text)
    guess = detect(sample)
    if guess is None or guess[0] == code or guess[1] < 0.95:
        return code
    if probability(sample, code) > 0.01 or probability(sample[:300], code) > 0.5:
        return code
    return guess[0]


GERMAN = "Hallo Welt, das ist ein kurzer deutscher Text über die neue Version."


@pytest.mark.parametrize("declared", [None, "en", "fr", "de", "ja", "xx"])
@pytest.mark.parametrize("default", [None, "fi"])
@pytest.mark.parametrize(
    "text",
    [ENGLISH, FRENCH, GERMAN, FRENCH[:150] + " " + ENGLISH * 2, GERMAN + " " + ENGLISH * 3,
     ENGLISH[:120], "12 34 --", "日本語のテキスト", ""],
)  # fmt: skip
def test_choose_decides_as_classify_and_rank_did(
    declared: str | None, default: str | None, text: str
) -> None:
    assert langs.choose(declared, text, default)[0] == _choose_as_before(declared, text, default)


def test_each_sample_is_scored_once(monkeypatch: pytest.MonkeyPatch) -> None:
    scored: list[str] = []
    score = langs._scores
    monkeypatch.setattr(langs, "_scores", lambda sample: scored.append(sample) or score(sample))
    lang, warning = langs.choose("de", ENGLISH * 3)
    assert lang == "en" and warning is not None
    assert len(scored) == len(set(scored)) == 2  # the opening, then the whole sample
    scored.clear()
    assert langs.choose(None, ENGLISH[:150], "fi") == ("fi", None)
    assert scored == []  # too short to overrule the site's language: never scored


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


def test_float32_tables_score_as_the_bundled_float16_ones() -> None:
    """The model's tables are held as float32 (faster to score with); the bundle's float16
    values convert exactly, so every language gets the very same probability."""
    import copy

    import numpy as np

    model = langs._model()
    assert model.nb_ptc.dtype == np.float32
    bundled = copy.copy(model)
    bundled.nb_ptc = model.nb_ptc.astype(np.float16)
    assert np.array_equal(bundled.nb_ptc.astype(np.float32), model.nb_ptc)
    for text in (ENGLISH, FRENCH, "Hallo Welt, das ist ein deutscher Text", "日本語のテキスト",
                 "El tiempo de hoy es muy bueno", ENGLISH[:40]):  # fmt: skip
        assert bundled.rank(text) == model.rank(text)


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


# --- the automaton walked with numpy counts as py3langid does -------------------------------


def _plain(model: Any) -> Any:
    """py3langid's own identifier over the same (narrowed) arrays: its Python byte loop."""
    from py3langid.langid import LanguageIdentifier

    return LanguageIdentifier(
        model.nb_ptc, model.nb_pc, model.nb_classes, model.tk_nextmove, model.tk_output,
        norm_probs=True, tk_row=model.tk_row,
    )  # fmt: skip


def _same_as_py3langid(text: str) -> None:
    from py3langid.langid import visit_counts

    model = langs._model()
    plain = _plain(model)
    data = model._encode(text)
    expected = visit_counts(plain.tk_nextmove, plain._rowbase, plain.tk_output, data)
    found = model.automaton.visits(data)
    # the same features, counted alike, first seen first: the order scores are summed in
    assert (None if expected is None else list(expected.items())) == (
        None if found is None else list(found.items())
    )
    assert model.classify(text) == plain.classify(text)  # bit for bit
    assert model.rank(text) == plain.rank(text)


# letters of several scripts, digits, punctuation, blanks, and bytes a model rarely sees
_TEXTS = st.text(
    st.sampled_from(list("the quick brown fox éèàçœ über straße 日本語のテキスト 한국어 тест "
                         "العربية 0123456789 .,;:!?'\"()-_*#@/\n\t\u00a0\u200b\x00\x7f😀")),
    max_size=700,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_automaton_counts_features_as_py3langid(text: str) -> None:
    _same_as_py3langid(text)


@pytest.mark.parametrize(
    "text", ["", "a", "ab", "abcdef", "abcdefg", ENGLISH, FRENCH, "日本語のテキスト", "🙂" * 9]
)
def test_automaton_on_short_and_plain_texts(text: str) -> None:
    _same_as_py3langid(text)


def test_automaton_on_a_multilingual_archive() -> None:
    root = corpus("ruby-lang")
    for path in sorted(root.rglob("*.md"))[::25]:
        text = path.read_text(encoding="utf-8", errors="replace")
        _same_as_py3langid(langs._sample(text))
        _same_as_py3langid(langs._sample(text)[: langs._LEDE])


def test_depth_of_the_automaton_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh = langs._load_model()  # worked out breadth first
    cached = langs._load_model()  # read back
    assert cached.automaton.depth == fresh.automaton.depth >= 4  # langid's n-grams: 1 to 4+


# --- the noise pattern, linear, matches as the backtracking one -------------------------------

_BACKTRACKING_NOISE = re.compile(r"\S*(?:://|www\.|@)\S*|[!-~]*\d[!-~]*|[_*#=|<>{}\[\]`~]+")
_NOISY = st.lists(
    st.sampled_from(
        ["a", "é", "z", "7", "0", "٣", "\uff11", "²", " ", "\n", "\u3000", "\x1c", "\u00a0", ":",
         "/", "://", "www.", "w", ".", "@", "_", "*", "#", "=", "|", "<", ">", "{", "}", "[",
         "]", "`", "~", "-", "\x7f", "日", "http://x.org/a1", "me@x.io", "ab12", "\x00"]
    ),
    max_size=60,
).map("".join)  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(_NOISY)
def test_noise_pattern_removes_what_the_backtracking_one_did(text: str) -> None:
    assert langs._NOISE.sub(" ", text) == _BACKTRACKING_NOISE.sub(" ", text)
    assert [m.span() for m in langs._NOISE.finditer(text)] == [
        m.span() for m in _BACKTRACKING_NOISE.finditer(text)
    ]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.one_of(_NOISY, st.sampled_from(["word", "(Plain),", "www.", "“été…”", ""]))))
def test_denoise_removes_what_the_backtracking_pattern_did(words: list[str]) -> None:
    text = " ".join(words)  # words holding none of the marks noise holds are passed by
    assert langs._denoise(text) == _BACKTRACKING_NOISE.sub(" ", text)
    text = text.replace(langs._APART, "\x1d")  # another blank: the words cleaned together
    assert langs._denoise(text) == _BACKTRACKING_NOISE.sub(" ", text)


@settings(max_examples=500, deadline=None)
@given(st.lists(_NOISY, min_size=1, max_size=40).map(" ".join), st.integers(0, 1500))
def test_sample_cleans_as_the_whole_opening_would(words: str, pad: int) -> None:
    text = ("word " * pad)[:pad] + words + " tail" * 300
    assert langs._sample(text) == _BACKTRACKING_NOISE.sub(" ", text[:1200])[:600]


# words that clean to less than they were, or to themselves, cut anywhere
_SHRINKING = st.lists(
    st.sampled_from(["http://x.org/a/b1"] * 8 + ["ab12", "word", "été", "x7", "a", "www.x", "@",
                     "{[]}", "12", "wordy", "\n", "", "abcdefghijklmnopqrstuvwxyz" * 3 + "1"]),
    max_size=300,
).map(" ".join)  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.one_of(_SHRINKING, st.lists(_NOISY, max_size=60).map(" ".join)), st.integers(0, 900))
def test_lede_is_the_opening_of_the_sample(words: str, pad: int) -> None:
    text = ("word " * pad)[:pad] + words + " tail" * 150
    for opening in (text, text[:500], text[: 300 + pad]):
        assert langs._lede(opening) == langs._sample(opening)[: langs._LEDE]


@pytest.mark.parametrize(
    "text",
    [
        "see http://example.org/a/1 " * 100 + ENGLISH,  # the opening is mostly noise
        "x" * 700 + "@" + "y" * 900 + " " + ENGLISH,  # no blank where the opening could end
        ENGLISH * 10,
        FRENCH[:100],
    ],
)
def test_sample_of_noisy_and_unbroken_openings(text: str) -> None:
    assert langs._sample(text) == _BACKTRACKING_NOISE.sub(" ", text[:1200])[:600]


# --- letters and scripts counted without a pass per character ------------------------------

_SCRIPTS = st.text(
    st.one_of(
        st.sampled_from(list("aé7_ ²½\u3000\u4e00\u9fff\u3400\u4dbf\uf900\ufaff\u3040\u30ff"
                             "\u31f0\u31ff\uac00\ud7af\u1100\u11ff\u3130\u318f\uffff\ud800😀𠀀")),
        st.characters(),
    ),
    max_size=1400,
)  # fmt: skip


def _cjk_language_as_before(text: str) -> str | None:
    """:func:`langs.cjk_language` as it was written first: three findall and isalpha."""
    sample = text[:1200]
    if sample.isascii() or langs._CJK.search(sample) is None:
        return None
    han, kana, hangul = (len(rx.findall(sample)) for rx in (langs._HAN, langs._KANA, langs._HANGUL))
    cjk = han + kana + hangul
    if cjk < 2 or cjk < 0.5 * sum(map(str.isalpha, sample)):
        return None
    if hangul > kana and hangul >= han / 4:
        return "ko"
    return "ja" if kana and kana * langs._HAN_PER_KANA >= han else "zh"


@settings(max_examples=1000, deadline=None)
@given(_SCRIPTS)
def test_scripts_counted_as_findall_and_isalpha_count_them(text: str) -> None:
    counts = langs._script_counts(text)
    expected = (*(len(rx.findall(text)) for rx in (langs._HAN, langs._KANA, langs._HANGUL)),
                sum(map(str.isalpha, text)))  # fmt: skip
    assert counts == expected
    assert langs.cjk_language(text) == _cjk_language_as_before(text)


def test_script_table_agrees_with_the_patterns_on_every_character() -> None:
    everything = "".join(map(chr, range(0x10000)))
    for start in range(0, len(everything), 4096):
        chunk = everything[start : start + 4096]
        expected = (*(len(rx.findall(chunk)) for rx in (langs._HAN, langs._KANA, langs._HANGUL)),
                    sum(map(str.isalpha, chunk)))  # fmt: skip
        assert langs._script_counts(chunk) == expected


@settings(max_examples=1000, deadline=None)
@given(_SCRIPTS, st.integers(0, 250))
def test_letters_counted_as_removing_the_rest_counts_them(text: str, count: int) -> None:
    letters = len(re.sub(r"[\W\d_]+", "", text))
    assert langs._has_letters(text, count) == (letters >= count)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("冬令营" * 100 + "の", "zh"),  # a Chinese post writing の once, as Chinese posts do
        ("我们今天去了东京的秋叶原。买了很多东西。" * 20 + "アキバ", "zh"),
        ("東京大学の研究室で機械学習の論文を読みました。", "ja"),
        ("情報処理学会全国大会発表論文集" * 2 + "です", "ja"),  # kanji-heavy, still Japanese
        ("すべてひらがなでかきました", "ja"),
    ],
)  # fmt: skip
def test_han_with_hardly_any_kana_is_chinese(text: str, lang: str) -> None:
    assert langs.cjk_language(text) == lang
    assert langs.choose(None, text)[0] == lang
