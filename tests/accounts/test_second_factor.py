"""Staff accounts see every file: they cannot reach a page of the dashboard, the statistics or the
admin without a second factor, and an inbox alone (a password reset) never opens them. The
codes are computed here, as the person's authenticator app would."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    AgentFactory,
    CandidateFactory,
    CoordinatorFactory,
    CounsellorFactory,
    totp_code,
)

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["counselling:queue", "stats:statistics", "admin:index"]


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def reauthenticate(client: Client) -> None:
    """allauth asks for the password again before a second factor is added or changed."""
    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302


def code(secret: str = TOTP_SECRET) -> str:
    return totp_code(secret)


@pytest.mark.parametrize("factory", [CounsellorFactory, CoordinatorFactory])
def test_the_password_alone_opens_no_staff_page(factory):
    user = factory(is_superuser=factory is CoordinatorFactory)
    client = Client()

    response = sign_in(client, user.email)

    assert response["Location"] == reverse("mfa_authenticate")
    for page in STAFF_PAGES:
        response = client.get(reverse(page), follow=True)
        assert response.redirect_chain[-1][0].split("?")[0] in (reverse("account_login"), reverse("mfa_authenticate"))
        assert response.status_code == 200 and "/comptes/" in response.request["PATH_INFO"]


def test_with_the_code_of_the_authenticator_app_the_dashboard_opens():
    user = CoordinatorFactory(is_superuser=True)
    client = Client()
    sign_in(client, user.email)

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    right = client.post(reverse("mfa_authenticate"), {"code": code()})

    assert wrong.status_code == 200 and "Code" in wrong.content.decode()
    assert right.status_code == 302
    for page in STAFF_PAGES:
        assert client.get(reverse(page)).status_code == 200


def test_a_recovery_code_also_works():
    user = CounsellorFactory()
    client = Client()
    sign_in(client, user.email)
    assert client.post(reverse("mfa_authenticate"), {"code": code()}).status_code == 302
    reauthenticate(client)
    generated = client.post(reverse("mfa_generate_recovery_codes"))
    assert generated.status_code == 302
    recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    first = recovery.wrap().get_unused_codes()[0]

    other = Client()
    sign_in(other, user.email)
    assert other.post(reverse("mfa_authenticate"), {"code": first}).status_code == 302
    assert other.get(reverse("counselling:queue")).status_code == 200


def test_a_counsellor_without_a_second_factor_must_set_one_up_first():
    user = CounsellorFactory(totp=False)
    client = Client()

    assert sign_in(client, user.email)["Location"] == reverse("counselling:queue")
    blocked = client.get(reverse("counselling:queue"))
    assert blocked["Location"] == reverse("mfa_index")

    reauthenticate(client)
    activate = client.get(reverse("mfa_activate_totp"))
    secret = activate.context["form"].secret
    enrolled = client.post(reverse("mfa_activate_totp"), {"code": code(secret)})

    assert enrolled.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("counselling:queue")).status_code == 200


def test_a_staff_session_opened_without_the_second_factor_is_ended():
    """An old session, or one opened before the second factor existed: signed out, asked again."""
    user = CounsellorFactory()
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})  # stops at the 2FA stage
    session = client.session
    # A session that claims the user without any second factor (as before this feature).
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), "accounts.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()

    response = client.get(reverse("counselling:queue"))

    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_a_password_reset_never_skips_the_second_factor(mailoutbox, django_capture_on_commit_callbacks):
    user = CounsellorFactory()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"http\S+/comptes/password/reset/key/\S+", mailoutbox[0].body)[0]
    path = "/" + link.split("/", 3)[3]
    form_page = client.get(path, follow=True)
    new_password = "une-toute-nouvelle-phrase-2026"

    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": new_password, "password2": new_password},
    )

    assert done.status_code == 302
    assert client.get(reverse("counselling:queue"))["Location"].startswith(reverse("account_login"))
    assert sign_in(client, user.email, new_password)["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("counselling:queue"))["Location"].startswith(reverse("account_login"))


def test_staff_cannot_sign_in_by_emailed_code(client, mailoutbox):
    user = CounsellorFactory()

    client.post(reverse("account_request_login_code"), {"email": user.email})

    assert mailoutbox == []


@pytest.mark.parametrize("who", ["agent", "candidate"])
def test_agents_and_candidates_are_not_asked_for_a_second_factor(who):
    user = CandidateFactory().user if who == "candidate" else AgentFactory().user
    if user is None:
        from territories.services import agent_account_ensure

        agent = AgentFactory()
        user = agent_account_ensure(agent=agent)
        user.set_password(PASSWORD)
        user.save()
    client = Client()

    response = sign_in(client, user.email)

    assert response["Location"] != reverse("mfa_authenticate")


def test_everyone_may_add_an_authenticator_app():
    user = CandidateFactory().user
    client = Client()
    sign_in(client, user.email)
    reauthenticate(client)

    assert client.get(reverse("mfa_activate_totp")).status_code == 200
