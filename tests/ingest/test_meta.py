from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from conftest import GOLDEN
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.ingest import meta


def reasons(fm: meta.FrontMatter) -> list[str]:
    return [w.reason for w in fm.warnings]


@pytest.mark.parametrize(
    ("text", "kind", "data"),
    [
        ("---\ntitle: A\n---\nbody", "yaml", {"title": "A"}),
        (
            '+++\ntitle = "A"\n[extra]\nlat = 1.5\n+++\nbody',
            "toml",
            {"title": "A", "extra": {"lat": 1.5}},
        ),
        ('{\n"title": "A", "tags": ["x"]\n}\nbody', "json", {"title": "A", "tags": ["x"]}),
        ('{"title": "A", "tags": ["x"]}\nbody', "json", {"title": "A", "tags": ["x"]}),  # Hugo
        ('{ "title": "A",\n  "tags": ["x"] }\n\nbody', "json", {"title": "A", "tags": ["x"]}),
        ("{% include note.html %}\nbody", "none", {}),  # Liquid, not an object
        ("no front matter\n", "none", {}),
        ("---\n---\nbody", "yaml", {}),
        ("---\ntitle: A\n...\nbody", "yaml", {"title": "A"}),  # YAML's end, as Jekyll takes it
        ("\n\n---\ntitle: A\n---\nbody", "yaml", {"title": "A"}),  # blank lines first (Hugo)
        (' \n+++\ntitle = "A"\n+++\nbody', "toml", {"title": "A"}),
    ],
)
def test_formats(text: str, kind: str, data: dict[str, object]) -> None:
    fm = meta.parse(text)
    assert (fm.kind, fm.data, fm.warnings) == (kind, data, ())
    assert fm.body.strip() in ("body", "no front matter", "{% include note.html %}\nbody")


@pytest.mark.parametrize(
    ("text", "data", "body"),
    [
        (
            "title: A\ntags:\n- x\n---\nbody\n---\nmore",
            {"title": "A", "tags": ["x"]},
            "body\n---\nmore",
        ),
        ("Date: 2015-10-15\n---\nbody", {"Date": dt.date(2015, 10, 15)}, "body"),
        ("Note: moved.\n\n---\n\nbody", {}, None),  # prose, then a rule
        ("title: A\nbody without a closing line", {}, None),
        ("title: [broken\n---\nbody", {}, None),
    ],
)
def test_hexo_front_matter_without_its_opening_fence(
    text: str, data: dict[str, object], body: str | None
) -> None:
    """Hexo 3's scaffolds wrote ``title: …`` lines and one ``---`` under them: front matter
    when it reads as a mapping naming a title or date, else the text is all body."""
    fm = meta.parse(text)
    assert (fm.kind, fm.data, fm.body, fm.warnings) == (
        "yaml" if data else "none",
        data,
        text if body is None else body,
        (),
    )


def test_yes_no_stay_strings_but_true_false_are_booleans() -> None:
    fm = meta.parse("---\ntitle: yes\npublished: false\nlang: no\n---\n")
    assert fm.data == {"title": "yes", "published": False, "lang": "no"}


def test_unknown_tags_kept_as_plain_values() -> None:
    fm = meta.parse("---\nx: !ruby/object:Foo\n  a: 1\nc: ! 'q'\n---\n")
    assert fm.data == {"x": {"a": 1}, "c": "q"}
    assert fm.warnings == ()


def test_binary_values_are_decoded() -> None:
    """Old exporters wrote dates and titles as base64 (``!binary``): they are read as text."""
    fm = meta.parse(
        "---\ndate: !binary |-\n  MjAxMS0wMy0wMSAxMDowMDowMA==\nb: !!binary aGk=\n"
        "c: !binary |\n  //79\n---\n"
    )
    assert fm.data == {"date": "2011-03-01 10:00:00", "b": "hi", "c": "//79\n"}  # c: not UTF-8
    assert fm.warnings == ()


def test_duplicate_keys_warn_and_keep_last() -> None:
    fm = meta.parse("---\ntitle: one\ntitle: two\n---\n")
    assert fm.data["title"] == "two"
    assert reasons(fm) == ["duplicate-keys"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '---\ntitle: "unterminated\ndate: 2011-03-01\ntags:\n- a\n- b\n---\n',
            {"date": dt.date(2011, 3, 1), "tags": ["a", "b"]},
        ),
        ('---\ntitle: A "quoted" word\nfoo: [bar\n---\n', {"title": 'A "quoted" word'}),
        ('+++\ntitle = "T"\nbroken = \n+++\n', {"title": "T"}),
        ('{\n"title": "J",\n"tags": ["a"],\n}\n', {"title": "J", "tags": ["a"]}),
        # JSON written by hand: trailing commas, single quotes, bare keys (YAML's flow style)
        ('{\n"title": "J",\n"tags": ["a", "b",],\n}\n', {"title": "J", "tags": ["a", "b"]}),
        ("{\ntitle: 'J', tags: ['a', 'b']\n}\n", {"title": "J", "tags": ["a", "b"]}),
        (
            '{\n"title": "J", // a comment\n"tags": ["a", "b",]\n}\n',
            {"title": "J", "tags": ["a", "b"]},
        ),
    ],
)
def test_broken_front_matter_is_salvaged(text: str, expected: dict[str, object]) -> None:
    fm = meta.parse(text)
    assert "front-matter" in reasons(fm)
    for key, value in expected.items():
        assert fm.data[key] == value


def test_control_characters_removed_with_warning() -> None:
    fm = meta.parse("---\ntitle: a\x07b\n---\n")
    assert fm.data == {"title": "ab"}
    assert reasons(fm) == ["control-characters"]


def test_unterminated_block_keeps_the_whole_text_as_body() -> None:
    fm = meta.parse("---\ntitle: x\nno end")
    assert fm.kind == "none" and "no end" in fm.body and reasons(fm) == ["front-matter"]


@settings(max_examples=300)
@given(
    st.text(),
    st.sampled_from(["---\n", "+++\n", "{\n"]),
    st.sampled_from(["---\n", "+++\n", "}\n"]),
)
def test_never_raises(inner: str, start: str, end: str) -> None:
    fm = meta.parse(start + inner + "\n" + end + "body")
    assert isinstance(fm.data, dict)
    assert all(isinstance(k, str) for k in fm.data)


@pytest.mark.parametrize("value", ["2011-02-30", "2011-02-29 10:00:00", "2019-13-01", "0000-00-00"])
def test_an_impossible_date_is_a_string_not_a_broken_front_matter(value: str) -> None:
    """YAML's timestamp resolver raised on ``2011-02-30`` (anywhere, even ``updated:``) and the
    whole front matter was salvaged line by line: nested places and flags were lost."""
    fm = meta.parse(f"---\ntitle: T\nupdated: {value}\nmeta:\n  geo_public: '0'\n---\n")
    assert fm.data == {"title": "T", "updated": value, "meta": {"geo_public": "0"}}
    assert fm.warnings == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a broken line, then a nested map: its keys are kept in their map
            "---\ntitle: 'unterminated\ngeo_latitude: 43.48\nmeta:\n  geo_public: '0'\n"
            "  deeper:\n    key: v\nafter: 1\n---\n",
            {"geo_latitude": 43.48, "meta": {"geo_public": "0", "deeper": {"key": "v"}},
             "after": 1},
        ),
        (  # lists of one-key maps and of items, at the key's indentation or deeper
            "---\nbad: [x\nmeta:\n- geo_latitude: '50.9'\n- geo_longitude: '6.9'\n"
            "tags:\n  - a\n  - b\nloc:\n  - name: Bonn\n    lat: 50.7\n---\n",
            {"meta": [{"geo_latitude": "50.9"}, {"geo_longitude": "6.9"}], "tags": ["a", "b"],
             "loc": [{"name": "Bonn", "lat": 50.7}]},
        ),
    ],
)  # fmt: skip
def test_salvage_keeps_nested_keys_where_they_were(text: str, expected: dict[str, object]) -> None:
    """A privacy flag nested under a map (``meta: geo_public: '0'``) beside top-level
    coordinates was dropped by the salvage: the place became public."""
    fm = meta.parse(text)
    assert "front-matter" in reasons(fm)
    for key, value in expected.items():
        assert fm.data[key] == value


@pytest.mark.parametrize(
    ("written", "title"),
    [("12.50", "12.50"), ("true", "true"), ("0x1A", "0x1A"), ("010", "010"), ("1_000", "1_000"),
     ("2011-03-01", "2011-03-01"), ("1e3", "1e3"), ("'quoted 12.50'", "quoted 12.50")],
)  # fmt: skip
def test_a_title_is_kept_as_written_not_as_yaml_types_it(written: str, title: str) -> None:
    """'title: 12.50' was shown as 12.5 and 'title: true' as True: YAML typed them."""
    fm = meta.parse(f"---\ntitle: {written}\nslug: {written}\nn: 12.50\npermalink: false\n---\n")
    assert fm.data["title"] == title and fm.data["slug"] == title
    assert fm.data["n"] == 12.5 and fm.data["permalink"] is False


# --- the alias and depth guard: walked only when the text can need it ---------------------


def _outcome(check: Any, raw: str) -> str | None:
    loader = meta._Loader(raw)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    try:
        check(node) if node is not None else None
    except ValueError as error:
        return str(error)
    return None


def _nested(depth: int, style: str) -> str:
    inner = "x"
    for level in range(depth):
        if style == "flow":
            inner = f"[{inner}]" if level % 2 else f"{{k: {inner}}}"
        elif style == "pairs":
            inner = f"[k: {inner}]"
    if style == "block":
        return "".join(f"{'  ' * level}k{level}:\n" for level in range(depth)) + "  " * depth + "x"
    if style == "compact":
        return "- " * depth + "x"
    if style == "keys":
        return "? " * depth + "x"
    return f"a: {inner}"


@pytest.mark.parametrize(
    ("style", "depth"),
    [
        (style, depth)
        for style in ("flow", "pairs", "block", "compact", "keys")
        for depth in (3, 63, 64, 65, 66, 200)
    ],
)
def test_nesting_without_aliases_is_refused_as_before(style: str, depth: int) -> None:
    raw = _nested(depth, style)
    assert "*" not in raw
    expected = _outcome(meta._check_expansion, raw)
    assert _outcome(lambda node: meta._guard(raw, node), raw) == expected
    if depth in (3, 200):
        assert (expected is not None) == (depth == 200)
    parsed = meta.parse(f"---\n{raw}\n---\nbody")
    refused = [w.message for w in parsed.warnings if "nested more than" in w.message]
    assert bool(refused) == (expected is not None)


def test_keys_that_are_mappings_stay_small() -> None:
    """A key that is itself a mapping is read as text: bounded, else "? ? ? … x" (80 bytes)
    doubled at each level and hung the indexer."""
    parsed = meta.parse(f"---\n{'? ' * 60}x\ntitle: T\n---\nbody")
    assert parsed.data["title"] == "T"
    assert all(len(str(key)) <= 200 for key in parsed.data)


def _yaml_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.integers(), st.text("ab-:?[{ #'\"", max_size=6), st.booleans())
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.text("kx", max_size=2), inner, max_size=3)
        ),
        max_leaves=200,
    )


@settings(max_examples=300, deadline=None)
@given(_yaml_values(), st.booleans())
def test_guard_refuses_exactly_what_the_whole_walk_refused(value: Any, flow: bool) -> None:
    import yaml

    raw = yaml.safe_dump({"v": value}, default_flow_style=flow, allow_unicode=True)
    assert "*" not in raw
    assert _outcome(lambda node: meta._guard(raw, node), raw) == _outcome(
        meta._check_expansion, raw
    )


# --- the pure-Python YAML parser, where PyYAML has no libyaml -----------------------------

_FRONT_MATTER = [
    "---\ntitle: 12.50\ndate: 2011-03-01 10:00:00 +0100\ntags: [a, b]\n---\nbody",
    "---\ntitle: ! 'Quoted'\nmeta:\n  geo_latitude: '50.9'\n  geo_public: '0'\n---\n",
    "---\nphoto: !binary |\n  SGVsbG8=\nother: !!binary aGk=\n---\n",
    "---\ntitle: A\ntitle: B\n---\n",
    "---\ndate: 2011-02-30\nwhen: 2019-01-03 15:51:41 UTC\n---\n",
    "---\nyes: no\non: off\ndraft: True\n---\n",
    "---\nbase: &b {a: 1}\nx: *b\ny:\n  <<: *b\n  c: 2\n---\n",
    "---\nlist:\n- a\n- - b\n  - c\n? [complex, key]\n: value\n---\n",
    "---\ntext: |\n  two\n  lines\nfolded: >\n  one\n  line\n---\n",
    "---\nunicode: \"caf\\u00e9 \\U0001F600\"\n---\n",
    "---\n" + _nested(70, "flow") + "\n---\n",
    "---\n" + "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
              for p, c in zip("abcdefgh", "bcdefghi", strict=True)) + "---\n",
    "---\nself: &s [*s]\n---\n",
    "---\ntitle: [unclosed\nlocation: Paris\nmeta:\n  geo_public: '0'\n---\n",
    "---\n\tindented: with a tab\n---\n",
    "---\njust a string\n---\n",
]  # fmt: skip


def _parsed(texts: list[str]) -> list[str]:
    """What meta.parse makes of each text, the parser's own words for a failure left out."""
    found = []
    for text in texts:
        fm = meta.parse(text)
        notes = [(w.reason, w.message.split(" (")[0]) for w in fm.warnings]
        found.append(repr((fm.data, fm.body, fm.kind, notes)))
    return found


def test_front_matter_reads_the_same_without_libyaml() -> None:
    import json
    import subprocess
    import sys

    texts = _FRONT_MATTER + [
        path.read_text(encoding="utf-8", errors="replace") for path in sorted(GOLDEN.glob("*.md"))
    ]
    script = (
        "import json, sys, yaml\n"
        "del yaml.CSafeLoader  # as PyYAML is without libyaml\n"
        "sys.path[:0] = sys.argv[1:]\n"
        "from test_meta import _parsed\n"
        "from searcher.ingest import meta\n"
        "assert meta._Loader.__mro__[1] is yaml.SafeLoader, meta._Loader.__mro__\n"
        "print(json.dumps(_parsed(json.loads(sys.stdin.read()))))\n"
    )
    here = Path(__file__).parent
    run = subprocess.run(
        [sys.executable, "-c", script, str(here), str(here.parent)],
        input=json.dumps(texts), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert meta._Loader.__mro__[1].__name__ == "CSafeLoader"
    assert json.loads(run.stdout) == _parsed(texts)


def test_a_lone_surrogate_escape_never_breaks_either_parser() -> None:
    """libyaml refuses ``"\\ud800"`` (the front matter is salvaged line by line) where the
    pure-Python parser reads it (and the tidying replaces it): both keep every key and warn."""
    import yaml

    text = '---\ntitle: "caf\\u00e9"\nodd: "\\ud800"\n---\nbody'
    pure = type("PureLoader", (yaml.SafeLoader,), dict(vars(meta._Loader)))
    for loader in (meta._Loader, pure):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(meta, "_Loader", loader)
            fm = meta.parse(text)
        assert fm.data["title"] == "café" and "odd" in fm.data
        assert "front-matter" in reasons(fm) and fm.body.strip() == "body"


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ('---js\nconst title = "Harbour";\nconst date = "2023-01-23";\nconst draft = true;\n'
         "---\nbody", {"title": "Harbour", "date": "2023-01-23", "draft": True}),
        ("---javascript\n{\n  title: 'Old form', tags: ['a', \"b\",], order: -2,\n}\n---\nbody",
         {"title": "Old form", "tags": ["a", "b"], "order": -2}),
        ('---js\nmodule.exports = { title: "M", date: new Date("2020-02-02") }\n---\nbody',
         {"title": "M", "date": "2020-02-02"}),  # a date string, as fields read it
        ('---js\nexport const title = "E"\nconst nav = { key: "About", order: 3 }\n---\nbody',
         {"title": "E", "nav": {"key": "About", "order": 3}}),
        ('---json\n{"title": "J"}\n---\nbody', {"title": "J"}),
        ("---toml\ntitle = 'T'\n---\nbody", {"title": "T"}),
    ],
)  # fmt: skip
def test_a_fence_that_names_its_language(text: str, data: dict[str, object]) -> None:
    """gray-matter's ---json/---toml/---yaml and Eleventy's JavaScript front matter: the
    values written as literals are read without running anything, the block is never text."""
    fm = meta.parse(text)
    assert (fm.data, fm.warnings, fm.body.strip()) == (data, (), "body")


def test_javascript_that_only_running_it_gives_is_left_out_by_name() -> None:
    text = ('---js\nconst title = "Kept"\nconst when = lookup()\n'
            "const eleventyComputed = { url: (data) => `/${data.slug}/` }\n---\nbody")  # fmt: skip
    fm = meta.parse(text)
    assert fm.data == {"title": "Kept", "eleventyComputed": {}}
    messages = [w.message for w in fm.warnings]
    assert any("when is code" in m for m in messages)
    assert any("url is code" in m for m in messages)
    assert fm.body.strip() == "body"


def test_a_language_we_do_not_read_keeps_the_whole_text() -> None:
    fm = meta.parse("---coffee\ntitle = 'x'\n---\nbody")
    assert fm.body.startswith("---coffee") and fm.data == {} and reasons(fm) == ["front-matter"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("{}[]()=;,:.'\"`$\\/*-+ \nabc01")), max_size=80))
def test_javascript_front_matter_never_raises(inner: str) -> None:
    fm = meta.parse(f"---js\nconst a = {inner}\n---\nbody")
    assert isinstance(fm.data, dict) and fm.body.strip() == "body"


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: Hello\ntags: [a, b]\nlang: de\n---\n",
        "---\na: &x text\nb: *x\nc: !!str 12\nd: '12'\ne: 12\nf: |\n  two\n  lines\n---\n",
        "---\nmeta:\n  geo_latitude: '43.4'\n  k: !custom v\n? [x, y]\n: z\n---\n",
        "---\nwhen: 2011-03-01\nok: true\nnothing:\n'quoted key': \"v\"\n---\n",
    ],
)
def test_text_scalars_read_as_the_constructor_reads_them(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    assert meta._Loader.yaml_constructors[meta._STR] is yaml.SafeLoader.construct_yaml_str
    fast = meta.parse(text)
    monkeypatch.setattr(
        meta, "_construct", lambda loader, node: loader.construct_object(node, deep=True)
    )
    plain = meta.parse(text)
    assert repr((fast.data, fast.warnings)) == repr((plain.data, plain.warnings))
