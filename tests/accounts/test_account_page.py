"""« Mon compte » for every role: name, the language of the emails (which the next email follows),
the daily digest for counsellors, the second factor (staff keep one), signing out everywhere."""

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.second_factor import is_last_second_factor
from candidates.models import Candidate
from candidates.services import candidate_take_on
from notifications.models import OutboxEmail
from referrals.services import referral_accept, referral_send, referrals_answers_digest
from tests.factories import CandidateFactory, CoordinatorFactory

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("accounts:account")


def form(user: User, **changes) -> dict:
    data = {"first_name": user.first_name, "last_name": user.last_name, "language": user.language}
    if user.daily_digest:
        data["daily_digest"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def people(counsellor, agent):
    return {
        "candidate": CandidateFactory().user,
        "counsellor": counsellor,
        "coordinator": CoordinatorFactory(),
        "agent": agent.user,
    }


@pytest.mark.parametrize("role", ["candidate", "counsellor", "coordinator", "agent"])
def test_every_role_has_an_account_page_linked_from_the_header(client, people, role):
    client.force_login(people[role])

    response = client.get(reverse("my_file:home") if role == "candidate" else ACCOUNT)
    assert f'href="{ACCOUNT}"' in response.content.decode()

    response = client.get(ACCOUNT)
    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert 'name="first_name"' in page and 'name="last_name"' in page
    assert 'name="language"' in page and 'value="en"' in page
    assert ('name="daily_digest"' in page) is (role in ("counsellor", "coordinator"))
    assert reverse("mfa_index") in page
    assert reverse("accounts:sign_out_everywhere") in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_the_page_lists_the_second_factor_devices(client, counsellor):
    client.force_login(counsellor)

    page = client.get(ACCOUNT).content.decode()

    assert "Application d&#x27;authentification" in page or "Application d'authentification" in page


def test_changing_the_language_makes_the_next_email_english(client, counsellor, django_capture_on_commit_callbacks):
    candidate = CandidateFactory(counsellor=None)
    client.force_login(candidate.user)

    response = client.post(ACCOUNT, form(candidate.user, language="en", first_name="Amina"))

    assert response.status_code == 302
    candidate.refresh_from_db()
    assert (candidate.language, candidate.user.language, candidate.first_name) == ("en", "en", "Amina")
    assert response.cookies["django_language"].value == "en"
    with django_capture_on_commit_callbacks(execute=True):
        candidate_take_on(candidate=Candidate.objects.get(pk=candidate.pk), by=counsellor)
    email = OutboxEmail.objects.get(recipient=candidate.email, template="candidate_counsellor_assigned")
    assert email.language == "en"
    assert email.subject.startswith("Your Emplois en régions counsellor")
    assert "Votre" not in email.body


def test_an_agent_who_chooses_english_gets_referrals_in_english(
    client, agent, territory, counsellor, django_capture_on_commit_callbacks
):
    client.force_login(agent.user)
    client.post(ACCOUNT, form(agent.user, language="en"))

    agent.refresh_from_db()
    assert agent.language == "en"  # the record the referral emails are written from
    candidate = CandidateFactory(target_territory=territory, mature=True)
    with django_capture_on_commit_callbacks(execute=True):
        referral_send(candidate=candidate, territories=[territory], by=counsellor)
    email = OutboxEmail.objects.get(recipient=agent.email, template="referral_new_agent")
    assert email.language == "en"
    assert "Nouvelle orientation" not in email.subject


def test_the_daily_digest_can_be_turned_off_and_its_language_chosen(
    client, counsellor, territory, agent, django_capture_on_commit_callbacks
):
    def answered_referral():
        candidate = CandidateFactory(target_territory=territory, mature=True, counsellor=counsellor)
        with django_capture_on_commit_callbacks(execute=True):
            referral = referral_send(candidate=candidate, territories=[territory], by=counsellor)
        referral_accept(referral=referral, agent=agent)

    client.force_login(counsellor)
    client.post(ACCOUNT, form(counsellor, daily_digest=None))
    counsellor.refresh_from_db()
    assert counsellor.daily_digest is False
    answered_referral()
    assert referrals_answers_digest() == 0

    client.post(ACCOUNT, form(counsellor, daily_digest="on", language="en"))
    counsellor.refresh_from_db()
    assert (counsellor.daily_digest, counsellor.language) == (True, "en")
    assert referrals_answers_digest() == 1
    digest = OutboxEmail.objects.get(template="answers_digest_counsellor")
    assert (digest.recipient, digest.language) == (counsellor.email, "en")
    assert "Réponses" not in digest.subject


def test_a_candidate_cannot_turn_on_what_they_do_not_receive(client):
    user = CandidateFactory().user
    client.force_login(user)

    client.post(ACCOUNT, form(user, daily_digest=None, language="en"))

    user.refresh_from_db()
    assert user.daily_digest is True and user.language == "en"


def test_an_empty_name_is_refused(client):
    user = CandidateFactory().user
    client.force_login(user)

    response = client.post(ACCOUNT, form(user, first_name=""))

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.first_name


def test_the_form_needs_the_csrf_token(counsellor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(counsellor)

    response = client.post(ACCOUNT, form(counsellor, language="en"))

    assert response.status_code == 403
    counsellor.refresh_from_db()
    assert counsellor.language == "fr-ca"


def test_staff_keep_their_last_second_factor(client, counsellor):
    client.force_login(counsellor)
    totp = Authenticator.objects.get(user=counsellor, type=Authenticator.Type.TOTP)

    client.post(reverse("mfa_deactivate_totp"), {})
    assert Authenticator.objects.filter(pk=totp.pk).exists()

    passkey = Authenticator.objects.create(user=counsellor, type=Authenticator.Type.WEBAUTHN, data={"name": "Clé"})
    totp.delete()
    response = client.post(f"/comptes/2fa/webauthn/keys/{passkey.pk}/remove/")
    assert response["Location"] == ACCOUNT
    assert Authenticator.objects.filter(pk=passkey.pk).exists()


def test_agents_and_candidates_may_remove_their_only_passkey(agent):
    passkey = Authenticator.objects.create(user=agent.user, type=Authenticator.Type.WEBAUTHN, data={"name": "Clé"})

    assert not is_last_second_factor(passkey)
