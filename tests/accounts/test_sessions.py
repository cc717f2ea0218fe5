"""How long a sign-in lasts: staff sessions end when idle and when old; a sign-in by emailed code
lasts until the browser closes unless the person asks to stay signed in; anyone can sign out
every other device."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from tests.factories import CandidateFactory, CounsellorFactory

pytestmark = pytest.mark.django_db


def age_session(client: Client, *, signed_in_ago: float, seen_ago: float) -> None:
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT], session[LAST_SEEN_AT] = now - signed_in_ago, now - seen_ago
    session.save()


@pytest.mark.parametrize(
    ("signed_in_ago", "seen_ago", "kept"),
    [
        (60, 10, True),
        (3600, 29 * 60, True),
        (3600, 31 * 60, False),  # idle past STAFF_SESSION_IDLE_SECONDS
        (11 * 3600, 60, False),  # older than STAFF_SESSION_MAX_AGE_SECONDS, however busy
    ],
)
def test_a_staff_session_ends_when_idle_or_too_old(signed_in_ago, seen_ago, kept):
    client = Client()
    client.force_login(CounsellorFactory())
    age_session(client, signed_in_ago=signed_in_ago, seen_ago=seen_ago)

    response = client.get(reverse("counselling:queue"))

    assert (response.status_code == 200) is kept
    if not kept:
        assert response["Location"].startswith(reverse("account_login"))
        assert "_auth_user_id" not in client.session


def test_a_candidate_session_has_no_idle_limit():
    client = Client()
    client.force_login(CandidateFactory().user)
    age_session(client, signed_in_ago=11 * 3600, seen_ago=5 * 3600)

    assert client.get(reverse("my_file:home")).status_code == 200


def sign_in_by_code(client: Client, email: str, mailoutbox, capture, **extra) -> None:
    with capture(execute=True):
        client.post(reverse("account_request_login_code"), {"email": email})
    code = re.search(r"^([A-Z0-9]{4}-?[A-Z0-9]{4})$", mailoutbox[-1].body, re.M).group(1)
    assert client.post(reverse("account_confirm_login_code"), {"code": code, **extra}).status_code == 302


def test_a_sign_in_by_code_lasts_until_the_browser_closes(mailoutbox, django_capture_on_commit_callbacks):
    client = Client()
    sign_in_by_code(client, CandidateFactory().user.email, mailoutbox, django_capture_on_commit_callbacks)

    assert client.session.get_expire_at_browser_close()
    assert not client.cookies["sessionid"]["expires"]


def test_unless_the_person_asks_to_stay_signed_in(mailoutbox, django_capture_on_commit_callbacks):
    client = Client()
    sign_in_by_code(
        client,
        CandidateFactory().user.email,
        mailoutbox,
        django_capture_on_commit_callbacks,
        remember_device="on",
    )

    assert not client.session.get_expire_at_browser_close()


def test_signing_out_everywhere_ends_the_other_sessions_only():
    user = CandidateFactory().user
    phone, laptop = Client(), Client()
    phone.force_login(user)
    laptop.force_login(user)

    response = laptop.post(reverse("accounts:sign_out_everywhere"))

    assert response.status_code == 302
    assert laptop.get(reverse("my_file:home")).status_code == 200
    assert phone.get(reverse("my_file:home"))["Location"].startswith(reverse("account_login"))


def test_signing_out_everywhere_is_a_post_with_csrf():
    client = Client(enforce_csrf_checks=True)
    client.force_login(CandidateFactory().user)

    assert client.get(reverse("accounts:sign_out_everywhere")).status_code == 405
    assert client.post(reverse("accounts:sign_out_everywhere")).status_code == 403
