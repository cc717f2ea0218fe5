"""allauth's pages and emails in the platform's words: in French, « courriel », never « e-mail »
(allauth's own French says « e-mail »; locale/fr overrides its messages); and its emails are the
platform's: branded HTML with the privacy link, in the person's language."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import OutboxEmail
from tests.candidates.test_register import code_in, valid  # noqa: F401  (a fixture)
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db

E_MAIL = re.compile(r"e-?mail", re.I)


class VisibleText(HTMLParser):
    """The text a person reads or hears: text nodes outside script and style, and the attributes
    screen readers and browsers show."""

    ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        attrs = dict(attrs)
        self.parts += [attrs[name] for name in self.ATTRIBUTES if attrs.get(name)]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def french_client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="fr-CA")


def assert_says_courriel(response) -> None:
    assert response.status_code == 200, response.status_code
    text = visible_text(response.content.decode())
    assert not E_MAIL.findall(text), [line for line in text.splitlines() if E_MAIL.search(line)]
    assert "courriel" in text.lower()


@pytest.mark.parametrize(
    "name",
    [
        "account_login",
        "candidates:register",
        "account_reset_password",
        "account_reset_password_done",
        "account_request_login_code",
    ],
)
def test_allauth_pages_say_courriel_in_french(name):
    assert_says_courriel(french_client().get(reverse(name)))


def test_the_sign_in_errors_say_courriel():
    response = french_client().post(reverse("account_login"), {"login": "personne@example.org", "password": "x"})

    assert_says_courriel(response)


def test_the_email_code_pages_say_courriel(valid, django_capture_on_commit_callbacks, mailoutbox):  # noqa: F811
    client = french_client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("candidates:register"), valid)
    assert_says_courriel(client.get(reverse("account_email_verification_sent")))
    assert_says_courriel(client.post(reverse("account_email_verification_sent"), {"code": "ZZZZ-ZZZZ"}))

    other = french_client()
    user = CandidateFactory().user
    with django_capture_on_commit_callbacks(execute=True):
        other.post(reverse("account_request_login_code"), {"email": user.email})
    assert_says_courriel(other.get(reverse("account_confirm_login_code")))


@pytest.mark.parametrize(("language", "words"), [("fr-ca", "mot de passe"), ("en", "password")])
def test_allauth_emails_are_the_platforms_html_emails_in_the_accounts_language(
    django_capture_on_commit_callbacks, mailoutbox, language, words
):
    """Asked for from a French page: the email is in the language the account chose."""
    user = CandidateFactory(language=language, user__language=language).user
    with django_capture_on_commit_callbacks(execute=True):
        french_client().post(reverse("account_reset_password"), {"email": user.email})

    assert OutboxEmail.objects.get(recipient=user.email).language == language
    (message,) = mailoutbox
    html = dict((mimetype, body) for body, mimetype in message.alternatives)["text/html"]
    assert "Place aux jeunes en région · Emplois en régions" in html  # the platform's HTML base
    assert reverse("privacy:policy") in html and reverse("privacy:policy") in message.body
    assert words in html.lower() and words in message.body.lower()
    assert 'href="http' in html and "/comptes/password/reset/key/" in html
    if language == "fr-ca":
        assert not E_MAIL.search(visible_text(html)) and not E_MAIL.search(message.subject)


def test_the_sign_up_code_email_is_html_too(valid, django_capture_on_commit_callbacks, mailoutbox):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        french_client().post(reverse("candidates:register"), valid)

    message = mailoutbox[0]
    html = dict((mimetype, body) for body, mimetype in message.alternatives)["text/html"]
    assert code_in(message) in html
    assert reverse("privacy:policy") in html


@pytest.mark.parametrize(
    "name", ["account_email", "account_change_password", "mfa_index", "usersessions_list", "accounts:account"]
)
def test_a_signed_in_persons_account_pages_say_courriel_in_french(name):
    client = french_client()
    client.force_login(CandidateFactory().user)

    response = client.get(reverse(name))

    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert not E_MAIL.findall(text), [line for line in text.splitlines() if E_MAIL.search(line)]
