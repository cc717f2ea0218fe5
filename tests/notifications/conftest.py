import asyncio
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from tests.e2e.conftest import SMTPCollector, free_port


class RefusingSMTP(SMTPCollector):
    """An SMTP server that answers "451 try again later" to the first `refuse` messages, then
    accepts like SMTPCollector; or, with `hold`, leaves DATA unanswered. The test sets both."""

    def __init__(self, refuse: int = 0) -> None:
        super().__init__()
        self.refuse = refuse
        self.refused = 0
        self.hold = False  # while True, DATA gets no answer (the client waits, as on a slow server)
        self.holding = False

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.hold:
            self.holding = True
            while self.hold:
                await asyncio.sleep(0.05)
            return "421 4.3.0 Closing"  # held messages are never accepted
        if self.refused < self.refuse:
            self.refused += 1
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def refusing_smtp(settings) -> Iterator[RefusingSMTP]:
    """A real SMTP server on a free port, and Django's mail sent to it (not to locmem)."""
    collector = RefusingSMTP()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    collector.host, collector.port = controller.hostname, controller.port
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": collector.host, "port": collector.port, "timeout": 5},
        }
    }
    yield collector
    controller.stop()


# The real worker of the end-to-end tests, here sending to `smtp_server` below.
from tests.e2e.conftest import celery_worker_process  # noqa: E402, F401


@pytest.fixture
def smtp_server() -> Iterator[RefusingSMTP]:
    """What `celery_worker_process` sends to: an SMTP server the test can make refuse."""
    collector = RefusingSMTP()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    collector.host, collector.port = controller.hostname, controller.port
    yield collector
    controller.stop()
