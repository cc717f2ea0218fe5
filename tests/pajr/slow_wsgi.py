"""The platform's WSGI application with one slow path, /lent/ (1 s), for the load-shedding test:
slow enough that a queue drained by shedding and one served in turn (7 s for seven) stay far
apart on a slow machine; and /pid/, which names the worker that answered (the heartbeat test)."""

import os
import time

from pajr.wsgi import application as platform


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/lent/":
        time.sleep(1.0)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"done"]
    if environ.get("PATH_INFO") == "/pid/":
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-Worker-Pid", str(os.getpid()))])
        return [b"pid"]
    return platform(environ, start_response)
