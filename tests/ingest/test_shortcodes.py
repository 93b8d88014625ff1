from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.ingest import shortcodes

# --- Hugo's tag pattern, one pass to its closing, matches as the lazy one did -----------------

_LAZY_HUGO_TAG = re.compile(r"\{\{[<%]-?\s*(/)?\s*([\w./-]+)(.*?)\s*-?[>%]\}\}", re.S)
_TAGGY = st.lists(
    st.sampled_from(
        ["{{<", "{{%", ">}}", "%}}", "-}}", "{", "}", "<", ">", "%", "-", "/", " ", "\n", "\t",
         "\u3000", "a", "é", "日", ".", '"', "'", "=", "x y", 'body="a b"', "-->}}", "}}}"]
    ),
    max_size=40,
).map("".join)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(_TAGGY)
def test_hugo_tag_pattern_matches_as_the_lazy_one(text: str) -> None:
    found = [
        (m.span(), m[1], m[2], shortcodes._hugo_params(m[3]))
        for m in shortcodes._HUGO_TAG.finditer(text)
    ]
    assert found == [(m.span(), m[1], m[2], m[3]) for m in _LAZY_HUGO_TAG.finditer(text)]


# --- prose: keys that never hold prose are passed by first --------------------------------------


def _prose_as_before(params: str) -> list[str]:
    """:func:`shortcodes.prose` as it was written first: every value unquoted and tested."""
    kept = []
    for match in shortcodes._PARAM.finditer(params):
        key, raw = match[1], match[2]
        quoted = raw[:1] in "\"'`"
        value = shortcodes._unquote(raw) if quoted else raw
        if not value.strip() or shortcodes._urlish(value.strip()):
            continue
        if key is None:
            keep = quoted and shortcodes._looks_like_prose(value)
        else:
            name = key.lower().replace("-", "").replace("_", "").rsplit(".", 1)[-1]
            if name in shortcodes._PROSE_KEYS:
                keep = quoted or bool(shortcodes._WORDS.search(value))
            elif name in shortcodes._NOT_PROSE_KEYS or name.endswith(shortcodes._NOT_PROSE_ENDINGS):
                keep = False
            else:
                keep = quoted and shortcodes._looks_like_prose(value)
        if keep:
            kept.append(" ".join(value.split()))
    return kept


_PARAMS = st.lists(
    st.sampled_from(
        ["title", "Alt_Text", "img.alt", "userName", "createdAt", "color", "note", "x", "src",
         "=", " = ", " ", "\n", "\u3000", '"', "'", "`", "\\", "\\\"", ",", "a b", "日本語",
         "http://x.org", "/a.png", "a.JPG", "12", "#fff", "Two words", "-", "."]
    ),
    max_size=30,
).map("".join)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(_PARAMS)
def test_prose_keeps_what_testing_every_value_kept(params: str) -> None:
    assert shortcodes.prose(params) == _prose_as_before(params)


@settings(max_examples=3000, deadline=None)
@given(_PARAMS.map(lambda params: params.replace("\\", "")))
def test_plain_parameter_pattern_matches_as_the_escaping_one_without_backslashes(
    params: str,
) -> None:
    assert [m.groups() for m in shortcodes._PLAIN_PARAM.finditer(params)] == [
        m.groups() for m in shortcodes._PARAM.finditer(params)
    ]


def test_prose_of_a_comment_tag() -> None:
    params = 'body="Deux mots  ici" userName="a b" createdAt="2025-02-07" color="#38d3d3"'
    assert shortcodes.prose(params) == ["Deux mots ici"]
