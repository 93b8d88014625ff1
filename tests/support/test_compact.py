"""Compact files: plain values written whole or not at all, and keyed files whose values are
each read with a few others, not with the whole file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.support import compact


def test_a_value_is_read_back(tmp_path: Path) -> None:
    path = tmp_path / "value.bin"
    assert compact.write(path, {"words": ["a", "b"], "counts": (1, 2)})
    assert compact.read(path) == {"words": ["a", "b"], "counts": (1, 2)}
    assert compact.read(tmp_path / "missing.bin") is None
    assert not compact.write(tmp_path / "v.bin", object())  # marshal cannot write it


KEYS = st.one_of(st.text(max_size=12), st.integers(-(2**40), 2**40))
VALUES = st.one_of(st.none(), st.integers(), st.text(max_size=8),
                   st.lists(st.integers(), max_size=4).map(tuple))  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(
    head=st.dictionaries(st.text(max_size=4), st.integers(), max_size=4),
    tables=st.dictionaries(
        st.sampled_from(["names", "rows", "other"]),
        st.dictionaries(KEYS, VALUES, max_size=300),
        max_size=3,
    ),
)
def test_every_key_is_found_in_its_table_and_no_other(
    tmp_path_factory: pytest.TempPathFactory,
    head: dict[str, int],
    tables: dict[str, dict[compact.Key, object]],
) -> None:
    path = tmp_path_factory.mktemp("keyed") / "tables"
    assert compact.write_keyed(path, head, tables)
    keyed = compact.Keyed.open(path)
    assert keyed is not None and keyed.head == head and keyed.tables() == list(tables)
    for name, table in tables.items():
        assert dict(keyed.items(name)) == table
        for key, value in table.items():
            assert keyed.get(name, key, "absent") == value
        others = {k for t in tables.values() for k in t} - set(table)
        assert all(keyed.get(name, k, "absent") == "absent" for k in others)


@pytest.mark.parametrize("mapped", [False, True])
def test_a_lookup_decodes_only_its_bucket(tmp_path: Path, mapped: bool) -> None:
    path = tmp_path / "tables"
    words = {f"word{i}": i for i in range(10_000)}
    assert compact.write_keyed(path, None, {"words": words})
    keyed = compact.Keyed.open(path, mapped=mapped)
    assert keyed is not None
    assert keyed.get("words", "word1234") == 1234
    assert keyed.get("words", "missing") is None
    decoded = sum(len(bucket) for bucket in keyed._decoded.values())
    assert 0 < decoded < 500  # a bucket or two of ~64 keys, not 10,000


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",  # empty
        lambda data: b"not a keyed file at all",
        lambda data: data[:-10],  # cut short
        lambda data: data[:4] + b"\xff" * 8 + data[12:],  # a header length past the end
        lambda data: data[:14] + b"\x00" * 20 + data[34:],  # a broken header
    ],
)
def test_a_damaged_keyed_file_is_refused(tmp_path: Path, damage: object) -> None:
    path = tmp_path / "tables"
    assert compact.write_keyed(path, {"n": 1}, {"t": {str(i): i for i in range(500)}})
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert compact.Keyed.open(path) is None
    assert compact.Keyed.open(path, mapped=True) is None
    assert compact.Keyed.open(tmp_path / "missing") is None


def test_an_unwritable_folder_writes_nothing(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    assert not compact.write_keyed(blocked / "tables", None, {"t": {"a": 1}})
    assert not compact.write(blocked / "value", 1)
