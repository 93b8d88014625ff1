"""Normalising front-matter values: dates, tag lists, flags, titles and URLs.

Pure functions over already-parsed values; each returns the normal form or ``None`` and
never raises on odd input.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

# "…T08:30.000+02:00", seconds left out before the fraction, reads 08:30 as Ruby's Time.parse
# (Jekyll's) does; a date it cannot read would give way to the file name's
_ISO = re.compile(
    r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[T\s]+(\d{1,2})[:.](\d{2})(?::(\d{2})(?:[.,](\d+))?|[.,]\d+)?)?"
    r"\s*(Z|[A-Z]{2,5}|[+-]\d{1,2}(?::?\d{2})?)?\s*$",
    re.IGNORECASE,
)
_YEAR_MONTH = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})\s*$")
# EXIF's date and time, as cameras and exiftool write it into a photo post's front matter
_EXIF = re.compile(r"^\s*(\d{4}):(\d{2}):(\d{2})(?=\s|$)")
_ZONES = {  # the abbreviations exporters write after a time; an unknown one is left out
    "Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2,
    "MET": 1, "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "EST": -5, "EDT": -4, "CST": -6,
    "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
    "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
}  # fmt: skip
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (  # English, French, German, Spanish, Italian, Portuguese, Dutch, Russian (both cases)
            "jan january janv janvier januar enero gennaio janeiro januari январь января янв",
            "feb february fev fevr fevrier februar febrero febbraio fevereiro februari "
            "февраль февраля фев",
            "mar march mars marz maerz marzo marco maart март марта мар",
            "apr april avr avril abril aprile апрель апреля апр",
            "may mai mayo maggio maio mei май мая",
            "jun june juin juni junio giugno junho июнь июня июн",
            "jul july juil juillet juli julio luglio julho июль июля июл",
            "aug august aout agosto augustus август августа авг",
            "sep sept september septembre septiembre settembre setembro сентябрь сентября сен",
            "oct october octobre oktober octubre ottobre outubro октябрь октября окт",
            "nov november novembre noviembre novembro ноябрь ноября ноя",
            "dec december decembre dezember diciembre dicembre dezembro декабрь декабря дек",
        )
    )
    for m in names.split()
}
# "15 Nov 2015", "15-Nov-2015", "le 15 nov. 2015", "15 de noviembre de 2015", "Nov 15, 2015",
# "Sunday, November 15th, 2015"
_WORDY = re.compile(
    r"^\s*(?:\w+,?\s+)?(\d{1,2})(?:er|st|nd|rd|th)?\.?[\s-]+(?:de\s+)?([^\W\d_]+)\.?,?[\s-]+"
    r"(?:de\s+)?(\d{4})\b|"
    r"^\s*(?:[^\W\d_]+,\s+)?([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b",
    re.UNICODE,
)
# the time after a date in words: "Jan 3, 2019 10:00 PM", "3 janvier 2019 à 14h05" is left
_CLOCK = re.compile(
    r"\s*(?:,|at|um|à)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([AaPp])\.?[Mm]\.?)?(?!\w|:)"
)
# "15.11.2015", "15/11/2015", "11/15/2015": day first with dots (as every country writing
# dots does); with slashes or dashes only when one number cannot be a month (05/06 is left)
_NUMERIC = re.compile(
    r"^\s*(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:[T\s,]+(\d{1,2})[:.](\d{2})(?::(\d{2}))?)?\s*$"
)
# "2015年11月15日", "2015년 11월 15일" (Chinese, Japanese, Korean), a time after it if any
_CJK_DATE = re.compile(
    r"^\s*(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?"
    r"(?:\s*(\d{1,2})\s*[:時시]\s*(\d{2}))?"
)
_NAME_DATE = re.compile(r"(?:^|/)(\d{4})-(\d{2})-(\d{2})(?:[-_T]|\.\w+$)")
_PATH_DATE = re.compile(r"(?:^|/)(\d{4})/(\d{1,2})/(\d{1,2})(?:/|$)")
_URL_DROP = frozenset({"_posts", "_drafts", "content"})
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ESCAPED_ENTITY = re.compile(
    r"&amp;(?=#\d{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)", re.IGNORECASE
)
_FOLD = str.maketrans("éèêûôàçäöü", "eeeuoacaou")


def parse_date(value: Any) -> dt.datetime | None:
    """A front-matter date in any common shape, or ``None`` when it is not a date."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _from_number(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # "²" is a digit too
        return _from_number(float(text))
    month = _YEAR_MONTH.match(text)
    if month:
        return _day(int(month[1]), int(month[2]), 1)
    exif = _EXIF.match(text)  # "2018:01:05 21:35:36": its date as ISO writes it
    if exif:
        text = f"{exif[1]}-{exif[2]}-{exif[3]}{text[exif.end() :]}"
    return (
        _from_iso(text) or _from_rfc2822(text) or _from_words(text) or _from_numeric(text)
        or _from_cjk(text)
    )  # fmt: skip


def is_partial(value: Any) -> bool:
    """Whether a date value names only a year or a month (``2011``, ``2011-03``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return 1000 <= value <= 9999
    return isinstance(value, str) and (
        (value.strip().isascii() and value.strip().isdigit() and len(value.strip()) == 4)
        or bool(_YEAR_MONTH.match(value))
    )


def storable(moment: dt.datetime) -> bool:
    """Whether a moment stays within years 1-9999 once in UTC, as the index stores it:
    ``9999-12-31T23:59:59-14:00`` is in year 10000 there."""
    if moment.tzinfo is None:
        return True
    try:
        moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return False
    return True


def _from_number(number: float) -> dt.datetime | None:
    """A year (2011), a compact date (20110304), or seconds or milliseconds since 1970."""
    if not number.is_integer():
        return _from_epoch(number) if 1e8 <= number < 4e9 else None
    if 1000 <= number <= 9999:
        return dt.datetime(int(number), 1, 1)
    if 10_000_101 <= number <= 99_991_231:
        digits = f"{int(number)}"
        return _day(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    if 1e11 <= number < 4e12:
        return _from_epoch(number / 1000)
    return _from_epoch(number) if 1e8 <= number < 4e9 else None


def _day(year: int, month: int, day: int) -> dt.datetime | None:
    try:
        return dt.datetime(year, month, day)
    except ValueError:
        return None


def _from_epoch(seconds: float) -> dt.datetime | None:
    if not 0 < seconds < 4e9:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _from_iso(text: str) -> dt.datetime | None:
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
        )
    except ValueError:
        return None
    tz = _zone(zone)
    return moment.replace(tzinfo=tz) if tz else moment


def _zone(zone: str | None) -> dt.tzinfo | None:
    if not zone:
        return None
    if zone[0] not in "+-":
        hours = _ZONES.get(zone.upper())
        if hours is None:
            return None
        return dt.UTC if hours == 0 else dt.timezone(dt.timedelta(hours=hours))
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = (
        (int(digits[:-2] or 0), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    )
    if hours > 14 or minutes > 59:
        return None
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _from_rfc2822(text: str) -> dt.datetime | None:
    match = re.search(r"\d{1,2} \w{3} (\d{4})", text)
    if not match:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(text)
        year = int(match.group(1))  # email.utils reads 0001 as a two-digit year: 2001
        return moment if moment.year == year else moment.replace(year=year)
    except (TypeError, ValueError, IndexError):
        return None


def _from_words(text: str) -> dt.datetime | None:
    match = _WORDY.match(text)
    if not match:
        return None
    day, month_name, year = (
        match.group(1, 2, 3) if match.group(1) else (match.group(5), match.group(4), match.group(6))
    )
    month = _MONTHS.get(month_name.lower().translate(_FOLD))
    if not month:
        return None
    try:
        date = dt.datetime(int(year), month, int(day))
    except ValueError:
        return None
    clock = _CLOCK.match(text, match.end())
    if clock is None:
        return date
    hour, minute, second, half = clock.groups()
    if half is not None:  # 12-hour clock: 12 AM is midnight, 12 PM noon
        if not 1 <= int(hour) <= 12:
            return date
        hour = str(int(hour) % 12 + (12 if half in "Pp" else 0))
    return _at(date, hour, minute, second)


def _from_numeric(text: str) -> dt.datetime | None:
    match = _NUMERIC.match(text)
    if not match:
        return None
    first, sep, second, year, hour, minute, second_ = match.groups()
    a, b = int(first), int(second)
    if sep == "." or a > 12:
        day, month = a, b
    elif b > 12:
        month, day = a, b
    else:
        return None  # 05/06/2015: May or June, nothing says which
    return _at(_day(int(year), month, day), hour, minute, second_)


def _from_cjk(text: str) -> dt.datetime | None:
    match = _CJK_DATE.match(text)
    if not match:
        return None
    year, month, day, hour, minute = match.groups()
    return _at(_day(int(year), int(month), int(day)), hour, minute, None)


def _at(
    day: dt.datetime | None, hour: str | None, minute: str | None, second: str | None
) -> dt.datetime | None:
    """``day`` at the time given, if any and valid (an impossible time keeps the day)."""
    if day is None or hour is None or minute is None:
        return day
    try:
        return day.replace(hour=int(hour), minute=int(minute), second=int(second or 0))
    except ValueError:
        return day


def date_from_path(path: str) -> dt.datetime | None:
    """The date a Jekyll file name (``2011-03-01-slug.md``) or a ``YYYY/MM/DD`` path carries."""
    for pattern in (_NAME_DATE, _PATH_DATE):
        for match in pattern.finditer(path):
            try:
                year, month, day = (int(part) for part in match.groups())
                return dt.datetime(year, month, day)
            except ValueError:
                continue
    return None


def as_terms(value: Any) -> tuple[str, ...]:
    """Tags or categories from a list, a comma- or space-separated string, or one value."""
    if value is None or isinstance(value, bool):
        return ()
    if isinstance(value, str):
        parts: Iterable[Any] = value.split(",") if "," in value else value.split()
    elif isinstance(value, int | float):
        parts = [value]
    elif isinstance(value, Mapping):
        parts = list(value)
    elif isinstance(value, Iterable):
        parts = value
    else:
        parts = [value]
    kept: dict[str, str] = {}  # folded → as first written: 20,000 tags took 9 s compared
    for part in _flat_parts(parts):  # with each other, and take 30 ms looked up
        term = " ".join(unescape(str(part)).split())
        if term and not term.startswith(_BLOGGER_KIND):
            kept.setdefault(term.casefold(), term)
    return tuple(kept.values())


# what Blogger calls an entry's kind ("…/kind#post"), which converters copy among its labels
_BLOGGER_KIND = ("http://schemas.google.com/", "https://schemas.google.com/")
_TERM_NAMES = ("name", "title", "label", "slug")  # a tag written as a mapping: its name


def _flat_parts(parts: Iterable[Any]) -> Iterable[Any]:
    """The plain values of a list of terms: a nested list's own (``[Travel, [Europe]]``), a
    mapping's name (``- name: Travel`` with its ``slug:``, as CMS exports write tags)."""
    for part in parts:
        if isinstance(part, Mapping):
            named = next((part[k] for k in _TERM_NAMES if isinstance(part.get(k), str)), None)
            if named is not None:
                yield named
        elif isinstance(part, list | tuple | set):
            yield from (item for item in part if isinstance(item, str | int | float))
        elif part is not None:
            yield part


def truthy(value: Any) -> bool | None:
    """``True``/``False`` for the many ways front matter writes a flag; ``None`` if unclear."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "yes", "y", "on", "1"):
            return True
        if lowered in ("false", "no", "n", "off", "0", ""):
            return False
    return None


def clean_title(value: Any) -> str | None:
    """A title as one line of text, entities decoded, or ``None`` if there is none."""
    if value is None or isinstance(value, Mapping | list):
        return None
    title = " ".join(unescape(str(value)).split())
    return title or None


def unescape(text: str) -> str:
    """HTML character references decoded (``&#8211;``, ``&uuml;``, ``&amp;``): exporters write
    them into titles, tags and places as well as bodies. Only complete ones (with their ``;``),
    so that "AT&T" and "Q&copy" stay as written. A reference escaped again by an exporter
    (``&amp;#8211;``) is what its author wrote, not its escape: it is decoded too."""
    if "&" not in text:
        return text
    for _ in range(3):
        if "&amp;" not in text or not _ESCAPED_ENTITY.search(text):
            break
        text = _ESCAPED_ENTITY.sub("&", text)
    return _ENTITY.sub(lambda m: html.unescape(m[0]), text)


def derive_url(path: str, date: dt.datetime | None) -> str:
    """The URL a static-site generator would most likely give a post at ``path``."""
    stem = re.sub(r"\.(md|markdown|mdown|html?)$", "", path, flags=re.IGNORECASE)
    parts = [p for p in stem.split("/") if p]
    if parts and parts[-1] == "index":
        parts.pop()
    name = parts[-1] if parts else ""
    prefix = [p for p in parts[:-1] if p not in _URL_DROP]
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})-(.+)", name)
    if match:
        parts = [*(p for p in prefix if not p.isdigit()), *match.groups()]
    elif parts:
        parts = [*prefix, name]
    return "/" + "/".join(parts) + "/" if parts else "/"
