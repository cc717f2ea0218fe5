"""The platform's WSGI application with one slow path, /lent/ (300 ms), for the load-shedding test."""

import time

from pajr.wsgi import application as platform


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/lent/":
        time.sleep(0.3)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"done"]
    return platform(environ, start_response)
