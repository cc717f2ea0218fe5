"""« À l'étude »: the agent says they are looking into a pending referral. Guarded and logged like
every transition; the counsellor and the person are told in their languages; reminders stop; the
deadline can be extended once; access, expiry, withdrawal and the counsellor's views treat it as
waiting for an answer."""

import datetime
import html as html_lib

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from candidates.models import CandidateStatus
from referrals.history import transition_text
from referrals.models import Referral, ReferralStatus, ReferralTransition, TransitionCode
from referrals.selectors import agent_view
from referrals.services import (
    ReferralError,
    referral_accept,
    referral_decline,
    referral_extend_deadline,
    referral_link_create,
    referral_mark_under_review,
    referral_send,
    referral_withdraw,
    referrals_expire_overdue,
    referrals_remind_unanswered,
    referrals_warn_expiring,
)
from tests.factories import AgentFactory, CandidateFactory, ReferralFactory, TerritoryFactory
from tests.pages import link_page
from tests.referrals.factories_agent import agent_with_account, referral_for
from tests.referrals.test_link import csrf_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(counsellor, django_capture_on_commit_callbacks, mailoutbox):
    """A referral sent by `counsellor` to a list of two territories, emails of the sending gone."""
    first, second = TerritoryFactory(name="Kamouraska"), TerritoryFactory(name="Rimouski-Neigette")
    for territory in (first, second):
        AgentFactory(territories=[territory])
    candidate = CandidateFactory(
        target_territory=first,
        more_targets=[second],
        status=CandidateStatus.COACHING,
        counsellor=counsellor,
        mature=counsellor,
        language="en",
    )
    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_send(candidate=candidate, territories=[first, second], by=counsellor)
    mailoutbox.clear()
    return referral


def agent_of(referral):
    return referral.territory.agents.get()


def test_marking_under_review_is_logged_and_tells_the_counsellor_and_the_person(
    sent, counsellor, mailoutbox, django_capture_on_commit_callbacks
):
    agent = agent_of(sent)

    with django_capture_on_commit_callbacks(execute=True):
        referral_mark_under_review(referral=sent, agent=agent)

    sent.refresh_from_db()
    assert sent.status == ReferralStatus.UNDER_REVIEW
    transition = ReferralTransition.objects.filter(referral=sent).last()
    assert (transition.from_status, transition.to_status, transition.code, transition.by_agent) == (
        ReferralStatus.PENDING,
        ReferralStatus.UNDER_REVIEW,
        TransitionCode.UNDER_REVIEW,
        agent,
    )
    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert set(by_recipient) == {counsellor.email, sent.candidate.email}
    # The person reads English, the counsellor French; no subject names the person.
    to_person, to_counsellor = by_recipient[sent.candidate.email], by_recipient[counsellor.email]
    assert to_person.subject == "The Kamouraska territory is reviewing your file"
    assert to_counsellor.subject == f"Orientation à l'étude : dossier n° {sent.candidate.pk} (Kamouraska)"
    for message in mailoutbox:
        assert sent.candidate.last_name not in message.subject


@pytest.mark.parametrize("status", [ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN])
def test_only_a_pending_referral_can_be_put_under_review(status):
    agent = agent_with_account()
    referral = referral_for(agent, status=status)

    with pytest.raises(ReferralError):
        referral_mark_under_review(referral=referral, agent=agent)
    referral.refresh_from_db()
    assert referral.status == status
    assert not ReferralTransition.objects.exists()


def test_twice_under_review_past_the_deadline_or_by_another_territory_is_refused():
    agent = agent_with_account()
    referral = referral_for(agent)
    outsider = agent_with_account()
    with pytest.raises(ReferralError, match="pas agent·e de ce territoire"):
        referral_mark_under_review(referral=referral, agent=outsider)

    referral_mark_under_review(referral=referral, agent=agent)
    with pytest.raises(ReferralError, match="déjà à l'étude"):
        referral_mark_under_review(referral=referral, agent=agent)

    late = referral_for(agent, expires_at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(ReferralError, match="délai"):
        referral_mark_under_review(referral=late, agent=agent)
    assert ReferralTransition.objects.count() == 1


def test_accept_and_decline_stay_possible_from_under_review(sent, django_capture_on_commit_callbacks):
    agent = agent_of(sent)
    referral_mark_under_review(referral=sent, agent=agent)

    referral_accept(referral=sent, agent=agent)

    sent.refresh_from_db()
    assert sent.status == ReferralStatus.ACCEPTED
    assert list(ReferralTransition.objects.filter(referral=sent).values_list("from_status", "to_status"))[-1] == (
        ReferralStatus.UNDER_REVIEW,
        ReferralStatus.ACCEPTED,
    )
    # The rest of the list is not needed any more.
    assert Referral.objects.get(chain=sent.chain, rank=2).status == ReferralStatus.WITHDRAWN

    other = referral_for(agent_with_account())
    referral_mark_under_review(referral=other, agent=agent_of(other))
    referral_decline(referral=other, agent=agent_of(other), category="capacity")
    other.refresh_from_db()
    assert other.status == ReferralStatus.DECLINED


def test_a_declined_referral_under_review_passes_to_the_next_territory(sent):
    agent = agent_of(sent)
    referral_mark_under_review(referral=sent, agent=agent)

    referral_decline(referral=sent, agent=agent, category="housing")

    following = Referral.objects.get(chain=sent.chain, rank=2)
    assert following.status == ReferralStatus.PENDING


def test_the_counsellor_can_withdraw_a_referral_under_review(sent, counsellor, client):
    referral_mark_under_review(referral=sent, agent=agent_of(sent))

    referral_withdraw(referral=sent, by_user=counsellor, reason="La personne a trouvé un emploi à Montréal.")

    sent.refresh_from_db()
    assert sent.status == ReferralStatus.WITHDRAWN
    assert sent.candidate.__class__.objects.get(pk=sent.candidate_id).status == CandidateStatus.COACHING


def test_the_expiry_sweep_expires_an_overdue_referral_under_review(sent):
    referral_mark_under_review(referral=sent, agent=agent_of(sent))
    Referral.objects.filter(pk=sent.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    assert referrals_expire_overdue() == 1

    sent.refresh_from_db()
    assert sent.status == ReferralStatus.EXPIRED
    assert Referral.objects.get(chain=sent.chain, rank=2).status == ReferralStatus.PENDING


def test_reminders_stop_for_a_referral_under_review_but_the_last_day_warning_stays(
    sent, mailoutbox, django_capture_on_commit_callbacks
):
    agent = agent_of(sent)
    referral_mark_under_review(referral=sent, agent=agent)
    mailoutbox.clear()
    later = timezone.now() + datetime.timedelta(days=5)

    with django_capture_on_commit_callbacks(execute=True):
        assert referrals_remind_unanswered(now=later) == 0
    assert mailoutbox == []

    Referral.objects.filter(pk=sent.pk).update(expires_at=timezone.now() + datetime.timedelta(hours=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert referrals_warn_expiring() == 1


def test_a_pending_referral_is_still_reminded(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert referrals_remind_unanswered(now=timezone.now() + datetime.timedelta(days=5)) == 1


def test_the_deadline_is_extended_once_with_the_links(sent, settings):
    settings.REFERRAL_REVIEW_EXTENSION_DAYS = 5
    agent = agent_of(sent)
    link = sent.links.get(agent=agent)
    deadline = sent.expires_at
    with pytest.raises(ReferralError, match="Mettez d'abord"):
        referral_extend_deadline(referral=sent, agent=agent)  # not under review yet
    referral_mark_under_review(referral=sent, agent=agent)

    referral_extend_deadline(referral=sent, agent=agent)

    sent.refresh_from_db()
    link.refresh_from_db()
    assert sent.expires_at == deadline + datetime.timedelta(days=5)
    assert link.expires_at == sent.expires_at
    assert sent.status == ReferralStatus.UNDER_REVIEW and sent.deadline_extended_at is not None
    extended = ReferralTransition.objects.get(referral=sent, code=TransitionCode.DEADLINE_EXTENDED)
    assert (extended.from_status, extended.to_status, extended.params, extended.by_agent) == (
        ReferralStatus.UNDER_REVIEW,
        ReferralStatus.UNDER_REVIEW,
        {"days": 5},
        agent,
    )
    with translation.override("en"):
        assert transition_text(extended) == "Deadline extended by 5 days by the agent"
    with translation.override("fr-ca"):
        assert transition_text(extended) == "Délai de réponse prolongé de 5 jours par l'agent·e"

    with pytest.raises(ReferralError, match="déjà été prolongé"):
        referral_extend_deadline(referral=sent, agent=agent)
    sent.refresh_from_db()
    assert sent.expires_at == deadline + datetime.timedelta(days=5)


def test_the_history_of_the_transition_reads_in_the_readers_language(sent):
    referral_mark_under_review(referral=sent, agent=agent_of(sent))
    transition = ReferralTransition.objects.get(referral=sent, code=TransitionCode.UNDER_REVIEW)

    with translation.override("en"):
        assert transition_text(transition) == "Marked as under review by the agent"
    with translation.override("fr-ca"):
        assert transition_text(transition) == "Mise à l'étude par l'agent·e"


def test_the_agent_still_sees_the_person_under_review_not_their_contact():
    agent = agent_with_account()
    referral = referral_for(agent, status=ReferralStatus.UNDER_REVIEW)

    sees = agent_view(referral, agent)

    assert sees.person and sees.message and not sees.contact and not sees.ended


def test_one_referral_waiting_for_an_answer_per_person():
    referral = ReferralFactory(status=ReferralStatus.UNDER_REVIEW)

    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(candidate=referral.candidate, territory=TerritoryFactory(), status=ReferralStatus.PENDING)


# --- From the pages -----------------------------------------------------------------------------


def test_the_link_page_puts_under_review_by_post_with_csrf_only(territory, agent, mailoutbox):
    referral = referral_for(agent)
    client, csrf = csrf_client()
    page = link_page(client, referral_link_create(referral=referral, agent=agent)[1])

    client.get(page, {"decision": "review"})
    assert client.post(page, {"decision": "review"}).status_code == 403  # no CSRF token
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING

    response = client.post(page, {"decision": "review", "csrfmiddlewaretoken": csrf}, follow=True)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.UNDER_REVIEW
    html = html_lib.unescape(response.content.decode())
    assert "Orientation mise à l'étude" in html
    assert "Mettre à l'étude" not in html  # done
    assert "Prolonger le délai de 7 jours" in html
    assert "Accepter cette orientation" in html and "Refuser cette orientation" in html


def test_the_link_page_extends_the_deadline_once(territory, agent):
    referral = referral_for(agent, status=ReferralStatus.UNDER_REVIEW)
    client = Client()
    page = link_page(client, referral_link_create(referral=referral, agent=agent)[1])

    html = html_lib.unescape(client.post(page, {"decision": "extend"}, follow=True).content.decode())

    referral.refresh_from_db()
    assert referral.deadline_extended_at is not None
    assert "Délai prolongé : réponse attendue" in html
    assert "délai prolongé" in html and "Prolonger le délai de" not in html


def test_the_space_puts_under_review(client, agent):
    referral = referral_for(agent)
    client.force_login(agent.user)
    url = reverse("referrals:agent_answer", args=[referral.pk])

    assert client.get(url).status_code == 405
    response = client.post(url, {"decision": "review"})

    assert response["Location"] == reverse("referrals:agent_referral", args=[referral.pk])
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.UNDER_REVIEW
    page = html_lib.unescape(client.get(response["Location"]).content.decode())
    assert "À l'étude" in page


def test_another_agent_cannot_put_it_under_review_from_the_space(client, agent):
    referral = referral_for(agent)
    other = agent_with_account()
    client.force_login(other.user)

    assert client.post(reverse("referrals:agent_answer", args=[referral.pk]), {"decision": "review"}).status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_counsellor_file_and_queue_show_the_referral_under_review(client, sent, counsellor):
    referral_mark_under_review(referral=sent, agent=agent_of(sent))
    client.force_login(counsellor)

    html = html_lib.unescape(client.get(reverse("counselling:file", args=[sent.candidate_id])).content.decode())
    queue = client.get(reverse("counselling:queue"), {"vue": "orientations"})

    assert "À l'étude" in html
    assert "Retirer l'orientation" in html  # the counsellor may still withdraw it
    assert "réponse attendue d'ici le" in html
    assert sent.candidate.pk in {c.pk for c in queue.context["page"].object_list}
