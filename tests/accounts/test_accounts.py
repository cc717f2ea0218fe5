import re

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, CandidateFactory, CounsellorFactory, totp_code

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_is_stored_lowercase():
    user = User.objects.create_user(email="Sophie.Martin@EER.example.org", password=PASSWORD)

    assert user.email == "sophie.martin@eer.example.org"
    assert user.USERNAME_FIELD == "email"


def test_roles():
    assert CounsellorFactory().is_counsellor
    assert User.objects.create_superuser(email="c@example.org", password=PASSWORD).is_counsellor
    assert not CandidateFactory().user.is_counsellor
    assert not CounsellorFactory(is_active=False).is_counsellor


@pytest.mark.parametrize(("who", "page"), [("counsellor", "counselling:queue"), ("candidate", "my_file:home")])
def test_sign_in_leads_each_role_to_its_page(client, who, page):
    user = CounsellorFactory() if who == "counsellor" else CandidateFactory().user

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    if who == "counsellor":  # staff: the second factor first (tests/accounts/test_second_factor.py)
        assert response["Location"] == reverse("mfa_authenticate")
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})

    assert response["Location"] == reverse(page)


def test_wrong_password_is_a_clear_error(client, counsellor):
    response = client.post(reverse("account_login"), {"login": counsellor.email, "password": "nope"})

    assert response.status_code == 200
    assert "incorrect" in response.content.decode()


def test_password_reset_email_goes_through_celery_with_a_site_url_link(
    client, counsellor, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://plateforme.example.org"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("account_reset_password"), {"email": counsellor.email}, HTTP_HOST="127.0.0.1")

    assert response.status_code == 302
    assert len(callbacks) == 1  # sent after commit, by the task
    assert [m.to for m in mailoutbox] == [[counsellor.email]]
    links = re.findall(r"https?://\S+", mailoutbox[0].body)
    assert all(link.startswith("https://plateforme.example.org") for link in links)
    assert any(link.startswith("https://plateforme.example.org/comptes/password/reset/key/") for link in links)
    assert "127.0.0.1" not in mailoutbox[0].body


def test_password_reset_for_an_unknown_address_points_to_our_registration(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://plateforme.example.org"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "inconnu@example.org"})

    body = "".join(m.body for m in mailoutbox)
    assert "https://plateforme.example.org/inscription/" in body or not mailoutbox
    assert "/comptes/signup/" not in body


def test_repeated_failed_sign_ins_are_rate_limited(client, counsellor):
    """allauth's limit (5 failures per account in 5 minutes) counts in the configured cache:
    locmem here, Redis when the suite runs with REDIS_URL. Then even the right password waits."""
    url = reverse("account_login")
    for _ in range(5):
        assert (
            "Trop de tentatives" not in client.post(url, {"login": counsellor.email, "password": "x"}).content.decode()
        )

    blocked = client.post(url, {"login": counsellor.email, "password": PASSWORD})

    assert blocked.status_code == 200
    assert "Trop de tentatives de connexion échouées" in blocked.content.decode()
    assert client.get(reverse("counselling:queue")).status_code == 302  # not signed in
