"""Template tags and shortcodes in post bodies: the prose they carry is kept, the rest goes.

Hugo (``{{< name key="…" >}}``, ``{{% name %}}…{{% /name %}}``), Zola (``{{ name(key="…") }}``,
``{% name(…) %}…{% end %}``), Liquid and Nunjucks
(``{% include figure.html caption="…" %}``, ``{% image "a.jpg", "Alt text" %}``) and WordPress
(``[caption caption="…"]``) write text into parameters as often as between tags: a Hugo site
may hold nearly all of a post's prose in ``{{<quote body="…">}}``. Code blocks keep their code,
embeds and control tags go, paired tags keep what is inside, and each parameter is kept when it
holds prose (:func:`prose`): ``title=``/``caption=``/``alt=``/``body=`` and the like, or any
quoted words, but never ``src=``, sizes, ids, colours, dates or URLs.
"""

from __future__ import annotations

import re

from searcher.ingest.substrings import holds

__all__ = ["prose", "strip"]

# keys whose value is prose, and keys (or key endings) whose value never is
_PROSE_KEYS = frozenset(
    "title caption alt body text quote summary description content message author cite "
    "attribution attr label heading subtitle note comment excerpt question answer header "
    "footer tooltip source".split()
)
_NOT_PROSE_KEYS = frozenset(
    "src href url link id class style width height size align color colour type lang target "
    "rel loading position theme icon image img file path ref ratio format start end autoplay "
    "loop mute muted controls data key slug user username handle date time datetime layout "
    "kind mode float limit count order sort lazy name".split()
)
_NOT_PROSE_ENDINGS = ("id", "url", "src", "at", "date", "color", "colour", "width", "height")
_PARAM = re.compile(
    r"""(?:([\w.-]+)\s*=\s*)?("[^"\\]*(?:\\.[^"\\]*)*"|'[^'\\]*(?:\\.[^'\\]*)*'|`[^`]*`|[^\s"'`=,]+)"""
)
# _PARAM where no backslash escapes a quote: the same matches, and "[^"]*" scans a long
# value several times faster than "[^"\\]*" (a class of two), which cost kaigai-matome's
# matomeQuote tags half of their parameters' time
_PLAIN_PARAM = re.compile(r"""(?:([\w.-]+)\s*=\s*)?("[^"]*"|'[^']*'|`[^`]*`|[^\s"'`=,]+)""")
_URL_START = re.compile(r"(?:[a-z][\w+.-]*://|mailto:|tel:|www\.|/|\.{1,2}/|#)", re.I)
_FILE_ENDINGS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".mp4", ".pdf")
# words with a space between them, or a letter of a script written without spaces
_WORDS = re.compile(r"[^\W\d_]{2,}\s+\S*?[^\W\d_]|(?=[^\x00-\x7f])[^\W\d_]")


def prose(params: str) -> list[str]:
    """The values of a tag's parameters that are prose, in order."""
    kept = []
    for key, raw in (_PARAM if "\\" in params else _PLAIN_PARAM).findall(params):
        kind = _OTHER
        if key:  # a key that never holds prose is passed by before its value is looked at
            kind = _KINDS.get(key, _UNKNOWN)
            if kind is _UNKNOWN:
                kind = _key_kind(key)
            if kind is _NEVER:
                continue
        quoted = raw[:1] in "\"'`"
        if not quoted:
            value = raw
        elif raw[0] == "`" or "\\" not in raw:
            value = raw[1:-1]
        else:
            value = _unquote(raw)
        words = value.split()
        if not words or _urlish(value.strip()):
            continue
        if kind is _PROSE:
            keep = quoted or bool(_WORDS.search(value))
        else:  # _looks_like_prose, whose URL test was just passed
            keep = quoted and bool(_WORDS.search(value))
        if keep:
            kept.append(" ".join(words))
    return kept


# what a key's values are: prose, never prose, or prose if they read as such
_PROSE, _NEVER, _OTHER, _UNKNOWN = "prose", "never", "other", "unknown"
_KINDS: dict[str, str] = {}  # each key as written, once looked up (a tag's keys: 4 a tag)
_MAX_KINDS = 4096


def _key_kind(key: str) -> str:
    """What the values of ``key`` are, looked up by its name (:func:`_key_name`) and kept."""
    name = _key_name(key)
    if name in _PROSE_KEYS:
        kind = _PROSE
    elif name in _NOT_PROSE_KEYS or name.endswith(_NOT_PROSE_ENDINGS):
        kind = _NEVER
    else:
        kind = _OTHER
    if len(_KINDS) >= _MAX_KINDS:
        _KINDS.clear()
    _KINDS[key] = kind
    return kind


def _key_name(key: str) -> str:
    """A parameter's key as it is looked up: ``data-alt-text``, ``alt_text``, ``img.alt``."""
    return key.lower().replace("-", "").replace("_", "").rsplit(".", 1)[-1]


def _unquote(raw: str) -> str:
    inner = raw[1:-1]
    if raw[0] == "`" or "\\" not in inner:
        return inner
    return re.sub(r"\\(.)", r"\1", inner, flags=re.S)


def _looks_like_prose(value: str) -> bool:
    """Words with spaces between them, or text in a script without spaces (CJK): not an id,
    a class name, a number or a file name."""
    return bool(_WORDS.search(value)) and not _urlish(value.strip())


def _urlish(value: str) -> bool:
    """A URL, a path or a file name: never prose."""
    return bool(_URL_START.match(value)) or value[-5:].lower().endswith(_FILE_ENDINGS)


def _escaped(text: str) -> str:
    """Kept prose as Markdown/HTML text: angle brackets must not become tags."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _placed(kept: list[str], match: re.Match[str]) -> str:
    """Kept prose in place of a tag: a paragraph of its own when the tag had a line to itself."""
    if not kept:
        return " "
    text = _escaped(" ".join(kept))
    string, start, end = match.string, match.start(), match.end()
    alone = string[start - 1 : start] in ("", "\n") and string[end : end + 1] in ("", "\n")
    return f"\n\n{text}\n\n" if alone else f" {text} "


# --- Hugo ---------------------------------------------------------------------------------

# Hugo's escape {{</* x */>}} and Liquid's raw blocks: shown to readers as written
_HUGO_ESCAPED = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.S)
_ZOLA_ESCAPED = re.compile(r"\{([{%])/\*(.*?)\*/([}%])\}", re.S)  # {{/* x */}}, {%/* x */%}
_RAW = re.compile(r"\{%-?\s*(raw|verbatim)\s*-?%\}(.*?)\{%-?\s*end\1\s*-?%\}", re.S)
_KEPT = re.compile("\ue000(\\d+)\ue001")  # a span set aside while tags are stripped
_HUGO_CODE = re.compile(
    r"\{\{([<%])-?\s*(highlight|code|codeblock)\b[^}]*?[>%]\}\}(.*?)"
    r"\{\{[<%]-?\s*/\s*\2\s*-?[>%]\}\}",
    re.S | re.I,
)
# Everything up to the first closing "[>%]}}" at once: the plain r"…(.*?)\s*-?[>%]\}\}" tried
# its closing after each character of a long quoted parameter, 40% of reading kaigai-matome's
# posts. The parameters then end where that lazy group ended (:func:`_hugo_params`).
_HUGO_TAG = re.compile(r"\{\{[<%]-?\s*(/)?\s*([\w./-]+)([^>%]*(?:[>%](?!\}\})[^>%]*)*)[>%]\}\}")
_HUGO_EMBEDS = frozenset(
    "youtube vimeo tweet twitter x gist instagram param ref relref rawhtml video audio "
    "bluesky mastodon".split()
)


def _hugo(text: str) -> str:
    if not holds(text, "{{<") and not holds(text, "{{%"):
        return text
    text = _HUGO_CODE.sub(lambda m: _code_html(m, 3), text)
    return _HUGO_TAG.sub(_hugo_tag, text)


def _hugo_tag(match: re.Match[str]) -> str:
    closing, name = match[1], match[2].lower()
    if closing or name in _HUGO_EMBEDS:
        return " "
    return _placed(prose(_hugo_params(match[3]).rstrip("/")), match)


def _hugo_params(inside: str) -> str:
    """What a tag holds between its name and its closing, less the blanks and the one "-"
    (``-}}``, ``- >}}``) that a lazy group would have left to the closing."""
    return (inside[:-1] if inside.endswith("-") else inside).rstrip()


# --- Zola -----------------------------------------------------------------------------------

# Zola's inline shortcode is a call, "{{ name(key=value, …) }}", and its arguments may span
# lines (a note's body often does); Liquid's output tags never have "name(" first
_ZOLA_CALL = re.compile(r"\{\{-?\s*([A-Za-z_]\w*)\s*\(((?:(?!\{\{|\}\}).)*?)\)\s*-?\}\}", re.S)


def _zola(text: str) -> str:
    if not holds(text, "{{") or "(" not in text:
        return text
    return _ZOLA_CALL.sub(_zola_call, text)


def _zola_call(match: re.Match[str]) -> str:
    if match[1].lower() in _HUGO_EMBEDS:  # the same embeds
        return " "
    return _placed(prose(match[2]), match)


# --- Liquid and Nunjucks ------------------------------------------------------------------

_LIQUID_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}", re.S)
_NUNJUCKS_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_LIQUID_HIGHLIGHT = re.compile(
    r"\{%-?\s*highlight\b[^%]*%\}(.*?)\{%-?\s*endhighlight\s*-?%\}", re.S
)
# "{{" is common in code, so output tags stay on one line; a tag may span lines if it has no "%"
_LIQUID_TAG = re.compile(r"\{%-?\s*(\w*)(.*?)-?%\}|\{%-?\s*(\w*)([^%]*)%\}")
_QUOTED = re.compile("[\"']")
_LIQUID_OUTPUT = re.compile(r"\{\{.*?\}\}")
_LIQUID_CONTROL = frozenset(
    "if elsif else endif unless endunless case when endcase for endfor break continue assign "
    "capture endcapture increment decrement cycle tablerow endtablerow raw endraw set endset "
    "macro endmacro import from extends block endblock filter endfilter call endcall with "
    "endwith liquid echo render layout paginate endpaginate link post_url ref youtube vimeo "
    "gist tweet twitter video audio embed".split()
)


def _liquid(text: str) -> str:
    """Liquid/Nunjucks tags out (their prose parameters kept), comments out, highlight blocks
    as literal code."""
    if "{" not in text:
        return text
    if holds(text, "{%"):
        text = _LIQUID_COMMENT.sub(" ", text)
        text = _LIQUID_HIGHLIGHT.sub(lambda m: _code_html(m, 1), text)
        text = _LIQUID_TAG.sub(_liquid_tag, text)
    if holds(text, "{#"):
        text = _NUNJUCKS_COMMENT.sub(" ", text)
    return _LIQUID_OUTPUT.sub("", text) if holds(text, "{{") else text


def _liquid_tag(match: re.Match[str]) -> str:
    name = (match[1] if match[1] is not None else match[3]).lower()
    params = match[2] if match[2] is not None else match[4]
    if name in _LIQUID_CONTROL or name.startswith("end") or not _QUOTED.search(params):
        return ""
    return _placed(prose(params), match)


# --- WordPress ----------------------------------------------------------------------------

# SyntaxHighlighter Evolved's shortcodes: generic ones plus one per language alias
_CODE_NAMES = (
    "sourcecode|source|code|as3|actionscript3|applescript|bash|shell|sh|coldfusion|cf|"
    "clojure|clj|cpp|c|c-sharp|csharp|css|delphi|pas|pascal|diff|patch|erl|erlang|fsharp|go|"
    "golang|groovy|haskell|hs|java|jfx|javafx|js|jscript|javascript|json|latex|tex|matlab|"
    "objc|obj-c|perl|pl|php|plain|text|powershell|ps|posh|python|py|r|splus|ruby|rails|rb|"
    "ror|sass|scss|scala|sql|swift|ts|typescript|vb|vbnet|xml|xhtml|xslt|html|yaml|yml"
)
_EMBED_NAMES = (
    "youtube|vimeo|slideshare|gallery|googlemaps|audio|video|embed|playlist|polldaddy|"
    "soundcloud|dailymotion|flickr|googlevideo|wpvideo|ted|tweet|twitter|instagram|scribd|"
    "spotify|kickstarter|gist"
)
# "[x](url)", "[x][ref]" and "[x]: url" are Markdown, not shortcodes; "[x][/x]" is one, and
# so is "[x][![alt](img)](url)" (a label holds no "[": a converted caption round a linked image)
_NOT_LINK = r"(?![(:]|\[(?![/!]))"
_UNESCAPE = re.compile(rf"\\\[(/?[A-Za-z][\w-]*(?:\s[^\]\n]*?)?)\\?\]{_NOT_LINK}")
_CODE_NAME_SET = frozenset(_CODE_NAMES.split("|"))
_CODE_PAIR = re.compile(
    rf"\[(?<!\]\[)({_CODE_NAMES})(?:\s+[\w-]+\s*=[^\]\n]*?)?\s*\]{_NOT_LINK}(.*?)\[/\1\]",
    re.S | re.I,
)
_EMBED_PAIRED = frozenset(("embed", "audio", "video", "playlist", "gallery"))
_EMBED_PAIR = re.compile(
    rf"\[(?<!\]\[)({'|'.join(_EMBED_PAIRED)})\b[^\]\n]*\]{_NOT_LINK}.*?\[/\1\]", re.S | re.I
)
# an embed's argument is a URL, an id with a digit or attributes: "[embed play]" is a reference
_EMBED_TAG = re.compile(
    rf"\[(?<!\]\[)/?(?:{_EMBED_NAMES})(?:[\s=][^\]\n]*?[\d=/.][^\]\n]*)?\]{_NOT_LINK}", re.I
)
_SC_OPEN = re.compile(rf"\[(?<!\]\[)([A-Za-z][\w-]*)(\s+[\w-]+\s*=[^\]\n]*?)\s*\]{_NOT_LINK}")
_SC_CLOSE = re.compile(r"\[/([A-Za-z][\w-]*)\]")
_BARE_AMP = re.compile(r"&(?!#?\w+;)")


def _code_html(match: re.Match[str], group: int) -> str:
    """A ``<pre>`` block, in place of ``match``, whose code (``match[group]``) stays literal
    text; existing entities are kept as such.

    The block starts and ends a line, as an HTML block must in Markdown, but adds no blank
    line: inside a raw HTML block (``<is-land>…{% highlight %}…</is-land>``) a blank line
    would end that block, and its closing tags, indented, would turn into a code block."""
    code = _BARE_AMP.sub("&amp;", match[group]).replace("<", "&lt;").replace(">", "&gt;")
    text, start, end = match.string, match.start(), match.end()
    line_start = text.rfind("\n", 0, start) + 1
    before = "" if text[line_start:start].strip() == "" else "\n"
    after = "" if text.startswith("\n", end) or end == len(text) else "\n"
    return f"{before}<pre>{code}</pre>{after}"


def _wordpress(text: str) -> str:
    """Keep code and prose attributes (captions, quotes), drop embeds, unwrap the rest."""
    if "[" not in text:
        return text
    if holds(text, "\\["):
        text = _UNESCAPE.sub(r"[\1]", text)
    # a pair's lazy ".*?" scans to the end for every opener: only try names that get closed
    # (found by the closers' opening "[/" alone: asked first, the text was read twice)
    closed = {name.lower() for name in _SC_CLOSE.findall(text)}
    if closed & _CODE_NAME_SET:
        text = _CODE_PAIR.sub(lambda m: _code_html(m, 2), text)
    if closed & _EMBED_PAIRED:
        text = _EMBED_PAIR.sub(" ", text)
    text = _EMBED_TAG.sub(" ", text)
    if "=" in text:
        text = _unwrap_with_attributes(text)
    for name in sorted(closed):  # "[name]…[/name]" with no attributes: keep what is inside
        pair = rf"\[{re.escape(name)}\](.*?)\[/{re.escape(name)}\]"
        text = re.sub(pair, r" \1 ", text, flags=re.S | re.I)
    return text


def _unwrap_with_attributes(text: str) -> str:
    """Drop ``[name attr=…]`` openers, keeping their prose attributes, and their ``[/name]``."""
    opened: set[str] = set()

    def opener(match: re.Match[str]) -> str:
        opened.add(match[1].lower())
        kept = prose(match[2])
        return f" {_escaped(' '.join(kept))} " if kept else " "

    text = _SC_OPEN.sub(opener, text)
    if not opened:
        return text
    return _SC_CLOSE.sub(lambda m: " " if m[1].lower() in opened else m[0], text)


def strip(body: str) -> str:
    """``body`` with every template tag and shortcode replaced by the prose it carries, and
    the tags a post shows as written (Hugo's ``{{</* x */>}}``, Zola's ``{{/* x */}}``, Liquid's
    raw blocks) kept."""
    kept: list[str] = []

    def aside(text: str) -> str:
        kept.append(text)
        return f"\ue000{len(kept) - 1}\ue001"

    escapes = holds(body, "/*")
    if escapes and holds(body, "{{"):
        body = _HUGO_ESCAPED.sub(lambda m: aside(f"{{{{{m[1]}{m[2]}{m[3]}}}}}"), body)
    if escapes and (holds(body, "{{") or holds(body, "{%")):
        body = _ZOLA_ESCAPED.sub(lambda m: aside(f"{{{m[1]}{m[2]}{m[3]}}}"), body)
    # searched for by its opening "{%" alone: asking first whether the body holds "{%", then
    # "raw" or "verbatim", read a kaigai-matome post three times over (its last line is a tag)
    if "{" in body:
        body = _RAW.sub(lambda m: aside(m[2]), body)
    text = _wordpress(_liquid(_zola(_hugo(body))))
    return _KEPT.sub(lambda m: kept[int(m[1])], text) if kept else text
