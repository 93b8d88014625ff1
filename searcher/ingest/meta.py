"""Front matter: split a post into metadata and body, parse it, and recover what a broken one holds.

YAML (``---``), TOML (``+++``) and JSON (``{ … }``) front matter are recognised with
python-frontmatter's handlers; a fence that names its language (``---json``, ``---toml``,
``---yaml``, and Eleventy's JavaScript ``---js``: :mod:`searcher.ingest.jsmatter`) is read
as that language. Parsing failures never propagate: the metadata that can be
salvaged line by line is returned together with a warning that says why.
"""

from __future__ import annotations

import base64
import json
import re
import tomllib
from dataclasses import dataclass
from typing import Any

import yaml
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler

from searcher.ingest import jsmatter
from searcher.models import IngestWarning


class _TOMLBoundary(BaseHandler):
    """``+++`` boundaries; python-frontmatter's own TOML handler needs the old ``toml`` package."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)


class _YAMLBoundary(YAMLHandler):
    """``---`` opens; ``---`` or YAML's own document end ``...`` closes (Jekyll takes both)."""

    FM_BOUNDARY = re.compile(r"^(?:-{3,}|\.{3})\s*$", re.MULTILINE)
    _OPEN = re.compile(r"^-{3,}\s*$", re.MULTILINE)

    def detect(self, text: str) -> bool:
        return bool(self._OPEN.match(text))


class _JSONObject(JSONHandler):
    """JSON front matter as Hugo reads it: the object the text opens with, wherever its
    closing brace lies (``{"title": "…"}`` on one line too); python-frontmatter's own needs
    ``{`` and ``}`` alone on their lines. Where no whole object opens the text, its lines
    decide, as before (and a broken object is salvaged)."""

    def detect(self, text: str) -> bool:
        return text[:1] == "{" and (_json_object_end(text) is not None or super().detect(text))

    def split(self, text: str) -> tuple[str, str]:
        end = _json_object_end(text)
        if end is None:
            return super().split(text)
        return text[:end], text[end:].lstrip(" \t").removeprefix("\r").removeprefix("\n")


def _json_object_end(text: str) -> int | None:
    """Where the JSON object ``text`` opens with ends, if it opens with one."""
    try:
        found, end = _JSON_DECODER.raw_decode(text)
    except (ValueError, RecursionError):
        return None
    return end if isinstance(found, dict) else None


_JSON_DECODER = json.JSONDecoder()
_HANDLERS = [_YAMLBoundary(), _TOMLBoundary(), _JSONObject()]
_NAMED_FENCE = re.compile(r"---[ \t]*([A-Za-z]+)[ \t]*\r?\n")  # gray-matter's ---js, ---json
_CLOSE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)
_LANGUAGES = {"yaml": "yaml", "yml": "yaml", "toml": "toml", "json": "json",
              "js": "js", "javascript": "js"}  # fmt: skip
_LEADING_BLANK = re.compile(r"^(?:[ \t]*\n)+(?=---|\+\+\+)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_EXPANSION = 100_000  # values YAML aliases may add to those written out
MAX_DEPTH = 64  # nesting of front matter values (real posts: 3 or 4)
_MAX_KEY = 200  # characters of a key that is itself a list or mapping, made text
_TIDIED = {
    "depth": f"values nested more than {MAX_DEPTH} deep dropped",
    "surrogates": "lone surrogates (not characters) replaced",
}
_LINE_KEY = re.compile(r"^([A-Za-z_][\w.-]*)\s*[:=]\s*(.*?)\s*$")
_YAML_KEY = re.compile(r"""^["']?([A-Za-z_][\w.-]*)["']?\s*:(?:\s+(.*?))?\s*$""")
_BLOCK_SCALAR = re.compile(r"^[|>][-+0-9]*$")
_UNFENCED_KEY = re.compile(r"[A-Za-z_][\w-]*:(?:[ \t]|\r?\n|$)")
_UNFENCED_END = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)
_JSON_PAIR = re.compile(r'"([A-Za-z_][\w.-]*)"\s*:\s*("(?:[^"\\]|\\.)*"|[-\w.]+|\[[^\]]*\])')


@dataclass(frozen=True)
class FrontMatter:
    """Parsed metadata, the body after it, its format, and what went wrong."""

    data: dict[str, Any]
    body: str
    kind: str  # "yaml", "toml", "json", "js" or "none"
    warnings: tuple[IngestWarning, ...] = ()


try:
    from yaml import CSafeLoader as _SafeLoader  # libyaml's parser: 5 times faster
except ImportError:  # PyYAML built without libyaml: its pure-Python parser reads the same
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _Loader(_SafeLoader):
    """Safe YAML loader that keeps unknown tags as plain values and reports duplicate keys."""

    duplicates: list[str]


def _construct_unknown(loader: _Loader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        if suffix in ("binary", "yaml.org,2002:binary"):
            return _construct_binary(loader, node)
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]


def _construct_binary(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """``!binary`` (old Ruby exporters) and ``!!binary`` values as the text they encode."""
    raw = loader.construct_scalar(node)
    try:
        return base64.b64decode("".join(str(raw).split()), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return raw  # not base64 of UTF-8 text: kept as written


_TEXT_KEYS = frozenset({"title", "subtitle", "slug", "author"})  # permalink: false stays false
_TYPED_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("int", "float", "bool", "timestamp"))


def _plain_typed(node: yaml.Node) -> bool:
    """A plain scalar YAML makes a number, a boolean or a date of."""
    return isinstance(node, yaml.ScalarNode) and not node.style and node.tag in _TYPED_TAGS


_STR = "tag:yaml.org,2002:str"


def _construct(loader: _Loader, node: yaml.Node) -> Any:
    """``loader.construct_object(node, deep=True)``; a text scalar is its text, as the str
    constructor gives it, without the bookkeeping (most front matter values are text)."""
    if node.tag == _STR and type(node) is yaml.ScalarNode:
        return node.value
    return loader.construct_object(node, deep=True)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = _construct(loader, key_node)
        if not isinstance(key, str | int | float | bool) and key is not None:
            key = _bounded(str(key))  # bounded: nested "? ? ? x" keys double at each level
        if key in mapping:
            loader.duplicates.append(str(key))
        if key in _TEXT_KEYS and _plain_typed(value_node):
            mapping[key] = value_node.value  # "title: 12.50" is a title, not the number 12.5
            continue
        mapping[key] = _construct(loader, value_node)
    return mapping


def _bounded(text: str) -> str:
    return text if len(text) <= _MAX_KEY else text[: _MAX_KEY - 1] + "…"


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A date as YAML reads it, or the text as written when it is no date (``2011-02-30``):
    one impossible date must not make the whole front matter unreadable."""
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_multi_constructor("!", _construct_unknown)
_Loader.add_multi_constructor("tag:", _construct_unknown)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:binary", _construct_binary)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
# "2011-03-01" stays a date, but "yes"/"no"/"on" must not turn titles into booleans.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse(text: str) -> FrontMatter:
    """Split ``text`` into front matter and body; never raises."""
    if text[:1] in ("\n", " ", "\t"):
        text = _LEADING_BLANK.sub("", text, count=1)  # Hugo skips blank lines before a fence
    named = _NAMED_FENCE.match(text) if text[:3] == "---" else None
    if named:
        return _named(text, named)
    for handler in _HANDLERS:
        if handler.detect(text):
            break
    else:
        return _unfenced(text)
    kind = {"_YAMLBoundary": "yaml", "_TOMLBoundary": "toml", "_JSONObject": "json"}[
        type(handler).__name__
    ]
    try:
        raw, body = handler.split(text)
    except ValueError:
        return FrontMatter(
            {}, text, "none", (_warn("front-matter", f"unterminated {kind} front matter"),)
        )
    data, warnings = _load(raw, kind)
    return FrontMatter(data, body, kind, tuple(warnings))


def _unfenced(text: str) -> FrontMatter:
    """Hexo's front matter without its opening ``---`` (Hexo 3's own scaffolds wrote posts
    so): the YAML before the first ``---`` line, when it reads as a mapping that names a
    title or a date; any other text is all body (``Note: …`` then a rule stays prose)."""
    nothing = FrontMatter({}, text, "none")
    end = _UNFENCED_END.search(text) if _UNFENCED_KEY.match(text) else None
    if end is None:
        return nothing
    raw = text[: end.start()]
    try:
        found = _strict(raw, "yaml", [])
    except Exception:  # any parser failure: not front matter
        return nothing
    if not isinstance(found, dict) or not {"title", "date"} & {str(k).lower() for k in found}:
        return nothing
    data, warnings = _load(raw, "yaml")
    return FrontMatter(data, text[end.end() :].lstrip("\r\n"), "yaml", tuple(warnings))


def _named(text: str, fence: re.Match[str]) -> FrontMatter:
    """Front matter whose opening fence names its language (``---js``). A language we do
    not read leaves the whole text as the body, with a warning."""
    close = _CLOSE.search(text, fence.end())
    language = fence.group(1).lower()
    kind = _LANGUAGES.get(language, language)
    if close is None:
        problem = _warn("front-matter", f"unterminated {kind} front matter")
        return FrontMatter({}, text, "none", (problem,))
    raw, body = text[fence.end() : close.start()], text[close.end() :].lstrip("\r\n")
    if kind == "js":
        data, problems = jsmatter.load(raw)
        warnings = [_warn("front-matter", f"js front matter: {p}") for p in problems]
        tidied, more = _load(json.dumps(data, default=str), "json")
        return FrontMatter(tidied, body, kind, (*warnings, *more))
    if language not in _LANGUAGES:  # kept as text: nothing is lost, and the warning says why
        problem = _warn("front-matter", f"{language} front matter is not read")
        return FrontMatter({}, text, "none", (problem,))
    data, warnings = _load(raw, kind)
    return FrontMatter(data, body, kind, tuple(warnings))


def load_mapping(raw: str, kind: str) -> tuple[dict[str, Any], list[IngestWarning]]:
    """A YAML, TOML or JSON document read as front matter is (a site's configuration file):
    never raises; what cannot be parsed is salvaged line by line, with a warning."""
    return _load(raw, kind)


def _load(raw: str, kind: str) -> tuple[dict[str, Any], list[IngestWarning]]:
    warnings: list[IngestWarning] = []
    if _CONTROL.search(raw):
        raw = _CONTROL.sub("", raw)
        warnings.append(_warn("control-characters", "control characters removed from front matter"))
    try:
        data = _strict(raw, kind, warnings)
    except Exception as exc:  # any parser failure (RecursionError too): salvage what we can
        reason = _describe(exc)
        warnings.append(
            _warn("front-matter", f"{kind} front matter unreadable ({reason}); salvaged")
        )
        data = _salvage_json(raw) if kind == "json" else _salvage_lines(raw, kind)
    if not isinstance(data, dict):
        if data not in (None, ""):
            warnings.append(_warn("front-matter", f"{kind} front matter is not a mapping"))
        data = {}
    found: set[str] = set()
    data = _tidy(data, 0, found)
    warnings.extend(_warn("front-matter", _TIDIED[problem]) for problem in sorted(found))
    return {str(k): v for k, v in data.items()}, warnings


def _strict(raw: str, kind: str, warnings: list[IngestWarning]) -> Any:
    if kind == "toml":
        return tomllib.loads(raw)
    if kind == "json":
        return json.loads(raw)
    loader = _Loader(raw)
    loader.duplicates = []
    try:
        node = loader.get_single_node()
        if node is not None:
            _guard(raw, node)  # before building values: an alias bomb is refused here
        data = None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()
    if loader.duplicates:
        keys = ", ".join(sorted(set(loader.duplicates)))
        warnings.append(_warn("duplicate-keys", f"duplicate front matter keys ({keys}); last kept"))
    return data


def _guard(raw: str, root: yaml.Node) -> None:
    """:func:`_check_expansion`, or as little of it as the text ``raw`` of ``root`` needs."""
    if "*" in raw:  # an alias is written "*name": a document without one is a tree
        _check_expansion(root)
    elif sum(map(raw.count, _NESTING)) > MAX_DEPTH:
        _check_depth(root)


def _check_expansion(root: yaml.Node) -> None:
    """Refuse YAML whose aliases expand to more than :data:`MAX_EXPANSION` values beyond
    its own (451 bytes of aliases made 2.2 GB of values), that is nested deeper than
    :data:`MAX_DEPTH`, or that holds itself. Each node is sized once, without recursion."""
    sizes: dict[int, int] = {}  # id → values it expands to, once sized
    entered: set[int] = set()  # sized after their children: still on the path from the root
    distinct = 0
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, children_sized = stack.pop()
        key = id(node)
        children = _children(node)
        if children_sized:
            sizes[key] = _weight(node) + sum(sizes[id(child)] for child in children)
            distinct += _weight(node)
            if sizes[key] - distinct > MAX_EXPANSION:
                raise ValueError(f"aliases expand to more than {MAX_EXPANSION} values")
            continue
        if key in sizes:
            continue
        if key in entered:
            raise ValueError("an alias refers to a value that holds it")
        if depth > MAX_DEPTH:
            raise ValueError(f"values nested more than {MAX_DEPTH} deep")
        entered.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in children if id(child) not in sizes)


# Each YAML collection has one of these of its own ("- " and "key:" in blocks, "[", "{" and
# "a: b" in flows, "? " for complex keys): a document with fewer cannot nest deeper
_NESTING = ("-", ":", "?", "[", "{")


def _check_depth(root: yaml.Node) -> None:
    """:func:`_check_expansion`'s depth limit for a document without aliases (a tree)."""
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"values nested more than {MAX_DEPTH} deep")
        stack.extend((child, depth + 1) for child in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _weight(node: yaml.Node) -> int:
    """A value, and one more for each 100 characters of a long string."""
    return 1 + len(node.value) // 100 if isinstance(node, yaml.ScalarNode) else 1


def _tidy(value: Any, depth: int, found: set[str]) -> Any:
    """``value`` with lone surrogates (JSON's ``"\\ud800"``, which no encoder takes) made
    U+FFFD and values nested deeper than :data:`MAX_DEPTH` dropped; ``found`` says which."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            found.add("surrogates")
            return _SURROGATE.sub("\ufffd", value)
        return value
    if not isinstance(value, dict | list | tuple):
        return value
    if depth >= MAX_DEPTH:
        found.add("depth")
        return None
    if isinstance(value, dict):
        return {_tidy(k, depth, found): _tidy(v, depth + 1, found) for k, v in value.items()}
    return [_tidy(item, depth + 1, found) for item in value]


def _describe(exc: Exception) -> str:
    first = str(exc).strip().splitlines()
    text = " ".join(line.strip() for line in first[:3]) if first else type(exc).__name__
    return text.replace(' in "<unicode string>",', "")[:160]


def _salvage_lines(raw: str, kind: str) -> dict[str, Any]:
    """Read ``key: value`` lines (and YAML ``- item`` lists under them) one at a time."""
    if kind == "yaml":
        return _salvage_yaml(raw)
    data: dict[str, Any] = {}
    for line in raw.splitlines():
        match = _LINE_KEY.match(line.strip())  # TOML tables' keys too: flat, but none lost
        if match:
            key, value = match.groups()
            data[key] = _scalar(value, kind) if value else None
    return data


_Container = dict[str, Any] | list[Any]


def _salvage_yaml(raw: str) -> dict[str, Any]:
    """YAML lines one at a time, each ``key: value`` into the map its indentation puts it in
    and each ``- item`` into its list: a broken line costs that line, never the keys nested
    below it (a ``geo_public: '0'`` under ``meta:`` must stay beside the coordinates)."""
    root: dict[str, Any] = {}
    frames: list[tuple[int, _Container]] = [(0, root)]  # open containers, their lines' indent
    pending: tuple[int, dict[str, Any], str] | None = None  # "key:" awaiting what it holds
    for line in raw.splitlines():
        text = line.strip()
        indent = len(line) - len(line.lstrip(" \t"))
        if pending and _block_line(pending, indent, text):
            continue
        if not text or text.startswith("#"):
            continue
        item = text == "-" or text.startswith("- ")
        if pending is not None:
            at, parent, key = pending
            pending = None
            if indent > at or (item and indent == at):
                parent[key] = [] if item else {}
                frames.append((indent, parent[key]))
        while len(frames) > 1 and (
            indent < frames[-1][0]
            or (indent == frames[-1][0] and not item and isinstance(frames[-1][1], list))
        ):
            frames.pop()
        at, container = frames[-1]
        if indent > at:  # under no open key: a broken value's next line, or an orphan key
            orphan = _YAML_KEY.match(text.lstrip("- "))
            if orphan is not None:  # kept where it can go: no key line is ever dropped
                _orphan(container, orphan)
            continue
        if item and isinstance(container, list):
            rest = text[1:].strip()
            match = _YAML_KEY.match(rest)
            if match is None:
                container.append(_scalar(rest, "yaml") if rest else None)
                continue
            entry: dict[str, Any] = {}
            container.append(entry)
            frames.append((indent + len(text) - len(rest), entry))
            pending = _salvage_key(entry, match, indent + len(text) - len(rest))
        elif not item and isinstance(container, dict):
            match = _YAML_KEY.match(text)
            if match is not None:
                pending = _salvage_key(container, match, indent)
    return root


def _orphan(container: _Container, match: re.Match[str]) -> None:
    if isinstance(container, list):
        entry: dict[str, Any] = {}
        container.append(entry)
        container = entry
    if match[1] not in container:
        container[match[1]] = _scalar(match[2], "yaml") if match[2] else None


def _block_line(pending: tuple[int, dict[str, Any], str], indent: int, text: str) -> bool:
    """Whether a line belongs to a ``|`` or ``>`` text being read (and add it to it)."""
    at, container, key = pending
    block = container.get(key)
    if not isinstance(block, str) or (indent <= at and text):
        return False
    container[key] = f"{block}\n{text}" if block else text
    return True


def _salvage_key(
    container: dict[str, Any], match: re.Match[str], indent: int
) -> tuple[int, dict[str, Any], str] | None:
    """Store one ``key: value``; a key without a value waits for the lines below it."""
    key, value = match[1], match[2]
    if value and not _BLOCK_SCALAR.match(value):
        container[key] = _scalar(value, "yaml")
        return None
    container[key] = "" if value else None  # a block's text, or what the next lines hold
    return (indent, container, key)


def _scalar(value: str, kind: str) -> Any:
    if value.startswith("[") and not value.rstrip().endswith("]"):
        items = (item.strip().strip("'\"") for item in value.strip("[]").split(","))
        return [item for item in items if item]
    try:
        parsed = tomllib.loads(f"v = {value}")["v"] if kind == "toml" else yaml.load(value, _Loader)
    except Exception:
        parsed = None
    if parsed is None or (isinstance(parsed, dict) and not value.startswith("{")):
        return value.strip().strip("'\"")
    return parsed


def _salvage_json(raw: str) -> dict[str, Any]:
    """JSON as people write it by hand (a trailing comma, 'single quotes', bare keys) is
    YAML's flow style, read as such; else each ``"key": value`` pair on its own."""
    try:
        whole = _strict(raw, "yaml", [])
    except Exception:  # any parser failure, as in _load
        whole = None
    if isinstance(whole, dict):
        return whole
    data: dict[str, Any] = {}
    for key, value in _JSON_PAIR.findall(raw):
        try:
            data[key] = json.loads(value)
        except (ValueError, RecursionError):
            data[key] = _scalar(value, "yaml") if value.startswith("[") else value.strip('"')
    return data


def _warn(reason: str, message: str) -> IngestWarning:
    return IngestWarning(reason, message)
