"""Posts for benchmarks: the shared corpora read once, and larger sets re-sampled from them.

Larger corpora are made by drawing real posts with replacement, never by inventing text; each
copy gets a unique path so that every engine indexes it as a separate document. Copies share
their text with the original, so 60,000 re-sampled posts cost little more memory than 6,000.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from searcher import ingest
from searcher.models import Post

DEFAULT_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
SEED = 42


@dataclass(frozen=True)
class Corpus:
    """A list of posts and how it was made (``resampled`` is true for drawn copies)."""

    name: str
    posts: list[Post]
    resampled: bool

    @property
    def text_mb(self) -> float:
        """Megabytes of body text (UTF-8), the figure that drives index size and build time."""
        return sum(len(p.text.encode()) for p in self.posts) / 1e6


def folders(corpora_dir: Path) -> list[Path]:
    """The corpus folders in ``corpora_dir``, in name order."""
    return sorted(p for p in corpora_dir.iterdir() if p.is_dir())


def load(corpora_dir: Path = DEFAULT_CORPORA) -> Corpus:
    """Every published post of every corpus folder, paths prefixed by the folder's name.

    The prefix is what ``blogsearch index`` does with several sources; it keeps paths unique.
    """
    posts: list[Post] = []
    for folder in folders(corpora_dir):
        for post in ingest.scan([folder], drafts=False):
            posts.append(replace(post, path=f"{folder.name}/{post.path}"))
    return Corpus(name="corpora", posts=posts, resampled=False)


def resample(posts: Sequence[Post], count: int, seed: int = SEED) -> Corpus:
    """``count`` posts drawn from ``posts`` with replacement, the i-th at ``r{i:06d}/<path>``."""
    if not posts:
        raise ValueError("cannot re-sample an empty corpus")
    rng = random.Random(seed)
    picks = [rng.randrange(len(posts)) for _ in range(count)]
    copies = [replace(posts[j], path=f"r{i:06d}/{posts[j].path}") for i, j in enumerate(picks)]
    return Corpus(name=f"resampled-{count}", posts=copies, resampled=True)
