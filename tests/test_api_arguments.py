"""The API takes what a web backend passes: None for "not given", a string for one tag, and
anything else either works or raises a :class:`BlogsearchError`, never another exception."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
import shapely
from conftest import CONTENT, paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import searcher
from searcher.errors import BlogsearchError, UsageError

CLOUD = "_posts/2011-03-01-cloud-paris.md"
SETE = "_posts/2011-03-12-sete-le-quai-au-matin.html"
SEARCH_NONE = dict.fromkeys(
    "limit page near radius_km bbox within sort located_only tags categories any_tag lang "
    "since until has_location facets".split()
)


def test_none_means_not_given_in_search(owner: searcher.Index) -> None:
    assert owner.search("cloud", **SEARCH_NONE) == owner.search("cloud")
    assert owner.search(None, tags=["cloud"], lang=None) == owner.search(tags=["cloud"])


def test_none_means_not_given_in_near_complete_similar(owner: searcher.Index) -> None:
    given_none = {"text": None, "radius_km": None, "limit": None, "page": None, "bbox": None,
                  "within": None}  # fmt: skip
    assert owner.near(43.48, 3.67, **given_none) == owner.near(43.48, 3.67)
    assert owner.complete("clo", limit=None) == owner.complete("clo")
    assert owner.complete(None) == [] and owner.complete("  ") == []
    assert owner.similar(CLOUD, limit=None) == owner.similar(CLOUD)


def test_a_string_tag_is_one_tag(owner: searcher.Index) -> None:
    one = owner.search(tags="open source")
    assert one.total > 0 and one == owner.search(tags=["open source"])
    assert owner.search(categories="cloud") == owner.search(categories=["cloud"])


@pytest.mark.parametrize(
    "typed",
    ['"open source"', "\u201copen source\u201d", "\u00abopen source\u00bb", "'open source'"],
)
def test_a_tag_typed_in_quotes_is_the_tag(owner: searcher.Index, typed: str) -> None:
    tagged = paths(owner.search(tags="open source"))
    assert tagged and paths(owner.search(tags=typed)) == tagged
    assert paths(owner.search(tags=[typed, "cloud"])) == paths(
        owner.search(tags=["open source", "cloud"])
    )


def test_blank_tags_are_not_given(owner: searcher.Index) -> None:
    assert owner.search("cloud", tags=[None, "", " "]) == owner.search("cloud")


def test_an_unknown_language_names_the_codes_the_index_holds(owner: searcher.Index) -> None:
    for bad in ("english", "xx"):
        with pytest.raises(UsageError) as caught:
            owner.search("cloud", lang=bad)
        assert "de, en, es, fr, it" in str(caught.value) or "de, en, fr, it" in str(caught.value)
    assert owner.search(lang="FR") == owner.search(lang="fr")


@pytest.mark.parametrize(
    ("odd", "plain"),
    [
        ({"since": 2011}, {"since": "2011"}),
        ({"until": dt.date(2011, 3, 5)}, {"until": "2011-03-05"}),
        ({"since": dt.datetime(2011, 3, 5, 10)}, {"since": "2011-03-05"}),
        ({"bbox": (43, 3, 44, 4.5)}, {"bbox": "43,3,44,4.5"}),
        ({"bbox": [43, 3, 44, 4.5]}, {"bbox": "43,3,44,4.5"}),
    ],
)
def test_values_a_backend_has_at_hand_are_read(
    owner: searcher.Index, odd: dict[str, Any], plain: dict[str, Any]
) -> None:
    assert owner.search(**odd) == owner.search(**plain)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"text": 123},
        {"text": b"cloud"},
        {"text": "cloud", "tags": [1]},
        {"text": "cloud", "tags": 5},
        {"text": "cloud", "lang": 1},
        {"text": "cloud", "since": 2011.5},
        {"text": "cloud", "since": "yesterday"},
        {"text": "cloud", "bbox": (1, 2, 3)},
        {"text": "cloud", "bbox": (1, 2, 3, "x")},
        {"text": "cloud", "bbox": object()},
        {"text": "cloud", "within": "not a shape"},
        {"text": "cloud", "within": shapely.Point(1, 2)},
        {"text": "cloud", "near": object()},
        {"text": "cloud", "near": (1, 2, 3)},
        {"text": "cloud", "radius_km": object()},
        {"text": "cloud", "sort": 3},
        {"text": "cloud", "limit": "10"},
        {"text": "cloud\ud800"},
        {"text": "cloud", "tags": ["\ud800"]},
        {"text": "cloud", "near": "\ud800"},
    ],
)
def test_wrong_values_are_usage_errors(owner: searcher.Index, kwargs: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        owner.search(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [{"since": "9999"}, {"since": dt.date(9999, 12, 31)}, {"until": "0001"}],
)
def test_dates_at_the_ends_of_the_calendar_are_searched(
    owner: searcher.Index, kwargs: dict[str, Any]
) -> None:
    """Years 1 and 9999 can be stored (a post may be dated so), so they can be asked for."""
    assert owner.search("cloud", **kwargs).total == 0


@pytest.mark.parametrize("call", ["complete", "similar"])
@pytest.mark.parametrize("value", [123, b"x", "\ud800", ["a"]])
def test_complete_and_similar_refuse_what_is_not_text(
    owner: searcher.Index, call: str, value: Any
) -> None:
    with pytest.raises(UsageError):
        getattr(owner, call)(value)


def test_near_needs_a_centre(owner: searcher.Index) -> None:
    with pytest.raises(UsageError):
        owner.near(None, None)
    with pytest.raises(UsageError):
        owner.near(43.0, None)


def test_similar_takes_the_path_as_the_user_has_it(
    owner: searcher.Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = owner.similar(CLOUD)
    assert stored.total > 0
    assert owner.similar(str(CONTENT / CLOUD)) == stored  # absolute
    monkeypatch.chdir(CONTENT.parent)
    assert owner.similar(os.path.join("content", CLOUD)) == stored  # relative to here
    assert owner.similar("./content/" + CLOUD) == stored
    assert owner.similar(Path("content") / CLOUD) == stored  # a Path too
    with pytest.raises(UsageError) as caught:
        owner.similar("content/_posts/no-such-post.md")
    message = str(caught.value)
    assert "no-such-post.md" in message and CLOUD.split("/")[0] in message


def _polygon(*corners: tuple[float, float]) -> Any:
    return shapely.Polygon(corners)


def test_a_polygon_outside_the_globe_is_refused(owner: searcher.Index) -> None:
    with pytest.raises(UsageError, match="longitude, latitude"):
        owner.search(within=_polygon((0, 0), (200, 0), (200, 10), (0, 10)))
    with pytest.raises(UsageError, match="longitude, latitude"):
        owner.search(within=_polygon((0, 0), (10, 0), (10, 95), (0, 95)))


def test_a_self_intersecting_polygon_is_repaired_not_half_used(owner: searcher.Index) -> None:
    # a bow tie over Sète and Montpellier: its two lobes, not one half of it
    bowtie = _polygon((3.6, 43.3), (3.95, 43.7), (3.95, 43.5), (3.6, 43.5))
    repaired = shapely.make_valid(bowtie)
    found = owner.search(within=bowtie, limit=50)
    assert found == owner.search(within=repaired, limit=50)
    assert SETE in paths(found) or found.total == owner.search(within=repaired).total


def test_a_polygon_given_as_geojson_or_wkt_is_read(owner: searcher.Index) -> None:
    box = _polygon((3, 43), (4.5, 43), (4.5, 44), (3, 44))
    expected = owner.search(within=box, limit=50)
    assert owner.search(within=shapely.to_wkt(box), limit=50) == expected
    assert owner.search(within=shapely.geometry.mapping(box), limit=50) == expected


# -- anything at all: an answer or a BlogsearchError ----------------------------------------

ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.binary(max_size=6),
    st.lists(st.one_of(st.none(), st.text(max_size=6), st.integers()), max_size=3),
    st.tuples(st.floats(), st.floats()),
    st.tuples(*[st.integers(-200, 200)] * 4),
    st.dates(),
)
ARGUMENTS = sorted(SEARCH_NONE)


@given(
    text=st.one_of(st.none(), st.text(max_size=30)),
    kwargs=st.dictionaries(st.sampled_from(ARGUMENTS), ANYTHING, max_size=3),
)
@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
def test_any_arguments_give_results_or_a_blogsearch_error(
    public: searcher.Index, text: Any, kwargs: dict[str, Any]
) -> None:
    try:
        results = public.search(text, **kwargs)
    except BlogsearchError:
        return
    assert all(h.location is None or h.location.public for h in results.hits)


@given(
    method=st.sampled_from(["near", "complete", "similar"]),
    args=st.lists(ANYTHING, min_size=1, max_size=2),
    limit=ANYTHING,
)
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
def test_near_complete_similar_give_answers_or_a_blogsearch_error(
    public: searcher.Index, method: str, args: list[Any], limit: Any
) -> None:
    call = getattr(public, method)
    if method != "near":
        args = args[:1]
    elif len(args) < 2:
        args = [*args, None]
    with contextlib.suppress(BlogsearchError):
        call(*args, limit=limit)


def test_the_web_api_names_an_unknown_language(public: searcher.Index) -> None:
    from starlette.testclient import TestClient

    from searcher import web

    response = TestClient(web.create_app(public)).get("/api/search?q=cloud&lang=english")
    assert response.status_code == 400 and response.json()["parameter"] == "lang"
    assert "en, fr" in response.json()["error"]
    for name in ("since", "until"):
        response = TestClient(web.create_app(public)).get(f"/api/search?q=cloud&{name}=2021-13")
        assert response.status_code == 400 and response.json()["parameter"] == name
        response = TestClient(web.create_app(public)).get(f"/api/search?q=cloud&{name}=9999")
        assert response.status_code == 200  # the calendar's last year is a date like any other
