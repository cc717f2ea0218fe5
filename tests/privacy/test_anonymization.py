"""One person walked through every path of the platform, then removed by each way a person can
leave it; afterwards no column of any table, no session and no file in the private storage holds
their name, email or phone (Québec's Law 25: one anonymization path, candidates.services.
candidate_anonymize)."""

import datetime
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities.models import Registration
from activities.services import registration_create
from candidates.choices import CandidateStatus
from candidates.cv import validate_cv
from candidates.models import Candidate, CandidateTarget, Consent
from candidates.services import (
    candidate_declare_mature,
    candidate_set_consents,
    candidate_set_cv,
    coaching_note_add,
    file_access_record,
    territory_proposal_decline,
    territory_propose,
)
from notifications.models import OutboxEmail
from referrals.models import FollowUp, Referral, ReferralStatus
from referrals.services import follow_up_record, referral_accept, referral_decline, referral_send
from territories.services import agent_account_ensure
from tests.activities.factories import ActivityFactory
from tests.documents import make_pdf
from tests.factories import PASSWORD, AgentFactory, CandidateFactory, CoordinatorFactory, TerritoryFactory

FIRST, LAST = "Zéphyrine", "Quarmbly"
EMAIL = "zephyrine.quarmbly@example.org"
PHONE = "+15145550199"
PHONE_DIGITS = "5145550199"
TYPED_PHONE = "514 555-0199"


def walk_one_person(client_factory, counsellor, media_root) -> Candidate:
    """Registration, a CV, counsellor's notes, a referral declined by the first territory then
    accepted by the second, a follow-up note that names the person, the emails all this sends,
    two sessions, the admin's log: everything that can hold their name, email or phone."""
    first, second = TerritoryFactory(), TerritoryFactory()
    agent_first, agent_second = AgentFactory(territories=[first]), AgentFactory(territories=[second])
    for agent in (agent_first, agent_second):
        agent_account_ensure(agent=agent)
    candidate = CandidateFactory(
        first_name=FIRST,
        last_name=LAST,
        email=EMAIL,
        phone=PHONE,
        target_territory=first,
        goals=f"{FIRST} {LAST} veut travailler en région.",
        interests=f"Joindre {FIRST} au {TYPED_PHONE}",
        contact_times=f"Appeler {LAST} le soir",
        counsellor=counsellor,
        status=CandidateStatus.COACHING,
        date_of_birth=datetime.date(1995, 3, 2),
    )
    CandidateTarget.objects.create(candidate=candidate, territory=second, rank=2)
    cv = SimpleUploadedFile(f"CV {FIRST} {LAST}.pdf", make_pdf(), content_type="application/pdf")
    candidate_set_cv(candidate=candidate, file=cv, kind=validate_cv(cv))
    coaching_note_add(candidate=candidate, by=counsellor, text=f"Appel avec {FIRST} {LAST}, {TYPED_PHONE}")
    candidate_declare_mature(candidate=candidate, by=counsellor, note=f"{FIRST} est prête ({EMAIL}).")

    referral = referral_send(
        candidate=candidate, territories=[first, second], by=counsellor, message=f"{FIRST} {LAST}, {TYPED_PHONE}"
    )
    referral_decline(referral=referral, agent=agent_first, category="other", reason=f"Rien pour {FIRST} {LAST}")
    accepted = Referral.objects.get(candidate=candidate, territory=second)
    referral_accept(referral=accepted, agent=agent_second)
    follow_up_record(
        referral=accepted,
        step="first_contact",
        occurred_on=timezone.localdate(),
        note=f"Appel avec {FIRST} {LAST}, {TYPED_PHONE}, habite 12 rue des Érables",
        by_agent=agent_second,
    )

    # Two territories the counsellor proposes, with messages naming the person: one the person
    # declines, one still waiting for an answer.
    third, fourth = TerritoryFactory(), TerritoryFactory()
    AgentFactory(territories=[third]), AgentFactory(territories=[fourth])
    declined = territory_propose(
        candidate=candidate, territory=third, by=counsellor, message=f"{FIRST} {LAST} aimerait la mer"
    )
    territory_proposal_decline(proposal=declined, by=candidate.user)
    territory_propose(candidate=candidate, territory=fourth, by=counsellor, message=f"Pour {FIRST}, {TYPED_PHONE}")
    # A séjour exploratoire: a seat, its confirmation email (with its .ics) and the agent's list.
    registration_create(activity=ActivityFactory(territory=second, capacity=1), candidate=candidate)

    # Two sessions, on two devices, through the real sign-in.
    for _device in range(2):
        device = client_factory()
        response = device.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})
        assert response.status_code == 302, response.content[:500]
    # Readings, and a change in the admin (its log keeps the row's name).
    file_access_record(candidate_id=candidate.pk, user=counsellor, kind="file_page")
    LogEntry.objects.log_actions(
        user_id=CoordinatorFactory().pk, queryset=[candidate], action_flag=CHANGE, change_message="Téléphone"
    )
    LogEntry.objects.log_actions(
        user_id=CoordinatorFactory().pk, queryset=[candidate.user], action_flag=CHANGE, change_message="Courriel"
    )

    candidate.refresh_from_db()
    assert OutboxEmail.objects.filter(recipient=EMAIL).exists()
    assert Session.objects.count() >= 2
    hits = scan(media_root)
    assert any(hit.startswith("candidates.TerritoryProposal.message") for hit in hits), hits
    assert hits, "the walk should leave the person everywhere before the deletion"
    return candidate


def _needles_in(text: str) -> set[str]:
    found = {needle for needle in (FIRST, LAST, EMAIL) if needle.lower() in text.lower()}
    if PHONE_DIGITS in re.sub(r"\D", "", text):
        found.add(PHONE)
    return found


def scan(media_root: Path) -> list[str]:
    """Every column of every table, every session's decoded data, every file of the private storage:
    where the person's name, email or phone still appears."""
    hits = []
    for model in apps.get_models():
        for row in model._base_manager.values():
            for column, value in row.items():
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
                if found := _needles_in(text):
                    hits.append(f"{model._meta.label}.{column} #{row.get('id', row.get('pk', '?'))}: {sorted(found)}")
    for session in Session.objects.all():
        if found := _needles_in(json.dumps(session.get_decoded(), default=str)):
            hits.append(f"session {session.session_key[:6]}…: {sorted(found)}")
    for path in Path(media_root).rglob("*"):
        if path.is_file():
            content = path.read_bytes().decode("latin-1")
            if found := _needles_in(content) | _needles_in(path.name):
                hits.append(f"file {path.relative_to(media_root)}: {sorted(found)}")
    return hits


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def self_service(candidate: Candidate, client_factory) -> None:
    client = client_factory()
    client.force_login(candidate.user)
    response = client.post(reverse("my_file:delete"), {"confirm": "on", "password": PASSWORD})
    assert response.status_code == 302


def admin_delete(candidate: Candidate, client_factory) -> None:
    client = client_factory()
    client.force_login(CoordinatorFactory(is_superuser=True))
    response = client.post(reverse("admin:candidates_candidate_delete", args=[candidate.pk]), {"post": "yes"})
    assert response.status_code == 302


def officer_action(candidate: Candidate, client_factory) -> None:
    from django.contrib.auth.models import Group

    from privacy.officers import OFFICER_GROUP

    officer = CoordinatorFactory()
    officer.groups.add(Group.objects.get_or_create(name=OFFICER_GROUP)[0])
    client = client_factory()
    client.force_login(officer)
    response = client.post(
        reverse("admin:privacy_personfile_changelist"),
        {
            "action": "anonymize",
            "_selected_action": [candidate.pk],
            "apply": "1",
            "reason": "person_request",
            "reference": "D-2026-17",
            "confirm": "on",
        },
    )
    assert response.status_code == 302


def retention_closed_file(candidate: Candidate, client_factory) -> None:
    from privacy.purge import purge_personal_data

    long_ago = timezone.now() - datetime.timedelta(days=800)
    Candidate.objects.filter(pk=candidate.pk).update(status=CandidateStatus.SETTLED, closed_at=long_ago)
    report = purge_personal_data(wet_run=True)
    assert report.total


def coaching_consent_expired(candidate: Candidate, client_factory) -> None:
    from privacy.purge import purge_personal_data

    candidate_set_consents(candidate=candidate, choices={"coaching": False}, method=Consent.Method.MY_FILE)
    coaching = Consent.objects.filter(candidate=candidate, purpose="coaching")
    coaching.filter(granted=True).update(created_at=timezone.now() - datetime.timedelta(days=400))
    coaching.filter(granted=False).update(created_at=timezone.now() - datetime.timedelta(days=31))
    purge_personal_data(wet_run=True)


PATHS = [self_service, officer_action, admin_delete, retention_closed_file, coaching_consent_expired]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("leave", PATHS, ids=[path.__name__ for path in PATHS])
def test_nothing_names_the_person_after_they_leave(leave, client_factory, counsellor, media_root):
    candidate = walk_one_person(client_factory, counsellor, media_root)
    user_pk = candidate.user_id

    leave(candidate, client_factory)

    assert scan(media_root) == []
    assert not Registration.objects.filter(candidate_id=candidate.pk).exists()
    candidate.refresh_from_db()
    assert candidate.anonymized_at is not None
    # Both devices signed out: no session left for the account (the admin's own may remain).
    assert [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user_pk)] == []
    assert not apps.get_model("usersessions", "UserSession").objects.filter(user_id=user_pk).exists()
    assert not apps.get_model("accounts", "User").objects.filter(pk=user_pk).exists()
    # The facts stay for the statistics: the territories, the referrals' outcomes, the follow-up step.
    assert sorted(Referral.objects.filter(candidate=candidate).values_list("status", flat=True)) == sorted(
        [ReferralStatus.DECLINED, ReferralStatus.ACCEPTED]
    )
    assert FollowUp.objects.filter(referral__candidate=candidate, step="first_contact").exists()
    assert candidate.targets.count() == 2
    # The proposals keep their territories and outcomes, not the messages; none waits any more.
    assert sorted(candidate.territory_proposals.values_list("status", "message")) == [
        ("declined", ""),
        ("withdrawn", ""),
    ]
