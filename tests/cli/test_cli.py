"""The command line, driven in-process with click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import CONTENT, FIXTURES, GOLDEN

from searcher.cli.commands import main


@pytest.fixture
def run() -> CliRunner:
    return CliRunner()


def test_inspect_json_has_the_documented_keys(run: CliRunner) -> None:
    result = run.invoke(
        main, ["inspect", str(CONTENT / "_posts/2011-03-01-cloud-paris.md"), "--json"]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert list(record) == [
        "path", "title", "date", "tags", "categories", "lang", "url", "draft", "location",
        "locations", "text", "warnings",
    ]  # fmt: skip
    assert record["path"] == "_posts/2011-03-01-cloud-paris.md"
    assert record["location"]["public"] is False and record["lang"] == "fr"


def test_inspect_text_shows_warnings(run: CliRunner) -> None:
    result = run.invoke(main, ["inspect", str(GOLDEN / "2019-05-04-broken-yaml.md")])
    assert result.exit_code == 0
    assert "warning" in result.output and "front-matter" in result.output
    assert "2019-05-04" in result.output


def test_inspect_skipped_file(run: CliRunner, tmp_path: Path) -> None:
    binary = tmp_path / "x.md"
    binary.write_bytes(b"\x00\x01")
    result = run.invoke(main, ["inspect", str(binary)])
    assert (result.exit_code, result.output.strip()) == (0, "x.md: skipped (binary file)")


def test_inspect_an_export_shows_each_item(run: CliRunner) -> None:
    """A WordPress export given to inspect was read as one Markdown post of its XML text."""
    result = run.invoke(main, ["inspect", str(GOLDEN / "wxr-post-formats.xml"), "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)  # one document: the list of the export's items
    assert len(records) > 1 and all(r["path"].startswith("wxr-post-formats.xml/") for r in records)
    assert not any("<item>" in r.get("text", "") for r in records)


def test_scan_summary(run: CliRunner) -> None:
    result = run.invoke(main, ["scan", str(CONTENT)])
    assert result.exit_code == 0
    assert "16 files read, 15 posts, 1 draft left out, 0 skipped" in result.output


def test_scan_with_warnings_still_exits_zero(run: CliRunner) -> None:
    result = run.invoke(main, ["scan", str(GOLDEN)])
    assert result.exit_code == 0
    assert "2019-05-04-broken-yaml.md: front-matter" in result.output
    assert "warning     4  bad-coordinates" in result.output


def test_scan_json_lines(run: CliRunner) -> None:
    result = run.invoke(main, ["scan", str(CONTENT), "--json", "--drafts"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 17 and all("path" in line for line in lines)


def test_scan_refuses_xml_bomb_without_failing(run: CliRunner) -> None:
    result = run.invoke(main, ["scan", str(FIXTURES / "bomb.xml")])
    assert result.exit_code == 0 and "refused unsafe XML" in result.output


@pytest.mark.parametrize(
    "args",
    [["scan", "/nonexistent/folder"], ["inspect", "/nonexistent.md"], ["scan", "--max-size", "0"]],
)
def test_unusable_arguments_exit_2(run: CliRunner, args: list[str]) -> None:
    result = run.invoke(main, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_every_command_has_help(run: CliRunner) -> None:
    ctx = click.Context(main)
    names = main.list_commands(ctx)
    assert {"index", "query", "near", "complete", "serve"} <= set(names)
    for name in names:
        command = main.get_command(ctx, name)  # imported on first use
        assert command is not None and command.help, name
        assert run.invoke(main, [name, "--help"]).exit_code == 0


# --- index, query, near, stats -----------------------------------------------------------


def test_index_then_query_json(run: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "ix"
    built = run.invoke(main, ["index", str(CONTENT), "--index-dir", str(target)])
    assert built.exit_code == 0, built.output
    assert "indexed 15 posts" in built.output
    result = run.invoke(main, ["query", "cloud paris", "--json", "--index-dir", str(target)])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert list(data) == ["query", "total", "hits"]
    hit = data["hits"][0]
    assert list(hit) == ["path", "title", "url", "date", "tags", "categories", "lang", "score",
                         "snippet", "location", "locations", "distance_km"]  # fmt: skip
    assert hit["path"] == "_posts/2011-03-01-cloud-paris.md"
    assert hit["location"]["public"] is False  # the CLI's owner audience marks it private


def test_index_dir_from_environment(run: CliRunner, tmp_path: Path) -> None:
    env = {"BLOGSEARCH_INDEX": str(tmp_path / "env-ix")}
    assert run.invoke(main, ["index", str(CONTENT), "-q"], env=env).exit_code == 0
    result = run.invoke(main, ["stats", "--json"], env=env)
    assert json.loads(result.output)["posts"] == 15


def test_first_query_on_a_fresh_checkout_builds_the_index(
    run: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    shutil.copytree(CONTENT, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BLOGSEARCH_INDEX", raising=False)
    result = run.invoke(main, ["query", "cloud paris"])
    assert result.exit_code == 0, result.output
    assert "No index yet: building index/ from content/" in result.stderr
    assert "Cloud computing : trois jours de conférence à Paris" in result.stdout
    assert (tmp_path / "index").is_dir()
    again = run.invoke(main, ["query", "cloud paris"])
    assert "No index yet" not in again.stderr


def test_near_text_output(run: CliRunner, content_index: Path) -> None:
    result = run.invoke(
        main, ["near", "43.48", "3.67", "--limit", "2", "--index-dir", str(content_index)]
    )
    assert result.exit_code == 0
    assert (
        "Cloud computing" in result.output
        and "away" in result.output
        and "(private)" in result.output
    )


def test_near_negative_coordinates_are_not_options(run: CliRunner, content_index: Path) -> None:
    result = run.invoke(
        main, ["near", "-17.7", "-179.95", "--json", "--index-dir", str(content_index)]
    )
    assert result.exit_code == 0, result.output
    assert (
        json.loads(result.output)["hits"][0]["path"] == "posts/ferry-across-the-date-line/index.md"
    )


def test_stats_text(run: CliRunner, content_index: Path) -> None:
    result = run.invoke(main, ["stats", "--index-dir", str(content_index)])
    assert result.exit_code == 0 and "15 posts, 12 located (2 private)" in result.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["query", ""], 2, "empty query"),
        (["query", "!!!"], 2, "nothing to search"),
        (["query", "date:yesterday"], 2, "not a date"),
        (["near", "95", "0"], 2, "latitude 95"),
        (["near", "abc", "3"], 2, "not a number"),
        (["query", "x", "--limit", "0"], 2, "limit"),
        (["query", "x", "--bogus"], 2, "No such option '--bogus'"),
        (["query", "x", "--audience", "everyone"], 2, "'everyone' is not one of"),
        (["query", "x", "--limit", "many"], 2, "'many' is not a valid integer"),
        (["nosuch"], 2, "No such command 'nosuch'"),
        (["near"], 2, "Missing argument"),
        (["index", "/nonexistent/blog"], 2, "does not exist"),
        (["map", "-o", "missing/x.png"], 2, "missing/x.png"),
        (["map", "-o", "x.gif"], 2, "must end in .png"),
        (["query", "x", "--within", "/nonexistent.geojson"], 2, "does not exist"),
    ],
)
def test_errors_are_one_line(
    run: CliRunner, content_index: Path, args: list[str], code: int, message: str
) -> None:
    result = run.invoke(main, [*args, "--index-dir", str(content_index)])
    assert result.exit_code == code
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output
    assert message in result.output


def test_a_picture_that_cannot_be_written_is_one_line(
    run: CliRunner, content_index: Path, tmp_path: Path
) -> None:
    (tmp_path / "taken.png").mkdir()  # a folder where the picture should go
    result = run.invoke(main, ["map", "-o", str(tmp_path / "taken.png"),
                               "--index-dir", str(content_index)])  # fmt: skip
    assert result.exit_code in (1, 2) and result.output.count("\n") == 1, result.output
    assert result.output.startswith("Error: ") and "taken.png" in result.output


def test_an_unexpected_failure_is_one_line_too(
    run: CliRunner, content_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something nobody foresaw")

    monkeypatch.setattr("searcher.api.Index.stats", broken)
    result = run.invoke(main, ["stats", "--index-dir", str(content_index)])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert "RuntimeError: something nobody foresaw" in result.output
    monkeypatch.setenv("BLOGSEARCH_DEBUG", "1")  # the traceback, for a bug report
    result = run.invoke(main, ["stats", "--index-dir", str(content_index)])
    assert isinstance(result.exception, RuntimeError)


def test_missing_index_exits_1(run: CliRunner, tmp_path: Path) -> None:
    result = run.invoke(main, ["query", "cloud", "--index-dir", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: no index in")


# --- geo: places, shapes, sorts, GeoJSON and maps ------------------------------------------


def test_near_a_place_says_which_place(run: CliRunner, content_index: Path) -> None:
    result = run.invoke(
        main, ["near", "Montpellier", "--limit", "1", "--index-dir", str(content_index)]
    )
    assert result.exit_code == 0
    assert "near Montpellier, FR (43.6109, 3.8763)" in result.stderr
    assert "Ce que racontent les compteurs vélo de Montpellier" in result.stdout


@pytest.mark.parametrize(
    "words",
    [["cloud", "-paris"], ["-paris"], ["cloud", "-paris", "-toronto"], ["-Paris", "cloud"]],
)
@pytest.mark.parametrize("command", [["query"], ["near", "43.48", "3.67"]])
def test_an_excluded_word_is_not_read_as_an_option(
    run: CliRunner, content_index: Path, command: list[str], words: list[str]
) -> None:
    """``blogsearch query cloud -paris`` as the query language writes it (click read
    ``-paris`` as options -p -a -r…: "No such option '-p'")."""
    base = [*command, "--json", "--index-dir", str(content_index)]
    result = run.invoke(main, [*base, *words])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(run.invoke(main, [*base, "--", *words]).stdout)


def test_a_mistyped_option_is_still_an_error(run: CliRunner, content_index: Path) -> None:
    result = run.invoke(main, ["query", "cloud", "--limt", "2", "--index-dir", str(content_index)])
    assert result.exit_code == 2
    assert "No such option '--limt'" in result.output and "--limit" in result.output
    result = run.invoke(main, ["near", "--limt", "2", "Paris", "--index-dir", str(content_index)])
    assert result.exit_code == 2 and "No such option '--limt'" in result.output


@pytest.mark.parametrize(
    ("where", "place", "text"),
    [
        (["San", "Francisco"], "San Francisco, US", None),  # not San (Mali) and "Francisco"
        (["San", "Francisco", "cycling"], "San Francisco, US", "cycling"),
        (["Paris,", "FR", "cloud", "paris"], "Paris, FR", "cloud paris"),
        (["Rio", "de", "Janeiro"], "Rio de Janeiro, BR", None),
        (["Montpellier", "compteurs", "vélo"], "Montpellier, FR", "compteurs vélo"),
    ],
)
def test_near_a_place_of_several_words_typed_unquoted(
    run: CliRunner, content_index: Path, where: list[str], place: str, text: str | None
) -> None:
    result = run.invoke(main, ["near", *where, "--json", "--index-dir", str(content_index)])
    assert result.exit_code == 0, result.output
    assert f"near {place} (" in result.stderr
    assert json.loads(result.stdout)["query"] == (text or f"near {place}")


@pytest.mark.parametrize(
    "args", [["near", "43°29'N", "3°40'E"], ["query", "--near", "43°29'N 3°40'E"]]
)
def test_a_centre_in_degrees_and_minutes(
    run: CliRunner, content_index: Path, args: list[str]
) -> None:
    expected = run.invoke(
        main, ["near", "43.4833", "3.6667", "--json", "--index-dir", str(content_index)]
    )
    result = run.invoke(main, [*args, "--json", "--index-dir", str(content_index)])
    assert result.exit_code == 0, result.output
    found = [hit["path"] for hit in json.loads(result.stdout)["hits"]]
    assert found and found == [hit["path"] for hit in json.loads(expected.stdout)["hits"]]


def test_query_with_near_radius_and_sort(run: CliRunner, content_index: Path) -> None:
    args = ["query", "date:[2000 TO 2030]", "--near", "Paris, FR", "--radius", "800km", "--sort",
            "distance", "--json", "--index-dir", str(content_index)]  # fmt: skip
    data = json.loads(run.invoke(main, args).stdout)
    distances = [h["distance_km"] for h in data["hits"]]
    from searcher.geo import gazetteer, haversine_km
    from searcher.ingest.reader import scan

    paris = gazetteer.resolve("Paris, FR")
    expected = sorted(
        haversine_km(paris.lat, paris.lon, p.location.lat, p.location.lon)
        for p in scan([CONTENT])
        if p.location and p.location.lat is not None and p.location.lon is not None
    )
    expected = [d for d in expected if d <= 800]
    assert len(distances) == data["total"] == len(expected) > 2
    assert all(abs(a - b) < 0.001 for a, b in zip(distances, expected, strict=True))


def test_unquoted_words_are_one_query(run: CliRunner, content_index: Path) -> None:
    result = run.invoke(
        main, ["query", "cloud", "paris", "--json", "--index-dir", str(content_index)]
    )
    assert json.loads(result.stdout)["query"] == "cloud paris"


def test_geojson_is_a_feature_collection(run: CliRunner, content_index: Path) -> None:
    result = run.invoke(
        main, ["near", "43.48", "3.67", "--geojson", "--index-dir", str(content_index)]
    )
    data = json.loads(result.stdout)
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 10
    first = data["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [3.67669, 43.484082]}
    assert first["properties"]["public"] is False and first["properties"]["distance_km"] < 1


def test_within_and_bbox_options(run: CliRunner, content_index: Path) -> None:
    args = ["query", "date:[2000 TO 2030]", "--within", str(FIXTURES / "berlin-munich.wkt"),
            "--bbox", "47,10,53,14", "--json", "--index-dir", str(content_index)]  # fmt: skip
    assert json.loads(run.invoke(main, args).stdout)["total"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["near", "Nowhereville Xyz"], "no place called"),
        (["query", "x", "--near", "Nowhereville Xyz"], "no place called"),
        (["query", "x", "--bbox", "1,2"], "four numbers"),
        (["query", "x", "--radius", "5km"], "needs a centre"),
        (["near", "43.5"], "both a latitude and a longitude"),
    ],
)
def test_geo_usage_errors(
    run: CliRunner, content_index: Path, args: list[str], message: str
) -> None:
    result = run.invoke(main, [*args, "--index-dir", str(content_index)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("suffix", [".svg", ".html", ".png"])
def test_map_pictures(run: CliRunner, content_index: Path, tmp_path: Path, suffix: str) -> None:
    picture = tmp_path / f"where{suffix}"
    result = run.invoke(main, ["map", "-o", str(picture), "--index-dir", str(content_index)])
    assert result.exit_code == 0, result.output
    assert "drew 12 posts" in result.output
    data = picture.read_bytes()
    if suffix == ".png":
        assert data.startswith(b"\x89PNG")
    else:
        assert data.count(b"<circle") == 12 and b"<script" not in data


def test_map_of_a_query_in_public(run: CliRunner, content_index: Path, tmp_path: Path) -> None:
    picture = tmp_path / "cloud.svg"
    args = [
        "map",
        "cloud",
        "-o",
        str(picture),
        "--audience",
        "public",
        "--index-dir",
        str(content_index),
    ]
    result = run.invoke(main, args)
    assert "drew 0 posts" in result.output  # the cloud post's place is private


# --- typos, suggestions, completion, similar posts -------------------------------------------


def test_misspelt_query_finds_the_post_and_suggests(run: CliRunner, content_index: Path) -> None:
    result = run.invoke(
        main, ["query", "clod", "paris", "--json", "--index-dir", str(content_index)]
    )
    data = json.loads(result.stdout)
    assert data["suggestion"] == "cloud paris"
    assert data["hits"][0]["path"] == "_posts/2011-03-01-cloud-paris.md"
    text = run.invoke(main, ["query", "clod paris", "--index-dir", str(content_index)]).stdout
    assert text.startswith("Did you mean: cloud paris?")


def test_exact_matches_rank_above_typo_matches(content_index: Path) -> None:
    import searcher

    with searcher.open_index(content_index, audience="owner") as index:
        exact = index.search("cloud")
        typo = index.search("clouds")  # a real word in one post, and close to "cloud"
    assert exact.suggestion is None and exact.hits[0].path == "_posts/2011-03-01-cloud-paris.md"
    assert typo.total >= 1


def test_complete_command(run: CliRunner, content_index: Path) -> None:
    found = json.loads(
        run.invoke(main, ["complete", "clo", "--json", "--index-dir", str(content_index)]).stdout
    )
    title = "Cloud computing : trois jours de conférence à Paris"
    assert found[0] == {"kind": "title", "text": title, "path": "_posts/2011-03-01-cloud-paris.md"}
    assert {"kind": "term", "text": "cloud", "count": 2} in found


def test_similar_command(run: CliRunner, content_index: Path) -> None:
    args = [
        "similar",
        "_posts/2011-03-01-cloud-paris.md",
        "--json",
        "--index-dir",
        str(content_index),
    ]
    data = json.loads(run.invoke(main, args).stdout)
    assert data["hits"] and all(
        h["path"] != "_posts/2011-03-01-cloud-paris.md" for h in data["hits"]
    )
    missing = run.invoke(main, ["similar", "nope.md", "--index-dir", str(content_index)])
    assert missing.exit_code == 2 and "no post at 'nope.md'" in missing.output


def test_complete_command_counts_posts_in_words(run: CliRunner, content_index: Path) -> None:
    out = run.invoke(main, ["complete", "ber", "--index-dir", str(content_index)]).stdout
    lines = out.splitlines()
    assert "Berlin  (1 post)" in lines and not any("1 posts" in line for line in lines)


@pytest.mark.parametrize(
    ("rebuilt", "indexed", "removed", "unchanged", "expected"),
    [
        (True, 1, 0, 0, "indexed 1 post into idx/"),
        (True, 15, 0, 0, "indexed 15 posts into idx/"),
        (False, 1, 0, 1, "updated idx/: 1 post written, 0 removed, 1 file unchanged"),
        (False, 0, 2, 14, "updated idx/: 0 posts written, 2 removed, 14 files unchanged"),
        (False, 0, 0, 1, "idx/ is up to date (1 file unchanged)"),
    ],
)
def test_index_report_counts_in_words(
    rebuilt: bool, indexed: int, removed: int, unchanged: int, expected: str
) -> None:
    import io
    from types import SimpleNamespace

    from searcher.cli import render

    report = SimpleNamespace(rebuilt=rebuilt, indexed=indexed, removed=removed,
                             unchanged=unchanged, index_dir="idx")  # fmt: skip
    out = io.StringIO()
    render.print_report(report, quiet=True, stream=out)
    assert out.getvalue().strip() == expected
