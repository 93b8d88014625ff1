"""JavaScript front matter (Eleventy's ``---js``): the values its code assigns, read without
running it.

Eleventy evaluates the block as JavaScript and takes its top-level names (``const title =
"…";``) or, in the older form, the object it holds (``{ title: "…" }``, also after
``module.exports =`` or ``export default``). We never run code: a value written as a literal
(a string without ``${}``, a number, ``true``/``false``/``null``, arrays and objects of
those, ``new Date("…")``) is read; anything else (a function, a computed value) is left out
with a warning that names it. The block is never part of the post's text.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64  # nesting of arrays and objects, as for other front matter

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|//[^\n]*|/\*.*?(?:\*/|\Z))
    |(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\$]|\\.|\$(?!\{))*`)
    |(?P<number>(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))
    |(?P<name>[A-Za-z_$][\w$]*)
    |(?P<mark>.)
    """,
    re.S | re.X,
)
_DECLARE = {"const", "let", "var"}
_WORDS = {"true": True, "false": False, "null": None, "undefined": None}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\n|.)", re.S)


class _NotLiteral(Exception):
    """A value that only running the code would give."""


def load(raw: str) -> tuple[dict[str, Any], list[str]]:
    """The names ``raw`` assigns literal values to, and what was left out (one reason each)."""
    tokens: list[tuple[str, str]] = []
    line_starts: set[int] = set()
    for match in _TOKEN.finditer(raw):
        if match.lastgroup != "space":
            tokens.append((match.lastgroup or "", match.group()))
        elif "\n" in match.group():
            line_starts.add(len(tokens))
    return _Reader(tokens, line_starts).statements()


_STARTS = _DECLARE | {"export", "module"}


class _Reader:
    def __init__(self, tokens: list[tuple[str, str]], line_starts: set[int]) -> None:
        self.tokens = tokens
        self.line_starts = line_starts  # tokens first on their line: where a statement may start
        self.at = 0
        self.data: dict[str, Any] = {}
        self.problems: list[str] = []

    def peek(self, ahead: int = 0) -> str:
        at = self.at + ahead
        return self.tokens[at][1] if at < len(self.tokens) else ""

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.at] if self.at < len(self.tokens) else ("", "")
        self.at += 1
        return token

    def statements(self) -> tuple[dict[str, Any], list[str]]:
        while self.at < len(self.tokens):
            start = self.at
            try:
                self.statement()
            except _NotLiteral:
                self.at = start
                self.skip_statement()
            if self.at == start:
                self.at += 1  # a stray mark: never loop on it
        return self.data, self.problems

    def statement(self) -> None:
        word = self.peek()
        if word == "export" and self.peek(1) == "default":
            self.at += 2
            self.merge(self.value(0))
        elif word == "export" and self.peek(1) in _DECLARE:
            self.at += 1
            self.declaration()
        elif word in _DECLARE:
            self.declaration()
        elif (word, self.peek(1), self.peek(2), self.peek(3)) == ("module", ".", "exports", "="):
            self.at += 4
            self.merge(self.value(0))
        elif word == "{":
            self.merge(self.value(0))
        elif word == ";":
            self.at += 1
        else:
            raise _NotLiteral
        if self.peek() == ";":
            self.at += 1

    def declaration(self) -> None:
        self.at += 1
        while True:
            kind, name = self.take()
            if kind != "name" or self.take()[1] != "=":
                raise _NotLiteral
            self.keep(self.data, name, 0)
            if self.peek() != ",":
                return
            self.at += 1

    def keep(self, found: dict[str, Any], name: str, depth: int) -> None:
        """``name``'s value into ``found`` if it is a literal, else left out by name."""
        start = self.at
        try:
            found[name] = self.value(depth)
        except _NotLiteral:
            self.at = start
            self.left_out(name)

    def left_out(self, name: str) -> None:
        self.problems.append(f"{name} is code, not a value: left out")
        self.skip_value()

    def merge(self, value: Any) -> None:
        if not isinstance(value, dict):
            raise _NotLiteral
        self.data.update(value)

    def value(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _NotLiteral
        kind, text = self.take()
        if kind == "string":
            return _string(text)
        if kind == "number":
            return _number(text)
        if text == "-" and self.peek() and self.tokens[self.at][0] == "number":
            return -_number(self.take()[1])
        if text in _WORDS and self.peek() not in ("(", ".", "["):
            return _WORDS[text]
        if text == "[":
            return self.array(depth)
        if text == "{":
            return self.object(depth)
        if text == "new" and self.peek() == "Date" and self.peek(1) == "(":
            self.at += 2
            inner = self.value(depth + 1) if self.peek() != ")" else None
            if self.take()[1] != ")" or not isinstance(inner, str | int | float):
                raise _NotLiteral
            return inner
        raise _NotLiteral

    def array(self, depth: int) -> list[Any]:
        items: list[Any] = []
        while self.peek() != "]":
            if not self.peek():
                raise _NotLiteral
            items.append(self.value(depth + 1))
            if self.peek() == ",":
                self.at += 1
            elif self.peek() != "]":
                raise _NotLiteral
        self.at += 1
        return items

    def object(self, depth: int) -> dict[str, Any]:
        found: dict[str, Any] = {}
        while self.peek() != "}":
            kind, key = self.take()
            if kind == "string":
                key = _string(key)
            elif kind not in ("name", "number"):
                raise _NotLiteral
            if self.peek() == "(":  # a method: title() { … }
                self.left_out(key)
            elif self.take()[1] != ":":
                raise _NotLiteral
            else:
                self.keep(found, key, depth + 1)
            if self.peek() == ",":
                self.at += 1
            elif self.peek() != "}":
                raise _NotLiteral
        self.at += 1
        return found

    def skip_value(self) -> None:
        """Past code up to the ``,``, ``;`` or closing bracket that ends it, or the next line's
        declaration (a statement may end at its line without a ``;``)."""
        self.skip((",", ";", "}", "]", ")"))

    def skip_statement(self) -> None:
        self.problems.append(f"code not read ({self.peek()[:20]}…)")
        self.skip((";",))
        if self.peek() == ";":
            self.at += 1

    def skip(self, ends: tuple[str, ...]) -> None:
        depth, first = 0, self.at
        while self.at < len(self.tokens):
            text = self.peek()
            if depth == 0 and (text in ends or (
                self.at != first and self.at in self.line_starts and text in _STARTS
            )):  # fmt: skip
                return
            if len(text) == 1:
                depth += (text in "([{") - (text in ")]}")
            self.at += 1


def _string(text: str) -> str:
    if text[0] == '"':
        try:
            value = json.loads(text)
            return value if isinstance(value, str) else text[1:-1]
        except ValueError:
            pass
    return _ESCAPE.sub(_unescape, text[1:-1])


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] == "u" and len(code) > 1:
        number = int(code[2:-1] if code[1] == "{" else code[1:], 16)
        return chr(number) if number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF else ""
    if code[0] == "x" and len(code) == 3:
        return chr(int(code[1:], 16))
    if code == "\n":
        return ""  # a line continuation
    return _ESCAPES.get(code, code)


def _number(text: str) -> int | float:
    if text[:2] in ("0x", "0X"):
        return int(text, 16)
    number = float(text)
    return (
        int(number)
        if number.is_integer() and "." not in text and "e" not in text.lower()
        else number
    )
