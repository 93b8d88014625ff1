"""The web app in-process: every endpoint, every kind of bad request, the page, the guards."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

import searcher
from searcher.cli.commands import main
from searcher.web import openapi
from searcher.web.app import SECURITY_HEADERS, STATIC, create_app
from searcher.web.page import _safe_href, e, safe_snippet
from searcher.web.params import PARAMS, params_of, parse


@pytest.fixture(autouse=True)
def no_crash(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """No test may reach the catch-all: it logs every unexpected exception it answers."""
    with caplog.at_level(logging.ERROR, logger="searcher.web"):
        yield
    crashes = [r for r in caplog.records if r.name == "searcher.web"]
    assert crashes == [], "the catch-all 500 handler was hit"


@pytest.fixture(scope="module")
def client(public: Any) -> TestClient:
    return TestClient(create_app(public))


@pytest.fixture(scope="module")
def owner_client(owner: Any) -> TestClient:
    return TestClient(create_app(owner))


def cli_json(index_dir: Path, *args: str) -> Any:
    result = CliRunner().invoke(
        main, [*args, "--json", "--audience", "public", "--index-dir", str(index_dir)]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- the API answers what the CLI's --json prints ---------------------------------------

SAME_AS_CLI = [
    ("/api/search?q=paris", ["query", "paris"]),
    ("/api/search?q=python&limit=2&page=2", ["query", "python", "--limit", "2", "--page", "2"]),
    ("/api/search?q=pyton", ["query", "pyton"]),
    ("/api/search?q=velo&near=Montpellier&radius=50km",
     ["query", "velo", "--near", "Montpellier", "--radius", "50km"]),
    ("/api/search?near=43.6,3.88&sort=distance&limit=5",
     ["query", "--near", "43.6,3.88", "--sort", "distance", "--limit", "5"]),
    ("/api/search?bbox=35,-10,60,20&sort=date",
     ["query", "--bbox", "35,-10,60,20", "--sort", "date"]),
    ("/api/search?tag=python&tag=async&any_tag=1", ["query", "--tag", "python", "--tag", "async",
                                                   "--any-tag"]),
    ("/api/search?lang=fr&since=2011&until=2019-12&facets=true",
     ["query", "--lang", "fr", "--since", "2011", "--until", "2019-12", "--facets"]),
    ("/api/search?category=programming&has_location=yes",
     ["query", "--category", "programming", "--has-location"]),
    ("/api/near?lat=43.6&lon=3.88&limit=3", ["near", "43.6", "3.88", "--limit", "3"]),
    ("/api/near?near=Montpellier&q=velo", ["near", "Montpellier", "velo"]),
    ("/api/complete?q=cl", ["complete", "cl"]),
    ("/api/complete?q=python%20a&limit=3", ["complete", "python a", "--limit", "3"]),
    ("/api/stats", ["stats"]),
]  # fmt: skip


@pytest.mark.parametrize(("url", "args"), SAME_AS_CLI, ids=[u for u, _ in SAME_AS_CLI])
def test_api_json_equals_the_cli_json(
    client: TestClient, content_index: Path, url: str, args: list[str]
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == cli_json(content_index, *args)


def test_the_text_parameter_is_q_or_text(client: TestClient) -> None:
    assert client.get("/api/search?text=paris").json() == client.get("/api/search?q=paris").json()


def test_an_empty_completion_prefix_completes_nothing(client: TestClient) -> None:
    assert client.get("/api/complete").json() == []
    assert client.get("/api/complete?q=%20").json() == []


def test_owner_sees_private_places_marked(owner_client: TestClient, client: TestClient) -> None:
    url = "/api/search?has_location=1&limit=100"
    private = [h for h in owner_client.get(url).json()["hits"] if not h["location"]["public"]]
    assert private
    public = {h["path"]: h for h in client.get(url).json()["hits"]}
    assert all(h["path"] not in public for h in private)


# -- bad requests: 400 JSON naming the parameter, never a 500 ---------------------------

BAD = [
    ("/api/search", "q"),
    ("/api/search?q=%21%21%21", "q"),
    ("/api/search?q=" + "a" * 1001, "q"),
    ("/api/search?q=paris&limit=0", "limit"),
    ("/api/search?q=paris&limit=101", "limit"),
    ("/api/search?q=paris&limit=ten", "limit"),
    ("/api/search?q=paris&limit=1.5", "limit"),
    ("/api/search?q=paris&limit=10&limit=20", "limit"),
    ("/api/search?q=paris&page=0", "page"),
    ("/api/search?q=paris&page=1001", "page"),
    ("/api/search?q=paris&page=-1", "page"),
    ("/api/search?q=paris&page=99999999999999999999999", "page"),
    ("/api/search?q=paris&sort=random", "sort"),
    ("/api/search?q=paris&sort=distance", "sort"),
    ("/api/search?q=paris&radius=20km", "radius"),
    ("/api/search?q=paris&near=43.6,3.8&radius=far", "radius"),
    ("/api/search?q=paris&near=43.6,3.8&radius=-5", "radius"),
    ("/api/search?q=paris&near=91,0", "near"),
    ("/api/search?q=paris&near=Nowhereville", "near"),
    ("/api/search?q=paris&near=nan,nan", "near"),
    ("/api/search?q=paris&near=" + "x" * 201, "near"),
    ("/api/search?q=paris&bbox=1,2,3", "bbox"),
    ("/api/search?q=paris&bbox=50,0,40,10", "bbox"),
    ("/api/search?q=paris&since=yesterday", "since"),
    ("/api/search?q=paris&until=2011-13", "until"),
    ("/api/search?q=paris&any_tag=maybe", "any_tag"),
    ("/api/search?q=paris&facets=2", "facets"),
    ("/api/search?q=paris&" + "&".join(["tag=a"] * 21), "tag"),
    ("/api/near", "near"),
    ("/api/near?lat=43.6", "lon"),
    ("/api/near?lon=3.8", "lat"),
    ("/api/near?lat=north&lon=3.8", "lat"),
    ("/api/near?lat=43.6&lon=181", "lon"),
    ("/api/near?lat=43.6&lon=3.8&near=Paris", "near"),
    ("/api/near?lat=43.6&lon=3.8&limit=1000", "limit"),
    ("/api/complete?q=pa&limit=21", "limit"),
    ("/api/complete?q=" + "a" * 1001, "q"),
]


@pytest.mark.parametrize(("url", "parameter"), BAD, ids=[u[:60] for u, _ in BAD])
def test_a_bad_request_is_a_400_naming_the_parameter(
    client: TestClient, url: str, parameter: str
) -> None:
    response = client.get(url)
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error", "parameter"}
    assert body["parameter"] == parameter and body["error"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [("GET", "/nowhere", 404), ("GET", "/api/", 404), ("POST", "/api/search", 405),
     ("DELETE", "/", 405), ("PUT", "/api/stats", 405)],
)  # fmt: skip
def test_unknown_pages_and_methods_are_json_errors(
    client: TestClient, method: str, url: str, status: int
) -> None:
    response = client.request(method, url)
    assert response.status_code == status
    assert response.json()["parameter"] is None


def test_an_unexpected_error_is_a_bare_500_and_is_logged(
    public: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail /home/owner/index")

    app = create_app(public)
    monkeypatch.setattr(public, "search", boom)
    response = TestClient(app, raise_server_exceptions=False).get("/api/search?q=paris")
    assert response.status_code == 500
    assert response.json() == {"error": "internal error", "parameter": None}
    assert "secret" not in response.text and "Traceback" not in response.text
    assert any("RuntimeError" in (r.exc_text or "") for r in caplog.records)
    caplog.clear()  # this test means to reach the catch-all


def test_a_missing_index_is_a_503(tmp_path: Path, content_index: Path) -> None:
    import shutil
    import time

    copy = shutil.copytree(content_index, tmp_path / "ix")
    with searcher.open_index(copy) as index:
        client = TestClient(create_app(index))
        shutil.rmtree(copy)
        time.sleep(searcher.api.REFRESH_INTERVAL)
        response = client.get("/api/stats")
    assert response.status_code == 503
    assert response.json()["parameter"] is None


# -- static files, and nothing else -------------------------------------------------------


@pytest.mark.parametrize("name", ["search.js", "search.css"])
def test_the_static_assets_are_served(client: TestClient, name: str) -> None:
    response = client.get(f"/static/{name}")
    assert response.status_code == 200
    assert response.text == (STATIC / name).read_text()


ESCAPES = [
    "/static/../web.py", "/static/%2e%2e/web.py", "/static/%2E%2E/api.py", "/static/..%2fweb.py",
    "/static/..%2F..%2Fpyproject.toml", "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/..\\web.py",
    "/static/%5c..%5cweb.py", "/static/", "/static", "/static/.", "/static/%00search.js",
    "/web.py", "/searcher/web.py", "/static/search.js/../../web.py",
]  # fmt: skip


@pytest.mark.parametrize("path", ESCAPES)
def test_no_file_outside_the_static_folder_is_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (404, 405), response.text
    assert "import" not in response.text and "root:" not in response.text


# -- headers: security, CORS --------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/?q=paris", "/api/search?q=paris", "/static/search.js",
                                 "/nowhere", "/api/search?limit=0"])  # fmt: skip
def test_every_response_carries_the_security_headers(client: TestClient, url: str) -> None:
    headers = client.get(url).headers
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value


def test_cors_is_off_by_default(client: TestClient) -> None:
    response = client.get("/api/search?q=paris", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_the_configured_origins_only(public: Any) -> None:
    client = TestClient(create_app(public, cors_origins=["https://blog.example"]))
    allowed = client.get("/api/search?q=paris", headers={"Origin": "https://blog.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://blog.example"
    other = client.get("/api/search?q=paris", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = client.options(
        "/api/search",
        headers={"Origin": "https://blog.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200


# -- OpenAPI: accurate by construction, checked against the real answers ------------------


def test_openapi_documents_every_api_route(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    routes = {r.path for r in client.app.routes if getattr(r, "path", "").startswith("/api")}  # type: ignore[attr-defined]
    assert set(document["paths"]) == routes


@pytest.mark.parametrize("endpoint", ["search", "near", "complete"])
def test_openapi_documents_every_parameter_taken(client: TestClient, endpoint: str) -> None:
    operation = client.get("/openapi.json").json()["paths"][f"/api/{endpoint}"]["get"]
    documented = {p["name"] for p in operation["parameters"]}
    assert documented == {p.name for p in params_of(endpoint)}  # type: ignore[arg-type]


def test_openapi_examples_are_accepted(client: TestClient) -> None:
    for path, item in client.get("/openapi.json").json()["paths"].items():
        for param in item["get"]["parameters"]:
            if "example" in param and param["name"] not in ("lat", "lon", "near"):
                query = {"q": "paris", param["name"]: param["example"]}
                if param["name"] == "radius" or path == "/api/near":
                    query["near"] = "48.85,2.35"
                assert client.get(path, params=query).status_code == 200, (path, param["name"])


def keys_match(schema: dict[str, Any], value: dict[str, Any]) -> None:
    assert set(schema["required"]) <= set(value) <= set(schema["properties"]), value.keys()


def test_openapi_schemas_match_the_answers(client: TestClient) -> None:
    schemas = openapi.SCHEMAS
    results = client.get("/api/search?q=pyton&near=43.6,3.88&facets=1").json()
    keys_match(schemas["Results"], results)
    assert {"facets", "suggestion"} <= set(results)
    for hit in results["hits"]:
        keys_match(schemas["Hit"], hit)
        if hit["location"]:
            keys_match(schemas["Location"], hit["location"])
    keys_match(schemas["Stats"], client.get("/api/stats").json())
    for item in client.get("/api/complete?q=cl").json():
        keys_match(schemas["Completion"], item)
    keys_match(schemas["Error"], client.get("/api/search?limit=0").json())


# -- mounting inside another app ----------------------------------------------------------


def test_the_app_mounts_under_a_prefix(public: Any) -> None:
    outer = Starlette(routes=[Mount("/search", app=create_app(public))])
    client = TestClient(outer)
    page = client.get("/search/?q=paris")
    assert page.status_code == 200
    assert 'href="/search/static/search.css"' in page.text
    assert 'action="/search/"' in page.text and 'data-complete="/search/api/complete"' in page.text
    assert client.get("/search/static/search.css").status_code == 200
    assert client.get("/search/api/search?q=paris").json()["total"] >= 1
    assert client.get("/search/api/search?limit=0").json()["parameter"] == "limit"


# -- the page -----------------------------------------------------------------------------


def test_the_empty_page_is_the_form(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<form method="get" action="/"' in page.text and 'class="results"' not in page.text
    assert '<script src="/static/search.js" defer></script>' in page.text


def test_the_page_shows_hits_with_marks_dates_tags_places_distances(client: TestClient) -> None:
    page = client.get("/?q=velo&near=Montpellier&radius=50km").text
    assert "<mark>vélo</mark>" in page
    assert '<time datetime="2024-05-02' in page
    assert 'href="?tag=v%C3%A9lo"' in page
    assert 'class="place"' in page and " m away</span>" in page
    assert "near Montpellier, FR" in page
    assert '<figure class="map"' in page and "<circle" in page and "<?xml" not in page


def test_the_page_draws_no_map_without_places(client: TestClient) -> None:
    assert "<svg" not in client.get("/?q=sqlite").text


def test_the_page_pages(client: TestClient) -> None:
    total = client.get("/api/search?lang=en").json()["total"]
    assert 7 <= total <= 9  # three pages of three
    first = client.get("/?lang=en&limit=3").text
    assert f"1\u20133 of {total} posts for the filters" in first
    assert 'rel="next" href="?lang=en&amp;limit=3&amp;page=2"' in first
    assert 'rel="prev"' not in first
    last = client.get("/?lang=en&limit=3&page=3").text
    assert f"7\u2013{total} of {total}" in last
    assert 'rel="prev"' in last and 'rel="next"' not in last
    assert f"No hits on page 9 ({total} in all)" in client.get("/?lang=en&limit=3&page=9").text


def test_the_page_offers_did_you_mean(client: TestClient) -> None:
    page = client.get("/?q=pyton").text
    assert 'Did you mean <a href="?q=python">python</a>?' in page


def test_the_page_shows_a_bad_request_as_a_400_page(client: TestClient) -> None:
    page = client.get("/?q=paris&limit=1000")
    assert page.status_code == 400
    assert 'class="error" role="alert">limit must be' in page.text
    assert 'value="paris"' in page.text  # the form keeps what was typed


@pytest.mark.parametrize("query", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
                                   "paris</title><script>x()</script>"])  # fmt: skip
def test_the_query_is_echoed_escaped(client: TestClient, query: str) -> None:
    page = client.get("/", params={"q": query, "near": query, "tag": query}).text
    assert "<script>alert" not in page and "<img" not in page and "<script>x()" not in page
    assert e(query) in page


# -- pieces of the page -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("snippet", "html"),
    [
        ("a <mark>b</mark> c", "a <mark>b</mark> c"),
        ("&lt;script&gt;x", "&lt;script&gt;x"),
        ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
        ("<mark><script>x</script></mark>", "<mark>&lt;script&gt;x&lt;/script&gt;</mark>"),
        ("<mark onclick=x>b</mark>", "&lt;mark onclick=x&gt;b&lt;/mark&gt;"),
        ("<b>b</b> &amp;", "&lt;b&gt;b&lt;/b&gt; &amp;amp;".replace("&amp;amp;", "&amp;")),
        ("it&#x27;s", "it&#x27;s"),
    ],
)  # fmt: skip
def test_a_snippet_keeps_only_our_marks(snippet: str, html: str) -> None:
    assert safe_snippet(snippet) == html


@pytest.mark.parametrize(
    ("url", "href"),
    [("/2011/03/01/cloud-paris/", "/2011/03/01/cloud-paris/"), ("https://x.example/a", "https://x.example/a"),
     ("javascript:alert(1)", None), (" JavaScript:alert(1)", None), ("data:text/html,x", None),
     ("vbscript:x", None), ("", None), ("http://[::1", None)],
)  # fmt: skip
def test_a_post_url_links_only_to_the_web(url: str, href: str | None) -> None:
    assert _safe_href(url) == href


# -- parameters ---------------------------------------------------------------------------


class Query(dict[str, list[str]]):
    def getlist(self, name: str) -> list[str]:
        return self.get(name, [])


@pytest.mark.parametrize(
    ("given", "name", "value"),
    [({}, "limit", 10), ({"limit": ["100"]}, "limit", 100), ({"page": [" 2 "]}, "page", 2),
     ({"any_tag": ["ON"]}, "any_tag", True), ({"any_tag": [""]}, "any_tag", False),
     ({"tag": ["a", " ", "b "]}, "tag", ["a", "b"]), ({"radius": ["500m"]}, "radius", 0.5),
     ({"sort": [""]}, "sort", "relevance"), ({"since": ["2011-03"]}, "since", "2011-03")],
)  # fmt: skip
def test_parameters_are_converted(given: dict[str, list[str]], name: str, value: Any) -> None:
    assert parse("search", Query(given))[name] == value


# -- anything at all: a 200 or a 400 naming a parameter, never a 500 ------------------------

NAMES = sorted({p.name for p in PARAMS} | {"text", "unknown"})


@given(
    path=st.sampled_from(["/", "/api/search", "/api/near", "/api/complete"]),
    query=st.lists(st.tuples(st.sampled_from(NAMES), st.text(max_size=40)), max_size=4),
)
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
def test_any_query_string_is_answered_or_refused_by_name(
    client: TestClient, path: str, query: list[tuple[str, str]]
) -> None:
    response = client.get(path, params=query)
    assert response.status_code in (200, 400), (path, query, response.text)
    if response.status_code == 400 and path != "/":
        assert response.json()["parameter"] in NAMES


def test_stats_are_counted_at_most_once_per_refresh_interval(
    public: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(create_app(public))
    counted = []
    real = public.stats
    monkeypatch.setattr(public, "stats", lambda: counted.append(1) or real())
    first, second = client.get("/api/stats").json(), client.get("/api/stats").json()
    assert first == second and len(counted) == 1
    monkeypatch.setattr("searcher.web.app.REFRESH_INTERVAL", 0.0)
    client.get("/api/stats")
    assert len(counted) == 2
