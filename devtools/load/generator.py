"""An open-loop load generator: requests leave at fixed times, whatever the server's speed.

Request i of a run at `rate` per second is *due* at start + i / rate. A scheduler hands each one
to a pool of sender threads at its due time; a sender that is free takes it, sends it on its own
keep-alive connection and waits for the whole answer. The latency of a request is counted from
when it was due, not from when it was sent: when the server (or the generator) falls behind,
the time a request waited for a free sender is part of its latency, as it would be for a person
(closed-loop tools that wait for one answer before sending the next hide exactly that, the
"coordinated omission"). Standard library only: sockets and threads.

Each sender writes its requests and reads the answers itself (devtools.load.wire), as wrk does,
rather than through http.client: http.client parses every answer's headers with the email
package, and the generator runs on the machine it measures (issue 17's target counts it). At
150 requests a second against a server that answers at once, the generator used 565–678 µs of CPU
a request with http.client and 311–408 with its own reading (docs/benchmarks.md, issue 17,
twenty-first stop).
"""

import http.client
import math
import queue
import resource
import socket
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .wire import read_response, request_bytes

# What a keep-alive connection the server closed while it was idle raises on its next use.
STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass(frozen=True)
class Request:
    endpoint: str  # the name the figures are grouped by
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    expect: tuple[int, ...] = (200,)  # any other status counts as an error


@dataclass
class Sample:
    endpoint: str
    due: float  # time.monotonic() when it should have left
    sent: float
    done: float
    status: int  # 0 when no answer came (connection refused or reset, timeout)
    error: str = ""

    @property
    def latency(self) -> float:
        return self.done - self.due

    @property
    def failed(self) -> bool:
        return bool(self.error)


SHED_STATUS = 503


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of values sorted ascending."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def latency_summary(samples: list[Sample]) -> dict:
    ms = sorted(s.latency * 1000 for s in samples)
    return {
        "requests": len(samples),
        "errors": sum(s.failed for s in samples),
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "mean_ms": round(statistics.fmean(ms), 1) if ms else 0.0,
        "max_ms": round(ms[-1], 1) if ms else 0.0,
    }


@dataclass
class RunResult:
    offered_rate: float
    seconds: float
    samples: list[Sample]
    wall_seconds: float  # from the first due time to the last answer
    cpu_seconds: float  # the generator's process, user + system
    unsent: int = 0  # due requests no sender took before the run's deadline

    @property
    def achieved_rate(self) -> float:
        """Answers without error per second, over the offered duration (late answers included)."""
        ok = sum(not s.failed for s in self.samples)
        return ok / max(self.wall_seconds, self.seconds)

    def shed_by_window(self, window: float = 5.0) -> list[int]:
        """The requests turned away (503) in each `window` seconds of the run, by due time: when
        they are all in the first window, the workers were still warming up, not saturated."""
        if not self.samples:
            return []
        first = min(s.due for s in self.samples)
        counts = [0] * max(1, math.ceil(self.seconds / window))
        for sample in self.samples:
            if sample.status == SHED_STATUS:
                counts[min(len(counts) - 1, int((sample.due - first) / window))] += 1
        return counts

    def summary(self) -> dict:
        by_endpoint: dict[str, list[Sample]] = {}
        for sample in self.samples:
            by_endpoint.setdefault(sample.endpoint, []).append(sample)
        errors: dict[str, int] = {}
        for sample in self.samples:
            if sample.failed:
                errors[sample.error] = errors.get(sample.error, 0) + 1
        return {
            "offered_rate": self.offered_rate,
            "achieved_rate": round(self.achieved_rate, 1),
            "seconds": self.seconds,
            "overall": latency_summary(self.samples),
            # Answered as asked, and turned away by the server's load shedding (503, pajr.gunicorn_worker).
            "served": latency_summary([s for s in self.samples if not s.failed]),
            "shed": latency_summary([s for s in self.samples if s.status == SHED_STATUS]),
            "shed_by_5_s": self.shed_by_window(),
            "endpoints": {name: latency_summary(s) for name, s in sorted(by_endpoint.items())},
            "errors": {"total": sum(errors.values()) + self.unsent, "unsent": self.unsent, **errors},
            "generator_cpu_s": round(self.cpu_seconds, 2),
            "generator_cpu_share": round(self.cpu_seconds / max(self.wall_seconds, 1e-9), 3),
        }


class _Sender(threading.Thread):
    def __init__(self, host: str, port: int, jobs: queue.Queue, out: list, lock: threading.Lock, timeout: float):
        super().__init__(daemon=True)
        self.host, self.port, self.jobs, self.out, self.lock, self.timeout = host, port, jobs, out, lock, timeout
        self.connection: socket.socket | None = None
        self.reader = None  # the connection's buffered reading side
        self.reused = False

    def run(self) -> None:
        while (job := self.jobs.get()) is not None:
            due, request = job
            sample = self.send(due, request)
            with self.lock:
                self.out.append(sample)
        self._close()

    def send(self, due: float, request: Request) -> Sample:
        sent = time.monotonic()
        try:
            try:
                status = self._exchange(request)
            except STALE_CONNECTION:
                if not self.reused:
                    raise
                # The server closed this idle keep-alive connection meanwhile (gunicorn's keepalive):
                # open another and send again, as a browser or nginx would. The time counts.
                self._close()
                status = self._exchange(request)
        except (OSError, http.client.HTTPException) as error:
            self._close()
            return Sample(request.endpoint, due, sent, time.monotonic(), 0, type(error).__name__)
        error = "" if status in request.expect else f"HTTP {status}"
        return Sample(request.endpoint, due, sent, time.monotonic(), status, error)

    def _exchange(self, request: Request) -> int:
        """Send `request` on this sender's keep-alive connection (opened when there is none) and
        read the whole answer; its status."""
        self.reused = self.connection is not None
        if self.connection is None:
            self.connection = socket.create_connection((self.host, self.port), timeout=self.timeout)
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.reader = self.connection.makefile("rb")
        self.connection.sendall(
            request_bytes(request.method, request.path, request.body, request.headers, f"{self.host}:{self.port}")
        )
        status, will_close = read_response(self.reader)
        if will_close:
            self._close()
        return status

    def _close(self) -> None:
        if self.reader is not None:
            self.reader.close()
        if self.connection is not None:
            self.connection.close()
        self.connection = self.reader = None


def run_open_loop(
    *,
    host: str,
    port: int,
    rate: float,
    seconds: float,
    next_request: Callable[[int], Request],
    senders: int = 64,
    timeout: float = 30.0,
    drain_seconds: float = 30.0,
) -> RunResult:
    """Offer `rate` requests per second for `seconds`, request i being `next_request(i)`, due at
    start + i / rate. Returns every answer (or failure) with its due time. Requests still waiting
    for a sender `drain_seconds` after the last one was due are counted as unsent errors."""
    jobs: queue.Queue = queue.Queue()
    samples: list[Sample] = []
    lock = threading.Lock()
    pool = [_Sender(host, port, jobs, samples, lock, timeout) for _ in range(senders)]
    for sender in pool:
        sender.start()
    total = round(rate * seconds)
    # Built before the clock starts: building a request must not delay the ones due after it.
    requests = [next_request(i) for i in range(total)]
    cpu_before = _cpu_seconds()
    start = time.monotonic() + 0.05
    for i, request in enumerate(requests):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        jobs.put((due, request))
    deadline = start + seconds + drain_seconds
    unsent = 0
    while len(samples) < total and time.monotonic() < deadline:
        time.sleep(0.02)
    while True:  # whatever no sender took in time is dropped, and counted
        try:
            jobs.get_nowait()
        except queue.Empty:
            break
        unsent += 1
    for _ in pool:
        jobs.put(None)
    for sender in pool:
        sender.join(timeout=timeout + 1)
    with lock:
        done = list(samples)
    end = max((s.done for s in done), default=time.monotonic())
    return RunResult(
        offered_rate=rate,
        seconds=seconds,
        samples=done,
        wall_seconds=end - start,
        cpu_seconds=_cpu_seconds() - cpu_before,
        unsent=unsent,
    )


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def saturated(summary: dict, *, p95_bound_ms: float) -> str:
    """Why the server is saturated at this rate ("" when it is not): it answered fewer than 90 %
    of the offered requests per second, or the overall p95 went over the bound."""
    if summary["achieved_rate"] < 0.9 * summary["offered_rate"]:
        return f"achieved {summary['achieved_rate']} < 90 % of {summary['offered_rate']} req/s"
    if summary["overall"]["p95_ms"] > p95_bound_ms:
        return f"p95 {summary['overall']['p95_ms']} ms > {p95_bound_ms:.0f} ms"
    return ""
