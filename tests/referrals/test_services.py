import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from candidates.models import CandidateEvent, CandidateStatus, Consent
from candidates.services import candidate_declare_mature
from notifications.models import OutboxEmail
from referrals.history import transition_text
from referrals.models import Referral, ReferralLink, ReferralStatus, ReferralTransition, TransitionCode
from referrals.services import (
    ReferralError,
    referral_accept,
    referral_decline,
    referral_email_agents,
    referral_send,
)
from tests.factories import AgentFactory, CandidateFactory, ReferralFactory, TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(territory):
    return CandidateFactory(target_territory=territory, mature=True)


def send(candidate, territory, counsellor, django_capture_on_commit_callbacks, message="Projet mûr"):
    with django_capture_on_commit_callbacks(execute=True):
        return referral_send(candidate=candidate, territories=[territory], by=counsellor, message=message)


def test_send_saves_logs_and_emails_each_agent_a_link_after_commit(
    candidate, territory, counsellor, mailoutbox, settings, django_capture_on_commit_callbacks
):
    second_agent = AgentFactory(territories=[territory])
    AgentFactory(territories=[territory], is_active=False)

    with django_capture_on_commit_callbacks() as callbacks:
        referral = referral_send(candidate=candidate, territories=[territory], by=counsellor, message="Projet mûr")
        # Each agent's email, and the candidate's, is in the outbox with the referral; nothing has left yet.
        assert OutboxEmail.objects.filter(status="pending").count() == 3
        assert mailoutbox == []
    assert len(callbacks) == 3  # one delivery per email, published after commit
    for callback in callbacks:
        callback()

    assert referral.status == ReferralStatus.PENDING
    transition = ReferralTransition.objects.get()
    assert (transition.from_status, transition.to_status, transition.by_user) == ("", "pending", counsellor)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.REFERRED
    assert candidate.counsellor == counsellor
    assert CandidateEvent.objects.filter(candidate=candidate, to_status=CandidateStatus.REFERRED).exists()
    agent_emails = [m for m in mailoutbox if m.to != [candidate.email]]
    recipients = sorted(m.to[0] for m in agent_emails)
    assert recipients == sorted(a.email for a in territory.agents.filter(is_active=True))
    assert second_agent.email in recipients
    assert ReferralLink.objects.filter(referral=referral, sent_at__isnull=False).count() == 2
    assert len(mailoutbox) == 3  # and the candidate is told which territory has their file
    for message in agent_emails:
        assert f"{settings.SITE_URL}/r/" in message.body
        assert message.alternatives[0].mimetype == "text/html"


def test_links_are_built_from_site_url_and_only_their_hash_is_stored(
    candidate, territory, counsellor, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://plateforme.example.org"
    send(candidate, territory, counsellor, django_capture_on_commit_callbacks)

    body = mailoutbox[0].body
    token = body.split("https://plateforme.example.org/r/")[1].split("/")[0]
    link = ReferralLink.objects.get()
    assert len(token) == 43  # 32 random bytes, base64url
    assert link.token_hash != token and token not in link.token_hash
    assert ReferralLink.objects.for_token(token).get() == link


def test_emailing_agents_again_sends_nothing_twice(
    candidate, territory, counsellor, mailoutbox, django_capture_on_commit_callbacks
):
    referral = send(candidate, territory, counsellor, django_capture_on_commit_callbacks)

    assert referral_email_agents(referral=referral) == 0
    assert [m.to for m in mailoutbox] == [[territory.agents.get().email], [candidate.email]]


def test_send_requires_sharing_consent(territory, counsellor):
    candidate = CandidateFactory(target_territory=territory, consents=False)
    Consent.objects.create(
        candidate=candidate, purpose="sharing", granted=False, text_version="t", method="registration_form"
    )

    with pytest.raises(ReferralError, match="consenti"):
        referral_send(candidate=candidate, territories=[territory], by=counsellor)
    assert not Referral.objects.exists()


def test_latest_consent_wins(candidate, territory, counsellor):
    Consent.objects.create(
        candidate=candidate, purpose="sharing", granted=False, text_version="t", method="registration_form"
    )

    with pytest.raises(ReferralError):
        referral_send(candidate=candidate, territories=[territory], by=counsellor)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda c, t: UserFactory(), "conseiller"),
        (lambda c, t: t.agents.update(is_active=False), "aucun·e agent·e"),
        (lambda c, t: type(t).objects.filter(pk=t.pk).update(is_active=False), "plus actif"),
        (lambda c, t: type(c).objects.filter(pk=c.pk).update(status="closed"), "ne peut pas être orienté"),
    ],
)
def test_send_is_refused_and_changes_nothing(candidate, territory, counsellor, setup, message):
    by = setup(candidate, territory)
    by = by if hasattr(by, "role") else counsellor
    territory.refresh_from_db()

    with pytest.raises(ReferralError, match=message):
        referral_send(candidate=candidate, territories=[territory], by=by)
    assert not Referral.objects.exists()
    assert not ReferralTransition.objects.exists()


def test_second_open_referral_is_refused(candidate, territory, counsellor, django_capture_on_commit_callbacks):
    send(candidate, territory, counsellor, django_capture_on_commit_callbacks)
    type(candidate).objects.filter(pk=candidate.pk).update(status=CandidateStatus.COACHING)

    with pytest.raises(ReferralError, match="déjà en attente"):
        referral_send(candidate=candidate, territories=[territory], by=counsellor)
    assert Referral.objects.count() == 1


def test_database_allows_one_pending_referral_per_candidate():
    referral = ReferralFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ReferralFactory(candidate=referral.candidate)
    ReferralFactory(candidate=referral.candidate, status="declined")  # closed ones are not limited


def test_accept(candidate, territory, counsellor, mailoutbox, django_capture_on_commit_callbacks):
    referral = send(candidate, territory, counsellor, django_capture_on_commit_callbacks)
    agent = territory.agents.get()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        referral_accept(referral=referral, agent=agent)

    referral.refresh_from_db()
    assert (referral.status, referral.answered_by) == (ReferralStatus.ACCEPTED, agent)
    assert referral.answered_at is not None
    assert referral.transitions.last().by_agent == agent
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.TAKEN_ON
    assert sorted(m.to[0] for m in mailoutbox) == sorted([candidate.email, counsellor.email])
    to_candidate = next(m for m in mailoutbox if m.to == [candidate.email])
    assert agent.email in to_candidate.body


def test_decline_needs_a_reason_and_returns_the_file_to_the_counsellor(
    candidate, territory, counsellor, mailoutbox, django_capture_on_commit_callbacks
):
    referral = send(candidate, territory, counsellor, django_capture_on_commit_callbacks)
    agent = territory.agents.get()

    with pytest.raises(ReferralError, match="raison"):
        referral_decline(referral=referral, agent=agent, category="other", reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        referral_decline(referral=referral, agent=agent, category="other", reason="Pas de poste <b>maintenant</b>")

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    assert transition_text(referral.transitions.last()) == "Autre raison. Pas de poste <b>maintenant</b>"
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.COACHING
    to_counsellor = next(m for m in mailoutbox if m.to == [counsellor.email])
    html = to_counsellor.alternatives[0].content
    assert "&lt;b&gt;maintenant&lt;/b&gt;" in html and "<b>maintenant</b>" not in html
    to_candidate = next(m for m in mailoutbox if m.to == [candidate.email])
    assert "maintenant" not in to_candidate.body  # the reason is for the counsellor


def test_answering_twice_is_refused(candidate, territory, counsellor, django_capture_on_commit_callbacks):
    referral = send(candidate, territory, counsellor, django_capture_on_commit_callbacks)
    agent = territory.agents.get()
    referral_accept(referral=referral, agent=agent)

    with pytest.raises(ReferralError, match="déjà reçu une réponse"):
        referral_decline(referral=referral, agent=agent, category="other", reason="Non")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.transitions.count() == 2


def test_agent_of_another_territory_cannot_answer(candidate, territory, counsellor, django_capture_on_commit_callbacks):
    referral = send(candidate, territory, counsellor, django_capture_on_commit_callbacks)
    outsider = AgentFactory(territories=[TerritoryFactory()])

    with pytest.raises(ReferralError, match="pas agent·e de ce territoire"):
        referral_accept(referral=referral, agent=outsider)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_expired_referral_cannot_be_answered(candidate, territory, counsellor, django_capture_on_commit_callbacks):
    referral = send(candidate, territory, counsellor, django_capture_on_commit_callbacks)
    Referral.objects.filter(pk=referral.pk).update(expires_at=timezone.now())

    with pytest.raises(ReferralError, match="délai"):
        referral_accept(referral=referral, agent=territory.agents.get())


# --- The project must be declared mature, or the counsellor says why not --------------------


def test_send_is_refused_until_the_project_is_declared_mature(territory, counsellor):
    candidate = CandidateFactory(target_territory=territory)

    with pytest.raises(ReferralError, match="déclaré mûr"):
        referral_send(candidate=candidate, territories=[territory], by=counsellor)
    with pytest.raises(ReferralError, match="déclaré mûr"):
        referral_send(candidate=candidate, territories=[territory], by=counsellor, override_reason="   ")
    assert not Referral.objects.exists()


def test_send_with_an_override_reason_logs_it_in_the_first_transition(territory, counsellor, caplog):
    candidate = CandidateFactory(target_territory=territory)

    with caplog.at_level("WARNING", logger="referrals.services"):
        referral = referral_send(
            candidate=candidate,
            territories=[territory],
            by=counsellor,
            message="Pour l'agent·e",
            override_reason="L'offre d'emploi ferme vendredi",
        )

    transition = referral.transitions.get()
    assert transition.code == TransitionCode.SENT_WITHOUT_MATURITY
    assert transition.reason == "L'offre d'emploi ferme vendredi"
    assert transition_text(transition) == "Envoyée sans projet déclaré mûr. L'offre d'emploi ferme vendredi"
    assert referral.message == "Pour l'agent·e"
    assert f"override (project not declared mature) referral={referral.pk}" in caplog.text


def test_send_once_declared_mature_needs_no_override(territory, counsellor):
    candidate = CandidateFactory(target_territory=territory)
    candidate_declare_mature(candidate=candidate, by=counsellor, note="CV revu, séjour fait.")

    referral = referral_send(candidate=candidate, territories=[territory], by=counsellor, message="Projet mûr")

    assert referral.transitions.get().code == TransitionCode.SENT
    assert referral.message == "Projet mûr"


def test_a_territory_the_person_did_not_choose_is_refused_anywhere_in_the_list(candidate, territory, counsellor):
    """Québec's Law 25: the sharing consent covers the territories the person chose, no other."""
    unchosen = TerritoryFactory(name="Rimouski-Neigette")
    AgentFactory(territories=[unchosen])

    for territories in ([unchosen], [territory, unchosen]):
        with pytest.raises(ReferralError, match="n'a pas choisi le territoire Rimouski-Neigette") as refused:
            referral_send(candidate=candidate, territories=territories, by=counsellor)
        assert refused.value.code == "territory_not_chosen"
    assert not Referral.objects.exists()
    assert not OutboxEmail.objects.exists()
    candidate.refresh_from_db()
    assert candidate.status != CandidateStatus.REFERRED
