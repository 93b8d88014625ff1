"""Queries as people type them: the repairs made before a query string is parsed.

People paste titles, type questions and copy sentences. Well-formed syntax keeps its meaning
(fields, "phrases", AND/OR/NOT, an attached ``-word``, wildcards inside or after a word,
``date:`` ranges, ``near:``); whatever cannot be syntax is made into the words it holds:

- compatibility forms are their letters (NFKC: full-width Latin letters, half-width katakana,
  ligatures), and invisible characters pasted inside words (soft hyphens, zero-width
  spaces) go: ``secu<soft hyphen>rity`` is ``security``;
- typographic quotes are quotes: curly double quotes, German low-high ones, guillemets and
  curly single quotes around words are ``"`` (a right single quote inside a word stays an
  apostrophe, as in "it's");
- field names are read whatever their case (``Title:``, ``TAG:``), and ``year:`` is
  ``date:``, ``language:`` is ``lang:``, ``intitle:`` is ``title:``, ``label:`` is ``tag:``;
  other search boxes' ``site:``, ``author:``, ``url:``… search their value alone;
- ``date:2019..2020`` is ``date:[2019 TO 2020]`` (``date:2019..``, ``date:..2020``: open),
  and so is a bare ``2019..2020``; a bare ``2019-05`` or ``2019-05-14`` finds the posts of
  that month or day as well as those holding it (``(2019-05 OR date:2019-05)``);
- ``near:San Francisco`` is ``near:"San Francisco"`` when the words after ``near:`` (up to
  three) name a place with it: not San (Mali) and the word "Francisco";
- an unpaired ``"`` and unmatched parentheses are dropped (``11" MacBook Air``);
- a ``?`` that ends a word is punctuation, not a wildcard (``knitr?``, ``Why?!``);
- a dash or plus not attached to a word is punctuation (``Merlin - For Sale``, ``--flag``);
  a plus attached to one is dropped: every word is required already (``+ruby rails`` is
  ``ruby rails``, not Whoosh's "ruby, and rails if it is there");
- an operator with nothing to join is a word (``AND``, ``cloud NOT``, ``OR OR``);
- ``<``, ``>``, brackets and braces outside a ``date:`` clause are markup (``</b>``);
- a colon after anything but a field name is punctuation (``Midgard 1.6: Power``,
  ``std::vec``: the words std and vec, side by side);
- ``*`` and ``?`` in a chunk the tokenizer would split are punctuation: a pattern stands for
  one word (``WS-notification*``, ``*.google.com``);
- CJK written against Latin letters or digits is split from them (``LaTeX中文``), as the
  tokenizer splits it when posts are indexed (not in a tag or category: ``tag:Web開発``);
- parentheses nested deeper than :data:`MAX_DEPTH` are dropped;
- words after the first :data:`MAX_WORDS` are dropped: every word is analysed in every
  language of the index and searched in four fields, and a pasted paragraph's hundredth
  word would find nothing the first thirty did not.

:func:`words_only` is the last resort for a string the parser still cannot read: every
character that could be syntax becomes a space.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass

from searcher.errors import UsageError
from searcher.indexing.analysis import CJK_RANGES

MAX_DEPTH = 8  # nested parentheses kept; deeper ones are dropped
MAX_WORDS = 32  # words (or quoted phrases) of a query searched; Google's limit too
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
FIELDS = frozenset(
    {"title", "body", "tags", "categories", "place", "tag", "category", "lang", "date", "path",
     "near"}
)  # fmt: skip
_BINARY = OPERATORS - {"NOT"}
_DATE_CLAUSE = re.compile(
    r"(?<![^\s(])date:(?:[\[{][^\]}\"]*[\]}]|(?:<=|>=|=<|=>|<|>|=)[^\s()\"]+)"
)
_ALIASES = {
    "year": "date",
    "language": "lang",
    "intitle": "title",
    "label": "tag",
    "labels": "tag",
    "topic": "tag",
    "topics": "tag",
}  # field names people type for ours
# other search boxes' prefixes naming what we do not index apart: their value is searched
_FOREIGN = frozenset({"author", "by", "site", "url", "inurl", "in", "from", "user", "filetype"})
_FIELD_NAME = re.compile(r"(?<![^\s(+-])([^\W\d_]+):(?=\S)")
_DOTS_RANGE = re.compile(r"(?<![^\s(])date:(\d[\d-]*)?\.\.(\d[\d-]*)?(?![^\s)])")
_QUOTES = str.maketrans(
    dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u301d\u301e\u301f\uff02", '"')
)
# curly (or low-high) single quotes around words; a closing one before a letter is an
# apostrophe inside the phrase
_SINGLE_QUOTED = re.compile(
    r"(?<![^\s(])[\u2018\u201a]((?:[^\u2018\u2019]|\u2019(?=\w))+)[\u2019\u2018](?!\w)"
)
_MONTH = r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?"  # blogs' years
_BARE_DAY = re.compile(_MONTH)  # a year and month at least: a year alone is a word
_BARE_RANGE = re.compile(rf"((?:19|20)\d\d|{_MONTH})\.\.((?:19|20)\d\d|{_MONTH})")
_NEAR_WORDS = re.compile(
    r'(?<![^\s(])near:([^\s~()"]+)((?:[ \t]+[^\s~()":*?]+(?:~[^\s()]*)?){1,3})'
)
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))  # soft hyphen, zero widths
_LABEL = re.compile(r"[-+]?(?:tags?|categor(?:y|ies)):")  # a whole tag: tag:Web開発
_TOKEN = re.compile(r'(?P<quote>"[^"]*")|(?P<paren>[()])|(?P<chunk>[^\s()"]+)')
_QUESTION = re.compile(r"\?+(?![?\w*])")  # ending a word: not a wildcard
_MARKUP = re.compile(r"[<>\[\]{}]")
_SIGN = re.compile(r"^[-+]+")
_COLON = re.compile(r"(\w*):")
_PATTERN = re.compile(r"[*?]")
_NOT_ONE_WORD = re.compile(r"[^\w*?]")
_SYNTAX = re.compile(r'["()\[\]{}<>^~*?:\\+!-]')
_SIMPLE = re.compile(r"[^\W_]+(?: [^\W_]+)*")  # letters and digits, any script


@dataclass
class _Token:
    kind: str  # "quote", "paren", "chunk" or "date" (a protected date clause)
    text: str
    space: str  # the whitespace before it ("" when attached to the token before)


def repair(text: str) -> str:
    """``text`` with the repairs above; well-formed syntax is left as it is."""
    if unchanged(text):  # most queries: a few words of letters and digits
        return text
    return repaired(text)


def unchanged(text: str) -> bool:
    """Whether :func:`repaired` would give ``text`` back: words of letters and digits one
    space apart, no more than MAX_WORDS, none an operator, no CJK against other letters
    (found without the tokens: tokenizing a Japanese query took 30 us for nothing), no
    compatibility form."""
    if _SIMPLE.fullmatch(text) is None or text.count(" ") >= MAX_WORDS:
        return False
    if not text.isascii() and (
        _cjk_edge().search(text) is not None or not unicodedata.is_normalized("NFKC", text)
    ):
        return False
    return not any(word in OPERATORS for word in text.split(" "))


def repaired(text: str) -> str:
    """``text`` with the repairs above, each made."""
    tokens = _tokens(_pair_quotes(_typed_syntax(plain_letters(text))))
    for i, token in enumerate(tokens):
        if token.kind == "chunk":
            token.text = _chunk(token.text, tokens[i + 1] if i + 1 < len(tokens) else None)
    tokens = _balanced(_capped(tokens))
    _operators(tokens)
    return "".join(t.space + t.text for t in tokens if t.text).strip()


def plain_letters(text: str) -> str:
    """``text`` with compatibility forms as their letters (NFKC) and without the invisible
    characters pages paste inside words: what a pasted title's key is made of too."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text.translate(_INVISIBLE))


def words_only(text: str) -> str:
    """``text`` with every character that could be syntax replaced by a space, and the
    operators made words: what is left can only be read as words."""
    plain = _SYNTAX.sub(" ", text)
    return " ".join(w.lower() if w in OPERATORS else w for w in plain.split())


def _typed_syntax(text: str) -> str:
    """``text`` with its typographic quotes, field names and ``..`` date ranges as the
    parser reads them."""
    text = _SINGLE_QUOTED.sub(r'"\1"', text).translate(_QUOTES)
    text = _FIELD_NAME.sub(_field_name, text)
    if "near:" in text:
        text = _NEAR_WORDS.sub(_near_place, text)
    return _DOTS_RANGE.sub(_dots_range, text)


def _near_place(match: re.Match[str]) -> str:
    """``near:`` and the most words after it that name a place, quoted (a radius after the
    last one kept); the clause as it is when only its first word does."""
    from searcher.geo import gazetteer  # only for such a clause: most queries have none

    words = match.group(2).split()
    for count in range(len(words), 0, -1):
        taken = words[:count]
        if "~" in "".join(taken[:-1]) or any(w in OPERATORS or w[0] in "-+" for w in taken):
            continue
        last, tilde, radius = taken[-1].partition("~")
        name = " ".join([match.group(1), *taken[:-1], last])
        try:
            gazetteer.resolve(name)
        except UsageError:
            continue
        return " ".join([f'near:"{name}"{tilde}{radius}', *words[count:]])
    return match.group()


def _field_name(match: re.Match[str]) -> str:
    name = match.group(1).lower()
    name = _ALIASES.get(name, name)
    if name in _FOREIGN:
        return ""
    return f"{name}:" if name in FIELDS else match.group()


def _dots_range(match: re.Match[str]) -> str:
    start, end = match.group(1), match.group(2)
    if start is None and end is None:
        return match.group()
    return f"date:[{start or '*'} TO {end or '*'}]"


def _pair_quotes(text: str) -> str:
    """An odd ``"``, the last one, becomes a space: the others pair up as typed."""
    if text.count('"') % 2 == 0:
        return text
    last = text.rindex('"')
    return text[:last] + " " + text[last + 1 :]


def _tokens(text: str) -> list[_Token]:
    """Quoted phrases, parentheses, date clauses and chunks, each with its leading space."""
    found: list[_Token] = []
    pos = 0
    protected = [(m.start(), m.end()) for m in _DATE_CLAUSE.finditer(text)]
    cuts = [0, *[p for span in protected for p in span], len(text)]
    for start, end in itertools.pairwise(cuts):
        piece = text[start:end]
        if (start, end) in protected:
            space = text[pos:start]
            found.append(_Token("date", piece, space))
            pos = end
            continue
        for match in _TOKEN.finditer(piece):
            kind = match.lastgroup or "chunk"
            begin = start + match.start()
            found.append(_Token(kind, match.group(), text[pos:begin]))
            pos = start + match.end()
    return found


def _chunk(text: str, after: _Token | None) -> str:
    """A bare chunk repaired: trailing question marks, markup, loose signs, CJK edges."""
    text = _QUESTION.sub("", text)
    dated = _bare_date(text)
    if dated is not None:
        return dated
    text = _MARKUP.sub(" ", text)
    text = _COLON.sub(_colon, text)
    text = " ".join(_one_word(part) for part in text.split(" "))
    if not text.isascii() and not _LABEL.match(text):  # CJK against Latin: not in a tag
        text = _cjk_edge().sub(" ", text)
    sign = _SIGN.match(text)
    if sign is not None:
        rest = text[sign.end() :]
        attached = after is not None and not after.space and after.kind in ("quote", "paren")
        keeps = len(sign.group()) == 1 and ((rest[:1].isalnum() or rest[:1] == "*")
                                            or (not rest and attached))  # fmt: skip
        if not keeps or sign.group() == "+":  # a word is required already: + says nothing
            text = " " + (rest.lower() if rest in OPERATORS else rest)
    return text


def _bare_date(text: str) -> str | None:
    """``2019-05`` as the month it names or the word it is; ``2019..2020`` as a date range;
    None for anything else (``2019-02-30`` is a word)."""
    both = _BARE_RANGE.fullmatch(text)
    if both is not None:
        return f"date:[{both[1]} TO {both[2]}]"
    if _BARE_DAY.fullmatch(text) is None:
        return None
    year, month, *day = (int(part) for part in text.split("-"))
    try:
        dt.date(year, month, day[0] if day else 1)
    except ValueError:
        return None
    return f"({text} OR date:{text})"


@functools.cache
def _cjk_edge() -> re.Pattern[str]:
    """Where CJK script meets other letters (compiled when first needed: 20 ms, and most
    queries are ASCII)."""
    return re.compile(
        rf"(?<=[{CJK_RANGES}])(?=[^\W_{CJK_RANGES}])|(?<=[^\W_{CJK_RANGES}])(?=[{CJK_RANGES}])"
    )


def _colon(match: re.Match[str]) -> str:
    """``name:`` stays a field prefix when ``name`` is a field; otherwise the colon is
    punctuation inside the chunk, which stays one word: ``std::vec`` is found as written
    (the words std and vec side by side, as ``node.js`` is), not as std and vec anywhere."""
    return match.group() if match.group(1) in FIELDS else match.group(1) + ","


def _one_word(part: str) -> str:
    """A pattern is one word: ``*`` and ``?`` among characters the tokenizer splits at
    (``WS-notification*``, ``*.google.com``, ``192.168.2.*``) are punctuation."""
    field, colon, value = part.rpartition(":")
    if _PATTERN.search(value) and _NOT_ONE_WORD.search(value.lstrip("-+")):
        return field + colon + _PATTERN.sub(" ", value)
    return part


def _capped(tokens: list[_Token]) -> list[_Token]:
    """The tokens up to the :data:`MAX_WORDS`-th word or phrase (a chunk may hold several
    words once repaired: each counts; a quoted phrase counts as one)."""
    words = 0
    for i, token in enumerate(tokens):
        if token.kind == "chunk" and token.text not in OPERATORS:
            words += max(1, len(token.text.split()))
        elif token.kind in ("quote", "date"):
            words += 1
        if words > MAX_WORDS:
            return tokens[:i]
    return tokens


def _balanced(tokens: list[_Token]) -> list[_Token]:
    """Without unmatched, empty or too deeply nested parentheses."""
    dropped: set[int] = set()
    open_at: list[int] = []
    for i, token in enumerate(tokens):
        if token.kind != "paren":
            continue
        if token.text == "(":
            open_at.append(i)
        elif open_at:
            start = open_at.pop()
            inside = [t for t in tokens[start + 1 : i] if t.text.strip() and t.kind != "paren"]
            if not inside or len(open_at) >= MAX_DEPTH:
                dropped.update((start, i))
        else:
            dropped.add(i)
    dropped.update(open_at)
    for i in dropped:
        tokens[i].text = ""
        tokens[i].space = tokens[i].space or " "
    return tokens


def _operators(tokens: list[_Token]) -> None:
    """Make an operator that has nothing to join a word: AND at either end, NOT last..."""
    live = [t for t in tokens if t.text.strip()]
    for i, token in enumerate(live):
        word = token.text
        if token.kind != "chunk" or word not in OPERATORS:
            continue
        before = live[i - 1] if i > 0 else None
        after = live[i + 1] if i + 1 < len(live) else None
        starts = after is not None and (_operand(after) or after.text == "(" or
                                        (word in _BINARY and after.text == "NOT"))  # fmt: skip
        ends = before is not None and (_operand(before) or before.text == ")")
        if not starts or (word in _BINARY and not ends):
            token.text = word.lower()


def _operand(token: _Token) -> bool:
    return token.kind in ("quote", "date") or (token.kind == "chunk" and
                                                token.text.strip() not in OPERATORS)  # fmt: skip
