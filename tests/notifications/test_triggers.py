"""The emails of issue 6 that a change sends (file received, counsellor assigned, referred to a
territory, withdrawn by the candidate) and those the schedules send (agents' reminder and
"expires tomorrow", follow-up check-ins, counsellors' digest, coordinators' failed emails): each
once, not twice when its task runs twice, and not to the wrong people."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from candidates.models import CandidateStatus, Consent
from candidates.services import (
    candidate_delete,
    candidate_reassign,
    candidate_set_consents,
    candidate_submit,
    candidate_take_on,
    candidates_assign,
)
from notifications.models import OutboxEmail, OutboxStatus
from notifications.services import FAILED_REPORT_TEMPLATE, outbox_enqueue, outbox_report_failed, outbox_send_again
from pajr.celery import app as celery_app
from referrals.models import FollowUpStep, Referral, ReferralLink
from referrals.services import (
    add_months,
    follow_up_checkin_due,
    follow_up_checkins_remind,
    follow_up_record,
    referral_accept,
    referral_decline,
    referral_expire,
    referral_send,
    referrals_answers_digest,
    referrals_remind_unanswered,
    referrals_warn_expiring,
)
from tests.candidates.test_registration_steps import BORN, complete
from tests.factories import (
    AgentFactory,
    CandidateFactory,
    CoordinatorFactory,
    CounsellorFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db


def outbox(template: str) -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(template=template).order_by("pk"))


def recipients(template: str) -> list[str]:
    return [email.recipient for email in outbox(template)]


@pytest.fixture
def send(counsellor, django_capture_on_commit_callbacks):
    def send(candidate, territories):
        with django_capture_on_commit_callbacks(execute=True):
            return referral_send(candidate=candidate, territories=territories, by=counsellor)

    return send


@pytest.fixture
def referred(send, territory):
    """A referral pending with the territory's one agent, sent four days ago (past the reminder)."""
    candidate = CandidateFactory(target_territory=territory, mature=True)
    referral = send(candidate, [territory])
    Referral.objects.filter(pk=referral.pk).update(sent_at=timezone.now() - datetime.timedelta(days=4))
    return Referral.objects.get(pk=referral.pk)


# --- Emails a change sends ----------------------------------------------------------------------


def test_submitting_the_registration_sends_file_received_once(mailoutbox, django_capture_on_commit_callbacks):
    draft = CandidateFactory(
        status=CandidateStatus.DRAFT,
        profile_kind="",
        date_of_birth=BORN,
        registration_step=2,
        target_territory=False,
        consents=False,
        language="en",
    )
    complete(draft)
    with django_capture_on_commit_callbacks(execute=True):
        candidate_submit(candidate=draft)

    assert recipients("candidate_file_received") == [draft.email]
    assert [m.subject for m in mailoutbox] == ["We have received your file"]


def test_each_change_of_counsellor_tells_the_candidate_who_and_how_to_reach_them(counsellor):
    first, second = CandidateFactory(), CandidateFactory()
    colleague = CounsellorFactory(first_name="Maude", last_name="Lavoie")

    candidate_take_on(candidate=first, by=counsellor)
    candidates_assign(candidates=[second], counsellor=colleague, by=counsellor)
    candidate_reassign(candidate=first, to=colleague, by=counsellor)
    candidate_reassign(candidate=first, to=counsellor, by=colleague)  # back: a new change, a new email

    emails = outbox("candidate_counsellor_assigned")
    assert [e.recipient for e in emails] == [first.email, second.email, first.email, first.email]
    assert "Maude Lavoie" in emails[1].subject and colleague.email in emails[1].body
    assert counsellor.email in emails[3].body


def test_the_candidate_is_told_of_each_territory_their_file_reaches(send, counsellor):
    territories = [TerritoryFactory(), TerritoryFactory(), TerritoryFactory()]
    for territory in territories:
        AgentFactory(territories=[territory])
    candidate = CandidateFactory(target_territory=territories[0], more_targets=territories[1:], mature=True)

    first = send(candidate, territories)
    Referral.objects.filter(pk=first.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    referral_expire(referral=first)  # expiry: the next territory, and the candidate hears of it
    second = Referral.objects.get(chain=first.chain, rank=2)
    referral_decline(referral=second, agent=territories[1].agents.get(), category="capacity")

    sent = outbox("referral_sent_candidate")
    assert [e.recipient for e in sent] == [candidate.email, candidate.email]
    assert territories[0].name in sent[0].subject and territories[1].name in sent[1].subject
    # After a decline, the answer's email names the next territory: no second email about it.
    assert territories[2].name in outbox("referral_answered_candidate")[0].body


def test_withdrawing_consent_tells_the_agents_and_the_counsellor(referred, territory, counsellor):
    candidate = referred.candidate

    candidate_set_consents(candidate=candidate, choices={Consent.Purpose.SHARING: False}, method="my_file")

    assert recipients("referral_withdrawn_agent") == [territory.agents.get().email]
    email = outbox("referral_withdrawn_counsellor")[0]
    assert (email.recipient, candidate.full_name in email.body) == (counsellor.email, True)


def test_deleting_the_account_tells_the_agents_and_the_counsellor_without_the_name(referred, territory, counsellor):
    candidate = referred.candidate
    name = candidate.full_name

    candidate_delete(candidate=candidate)

    assert recipients("referral_withdrawn_agent") == [territory.agents.get().email]
    email = outbox("referral_withdrawn_counsellor")[0]
    assert email.recipient == counsellor.email
    assert name not in email.subject + email.body + email.html
    assert "supprimé son compte" in email.body


# --- Agents: reminder and "expires tomorrow" -----------------------------------------------------


def test_the_reminder_goes_once_to_each_active_agent_with_a_new_working_link(referred, territory):
    agent = territory.agents.get()
    AgentFactory(territories=[territory], is_active=False)
    links_before = ReferralLink.objects.count()

    assert referrals_remind_unanswered() == 1
    assert referrals_remind_unanswered() == 0  # the second run: no email, no link

    email = outbox("referral_reminder_agent")[0]
    assert email.recipient == agent.email and email.key == f"referral_reminder_agent:{referred.pk}:{agent.pk}"
    assert ReferralLink.objects.count() == links_before + 1
    token = email.body.split(f"{django_settings.SITE_URL}/r/")[1].split("/")[0]
    link = ReferralLink.objects.for_token(token).get()
    assert (link.agent, link.expires_at, link.sent_at is not None) == (agent, referred.expires_at, True)
    assert link.works()
    assert "/agent/" in email.body


def test_no_reminder_too_early_nor_once_answered(referred, territory):
    Referral.objects.filter(pk=referred.pk).update(sent_at=timezone.now() - datetime.timedelta(days=2))
    assert referrals_remind_unanswered() == 0

    Referral.objects.filter(pk=referred.pk).update(sent_at=timezone.now() - datetime.timedelta(days=5))
    referral_accept(referral=referred, agent=territory.agents.get())
    assert referrals_remind_unanswered() == 0
    assert outbox("referral_reminder_agent") == []


def test_no_reminder_to_an_agent_who_left_the_territory_or_was_deactivated(referred, territory):
    agent = territory.agents.get()
    agent.is_active = False
    agent.save()

    assert referrals_remind_unanswered() == 0


def test_expires_tomorrow_warns_once_and_replaces_the_reminder(referred, territory):
    Referral.objects.filter(pk=referred.pk).update(expires_at=timezone.now() + datetime.timedelta(hours=20))

    assert referrals_remind_unanswered() == 0  # less than a day left: the warning says it
    assert referrals_warn_expiring() == 1
    assert referrals_warn_expiring() == 0
    assert recipients("referral_expires_soon_agent") == [territory.agents.get().email]


def test_expires_tomorrow_not_for_a_referral_with_days_left(referred):
    assert referrals_warn_expiring() == 0


# --- Counsellors: the daily digest ---------------------------------------------------------------


def test_the_digest_lists_the_days_answers_once_per_counsellor(send, counsellor, territory):
    other_counsellor = CounsellorFactory(is_active=False)
    accepted = send(CandidateFactory(target_territory=territory, mature=True), [territory])
    referral_accept(referral=accepted, agent=territory.agents.get())
    expiring = send(CandidateFactory(target_territory=territory, mature=True), [territory])
    Referral.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    referral_expire(referral=expiring)
    send(CandidateFactory(target_territory=territory, mature=True), [territory])  # still pending: not listed
    inactive_one = send(
        CandidateFactory(target_territory=territory, mature=True, counsellor=other_counsellor), [territory]
    )
    referral_accept(referral=inactive_one, agent=territory.agents.get())

    assert referrals_answers_digest() == 1
    assert referrals_answers_digest() == 0

    email = outbox("answers_digest_counsellor")[0]
    day = timezone.localdate().isoformat()
    assert (email.recipient, email.key) == (counsellor.email, f"answers_digest_counsellor:{counsellor.pk}:{day}")
    assert accepted.candidate.full_name in email.body and expiring.candidate.full_name in email.body
    assert email.subject.endswith(": 2")


def test_no_digest_without_answers_in_the_last_24_hours(send, territory):
    accepted = send(CandidateFactory(target_territory=territory, mature=True), [territory])
    referral_accept(referral=accepted, agent=territory.agents.get())

    assert referrals_answers_digest(now=timezone.now() + datetime.timedelta(days=1, minutes=1)) == 0


# --- Follow-up check-ins -------------------------------------------------------------------------


@pytest.fixture
def moved(send, territory, counsellor):
    """An accepted referral whose candidate moved three months and two days ago."""
    referral = send(CandidateFactory(target_territory=territory, mature=True), [territory])
    agent = territory.agents.get()
    referral_accept(referral=referral, agent=agent)
    today = timezone.localdate()
    follow_up_record(
        referral=referral,
        step=FollowUpStep.MOVED,
        occurred_on=add_months(today, -3) - datetime.timedelta(days=2),
        note="",
        by_agent=agent,
    )
    return referral


def test_a_due_check_in_emails_the_agent_and_the_candidate_once(moved, territory):
    assert follow_up_checkins_remind() == 2
    assert follow_up_checkins_remind() == 0

    assert recipients("follow_up_checkin_agent") == [territory.agents.get().email]
    assert recipients("follow_up_checkin_candidate") == [moved.candidate.email]
    assert outbox("follow_up_checkin_agent")[0].key == (
        f"follow_up_checkin_agent:{moved.pk}:checkin_3:{territory.agents.get().pk}"
    )


def test_no_check_in_email_once_recorded_or_closed(moved, territory):
    agent = territory.agents.get()
    follow_up_record(
        referral=moved, step=FollowUpStep.CHECKIN_3, occurred_on=timezone.localdate(), note="Ça va.", by_agent=agent
    )
    assert follow_up_checkins_remind() == 0

    follow_up_record(
        referral=moved, step=FollowUpStep.CLOSED, occurred_on=timezone.localdate(), note="Installée.", by_agent=agent
    )
    assert follow_up_checkins_remind(today=add_months(timezone.localdate(), 3)) == 0


def test_which_check_in_is_due():
    moved_on = datetime.date(2026, 1, 31)
    assert add_months(moved_on, 1) == datetime.date(2026, 2, 28)
    assert follow_up_checkin_due(moved_on=moved_on, recorded=set(), today=datetime.date(2026, 4, 29)) is None
    assert follow_up_checkin_due(moved_on=moved_on, recorded=set(), today=datetime.date(2026, 4, 30)) == "checkin_3"
    # A later check-in recorded covers an earlier one; an old one is not announced any more.
    assert follow_up_checkin_due(moved_on=moved_on, recorded={"checkin_6"}, today=datetime.date(2026, 8, 1)) is None
    assert follow_up_checkin_due(moved_on=moved_on, recorded=set(), today=datetime.date(2026, 6, 15)) is None
    assert follow_up_checkin_due(moved_on=moved_on, recorded=set(), today=datetime.date(2026, 7, 31)) == "checkin_6"


# --- Coordinators: emails that failed ------------------------------------------------------------


def failed_email(key: str, template: str = "referral_new_agent") -> OutboxEmail:
    email = outbox_enqueue(to="gone@paj.example.org", language="fr-ca", template="rendered", subject="S", key=key)
    OutboxEmail.objects.filter(pk=email.pk).update(
        status=OutboxStatus.FAILED, template=template, attempts=8, last_error="SMTPRecipientsRefused"
    )
    return OutboxEmail.objects.get(pk=email.pk)


def test_failed_emails_are_reported_once_to_each_active_coordinator():
    coordinators = [CoordinatorFactory(language="en"), CoordinatorFactory()]
    CoordinatorFactory(is_active=False)
    CounsellorFactory()
    failed_email("a")
    failed_email("b")

    assert outbox_report_failed() == 2
    assert outbox_report_failed() == 0

    reports = outbox(FAILED_REPORT_TEMPLATE)
    assert sorted(e.recipient for e in reports) == sorted(c.email for c in coordinators)
    assert "Failed emails: 2" in [e.subject for e in reports]


def test_a_failed_report_is_never_reported_and_send_again_reports_anew():
    CoordinatorFactory()
    failed_email("report", template=FAILED_REPORT_TEMPLATE)
    assert outbox_report_failed() == 0  # no email about the failure of a failure email

    row = failed_email("x")
    assert outbox_report_failed() == 1
    outbox_send_again(emails=OutboxEmail.objects.filter(pk=row.pk))
    OutboxEmail.objects.filter(pk=row.pk).update(status=OutboxStatus.FAILED)
    assert outbox_report_failed() == 1


def test_without_an_active_coordinator_failures_wait_for_the_next_run():
    failed_email("a")
    assert outbox_report_failed() == 0
    CoordinatorFactory()
    assert outbox_report_failed() == 1


# --- The schedule --------------------------------------------------------------------------------


def test_each_scheduled_task_exists():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert {
        "referrals-expire",
        "outbox-requeue-due",
        "referrals-remind",
        "referrals-expiring",
        "follow-up-checkins",
        "referrals-digest",
        "outbox-failed-report",
    } <= set(schedule)
    celery_app.loader.import_default_modules()  # what the worker does: every app's tasks module
    for entry in schedule.values():
        assert entry["task"] in celery_app.tasks
    digest = schedule["referrals-digest"]["schedule"]
    assert (digest.hour, digest.minute) == ({17}, {0})
    assert django_settings.REFERRAL_REMINDER_DAYS == 3
