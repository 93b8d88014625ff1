"""Text and place together: centres, radii, boxes, polygons, near: clauses and sort orders."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, build_index, paths

import searcher
from searcher.errors import QuerySyntaxError, UsageError
from searcher.geo import haversine_km, shapes

CLOUD = "_posts/2011-03-01-cloud-paris.md"
SETE = "_posts/2011-03-12-sete-le-quai-au-matin.html"
MONTPELLIER = "posts/compteurs-velo-montpellier/index.md"
BERLIN = "_posts/2018-09-14-mit-dem-rad-am-mauerweg.md"
MUNICH = "_posts/2010-06-24-biergarten-am-chinesischen-turm.md"
FERRY = "posts/ferry-across-the-date-line/index.md"
SVALBARD = "posts/field-notes-from-longyearbyen.md"


@pytest.mark.parametrize(
    "near",
    [(43.6109, 3.8763), "43.6109,3.8763", "Montpellier", "montpellier, fr", "Montpellier (FR)"],
)
def test_centre_as_coordinates_or_place(owner: searcher.Index, near: object) -> None:
    results = owner.search(near=near, radius_km="30km")
    assert paths(results) == [MONTPELLIER, CLOUD, SETE]
    assert [h.distance_km for h in results.hits] == sorted(h.distance_km or 0 for h in results.hits)


def test_query_string_near_clause_equals_options(owner: searcher.Index) -> None:
    by_clause = owner.search("near:Montpellier~30km")
    by_option = owner.search(near="Montpellier", radius_km=30)
    assert paths(by_clause) == paths(by_option) and by_clause.center == by_option.center
    assert by_clause.center is not None and by_clause.center[2] == "Montpellier, FR"
    assert paths(owner.search("cloud near:43.61,3.88~30km")) == [CLOUD]
    assert paths(owner.search('cloud near:"Paris, US"'))[0] == CLOUD  # no radius: all, ranked


@pytest.mark.parametrize(
    ("radius", "count"), [("500m", 1), ("5mi", 1), (10, 1), ("25km", 2), ("28km", 3)]
)
def test_radius_units(owner: searcher.Index, radius: object, count: int) -> None:
    assert owner.search(near="Montpellier", radius_km=radius).total == count


def test_text_with_distance_sort_and_relevance_sort(owner: searcher.Index) -> None:
    by_distance = owner.search(
        "date:[2000 TO 2030]", near=(52.52, 13.40), sort="distance", limit=20
    )
    distances = [h.distance_km for h in by_distance.hits]
    assert distances == sorted(d for d in distances if d is not None)
    assert by_distance.hits[0].path == BERLIN
    by_relevance = owner.search("Biergarten", near=(52.52, 13.40))
    assert by_relevance.hits[0].path == MUNICH and by_relevance.hits[0].distance_km is not None
    assert (
        abs(by_relevance.hits[0].distance_km - haversine_km(52.52, 13.40, 48.1527, 11.5918)) < 0.001
    )


def test_date_sorts(owner: searcher.Index) -> None:
    newest = owner.search("date:[2000 TO 2030]", sort="date", limit=20)
    oldest = owner.search("date:[2000 TO 2030]", sort="date-asc", limit=20)
    dates = [h.date for h in newest.hits]
    assert dates == sorted(dates, reverse=True) and paths(oldest) == paths(newest)[::-1]


def test_bbox_including_across_the_antimeridian(owner: searcher.Index) -> None:
    assert paths(owner.search(bbox="43,3,44,4.5", sort="date")) == [MONTPELLIER, SETE, CLOUD]
    assert paths(owner.search(bbox="-20,179,-15,-179", sort="date")) == [FERRY]
    assert paths(owner.search(bbox="-20,-179,-15,179", sort="date")) == []  # W < E: no wrap


def test_within_polygons(owner: searcher.Index) -> None:
    herault = shapes.load(FIXTURES / "herault.geojson")
    assert sorted(paths(owner.search(within=herault, sort="date"))) == sorted(
        [CLOUD, SETE, MONTPELLIER]
    )
    two_cities = shapes.load(FIXTURES / "berlin-munich.wkt")
    assert sorted(paths(owner.search("date:[2000 TO 2030]", within=two_cities))) == sorted(
        [BERLIN, MUNICH]
    )


def test_combined_filters_intersect(owner: searcher.Index) -> None:
    herault = shapes.load(FIXTURES / "herault.geojson")
    results = owner.search(
        "vélo", near="Montpellier", radius_km=50, bbox="43,3,44,5", within=herault
    )
    assert paths(results) == [MONTPELLIER]


def test_near_the_pole(owner: searcher.Index) -> None:
    hit = owner.near(89.9, -120, limit=1).hits[0]
    assert hit.path == SVALBARD and hit.distance_km is not None
    assert abs(hit.distance_km - haversine_km(89.9, -120, 78.2232, 15.6267)) < 0.001


def test_public_never_filters_or_sorts_by_private_points(public: searcher.Index) -> None:
    near_cloud = public.search(near=(43.484082, 3.67669), radius_km=1)
    assert near_cloud.total == 0  # the private post sits 0 m away
    assert CLOUD not in paths(public.search(bbox="43,3,44,4.5", sort="date"))
    ranked = public.search("cloud", near=(43.484082, 3.67669))
    assert ranked.hits[0].path == CLOUD and ranked.hits[0].distance_km is None


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"text": "x", "sort": "distance"}, UsageError, "needs a centre"),
        ({"text": "x", "radius_km": 5}, UsageError, "needs a centre"),
        ({"text": "x", "sort": "shuffle"}, UsageError, "sort must be"),
        ({"text": "x", "near": "Nowhereville Xyz"}, UsageError, "no place called"),
        ({"text": "x", "near": (95, 0)}, UsageError, "latitude"),
        ({"text": "x", "bbox": "1,2,3"}, UsageError, "four numbers"),
        ({"text": "x near:a near:b"}, UsageError, "one centre"),
        ({"text": "x NOT near:Paris"}, QuerySyntaxError, "negated"),
        ({"text": "x", "near": "Paris", "radius_km": "-3km"}, UsageError, "radius"),
    ],
)
def test_bad_geo_requests(
    owner: searcher.Index, kwargs: dict[str, object], error: type, message: str
) -> None:
    text = kwargs.pop("text")
    with pytest.raises(error, match=message):
        owner.search(text, **kwargs)  # type: ignore[arg-type]


# --- filters and facets -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"tags": ["cloud"]}, [CLOUD]),
        ({"tags": ["Cloud", "paris"]}, [CLOUD]),
        ({"tags": ["cloud", "velo"]}, []),
        ({"tags": ["cloud", "vélo"], "any_tag": True}, [MONTPELLIER, CLOUD]),
        ({"categories": ["Cloud"]}, [CLOUD]),
        ({"lang": "it"}, ["posts/architettura-razionalista-eur/index.md"]),
        ({"lang": ["de", "it"], "since": "2022"}, ["posts/endlich-offene-fahrplandaten.md",
                                                   "posts/architettura-razionalista-eur/index.md"]),
        ({"since": "2011-03", "until": "2011-03"}, [SETE, CLOUD]),
        ({"until": "2010"}, [MUNICH]),
        ({"has_location": True, "since": "2023-06"},
         [MONTPELLIER, "posts/notes-from-a-python-conference-in-tokyo.md"]),
    ],
)  # fmt: skip
def test_filters(owner: searcher.Index, kwargs: dict[str, object], expected: list[str]) -> None:
    results = owner.search(sort="date", limit=20, **kwargs)  # type: ignore[arg-type]
    assert paths(results) == expected


def test_filters_combine_with_text_and_places(
    owner: searcher.Index, public: searcher.Index
) -> None:
    assert paths(owner.search("cloud", lang="fr", since="2011")) == [CLOUD]
    assert paths(owner.search("cloud", lang="en")) == [
        "posts/what-i-learned-building-search-with-sqlite-fts5.md"
    ]
    assert CLOUD not in paths(public.search(has_location=True, sort="date", limit=20))


def test_facets_count_the_whole_result_set(owner: searcher.Index) -> None:
    results = owner.search("date:[2000 TO 2030]", limit=1, facets=True)
    facets = results.facets
    assert facets is not None and results.total == 15 and len(results.hits) == 1
    assert sum(facets["languages"].values()) == 15 and facets["languages"]["en"] == 7
    assert sum(facets["years"].values()) == 15 and facets["years"]["2011"] == 2
    assert facets["tags"]["cloud"] == 1 and facets["categories"]
    narrowed = owner.search("date:[2000 TO 2030]", lang="fr", facets=True).facets
    assert narrowed is not None and narrowed["languages"] == {"fr": 4}
    assert "facets" in owner.search("cloud", facets=True).to_dict()
    assert "facets" not in owner.search("cloud").to_dict()


@pytest.mark.parametrize("bad", [{"since": "yesterday"}, {"until": "2011-13"}])
def test_bad_filter_dates(owner: searcher.Index, bad: dict[str, str]) -> None:
    with pytest.raises(UsageError, match="not a date"):
        owner.search("cloud", **bad)  # type: ignore[arg-type]


def test_date_filters_never_pass_undated_posts(tmp_path: Path) -> None:
    from conftest import GOLDEN, build_index

    index_dir = build_index([GOLDEN], tmp_path / "golden-index")
    with searcher.open_index(index_dir, audience="owner") as index:
        every = index.search(sort="date", since="1900", limit=100)
        undated = {h.path for h in index.search("date:[1900 TO 2100] OR NOT date:[1900 TO 2100]",
                                                 limit=100).hits if h.date is None}  # fmt: skip
        assert undated and not undated & {h.path for h in every.hits}
        assert index.search(sort="date", until="2100", limit=100).total == every.total
        assert paths(index.search(sort="date", since="2013-03", until="2013-03")) == ["page.html"]


def test_undated_posts_sort_last_and_stay_out_of_the_years_facet(tmp_path: Path) -> None:
    from conftest import GOLDEN, build_index

    index_dir = build_index([GOLDEN], tmp_path / "golden-index")
    with searcher.open_index(index_dir, audience="owner") as index:
        query = "date:[1900 TO 2100] OR NOT date:[1900 TO 2100]"
        newest = index.search(query, sort="date", limit=100, facets=True)
        oldest = index.search(query, sort="date-asc", limit=100)
    dates = [h.date for h in newest.hits]
    assert None in dates and dates[dates.index(None) :] == [None] * (len(dates) - dates.index(None))
    assert [h.date for h in oldest.hits][-1] is None
    assert newest.facets is not None
    assert all(1900 < int(year) < 2100 for year in newest.facets["years"])


def test_dates_sort_and_filter_in_an_index_of_several_segments(tmp_path: Path) -> None:
    """An incremental run adds a segment: dates are read across segments as from one."""
    from conftest import build_index

    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    for day in ("01", "03", "02"):  # one index run each: one segment each
        (posts / f"2020-01-{day}-walk.md").write_text("---\ntitle: Walk\n---\nwalking\n")
        build_index([posts.parent], tmp_path / "index")
    with searcher.open_index(tmp_path / "index", audience="owner") as index:
        newest = [h.date[:10] for h in index.search("walking", sort="date").hits if h.date]
        oldest = [h.date[:10] for h in index.search(sort="date-asc", since="2020").hits if h.date]
        assert newest == ["2020-01-03", "2020-01-02", "2020-01-01"] == oldest[::-1]
        assert paths(index.search(since="2020-01-02", until="2020-01-02")) == [
            "_posts/2020-01-02-walk.md"
        ]


def test_parsed_queries_are_remembered_and_errors_are_not(owner: searcher.Index) -> None:
    parser = owner._current().parser
    first = parser.parse("cloud paris")
    assert parser.parse("cloud paris") is first
    assert parser.parse("cloud  paris") is not first  # another text, parsed afresh
    for _ in range(2):
        with pytest.raises(QuerySyntaxError):
            parser.parse("date:yesterday")
    from searcher.search.query import PARSED_QUERIES

    for i in range(PARSED_QUERIES + 1):
        parser.parse(f"word{i}")
    assert parser.parse("cloud paris") is not first  # forgotten: the oldest go first
    assert paths(owner.search("cloud paris"))[0] == "_posts/2011-03-01-cloud-paris.md"


def test_a_form_from_another_languages_stemmer_finds_no_false_friends(tmp_path: Path) -> None:
    """Spanish stems "hateoas" to "hate": that form may find Spanish posts, never English ones."""
    from conftest import build_index

    posts = {
        "hate.md": ("en", "A library you may not hate", "Parsing XML without the pain."),
        "rest.md": ("en", "Hypermedia clients", "Ketting is a HATEOAS client for the web."),
        "odio.md": ("es", "Bibliotecas", "Una biblioteca que no vas a odiar, con ejemplos."),
    }
    for name, (lang, title, body) in posts.items():
        (tmp_path / "src").mkdir(exist_ok=True)
        (tmp_path / "src" / name).write_text(
            f"---\ntitle: {title}\nlang: {lang}\ndate: 2020-01-01\n---\n{body}\n", "utf-8"
        )
    with searcher.open_index(build_index([tmp_path / "src"], tmp_path / "ix")) as index:
        parsed = str(index._current().parser.parse("hateoas").text)
        assert "title:hate^3.0 REQUIRE analysis:es" in parsed  # the form is still searched
        results = index.search("hateoas")
        assert paths(results) == ["rest.md"]
        assert "<mark>HATEOAS</mark>" in results.hits[0].snippet
        assert paths(index.search("hate")) == ["hate.md"]


def test_snippet_targets_leave_out_forms_scoped_to_other_languages(owner: searcher.Index) -> None:
    from searcher.indexing import schema
    from searcher.search import snippets

    q = owner._current().parser.parse("hateoas").text
    english = snippets.targets(q, schema.BODY, "en")
    french = snippets.targets(q, schema.BODY, "fr")
    assert english.terms == {"hateoa"} and french.terms == {"hateo"}
    assert snippets.targets(q, schema.BODY).terms == {"hateo", "hateoa", "hateoas"}


@pytest.mark.parametrize("audience", ["owner", "public"])
def test_hits_kept_between_requests_take_each_requests_distance(
    content_index: Path, audience: str
) -> None:
    index = searcher.open_index(content_index, audience=audience)
    for centre in [(43.61, 3.88), (52.52, 13.40), (43.61, 3.88), (78.2, 15.6)]:
        kept = index.near(*centre, limit=50)
        with searcher.open_index(content_index, audience=audience) as fresh:
            assert kept == fresh.near(*centre, limit=50)
        assert kept.hits and all(h.distance_km is not None and h.score == 0 for h in kept.hits)


@pytest.mark.parametrize("sort", ["relevance", "date", "distance"])
def test_a_request_evaluates_its_text_once(
    owner: searcher.Index, monkeypatch: pytest.MonkeyPatch, sort: str
) -> None:
    """Candidates and the page's scores (or hits and facets) share one evaluation."""
    generation = owner._current()
    calls = []
    evaluate = generation.fast.evaluate
    monkeypatch.setattr(generation.fast, "evaluate", lambda q: calls.append(q) or evaluate(q))
    generation._last_scored = None
    near = (43.61, 3.88) if sort == "distance" else None
    results = owner.search("cloud OR velo", sort=sort, near=near, facets=True)
    whole = generation.parser.parse("cloud OR velo").text  # the parser keeps its answer
    assert results.total > 0 and sum(q is whole for q in calls) == 1


def test_documents_kept_for_snippets_stay_within_their_budget(content_index: Path) -> None:
    """Hits read a post's stored fields once while it is kept, and the kept text is bounded."""
    from searcher.indexing import records
    from searcher.search import hits

    with searcher.open_index(content_index, audience="owner") as index:
        generation = index._current()
        searcher_ = generation.searcher
        docnums = list(searcher_.reader().all_doc_ids())
        sizes = [len(searcher_.stored_fields(d).get("text", "")) for d in docnums]
        budget = 2 * sum(sorted(sizes)[-3:]) + 1500  # room for about three posts
        kept = hits._Documents(hits.StoredFields(searcher_), budget)
        for docnum in docnums * 2:
            post, source = kept.get(docnum)
            assert post == records.read(searcher_.stored_fields(docnum))  # decoded once, kept
            text = post.text[: hits.SNIPPET_SOURCE_CHARS]
            assert source.text == " ".join(text.split())  # one space between words
            assert source.lowered == source.text.lower()
            assert 0 < kept._kept.held <= budget and len(kept._kept) < len(docnums)
        last = docnums[-1]
        assert kept.get(last)[1] is kept.get(last)[1]  # the latest post is still kept


def test_tags_and_categories_are_shown_as_written(owner: searcher.Index) -> None:
    """Facets and stats name tags as their authors wrote them, accents and capitals kept,
    though they match (and filter) folded: 'Hérault', not 'herault'."""
    stats = owner.stats()
    assert stats.tags["données ouvertes"] == 2 and stats.tags["Hérault"] == 1
    assert "herault" not in stats.tags and "donnees ouvertes" not in stats.tags
    assert stats.categories["Balades"] == 1 and "balades" not in stats.categories
    facets = owner.search("tag:herault", facets=True).facets
    assert facets is not None and facets["tags"]["Hérault"] == 1 and "herault" not in facets["tags"]
    for spelling in ("Hérault", "herault", "HÉRAULT"):
        assert paths(owner.search(tags=[spelling])) == paths(owner.search("tag:herault"))


@pytest.mark.parametrize(
    ("spellings", "shown"),
    [
        (["conferences", "Conférences", "conférences"], "conférences"),
        (["Python", "python"], "python"),
        (["GTFS"], "GTFS"),
        (["Hérault", "herault"], "Hérault"),
    ],
)
def test_shards_agree_on_one_spelling_whatever_the_order(spellings: list[str], shown: str) -> None:
    """Each shard offers the spelling it prefers; the index shows the same one whichever
    shard holds which spelling, and in whatever order they answer."""
    import itertools

    from searcher.indexing import schema
    from searcher.search import facets

    for order in itertools.permutations(spellings):
        parts = [{"tag": {schema.folded_label(name): name}} for name in order]
        assert facets.merged_labels(parts)["tag"] == {schema.folded_label(shown): shown}


def test_facets_count_the_pasted_title_that_filled_the_page(tmp_path: Path) -> None:
    """A pasted title whose syntax finds nothing is searched as a title: its facets count the
    posts shown, not the empty exact search (as a sharded index counts them)."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2010-05-01-wave.md").write_text(
        "---\ntitle: Google Wave -style collaboration\ntags: [wave, google]\n---\n"
        "Working together in real time, Google Wave style, on one shared document.\n"
    )
    (posts / "2010-06-01-other.md").write_text(
        "---\ntitle: Another post\ntags: [misc]\n---\nNothing about collaboration here.\n"
    )
    index_dir = build_index([tmp_path], tmp_path / "index")
    with searcher.open_index(index_dir) as index:
        results = index.search("Google Wave -style collaboration", facets=True)
    assert [hit.path for hit in results.hits] == ["_posts/2010-05-01-wave.md"]
    assert results.facets is not None and results.facets["tags"] == {"google": 1, "wave": 1}
