"""The retention purge (privacy.purge): each rule removes or anonymizes what outlived its period
(settings.RETENTION) and nothing younger; a dry run changes nothing; a second run finds nothing."""

import datetime
from io import StringIO

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from candidates.choices import CandidateStatus
from candidates.models import Candidate, CandidateEvent, Consent, FileAccess
from candidates.services import candidate_set_consents
from notifications.models import OutboxEmail, OutboxStatus
from privacy.purge import purge_personal_data
from privacy.tasks import purge_personal_data as purge_task
from tests.factories import CandidateFactory, FileAccessFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def days_ago(days: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def rows(report, code: str) -> dict:
    return dict(next(rule for rule in report.rules if rule.code == code).rows)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def with_cv(candidate: Candidate) -> Candidate:
    candidate.cv.save("cv.pdf", ContentFile(b"%PDF-1.4 cv"), save=True)
    return candidate


def test_drafts_never_submitted_are_anonymized_after_their_period(django_capture_on_commit_callbacks):
    old = CandidateFactory(status=CandidateStatus.DRAFT, consents=False)
    recent = CandidateFactory(status=CandidateStatus.DRAFT, consents=False)
    submitted_long_ago = CandidateFactory(status=CandidateStatus.NEW)
    Candidate.objects.filter(pk__in=[old.pk, submitted_long_ago.pk]).update(updated_at=days_ago(181))
    Candidate.objects.filter(pk=recent.pk).update(updated_at=days_ago(179))

    dry = purge_personal_data(wet_run=False, now=NOW)
    assert rows(dry, "drafts") == {"candidates.Candidate": 1}
    assert Candidate.objects.get(pk=old.pk).anonymized_at is None  # a dry run changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        wet = purge_personal_data(wet_run=True, now=NOW)
    assert rows(wet, "drafts")["candidates.Candidate"] == 1
    assert rows(wet, "drafts")["accounts.User"] == 1
    old.refresh_from_db()
    assert old.anonymized_at is not None and old.user_id is None and old.status == CandidateStatus.CLOSED
    assert Candidate.objects.get(pk=recent.pk).anonymized_at is None
    assert Candidate.objects.get(pk=submitted_long_ago.pk).anonymized_at is None
    assert old.events.get(code="anonymized").params == {"reason": "draft_expired"}

    again = purge_personal_data(wet_run=True, now=NOW)
    assert again.total == 0


def test_a_withdrawn_coaching_consent_anonymizes_after_the_grace_unless_given_again(
    django_capture_on_commit_callbacks,
):
    def withdrawn(days: int, *, given_again: bool = False) -> Candidate:
        candidate = CandidateFactory(status=CandidateStatus.COACHING)
        candidate_set_consents(candidate=candidate, choices={"coaching": False}, method=Consent.Method.MY_FILE)
        coaching = Consent.objects.filter(candidate=candidate, purpose="coaching")
        coaching.filter(granted=True).update(created_at=days_ago(days + 100))
        coaching.filter(granted=False).update(created_at=days_ago(days))
        if given_again:
            candidate_set_consents(candidate=candidate, choices={"coaching": True}, method=Consent.Method.MY_FILE)
        return candidate

    expired, in_grace, changed_mind = withdrawn(31), withdrawn(29), withdrawn(31, given_again=True)

    with django_capture_on_commit_callbacks(execute=True):
        report = purge_personal_data(wet_run=True, now=NOW)

    assert rows(report, "coaching_withdrawn")["candidates.Candidate"] == 1
    assert Candidate.objects.get(pk=expired.pk).anonymized_at is not None
    assert Candidate.objects.get(pk=in_grace.pk).anonymized_at is None
    assert Candidate.objects.get(pk=changed_mind.pk).anonymized_at is None


def test_withdrawing_coaching_consent_tells_the_person_when_the_file_will_be_anonymized(settings):
    settings.RETENTION = {**django_settings.RETENTION, "coaching_withdrawn": 30}
    candidate = CandidateFactory(status=CandidateStatus.COACHING, first_name="Amina", last_name="Diallo")

    candidate_set_consents(candidate=candidate, choices={"coaching": False}, method=Consent.Method.MY_FILE)

    email = OutboxEmail.objects.get(template="coaching_withdrawn_candidate")
    on = timezone.localdate() + datetime.timedelta(days=30)
    assert email.recipient == candidate.email
    assert "Diallo" not in email.subject and str(on.year) in email.subject
    assert "/mon-dossier/consentements/" in email.body


def test_cvs_go_after_the_file_closes_and_the_file_stays(media_root, django_capture_on_commit_callbacks):
    closed_long_ago = with_cv(CandidateFactory(status=CandidateStatus.CLOSED))
    closed_recently = with_cv(CandidateFactory(status=CandidateStatus.CLOSED))
    open_file = with_cv(CandidateFactory(status=CandidateStatus.COACHING))
    Candidate.objects.filter(pk=closed_long_ago.pk).update(closed_at=days_ago(91))
    Candidate.objects.filter(pk=closed_recently.pk).update(closed_at=days_ago(89))
    path = media_root / closed_long_ago.cv.name
    assert path.exists()

    report = purge_personal_data(wet_run=True, now=NOW)

    assert rows(report, "cvs") == {"CV files": 1}
    assert not path.exists()
    closed_long_ago.refresh_from_db()
    assert not closed_long_ago.cv and not closed_long_ago.cv_filename
    assert closed_long_ago.anonymized_at is None  # the file itself is kept longer
    assert Candidate.objects.get(pk=closed_recently.pk).cv
    assert Candidate.objects.get(pk=open_file.pk).cv


def test_closed_and_settled_files_are_anonymized_after_their_period_and_keep_their_status(
    django_capture_on_commit_callbacks,
):
    settled = CandidateFactory(status=CandidateStatus.SETTLED)
    closed = CandidateFactory(status=CandidateStatus.CLOSED)
    recent = CandidateFactory(status=CandidateStatus.CLOSED)
    Candidate.objects.filter(pk__in=[settled.pk, closed.pk]).update(closed_at=days_ago(731))
    Candidate.objects.filter(pk=recent.pk).update(closed_at=days_ago(700))

    with django_capture_on_commit_callbacks(execute=True):
        report = purge_personal_data(wet_run=True, now=NOW)

    assert rows(report, "closed_files")["candidates.Candidate"] == 2
    settled.refresh_from_db()
    assert settled.anonymized_at is not None
    assert settled.status == CandidateStatus.SETTLED  # still counted as settled in the statistics
    assert Candidate.objects.get(pk=recent.pk).anonymized_at is None


def test_the_history_keeps_its_facts_but_not_its_free_text():
    candidate = CandidateFactory()
    old = CandidateEvent.objects.create(
        candidate=candidate, kind="status_changed", to_status="on_hold", code="put_on_hold", note="Appel avec Amina"
    )
    recent = CandidateEvent.objects.create(candidate=candidate, kind="status_changed", note="Cette semaine")
    CandidateEvent.objects.filter(pk=old.pk).update(created_at=days_ago(366))

    report = purge_personal_data(wet_run=True, now=NOW)

    assert rows(report, "history_text")["candidates.CandidateEvent"] == 1
    old.refresh_from_db()
    assert (old.note, old.code, old.to_status) == ("", "put_on_hold", "on_hold")
    assert CandidateEvent.objects.get(pk=recent.pk).note == "Cette semaine"


def test_sent_and_failed_emails_go_after_their_period_pending_ones_stay():
    def email(key, status, *, sent=None, created=None) -> OutboxEmail:
        row = OutboxEmail.objects.create(
            key=key, recipient="a@example.org", language="fr-ca", template="t", subject="s", status=status, sent_at=sent
        )
        if created:
            OutboxEmail.objects.filter(pk=row.pk).update(created_at=created)
        return row

    old_sent = email("old-sent", OutboxStatus.SENT, sent=days_ago(91))
    new_sent = email("new-sent", OutboxStatus.SENT, sent=days_ago(10))
    old_failed = email("old-failed", OutboxStatus.FAILED, created=days_ago(91))
    old_pending = email("old-pending", OutboxStatus.PENDING, created=days_ago(91))

    report = purge_personal_data(wet_run=True, now=NOW)

    assert rows(report, "outbox") == {"notifications.OutboxEmail": 2}
    left = set(OutboxEmail.objects.values_list("pk", flat=True))
    assert left == {new_sent.pk, old_pending.pk}
    assert old_sent.pk not in left and old_failed.pk not in left


def test_expired_sessions_and_old_session_records_go(settings):
    user = CandidateFactory().user
    alive = SessionStore()
    alive["_auth_user_id"] = str(user.pk)
    alive.create()
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=days_ago(1))
    old_record = UserSession.objects.create(
        user=user, session_key=alive.session_key, ip="127.0.0.1", user_agent="Firefox", last_seen_at=days_ago(31)
    )

    report = purge_personal_data(wet_run=True, now=NOW)

    assert rows(report, "sessions") == {"sessions.Session": 1, "usersessions.UserSession": 1}
    assert not UserSession.objects.filter(pk=old_record.pk).exists()
    assert not Session.objects.exists()  # the recorded session ended with its record


def test_the_access_log_goes_after_its_period():
    old, recent = FileAccessFactory(), FileAccessFactory()
    FileAccess.objects.filter(pk=old.pk).update(at=days_ago(366))

    report = purge_personal_data(wet_run=True, now=NOW)

    assert rows(report, "access_log") == {"candidates.FileAccess": 1}
    assert list(FileAccess.objects.values_list("pk", flat=True)) == [recent.pk]


def test_batches_handle_every_row(settings):
    settings.PURGE_BATCH_SIZE = 2
    accesses = [FileAccessFactory() for _ in range(5)]
    FileAccess.objects.filter(pk__in=[access.pk for access in accesses]).update(at=days_ago(400))

    report = purge_personal_data(wet_run=True, now=NOW)

    assert rows(report, "access_log") == {"candidates.FileAccess": 5}
    assert not FileAccess.objects.exists()


def test_the_periods_are_settings(settings):
    settings.RETENTION = {**django_settings.RETENTION, "access_log": 10}
    access = FileAccessFactory()
    FileAccess.objects.filter(pk=access.pk).update(at=days_ago(11))

    assert rows(purge_personal_data(wet_run=True, now=NOW), "access_log") == {"candidates.FileAccess": 1}


def test_the_command_is_a_dry_run_unless_told_and_prints_each_rule():
    access = FileAccessFactory()
    FileAccess.objects.filter(pk=access.pk).update(at=days_ago(400))

    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "Dry run" in out.getvalue()
    assert "- access_log (365 days;" in out.getvalue() and "candidates.FileAccess: 1" in out.getvalue()
    for code in django_settings.RETENTION:
        assert f"- {code} (" in out.getvalue()
    assert FileAccess.objects.filter(pk=access.pk).exists()

    out = StringIO()
    call_command("purge_personal_data", "--wet-run", stdout=out)
    assert "longest transaction" in out.getvalue()
    assert not FileAccess.objects.filter(pk=access.pk).exists()

    out = StringIO()
    call_command("purge_personal_data", "--wet-run", stdout=out)
    assert "Total rows: 0" in out.getvalue()  # run twice: nothing left to do


def test_the_purge_runs_every_night_through_celery():
    schedule = django_settings.CELERY_BEAT_SCHEDULE["purge-personal-data"]
    assert schedule["task"] == purge_task.name
    assert schedule["schedule"].hour == {3}
    access = FileAccessFactory()
    FileAccess.objects.filter(pk=access.pk).update(at=days_ago(400))

    assert purge_task.delay().get() == 1
    assert not FileAccess.objects.exists()


def test_a_dry_run_can_look_ahead_but_a_wet_run_cannot():
    access = FileAccessFactory()
    FileAccess.objects.filter(pk=access.pk).update(at=days_ago(300))
    ahead = (timezone.localdate() + datetime.timedelta(days=100)).isoformat()

    out = StringIO()
    call_command("purge_personal_data", "--as-of", ahead, stdout=out)
    assert f"as of {ahead}" in out.getvalue() and "candidates.FileAccess: 1" in out.getvalue()
    assert FileAccess.objects.filter(pk=access.pk).exists()

    with pytest.raises(CommandError, match="dry runs only"):
        call_command("purge_personal_data", "--as-of", ahead, "--wet-run")
    assert FileAccess.objects.filter(pk=access.pk).exists()
