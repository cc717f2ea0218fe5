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


def test_pages_are_translated_into_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(reverse("candidates:register")).content.decode()

    assert "Registration" in html and "Sign in" in html
    assert "Inscription" not in html


def test_each_email_is_in_its_recipients_language(mailoutbox, territory, django_capture_on_commit_callbacks):
    from referrals.services import referral_send
    from tests.factories import AgentFactory, CandidateFactory, CounsellorFactory

    AgentFactory(territories=[territory], language="en", email="english@paj.example.org")
    candidate = CandidateFactory(target_territory=territory, mature=True)

    with django_capture_on_commit_callbacks(execute=True):
        referral_send(candidate=candidate, territories=[territory], by=CounsellorFactory())

    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects["english@paj.example.org"].startswith("New referral:")
    french = next(s for to, s in subjects.items() if to != "english@paj.example.org")
    assert french.startswith("Nouvelle orientation :")
