# gunicorn reads this file from the working directory when no -c is given (the Procfile's `web`).
# The configuration is deploy/gunicorn.conf.py: the same logger (no link token, no query string in
# the access log) and the same timeouts as in production; the Procfile's options override it.
import runpy
from pathlib import Path

globals().update(
    (name, value)
    for name, value in runpy.run_path(str(Path(__file__).resolve().parent / "deploy" / "gunicorn.conf.py")).items()
    if not name.startswith("_")
)
