"""An agent sees a person only while a referral to their territory is theirs to answer or to
follow, only as an active agent of that territory, and only what the words of the person's sharing
consent cover. After a decline, an expiry, a withdrawal, the end of the follow-up (and its grace
period) or the agent's deactivation, their link and their space show what happened, without the
person, and the CV is a 404. Drafts are invisible to counsellors."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.consents import LEGACY_SHARING_COVERS, Wording, consent_row
from candidates.models import CandidateStatus, Consent
from candidates.services import candidate_set_consents, candidate_set_cv
from referrals.models import Referral, ReferralStatus
from referrals.services import referral_link_create
from tests.documents import make_pdf
from tests.factories import CandidateFactory, CounsellorFactory
from tests.pages import link_page
from tests.referrals.factories_agent import FollowUpFactory, agent_with_account, referral_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


def with_cv(candidate) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    candidate_set_cv(candidate=candidate, file=SimpleUploadedFile("cv.pdf", make_pdf()), kind="pdf")


def pages(agent, referral) -> dict[str, str]:
    """What the agent reads of the referral on their link page and in their space, and the status
    of the two CV downloads."""
    link_client = Client()
    page = link_page(link_client, referral_link_create(referral=referral, agent=agent)[1])
    space = Client()
    space.force_login(agent.user)
    return {
        "link": link_client.get(page).content.decode(),
        "space": space.get(reverse("referrals:agent_referral", args=[referral.pk])).content.decode(),
        "link_cv": link_client.get(page + "cv/").status_code,
        "cv": space.get(reverse("my_file:cv_download", args=[referral.candidate_id])).status_code,
        "list": space.get(reverse("referrals:agent_home"), {"onglet": "fermees"}).content.decode()
        + space.get(reverse("referrals:agent_home"), {"onglet": "suivi"}).content.decode(),
    }


def shows_the_person(seen: dict, candidate) -> bool:
    return candidate.full_name in seen["link"] and candidate.full_name in seen["space"]


def test_while_pending_the_agent_sees_the_summary_cv_and_message_but_no_contact():
    agent = agent_with_account()
    referral = referral_for(agent, message="Infirmière, permis en cours.")
    with_cv(referral.candidate)

    seen = pages(agent, referral)

    assert shows_the_person(seen, referral.candidate)
    assert "Infirmière, permis en cours." in seen["link"]
    assert (seen["link_cv"], seen["cv"]) == (200, 200)
    assert referral.candidate.email not in seen["link"] + seen["space"]


def test_once_accepted_the_contact_details_too():
    agent = agent_with_account()
    referral = referral_for(agent, status=ReferralStatus.ACCEPTED)

    seen = pages(agent, referral)

    assert referral.candidate.email in seen["space"]


@pytest.mark.parametrize("status", [ReferralStatus.DECLINED, ReferralStatus.EXPIRED, ReferralStatus.WITHDRAWN])
def test_after_a_decline_an_expiry_or_a_withdrawal_nothing_of_the_person(status):
    agent = agent_with_account()
    # Names no staff member's name contains (a random "Marc" was found in a counsellor's "Marcel").
    person = CandidateFactory(
        first_name="Zéphyrine", last_name="Quintal-Okafor", target_territory=agent.territories.first()
    )
    referral = referral_for(agent, status=status, message="Message privé du conseiller.", candidate=person)
    with_cv(referral.candidate)

    seen = pages(agent, referral)

    for text in (referral.candidate.full_name, referral.candidate.first_name, "Message privé du conseiller."):
        assert text not in seen["link"] and text not in seen["space"] and text not in seen["list"]
    assert f"Orientation n° {referral.pk}" in seen["link"]
    assert (seen["link_cv"], seen["cv"]) == (404, 404)


@pytest.mark.parametrize("how", ["deactivated", "left the territory"])
def test_an_agent_who_is_no_longer_an_active_agent_of_the_territory_sees_nothing(how):
    agent = agent_with_account()
    referral = referral_for(agent, status=ReferralStatus.ACCEPTED)
    with_cv(referral.candidate)
    if how == "deactivated":
        agent.is_active = False
        agent.save()
    else:
        agent.territories.clear()
    link_client = Client()
    page = link_page(link_client, referral_link_create(referral=referral, agent=agent)[1])

    assert referral.candidate.full_name not in link_client.get(page).content.decode()
    assert link_client.get(page + "cv/").status_code == 404


def test_after_the_follow_up_closes_the_agent_keeps_seeing_the_person_for_the_grace_period_only(settings):
    settings.AGENT_ACCESS_GRACE_DAYS = 30
    agent = agent_with_account()
    referral = referral_for(agent, status=ReferralStatus.ACCEPTED)
    closed = FollowUpFactory(referral=referral, step="closed", note="Installée.", by_agent=agent)

    assert shows_the_person(pages(agent, referral), referral.candidate)
    closed.occurred_on = timezone.localdate() - datetime.timedelta(days=31)
    closed.save()
    seen = pages(agent, referral)
    assert referral.candidate.full_name not in seen["link"] + seen["space"]
    assert "Installée." not in seen["space"]  # the follow-up's notes too


def test_a_withdrawn_sharing_consent_hides_the_person_at_once():
    agent = agent_with_account()
    referral = referral_for(agent, status=ReferralStatus.ACCEPTED, message="Message privé.")
    candidate_set_consents(
        candidate=referral.candidate, choices={Consent.Purpose.SHARING: False}, method=Consent.Method.MY_FILE
    )

    seen = pages(agent, referral)

    assert referral.candidate.full_name not in seen["link"] + seen["space"]
    assert "Message privé." not in seen["link"] + seen["space"]
    assert "retiré son accord au partage" in seen["link"]


def test_a_consent_of_the_first_wording_shares_only_the_summary_and_the_cv():
    """Its words said "my summary and my CV": no contact details, no counsellor's message."""
    agent = agent_with_account()
    candidate = CandidateFactory(
        consents=False, status=CandidateStatus.TAKEN_ON, target_territory=agent.territories.first()
    )
    legacy = Wording(
        version="2026-11-sharing-v1", text="Mon résumé et mon CV…", explanation="", covers=LEGACY_SHARING_COVERS
    )
    consent_row(candidate=candidate, purpose="sharing", granted=True, method="my_file", wording=legacy).save()
    referral = referral_for(agent, status=ReferralStatus.ACCEPTED, candidate=candidate, message="Message privé.")

    seen = pages(agent, referral)

    assert candidate.full_name in seen["space"]
    assert candidate.email not in seen["space"] and "Message privé." not in seen["space"]


def test_counsellors_see_no_draft_nor_its_cv(client):
    draft = CandidateFactory(status=CandidateStatus.DRAFT)
    with_cv(draft)
    client.force_login(CounsellorFactory())

    assert client.get(reverse("counselling:file", args=[draft.pk])).status_code == 404
    assert client.get(reverse("my_file:cv_download", args=[draft.pk])).status_code == 404
    assert (
        draft.full_name
        not in client.get(reverse("counselling:queue"), {"vue": "tous", "q": draft.last_name}).content.decode()
    )
    assert Referral.objects.count() == 0


def test_an_anonymized_file_shows_nothing_of_the_person_to_the_agent_who_followed_it():
    from candidates.services import candidate_anonymize

    agent = agent_with_account()
    referral = referral_for(agent, status=ReferralStatus.ACCEPTED)
    with_cv(referral.candidate)
    FollowUpFactory(referral=referral, step="first_contact", note="Appel fait.", by_agent=agent)
    name = referral.candidate.full_name

    candidate_anonymize(candidate=referral.candidate, by=None, reason="officer")

    seen = pages(agent, referral)
    assert name not in seen["link"] + seen["space"] + seen["list"]
    assert "Appel fait." not in seen["space"]
    assert (seen["link_cv"], seen["cv"]) == (404, 404)


def test_a_consent_withdrawn_while_the_agent_is_on_the_page_refuses_their_answer_clearly():
    agent = agent_with_account()
    referral = referral_for(agent, status=ReferralStatus.PENDING)
    link_client = Client()
    page = link_page(link_client, referral_link_create(referral=referral, agent=agent)[1])
    assert referral.candidate.full_name in link_client.get(page).content.decode()  # the agent reads it

    candidate_set_consents(
        candidate=referral.candidate, choices={Consent.Purpose.SHARING: False}, method=Consent.Method.MY_FILE
    )
    response = link_client.post(page, {"decision": "accept", "confirm": "1"}, follow=True)

    assert response.redirect_chain == [(page, 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["error"]  # said, not a 500
    assert referral.candidate.full_name not in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.WITHDRAWN
