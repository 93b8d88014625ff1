from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from searcher.errors import UsageError
from searcher.geo import gazetteer
from searcher.geo.gazetteer import Place, candidates, normalize, resolve
from searcher.support import compact


@pytest.mark.parametrize(
    ("text", "name", "country", "admin"),
    [
        ("Montpellier", "Montpellier", "FR", None),
        ("montpellier", "Montpellier", "FR", None),
        ("Paris", "Paris", "FR", None),
        ("Paris, France", "Paris", "FR", None),
        ("Paris, US", "Paris", "US", None),
        ("Paris, USA", "Paris", "US", None),
        ("Paris, TX", "Paris", "US", "TX"),
        ("Paris, Texas", "Paris", "US", "TX"),
        ("Paris (US)", "Paris", "US", None),
        ("Paris Texas", "Paris", "US", "TX"),
        ("paris tx", "Paris", "US", "TX"),
        ("Paris, TX, US", "Paris", "US", "TX"),
        ("Toronto, CA", "Toronto", "CA", None),
        ("München", "Munich", "DE", None),
        ("Munich", "Munich", "DE", None),
        ("MUENCHEN", "Munich", "DE", None),
        ("Roma", "Rome", "IT", None),
        ("Rome, GA", "Rome", "US", "GA"),
        ("Rome, Georgia", "Rome", "US", "GA"),
        ("Zurich", "Zürich", "CH", None),
        ("Sete", "Sète", "FR", None),
        ("saint etienne", "Saint-Étienne", "FR", None),
        ("Tokyo", "Tokyo", "JP", None),
        ("東京", "Tokyo", "JP", None),
        ("London, UK", "London", "GB", None),
        ("London, CA", "London", "CA", None),
        ("Washington, D.C.", "Washington", "US", "DC"),
        ("Cologne, Deutschland", "Köln", "DE", None),
        ("  Montpellier  ", "Montpellier", "FR", None),
    ],
)
def test_resolve(text: str, name: str, country: str, admin: str | None) -> None:
    place = resolve(text)
    assert (place.name, place.country) == (name, country)
    if admin is not None:
        assert place.admin == admin


def test_resolve_gives_coordinates_and_population() -> None:
    place = resolve("Montpellier")
    assert place.lat == pytest.approx(43.61, abs=0.01)
    assert place.lon == pytest.approx(3.88, abs=0.01)
    assert place.population > 200_000


def test_the_most_populous_place_wins() -> None:
    everywhere = candidates("Paris", limit=10)
    assert resolve("Paris") == everywhere[0]
    main_names = [p for p in everywhere if p.name == "Paris"]
    assert main_names == sorted(main_names, key=lambda p: -p.population)


@pytest.mark.parametrize("text", ["Paris, TX", "Zürich", "Montpellier", "London, CA", "Tokyo"])
def test_label_resolves_back(text: str) -> None:
    place = resolve(text)
    assert resolve(place.label) == place


@pytest.mark.parametrize(
    ("label", "place"),
    [
        ("Paris, TX, US", Place("Paris", "US", 33.7, -95.6, 24782, "TX")),
        ("Paris, FR", Place("Paris", "FR", 48.9, 2.3, 2138551, "11")),
        ("Paris, FR", Place("Paris", "FR", 48.9, 2.3, 2138551, None)),
    ],
)
def test_label(label: str, place: Place) -> None:
    assert place.label == label


@pytest.mark.parametrize(
    ("text", "message", "suggestion"),
    [
        ("Montpelier", "no place called 'Montpelier'", "Montpellier, FR"),
        ("Xqzzyvillezz", "no place called 'Xqzzyvillezz'", None),
        ("Paris, Narnia", "no place called 'Paris' in 'Narnia'", "Paris, FR"),
        ("Paris, Deutschland", "no place called 'Paris' in 'Deutschland'", "Paris, TX, US"),
        ("", "empty place name", None),
        ("   ", "empty place name", None),
        (", FR", "no place name", None),
    ],
)
def test_resolve_errors(text: str, message: str, suggestion: str | None) -> None:
    with pytest.raises(UsageError) as caught:
        resolve(text)
    text_of_error = str(caught.value)
    assert message in text_of_error
    assert "\n" not in text_of_error
    if suggestion is None:
        assert "did you mean" not in text_of_error
    else:
        assert "did you mean" in text_of_error
        assert suggestion in text_of_error
        assert text_of_error.count(";") <= 2  # at most three suggestions


@pytest.mark.parametrize(
    ("text", "limit", "first", "size"),
    [
        ("Paris", 5, "Paris, FR", None),
        ("Springfield", 4, "Springfield, MO, US", 4),
        ("Springfield", 1, "Springfield, MO, US", 1),
        ("Montpelier", 5, "Montpellier, FR", None),  # close names when nothing matches
    ],
)
def test_candidates(text: str, limit: int, first: str, size: int | None) -> None:
    found = candidates(text, limit)
    assert found[0].label == first
    assert len(found) <= limit
    if size is not None:
        assert len(found) == size
    assert len(set(found)) == len(found)


@pytest.mark.parametrize(("text", "limit"), [("", 5), ("Paris", 0)])
def test_candidates_usage_errors(text: str, limit: int) -> None:
    with pytest.raises(UsageError):
        candidates(text, limit)


def test_candidates_of_nothing_close_is_empty() -> None:
    assert candidates("Qxzqxzqxz") == []


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Saint-Étienne", "saint etienne"),
        ("ZÜRICH", "zurich"),
        ("St. John's", "st john s"),
        ("  Rio   de Janeiro ", "rio de janeiro"),
        ("Straße", "strasse"),
        ("東京", "東京"),
        ("", ""),
    ],
)
def test_normalize(text: str, folded: str) -> None:
    assert normalize(text) == folded


def test_lookup_is_fast_after_load() -> None:
    resolve("München")  # loads the tables, alternate names included
    queries = ["Paris", "Paris, TX", "Roma", "Toronto, CA", "saint etienne"]
    start = time.perf_counter()
    for _ in range(100):
        for query in queries:
            resolve(query)
    per_lookup = (time.perf_counter() - start) / (100 * len(queries))
    assert per_lookup < 0.001


def test_tables_are_built_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gazetteer, "_instance", None)
    built: list[object] = []
    results: list[Place] = []
    original = gazetteer._Gazetteer.__init__

    def counting_init(self: object, *args: object) -> None:
        built.append(self)
        original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(gazetteer._Gazetteer, "__init__", counting_init)
    threads = [threading.Thread(target=lambda: results.append(resolve("Tokyo"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1
    assert {p.country for p in results} == {"JP"}
    assert len(results) == 4


@pytest.mark.parametrize("word", ["The", "for", "Sea", "pub", "dog", "Zoo", "Inn", "kid"])
def test_a_short_word_in_a_post_is_no_airport_code(word: str) -> None:
    """GeoNames lists IATA codes among alternate names: a post's 'location: Sea' was put in
    Seattle, 'Zoo' in Mülheim. Towns whose own name is short are still found."""
    assert gazetteer.geocode(word) is None


@pytest.mark.parametrize(("text", "label"), [("Ulm", "Ulm, DE"), ("Pau", "Pau, FR")])
def test_short_town_names_are_still_geocoded(text: str, label: str) -> None:
    place = gazetteer.geocode(text)
    assert place is not None and place.label == label


@pytest.mark.parametrize(
    ("text", "label"),
    [("東京", "Tokyo, JP"), ("北京", "Beijing, CN"), ("서울", "Seoul, KR"), ("大阪", "Osaka, JP"),
     ("台北", "Taipei, TW")],
)  # fmt: skip
def test_cjk_names_are_not_taken_for_airport_codes(text: str, label: str) -> None:
    """A Japanese post's 'location: 東京' was not geocoded: two or three characters were
    taken for an airport code, which only the Latin alphabet writes."""
    place = gazetteer.geocode(text)
    assert place is not None and place.label == label


@pytest.mark.parametrize(
    "text", ["Bradbury, CA", "Smallville, MA", "Smallville, ME", "Smallville, DE",
             "Smallville, Georgia", "Georgia", "CA", "Smallville, PA"],
)  # fmt: skip
def test_a_town_not_found_in_what_may_be_a_us_state_is_placed_nowhere(text: str) -> None:
    """'Bradbury, CA' (a town too small for the table) was put at Canada's centre, 'X, MA'
    in Morocco, 'X, Georgia' in the Caucasus, 'X, PA' in the town of Pa (Burkina Faso):
    a code or name that may be a US state gives no country centre and is no town."""
    assert gazetteer.geocode(text) is None


@pytest.mark.parametrize(
    ("text", "label"),
    [("Pasadena, CA", "Pasadena, CA, US"), ("Lancaster, PA", "Lancaster, PA, US"),
     ("Kiel, DE", "Kiel, DE"), ("Tbilisi, Georgia", "Tbilisi, GE"),
     ("Spanish Water, Curaçao", "Curaçao (country)"),
     ("Smallville, UK", "United Kingdom (country)")],
)  # fmt: skip
def test_towns_and_unambiguous_countries_are_still_found(text: str, label: str) -> None:
    place = gazetteer.geocode(text)
    assert place is not None and place.label == label


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [(52.22, 20.97, True), (20.97, 52.22, False), (44.28, -73.98, True), (-73.98, 44.28, False),
     (-18.1, 178.4, True), (-18.1, 179.9, True), (0.0, 0.0, False)],
)  # fmt: skip
def test_populated_says_whether_a_town_is_about_a_degree_away(
    lat: float, lon: float, expected: bool
) -> None:
    assert gazetteer.populated(lat, lon) is expected


def _fresh(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setenv("BLOGSEARCH_CACHE_DIR", str(folder))
    monkeypatch.setattr(gazetteer, "_instance", None)


def test_tables_are_built_once_then_read_from_their_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fresh(monkeypatch, tmp_path)
    built = resolve("Montpellier")
    assert [p.suffix for p in tmp_path.iterdir()] == [".tables"]

    def no_build() -> None:
        raise AssertionError("the tables were built again instead of read")

    _fresh(monkeypatch, tmp_path)
    monkeypatch.setattr(gazetteer, "_build_tables", no_build)
    assert resolve("Montpellier") == built
    assert resolve("München").label == "Munich, DE"  # an alternate name: the second file
    assert gazetteer.geocode("Kreuzberg, Berlin, Germany") is not None


def test_a_lookup_decodes_a_few_entries_not_every_city(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fresh(monkeypatch, tmp_path)
    resolve("Montpellier")  # builds the file
    _fresh(monkeypatch, tmp_path)
    assert resolve("Paris, TX").label == "Paris, TX, US"
    assert resolve("München").label == "Munich, DE"
    tables = gazetteer._gazetteer()._tables
    assert isinstance(tables, compact.Keyed)
    decoded = tables._decoded  # (table, bucket) → its entries: a few buckets of thousands
    assert {table for table, _ in decoded} == {"names", "alternates", "rows"}
    assert sum(len(entries) for entries in decoded.values()) < 1000


def test_unreadable_table_files_are_rebuilt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fresh(monkeypatch, tmp_path)
    expected = resolve("Paris, TX")
    for file in tmp_path.iterdir():
        file.write_bytes(b"not marshal data")
    _fresh(monkeypatch, tmp_path)
    assert resolve("Paris, TX") == expected
    assert resolve("Roma").label == "Rome, IT"


def test_an_unwritable_cache_folder_still_gives_places(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    _fresh(monkeypatch, blocked / "cache")
    assert resolve("Tokyo").country == "JP"
