import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from notifications.services import outbox_enqueue as send_templated_email
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dev_mailbox(settings):
    settings.DEBUG = True
    settings.MAILERS = {"default": {"BACKEND": "devtools.mailbox.DevMailboxBackend"}}
    return settings.DEV_MAILBOX_DIR


def send_one(referral, link="https://plateforme.example.org/r/abc/") -> None:
    agent = referral.territory.agents.get()
    with TestCase.captureOnCommitCallbacks(execute=True):  # the outbox sends after commit
        send_templated_email(
            to=agent.email,
            language="fr-ca",
            template="referral_new_agent",
            context={"referral": referral, "agent": agent, "link": link},
        )


def test_emails_are_kept_and_shown_with_clickable_links(client, dev_mailbox, territory):
    referral = ReferralFactory(candidate__target_territory=territory)
    send_one(referral)

    html = client.get(reverse("dev_mailbox")).content.decode()

    assert len(list(dev_mailbox.glob("*.eml"))) == 1
    assert "Nouvelle orientation" in html
    assert '<a href="https://plateforme.example.org/r/abc/"' in html
    assert territory.agents.get().email in html


def test_html_version_is_served_sandboxed(client, dev_mailbox, territory):
    send_one(ReferralFactory(candidate__target_territory=territory))
    name = next(dev_mailbox.glob("*.eml")).name

    response = client.get(reverse("dev_mailbox_html", args=[name]))

    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert "Lire le résumé et répondre" in response.content.decode()
    assert client.get("/dev/courriels/..%2F..%2Fetc%2Fpasswd/html/").status_code == 404
    assert (
        client.get(reverse("dev_mailbox_html", args=["20260101T000000000000-" + "0" * 32 + ".eml"])).status_code == 404
    )


def test_user_text_in_the_email_is_escaped(client, dev_mailbox, territory):
    referral = ReferralFactory(
        candidate__target_territory=territory, candidate__first_name="<img src=x onerror=alert(1)>"
    )
    send_one(referral)
    name = next(dev_mailbox.glob("*.eml")).name

    inbox = client.get(reverse("dev_mailbox")).content.decode()
    html_part = client.get(reverse("dev_mailbox_html", args=[name])).content.decode()

    assert "<img src=x" not in inbox and "<img src=x" not in html_part
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_part


def test_mailbox_is_hidden_when_debug_is_off(client, settings):
    settings.DEBUG = False

    assert client.get("/dev/courriels/").status_code == 404


def test_subject_and_body_are_in_the_recipients_language(territory):
    referral = ReferralFactory(candidate__target_territory=territory)
    send_one(referral)

    assert mail.outbox[0].subject.startswith("Nouvelle orientation")
    assert "\n" not in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("address", "headers"),
    [
        ("10.0.0.7", {}),
        ("192.168.1.20", {}),
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}),  # a proxy on the same machine
        ("::1", {"Forwarded": "for=203.0.113.9"}),
    ],
)
def test_the_mailbox_answers_only_the_machines_own_browser(client, dev_mailbox, territory, address, headers):
    send_one(ReferralFactory(candidate__target_territory=territory))

    assert client.get(reverse("dev_mailbox"), REMOTE_ADDR=address, headers=headers).status_code == 404
    assert client.get(reverse("dev_mailbox"), REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get(reverse("dev_mailbox"), REMOTE_ADDR="::1").status_code == 200
