"""How fast the host ran and how busy the machine was, second by second, while `make load` runs.

Issue 17's minutes at 150 req/s shed nothing in some minutes and hundreds of requests in others,
with the same requests sent in the same order; on the idle machine, the reference loop took from
94 to 237 ms from one second to the next (docs/benchmarks.md, "Issue 17, twentieth stop"). That
was read by hand from /proc beside the runs. Each run's figures now carry it:

- **the host's speed**: once a second, a process of its own runs a thirtieth of the reference loop
  (devtools.machine.REFERENCE_LOOP) and times it in CPU time, not wall time, so that waiting for a
  core while the workers run does not count, only how fast the core ran it when it did. Times 30,
  it reads as the reference loop's milliseconds at that second (lower is faster). On a machine
  shared with other guests, the same instructions take longer in some seconds than in others,
  although nothing here changed: the figure moves with them;
- **how busy the machine was**: the share of all its CPUs' time spent running anything (the
  workers, PostgreSQL, Redis, the generator), from /proc/stat, and the share the hypervisor took
  from this guest (steal).

The probe costs about 5 ms of one core a second (a quarter of a per cent of two cores). Without
/proc/stat (not Linux), only the speed is sampled."""

import statistics
import subprocess
import sys
import threading
from dataclasses import dataclass

PROBE_LOOP = "sum(i * i for i in range(100_000))"
SCALE = 30  # devtools.machine.REFERENCE_LOOP is range(3_000_000): thirty times the probe

_PROBE = f"""
import time
def jiffies():
    try:
        with open("/proc/stat") as stat:
            return stat.readline().split()[1:9]
    except OSError:
        return []
interval = float(__import__("sys").argv[1])
next_at = time.monotonic()
while True:
    start = time.thread_time_ns()
    {PROBE_LOOP}
    spent = time.thread_time_ns() - start
    print(time.monotonic(), spent, *jiffies(), flush=True)
    next_at += interval
    delay = next_at - time.monotonic()
    if delay < 0:  # late (the machine was busy): no catching up, one interval from now
        next_at, delay = time.monotonic() + interval, interval
    time.sleep(delay)
"""


@dataclass(frozen=True)
class HostSample:
    at: float  # time.monotonic(), the same clock as the generator's due times
    reference_loop_ms: float  # the probe's CPU time × SCALE
    jiffies: tuple[int, ...]  # /proc/stat's first line: user nice system idle iowait irq softirq steal


def machine_shares(first: tuple[int, ...], last: tuple[int, ...]) -> dict:
    """The share of all CPUs' time between two readings of /proc/stat that was busy (anything but
    idle and waiting for I/O), and the share the hypervisor took (steal)."""
    if len(first) < 8 or len(last) < 8:
        return {"busy_share": None, "steal_share": None}
    delta = [b - a for a, b in zip(first[:8], last[:8], strict=True)]
    total = sum(delta)
    if total <= 0:
        return {"busy_share": None, "steal_share": None}
    idle = delta[3] + delta[4]
    return {"busy_share": round((total - idle) / total, 3), "steal_share": round(delta[7] / total, 3)}


class HostSampler:
    """`with HostSampler() as host:` samples once every `interval` seconds until the block ends;
    `host.window(start, end)` summarises the samples taken between two `time.monotonic()` times."""

    def __init__(self, *, interval: float = 1.0):
        self.interval = interval
        self.samples: list[HostSample] = []
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None

    def __enter__(self) -> "HostSampler":
        self._process = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
            [sys.executable, "-c", _PROBE, str(self.interval)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=5)
        if self._reader is not None:
            self._reader.join(timeout=5)

    def _read(self) -> None:
        for line in self._process.stdout:
            at, spent, *jiffies = line.split()
            sample = HostSample(float(at), int(spent) / 1e6 * SCALE, tuple(map(int, jiffies)))
            with self._lock:
                self.samples.append(sample)

    def window(self, start: float, end: float, *, every: float = 5.0) -> dict:
        """Between `start` and `end`: the reference loop's ms (median, fastest and slowest second;
        the median of each `every` seconds, to set beside the requests shed in them), the machine's
        busy share and the hypervisor's."""
        with self._lock:
            taken = [s for s in self.samples if start <= s.at <= end]
        if not taken:
            return {"samples": 0}
        loops = [s.reference_loop_ms for s in taken]
        windows: list[list[float]] = [[] for _ in range(max(1, round((end - start) / every)))]
        for sample in taken:
            windows[min(len(windows) - 1, int((sample.at - start) / every))].append(sample.reference_loop_ms)
        return {
            "samples": len(taken),
            "reference_loop_ms": {
                "median": round(statistics.median(loops), 1),
                "min": round(min(loops), 1),
                "max": round(max(loops), 1),
                f"by_{every:g}_s": [round(statistics.median(w), 1) if w else None for w in windows],
            },
            **machine_shares(taken[0].jiffies, taken[-1].jiffies),
        }
