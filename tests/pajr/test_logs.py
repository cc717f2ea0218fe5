"""Logs: one JSON object a line in production, each with the request's id and the user's id,
never their email, name or a link token; X-Request-ID kept when sane and returned."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.cv import validate_cv
from candidates.services import candidate_set_cv
from common.logs import JsonFormatter
from tests.documents import make_pdf
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def json_lines(settings):
    """The console handler of settings.LOGGING, writing JSON to a buffer for the test."""
    [console] = [h for h in logging.getLogger().handlers if h.filters]
    options = {k: v for k, v in settings.LOGGING["formatters"]["json"].items() if k != "()"}
    formatter, stream = console.formatter, console.stream
    buffer = io.StringIO()
    console.setFormatter(JsonFormatter(options["format"], rename_fields=options["rename_fields"]))
    console.setStream(buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]
    console.setFormatter(formatter)
    console.setStream(stream)


def test_the_response_returns_the_proxy_s_request_id_when_sane_else_a_new_one(client):
    sane = "0f3c2a9e-5b1d-4c7e-9a8b-123456789abc"
    assert client.get(reverse("health"), HTTP_X_REQUEST_ID=sane)["X-Request-ID"] == sane

    for insane in ("short", "x" * 65, "id with spaces", "a@b.org/../", "<script>alert(1)</script>"):
        returned = client.get(reverse("health"), HTTP_X_REQUEST_ID=insane)["X-Request-ID"]
        assert returned != insane and len(returned) == 32

    first, second = client.get(reverse("health")), client.get(reverse("health"))
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_line_carries_the_request_id_and_user_id_never_the_email_or_name(client, settings, tmp_path, json_lines):
    settings.MEDIA_ROOT = tmp_path / "private"
    candidate = CandidateFactory(first_name="Aminata", last_name="Diallo", email="aminata.diallo@example.org")
    file = SimpleUploadedFile("cv.pdf", make_pdf())
    candidate_set_cv(candidate=candidate, file=file, kind=validate_cv(file))
    client.force_login(candidate.user)

    response = client.get(
        reverse("my_file:cv_download", args=[candidate.pk]) + "?de=aminata.diallo@example.org",
        HTTP_X_REQUEST_ID="req-1234567890",
    )
    logging.getLogger("pajr").warning("after the request, for %s", "aminata.diallo@example.org")

    assert response.status_code == 200
    lines = json_lines()
    [download] = [line for line in lines if line["message"].startswith("cv_download")]
    assert download["request_id"] == "req-1234567890"
    assert download["user_id"] == candidate.user.pk
    assert {"time", "level", "logger", "message"} <= set(download)
    assert lines[-1]["request_id"] == "-" and lines[-1]["user_id"] is None  # outside a request
    text = json.dumps(lines)
    assert "aminata" not in text.lower() and "diallo" not in text.lower()


@pytest.mark.parametrize(("variables", "expected"), [({"DEBUG": "false"}, "json"), ({"DEBUG": "true"}, "plain")])
def test_json_is_the_default_when_debug_is_off(variables, expected):
    env = {
        **os.environ,
        "DJANGO_READ_DOT_ENV": "0",
        "SECRET_KEY": "x" * 60,
        "EMAIL_URL": "smtp://127.0.0.1:1",
        "DJANGO_SETTINGS_MODULE": "pajr.settings",
        **variables,
    }
    env.pop("LOG_FORMAT", None)
    script = "from django.conf import settings; print(settings.LOGGING['handlers']['console']['formatter'])"
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert done.stdout.strip() == expected, done.stderr
