"""Error reports reach Sentry without personal data. A local transport keeps what the SDK would
send; the exceptions raised here have a candidate's email, name and phone in their locals, their
message and the request."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sentry_sdk
from django.http import HttpResponse
from django.urls import include, path
from sentry_sdk.transport import Transport

from candidates.models import Candidate
from common.sentry import sentry_init
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db(transaction=True)
REPO_ROOT = Path(__file__).resolve().parents[2]


class KeptTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)

    def events(self) -> list[dict]:
        return [item.payload.json for envelope in self.envelopes for item in envelope.items if item.type == "event"]


def failing_view(request, pk: int) -> HttpResponse:
    candidate = Candidate.objects.get(pk=pk)
    email, name, phone = candidate.email, candidate.full_name, str(candidate.phone)  # noqa: F841 - locals under test
    raise RuntimeError(f"could not reach {email} at {phone}")


urlpatterns = [path("boom/<int:pk>/", failing_view), path("", include("pajr.urls"))]


@pytest.fixture
def transport():
    kept = KeptTransport()
    sentry_init(dsn="https://public@sentry.invalid/1", environment="test", transport=kept)
    yield kept
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: reports off again


@pytest.fixture
def amina():
    return CandidateFactory(
        first_name="Aminata", last_name="Diallo-Kone", email="aminata.diallo@example.org", phone="+15145550199"
    )


def assert_nothing_personal(event: dict, candidate) -> None:
    text = json.dumps(event)
    for secret in ("aminata", "diallo", "example.org", "5145550199", "514 555", "555-0199"):
        assert secret not in text.lower(), secret
    assert "sessionid" not in text


def test_an_exception_in_a_view_reaches_the_transport_scrubbed(live_server, client, settings, transport, amina):
    """Through a real WSGI server (Sentry's Django integration reads the request there), signed in."""
    settings.ROOT_URLCONF = __name__
    client.force_login(amina.user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    query = urllib.parse.urlencode({"email": "aminata.diallo@example.org", "phone": "+15145550199"})
    url = f"{live_server.url}/boom/{amina.pk}/?{query}"
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - the live server

    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310 - the live server

    assert error.value.code == 500
    sentry_sdk.flush()
    [event] = transport.events()
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["request"]["method"] == "GET"
    assert event["request"]["url"].endswith(f"/boom/{amina.pk}/")
    assert event.get("user", {}).get("id") in (None, amina.user.pk, str(amina.user.pk))
    assert_nothing_personal(event, amina)


def test_a_captured_exception_with_the_candidate_in_its_locals_is_scrubbed(transport, amina):
    def send_to(candidate):
        address = candidate.email  # noqa: F841 - a local under test
        raise ValueError(f"refused: {candidate.email}, {candidate.first_name} {candidate.last_name}")

    try:
        send_to(amina)
    except ValueError:
        sentry_sdk.capture_exception()
    sentry_sdk.flush()

    [event] = transport.events()
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert all("vars" not in frame for frame in frames)
    text = json.dumps(event)
    assert "aminata.diallo@example.org" not in text
    assert "[redacted]" in text


@pytest.mark.parametrize(("dsn", "active"), [("", False), ("https://public@sentry.invalid/1", True)])
def test_reports_are_on_only_with_a_dsn(dsn, active):
    env = {**os.environ, "DJANGO_READ_DOT_ENV": "0", "DEBUG": "true", "SENTRY_DSN": dsn}
    script = "import django; django.setup(); import sentry_sdk; print(sentry_sdk.get_client().is_active())"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
        env={**env, "DJANGO_SETTINGS_MODULE": "pajr.settings"},
    )  # fmt: skip
    assert done.stdout.strip() == str(active), done.stderr
