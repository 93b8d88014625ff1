from __future__ import annotations

import io
from pathlib import Path

import pytest

from searcher.ingest import files


@pytest.mark.parametrize(
    ("size", "limit"),
    [
        (100, 1000),  # as looked at
        (100, 101),  # at the limit, to the byte: a file one byte too large is seen
        (100, 100),
        (100, 50),
        (10, 1000),  # grown since it was looked at: read on to its end
        (10, 60),  # grown past the limit
        (0, 1000),
        (300, 1000),  # shrunk
    ],
)
def test_a_bounded_read_gives_what_one_read_to_the_limit_gives(size: int, limit: int) -> None:
    data = bytes(range(100))
    assert files._read_bounded(io.BytesIO(data), size, limit) == data[:limit]


def test_a_post_is_read_whole_and_a_larger_one_refused(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_bytes(b"x" * 1000)
    assert files.read_post(post, tmp_path, 1000).data == b"x" * 1000
    refused = files.read_post(post, tmp_path, 999)
    assert refused.data is None
    assert refused.reason == "larger than 999 bytes"
