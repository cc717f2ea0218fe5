"""The forms' fields written in Python (common.templatetags.fast_forms) are crispy's: every page of
the site, as each role, and forms sent back with errors, render the same markup both ways
(whitespace runs aside, which HTML collapses), in French and in English."""

import re

import pytest
from django.test import Client

from common.templatetags import fast_forms
from tests.factories import CounsellorFactory
from tests.pajr.test_every_page import ROLES, pages, site  # noqa: F401 — `site` is a fixture

pytestmark = pytest.mark.django_db


def _normal(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'nonce="[^"]*"', "", html)
    # A new TOTP secret and its QR code, or a new passkey challenge, each time.
    html = re.sub(r'data:image/[^"]*|\b[A-Z2-7]{16,}\b|"challenge": "[^"]*"', "", html)
    return re.sub(r"\s+", " ", html)


def _html(response) -> str:
    return response.content.decode() if "text/html" in response.get("Content-Type", "") else ""


def _both_ways(monkeypatch, fetch) -> tuple[str, str]:
    """The page with the fields written here, then with crispy writing all of them."""
    fast = fetch()
    with monkeypatch.context() as patch:
        patch.setattr(fast_forms, "_plain", lambda *args: False)
        reference = fetch()
    return _normal(fast), _normal(reference)


def _first_difference(fast: str, reference: str) -> str:
    at = next(
        (i for i, (a, b) in enumerate(zip(fast, reference, strict=False)) if a != b), min(len(fast), len(reference))
    )
    return f"\nfast:      …{fast[max(at - 150, 0) : at + 150]}\nreference: …{reference[max(at - 150, 0) : at + 150]}"


def test_every_page_as_every_role_renders_its_forms_as_crispy_does(site, monkeypatch, settings):  # noqa: F811
    compared = 0
    for language in ("fr", "en"):
        for role in ROLES:
            for client, path in pages(role, site):
                if path.startswith(("/static/", "/admin/", "/dev/")):
                    continue
                client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
                fast, reference = _both_ways(monkeypatch, lambda c=client, p=path: _html(c.get(p)))
                assert fast == reference, (language, role, path, _first_difference(fast, reference))
                compared += 'class="mb-3' in fast
    assert compared > 20  # pages with at least one field written here


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/comptes/login/", {"login": "pas-un-courriel", "password": ""}),
        ("/inscription/", {"email": "x", "password1": "1", "phone": "<script>", "language": "de"}),
    ],
)
def test_forms_sent_back_with_errors_render_as_crispy_does(monkeypatch, path, data):
    client = Client()

    fast, reference = _both_ways(monkeypatch, lambda: client.post(path, data, follow=True).content.decode())

    assert "invalid-feedback" in fast or "alert-danger" in fast
    assert fast == reference, _first_difference(fast, reference)


def test_a_counsellors_forms_with_errors_render_as_crispy_does(monkeypatch, client):
    from tests.factories import CandidateFactory

    counsellor = CounsellorFactory()
    candidate = CandidateFactory(status="coaching", counsellor=counsellor)
    client.force_login(counsellor)
    path = f"/conseil/candidats/{candidate.pk}/fermer/"

    fast, reference = _both_ways(
        monkeypatch, lambda: client.post(path, {"reason": "", "category": "zzz"}, follow=True).content.decode()
    )

    assert "is-invalid" in fast
    assert fast == reference, _first_difference(fast, reference)
