"""The notification cases (issue 6): the outbox's path end to end, through the real broker, a
worker and an SMTP server. referral_send commits a referral and its OutboxEmail row, the row is
published after commit, a `celery -A pajr worker` of the bench's own (prefork, 4 processes, the
production CELERY_* settings) sends it to an SMTP server in this process, which notes when each
Message-ID arrives. The worker and the server are devtools.rig's, as in the tests."""

import logging
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from candidates.models import Candidate, CandidateTarget, Consent, MaturityAssessment
from candidates.services import REFERABLE_STATUSES
from devtools.rig import CeleryWorker, SMTPCollector, own_queue, serve_smtp, worker_database_url
from devtools.tasks import bench_plain_email
from notifications.models import OutboxEmail
from pajr.celery import app as celery_app
from referrals.models import AWAITING_ANSWER
from referrals.services import referral_send
from territories.models import Agent, Territory
from territories.services import agent_account_ensure

from .cases import Bench, CaseResult, percentiles
from .seeding import DOMAIN

NOTIFY_WORKER_PROCESSES = 4  # as deploy/systemd/pajr-worker@.service runs them
NOTIFY_SENDER_THREADS = 4  # counsellors acting at once; each referral is its own transaction
NOTIFY_READY_TIMEOUT = 60


@dataclass
class NotifyOptions:
    rate: float = 20  # notify_steady: referrals per second…
    steady_seconds: float = 30  # …for this long
    burst: int = 1000  # notify_burst: referrals committed at once


@dataclass
class NotifyRig:
    """The SMTP server, the worker process and the queue of one bench run."""

    smtp: SMTPCollector
    worker: CeleryWorker
    nodename: str
    representative: bool
    counsellor: User
    candidates: list[Candidate]  # referable (NEW or COACHING, sharing consent, declared mature)
    territories: list[Territory]  # active, with exactly one active agent: 1 referral = 1 email
    stack: ExitStack = field(default_factory=ExitStack)  # stops the server, the worker and the queue
    sent: int = 0
    referral_queries: int = 0  # the queries of one referral_send, counted on the warm-up one

    @classmethod
    def start(cls, bench: Bench) -> "NotifyRig":
        opts = bench.notify
        needed = round(opts.rate * opts.steady_seconds) + opts.burst + 1
        counsellor, candidates, territories = _notify_prepare(needed)
        broker_url = celery_app.conf.broker_url
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs each SMTP command
        with ExitStack() as stack:
            smtp = stack.enter_context(serve_smtp())
            queue = stack.enter_context(own_queue("bench"))
            nodename = f"{queue}@{socket.gethostname()}"
            log_path = Path(settings.VAR_DIR) / f"{queue}-worker.log"
            stack.callback(log_path.unlink, missing_ok=True)
            worker = CeleryWorker.start(
                queue=queue,
                database_url=worker_database_url(),  # the bench database, not the development one
                email_url=smtp.url,
                env={
                    "CELERY_BROKER_URL": broker_url,
                    "DEBUG": "false",  # as in production: no query log in the worker
                },
                log_path=log_path,
                pool="prefork",
                concurrency=NOTIFY_WORKER_PROCESSES,
                nodename=nodename,
                ready_timeout=NOTIFY_READY_TIMEOUT,
            )
            stack.callback(worker.stop, grace=30)
            return cls(
                smtp=smtp,
                worker=worker,
                nodename=nodename,
                representative=broker_url.startswith(("redis://", "rediss://")),
                counsellor=counsellor,
                candidates=candidates,
                territories=territories,
                stack=stack.pop_all(),
            )

    def take(self, n: int) -> list[Candidate]:
        taken = self.candidates[self.sent : self.sent + n]
        self.sent += len(taken)
        return taken

    def wait(self, message_ids: Iterable[str], what: str) -> None:
        message_ids = list(message_ids)
        if not self.smtp.wait_for_ids(message_ids, timeout=60 + 0.1 * len(message_ids)):
            missing = len(set(message_ids) - self.smtp.arrived_at.keys())
            raise RuntimeError(
                f"{what}: {missing} of {len(message_ids)} emails never arrived.\n{self.worker.log_tail()}"
            )

    def consume(self, on: bool) -> None:
        """Pause or resume the worker's consumption of the queue (remote control)."""
        control = celery_app.control.add_consumer if on else celery_app.control.cancel_consumer
        replies = control(self.worker.queue, destination=[self.nodename], reply=True, timeout=10)
        if not replies:
            raise RuntimeError(
                f"The worker did not answer {'add' if on else 'cancel'}_consumer.\n{self.worker.log_tail()}"
            )

    def stop(self) -> None:
        self.stack.close()


def territory_for(candidate: Candidate, territories: list[Territory]) -> Territory:
    """The territory a candidate of the cases chose and is referred to."""
    return territories[candidate.pk % len(territories)]


def _notify_prepare(needed: int) -> tuple[User, list[Candidate], list[Territory]]:
    """Candidates a counsellor can refer, and territories with one active agent (their accounts
    made now, as earlier referrals would have). Declares the candidates' projects mature first and
    makes each target the territory it will be referred to: referral_send requires both. Not timed."""
    counsellor = User.objects.filter(role=User.Role.COUNSELLOR, is_active=True).order_by("id").first()
    territories = list(
        Territory.objects.active()
        .annotate(n=models.Count("agents", filter=models.Q(agents__is_active=True)))
        .filter(n=1)
        .order_by("code")
    )
    candidates = [
        candidate
        for candidate in Candidate.objects.filter(status__in=REFERABLE_STATUSES, submitted_at__isnull=False)
        .exclude(referrals__status__in=AWAITING_ANSWER)
        .order_by("id")[: needed * 2]
        if candidate.has_consent(Consent.Purpose.SHARING)
    ][:needed]
    if counsellor is None or not territories or len(candidates) < needed:
        raise RuntimeError(
            f"The notify cases need {needed:,} referable candidates (found {len(candidates):,}) and a territory "
            "with one agent: seed more --candidates or lower --notify-rate/--notify-steady-seconds/--notify-burst."
        )
    with transaction.atomic():
        now = timezone.now()
        assessed = set(
            MaturityAssessment.objects.filter(candidate__in=candidates).values_list("candidate_id", flat=True)
        )
        MaturityAssessment.objects.filter(candidate_id__in=assessed, mature_at__isnull=True).update(
            mature_at=now, mature_by=counsellor
        )
        MaturityAssessment.objects.bulk_create(
            MaturityAssessment(candidate=c, updated_by=counsellor, mature_at=now, mature_by=counsellor)
            for c in candidates
            if c.id not in assessed
        )
        # A referral goes only to a territory the person chose: each candidate targets the one the
        # cases refer them to (territory_for).
        CandidateTarget.objects.filter(candidate__in=candidates).delete()
        CandidateTarget.objects.bulk_create(
            CandidateTarget(candidate=c, territory=territory_for(c, territories), rank=1) for c in candidates
        )
    for agent in Agent.objects.filter(territories__in=territories, is_active=True, user__isnull=True):
        agent_account_ensure(agent=agent)
    return counsellor, candidates, territories


@contextmanager
def _commit_times() -> Iterator[dict[str, float]]:
    """Message-ID → when the transaction that wrote the outbox row committed (time.monotonic).
    The callback is registered as the row is saved, so it runs before the row's publish."""
    committed: dict[str, float] = {}

    def on_save(sender, instance, created, **kwargs):
        if created:
            message_id = instance.message_id
            transaction.on_commit(lambda: committed.__setitem__(message_id, time.monotonic()))

    uid = f"bench-{uuid.uuid4().hex}"
    post_save.connect(on_save, sender=OutboxEmail, dispatch_uid=uid)
    try:
        yield committed
    finally:
        post_save.disconnect(sender=OutboxEmail, dispatch_uid=uid)


def _refer(rig: NotifyRig, candidates: list[Candidate], *, rate: float | None) -> tuple[float, float]:
    """Refer each candidate, one transaction each, from NOTIFY_SENDER_THREADS threads: at `rate`
    per second on a fixed schedule (a late referral does not delay the next), or as fast as they
    go. Returns the first and last commit times."""
    jobs = iter(enumerate(candidates))
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = time.monotonic() + 0.05
    done: list[float] = []

    def sender() -> None:
        try:
            while True:
                with lock:
                    i, candidate = next(jobs, (None, None))
                if candidate is None:
                    return
                if rate:
                    time.sleep(max(0.0, start + i / rate - time.monotonic()))
                referral_send(
                    candidate=candidate,
                    territories=[territory_for(candidate, rig.territories)],
                    by=rig.counsellor,
                    message="Projet mûr : CV revu, séjour exploratoire fait.",
                )
                done.append(time.monotonic())
        except BaseException as error:  # re-raised in the main thread
            errors.append(error)
        finally:
            connection.close()  # the thread's own connection: the bench database is dropped later

    threads = [threading.Thread(target=sender) for _ in range(NOTIFY_SENDER_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return min(done), max(done)


def _latencies(rig: NotifyRig, committed: dict[str, float], since: float | None = None) -> list[float]:
    return [rig.smtp.arrived_at[mid] - (since if since is not None else at) for mid, at in committed.items()]


def _note(rig: NotifyRig, text: str) -> str:
    if not rig.representative:
        text += "; NOT REPRESENTATIVE: filesystem broker (set CELERY_BROKER_URL=redis://…)"
    return text


def _notify_rig(bench: Bench) -> NotifyRig:
    if bench.rig is None:
        bench.rig = rig = NotifyRig.start(bench)
        # One referral first, in this thread: templates loaded, the worker's connections open,
        # and the queries of one referral_send counted.
        (candidate,) = rig.take(1)
        with _commit_times() as committed, CaptureQueriesContext(connection) as captured:
            referral_send(
                candidate=candidate, territories=[territory_for(candidate, rig.territories)], by=rig.counsellor
            )
        rig.referral_queries = len(captured)
        rig.wait(committed, "warm-up")
    return bench.rig


def case_notify_steady(bench: Bench) -> CaseResult:
    """Referrals at a steady rate; per email, from the referral's commit to the SMTP server."""
    rig = _notify_rig(bench)
    candidates = rig.take(round(bench.notify.rate * bench.notify.steady_seconds))
    with _commit_times() as committed:
        first, last = _refer(rig, candidates, rate=bench.notify.rate)
    rig.wait(committed, "notify_steady")
    p50, p95 = percentiles(_latencies(rig, committed))
    achieved = (len(candidates) - 1) / (last - first) if len(candidates) > 1 else 0
    return CaseResult(
        p50_ms=p50,
        p95_ms=p95,
        queries=rig.referral_queries,
        emails=len(committed),
        per_second=round(len(committed) / (max(rig.smtp.arrived_at[m] for m in committed) - first), 1),
        note=_note(
            rig,
            f"{len(committed)} emails for {len(candidates)} referrals sent at {achieved:.1f}/s "
            f"(asked {bench.notify.rate:g}/s)",
        ),
    )


def case_notify_burst(bench: Bench) -> CaseResult:
    """`--notify-burst` referrals committed while the worker is paused, then released at once:
    the rate at which the queue drains, and each email's time from the release."""
    rig = _notify_rig(bench)
    candidates = rig.take(bench.notify.burst)
    rig.consume(False)
    try:
        with _commit_times() as committed:
            first, last = _refer(rig, candidates, rate=None)
    finally:
        released = time.monotonic()
        rig.consume(True)
    rig.wait(committed, "notify_burst")
    p50, p95 = percentiles(_latencies(rig, committed, since=released))
    drained = max(rig.smtp.arrived_at[m] for m in committed) - released
    return CaseResult(
        p50_ms=p50,
        p95_ms=p95,
        queries=rig.referral_queries,
        emails=len(committed),
        per_second=round(len(committed) / drained, 1),
        note=_note(
            rig,
            f"{len(committed)} emails for {len(candidates)} referrals committed in {last - first:.1f} s "
            f"({len(candidates) / max(last - first, 1e-9):.0f}/s, {NOTIFY_SENDER_THREADS} threads), then released",
        ),
    )


def case_notify_baseline(bench: Bench) -> CaseResult:
    """The yardstick: Celery alone hands as many plain emails as notify_burst's referrals (no
    outbox, no database) to the same SMTP server, published while the worker is paused and
    released at once, as in notify_burst."""
    rig = _notify_rig(bench)
    n = bench.notify.burst
    message_ids = [f"<bench-{uuid.uuid4().hex}@{DOMAIN}>" for _ in range(n)]
    body = "Bonjour,\n\n" + "Une nouvelle orientation vous attend dans votre espace PAJ.\n" * 12
    rig.consume(False)
    try:
        for i, message_id in enumerate(message_ids):
            bench_plain_email.delay(
                to=f"agent-{i}@{DOMAIN}", subject=f"Orientation {i}", body=body, message_id=message_id
            )
    finally:
        released = time.monotonic()
        rig.consume(True)
    rig.wait(message_ids, "notify_baseline")
    p50, p95 = percentiles([rig.smtp.arrived_at[m] - released for m in message_ids])
    drained = max(rig.smtp.arrived_at[m] for m in message_ids) - released
    return CaseResult(
        p50_ms=p50,
        p95_ms=p95,
        queries=0,
        emails=n,
        per_second=round(n / drained, 1),
        note=_note(rig, f"{n} plain emails, one task each, no outbox"),
    )
