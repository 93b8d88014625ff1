from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Iterator

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from whoosh.fields import TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.lang import has_stemmer, languages
from whoosh.qparser import QueryParser
from whoosh.searching import Searcher

from searcher.indexing.analysis import (
    LANGUAGE_KEYS,
    SNOWBALL_LANGUAGES,
    WordTokenizer,
    forms_by_language,
    language_key,
    plain_analyzer,
    text_analyzer,
)

Q = "\u2019"  # the typographic apostrophe


def _searcher(key: str, text: str) -> Searcher:
    """A one-post in-memory index whose body is analysed for ``key``."""
    schema = Schema(body=TEXT(analyzer=text_analyzer(key), phrase=True, stored=True))
    index = RamStorage().create_index(schema)
    with index.writer() as writer:
        writer.add_document(body=text)
    return index.searcher()


def _finds(key: str, text: str, query: str) -> bool:
    with _searcher(key, text) as searcher:
        parsed = QueryParser("body", searcher.schema).parse(query)
        return len(searcher.search(parsed)) == 1


def _case(key: str, text: str, query: str, found: bool, name: str) -> object:
    return pytest.param(key, text, query, found, id=f"{key}-{name}")


SEARCHES = [
    # French: accents both ways, inflections, elision, a content word on the stop list
    _case("fr", "L'interopérabilité des systèmes", "interoperabilite", True, "unaccented-query"),
    _case("fr", "L'interopérabilité des systèmes", f"l{Q}interopérabilité", True, "elided-query"),
    _case("fr", "Les conférences de Lyon", "conférence", True, "plural-doc"),
    _case("fr", "Une conférence à Lyon", "conferences", True, "plural-query"),
    _case("fr", "Une conference a Lyon", "conférence", True, "unaccented-doc"),
    _case("fr", "La version a été publiée", "publié", True, "participle"),
    _case("fr", "Le développeur", "developpeurs", True, "plural-unaccented"),
    _case("fr", "Il a été publié en été", "été", True, "ete-not-a-stop-word"),
    _case("fr", f"L{Q}été à Paris", "ete", True, "typographic-elision"),
    _case("fr", "Être ou ne pas être", "été", False, "ete-is-not-etre"),
    _case("fr", "Jusqu'à l'aube, qu'il pleuve", "aube", True, "jusqua"),
    _case("fr", f"Aujourd{Q}hui la sortie", "aujourd'hui", True, "apostrophe-kept"),
    _case("fr", "La sécurité des systèmes", '"sécurité des systèmes"', True, "phrase"),
    _case("fr", "La sécurité des systèmes", '"systèmes sécurité"', False, "phrase-order"),
    _case("fr", "C'est l'été", "\"c'est l'été\"", True, "phrase-of-elisions"),
    _case("fr", "securite", "sécurité", False, "limit-accented-query-bare-doc"),
    # German: umlauts, ß, compounds' inflections
    _case("de", "Neue Veröffentlichungen", "Veröffentlichung", True, "plural"),
    _case("de", "Die Veröffentlichung", "veroffentlichungen", True, "unaccented"),
    _case("de", "Das Buch wurde veröffentlicht", "veroffentlicht", True, "participle"),
    _case("de", "Die Straße", "strasse", True, "eszett"),
    _case("de", "Die Strasse", "Straße", True, "eszett-query"),
    _case("de", "Der Weg ist das Ziel", "Weg", True, "weg-not-a-stop-word"),
    # Spanish
    _case("es", "Nuevas versiones de Ruby", "versión", True, "plural-doc"),
    _case("es", "La versión nueva", "versiones", True, "plural-query"),
    _case("es", "La versión nueva", "version", True, "unaccented"),
    _case("es", "Dos vulnerabilidades", "vulnerabilidad", True, "vulnerabilidad"),
    _case("es", "Las actualizaciones", "actualización", True, "cion-ciones"),
    _case("es", "La actualización", "actualizaciones", True, "ciones-cion"),
    _case("es", "La actualización", "actualizacion", True, "cion-unaccented"),
    _case("es", "Fue publicada ayer", "publicado", True, "gender"),
    _case("es", "Los Estados Unidos", "estados", True, "estados-not-a-stop-word"),
    # Portuguese and Italian
    _case("pt", "Novas atualizações", "atualização", True, "plural"),
    _case("pt", "A segurança", "seguranca", True, "cedilla"),
    _case("it", "Dell'università di Roma", "università", True, "elided"),
    _case("it", f"Dell{Q}università di Roma", "universita", True, "elided-unaccented"),
    _case("it", "Nell'anno e all'Italia", "italia", True, "all"),
    _case("it", "Un'amica", "amica", True, "un"),
    _case("it", "Le vulnerabilità", "vulnerabilita", True, "unaccented"),
    # Russian
    _case("ru", "Новый выпуск Ruby", "выпуска", True, "genitive"),
    _case("ru", "Новые выпуски", "выпуск", True, "plural"),
    _case("ru", "Найдена уязвимость", "уязвимости", True, "uyazvimost"),
    _case("ru", "Новая ёлка", "елка", True, "yo"),
    _case("ru", "Новый выпуск", "новая", True, "adjective"),
    _case("ru", "Новый выпуск", "пуск", False, "no-substring"),
    # English: stems, possessive, contractions, stop words in phrases, identifiers
    _case("en", "Ruby 3.0 releases", "released", True, "stem"),
    _case("en", "Ruby 3.0 was released", "release", True, "stem-2"),
    _case("en", "John's blog", "john", True, "possessive"),
    _case("en", f"Don{Q}t panic", "don't", True, "contraction"),
    _case("en", "The state of the art", '"state of the art"', True, "phrase-stops"),
    _case("en", "Moving to the cloud", '"the cloud"', True, "phrase-leading-stop"),
    _case("en", "The state of the art", '"art of the state"', False, "phrase-order"),
    _case("en", "The release notes", "relevance", False, "different-stem"),
    _case("en", "Fixed CVE-2020-10663 in json", "CVE-2020-10663", True, "cve"),
    _case("en", "Fixed CVE-2020-10663 in json", '"cve 2020 10663"', True, "cve-phrase"),
    _case("en", "Fixed CVE-2020-10663 in json", "CVE-2020-10664", False, "other-cve"),
    _case("en", "Ruby 2.7.1 Released", "2.7.1", True, "version"),
    _case("en", "Ruby 2.7.1 Released", '"ruby 2.7.1"', True, "version-phrase"),
    _case("en", "Ruby 2.7.1 Released", "2.7", True, "version-prefix"),
    _case("en", "Ruby v2.7.1 is out.", "2.7.1", True, "version-v"),
    _case("en", "Ruby 2.7.10 Released", "2.7.1", False, "other-version"),
    _case("en", "Ruby 2.7.1 Released", "2.7.2", False, "other-version-2"),
    _case("en", "An interop layer", "interop*", True, "wildcard"),
    _case("en", "Ruby 3.0 releases", "releas*", True, "wildcard-stem"),
    # CJK bigrams, Latin inside CJK text
    _case("cjk", "Rubyに存在脆弱性が見つかりました", "脆弱性", True, "ja-word"),
    _case("cjk", "Rubyに脆弱性が見つかりました", '"脆弱性が見つかりました"', True, "ja-phrase"),
    _case("cjk", "東京タワーに行った", '"東京タワー"', True, "ja-katakana"),
    _case("cjk", "東京タワーに行った", "京都", False, "ja-other-word"),
    _case("cjk", "猫が好き", "猫", True, "single-char"),
    _case("cjk", "这是一个安全漏洞", "安全漏洞", True, "zh"),
    _case("cjk", "这是一个安全漏洞", "漏安", False, "zh-reversed"),
    _case("cjk", "루비 보안 취약점", "취약점", True, "ko"),
    _case("cjk", "Rubyのバージョン", "RUBY", True, "latin-inside"),
    _case("cjk", "Café", "cafe", True, "latin-folded"),
    # Languages without a stemmer; Arabic, Dutch
    _case("any", "Piękny dzień", "piekny", True, "polish-folded"),
    _case("any", "L'interoperabilitat", "interoperabilitat", True, "catalan-elision"),
    _case("any", "New releases", "release", False, "no-stemming"),
    _case("any", "e\u0301te\u0301 à Paris", "été", True, "nfd-text"),
    _case("ar", "قرأت الكتاب", "كتاب", True, "arabic-article"),
    _case("nl", "Twee auto's", "auto", True, "dutch-plural"),
]


@pytest.mark.parametrize(("key", "text", "query", "found"), SEARCHES)
def test_query_finds_post(key: str, text: str, query: str, found: bool) -> None:
    assert _finds(key, text, query) is found


@pytest.mark.parametrize(
    ("key", "word", "stopped"),
    [
        ("en", "the", True),
        ("en", "cloud", False),
        ("fr", "les", True),
        ("fr", "été", False),
        ("fr", "pas", True),
        ("de", "und", True),
        ("de", "weg", False),
        ("es", "estado", False),
        ("ru", "два", False),
        ("ru", "и", True),
        ("ro", "și", False),  # no Romanian stop list
        ("any", "the", False),
    ],
)
def test_stop_words(key: str, word: str, stopped: bool) -> None:
    assert (list(text_analyzer(key)(word)) == []) is stopped


def _surfaces(key: str, text: str, mode: str) -> Iterator[str]:
    for t in text_analyzer(key)(text, chars=True, positions=True, mode=mode):
        yield text[t.startchar : t.endchar]


@pytest.mark.parametrize(
    ("key", "text", "surfaces"),
    [
        ("fr", f"L{Q}interopérabilité, d'un été", ["interopérabilité", "été"]),
        ("en", "John's 2.7.1 (CVE-2020-10663)", ["John", "2.7.1", "CVE", "2020", "10663"]),
        ("de", "Größe: Veröffentlichungen", ["Größe", "Veröffentlichungen"]),
        ("cjk", "Ruby の脆弱性", ["Ruby", "の脆", "脆弱", "弱性"]),
        ("any", "e\u0301te\u0301 x", ["e\u0301te\u0301", "x"]),
    ],
)  # fmt: skip
def test_offsets_slice_back_to_the_text(key: str, text: str, surfaces: list[str]) -> None:
    assert list(_surfaces(key, text, "query")) == surfaces
    assert set(_surfaces(key, text, "index")) >= set(surfaces)


@pytest.mark.parametrize(
    ("key", "text", "query", "marked"),
    [
        ("fr", "Parlons de l'interopérabilité.", "interoperabilite", "interopérabilité"),
        ("cjk", "Rubyに脆弱性が見つかりました", "脆弱性", "脆弱性"),
        ("cjk", "Rubyに脆弱性が見つかりました", "見つかり", "見つかり"),
        ("cjk", "猫が好き", "猫", "猫"),
        ("en", "Ruby 2.7.1 Released", "2.7.1", "2.7.1"),
    ],
)  # fmt: skip
def test_highlights_mark_the_surface_form(key: str, text: str, query: str, marked: str) -> None:
    with _searcher(key, text) as searcher:
        hits = searcher.search(QueryParser("body", searcher.schema).parse(query))
        assert f">{marked}</b>" in hits[0].highlights("body")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
@example("⺀㐀𠀀 一二三四 2.7.1")
def test_tokens_are_slices_of_the_text(text: str) -> None:
    positions = {0}
    for t in WordTokenizer(split=False)(text, positions=True, chars=True):
        surface = text[t.startchar : t.endchar]
        assert surface.replace("\u2019", "'").replace("\u02bc", "'") == t.text
        # a new position comes after every earlier one; a run of CJK characters's single
        # characters (and a version's prefixes) come after its bigrams, at their positions
        assert t.pos >= max(positions) or t.pos in positions
        positions.add(t.pos)
    for key in ("fr", "ru", "ar", "cjk"):
        for t in text_analyzer(key)(text, positions=True, chars=True):
            assert 0 <= t.startchar < t.endchar <= len(text)


@pytest.mark.parametrize("key", LANGUAGE_KEYS)
def test_analyzers_pickle_and_compare(key: str) -> None:
    analyzer = text_analyzer(key)
    copy = pickle.loads(pickle.dumps(analyzer))
    assert copy == analyzer
    text = "L'été 2.7.1 Veröffentlichungen выпуски 脆弱性"
    assert [t.text for t in copy(text)] == [t.text for t in analyzer(text)]
    assert text_analyzer(key) is analyzer
    assert analyzer != text_analyzer("fr" if key == "en" else "en")


def test_plain_analyzer_folds_without_stemming() -> None:
    text = "Saint-Étienne, the Releases, 東京"
    assert [t.text for t in plain_analyzer()(text, mode="query")] == [
        "saint", "etienne", "the", "releases", "東京",
    ]  # fmt: skip
    assert pickle.loads(pickle.dumps(plain_analyzer())) == plain_analyzer()


def test_keys() -> None:
    assert tuple(code for code in languages if has_stemmer(code)) == SNOWBALL_LANGUAGES
    assert {"en", "fr", "de", "es", "it", "pt", "ru", "ar", "no"} <= set(SNOWBALL_LANGUAGES)
    assert "tr" not in SNOWBALL_LANGUAGES  # whoosh has Turkish stop words but no stemmer
    assert LANGUAGE_KEYS[-2:] == ("cjk", "any")
    with pytest.raises(ValueError, match="no text analyzer"):
        text_analyzer("xx")


@pytest.mark.parametrize(
    ("lang", "key"),
    [
        ("fr", "fr"), ("fr-CA", "fr"), ("pt_BR", "pt"), ("EN", "en"), ("deu", "de"),
        ("nb", "no"), ("nn", "no"), ("no", "no"), ("zh", "cjk"), ("zh-TW", "cjk"),
        ("ja", "cjk"), ("ko", "cjk"), ("tr", "any"), ("pl", "any"), ("ca", "any"),
        ("", "any"), (None, "any"),
    ],
)  # fmt: skip
def test_language_key(lang: str | None, key: str) -> None:
    assert language_key(lang) == key


# -- query forms: one tokenisation per tokenizer, then each language's stops and stemmer ------

_QUERY_SAMPLES = [
    "running", "été publiée", "l'été", "dell'arte", "O'Reilly's", "don't", "the", "on",
    "ruby on rails", "les", "été", "weg", "один", "Straße", "2.7.1", "v1.2", "脆弱性",
    "уязвимость", "sécurité publicación", "HATEOAS", "c++", "naïve café", "qu'il", "und",
    "Ελληνικά", "ﬁle", "\uff32\uff35\uff22\uff39", "it's", "jusqu'à", "x", "",
]  # fmt: skip


def _forms_by_running_each_analyzer(
    text: str, keys: list[str]
) -> tuple[dict[tuple[str, ...], frozenset[str]], set[str]]:
    """The definition forms_by_language must agree with: every language's whole analyzer."""
    found: dict[tuple[str, ...], set[str]] = {}
    dropped: set[str] = set()
    for key in keys:
        words = tuple(t.text for t in text_analyzer(key)(text, mode="query"))
        if words:
            found.setdefault(words, set()).add(key)
        else:
            dropped.add(key)
    return {form: frozenset(langs) for form, langs in found.items()}, dropped


@pytest.mark.parametrize("text", _QUERY_SAMPLES)
def test_forms_by_language_are_each_analyzers_own(text: str) -> None:
    keys = list(LANGUAGE_KEYS)
    assert forms_by_language(text, keys) == _forms_by_running_each_analyzer(text, keys)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=30))
def test_forms_by_language_agree_on_any_text(text: str) -> None:
    keys = list(LANGUAGE_KEYS)
    assert forms_by_language(text, keys) == _forms_by_running_each_analyzer(text, keys)


def test_importing_builds_no_table() -> None:
    """The Unicode classes, the fold table and the patterns are built on first use: at
    import they took 56 ms of every process, ``blogsearch --version`` included."""
    code = (
        "from searcher.indexing import analysis as a, wordforms as w\n"
        "built = (a._token_pattern, a._ascii_token_pattern, a._fold_table, a._spellings,"
        " a._cjk_char, w._patterns)\n"
        "print(sum(f.cache_info().currsize for f in built))\n"
        "print(a.fold('Été'), [t.text for t in a.plain_analyzer()('Straße 東京', mode='query')])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["0", "ete ['strasse', '東京']"]


ASCII_TEXT = st.one_of(
    st.text(st.characters(max_codepoint=127), max_size=40),
    st.text(st.sampled_from("aZ09_v.V' -\t"), max_size=40),  # words, versions, apostrophes
)


@settings(max_examples=300, deadline=None)
@given(ASCII_TEXT)
def test_ascii_text_is_cut_as_by_the_full_token_pattern(text: str) -> None:
    """An ASCII query or prefix is tokenized by a pattern that compiles in 0.5 ms instead of
    20-27 ms: the same tokens, kinds and offsets as the full pattern's."""
    from searcher.indexing import analysis as a

    full, ascii_only = a._token_pattern(), a._ascii_token_pattern()
    assert ascii_only.findall(text) == full.findall(text)
    spans = [(m.lastgroup, m.span(m.lastgroup or 0)) for m in ascii_only.finditer(text)]
    assert spans == [(m.lastgroup, m.span(m.lastgroup or 0)) for m in full.finditer(text)]


def test_only_ascii_text_takes_the_ascii_pattern() -> None:
    from searcher.indexing import analysis as a

    assert a._pattern_for("rust 1.75 don't") is a._ascii_token_pattern()
    for text in ("café", "東京", "cafe\u0301", "x\u02bcy"):
        assert a._pattern_for(text) is a._token_pattern()
    assert [t[1] for t in a.token_matches("v1.2 it's x_y")] == ["1.2", "it's", "x", "y"]
