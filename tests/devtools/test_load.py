"""The load generator's accounting, against a tiny local HTTP server: requests leave at their due
times whatever the server's speed, latency is counted from the due time (a backlog shows in it),
and failures are counted as errors."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devtools.load.generator import SHED_STATUS, Request, RunResult, Sample, percentile, run_open_loop, saturated
from devtools.load.stack import free_port


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.arrivals: list[float] = []
        self.one_at_a_time = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.arrivals.append(time.monotonic())
        if self.path == "/slow":  # one request at a time, 100 ms each: 10 per second at most
            with self.server.one_at_a_time:
                time.sleep(0.1)
        status = 500 if self.path == "/broken" else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
        if self.path == "/hang-up":  # closes the connection it said it would keep open
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    server = Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_requests_leave_on_schedule_and_are_all_answered(server):
    result = run_open_loop(
        host="127.0.0.1",
        port=server.server_port,
        rate=50,
        seconds=2,
        next_request=lambda i: Request("fast", "GET", "/fast"),
        senders=8,
    )

    summary = result.summary()
    assert summary["overall"]["requests"] == 100
    assert summary["errors"]["total"] == 0
    assert 45 <= summary["achieved_rate"] <= 51
    arrivals = sorted(server.arrivals)
    assert 1.85 <= arrivals[-1] - arrivals[0] <= 2.2  # spread over the 2 s, not sent in a burst
    # Sent when due, give or take the scheduling of a busy machine.
    assert percentile(sorted(s.sent - s.due for s in result.samples), 0.9) < 0.05
    assert summary["overall"]["p99_ms"] < 100
    assert summary["generator_cpu_s"] > 0


def test_a_server_that_falls_behind_is_saturated(server):
    """20 per second offered to a server that answers 10: the backlog grows, the last ones were
    answered seconds after they were due, and fewer than 90 % of the offered rate got through."""
    result = run_open_loop(
        host="127.0.0.1",
        port=server.server_port,
        rate=20,
        seconds=2,
        next_request=lambda i: Request("slow", "GET", "/slow"),
        senders=40,
    )

    summary = result.summary()
    assert summary["overall"]["requests"] == 40
    assert summary["overall"]["p95_ms"] > 1500  # ~4 s of work offered in 2 s
    assert summary["achieved_rate"] < 12
    assert saturated(summary, p95_bound_ms=1000).startswith("achieved")


def test_latency_counts_from_the_due_time_not_from_the_sending(server):
    """One sender only: each request is sent when the previous one is answered (as a closed-loop
    tool does). Counted from its sending every request took ~100 ms; counted from its due time,
    as here, the last ones waited about a second: that wait is what a person would see."""
    result = run_open_loop(
        host="127.0.0.1",
        port=server.server_port,
        rate=20,
        seconds=1,
        next_request=lambda i: Request("slow", "GET", "/slow"),
        senders=1,
    )

    from_sent = sorted(s.done - s.sent for s in result.samples)
    assert percentile(from_sent, 0.95) < 0.3
    assert result.summary()["overall"]["p95_ms"] > 1000
    assert max(s.latency for s in result.samples) > 1.5
    assert all(s.latency == s.done - s.due for s in result.samples)


def test_errors_are_counted_by_kind(server):
    closed_port = free_port()

    def mix(i: int) -> Request:
        return Request("broken", "GET", "/broken") if i % 2 else Request("fast", "GET", "/fast")

    result = run_open_loop(host="127.0.0.1", port=server.server_port, rate=40, seconds=1, next_request=mix, senders=4)
    refused = run_open_loop(
        host="127.0.0.1",
        port=closed_port,
        rate=20,
        seconds=0.5,
        next_request=lambda i: Request("home", "GET", "/"),
        senders=2,
    )

    summary = result.summary()
    assert summary["errors"] == {"total": 20, "unsent": 0, "HTTP 500": 20}
    assert summary["endpoints"]["broken"]["errors"] == 20
    assert summary["endpoints"]["fast"]["errors"] == 0
    assert 15 <= summary["achieved_rate"] <= 21  # answers without error only
    assert refused.summary()["errors"] == {"total": 10, "unsent": 0, "ConnectionRefusedError": 10}
    assert refused.summary()["achieved_rate"] == 0


def test_a_keep_alive_connection_the_server_closed_is_opened_again_not_counted_as_an_error(server):
    result = run_open_loop(
        host="127.0.0.1",
        port=server.server_port,
        rate=20,
        seconds=1,
        next_request=lambda i: Request("hang_up", "GET", "/hang-up"),
        senders=1,
    )

    assert result.summary()["errors"]["total"] == 0
    assert len(server.arrivals) == 20


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.99) == 99
    assert percentile([7.0], 0.99) == 7


def test_requests_turned_away_are_counted_by_five_second_window_of_their_due_time():
    """So that a run whose 503s all fall in its first seconds (workers still starting) is told
    apart from one shedding throughout."""

    def sample(due: float, status: int) -> Sample:
        return Sample("home", due=100 + due, sent=100 + due, done=100.01 + due, status=status, error="")

    samples = [sample(0, 200), sample(0.5, SHED_STATUS), sample(4.9, SHED_STATUS), sample(7, 200)]
    samples += [sample(12, SHED_STATUS), sample(14.99, 200)]
    result = RunResult(offered_rate=1, seconds=15, samples=samples, wall_seconds=15, cpu_seconds=0)
    assert result.shed_by_window() == [2, 0, 1]
    assert result.summary()["shed_by_5_s"] == [2, 0, 1]
    assert RunResult(offered_rate=1, seconds=15, samples=[], wall_seconds=15, cpu_seconds=0).shed_by_window() == []
