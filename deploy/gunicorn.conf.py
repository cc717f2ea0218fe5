"""gunicorn's configuration for production (deploy/systemd/pajr-web.service runs
`gunicorn pajr.wsgi -c deploy/gunicorn.conf.py`); the root gunicorn.conf.py loads this file too.
Every value can be changed through the environment, without editing this file.

The access log records the method, the path without its query string, the status, the size and
the duration: never a query string (searches hold names) nor the token of an agent's emailed link
(/r/<token>/, redacted by pajr.gunicorn_logging.RedactingLogger), nor the referrer."""

import os


def _cpus() -> int:
    """The CPUs this process may run on (a container's or a cgroup's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Behind nginx on the same host; a unix socket works too (unix:/run/pajr/gunicorn.sock).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Each thread holds its own database connection: a host opens workers × threads connections
# (CONN_MAX_AGE keeps them open).
# gthread, with load shedding: past saturation, a request that waited more than
# GUNICORN_SHED_AFTER_MS (250) for a thread gets the 503 page at once (pajr/gunicorn_worker.py).
worker_class = "pajr.gunicorn_worker.SheddingThreadWorker"
# One single-threaded process per CPU, and one more to run while another waits for PostgreSQL. A
# request is Python for most of its time, so a second thread in a process mostly waits for its
# GIL, and every process past these adds switching and cold caches, not work. make load (100,000
# files, two cores, 12th stop of issue 17): at 150 req/s 3 workers shed 1-10 requests in 4,500,
# 4 shed 5, 10 shed 283; at 140, 3 x 1 shed none in three runs where 3 x 2 shed 111 and 6 x 1
# 79-137. (Earlier, with heavier pages, 10 x 1 beat 5 x 4.) docs/benchmarks.md, "Load".
workers = int(os.environ.get("WEB_CONCURRENCY", _cpus() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# A request that takes longer than this is a bug: the worker is killed and restarted. Uploads do
# not count: nginx buffers the whole body before it passes the request on.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5  # nginx keeps its connections to the upstream open between requests
# A worker is replaced after this many requests, each at a different moment (jitter), so that a
# leak cannot grow for ever. Not often: a new worker loads Django (about 1.2 s of CPU) and fills
# its kept copies again, while the others take its share. With 3 workers at 145 req/s, 2,000 made
# one restart every ~14 s and 498 requests in 4,350 were shed; 20,000 shed 3.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 10
# Only the proxy on this host may say that a request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
limit_request_line = 4094
limit_request_fields = 100

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# %(U)s is the path without the query string; %(M)s the duration in milliseconds.
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
logger_class = "pajr.gunicorn_logging.RedactingLogger"
proc_name = "pajr-web"


def post_worker_init(worker):
    """Once the worker has loaded Django, the objects it will keep for its life (modules, models,
    settings, URL patterns) leave the garbage collector's watch (gc.freeze): each full collection
    walked all ~170,000 of them, 60–75 ms every few hundred requests, for nothing to free
    (docs/benchmarks.md, "Issue 17, seventh stop")."""
    import gc

    gc.freeze()
