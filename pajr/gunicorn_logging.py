"""gunicorn's access log without the token of an agent's emailed link (common.redaction): the
request line, the path, the query and the referrer are redacted before they are written.
Selected in gunicorn.conf.py (logger_class)."""

from gunicorn.glogging import Logger

from common.redaction import redact

REDACTED_ATOMS = ("r", "U", "q", "f")


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in REDACTED_ATOMS:
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms
