"""A post's language: what its front matter declares, checked against the text itself.

Detection uses py3langid's bundled model (offline). A declared language is kept unless the
text is long enough to judge and clearly reads as another language: archives copy front
matter between translations and forget to change ``lang``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import mmap
import os
import re
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from searcher.models import IngestWarning

_SAMPLE = 600  # characters of prose the detector reads
_MIN_TEXT = 200  # shorter texts never overrule a declared language
_LEDE = 300  # the opening that partial translations translate first
_NAMES = {
    "english": "en", "french": "fr", "francais": "fr", "français": "fr", "german": "de",
    "deutsch": "de", "spanish": "es", "espanol": "es", "español": "es", "italian": "it",
    "italiano": "it", "portuguese": "pt", "russian": "ru", "japanese": "ja", "chinese": "zh",
    "korean": "ko", "dutch": "nl", "polish": "pl", "turkish": "tr",
}  # fmt: skip
# Noise, each alternative tried only where it can start: a word (run of non-blanks) holding a
# URL or address mark, a run of printable ASCII holding a digit (or a digit after such a run
# just removed), a run of markup marks. The same matches as the plain
# r"\S*(?:://|www\.|@)\S*|[!-~]*\d[!-~]*|[_*#=|<>{}\[\]`~]+", which backtracks through
# each word from each of its letters (tests/ingest/test_langs.py compares the two).
_NOISE = re.compile(
    r"(?<!\S)\S*(?:://|www\.|@)\S*|(?<![!-~])[!-~]*\d[!-~]*|\d[!-~]*|[_*#=|<>{}\[\]`~]+"
)
# Languages blogs are written in; leaving out the model's rarer neighbours (Cantonese and Wu
# for Chinese, Welsh for short Indonesian) made detection more accurate on ruby-lang, not less.
_CANDIDATES = (
    "af ar be bg bs ca cs cy da de el en eo es et eu fa fi fr ga gl he hi hr hu id is it ja ko la "
    "lt lv mk ms nl nn no pl pt ro ru sk sl sq sr sv sw th tl tr uk vi zh"
).split()
_LETTERS = re.compile(r"[^\W\d_]+")
_NOT_LANGUAGES = frozenset({"zxx", "und"})
_lock = threading.Lock()
_identifier: Any = None
# arrays in the cache, in order; "depth" is the automaton's (see _Automaton), worked out once
_CACHED = ("ptc", "pc", "classes", "nextmove", "row", "output", "depth")
_CACHE_FORMAT = 3  # part of the cache's name: a cache of another layout is never read
_ALIGN = 64  # bytes: each cached array starts at a multiple of this


def normalise(value: Any) -> str | None:
    """``fr``, ``fr_FR``, ``fr-fr``, ``French`` → ``fr``; ``None`` for anything else."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in _NAMES:
        return _NAMES[text]
    primary = text.replace("_", "-").split("-")[0]
    return primary if 2 <= len(primary) <= 3 and primary.isalpha() and primary.isascii() else None


def detect(text: str, *, size: int = _SAMPLE) -> tuple[str, float] | None:
    """The most likely language of ``text`` and its probability, or ``None`` if it has no words."""
    return _detect(_sample(text)[:size])


def _detect(sample: str) -> tuple[str, float] | None:
    return _best(_scores(sample))


def _scores(sample: str) -> Any:
    """The model's probability of each of its languages for ``sample`` (``rank`` and
    ``classify`` read the same array), or None for a sample too short to judge."""
    if not _has_letters(sample[:400], 20):
        return None
    return _model()._decide(sample)


def _best(scores: Any) -> tuple[str, float] | None:
    """The most likely language and its probability, as ``classify`` gives them."""
    if scores is None:
        return None
    best = int(scores.argmax())
    lang = _model().nb_classes[best]
    return (str(lang), float(scores[best])) if lang not in _NOT_LANGUAGES else None


def _has_letters(text: str, count: int) -> bool:
    """Whether ``text`` holds ``count`` letters (not digits, not "_"): counted run by run up to
    ``count``, where removing every other character cost 13 us a sample."""
    for run in _LETTERS.finditer(text):
        count -= run.end() - run.start()
        if count <= 0:
            return True
    return count <= 0


def _sample(text: str) -> str:
    """The prose of ``text``: URLs, checksums, identifiers and numbers only mislead the model.

    Noise is read within words, never across a blank: the opening up to a blank is cleaned
    alone, and only when it leaves fewer than :data:`_SAMPLE` characters is the rest read."""
    blank = text.find(" ", _SAMPLE + _SAMPLE // 4, _SAMPLE * 2)
    if blank > 0:
        opening = _denoise(text[:blank])
        if len(opening) >= _SAMPLE:
            return opening[:_SAMPLE]
    return _denoise(text[: _SAMPLE * 2])[:_SAMPLE]


def _lede(text: str) -> str:
    """``_sample(text)[:_LEDE]``, from the words it is made of where they suffice: words are
    cleaned one by one, so an opening up to a blank that cleans to :data:`_LEDE` characters
    begins every longer one alike (half the words of a whole sample cleaned)."""
    cut = text.find(" ", _LEDE + _LEDE // 3, _SAMPLE + _SAMPLE // 4)  # before _sample's blank
    if cut > 0 and _APART not in text[:cut]:
        lede = _denoise(text[:cut])
        if len(lede) >= _LEDE:
            return lede[:_LEDE]
    return _sample(text)[:_LEDE]


_APART = "\x1c"  # a blank to the pattern, as a space is; no text holds it, no noise gives it
# What all noise holds (a digit, "@", a markup mark, "://" or "www."): one class first, ":"
# and "w" judged after it, so that it is searched for at C speed
_TRIGGER = re.compile(r"[\d@_*#=|<>{}\[\]`~:w](?:(?<=:)//|(?<=w)ww\.|(?<![:w]))")


def _denoise(text: str) -> str:
    """``_NOISE.sub(" ", text)``, run over the words that may hold noise only.

    No noise spans a blank, and a word's start is one for the pattern whatever blank comes
    before it: the words (between spaces) that hold none of its marks are left as they are,
    and the others cleaned together, kept apart by a blank of their own. The pattern, tried
    at every position of the text, cost 150 us a post; testing each word in Python, 40."""
    if _APART in text:
        return _NOISE.sub(" ", text)
    spans: list[tuple[int, int]] = []
    found = _TRIGGER.search(text)
    while found is not None:
        start = text.rfind(" ", 0, found.start()) + 1
        end = text.find(" ", found.end())
        end = len(text) if end < 0 else end
        spans.append((start, end))
        found = _TRIGGER.search(text, end)
    if not spans:
        return text
    cleaned = _NOISE.sub(" ", _APART.join([text[start:end] for start, end in spans]))
    pieces: list[str] = []
    done = 0
    for (start, end), word in zip(spans, cleaned.split(_APART), strict=True):
        pieces += (text[done:start], word)
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def choose(
    declared: Any, text: str, default: str | None = None
) -> tuple[str | None, IngestWarning | None]:
    """The language to index ``text`` in, and a warning when the front matter was overruled.

    Without a declared language: text written mostly in Chinese, Japanese or Korean script is
    that language, however short; otherwise the detector's guess, unless ``default`` (a site's
    language) is given and the guess is unsure: a short post, or a low probability.
    """
    code = normalise(declared)
    if code is None:
        script = cjk_language(text)
        if script:
            return script, None
        sample = _sample(text)
        if default and not _has_letters(sample, _MIN_TEXT):
            return default, None  # too short for any guess to overrule it: none is made
        guess = _detect(sample)
        if default and (guess is None or guess[1] < _SURE):
            return default, None
        return (guess[0] if guess else None), None
    if len(text) < _MIN_TEXT:
        return code, None
    lede = _lede(text)
    opening = _scores(lede)
    quick = _best(opening)
    if quick is None or quick[0] == code:
        return code, None  # the opening agrees: most posts stop here, at half the cost
    sample = _sample(text)
    scores = _scores(sample)
    guess = _best(scores)
    if guess is None or guess[0] == code or guess[1] < 0.95:
        return code, None
    # the lede is the sample's opening (tests/ingest/test_langs.py): its scores are at hand
    if _probability(scores, code) > 0.01 or _probability(opening, code) > 0.5:
        return code, None  # the declared language is there, if only in a translated opening
    warning = IngestWarning(
        "lang-mismatch", f"front matter says {declared!r} but the text reads as {guess[0]!r}"
    )
    return guess[0], warning


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_CJK = re.compile("|".join(rx.pattern for rx in (_HAN, _KANA, _HANGUL)))
# Japanese writes its particles and endings in kana: a text with fewer than one kana for every
# 20 Han characters is Chinese quoting a Japanese name or writing の for 的, not Japanese
_HAN_PER_KANA = 20
_SURE = 0.9  # a detector probability below this is a guess a site's language overrules


def cjk_language(text: str) -> str | None:
    """``zh``, ``ja`` or ``ko`` when most letters of the text's opening are of that script (kana
    make Japanese, hangul Korean, Han characters with no or hardly any kana Chinese); None
    otherwise. The detector
    needs 20 letters to judge, and a Chinese sentence may be ten characters long."""
    sample = text[: _SAMPLE * 2]
    if sample.isascii() or _CJK.search(sample) is None:  # one pass for most texts
        return None
    han, kana, hangul, letters = _script_counts(sample)
    cjk = han + kana + hangul
    if cjk < 2 or cjk < 0.5 * letters:
        return None
    if hangul > kana and hangul >= han / 4:
        return "ko"
    return "ja" if kana and kana * _HAN_PER_KANA >= han else "zh"


_HAN_CLASS, _KANA_CLASS, _HANGUL_CLASS, _LETTER_BIT = 2, 4, 6, 1


def _script_counts(sample: str) -> tuple[int, int, int, int]:
    """How many characters of ``sample`` are Han, kana, hangul (as :data:`_HAN`, :data:`_KANA`
    and :data:`_HANGUL` match them) and letters (``str.isalpha``): one table look-up a
    character, where three ``findall`` and ``isalpha`` called on each character cost 100 us
    a sample of Japanese."""
    import numpy as np

    codes = np.frombuffer(sample.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    beyond = codes > 0xFFFF  # no script counted lies there: only letters are looked for
    astral = sum(chr(code).isalpha() for code in codes[beyond].tolist()) if beyond.any() else 0
    counts = np.bincount(_script_table()[np.minimum(codes, 0xFFFF)], minlength=8).tolist()
    letters = sum(counts[_LETTER_BIT::2]) + astral
    return (counts[_HAN_CLASS] + counts[_HAN_CLASS + 1],
            counts[_KANA_CLASS] + counts[_KANA_CLASS + 1],
            counts[_HANGUL_CLASS] + counts[_HANGUL_CLASS + 1], letters)  # fmt: skip


@functools.cache
def _script_table() -> Any:
    """For each character of the Basic Multilingual Plane: its script class (Han, kana,
    hangul or none) plus :data:`_LETTER_BIT` if it is a letter."""
    import numpy as np

    table = np.zeros(0x10000, dtype=np.uint8)
    everything = "".join(map(chr, range(0x10000)))
    for rx, value in ((_HAN, _HAN_CLASS), (_KANA, _KANA_CLASS), (_HANGUL, _HANGUL_CLASS)):
        table[[match.start() for match in rx.finditer(everything)]] = value
    table[[i for i, char in enumerate(everything) if char.isalpha()]] += _LETTER_BIT
    return table


def _probability(scores: Any, code: str) -> float:
    """The probability of language ``code`` in ``scores`` (0 if the model lacks it), as
    ``rank`` gives it: its first column's, where aliases' scores are summed."""
    classes = _model().nb_classes
    return float(scores[classes.index(code)]) if scores is not None and code in classes else 0.0


def _model() -> Any:
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                _identifier = _load_model()
    return _identifier


def _load_model() -> Any:
    """py3langid's model narrowed to :data:`_CANDIDATES`, from the cache when it is there.

    Decompressing and narrowing the bundled model takes 0.7 s, more than re-indexing one post
    should; the narrowed arrays, saved uncompressed, load in a tenth of that. A cache that
    cannot be read or written is rebuilt or skipped, never an error.
    """
    import numpy as np
    from py3langid.langid import MODEL_FILE

    try:
        cached: Path | None = _cache_file()
    except (OSError, RuntimeError):  # no model file to name it after, or no home folder
        cached = None
    if cached is not None:
        try:
            model = _read_cache(cached)
        except (OSError, KeyError, ValueError, TypeError):
            pass
        else:
            with contextlib.suppress(OSError):
                os.utime(cached)  # in use: see _remove_stale
            return model
    model = _identifier_type().from_model_file(MODEL_FILE, norm_probs=True)
    model.set_languages([c for c in _CANDIDATES if c in model.nb_classes])
    # float16 in the bundle: the scoring's matrix product converted each text's rows to
    # float32 first (exactly); held as float32 it scores alike, 30 µs faster a text
    model.nb_ptc = np.ascontiguousarray(model.nb_ptc, dtype=np.float32)
    model.automaton = _Automaton(
        model.tk_nextmove, model.tk_row, model.tk_output, _depth(model.tk_nextmove, model.tk_row)
    )
    if cached is not None:
        with contextlib.suppress(OSError, TypeError, ValueError):
            _write_cache(cached, model)
    return model


@functools.cache
def _identifier_type() -> Any:
    """py3langid's ``LanguageIdentifier``, its features counted by :class:`_Automaton`: the
    one piece replaced; encoding, scoring and deciding stay py3langid's own."""
    from py3langid.langid import LanguageIdentifier

    class Identifier(LanguageIdentifier):  # type: ignore[misc]
        __slots__ = ("automaton",)

        def _raw_score(self, text: bytes) -> Any:
            visits = self.automaton.visits(text)
            if visits is None:
                return super()._raw_score(b"")  # py3langid's scores of a text with no features
            return self._sparse_score(visits, self.nb_ptc)

    return Identifier


class _Automaton:
    """py3langid's byte automaton, walked at every position of a text at once.

    The model finds its features (byte n-grams) with an Aho-Corasick automaton, whose state
    after a byte is the longest n-gram prefix ending there: it depends only on the last
    ``depth`` bytes, ``depth`` being the deepest state's distance from the root. Walking those
    bytes from the root for all positions together takes ``depth`` numpy gathers, where
    py3langid's ``visit_counts`` steps through the text byte by byte in Python; the counts are
    the same, in the same order (first seen first), which its scoring sums in.
    """

    def __init__(self, nextmove: Any, row: Any, output: Any, depth: int) -> None:
        import numpy as np

        self.moves = np.frombuffer(nextmove, dtype=f"u{nextmove.itemsize}")
        self.bases = np.frombuffer(row, dtype=f"u{row.itemsize}").astype(np.intp) << 8
        self.output = np.asarray(output, dtype=np.int32)
        self.depth = depth

    def visits(self, data: bytes) -> Counter[int] | None:
        """Each feature of ``data`` and how often it occurs, as ``visit_counts`` gives them."""
        import numpy as np

        size = len(data)
        codes = np.frombuffer(data, dtype=np.uint8)
        states = np.zeros(size, dtype=np.intp)
        for skip in range(min(self.depth, size) - 1, -1, -1):  # the earliest byte first
            ahead = states[skip:]  # positions with a byte ``skip`` before them
            ahead[:] = self.moves[self.bases[ahead] + codes[: size - skip]]
        found = self.output[states]
        found = found[found >= 0]
        return Counter(found.tolist()) if found.size else None


def _depth(nextmove: Any, row: Any) -> int:
    """How many bytes the automaton's deepest state lies from the root (state 0)."""
    import numpy as np

    moves = np.frombuffer(nextmove, dtype=f"u{nextmove.itemsize}").reshape(-1, 256)
    rows = np.frombuffer(row, dtype=f"u{row.itemsize}")
    seen = np.zeros(len(rows), dtype=bool)
    seen[0] = True
    frontier = np.zeros(1, dtype=np.intp)
    depth = 0
    while True:  # breadth first, a whole level at a time
        reached = np.zeros(len(rows), dtype=bool)
        reached[moves[np.unique(rows[frontier])]] = True
        frontier = np.flatnonzero(reached & ~seen)
        if not frontier.size:
            return depth
        seen[frontier] = True
        depth += 1


def _cache_file() -> Path:
    """Where the narrowed model is cached: named after what it was made from."""
    import py3langid
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    stat = (Path(MODEL_DIR) / MODEL_FILE).stat()
    made_from = f"{py3langid.__version__} {stat.st_size} {stat.st_mtime_ns} {_CANDIDATES}"
    made_from += f" format {_CACHE_FORMAT}"
    digest = hashlib.sha1(made_from.encode()).hexdigest()[:12]
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "blogsearch" / f"langid-{digest}.arrays"


def _read_cache(cached: Path) -> Any:
    """The cached model, its arrays mapped from the file rather than read into memory.

    Mapped pages belong to the file: the worker processes of a full build share one copy of
    the 50 MB model instead of holding one each.
    """
    import numpy as np
    from numpy.lib import format as npy

    arrays: dict[str, Any] = {}
    with cached.open("rb") as file:
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        for name in _CACHED:
            if npy.read_magic(file) != (1, 0):
                raise ValueError(f"{cached}: {name} is not in the format this version writes")
            shape, fortran, dtype = npy.read_array_header_1_0(file)
            if fortran or dtype.hasobject:
                raise ValueError(f"{cached}: {name} is not a plain C-ordered array")
            count = math.prod(shape)
            arrays[name] = np.frombuffer(mapped, dtype, count, file.tell()).reshape(shape)
            end = file.tell() + count * dtype.itemsize
            file.seek(end + -end % _ALIGN)
    model = _identifier_type()(
        arrays["ptc"], arrays["pc"], arrays["classes"].tolist(), arrays["nextmove"].data,
        arrays["output"].data, norm_probs=True, tk_row=arrays["row"].data,
    )  # fmt: skip
    model.automaton = _Automaton(
        model.tk_nextmove, model.tk_row, model.tk_output, int(arrays["depth"][0])
    )
    return model


def _write_cache(cached: Path, model: Any) -> None:
    """``model``'s arrays one after the other as .npy records, each starting on a boundary."""
    import numpy as np
    from numpy.lib import format as npy

    def unsigned(values: Any) -> Any:
        return np.frombuffer(values, dtype=f"u{values.itemsize}")

    arrays = {
        "ptc": model.nb_ptc, "pc": model.nb_pc, "classes": np.array(model.nb_classes),
        "nextmove": unsigned(model.tk_nextmove), "row": unsigned(model.tk_row),
        "output": np.array(model.tk_output, dtype=np.int32),
        "depth": np.array([model.automaton.depth], dtype=np.int32),
    }  # fmt: skip
    cached.parent.mkdir(parents=True, exist_ok=True)
    temp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
    with temp.open("wb") as out:
        for name in _CACHED:
            array = np.ascontiguousarray(arrays[name])
            npy.write_array(out, array, version=(1, 0), allow_pickle=False)
            out.write(bytes(-out.tell() % _ALIGN))
    temp.replace(cached)  # whole or not at all: two processes may write it at once
    _remove_stale(cached)


STALE_AFTER_S = 86_400  # another install's cache, unused this long, is not coming back


def _remove_stale(current: Path) -> None:
    """Delete the caches made from other versions of the model (each is about 50 MB): a new
    py3langid, or the same one installed again, names its cache anew. Those used in the last
    day are kept, so that two installs side by side do not delete each other's."""
    now = time.time()
    for old in current.parent.glob("langid-*"):
        with contextlib.suppress(OSError):
            if old != current and now - old.stat().st_mtime > STALE_AFTER_S:
                old.unlink()
