"""PHP-serialised values, as WordPress stores post meta and exporters copy it into front
matter: ``a:3:{s:3:"lat";s:7:"43.4028";…}`` (a map field's place, a plugin's settings).

Read into plain dicts, lists and scalars so that the places finder walks them like any
other front matter. Bounded: long or deep values, objects and anything malformed give None.
"""

from __future__ import annotations

import re
from typing import Any

_LOOKS = re.compile(r"^a:\d{1,5}:\{")
_MAX_BYTES = 100_000
_MAX_DEPTH = 8
_NUMBER = re.compile(rb"[ id]:(-?[\d.eE+-]+|INF|NAN);")


class _Malformed(Exception):
    pass


def loads(text: str) -> Any:
    """The value ``text`` serialises, or None if it is no PHP array (or too big, or broken)."""
    if len(text) > _MAX_BYTES or not _LOOKS.match(text):
        return None
    data = text.encode("utf-8", "surrogatepass")
    try:
        value, end = _value(data, 0, 0)
    except (_Malformed, ValueError, IndexError, RecursionError):
        return None
    return value if end == len(data.rstrip()) else None


def _value(data: bytes, at: int, depth: int) -> tuple[Any, int]:
    kind = data[at : at + 1]
    if kind == b"N":
        return None, _expect(data, at + 1, b";")
    if kind in (b"b", b"i", b"d"):
        match = (
            _NUMBER.match(data, at) if kind != b"b" else re.compile(rb"b:([01]);").match(data, at)
        )
        if match is None:
            raise _Malformed
        number = match[1].decode()
        value: Any = (
            bool(int(number)) if kind == b"b" else int(number) if kind == b"i" else float(number)
        )
        return value, match.end()
    if kind == b"s":
        return _string(data, at)
    if kind == b"a" and depth < _MAX_DEPTH:
        return _array(data, at, depth)
    raise _Malformed  # objects, references, anything else


def _string(data: bytes, at: int) -> tuple[str, int]:
    """``s:LEN:"…";``: LEN counts bytes, but exporters that re-encoded text left it wrong, so
    a string that does not end where LEN says ends at the next ``";``."""
    colon = data.index(b":", at + 2)
    size = int(data[at + 2 : colon])
    start = colon + 2
    end = start + size
    if data[end : end + 2] != b'";':
        end = data.index(b'";', start)
    return data[start:end].decode("utf-8", "replace"), end + 2


def _array(data: bytes, at: int, depth: int) -> tuple[Any, int]:
    colon = data.index(b":", at + 2)
    count = int(data[at + 2 : colon])
    at = _expect(data, colon, b":{")
    items: dict[Any, Any] = {}
    for _ in range(count):
        key, at = _value(data, at, depth + 1)
        if isinstance(key, dict | list):
            raise _Malformed
        items[key], at = _value(data, at, depth + 1)
    at = _expect(data, at, b"}")
    if list(items) == list(range(len(items))):
        return list(items.values()), at
    return {str(k): v for k, v in items.items()}, at


def _expect(data: bytes, at: int, token: bytes) -> int:
    if data[at : at + len(token)] != token:
        raise _Malformed
    return at + len(token)
