"""The language switch written in Python (common.templatetags.language_switch): a POST form with
the CSRF token, the page to come back to (escaped), and a button for each other language."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def switches(html: str) -> list[str]:
    return re.findall(r'<form action="/i18n/setlang/".*?</form>', html, re.S)


def test_header_and_footer_offer_the_other_language_and_bring_the_person_back(client):
    html = client.get(reverse("territories:directory"), {"q": '"><script>alert(1)</script>'}).text
    header, footer = switches(html)
    assert 'class="language-switch order-lg-last ms-lg-2 me-2 me-lg-0"' in header
    assert 'class="language-switch d-inline"' in footer
    for form in (header, footer):
        assert re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', form)
        assert 'name="language" value="en" lang="en">English</button>' in form
        assert "<script>" not in form and "%22%3E%3Cscript%3E" in form
    assert "Français</button>" not in html


def test_in_english_it_offers_french_and_switching_keeps_the_page(client):
    client.cookies["django_language"] = "en"
    [header, _footer] = switches(client.get(reverse("territories:directory")).text)
    assert 'value="fr-ca" lang="fr">Français</button>' in header
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', header).group(1)
    response = client.post(
        reverse("set_language"), {"language": "fr-ca", "next": "/territoires/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and response["Location"] == "/territoires/"
    assert client.cookies["django_language"].value == "fr-ca"
