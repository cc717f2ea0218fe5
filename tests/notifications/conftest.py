from collections.abc import Iterator

import pytest

from devtools.rig import SMTPCollector, serve_smtp

# The real worker of the end-to-end tests and its SMTP server, which the tests here make refuse or
# hold messages; and their report when a test fails.
from tests.e2e.conftest import celery_worker_process, pytest_runtest_makereport, smtp_server  # noqa: F401


@pytest.fixture
def refusing_smtp(settings) -> Iterator[SMTPCollector]:
    """A real SMTP server on a free port, and Django's mail sent to it (not to locmem)."""
    with serve_smtp() as collector:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": collector.host, "port": collector.port, "timeout": 5},
            }
        }
        yield collector
