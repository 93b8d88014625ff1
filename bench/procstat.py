"""Measure one child process: wall time, CPU, its own peak RSS and its whole tree's memory.

``resource.getrusage(RUSAGE_CHILDREN)`` keeps the maximum over every child ever waited for, so
it cannot tell one run from the next; ``os.wait4`` returns the rusage of exactly the child it
reaps. Its ``ru_maxrss`` is the peak of the largest single process (the child or one of the
descendants it waited for), not their sum, so a thread also samples the summed RSS and PSS of
the child and all its descendants from /proc, and each process's own peak and CPU time. It
samples every 0.1 s for the first seconds, then every 0.5 s so as not to steal much CPU from
a long build (a peak shorter than the interval can be missed).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
FAST_FOR_S = 5.0  # sample every ``interval`` this long, then every ``SLOW_INTERVAL``
SLOW_INTERVAL = 0.5


@dataclass(frozen=True)
class Process:
    """One process of the measured tree, as last sampled."""

    pid: int
    command: str  # the end of its command line
    peak_rss_mb: float
    cpu_s: float  # user + system when last seen (a lower bound)


@dataclass(frozen=True)
class Usage:
    """What one run of a command cost."""

    exit_code: int
    wall_s: float
    cpu_s: float  # user + system of the child and the descendants it waited for
    peak_rss_mb: float  # wait4's ru_maxrss: the largest single process of the tree
    tree_rss_mb: float  # sampled peak of the RSS summed over the child and its descendants
    tree_pss_mb: float  # the same in PSS (pages shared between processes counted once)
    others_cores: float  # mean CPUs busy with other processes on the machine meanwhile
    output: str  # stdout and stderr, interleaved
    processes: tuple[Process, ...] = ()  # the child first, then its descendants


def run(argv: Sequence[str], *, cwd: Path | None = None, interval: float = 0.1) -> Usage:
    """Run ``argv`` to completion and measure it (output goes to a file, never a pipe)."""
    busy_before = machine_busy_s()
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        sampler = _TreeSampler(proc.pid, interval)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        sampler.stop()
        out.seek(0)
        output = out.read().decode(errors="replace")
    cpu = usage.ru_utime + usage.ru_stime
    others = max(0.0, (machine_busy_s() - busy_before - cpu) / wall)
    return Usage(
        exit_code=proc.returncode,
        wall_s=wall,
        cpu_s=cpu,
        peak_rss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
        tree_rss_mb=sampler.peak_rss_kb / 1024,
        tree_pss_mb=sampler.peak_pss_kb / 1024,
        others_cores=others,
        output=output,
        processes=sampler.processes(),
    )


def machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy (not idle, not waiting on I/O) since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def busy_cores(seconds: float) -> float:
    """How many CPUs the whole machine keeps busy over the next ``seconds`` (this one sleeps)."""
    before = machine_busy_s()
    time.sleep(seconds)
    return (machine_busy_s() - before) / seconds


def descendants(root: int) -> list[int]:
    """``root`` and every process below it, from the parent ids in /proc/<pid>/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kilobytes; (0, 0) once it is gone."""
    rss = pss = 0
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    for line in text.splitlines():
        if line.startswith("Rss:"):
            rss = int(line.split()[1])
        elif line.startswith("Pss:"):
            pss = int(line.split()[1])
    return rss, pss


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def command(pid: int) -> str:
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return ""
    return b" ".join(words).decode(errors="replace").strip()[-60:]


class _TreeSampler:
    """A thread that keeps the peak summed RSS and PSS of a process tree, and each process's."""

    def __init__(self, root: int, interval: float) -> None:
        self.root = root
        self.interval = interval
        self.peak_rss_kb = 0
        self.peak_pss_kb = 0
        self._peaks: dict[int, int] = {}
        self._cpu: dict[int, float] = {}
        self._commands: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def processes(self) -> tuple[Process, ...]:
        return tuple(
            Process(pid, self._commands.get(pid, ""), peak / 1024, self._cpu.get(pid, 0.0))
            for pid, peak in self._peaks.items()
        )

    def _loop(self) -> None:
        start = time.monotonic()
        while True:
            total_rss = total_pss = 0
            for pid in descendants(self.root):
                rss, pss = memory_kb(pid)
                if not rss:
                    continue
                total_rss, total_pss = total_rss + rss, total_pss + pss
                self._peaks[pid] = max(self._peaks.get(pid, 0), rss)
                self._cpu[pid] = max(self._cpu.get(pid, 0.0), cpu_s(pid))
                self._commands[pid] = command(pid)  # the last: a shim execs into Python
            self.peak_rss_kb = max(self.peak_rss_kb, total_rss)
            self.peak_pss_kb = max(self.peak_pss_kb, total_pss)
            fast = time.monotonic() - start < FAST_FOR_S
            if self._stop.wait(self.interval if fast else SLOW_INTERVAL):
                return
