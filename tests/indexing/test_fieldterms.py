"""The lean index-time analysis gives what Whoosh's ``field.index`` gives, field by field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from conftest import CONTENT, GOLDEN

from searcher.indexing import fieldterms, postings, schema, termstream
from searcher.indexing._whoosh import segbuild, segruns
from searcher.ingest.reader import scan
from searcher.models import Post

TRICKY = (
    "L'été dernier, l'équipe d'Anne a publié 2.7.1 et v3.10.2-rc; c'est aujourd'hui.\n"
    "It's the team's release: don't stop. The state of the art, and then some.\n"
    "脆弱性の報告を受けました。\uff26\uff35\uff2c\uff2c Straße ÉTÉ naïve coöperate ǅ\n"
    "Москва ёлка — Ελληνικά σς ΣΣ; عربيّة; नमस्ते"
)


def _documents() -> list[dict[str, Any]]:
    posts = [p for p in scan([CONTENT, GOLDEN], drafts=True) if isinstance(p, Post)]
    for lang in ("fr", "en", "it", "ja", "ru", "de", None, "xx"):
        posts.append(
            Post(
                path=f"tricky-{lang}.md",
                title="L'été: Straße 2.7.1 脆弱性",
                text=TRICKY,
                lang=lang,
                date=dt.datetime(2020, 1, 2),
                tags=("Été", "c'est"),
            )
        )
    # a word past the pickler's batches of 1,000 (twice, with stop words between), a CJK run
    # whose last characters share a position, stop words in a row and at a text's ends
    long_text = "The word " * 1500 + "of the " * 3 + "ああああ 脆弱脆弱 " + "and again the end of"
    for lang in ("en", "fr", "ja", None):
        posts.append(Post(f"long-{lang}.md", "The the", None, text=long_text, lang=lang))
    return [schema.document(post) for post in posts]


@pytest.mark.parametrize("few", [0, termstream.FEW, 100_000])
def test_every_field_gets_the_postings_whoosh_gives(few: int, monkeypatch: Any) -> None:
    """The project's posts and golden files, and a text of every kind of token (elisions,
    versions, CJK, fullwidth, stop words, accents) in languages with and without stemmers;
    every value analysed as arrays, short ones token by token, or every one token by token."""
    monkeypatch.setattr(termstream, "FEW", few)
    fields = postings._schema()
    for document in _documents():
        for name, value in sorted(document.items()):
            field = fields[name]
            if field.indexed:
                found = list(fieldterms.index(field, value, document))
                assert found == list(field.index(value)), (document[schema.PATH], name)


def _postings(batch: segruns.Batch) -> list[tuple[int, bytes, float, bytes]]:
    """(document, key, weight, value) of each posting of a batch, sorted."""
    docs = np.repeat(np.arange(batch.count), batch.per_doc).tolist()
    ends = np.cumsum(batch.value_sizes.astype(np.int64)).tolist()
    sizes = batch.value_sizes.tolist()
    values = [batch.values[end - size : end] for end, size in zip(ends, sizes, strict=True)]
    keys = [batch.keys[i] for i in batch.terms.tolist()]
    return sorted(zip(docs, keys, batch.weights.tolist(), values, strict=True))


@pytest.mark.parametrize("few", [0, termstream.FEW, 100_000])
def test_a_batch_holds_what_the_writers_builder_makes_of_each_document(
    few: int, monkeypatch: Any
) -> None:
    """``postings.batch`` joins each field's arrays as they are: the same postings, lengths,
    stored fields and columns as ``BatchBuilder`` makes of the documents one by one; CJK
    runs' terms numbered by their codes (every value as arrays), as strings (token by token),
    or both in one batch (a key listed twice)."""
    monkeypatch.setattr(termstream, "FEW", few)
    documents = _documents()
    builder = segbuild.BatchBuilder(postings._schema())
    for document in documents:
        builder.add(postings.prepare(document))
    expected, found = builder.finish(), postings.batch(documents)
    assert _postings(found) == _postings(expected)
    assert found.per_doc.tolist() == expected.per_doc.tolist()
    assert found.count == expected.count
    assert found.stored[0] == expected.stored[0]
    assert found.stored[1].tolist() == expected.stored[1].tolist()
    assert found.columns == expected.columns
    assert {name: (docs.tolist(), lengths.tolist()) for name, (docs, lengths) in
            found.lengths.items()} == {name: (docs.tolist(), lengths.tolist()) for name,
            (docs, lengths) in expected.lengths.items()}  # fmt: skip


def test_a_body_is_matched_once_for_the_body_and_words_fields(monkeypatch: Any) -> None:
    """The token pattern reads a post's body once: the words field reuses the body field's
    matches, even after the place, spellings, terms and title fields were analysed between
    (the spellings field reading its value once, whatever words it holds)."""
    from searcher.indexing import analysis
    from searcher.models import Location

    names = "Zoé Chloé Léa Noël Anaïs Inès Maël Loïc Hélène Jérôme Gaëlle Célia"
    body = "Une équipe a publié 2.7.1 à Paris. " * 40 + f"Avec {names}."
    place = Location(48.85, 2.35, address="Paris, France")
    post = Post("p.md", "Été à Paris", dt.datetime(2020, 1, 2), ("Voyage",), lang="fr",
                locations=(place,), text=body)  # fmt: skip
    read: list[str] = []
    pattern_for = analysis._pattern_for

    class Counted:
        def __init__(self, value: str) -> None:
            self.pattern = pattern_for(value)

        def findall(self, value: str) -> Any:
            read.append(value)
            return self.pattern.findall(value)

        def finditer(self, value: str) -> Any:
            read.append(value)
            return self.pattern.finditer(value)

    monkeypatch.setattr(analysis, "_pattern_for", Counted)
    monkeypatch.setattr(analysis, "_recent", type(analysis._recent)())  # nothing kept yet
    document = schema.document(post)
    assert document[schema.PLACE] and document[schema.TERMS] and document[schema.SPELLINGS]
    postings.batch([document])
    assert read.count(body) == 1
