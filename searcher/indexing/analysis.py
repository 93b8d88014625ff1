"""Text analysis: one Whoosh analyzer per post language, and a plain one for tags and places.

Every analyzer runs the same tokenizer (Unicode words, version numbers, CJK bigrams) and
lowercases and folds accents; the text analyzers of stemmed languages also drop stop words and
stem. Whoosh analyses a query with the field's own analyzer, so each step below is written to
agree with itself at index time (``mode="index"``) and at query time (``mode="query"``).
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from whoosh.analysis import STOP_WORDS, Analyzer, Filter, Token, Tokenizer
from whoosh.lang import has_stopwords, stopwords_for_language, two_letter_code

# The languages we stem, each with its Snowball algorithm (the C library through PyStemmer,
# see ``stemmer``): Whoosh's languages with a stemmer, in its order (tests/test_analysis.py
# checks the list; asking Whoosh's ``has_stemmer`` imports every stemmer module, 15 ms).
# Dutch keeps the algorithm Whoosh ported (Snowball 3's new "dutch" stems a fifth of all
# words otherwise, unmeasured on Dutch posts: a change of its own).
_SNOWBALL = {
    "ar": "arabic", "da": "danish", "nl": "dutch_porter", "en": "english", "fi": "finnish",
    "fr": "french", "de": "german", "hu": "hungarian", "it": "italian", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "es": "spanish", "sv": "swedish",
}  # fmt: skip
SNOWBALL_LANGUAGES: tuple[str, ...] = tuple(_SNOWBALL)
LANGUAGE_KEYS: tuple[str, ...] = (*SNOWBALL_LANGUAGES, "cjk", "any")

_CJK_CODES = frozenset({"zh", "ja", "ko", "zho", "chi", "jpn", "kor", "yue"})
_KEY_ALIASES = {"nb": "no", "nn": "no", "nob": "no", "nno": "no"}
# Content words that Whoosh's stop lists treat as function words ("été" is also "summer").
_NOT_STOPS = {
    "fr": "été étés étée étées",
    "es": "estado estados sentido sentidos",
    "de": "weg",
    "it": "faccia",
    "ru": "один два три",
}
_MORE_STOPS = {"fr": "les"}  # the commonest French word, missing from Whoosh's list
_ELISIONS = {
    "fr": "l d j m n s t c qu jusqu lorsqu puisqu quoiqu presqu quelqu",
    "it": "l d c s m t v un dell all nell sull dall coll pell quell quest bell sant tutt nessun",
}
_MEMO_LIMIT = 20_000  # surface forms per memo before it starts afresh (200,000 were no faster)
# These memos stay plain dicts emptied when full, not support.caches.Bounded: they are read
# once per token while indexing and searching, and a lock-free dict lookup is the whole cost.

_CJK = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3038-\u303c"
    "\u3041-\u309f\u30a0-\u30fa\u30fc-\u30ff\u3100-\u312f\u3131-\u318f\u31a0-\u31bf"
    "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff"
    "\uff66-\uff9f\U00020000-\U0003134f"
)
CJK_RANGES = _CJK  # a regex class body: the scripts the tokenizer cuts into bigrams
_APOSTROPHES = "'\u2019\u02bc"
APOSTROPHE = re.compile(f"[{_APOSTROPHES}]")


def _char_class(codepoints: list[int]) -> str:
    """A regex class body of ``\\uXXXX`` ranges covering ``codepoints`` (sorted)."""
    ranges: list[list[int]] = []
    for cp in codepoints:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in ranges)


# The patterns and tables below are built from the Unicode database when a process first
# needs them, not at import: scanning 65,000 code points and compiling the classes took 56 ms
# of every process that imported this module, ``blogsearch --version`` included.


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    """CJK runs, version numbers and words (:func:`token_matches`)."""
    # Python's \w misses combining marks (NFD accents, Arabic harakat, Indic vowel signs): a
    # word goes on through them instead of breaking in two.
    marks = _char_class(
        [
            cp
            for cp in range(0x300, 0x10000)
            if unicodedata.category(chr(cp))[0] == "M" and not chr(cp).isalnum()
        ]
    )
    letter = rf"[^\W_{_CJK}\u02bc]"
    word = rf"{letter}(?:{letter}+|[{marks}]+)*+"
    return re.compile(
        rf"(?P<cjk>[{_CJK}]+)"
        r"|[vV]?(?P<version>\d+(?:\.\d+)+)"
        rf"|(?P<word>{word}(?:[{_APOSTROPHES}]{word})*)"
    )


@functools.cache
def _ascii_token_pattern() -> re.Pattern[str]:
    """:func:`_token_pattern` for ASCII text, where no CJK character or combining mark can
    occur: the same matches and groups, compiled in 0.5 ms instead of the 20-27 ms (Unicode
    scan and compile) that every process searching or completing plain ASCII words paid."""
    return re.compile(
        r"(?P<cjk>[^\x00-\x7f]+)"  # never matches ASCII: the groups stay the full pattern's
        r"|[vV]?(?P<version>\d+(?:\.\d+)+)"
        rf"|(?P<word>[^\W_]+(?:[{_APOSTROPHES}][^\W_]+)*)"
    )


def _pattern_for(value: str) -> re.Pattern[str]:
    return _ascii_token_pattern() if value.isascii() else _token_pattern()


@functools.cache
def _cjk_char() -> re.Pattern[str]:
    return re.compile(f"[{_CJK}]")


class _Spellings(NamedTuple):
    """The patterns :func:`spelled_words` looks for words with."""

    folds: re.Pattern[str]  # a character that folding changes
    marked: re.Pattern[str]  # a capital or a character that folding changes
    folded_word: re.Pattern[str]  # a word holding a ``folds`` character, from its start


@functools.cache
def _spellings() -> _Spellings:
    folding = sorted({c for cp in _fold_table() for c in (chr(cp), chr(cp).upper())
                      if c.isalpha() and c.lower() == chr(cp)})  # fmt: skip
    folds = re.compile("[" + "".join(map(re.escape, folding)) + "]")
    upper = _char_class([cp for cp in range(0x10000) if chr(cp).isupper()])
    marked = re.compile(f"[{upper}" + "".join(map(re.escape, folding)) + "]")
    # tried at word starts only, to the first letter that folds or is a capital: one pass
    folded_word = re.compile(r"(?<!\w)\w*?" + folds.pattern + r"\w*")
    return _Spellings(folds, marked, folded_word)


_recent = threading.local()  # each thread's last few values' matches (token_matches)


def token_matches(value: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) of each match of the token pattern in ``value``: ``cjk``,
    ``version`` or ``word``. A thread's last eight values' are kept: indexing a post reads
    its body once for the body field and the words field."""
    recent: dict[str, list[tuple[str, str, int]]] | None = getattr(_recent, "found", None)
    if recent is None:
        recent = _recent.found = {}
    found = recent.get(value)
    if found is None:
        found = []
        for match in _pattern_for(value).finditer(value):
            kind = match.lastgroup or "word"
            found.append((kind, match.group(kind), match.start(kind)))
        if len(recent) >= 8:
            del recent[next(iter(recent))]
        recent[value] = found
    return found


def token_texts(value: str) -> list[tuple[str, str, str]]:
    """(cjk, version, word) of each match of the token pattern in ``value``, the one that
    matched non-empty: what :func:`token_matches` finds without the offsets, at C speed
    (``findall``). A thread's last eight values' are kept: indexing a post reads its body
    for the body field and, after its place, spellings, terms and title fields, for the
    words field (with four kept, the body of a post with tags was read twice)."""
    recent: dict[str, list[tuple[str, str, str]]] | None = getattr(_recent, "texts", None)
    if recent is None:
        recent = _recent.texts = {}
    found = recent.get(value)
    if found is None:
        found = _pattern_for(value).findall(value)
        if len(recent) >= 8:
            del recent[next(iter(recent))]
        recent[value] = found
    return found


@functools.cache
def _fold_table() -> dict[int, str | None]:
    """Lowercase text → accentless text: Latin, Greek, Cyrillic ё, fullwidth ASCII, marks."""
    table: dict[int, str | None] = {}
    for lo, hi in ((0xC0, 0x24F), (0x370, 0x3FF), (0x1E00, 0x1FFF), (0xFF01, 0xFF5E)):
        for cp in range(lo, hi + 1):
            bare = "".join(
                c for c in unicodedata.normalize("NFKD", chr(cp)) if not unicodedata.combining(c)
            )
            if bare and bare != chr(cp):
                table[cp] = bare.lower()
    specials = "ß ss ẞ ss æ ae œ oe ø o đ d ð d ł l þ th \u0131 i ħ h ŧ t".split()
    specials += ["\u03c2", "\u03c3", "\u0451", "\u0435"]  # Greek final sigma, Cyrillic yo
    table.update((ord(a), b) for a, b in zip(specials[::2], specials[1::2], strict=True))
    for lo, hi in ((0x300, 0x36F), (0x483, 0x489), (0x591, 0x5C7), (0x610, 0x61A),
                   (0x640, 0x65F), (0x670, 0x670), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF),
                   (0xFE20, 0xFE2F)):  # fmt: skip
        table.update(
            (cp, None) for cp in range(lo, hi + 1) if unicodedata.category(chr(cp)) in ("Mn", "Lm")
        )
    return table


_FOLDED: dict[str, tuple[str, str]] = {}  # surface → (lowercase, lowercase folded)
_STEMMED: dict[str, dict[str, tuple[str, str | None]]] = {}  # lang → lowercase → forms


def fold(text: str) -> str:
    """``text`` lowercased and without accents: ``Straße Été`` → ``strasse ete``."""
    return text.lower().translate(_fold_table())


SPELLED = "\x1f"  # between a folded word and its spelling in the spellings field's terms
_OPENERS = " \t\"'«\u201c\u2018\u201e([*_#>-"
_ENDERS = ".!?:;…\n\r¡¿。\uff01\uff1f"  # and the fullwidth ! and ?


def spelled_words(text: str, title: str = "") -> str:
    """The words of a post that folding changes, once each, as written: accented words
    (``été``, ``straße``) and, in ``text``, capitalised words inside a sentence (``R
    Markdown``, ``Flowhub``). The value of the field that keeps how folded words are
    written, from which completions take the spelling most posts use. A sentence's first
    word and the title's words (often in title case) say nothing of a word's case: they
    count lower-cased, for their accents only."""
    found: dict[str, None] = {}
    tables = _spellings()
    if tables.folds.search(title) is not None:
        found.update((word.lower(), None) for word in tables.folded_word.findall(title))
    if tables.marked.search(text) is None:  # found at C speed
        return " ".join(found)
    for start, word in _marked_words(text, tables.marked):
        if _starts_sentence(text, start):
            word = word.lower()
            if tables.folds.search(word) is None:
                continue
        found[word] = None
    return " ".join(found)


@functools.cache
def _from_mark(marked: re.Pattern[str]) -> re.Pattern[str]:
    """A ``marked`` character and the word characters after it."""
    return re.compile(marked.pattern + r"\w*")


def _marked_words(text: str, marked: re.Pattern[str]) -> Iterator[tuple[int, str]]:
    """(start, word) of each word of ``text`` holding a ``marked`` character: each match of
    ``(?<!\\w)\\w*?[marked]\\w*``, the pattern :class:`_Spellings` has for folded words.

    Found from the ``marked`` characters, the few a text holds, out to the word around each:
    the pattern itself, tried at every position and reading every word with Unicode's ``\\w``,
    made :func:`spelled_words` cost 0.24 ms a post of the four original corpora, not 0.14.
    Each word's first mark and the rest of the word are one match of ``[marked]\\w*``, in one
    C loop (``finditer``) that passes over the word's later marks: searched for mark by
    mark, they made it cost a kaigai-matome post (capitalised acronyms) 0.24 ms, not 0.21."""
    pos = 0
    for found in _from_mark(marked).finditer(text):
        mark, end = found.span()
        start = mark
        while start > pos and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1  # back to the word's start (\w is isalnum() or "_")
        if start == pos and start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            # a mark that is no word character, right after a matched word: the word
            # characters after it are a word if one of them is marked
            if marked.search(text, mark + 1, end) is None:
                pos = mark + 1
                continue
            start = mark + 1
        pos = end
        yield start, text[start:end]


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence, a line or the text."""
    i = start - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    return i < 0 or text[i] in _ENDERS


def preferred_spelling(one: str | None, other: str) -> str:
    """Of two spellings of one folded word or tag, the one to show: the more accented, then
    the one with fewer capitals ("conférences" over "Conférences" and "conferences"). It
    depends on the spellings alone, not on how often each is used, so every shard of an
    index, and every generation of it, shows the same one."""
    if one is None:
        return other
    return max(one, other, key=lambda w: (sum(not c.isascii() for c in w),
                                          -sum(c.isupper() for c in w), w))  # fmt: skip


class WordTokenizer(Tokenizer):  # type: ignore[misc]
    """Words, version numbers and CJK bigrams, with offsets into the original text.

    An apostrophe inside a word drops a leading part in ``elisions`` (``l'`` in French) or a
    trailing part in ``suffixes`` (``'s`` in English); otherwise the word stays whole, or with
    ``split`` falls apart at each apostrophe. Outside query mode, the index also gets each
    character of a CJK run (so one-character queries match) and a version's shorter prefixes
    (``2.7.1`` → also ``2.7``), at existing positions so phrases still line up.
    """

    def __init__(
        self,
        elisions: frozenset[str] = frozenset(),
        suffixes: frozenset[str] = frozenset(),
        split: bool = True,
    ) -> None:
        self.elisions = elisions
        self.suffixes = suffixes
        self.split = split

    def __eq__(self, other: object) -> bool:
        # Whoosh's Tokenizer.__eq__ compares only classes: a French and an English one would match.
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.verbatim = not tokenize  # wildcards and ranges: fold but do not stem
        if not tokenize:
            _place(t, value, start_pos, start_char, keeporiginal)
            yield t
            return
        for text, pos, start in self.spans(value, start_pos, start_char, mode != "query"):
            yield _place(t, text, pos, start, keeporiginal)

    def spans(
        self,
        value: str,
        start_pos: int = 0,
        start_char: int = 0,
        extras: bool = True,
        matches: Iterable[tuple[str, str, int]] | None = None,
    ) -> Iterator[tuple[str, int, int]]:
        """(text, position, offset) of each token of ``value`` (or of its ``matches``, from
        :func:`token_matches`); ``extras`` (outside queries): each CJK character after a
        run's bigrams, a version's shorter prefixes."""
        pos = start_pos
        for kind, text, begin in token_matches(value) if matches is None else matches:
            start = start_char + begin
            if kind == "word":
                if not APOSTROPHE.search(text):
                    yield text, pos, start
                    pos += 1
                    continue
                for piece, offset in self._pieces(text):
                    yield piece, pos, start + offset
                    pos += 1
            elif kind == "version":
                yield text, pos, start
                parts = text.split(".")
                for end in range(len(parts) - 1, 1, -1) if extras else ():
                    yield ".".join(parts[:end]), pos, start
                pos += 1
            elif len(text) == 1:
                yield text, pos, start
                pos += 1
            else:
                first = pos
                for i in range(len(text) - 1):
                    yield text[i : i + 2], pos, start + i
                    pos += 1
                # After the bigrams, or the highlighter stops merging 脆弱 + 弱性 into 脆弱性
                for i, char in enumerate(text if extras else ()):
                    yield char, min(first + i, pos - 1), start + i

    def _pieces(self, word: str) -> list[tuple[str, int]]:
        """The tokens of a word with apostrophes, as (text, offset in the word)."""
        pieces: list[tuple[str, int]] = []
        begin = 0
        for apostrophe in APOSTROPHE.finditer(word):
            pieces.append((word[begin : apostrophe.start()], begin))
            begin = apostrophe.end()
        pieces.append((word[begin:], begin))
        if pieces[0][0].lower() in self.elisions:
            pieces = pieces[1:]
        if len(pieces) > 1 and pieces[-1][0].lower() in self.suffixes:
            pieces = pieces[:-1]
        if self.split or len(pieces) == 1:
            return pieces
        whole = "'".join(piece for piece, _ in pieces)  # every apostrophe spelled alike
        return [(whole, pieces[0][1])]


def _place(t: Token, text: str, pos: int, start: int, keeporiginal: bool) -> Token:
    """``t`` reset to carry ``text`` at position ``pos`` and offset ``start``."""
    t.text = text
    t.boost = 1.0
    t.stopped = False
    if keeporiginal:
        t.original = text
    if t.positions:
        t.pos = pos
    if t.chars:
        t.startchar = start
        t.endchar = start + len(text)
    return t


class FoldFilter(Filter):  # type: ignore[misc]
    """Lowercases and folds accents, then drops ``stops`` and closes the gaps they leave.

    Positions are renumbered as Whoosh's StopFilter does: the query parser builds phrases from
    consecutive positions, so "state of the art" must index as state, art side by side.
    """

    def __init__(self, stops: frozenset[str] = frozenset()) -> None:
        self.stops = stops

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stops = self.stops
        removed, shift = None, 0
        for t in tokens:
            t.lowered, t.text = folded_forms(t.text)
            if t.text in stops:
                if t.removestops:
                    if t.positions and t.pos != removed:
                        removed, shift = t.pos, shift + 1
                    continue
                t.stopped = True
            if shift and t.positions:
                t.pos -= shift
            yield t


def folded_forms(surface: str) -> tuple[str, str]:
    """(lowercase, lowercase folded) of ``surface``, remembered."""
    forms = _FOLDED.get(surface)
    if forms is None:
        if len(_FOLDED) > _MEMO_LIMIT:
            _FOLDED.clear()
        forms = _FOLDED[surface] = _fold_forms(surface)
    return forms


def _fold_forms(surface: str) -> tuple[str, str]:
    """(lowercase, lowercase folded) of ``surface``, reusing equal strings: a memo entry of
    an already lowercase, unaccented word then holds one string instead of three."""
    lowered = _same(surface.lower(), surface)
    return lowered, _same(lowered.translate(_fold_table()), lowered)


def _same(text: str, *candidates: str) -> str:
    """The first of ``candidates`` equal to ``text``, else ``text``."""
    for candidate in candidates:
        if candidate == text:
            return candidate
    return text


class StemFoldFilter(Filter):  # type: ignore[misc]
    """Stems with ``lang``'s stemmer; the index gets fold(stem(w)) and stem(fold(w)).

    A query emits fold(stem(w)) alone. Unaccented it equals stem(fold(w)), so ``publiee`` finds
    ``publiée``; accented it keeps the stemmer's accent-aware suffixes, so ``publicación``
    finds ``publicaciones`` (fold first, Spanish stems them publicacion and public).
    """

    is_morph = True

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        forms_of = stem_forms(self.lang)
        for t in tokens:
            if t.stopped or getattr(t, "verbatim", False):
                yield t
                continue
            forms = forms_of(getattr(t, "lowered", t.text), t.text)
            t.text = forms[0]
            yield t
            if forms[1] is not None and t.mode != "query":
                t.text = forms[1]
                yield t


@functools.cache
def stemmer(key: str) -> Callable[[str], str]:
    """The stemmer of language ``key`` (one of ``SNOWBALL_LANGUAGES``), the one every stem of
    the index and of queries comes from: Snowball's C library through PyStemmer, 100 times
    faster than Whoosh's Python port and without its bugs (Whoosh's English stems "added" to
    "ad", its Russian turns Latin letters into Cyrillic ones). A C stemmer keeps state while it
    stems and must not be shared by two threads at once (the web app searches from threads):
    each language's stemmer has its own lock. PyStemmer's own cache is off, ``stem_forms``
    remembers what it needs."""
    import Stemmer  # the first stem's only: not at start-up

    stem = Stemmer.Stemmer(_SNOWBALL[key], 0).stemWord
    lock = threading.Lock()

    def stem_word(word: str) -> str:
        with lock:
            result: str = stem(word)
        return result

    return stem_word


@functools.cache
def stem_forms(lang: str) -> Callable[[str, str], tuple[str, str | None]]:
    """``lang``'s (lowercase, folded) → (fold(stem(lowercase)), stem(folded) if it differs),
    remembered: a C stem is fast, but working out both forms costs 2.5 to 5 µs, a memo hit 0.2."""
    memo = _STEMMED.setdefault(lang, {})
    stem = stemmer(lang)
    table = _fold_table()

    def forms_of(lowered: str, folded: str) -> tuple[str, str | None]:
        forms = memo.get(lowered)
        if forms is None:
            if len(memo) > _MEMO_LIMIT:
                memo.clear()
            stemmed = stem(lowered)  # an unaccented word is stemmed once, not twice alike
            stem_folded = stemmed if folded == lowered else stem(folded)
            folded_stem = stemmed.translate(table)
            folded_stem = _same(folded_stem, lowered, folded)
            other = stem_folded if stem_folded != folded_stem else None
            forms = memo[lowered] = (folded_stem, other)
        return forms

    return forms_of


def _stops(key: str) -> frozenset[str]:
    """The folded stop words of ``key``: Whoosh's list minus the content words it holds."""
    if key == "en":
        words = STOP_WORDS
    elif key in SNOWBALL_LANGUAGES and has_stopwords(key):
        words = stopwords_for_language(key)
    else:
        return frozenset()
    keep = {fold(word) for word in _NOT_STOPS.get(key, "").split()}
    more = _MORE_STOPS.get(key, "").split()
    return frozenset(fold(word) for word in (*words, *more)) - keep


def is_cjk(char: str) -> bool:
    """Whether ``char`` belongs to a script the tokenizer cuts into bigrams."""
    return char >= "\u1100" and _cjk_char().match(char) is not None  # the first CJK block


def language_key(lang: str | None) -> str:
    """The analyzer key for a post's language code: ``fr`` → ``fr``, ``ja`` → ``cjk``."""
    if not lang:
        return "any"
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    if code in _CJK_CODES:
        return "cjk"
    code = _KEY_ALIASES.get(code) or two_letter_code(code) or code
    return code if code in SNOWBALL_LANGUAGES else "any"


@functools.cache
def text_analyzer(key: str) -> Analyzer:
    """The analyzer of the ``title_<key>`` and ``body_<key>`` fields (one shared instance)."""
    if key not in LANGUAGE_KEYS:
        raise ValueError(f"no text analyzer for {key!r}; expected one of {LANGUAGE_KEYS}")
    tokenizer = WordTokenizer(
        elisions=frozenset(_ELISIONS.get(key, "").split()),
        suffixes=frozenset({"s"}) if key == "en" else frozenset(),
        split=key not in ("en", *_ELISIONS),
    )
    analyzer = tokenizer | FoldFilter(_stops(key))
    return analyzer | StemFoldFilter(key) if key in SNOWBALL_LANGUAGES else analyzer


@functools.cache
def spelling_analyzer() -> Analyzer:
    """Words that folding changes, as ``folded`` + SPELLED + ``as written``."""
    return WordTokenizer() | _SurfaceFilter() | FoldFilter() | _SpellingFilter()


class _SurfaceFilter(Filter):  # type: ignore[misc]
    """Keeps each token as written, before folding lower-cases it."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.surface = t.text
            yield t


class _SpellingFilter(Filter):  # type: ignore[misc]
    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if t.surface != t.text:
                t.text = t.text + SPELLED + t.surface
                yield t


@functools.cache
def plain_analyzer() -> Analyzer:
    """Tags, categories and place names: words lowercased and folded, nothing dropped."""
    return WordTokenizer() | FoldFilter()


MARK = "\x1e"  # never in post text: text.py turns control characters into spaces


def marked(text: str, key: str) -> str:
    """``text`` as a value of a multilingual field: its analysis language travels in front."""
    return f"{MARK}{key}{MARK}{text}"


class MultilingualAnalyzer(Analyzer):  # type: ignore[misc]
    """Analyses a :func:`marked` value with its own language's analyzer (``any`` if unmarked).

    One title field and one body field then hold every language: a query word, analysed in
    each language present, becomes the few distinct forms it takes instead of one term per
    language field, which is what made common words slow on multilingual archives.
    """

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Token]:
        key = "any"
        if value.startswith(MARK):
            end = value.find(MARK, 1)
            if end > 0:
                key, value = value[1:end], value[end + 1 :]
                key = key if key in LANGUAGE_KEYS else "any"
        return text_analyzer(key)(value, **kwargs)  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


def forms_by_language(
    text: str, keys: Iterable[str]
) -> tuple[dict[tuple[str, ...], frozenset[str]], set[str]]:
    """Each distinct token sequence ``text`` analyses to, with the languages that give it,
    and the languages in which it analyses to nothing.

    What ``text_analyzer(key)(text, mode="query")`` gives, without running each language's
    whole analyzer: the text is cut into words once per distinct tokenizer and each word
    folded once; only the stop list and the stemmer are the language's own. Running every
    analyzer made ~100 analyzer calls per query, a third of a new query's parse."""
    found: dict[tuple[str, ...], set[str]] = {}
    dropped: set[str] = set()
    cut: dict[tuple[Any, ...], list[tuple[str, str]]] = {}  # tokenizer → (lowered, folded)
    alike = APOSTROPHE.search(text) is None  # then every tokenizer cuts the text alike
    for key in keys:
        tokenizer, fold_filter, *stemming = text_analyzer(key).items
        how = () if alike else (tokenizer.elisions, tokenizer.suffixes, tokenizer.split)
        tokens = cut.get(how)
        if tokens is None:
            tokens = cut[how] = [folded_forms(t.text) for t in tokenizer(text, mode="query")]
        stops = fold_filter.stops
        if stemming:
            forms_of = stem_forms(key)
            words = tuple(
                forms_of(lowered, folded)[0] for lowered, folded in tokens if folded not in stops
            )
        else:
            words = tuple(folded for _, folded in tokens if folded not in stops)
        if words:
            found.setdefault(words, set()).add(key)
        else:
            dropped.add(key)
    return {form: frozenset(langs) for form, langs in found.items()}, dropped


def word_forms(
    word: str, keys: Sequence[str]
) -> tuple[dict[tuple[str, ...], frozenset[str]], set[str]]:
    """:func:`forms_by_language` of one query word, without its tokenizer runs when the word
    is a single token in every language (no apostrophe, no CJK, no version number, nothing
    the tokenizer splits at): folded once, then each language's stop list and stemmer."""
    match = _pattern_for(word).fullmatch(word)
    if match is None or match.lastgroup != "word" or APOSTROPHE.search(word):
        return forms_by_language(word, keys)
    lowered, folded = folded_forms(word)
    found: dict[tuple[str, ...], set[str]] = {}
    dropped: set[str] = set()
    for key, stops, forms_of in _query_steps(tuple(keys)):
        if folded in stops:
            dropped.add(key)
        else:
            form = folded if forms_of is None else forms_of(lowered, folded)[0]
            found.setdefault((form,), set()).add(key)
    return {form: frozenset(langs) for form, langs in found.items()}, dropped


@functools.cache
def _query_steps(
    keys: tuple[str, ...],
) -> list[tuple[str, frozenset[str], Callable[[str, str], tuple[str, str | None]] | None]]:
    """Each language's stop words and stemmer (None: it does not stem), as its analyzer has."""
    steps = []
    for key in keys:
        _tokenizer, fold_filter, *stemming = text_analyzer(key).items
        steps.append((key, fold_filter.stops, stem_forms(key) if stemming else None))
    return steps
