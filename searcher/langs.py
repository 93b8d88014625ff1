"""A post's language: what its front matter declares, checked against the text itself.

Detection uses py3langid's bundled model (offline). A declared language is kept unless the
text is long enough to judge and clearly reads as another language: archives copy front
matter between translations and forget to change ``lang``.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import mmap
import os
import re
import threading
import time
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
_NOISE = re.compile(r"\S*(?:://|www\.|@)\S*|[!-~]*\d[!-~]*|[_*#=|<>{}\[\]`~]+")
# Languages blogs are written in; leaving out the model's rarer neighbours (Cantonese and Wu
# for Chinese, Welsh for short Indonesian) made detection more accurate on ruby-lang, not less.
_CANDIDATES = (
    "af ar be bg bs ca cs cy da de el en eo es et eu fa fi fr ga gl he hi hr hu id is it ja ko la "
    "lt lv mk ms nl nn no pl pt ro ru sk sl sq sr sv sw th tl tr uk vi zh"
).split()
_NON_LETTER = re.compile(r"[\W\d_]+")
_NOT_LANGUAGES = frozenset({"zxx", "und"})
_lock = threading.Lock()
_identifier: Any = None
_CACHED = ("ptc", "pc", "classes", "nextmove", "row", "output")  # arrays in the cache, in order
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
    sample = _sample(text)[:size]
    if len(_NON_LETTER.sub("", sample[:400])) < 20:
        return None
    lang, prob = _model().classify(sample)
    return (str(lang), float(prob)) if lang not in _NOT_LANGUAGES else None


def _sample(text: str) -> str:
    """The prose of ``text``: URLs, checksums, identifiers and numbers only mislead the model."""
    return _NOISE.sub(" ", text[: _SAMPLE * 2])[:_SAMPLE]


def choose(
    declared: Any, text: str, default: str | None = None
) -> tuple[str | None, IngestWarning | None]:
    """The language to index ``text`` in, and a warning when the front matter was overruled.

    Without a declared language: text written mostly in Chinese, Japanese or Korean script is
    that language, however short; otherwise the detector's guess, unless ``default`` (a site's
    language) is given and the guess is unsure: a short post, or a low probability.
    """
    code = normalise(declared)
    script = cjk_language(text)
    if code is None:
        if script:
            return script, None
        guess = detect(text)
        if default and (guess is None or _unsure(text, guess[1])):
            return default, None
        return (guess[0] if guess else None), None
    if len(text) < _MIN_TEXT:
        return code, None
    quick = detect(text, size=_LEDE)
    if quick is None or quick[0] == code:
        return code, None  # the opening agrees: most posts stop here, at half the cost
    guess = detect(text)
    if guess is None or guess[0] == code or guess[1] < 0.95:
        return code, None
    sample = _sample(text)
    if _probability(sample, code) > 0.01 or _probability(sample[:_LEDE], code) > 0.5:
        return code, None  # the declared language is there, if only in a translated opening
    warning = IngestWarning(
        "lang-mismatch", f"front matter says {declared!r} but the text reads as {guess[0]!r}"
    )
    return guess[0], warning


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_SURE = 0.9  # a detector probability below this is a guess a site's language overrules


def cjk_language(text: str) -> str | None:
    """``zh``, ``ja`` or ``ko`` when most letters of the text's opening are of that script (kana
    make Japanese, hangul Korean, Han characters alone Chinese); None otherwise. The detector
    needs 20 letters to judge, and a Chinese sentence may be ten characters long."""
    sample = text[: _SAMPLE * 2]
    if sample.isascii():
        return None
    han, kana, hangul = (len(rx.findall(sample)) for rx in (_HAN, _KANA, _HANGUL))
    cjk = han + kana + hangul
    if cjk < 2 or cjk < 0.5 * sum(1 for char in sample if char.isalpha()):
        return None
    if hangul > kana and hangul >= han / 4:
        return "ko"
    return "ja" if kana else "zh"


def _unsure(text: str, probability: float) -> bool:
    return len(_NON_LETTER.sub("", _sample(text))) < _MIN_TEXT or probability < _SURE


def _probability(sample: str, code: str) -> float:
    for lang, prob in _model().rank(sample):
        if lang == code:
            return float(prob)
    return 0.0


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
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

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
    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    model.set_languages([c for c in _CANDIDATES if c in model.nb_classes])
    if cached is not None:
        with contextlib.suppress(OSError, TypeError, ValueError):
            _write_cache(cached, model)
    return model


def _cache_file() -> Path:
    """Where the narrowed model is cached: named after what it was made from."""
    import py3langid
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    stat = (Path(MODEL_DIR) / MODEL_FILE).stat()
    made_from = f"{py3langid.__version__} {stat.st_size} {stat.st_mtime_ns} {_CANDIDATES}"
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
    from py3langid.langid import LanguageIdentifier

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
    return LanguageIdentifier(
        arrays["ptc"], arrays["pc"], arrays["classes"].tolist(), arrays["nextmove"].data,
        arrays["output"].data, norm_probs=True, tk_row=arrays["row"].data,
    )  # fmt: skip


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
