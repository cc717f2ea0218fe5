"""The retention purge (Québec's P-39.1, s. 23): each rule of privacy.retention applied to what has
outlived its period, in batches of PURGE_BATCH_SIZE rows, each batch its own short transaction.

Run nightly by Celery beat (privacy.tasks) and by `manage.py purge_personal_data` (a dry run unless
--wet-run). Idempotent: what a rule handled no longer matches it, so a second run finds nothing;
two runs at once are safe (anonymization locks the file and refuses a file already anonymized;
deletions of rows already gone delete nothing)."""

import dataclasses
import datetime
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from candidates.choices import AnonymizationReason, CandidateStatus
from candidates.errors import CandidateError
from candidates.models import Candidate, CandidateEvent, Consent, FileAccess
from candidates.services import candidate_anonymize
from notifications.models import OutboxEmail, OutboxStatus
from referrals.models import ReferralTransition

from .retention import RULES_BY_CODE

logger = logging.getLogger(__name__)


@dataclasses.dataclass
class RuleReport:
    """What one rule did (or, in a dry run, would do): rows per table, time, longest batch."""

    code: str
    days: int
    rows: Counter = dataclasses.field(default_factory=Counter)
    seconds: float = 0.0
    longest_batch_seconds: float = 0.0
    errors: int = 0


@dataclasses.dataclass
class PurgeReport:
    wet_run: bool
    rules: list[RuleReport] = dataclasses.field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(sum(rule.rows.values()) for rule in self.rules)


def _batches(queryset: QuerySet, size: int) -> Iterator[list[int]]:
    """The ids of `queryset`, in batches, read once up front (rows the batch handles no longer
    match, and new ones wait for the next night)."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _timed(report: RuleReport, action: Callable[[], None]) -> None:
    started = time.monotonic()
    action()
    report.longest_batch_seconds = max(report.longest_batch_seconds, time.monotonic() - started)


# --- What each rule finds ------------------------------------------------------------------------


def drafts_expired(now: datetime.datetime) -> QuerySet:
    return Candidate.objects.filter(
        status=CandidateStatus.DRAFT, anonymized_at__isnull=True, updated_at__lt=RULES_BY_CODE["drafts"].cutoff(now)
    )


def coaching_withdrawn_expired(now: datetime.datetime) -> QuerySet:
    """Files whose latest coaching consent is a withdrawal older than the grace period."""
    latest = Consent.objects.filter(candidate=OuterRef("pk"), purpose=Consent.Purpose.COACHING).order_by(
        "-created_at", "-pk"
    )
    return (
        Candidate.objects.filter(anonymized_at__isnull=True)
        .filter(consents__purpose=Consent.Purpose.COACHING, consents__granted=False)
        .annotate(
            coaching_granted=Subquery(latest.values("granted")[:1]),
            coaching_at=Subquery(latest.values("created_at")[:1]),
        )
        .filter(coaching_granted=False, coaching_at__lt=RULES_BY_CODE["coaching_withdrawn"].cutoff(now))
        .distinct()
    )


def cvs_expired(now: datetime.datetime) -> QuerySet:
    return Candidate.objects.exclude(cv="").filter(closed_at__lt=RULES_BY_CODE["cvs"].cutoff(now))


def closed_files_expired(now: datetime.datetime) -> QuerySet:
    return Candidate.objects.filter(anonymized_at__isnull=True, closed_at__lt=RULES_BY_CODE["closed_files"].cutoff(now))


def history_text_expired(now: datetime.datetime) -> dict[str, QuerySet]:
    cutoff = RULES_BY_CODE["history_text"].cutoff(now)
    return {
        "candidates.CandidateEvent": CandidateEvent.objects.filter(created_at__lt=cutoff).exclude(note=""),
        "referrals.ReferralTransition": ReferralTransition.objects.filter(created_at__lt=cutoff).exclude(reason=""),
    }


def outbox_expired(now: datetime.datetime) -> QuerySet:
    cutoff = RULES_BY_CODE["outbox"].cutoff(now)
    # Sent rows after the period; failed ones too (their text holds secrets: links, codes).
    return OutboxEmail.objects.filter(
        Q(status=OutboxStatus.SENT, sent_at__lt=cutoff) | Q(status=OutboxStatus.FAILED, created_at__lt=cutoff)
    )


def sessions_expired(now: datetime.datetime) -> dict[str, QuerySet]:
    return {
        "sessions.Session": Session.objects.filter(expire_date__lt=now),
        "usersessions.UserSession": UserSession.objects.filter(last_seen_at__lt=RULES_BY_CODE["sessions"].cutoff(now)),
    }


def access_log_expired(now: datetime.datetime) -> QuerySet:
    return FileAccess.objects.filter(at__lt=RULES_BY_CODE["access_log"].cutoff(now))


# --- What each rule does -------------------------------------------------------------------------


def _anonymize(report: RuleReport, queryset: QuerySet, reason: str, *, wet_run: bool, size: int) -> None:
    for batch in _batches(queryset, size):
        if not wet_run:
            report.rows["candidates.Candidate"] += len(batch)
            continue
        for pk in batch:  # one file, one transaction: the longest lock is one file's anonymization
            started = time.monotonic()
            try:
                done = candidate_anonymize(candidate=Candidate(pk=pk), by=None, reason=reason)
            except CandidateError:
                report.errors += 1  # anonymized meanwhile (another run, the person): nothing to do
                continue
            report.longest_batch_seconds = max(report.longest_batch_seconds, time.monotonic() - started)
            report.rows["candidates.Candidate"] += 1
            report.rows["notifications.OutboxEmail"] += done.emails_forgotten
            report.rows["usersessions.UserSession"] += done.sessions_ended
            report.rows["accounts.User"] += int(done.account_deleted)
            report.rows["CV files"] += int(done.cv_deleted)
            report.rows["referrals.Referral (withdrawn)"] += done.referrals_withdrawn


def _delete(report: RuleReport, table: str, queryset: QuerySet, *, wet_run: bool, size: int) -> None:
    model = queryset.model
    for batch in _batches(queryset, size):
        if not wet_run:
            report.rows[table] += len(batch)
            continue

        def delete(batch=batch) -> None:
            with transaction.atomic():
                deleted, _by_model = model.objects.filter(pk__in=batch).delete()
            report.rows[table] += deleted

        _timed(report, delete)


def _clear(report: RuleReport, table: str, queryset: QuerySet, *, wet_run: bool, size: int, **values) -> None:
    model = queryset.model
    for batch in _batches(queryset, size):
        if not wet_run:
            report.rows[table] += len(batch)
            continue

        def clear(batch=batch) -> None:
            with transaction.atomic():
                report.rows[table] += model.objects.filter(pk__in=batch).update(**values)

        _timed(report, clear)


def _delete_cvs(report: RuleReport, queryset: QuerySet, *, wet_run: bool, size: int) -> None:
    for batch in _batches(queryset, size):
        if not wet_run:
            report.rows["CV files"] += len(batch)
            continue

        def delete(batch=batch) -> None:
            names = []
            with transaction.atomic():
                for candidate in Candidate.objects.select_for_update().filter(pk__in=batch).exclude(cv=""):
                    names.append((candidate.cv.storage, candidate.cv.name))
                    Candidate.objects.filter(pk=candidate.pk).update(cv="", cv_filename="")
            for storage, name in names:  # after commit: a rollback would keep the file with its row
                storage.delete(name)
            report.rows["CV files"] += len(names)

        _timed(report, delete)


def _end_user_sessions(report: RuleReport, queryset: QuerySet, *, wet_run: bool, size: int) -> None:
    for batch in _batches(queryset, size):
        if not wet_run:
            report.rows["usersessions.UserSession"] += len(batch)
            continue

        def end(batch=batch) -> None:
            for session in UserSession.objects.filter(pk__in=batch):
                session.end()  # the session itself too, should it still be alive
                report.rows["usersessions.UserSession"] += 1

        _timed(report, end)


def purge_personal_data(*, wet_run: bool = False, now: datetime.datetime | None = None) -> PurgeReport:
    """Apply every retention rule; in a dry run, count what each would remove or anonymize."""
    now = now or timezone.now()
    size = settings.PURGE_BATCH_SIZE
    report = PurgeReport(wet_run=wet_run)

    def history_text(r: RuleReport) -> None:
        for table, queryset in history_text_expired(now).items():
            field = "note" if table == "candidates.CandidateEvent" else "reason"
            _clear(r, table, queryset, wet_run=wet_run, size=size, **{field: ""})

    def sessions(r: RuleReport) -> None:
        expired = sessions_expired(now)
        _end_user_sessions(r, expired["usersessions.UserSession"], wet_run=wet_run, size=size)
        _delete(r, "sessions.Session", expired["sessions.Session"], wet_run=wet_run, size=size)

    reasons = AnonymizationReason
    steps: dict[str, Callable[[RuleReport], None]] = {
        "drafts": lambda r: _anonymize(r, drafts_expired(now), reasons.DRAFT_EXPIRED, wet_run=wet_run, size=size),
        "coaching_withdrawn": lambda r: _anonymize(
            r, coaching_withdrawn_expired(now), reasons.COACHING_WITHDRAWN, wet_run=wet_run, size=size
        ),
        # Before closed files: the CVs of files closed for less long than the files are kept.
        "cvs": lambda r: _delete_cvs(r, cvs_expired(now), wet_run=wet_run, size=size),
        "closed_files": lambda r: _anonymize(
            r, closed_files_expired(now), reasons.FILE_EXPIRED, wet_run=wet_run, size=size
        ),
        "history_text": history_text,
        "outbox": lambda r: _delete(r, "notifications.OutboxEmail", outbox_expired(now), wet_run=wet_run, size=size),
        "sessions": sessions,
        "access_log": lambda r: _delete(
            r, "candidates.FileAccess", access_log_expired(now), wet_run=wet_run, size=size
        ),
    }
    for code, step in steps.items():
        rule = RULES_BY_CODE[code]
        rule_report = RuleReport(code=code, days=rule.days)
        started = time.monotonic()
        step(rule_report)
        rule_report.seconds = time.monotonic() - started
        report.rules.append(rule_report)
        logger.info(
            "purge_personal_data rule=%s wet_run=%s rows=%s seconds=%.2f longest_batch=%.3f errors=%s",
            code,
            wet_run,
            ",".join(f"{table}={count}" for table, count in sorted(rule_report.rows.items())) or "-",
            rule_report.seconds,
            rule_report.longest_batch_seconds,
            rule_report.errors,
        )
    return report
