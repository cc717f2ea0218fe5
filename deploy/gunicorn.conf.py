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
# Threads overlap the waits on PostgreSQL and Redis; each thread holds its own database
# connection: a host opens workers × threads connections (CONN_MAX_AGE keeps them open).
# gthread, with load shedding: past saturation, a request that waited more than
# GUNICORN_SHED_AFTER_MS (250) for a thread gets the 503 page at once (pajr/gunicorn_worker.py).
worker_class = "pajr.gunicorn_worker.SheddingThreadWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * _cpus() + 1))
# Four threads overlap the waits on PostgreSQL and Redis (make load, 100,000 files: 50 req/s at
# p95 184–192 ms with 4 threads, 327 ms with 2; at twice that rate, with load shedding, the served
# p95 is 887 ms with 4 threads and 631 ms with 2).
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# A request that takes longer than this is a bug: the worker is killed and restarted. Uploads do
# not count: nginx buffers the whole body before it passes the request on.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5  # nginx keeps its connections to the upstream open between requests
# A worker is replaced after this many requests, each at a different moment (jitter).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
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
