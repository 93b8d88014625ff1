"""The lean index-time analysis gives what Whoosh's ``field.index`` gives, field by field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conftest import CONTENT, GOLDEN

from searcher.indexing import fieldterms, postings, schema
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
    return [schema.document(post) for post in posts]


def test_every_field_gets_the_postings_whoosh_gives() -> None:
    """The project's posts and golden files, and a text of every kind of token (elisions,
    versions, CJK, fullwidth, stop words, accents) in languages with and without stemmers."""
    fields = postings._schema()
    for document in _documents():
        for name, value in sorted(document.items()):
            field = fields[name]
            if field.indexed:
                found = list(fieldterms.index(field, value, document))
                assert found == list(field.index(value)), (document[schema.PATH], name)
