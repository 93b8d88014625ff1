"""Tests for searcher.ingest.text: each cleaning rule by table, properties, the shared corpora."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.ingest.text import Extracted, extract, little_text

CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
CORPUS_NAMES = ("chamerling", "evert", "ruby-lang", "rust-blog")
Markup = Literal["markdown", "html"]
MARKUPS: tuple[Markup, ...] = ("markdown", "html")


def text_of(body: str, markup: Markup = "markdown") -> str:
    return extract(body, markup).text


# --- Hugo shortcodes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param('{{<quote body="Words in a parameter" user="ann1" createdAt="2025-02-14">}}',
                     "Words in a parameter", id="prose-parameter"),
        pytest.param('{{< quote body="引用された日本語の文" color="#38d3d3" >}}',
                     "引用された日本語の文", id="prose-without-spaces"),
        pytest.param('{{< blockquote author="Ada Lovelace" >}}The engine weaves{{< /blockquote >}}',
                     "Ada Lovelace The engine weaves", id="paired-with-author"),
        pytest.param("{{% note %}}Mind the *gap*{{% /note %}}", "Mind the gap", id="markdown-pair"),
        pytest.param('{{< figure src="/img/a.jpg" width="300" caption="A quiet harbour" >}}',
                     "A quiet harbour", id="figure"),
        pytest.param('{{< details summary="More comments" >}}\nhidden text\n{{< /details >}}',
                     "More comments\nhidden text", id="details"),
        pytest.param("{{< youtube dQw4w9WgXcQ >}}after", "after", id="embed"),
        pytest.param('[back]({{% ref "/posts/" %}})', "back", id="ref-in-a-link"),
        pytest.param('{{< quote body="say \\"hi\\" twice" >}}', 'say "hi" twice', id="escapes"),
        pytest.param('{{< note text="a <b> tag" >}}', "a <b> tag", id="angle-brackets-stay-text"),
        # Hugo's escape: the page shows the shortcode itself (a post about Hugo)
        pytest.param("{{</* figure src=x */>}} is how", "{{< figure src=x >}} is how",
                     id="escaped-shown-as-written"),
        pytest.param('{{%/* note title="t" */%}} too', '{{% note title="t" %}} too',
                     id="escaped-percent"),
        pytest.param("{{< highlight go >}}x := <-ch{{< /highlight >}}", "x := <-ch", id="code"),
        pytest.param('{{< gallery ids="1,2" class="wide" >}}after', "after", id="no-prose"),
    ],
)  # fmt: skip
def test_hugo_shortcodes_keep_their_prose(body: str, expected: str) -> None:
    assert text_of(body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param('{% include figure.html image="a.png" caption="Low tide" %}', "Low tide",
                     id="liquid-include-caption"),
        pytest.param('{% image "cat.jpg", "A cat asleep on a mat" %}', "A cat asleep on a mat",
                     id="nunjucks-shortcode-alt"),
        pytest.param('{% if page.lang == "en" %}Hello{% endif %}', "Hello", id="control"),
        pytest.param('{% assign t = "Some words here" %}Hi', "Hi", id="assign"),
        pytest.param("{# a Nunjucks comment #}shown", "shown", id="nunjucks-comment"),
        pytest.param('{% callout "warning" %}Careful{% endcallout %}', "Careful", id="paired"),
        pytest.param('[pullquote text="Said with feeling"]', "Said with feeling", id="wp-prose"),
        pytest.param('[caption id="attachment_3" align="alignleft" width="300"]x[/caption]', "x",
                     id="wp-no-prose"),
    ],
)  # fmt: skip
def test_template_tags_keep_their_prose(body: str, expected: str) -> None:
    assert text_of(body) == expected


def test_a_body_that_keeps_little_text_is_noticed() -> None:
    body = '<div class="x" data-y="z">' * 200 + "one"
    assert little_text(body, text_of(body, "html")) == (
        "only 0% of the body kept as text (3 of 5,203 characters)"
    )
    prose = "Words of a real post. " * 100
    assert little_text(prose, text_of(prose)) is None
    assert little_text("<p>a</p>" * 10, "a") is None  # too short to judge


# --- Liquid -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "{% highlight ruby %}\nputs 1 < 2 && ok\n{% endhighlight %}",
            "puts 1 < 2 && ok",
            id="highlight-keeps-code",
        ),
        pytest.param("Read [the docs]({% link en/docs.md %}).", "Read the docs.", id="link-tag"),
        pytest.param("Hello {{ site.title }} world", "Hello world", id="output-tag"),
        pytest.param("{%- assign x = 1 -%}kept", "kept", id="whitespace-control"),
        pytest.param("{% raw %}kept{% endraw %}", "kept", id="raw-keeps-content"),
        pytest.param(
            "{% comment %}\nnot for readers\n{% endcomment %}visible", "visible", id="comment"
        ),
        pytest.param(
            '{% include note.html\n  text="a note" %}after', "a note after", id="multi-line-tag"
        ),
    ],
)
def test_liquid(body: str, expected: str) -> None:
    assert text_of(body) == expected


@pytest.mark.parametrize(
    "code",
    [
        '{% highlight "liquid" %}{% raw %}\nURL {{ page.url }}\n{% endraw %}{% endhighlight %}',
        "{{< highlight go >}}\nx := 1\n{{< /highlight >}}",
        "[code]\nx = 1\n[/code]",
    ],
    ids=["liquid", "hugo", "wordpress"],
)
def test_code_block_in_raw_html_keeps_the_text_after_it(code: str) -> None:
    """A highlight inside an HTML block (Eleventy's docs: ``<is-land>`` around an editor)
    adds no blank line: one would end the HTML block, the indented closing tags would become
    a code block, and the unclosed ``<template>`` would hide the rest of the post."""
    body = (
        "Intro.\n\n<is-land on:visible>\n\t<template data-island>\n\t\t<div>\n"
        f"{code}\n\t\t</div>\n\t</template>\n</is-land>\n\n## Next part\n\nThe rest of the post."
    )
    text = text_of(body)
    assert text.startswith("Intro.")
    assert text.endswith("Next part\nThe rest of the post.")
    assert "template" not in text


# --- Zola shortcodes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            'Before {{ note(body="A really insightful note.") }} after.',
            "Before A really insightful note. after.",
            id="inline-call-keeps-its-prose",
        ),
        pytest.param(
            '{{ note(body="\n**Note:** spread\nover lines.\n")}}\n\nNext.',
            "Note: spread over lines.\nNext.",
            id="arguments-over-lines",
        ),
        pytest.param(
            '{{ quote(body="Le temps perdu", author="Marcel Proust") }}',
            "Le temps perdu Marcel Proust",
            id="two-prose-arguments",
        ),
        pytest.param(
            'See {{ youtube(id="ym3y13nA3ew", width=80) }}{{ gif(sources=["a/b.mp4"]) }}.',
            "See .",
            id="embeds-go",
        ),
        pytest.param(
            '{{ figure(src="harbour.jpg", caption="The harbour at dusk") }}',
            "The harbour at dusk",
            id="caption-kept-file-dropped",
        ),
        pytest.param(
            '{% note(title="Heads up") %}\nInside the block.\n{% end %}',
            "Heads up\nInside the block.",
            id="block-call",
        ),
        pytest.param("Sum {{ range(end=3) }} done", "Sum done", id="no-prose-argument"),
        pytest.param(
            'Write {{/* youtube(id="abc") */}} or {%/* note() */%}.',
            'Write {{ youtube(id="abc") }} or {% note() %}.',
            id="escaped-calls-shown-as-written",
        ),
    ],
)
def test_zola_shortcodes_keep_their_prose(body: str, expected: str) -> None:
    """Zola writes a shortcode as a call whose arguments often hold the prose (a note's
    body): it was read as a Liquid output tag and dropped whole, or left as written when its
    arguments spanned lines."""
    assert text_of(body) == expected


# --- WordPress shortcodes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            '[caption id="attachment_7" align="alignleft" width="300"]'
            '<img src="a.png" alt="A lighthouse" /> Lighthouse at dusk[/caption]',
            "A lighthouse Lighthouse at dusk",
            id="caption",
        ),
        pytest.param(
            '[caption id="" align="aligncenter" caption="Harbour view"]'
            '<img src="b.png" />[/caption]',
            "Harbour view",
            id="caption-attribute",
        ),
        pytest.param(
            '\\[caption id="attachment\\_9" align="alignnone"\\]![Boat](boat.png) A red boat'
            "\\[/caption\\]",
            "Boat A red boat",
            id="caption-escaped",
        ),
        pytest.param(  # WordPress to Markdown converters (hexo-migrator-wordpress and such)
            '[caption id="attachment_166" align="aligncenter" width="437" caption="Hosts"]'
            '[![Hosts](http://x.example/h.gif "Hosts")](http://x.example/h.gif)[/caption] Text',
            "Hosts Hosts Text",
            id="caption-round-a-linked-image",
        ),
        pytest.param(
            "[a link][ref] stays\n\n[ref]: http://x.example", "a link stays", id="reference"
        ),
        pytest.param(
            '[tooltip text="a hint"]word[/tooltip] rest',
            "a hint word rest",
            id="generic-with-attributes",
        ),
        pytest.param("[b]bold[/b] and [i]it[/i]", "bold and it", id="generic-pair"),
        pytest.param("[b][i]both[/i][/b]", "both", id="generic-nested"),
    ],
)
def test_wrapping_shortcodes_keep_their_text(body: str, expected: str) -> None:
    assert text_of(body) == expected


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param(
            '[sourcecode language="java"]\nif (a < b && c > d) { s = "<p>"; }\n[/sourcecode]',
            'if (a < b && c > d) { s = "<p>"; }',
            id="sourcecode",
        ),
        pytest.param(
            '[sourcecode language="xml"]\n&lt;dependency&gt;x&lt;/dependency&gt;\n[/sourcecode]',
            "<dependency>x</dependency>",
            id="sourcecode-entities",
        ),
        pytest.param("[code]x = [1, 2]\n*y* = 3[/code]", "x = [1, 2] *y* = 3", id="code"),
        pytest.param('[code lang="php"]$a = "<?php";[/code]', '$a = "<?php";', id="code-attrs"),
        pytest.param("[java]List<String> names;[/java]", "List<String> names;", id="java"),
        pytest.param('[xml]<a href="x">t</a>[/xml]', '<a href="x">t</a>', id="xml"),
        pytest.param('[bash]echo "$HOME" && ls[/bash]', 'echo "$HOME" && ls', id="bash"),
        pytest.param("[python]print(a < b)[/python]", "print(a < b)", id="python"),
        pytest.param(
            '\\[sourcecode language="java"\\]int a = b << 2;\\[/sourcecode\\]',
            "int a = b << 2;",
            id="sourcecode-escaped",
        ),
    ],
)
@pytest.mark.parametrize("markup", MARKUPS)
def test_code_shortcodes_keep_code_as_literal_text(body: str, code: str, markup: Markup) -> None:
    assert text_of(f"Before\n\n{body}\n\nafter", markup) == f"Before\n{code}\nafter"


@pytest.mark.parametrize(
    "shortcode",
    [
        "[youtube https://www.youtube.com/watch?v=abc123]",
        "[youtube=http://www.youtube.com/watch?v=x1]",
        "[vimeo 11621714]",
        "[vimeo http://vimeo.com/11621714 w=500&amp;h=400]",
        "[slideshare id=3344556&doc=talk-110131]",
        "[gallery]",
        '[gallery ids="1,2,3"]',
        "[googlemaps https://maps.google.com/?q=paris&w=400]",
        '[audio mp3="song.mp3"]',
        "[embed]https://example.com/video[/embed]",
        "\\[vimeo 11621714\\]",
        # closed at once, as WordPress's editor writes them: "[x][/x]" is no Markdown link
        '[audio mp3="song.mp3"][/audio]',
        '[video width="640" height="360" mp4="clip.mp4"][/video]',
        "[gallery][/gallery]",
    ],
)
@pytest.mark.parametrize("markup", MARKUPS)
def test_embed_shortcodes_are_dropped(shortcode: str, markup: Markup) -> None:
    assert text_of(f"Before {shortcode} after", markup) == "Before after"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param("See [the site](http://example.com).", "See the site.", id="inline-link"),
        pytest.param("A [text][ref].\n\n[ref]: http://x", "A text.", id="reference-link"),
        pytest.param(
            "[playground][embed play]\n\n[embed play]: http://x", "playground", id="embed-label"
        ),
        pytest.param("Quote [sic] here", "Quote [sic] here", id="sic"),
        pytest.param("See note [1].", "See note [1].", id="footnote-number"),
        pytest.param("Our [code of conduct] applies", "Our [code of conduct] applies", id="prose"),
        pytest.param("make: *** \\[io_buffer.o\\] Error 1", "make: *** [io_buffer.o] Error 1"),
        pytest.param("Links: [/blogdetect](/code)", "Links: /blogdetect", id="closer-as-text"),
    ],
)
def test_markdown_brackets_are_not_shortcodes(body: str, expected: str) -> None:
    assert text_of(body) == expected


# --- HTML to text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "<p>Fish &amp; chips &lt;3 &eacute;t&eacute; &#8217;&nbsp;x</p>",
            "Fish & chips <3 été \u2019 x",
            id="entities",
        ),
        pytest.param("a\xa0\xa0b", "a b", id="nbsp"),
        pytest.param("a\u2003b\u200bc\u3000d\u202fe", "a b c d e", id="unicode-spaces"),
        pytest.param("a\x07b\x1bc\ufeffd", "a b c d", id="controls"),
        pytest.param("co\xadoperate", "cooperate", id="soft-hyphen"),
        pytest.param('<p>A <img src="c.png" alt="sleeping cat"> here</p>', "A sleeping cat here"),
        pytest.param('<img src="m.png" title="Map of Paris">', "Map of Paris", id="img-title"),
        pytest.param('<a href="http://x">the docs</a>', "the docs", id="link-text"),
        pytest.param("un<em>believ</em>able", "unbelievable", id="inline-tags-glue"),
        pytest.param("<p>foo</p><p>bar</p>", "foo\nbar", id="paragraphs"),
        pytest.param("<ul><li>one</li><li>two</li></ul>", "one\ntwo", id="list"),
        pytest.param("a<br>b<br/>c", "a\nb\nc", id="br"),
        pytest.param("<tr><td>x</td><td>y</td></tr>", "x\ny", id="cells"),
        pytest.param("<div>a</div><blockquote>b</blockquote><pre>c</pre>", "a\nb\nc"),
        pytest.param("a<!-- hidden <p>x</p> -->b", "ab", id="comment"),
        pytest.param("line one\r\nline two\r\n\r\npara", "line one line two\npara", id="crlf"),
        pytest.param("<p>a</p>\n\n\n<p>b</p>", "a\nb", id="collapsed-breaks"),
        pytest.param("  padded  \n", "padded", id="stripped"),
    ],
)
def test_html_to_text(body: str, expected: str) -> None:
    assert text_of(body, "html") == expected


@pytest.mark.parametrize(
    "block",
    [
        "<script>alert('hidden')</script>",
        "<script type='text/javascript'>if (a < b) {hidden()}</script>",
        "<style>p { color: hidden }</style>",
        '<svg viewBox="0 0 1 1"><text>hidden</text></svg>',
        "<noscript>hidden</noscript>",
        "<template><p>hidden</p></template>",
        '<iframe src="x">hidden</iframe>',
        "<object data='x'>hidden</object>",
        "<SCRIPT>hidden()</SCRIPT>",
        "<script>hidden() never closed",
    ],
)
@pytest.mark.parametrize("markup", MARKUPS)
def test_dead_blocks_are_dropped(block: str, markup: Markup) -> None:
    assert text_of(f"<p>Before</p>\n\n{block}", markup) == "Before"


def test_code_samples_of_dead_blocks_stay_text() -> None:
    body = "Use:\n\n```html\n<script src='app.js'></script>\n```"
    assert text_of(body) == "Use:\n<script src='app.js'></script>"


def test_markdown_is_rendered() -> None:
    body = "Some *emphasis*,\na soft break.\n\n- item one\n- item two\n\n> quoted"
    assert text_of(body) == "Some emphasis, a soft break.\nitem one\nitem two\nquoted"


def test_kramdown_attribute_lists_go_but_format_strings_stay() -> None:
    body = '![Logo](l.png){: style="float:right" width="80"} [x](y){:.dead-link}\n\n`{:.2}`'
    assert text_of(body) == "Logo x\n{:.2}"


# --- Headings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "markup", "heading"),
    [
        pytest.param("# Title\n\nBody", "markdown", "Title", id="atx"),
        pytest.param("Intro\n\n## Second *level*\n\n# Later", "markdown", "Second level"),
        pytest.param("Title\n=====\n\nBody", "markdown", "Title", id="setext"),
        pytest.param("<p>x</p><h2 id='s'>Sub <em>head</em></h2><h1>b</h1>", "html", "Sub head"),
        pytest.param("<h3>Fish &amp; chips<br>daily</h3>", "html", "Fish & chips daily"),
        pytest.param("Just a paragraph.", "markdown", None, id="none"),
        pytest.param("<h2></h2><p>x</p>", "html", None, id="empty"),
    ],
)
def test_heading(body: str, markup: Markup, heading: str | None) -> None:
    assert extract(body, markup).heading == heading


def test_heading_stays_in_text() -> None:
    assert extract("# Title\n\nBody", "markdown") == Extracted(text="Title\nBody", heading="Title")


def test_unknown_markup_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown markup"):
        extract("x", "rst")  # type: ignore[arg-type]


# --- Properties ---------------------------------------------------------------------------

_PIECES = st.text(max_size=6) | st.sampled_from(
    ["<p>", "</p>", "<h2>", "</h2>", "<script>", "</script>", "<!--", "-->", "[caption ",
     "[/caption]", "[code]", "[/code]", "{%", "%}", "{{", "}}", "&nbsp;", "&#2;", "\x02",
     "\x03", "\x00", "\xa0", "\u200b", "\r\n", "\n\n", "# ", "```", "    ", "<img alt='a'>",
     "\\[", "]", "[", "(", "="]
)  # fmt: skip
_PLAIN = st.text(alphabet="abc xyz.,;!?\n\t", max_size=40)


@settings(max_examples=300, deadline=None)
@given(body=st.lists(_PIECES, max_size=25).map("".join), markup=st.sampled_from(MARKUPS))
def test_never_raises_and_is_normalised(body: str, markup: Markup) -> None:
    extracted = extract(body, markup)
    text = extracted.text
    assert "  " not in text
    assert "\n\n" not in text
    assert text == text.strip(" \n")
    assert " \n" not in text and "\n " not in text
    if extracted.heading is not None:
        assert extracted.heading == extracted.heading.strip() != ""


@settings(max_examples=150, deadline=None)
@given(before=_PLAIN, script=_PLAIN, after=_PLAIN, markup=st.sampled_from(MARKUPS))
def test_script_blocks_never_leak(before: str, script: str, after: str, markup: Markup) -> None:
    text = text_of(f"{before}\n\n<script>evil({script!r})</script>\n\n{after}", markup)
    assert "<script" not in text
    assert "evil" not in text


# --- Shared corpora -----------------------------------------------------------------------


def _bodies() -> list[tuple[str, str]]:
    """Every corpus post's body, front matter cut off crudely at the second fence."""
    bodies = []
    for name in CORPUS_NAMES:
        for path in sorted((CORPORA / name).rglob("*.md")):
            content = path.read_text(encoding="utf-8", errors="replace")
            for fence in ("---", "+++"):
                if content.startswith(fence) and content.count(fence) >= 2:
                    content = content.split(fence, 2)[2]
                    break
            bodies.append((f"{name}/{path.name}", content))
    return bodies


@pytest.mark.corpora
@pytest.mark.skipif(not CORPORA.is_dir(), reason=f"shared corpora not found at {CORPORA}")
def test_corpora_extract_cleanly() -> None:
    leftovers = ("[caption", "[/sourcecode]", "{%", "&nbsp;", "\xa0")
    failures = []
    for name, body in _bodies():
        markups: tuple[Markup, ...] = MARKUPS if name.startswith("chamerling/") else ("markdown",)
        for markup in markups:
            text = text_of(body, markup)
            shown = "".join(m[1] for m in _RAW_BLOCK.finditer(body))  # raw: shown as written
            failures += [f"{name} ({markup}): {bad!r}" for bad in leftovers
                         if text.count(bad) > shown.count(bad)]  # fmt: skip
    assert not failures


_RAW_BLOCK = re.compile(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", re.S)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{% raw %}{{ page.title }} prints it{% endraw %}", "{{ page.title }} prints it"),
        ("<pre>{%- raw -%}\n{% include x.html caption=\"c\" %}\n{%- endraw -%}</pre>",
         '{% include x.html caption="c" %}'),
        ("{% verbatim %}{{ name }}{% endverbatim %} in Nunjucks", "{{ name }} in Nunjucks"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("markup", MARKUPS)
def test_raw_template_text_is_shown_as_written(body: str, expected: str, markup: Markup) -> None:
    """Liquid's raw and Nunjucks' verbatim blocks are what a post about templates shows its
    readers: their tags were dropped as if the site had run them."""
    assert text_of(body, markup) == expected


def test_an_xhtml_post_is_read_without_a_library_warning() -> None:
    """An old XHTML post begins with an XML declaration: BeautifulSoup printed a six-line
    XMLParsedAsHTMLWarning on every scan, index and inspect."""
    import warnings

    body = '<?xml version="1.0" encoding="UTF-8"?>\n<html><body><p>Old words.</p></body></html>'
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert text_of(body, "html") == "Old words."


_PIECES = ("&amp;", "&lt;", "&gt;", "&quot;", "&", "&amp", "&eacute;", "&#8217;", "&#0;",
           "<", "<b>", " ", "\n", "\t", "\r", "\x0c", "\x08", "\x00", "\x02", "\x03", "\xa0",
           "\ufffe", "a", "Été", "東京", "\u200b", "\x85")  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_plain_text_is_read_as_the_parse_tree_reads_it(pieces: list[str]) -> None:
    """A flattened body read without BeautifulSoup gives what its tree gives."""
    from searcher.ingest import text

    html = "".join(pieces)
    assert text._soup_text(html) == text._tree_text(html)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(("&", "amp;", "lt;", "gt;", "quot;", "&amp;", "&lt;", "&gt;",
                                 "&quot;", "&l", "t;", "a", "<", ";", "東"))))  # fmt: skip
def test_gfm_entities_are_decoded_as_four_replaces_in_turn_did(pieces: list[str]) -> None:
    from searcher.ingest import text

    html = "".join(pieces)
    replaced = html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    assert text._plain(html) == replaced.replace("&amp;", "&")


_IMAGES = ('<img src="a.png" alt="An image" />', '<img alt="">', '<img alt="" title="T &amp; t">',
           '<img alt="a" alt="b">', '<img ALT="a">', '<img alt="x=y" title="t">', "<img>",
           '<img alt="&eacute;">', '<img alt=" a\n b "/>', '<img alt="<">', "</img>", "<img ",
           '<img src="x" alt="q"  />', " ", "\n", "\t", " \n ", "\x02", "a", "&amp;", "&",
           "<b>")  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_IMAGES), max_size=10))
def test_images_are_read_as_the_parse_tree_reads_them(pieces: list[str]) -> None:
    """A flattened body holding GFM's images, read without BeautifulSoup, gives what its
    tree gives (blanks between images included)."""
    from searcher.ingest import text

    html = "".join(pieces)
    assert text._soup_text(html) == text._tree_text(html)


def test_a_body_with_only_images_for_markup_needs_no_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    from searcher.ingest import text

    def no_tree(html: str) -> str:
        raise AssertionError(f"parsed as a tree: {html!r}")

    monkeypatch.setattr(text, "_tree_text", no_tree)
    body = 'Before.\n\n![A *red* door](door.jpg "The door")\n\nAfter &amp; done.'
    assert text_of(body, "markdown") == "Before.\nA red door\nAfter & done."


_BRANCHED_NOT_PLAIN = re.compile(
    "[<\r\x00\x01\x04-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]|&(?!(?:lt|gt|quot|amp);)"
)


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(st.sampled_from((*_PIECES, "&lt", "&quot", "amp;", "&&amp;", "<img>")), max_size=12)
)
def test_not_plain_finds_what_the_branched_pattern_found(pieces: list[str]) -> None:
    from searcher.ingest import text

    html = "".join(pieces)
    found = [m.span() for m in text._NOT_PLAIN.finditer(html)]
    assert found == [m.span() for m in _BRANCHED_NOT_PLAIN.finditer(html)]


def test_footnotes_read_as_hugo_and_kramdown_render_them() -> None:
    body = (
        "Being helped[^1] by the compiler, twice[^1], and by a note[^lint].\n\n"
        "[^1]: The compiler is *kind*.\n"
        "[^lint]: <https://example.org/lints>\n"
    )
    text = extract(body, "markdown").text
    assert text.startswith("Being helped by the compiler, twice, and by a note.")
    assert "The compiler is kind." in text
    assert "https://example.org/lints" in text  # not taken for a link definition and lost
    assert "[^" not in text and "↩" not in text


@pytest.mark.parametrize(
    "body",
    [
        "Body text.\n\n[^orphan]: a note nothing points to\n",
        "Body[^other] text.\n\n[^orphan]: a note nothing points to\n",
    ],
)
def test_a_note_nothing_points_to_keeps_its_words(body: str) -> None:
    """cmark renders only the notes a reference points to: such a body is read without
    footnotes rather than lose the note."""
    assert "a note nothing points to" in extract(body, "markdown").text


def test_first_letters_let_through_every_tag_a_name_can_begin() -> None:
    """Case-insensitive names begin with letters that case-fold (U+017F, long s, is ``s``;
    U+0131, dotless i, is ``i``): the class put before the names lets through every
    character that any name's first letter matches, and only the inline names' letters where
    case counts (no character beyond the Basic Multilingual Plane folds to a Latin letter)."""
    from searcher.ingest import text

    chars = "".join(map(chr, range(0x10000)))
    for names, flags in ((text._DEAD_NAMES, "(?i:{})"), (text._INLINE_NAMES, "{}")):
        letters = re.compile(flags.format(text._first_letters(names)))
        for name in names.split("|"):
            first = re.compile(flags.format(re.escape(name[0])))
            assert set(first.findall(chars)) <= set(letters.findall(chars)), name


_TAGS = ("<", "</", ">", "/>", " ", "a", "b", "br", "span", "SPAN", "Span", "script",
         "SCR\u0130PT", "\u017fcript", "\u0131frame", "svg", "p", "li", "img", '="x>"', "'", "\n",
         "x", "<!-- -->")  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_TAGS), max_size=14))
def test_tag_passes_remove_what_the_plain_alternations_removed(pieces: list[str]) -> None:
    from searcher.ingest import text

    html = "".join(pieces)
    dead = re.compile(
        rf"<((?i:{text._DEAD_NAMES}))(?=[\s/>]){text._ATTRS}(?<!/)>.*?(?:</(?i:\1)\s*>|\Z)",
        re.S,
    )
    names = text._INLINE_NAMES
    inline = re.compile(rf"</?(?:{names}|{names.upper()})(?=[\s/>]){text._ATTRS}/?>")
    assert text._DEAD_BLOCK.sub(" ", html) == dead.sub(" ", html)
    assert text._INLINE_TAG.sub("", html) == inline.sub("", html)


@pytest.mark.parametrize(
    ("body", "text", "heading"),
    [
        (
            "<html><head><title>A page &amp; more</title><meta charset='utf-8'></head>"
            "<body><h1>Inside</h1><p>Words.</p></body></html>",
            "Inside\nWords.",
            "A page & more",
        ),
        (  # SVG's <title> is the drawing's, in the body: not the page's name
            "<h2>Map</h2><svg><title>Route</title><path d='M0 0'/></svg><p>Words.</p>",
            "Map\nWords.",
            "Map",
        ),
        ("<TITLE>Stray</TITLE><p>No head round it.</p>", "Stray\nNo head round it.", None),
        (  # tags in any case, as old editors wrote them
            "<Html><Head><Title>Mixed Case</Title></Head><Body><P>Words.</P></Body></Html>",
            "Words.",
            "Mixed Case",
        ),
    ],
)
def test_a_whole_html_document_is_named_by_its_title(
    body: str, text: str, heading: str | None
) -> None:
    extracted = extract(body, "html")
    assert (extracted.text, extracted.heading) == (text, heading)
