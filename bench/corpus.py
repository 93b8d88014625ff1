"""Posts for benchmarks: the shared corpora read once, and larger sets re-sampled from them.

Larger corpora are made by drawing real posts with replacement, never by inventing text; each
copy gets a unique path so that every engine indexes it as a separate document. Copies share
their text with the original, so 60,000 re-sampled posts cost little more memory than 6,000.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from searcher.ingest.reader import scan, walk
from searcher.models import Post

DEFAULT_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
SEED = 42
KM_PER_DEGREE = 6371.0088 * math.pi / 180  # along a meridian


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


def folders(corpora_dir: Path, names: Sequence[str] | None = None) -> list[Path]:
    """The corpus folders in ``corpora_dir`` (only ``names`` if given), in name order."""
    return sorted(p for p in corpora_dir.iterdir() if p.is_dir() and (not names or p.name in names))


def load(corpora_dir: Path = DEFAULT_CORPORA) -> Corpus:
    """Every published post of every corpus folder, paths prefixed by the folder's name.

    The prefix is what ``blogsearch index`` does with several sources; it keeps paths unique.
    """
    posts: list[Post] = []
    for folder in folders(corpora_dir):
        for post in scan([folder], drafts=False):
            posts.append(replace(post, path=f"{folder.name}/{post.path}"))
    return Corpus(name="corpora", posts=posts, resampled=False)


def post_files(
    corpora_dir: Path = DEFAULT_CORPORA, names: Sequence[str] | None = None
) -> list[Path]:
    """Every post file of the corpus folders, as ``blogsearch index`` finds them, in order."""
    return [path for folder in folders(corpora_dir, names) for path in walk(folder)]


def resample_files(
    dest: Path,
    count: int,
    seed: int = SEED,
    corpora_dir: Path = DEFAULT_CORPORA,
    names: Sequence[str] | None = None,
) -> list[Path]:
    """Copy ``count`` post files drawn with replacement to ``dest/c{n:02d}/<corpus>/<path>``.

    The i-th copy is byte for byte the file drawn i-th, so an indexer reads real posts, each
    under its own path: the n-th draw of a file goes to the n-th copy of the corpora's own
    folder layout, as if several blogs had been archived side by side (one folder per copy
    made 60,000 files into 279,000 folders, a walk no real archive needs). A smaller ``count``
    with the same seed gives the first copies of a larger one. Only the corpora ``names`` are
    drawn from, if given. Returns the copies in order.
    """
    files = post_files(corpora_dir, names)
    if not files:
        raise ValueError(f"cannot re-sample: no post files in {corpora_dir}")
    rng = random.Random(seed)
    picks = [rng.randrange(len(files)) for _ in range(count)]
    contents: dict[int, bytes] = {}
    drawn: dict[int, int] = {}
    copies = []
    for j in picks:
        drawn[j] = drawn.get(j, -1) + 1
        copy = dest / f"c{drawn[j]:02d}" / files[j].relative_to(corpora_dir)
        copy.parent.mkdir(parents=True, exist_ok=True)
        if j not in contents:
            contents[j] = files[j].read_bytes()
        copy.write_bytes(contents[j])
        copies.append(copy)
    return copies


def resample(posts: Sequence[Post], count: int, seed: int = SEED) -> Corpus:
    """``count`` posts drawn from ``posts`` with replacement, the i-th at ``r{i:06d}/<path>``."""
    if not posts:
        raise ValueError("cannot re-sample an empty corpus")
    rng = random.Random(seed)
    picks = [rng.randrange(len(posts)) for _ in range(count)]
    copies = [replace(posts[j], path=f"r{i:06d}/{posts[j].path}") for i, j in enumerate(picks)]
    return Corpus(name=f"resampled-{count}", posts=copies, resampled=True)


def located(posts: Sequence[Post]) -> list[Post]:
    """The posts that carry a point (public or private), in their order."""
    return [p for p in posts if p.location is not None and p.location.has_point]


def resample_located(
    posts: Sequence[Post],
    count: int,
    seed: int = SEED,
    *,
    jitter_km: tuple[float, float] = (1.0, 20.0),
    uniform_share: float = 0.1,
) -> Corpus:
    """``count`` located posts re-sampled from the located ``posts``, for geographic benchmarks.

    Posts are drawn as by :func:`resample`. Each copy then gets a point re-sampled from the real
    points (the point of a random located post, so places with many posts weigh more) moved by
    Gaussian noise whose scale is log-uniform in ``jitter_km``; a ``uniform_share`` of copies
    instead get a point uniform over the globe. Points are rounded to 1e-7 degrees (about 1 cm).
    The copy keeps its post's ``public`` flag and address.
    """
    real = located(posts)
    if not real:
        raise ValueError("cannot re-sample points: no post has one")
    drawn = resample(real, count, seed).posts
    rng = random.Random(seed + 1)
    points = [(p.location.lat, p.location.lon) for p in real if p.location]
    copies = []
    for post in drawn:
        assert post.location is not None
        if rng.random() < uniform_share:
            lat, lon = uniform_point(rng)
        else:
            base_lat, base_lon = rng.choice(points)
            assert base_lat is not None and base_lon is not None
            lat, lon = jittered(rng, base_lat, base_lon, jitter_km)
        where = replace(post.location, lat=round(lat, 7), lon=round(lon, 7))
        copies.append(replace(post, locations=(where,)))
    return Corpus(name=f"resampled-located-{count}", posts=copies, resampled=True)


def uniform_point(rng: random.Random) -> tuple[float, float]:
    """A point uniform over the sphere (equal area, not equal degrees)."""
    lat = math.degrees(math.asin(rng.uniform(-1.0, 1.0)))
    return lat, rng.uniform(-180.0, 180.0)


def jittered(
    rng: random.Random, lat: float, lon: float, scale_km: tuple[float, float]
) -> tuple[float, float]:
    """(lat, lon) moved by 2-D Gaussian noise of a log-uniform scale; wraps and clamps."""
    sigma = math.exp(rng.uniform(math.log(scale_km[0]), math.log(scale_km[1])))
    north, east = rng.gauss(0.0, sigma), rng.gauss(0.0, sigma)
    lat2 = lat + north / KM_PER_DEGREE
    cos_lat = max(math.cos(math.radians(lat2)), 1e-6)
    lon2 = lon + east / (KM_PER_DEGREE * cos_lat)
    lat2 = max(-90.0, min(90.0, lat2))
    lon2 = (lon2 + 180.0) % 360.0 - 180.0
    return lat2, lon2


def without_locations(posts: Sequence[Post]) -> list[Post]:
    """The same posts with no location: what an index costs without its geographic fields."""
    return [replace(p, locations=()) for p in posts]
