"""Load on ``blogsearch serve``: sustained requests per second and latency, mixed text and geo.

It indexes the shared corpora (an existing index is only updated), starts ``blogsearch serve``
on 127.0.0.1, and for ``--duration`` seconds keeps ``--concurrency`` keep-alive connections
busy with a fixed, seeded mix of requests: text searches (filters, sorts, pages), geographic
ones (near a point or a named place, within a radius, in a box, by distance), the HTML page
with its map, completions and stats. A ``--warmup`` run first is not counted. It stops
by itself: at the deadline, after ``--max-requests``, or at a hard timeout, then stops the
server. Figures go to stdout and to ``<out>/web-load-<time>.json``.

``--expensive N`` adds N connections that send only the most expensive queries anyone can
type (a match-all, negations alone, stemless wildcards, thousand-character pastes): the
figures are then those of the ordinary requests, whether they are held up behind the
expensive ones, and the errors of both (a refused query, 400, is an answer; a 5xx or no
answer within 10 s is an error). ``--index DIR --no-build`` serves an existing index as it
is, such as one of 60,000 posts re-sampled from the shared corpora.

Run from the repository root::

    python bench/web_load.py [--workers 2] [--concurrency 16] [--duration 30] [--expensive 2]

The client is a small asyncio HTTP/1.1 client, not httpx: on a 2-core machine every cycle the
client spends is one the server does not get. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import corpus

from searcher import indexer

HOST = "127.0.0.1"
OUT = Path(__file__).resolve().parent / "out"
TARGET_RPS = 200
REQUEST_TIMEOUT_S = 10.0
SEED = 42

WORDS = ["release", "rust", "ruby", "security", "async await", "borrow checker", "compiler",
         '"pattern matching"', "cargo registry", "webassembly", "performance", "sabredav",
         "webdav", "php", "javascript", "typescript", "http", "toronto", "conference", "cloud",
         "petals", "java", "soa", "rubygems security", "ruby 2.7 released", "rust 2018 edition",
         "macro", "unsafe", "trait", "gem", "sécurité", "version", "bug fix", "docs"]  # fmt: skip
PREFIXES = ["ru", "rel", "sec", "web", "tor", "asy", "com", "perf", "jav", "conf", "cl", "http"]
CENTRES = [(43.6532, -79.3832), (45.5017, -73.5673), (40.7128, -74.0060), (52.3676, 4.9041),
           (19.4326, -99.1332), (35.6762, 139.6503), (43.6108, 3.8767), (-34.6037, -58.3816),
           (51.5074, -0.1278), (37.7749, -122.4194)]  # fmt: skip
PLACES = ["Toronto", "Montreal", "Amsterdam", "New York", "Tokyo", "Mexico City"]
BOXES = ["40,-80,50,-70", "35,-125,50,-65", "45,-10,60,20", "30,120,45,150", "-60,-180,84,180"]
MIX = {"text": 40, "geo": 40, "page": 10, "complete": 9, "stats": 1}  # shares of requests
_WORDS = (
    "release security ruby rails performance memory garbage collector thread fiber "
    "compiler parser syntax error warning deprecation update version patch bug fix"
).split()
EXPENSIVE = ["*", "body:*", "* -ruby", "ruby *", "???*", "-ruby", "NOT ruby NOT rust", "a*",
             "r*", "*ing", "*a*", "tag:*", " OR ".join(_WORDS * 6)[:1000],
             " ".join(_WORDS * 7)[:1000],
             ("secruity relase perfromance rubby " * 28)[:1000], ('"ruby rails" ' * 80)[:1000],
             ("ruby* " * 160)[:1000], ("ru?y " * 200)[:1000], "(" * 200 + "ruby" + ")" * 200,
             "</b><script>alert(1)</script>" * 30]  # fmt: skip


def text_request(rng: random.Random) -> str:
    query: dict[str, Any] = {"q": rng.choice(WORDS)}
    roll = rng.random()
    if roll < 0.2:
        query["page"] = rng.randint(2, 4)
    elif roll < 0.35:
        query["sort"] = rng.choice(["date", "date-asc"])
    elif roll < 0.45:
        query["lang"] = rng.choice(["en", "fr", "ja", "de"])
    elif roll < 0.5:
        query["facets"] = 1
    return "/api/search?" + urlencode(query)


def geo_request(rng: random.Random) -> str:
    lat, lon = rng.choice(CENTRES)
    kind = rng.randrange(5)
    if kind == 0:
        return "/api/near?" + urlencode({"lat": lat, "lon": lon, "limit": 10})
    if kind == 1:
        radius = rng.choice(["20km", "100km", "500km", "2000km"])
        query = {"near": f"{lat},{lon}", "radius": radius, "sort": "distance"}
        return "/api/search?" + urlencode(query)
    if kind == 2:
        query = {"bbox": rng.choice(BOXES), "sort": rng.choice(["date", "relevance"])}
        return "/api/search?" + urlencode(query)
    if kind == 3:
        query = {"q": rng.choice(WORDS), "near": rng.choice(PLACES), "sort": "distance"}
        return "/api/search?" + urlencode(query)
    return "/api/near?" + urlencode({"near": rng.choice(PLACES), "radius": "300km"})


def page_request(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "/?" + urlencode({"q": rng.choice(WORDS)})
    return "/?" + urlencode({"near": rng.choice(PLACES), "radius": "200km", "sort": "distance"})


def expensive_mix(count: int) -> list[tuple[str, str]]:
    """The expensive queries, again and again, as searches and pages."""
    made = []
    for i in range(count):
        text = EXPENSIVE[i % len(EXPENSIVE)]
        endpoint = "/?" if (i // len(EXPENSIVE)) % 2 else "/api/search?"
        made.append(("expensive", endpoint + urlencode({"q": text})))
    return made


def requests_mix(count: int, seed: int = SEED) -> list[tuple[str, str]]:
    """(kind, path) pairs in a fixed order, drawn with the shares of ``MIX``."""
    rng = random.Random(seed)
    kinds, weights = zip(*MIX.items(), strict=True)
    made: list[tuple[str, str]] = []
    for kind in rng.choices(kinds, weights, k=count):
        if kind == "text":
            path = text_request(rng)
        elif kind == "geo":
            path = geo_request(rng)
        elif kind == "page":
            path = page_request(rng)
        elif kind == "complete":
            path = "/api/complete?" + urlencode({"q": rng.choice(PREFIXES), "limit": 8})
        else:
            path = "/api/stats"
        made.append((kind, path))
    return made


# -- the client ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    kind: str
    started: float  # monotonic seconds
    latency_ms: float
    status: int  # 0: no answer (timeout, connection lost, unreadable)


async def fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    """One GET over a kept-alive connection; the status, once the whole body is read."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
        elif name.strip().lower() == "transfer-encoding":
            raise ValueError("chunked answers are not expected from this server")
    await reader.readexactly(length)
    return status


async def connection(
    port: int, work: list[tuple[str, str]], cursor: list[int], deadline: float, out: list[Sample]
) -> None:
    """One client: takes the next request from the shared list until the deadline."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        while time.monotonic() < deadline and cursor[0] < len(work):
            kind, path = work[cursor[0]]
            cursor[0] += 1
            started = time.monotonic()
            try:
                status = await asyncio.wait_for(fetch(reader, writer, path), REQUEST_TIMEOUT_S)
            except (OSError, ValueError, asyncio.IncompleteReadError, TimeoutError):
                status = 0
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
            out.append(Sample(kind, started, (time.monotonic() - started) * 1000, status))
    finally:
        writer.close()


async def drive(
    port: int,
    work: list[tuple[str, str]],
    concurrency: int,
    seconds: float,
    expensive: tuple[list[tuple[str, str]], int] = ([], 0),
) -> list[Sample]:
    """``concurrency`` connections working through ``work``, and the given number of others
    through the expensive requests, until ``seconds`` have passed."""
    samples: list[Sample] = []
    cursor, expensive_cursor = [0], [0]
    deadline = time.monotonic() + seconds
    clients = [connection(port, work, cursor, deadline, samples) for _ in range(concurrency)]
    clients += [connection(port, expensive[0], expensive_cursor, deadline, samples)
                for _ in range(expensive[1])]  # fmt: skip
    await asyncio.wait_for(asyncio.gather(*clients), timeout=seconds + 2 * REQUEST_TIMEOUT_S)
    return samples


# -- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(index_dir: Path, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).with_name("blogsearch")), "serve", "--index-dir",
               str(index_dir), "--host", HOST, "--port", str(port), "--workers", str(workers),
               "--no-access-log"]  # fmt: skip
    with log.open("wb") as sink:
        server = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"Error: blogsearch serve stopped at once; see {log}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit(f"Error: blogsearch serve did not listen within 120 s; see {log}")


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its children (uvicorn's workers)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            continue
    return total


# -- figures ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summarise(samples: list[Sample], start: float, window: float) -> dict[str, Any]:
    """Figures of the ordinary requests; the expensive ones' apart, their errors counted."""
    inside = [s for s in samples if start <= s.started < start + window]
    counted = [s for s in inside if s.kind != "expensive"]
    costly = [s for s in inside if s.kind == "expensive"]
    errors = [s for s in counted if s.status != 200]
    errors += [s for s in costly if s.status not in (200, 400)]  # refused is an answer
    latencies = [s.latency_ms for s in counted]
    by_kind: dict[str, list[float]] = defaultdict(list)
    for s in counted:
        by_kind[s.kind].append(s.latency_ms)
    return {
        "requests": len(counted),
        "rps": len(counted) / window,
        "errors": len(errors),
        "statuses": dict(Counter(s.status for s in counted)),
        "p50_ms": percentile(latencies, 50),
        "p90_ms": percentile(latencies, 90),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies, default=float("nan")),
        "mean_ms": statistics.fmean(latencies) if latencies else float("nan"),
        "kinds": {kind: {"requests": len(v), "p50_ms": percentile(v, 50),
                         "p99_ms": percentile(v, 99)} for kind, v in sorted(by_kind.items())},
        "expensive": {"requests": len(costly),
                      "statuses": dict(Counter(s.status for s in costly)),
                      "p50_ms": percentile([s.latency_ms for s in costly], 50),
                      "max_ms": max((s.latency_ms for s in costly), default=float("nan"))},
    }  # fmt: skip


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "loadavg_before": Path("/proc/loadavg").read_text().split()[:3],
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", type=Path, default=corpus.DEFAULT_CORPORA)
    parser.add_argument(
        "--index",
        type=Path,
        default=OUT / "web-index",
        help="index folder, built or updated first (default: bench/out/web-index)",
    )
    parser.add_argument("--workers", type=int, default=2, help="serve --workers (default: 2)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=16,
        help="kept-alive connections, spread by the kernel over the workers (default: 16)",
    )
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=5.0, help="uncounted seconds first")
    parser.add_argument("--max-requests", type=int, default=200_000, help="at most this many")
    parser.add_argument(
        "--expensive",
        type=int,
        default=0,
        help="more connections sending only the most expensive queries",
    )
    parser.add_argument(
        "--no-build",
        action="store_true",
        help="serve --index as it is (do not index the corpora into it)",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not (1 <= args.workers <= 16 and 1 <= args.concurrency <= 256):
        parser.error("--workers must be 1..16 and --concurrency 1..256")
    if not 0 <= args.expensive <= 64:
        parser.error("--expensive must be 0..64")
    if not (0 < args.duration <= 600 and 0 <= args.warmup <= 60 and args.max_requests > 0):
        parser.error("--duration must be 0..600 s, --warmup 0..60 s, --max-requests positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.no_build:
        folders = corpus.folders(args.corpora)
        names = ", ".join(f.name for f in folders)
        print(f"indexing {names} into {args.index}/ …", file=sys.stderr)
        report = indexer.build(folders, args.index, indexer.BuildOptions())
        print(f"  {report.indexed} posts written, {report.unchanged} unchanged", file=sys.stderr)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    port = free_port()
    before = machine()
    server = start_server(args.index, port, args.workers, args.out / f"web-load-{stamp}.log")
    try:
        if args.warmup:  # every worker opens the index and fills its caches: not counted
            warmup = requests_mix(args.max_requests, seed=SEED + 1)
            asyncio.run(drive(port, warmup, args.concurrency, args.warmup))
        work = requests_mix(args.max_requests)
        cpu_before, clock = tree_cpu_s(server.pid), time.monotonic()
        client_cpu = time.process_time()
        costly = (expensive_mix(args.max_requests), args.expensive)
        samples = asyncio.run(drive(port, work, args.concurrency, args.duration, costly))
        server_cpu_s = tree_cpu_s(server.pid) - cpu_before
        server_cores = server_cpu_s / (time.monotonic() - clock)
        client_cores = (time.process_time() - client_cpu) / (time.monotonic() - clock)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    start = min((s.started for s in samples), default=0.0)
    figures = summarise(samples, start, args.duration)
    result = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": before,
        "loadavg_after": Path("/proc/loadavg").read_text().split()[:3],
        "workers": args.workers,
        "concurrency": args.concurrency,
        "expensive_connections": args.expensive,
        "index": str(args.index),
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "mix": MIX,
        "server_cores_used": server_cores,
        # what the server could do with whole cores to itself, from the CPU time it got
        "requests_per_server_cpu_s": len(samples) / server_cpu_s if server_cpu_s else None,
        "client_cores_used": client_cores,
        "target_rps": TARGET_RPS,
        **figures,
    }
    path = args.out / f"web-load-{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print_figures(result)
    print(f"\nFigures: {path}")
    return 1 if figures["errors"] else 0


def print_figures(r: dict[str, Any]) -> None:
    met = "met" if r["rps"] >= r["target_rps"] else "NOT met"
    print(f"blogsearch serve --workers {r['workers']}, {r['concurrency']} connections, "
          f"{r['duration_s']:.0f} s measured after {r['warmup_s']:.0f} s warm-up")  # fmt: skip
    print(f"  {r['rps']:.0f} requests/s sustained ({r['requests']} requests), "
          f"target {r['target_rps']}/s {met}")  # fmt: skip
    print(f"  latency p50 {r['p50_ms']:.1f} ms, p90 {r['p90_ms']:.1f} ms, "
          f"p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms")  # fmt: skip
    print(f"  errors {r['errors']}  statuses {r['statuses']}")
    if r["expensive_connections"]:
        e = r["expensive"]
        print(f"  the figures above are the ordinary requests'; {r['expensive_connections']} more "
              f"connections sent {e['requests']} expensive ones: statuses {e['statuses']}, "
              f"p50 {e['p50_ms']:.1f} ms, max {e['max_ms']:.1f} ms")  # fmt: skip
    per_cpu = r["requests_per_server_cpu_s"] or 0.0
    print(
        f"  CPU: server {r['server_cores_used']:.2f} cores ({per_cpu:.0f} requests per "
        f"CPU-second, so {per_cpu * r['workers']:.0f}/s with {r['workers']} idle cores), client "
        f"{r['client_cores_used']:.2f} cores; load average before "
        f"{' '.join(r['machine']['loadavg_before'])}, after {' '.join(r['loadavg_after'])}"
    )
    for kind, k in r["kinds"].items():
        print(f"  {kind:<9} {k['requests']:>6} requests  p50 {k['p50_ms']:6.1f} ms  "
              f"p99 {k['p99_ms']:6.1f} ms")  # fmt: skip
    print("The machine is shared: other work running at the same time lowers these figures.")


if __name__ == "__main__":
    sys.exit(main())
