import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_french_by_default_even_for_an_english_browser(client):
    response = client.get(reverse("candidates:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response["Content-Language"] == "fr-ca"
    assert '<html lang="fr">' in response.content.decode()


def test_the_language_switch_keeps_the_page_and_is_remembered(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": reverse("candidates:register")})

    assert response.status_code == 302 and response["Location"] == reverse("candidates:register")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("candidates:register"))
    assert page["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()


def test_an_unknown_language_cookie_falls_back_to_french(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"

    assert client.get(reverse("candidates:home"))["Content-Language"] == "fr-ca"
