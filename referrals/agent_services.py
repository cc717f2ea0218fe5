"""The PAJ agent's side: the follow-up of an accepted candidate, and the reverse referral (an agent
sends a person whose project is not mature yet to EER coaching). Answering a referral is in
services.py (referral_accept, referral_decline), shared with the email link."""

import calendar
import datetime
import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models.functions import Upper
from django.db.models.lookups import Exact
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from candidates.consents import CONSENT_TEXTS
from candidates.models import Candidate, CandidateEvent, CandidateStatus, Consent, ProfileKind
from candidates.services import candidate_set_status
from territories.models import Agent

from .models import FollowUp, FollowUpStep, Referral, ReferralStatus
from .services import ReferralError

logger = logging.getLogger(__name__)

CHECKIN_STEPS = (FollowUpStep.CHECKIN_3, FollowUpStep.CHECKIN_6, FollowUpStep.CHECKIN_12)
# Steps whose note is required: what the check-in found, or why the follow-up ends.
NOTE_REQUIRED_STEPS = (*CHECKIN_STEPS, FollowUpStep.CLOSED)
# The candidate's status a step moves the file to, and the statuses it moves it from (a step
# recorded late never moves a file backwards, nor reopens one a counsellor put on hold or closed).
STEP_STATUS = {
    FollowUpStep.MOVED: (CandidateStatus.MOVED, (CandidateStatus.TAKEN_ON,)),
    FollowUpStep.SETTLED: (CandidateStatus.SETTLED, (CandidateStatus.TAKEN_ON, CandidateStatus.MOVED)),
}
# Timeline notes are stored in the platform's first language, like the other notes.
NOTES_LANGUAGE = "fr-ca"


def follow_up_open_steps(*, referral: Referral, recorded: Iterable[FollowUp]) -> list[str]:
    """The steps that can still be recorded, in their order: none unless the referral was
    accepted, none once the follow-up is closed, each step once, check-ins after the move."""
    if referral.status != ReferralStatus.ACCEPTED:
        return []
    done = {follow_up.step for follow_up in recorded}
    if FollowUpStep.CLOSED in done:
        return []
    return [
        step
        for step in FollowUpStep.values
        if step not in done and (step not in CHECKIN_STEPS or FollowUpStep.MOVED in done)
    ]


def follow_up_record(
    *,
    referral: Referral,
    step: str,
    occurred_on: datetime.date,
    note: str,
    by_agent: Agent | None = None,
    by_user: User | None = None,
) -> FollowUp:
    """Record one step of an accepted candidate's follow-up, by an agent of the referral's
    territory (`by_agent`) or by an EER counsellor or coordinator (`by_user`). Each step once, not
    in the future; check-ins need the move first and a note; "closed" needs a note (the reason)
    and ends the follow-up. "Moved" and "settled" move the candidate's file to that status. Each
    step also marks the file's timeline with the step and its date (the note stays here)."""
    if (by_agent is None) == (by_user is None):
        raise ValueError("follow_up_record needs exactly one of by_agent and by_user")
    note = note.strip()
    if step not in FollowUpStep.values:
        raise ReferralError(_("Cette étape de suivi n'existe pas."))
    if occurred_on > timezone.localdate():
        raise ReferralError(_("La date d'une étape de suivi ne peut pas être dans le futur."))
    if step in NOTE_REQUIRED_STEPS and not note:
        if step == FollowUpStep.CLOSED:
            raise ReferralError(_("Indiquez pourquoi le suivi se termine."))
        raise ReferralError(_("Indiquez en quelques mots où en est la personne à ce suivi."))
    with transaction.atomic():
        referral = Referral.objects.select_for_update().select_related("territory").get(pk=referral.pk)
        if referral.status != ReferralStatus.ACCEPTED:
            raise ReferralError(_("Le suivi ne s'enregistre que pour une orientation acceptée."))
        if by_agent is not None and (
            not by_agent.is_active or not by_agent.territories.filter(pk=referral.territory_id).exists()
        ):
            raise ReferralError(_("Vous n'êtes pas agent·e de ce territoire."))
        if by_user is not None and not by_user.is_counsellor:
            raise ReferralError(_("Seul·e un·e agent·e du territoire ou un·e conseiller·ère EER peut noter le suivi."))
        recorded = {follow_up.step: follow_up for follow_up in referral.follow_ups.all()}
        if FollowUpStep.CLOSED in recorded:
            raise ReferralError(_("Le suivi de cette personne est terminé : plus rien ne peut y être ajouté."))
        label = FollowUpStep(step).label
        if step in recorded:
            raise ReferralError(_("L'étape « %(step)s » est déjà enregistrée.") % {"step": label})
        if step in CHECKIN_STEPS:
            moved = recorded.get(FollowUpStep.MOVED)
            if moved is None:
                raise ReferralError(
                    _("Enregistrez d'abord le déménagement en région : les suivis se comptent à partir de lui.")
                )
            if occurred_on < moved.occurred_on:
                raise ReferralError(_("Un suivi après le déménagement ne peut pas être daté d'avant le déménagement."))
        try:
            with transaction.atomic():
                follow_up = FollowUp.objects.create(
                    referral=referral, step=step, occurred_on=occurred_on, note=note, by_agent=by_agent, by_user=by_user
                )
        except IntegrityError as exc:
            raise ReferralError(_("L'étape « %(step)s » est déjà enregistrée.") % {"step": label}) from exc

        actor = by_user or by_agent.user
        who = str(by_user or by_agent)
        candidate = Candidate.objects.select_for_update().get(pk=referral.candidate_id)
        if step in STEP_STATUS:
            to, movable = STEP_STATUS[step]
            if candidate.status in movable:
                candidate_set_status(candidate=candidate, to=to, by=actor, note=f"{referral.territory.name} — {who}")
        with translation.override(NOTES_LANGUAGE):
            event_note = f"{label} : {occurred_on.isoformat()} — {who}"
        CandidateEvent.objects.create(
            candidate=candidate, kind=CandidateEvent.Kind.FOLLOW_UP, actor=actor, note=event_note
        )
    logger.info(
        "follow_up_record referral=%s step=%s by_agent=%s by_user=%s",
        referral.pk,
        step,
        by_agent and by_agent.pk,
        by_user and by_user.pk,
    )
    return follow_up


def candidate_refer_to_eer(
    *,
    agent: Agent,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    language: str,
    note: str,
    consent: bool,
) -> tuple[Candidate, bool]:
    """An agent sends a person whose project is not mature yet to EER coaching, with the person's
    agreement (`consent`) and the agent's note. Opens a submitted file awaiting triage (no account:
    the person can create one later), with the coaching consent the agent collected and the note on
    its timeline. When a file already exists for that email, only the note is added to it. Returns
    the file and whether it was created."""
    if not consent:
        raise ReferralError(
            _("La personne doit avoir accepté d'être accompagnée par EER et que ses coordonnées lui soient transmises.")
        )
    if not agent.is_active:
        raise ReferralError(_("Votre compte d'agent·e n'est plus actif."))
    note = note.strip()
    if not note:
        raise ReferralError(_("Expliquez en quelques mots le projet de la personne et ce qui reste à mûrir."))
    email = email.strip().lower()
    territories = ", ".join(agent.territories.order_by("name").values_list("name", flat=True))
    event_note = f"{agent} ({agent.email}{', ' + territories if territories else ''}) :\n{note}"
    actor = agent.user
    with transaction.atomic():
        existing = (
            Candidate.objects.select_for_update()
            .filter(Exact(Upper("email"), email.upper()), anonymized_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        candidate, created = existing, existing is None
        if created:
            candidate = Candidate.objects.create(
                first_name=first_name,
                last_name=last_name,
                email=email,
                phone=phone or "",
                language=language,
                profile_kind=ProfileKind.IMMIGRANT,
                status=CandidateStatus.NEW,
                submitted_at=timezone.now(),
            )
            Consent.objects.create(
                candidate=candidate,
                purpose=Consent.Purpose.COACHING,
                granted=True,
                text_version=CONSENT_TEXTS[Consent.Purpose.COACHING].version,
                method=Consent.Method.AGENT,
            )
            CandidateEvent.objects.create(
                candidate=candidate, kind=CandidateEvent.Kind.REGISTERED, to_status=candidate.status, actor=actor
            )
        CandidateEvent.objects.create(
            candidate=candidate, kind=CandidateEvent.Kind.AGENT_REFERRAL, actor=actor, note=event_note
        )
    logger.info("candidate_refer_to_eer agent=%s candidate=%s created=%s", agent.pk, candidate.pk, created)
    return candidate, created


# --- Follow-up check-ins ------------------------------------------------------------------------

# Months after the move at which each check-in is due.
CHECKIN_MONTHS = {FollowUpStep.CHECKIN_3: 3, FollowUpStep.CHECKIN_6: 6, FollowUpStep.CHECKIN_12: 12}
# A check-in overdue for longer than this is not announced any more (e.g. a move recorded late,
# or the data present when the schedule started): the agent's space still lists it as open.
CHECKIN_NOTICE_DAYS = 30


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier), or the month's last day when it has fewer."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_checkin_due(*, moved_on: datetime.date, recorded: set[str], today: datetime.date) -> str | None:
    """The check-in to announce today: the latest whose date has come, not recorded, with no later
    one recorded, and due for at most CHECKIN_NOTICE_DAYS. None otherwise."""
    due = None
    for step, months in CHECKIN_MONTHS.items():
        if step in recorded:
            due = None  # a later check-in recorded covers the earlier ones
        elif add_months(moved_on, months) <= today:
            due = step
    if due is None or (today - add_months(moved_on, CHECKIN_MONTHS[due])).days > CHECKIN_NOTICE_DAYS:
        return None
    return due


def follow_up_checkins_remind(*, today: datetime.date | None = None) -> int:
    """The periodic check-in notice: for each accepted referral whose follow-up recorded the move
    and is not closed, when a check-in (3, 6 or 12 months after the move) is due and not recorded,
    email the agent who accepted it (or, when they left, the territory's active agents) to record
    it, and tell the candidate their agent will be in touch. Once each: the keys hold the referral
    and the step. Returns the emails enqueued."""
    from notifications.selectors import outbox_has_key
    from pajr.emails import absolute_url, send_templated_email

    today = today or timezone.localdate()
    moves = (
        FollowUp.objects.filter(
            step=FollowUpStep.MOVED,
            referral__status=ReferralStatus.ACCEPTED,
            occurred_on__lte=add_months(today, -3),
            occurred_on__gte=add_months(today, -12) - datetime.timedelta(days=CHECKIN_NOTICE_DAYS),
        )
        .exclude(referral__follow_ups__step=FollowUpStep.CLOSED)
        .select_related("referral__candidate", "referral__territory", "referral__answered_by")
        .prefetch_related("referral__follow_ups")
        .order_by("pk")
    )
    sent = 0
    for moved in moves:
        referral = moved.referral
        candidate = referral.candidate
        recorded = {follow_up.step for follow_up in referral.follow_ups.all()}
        step = follow_up_checkin_due(moved_on=moved.occurred_on, recorded=recorded, today=today)
        if step is None or candidate.anonymized_at is not None or candidate.status == CandidateStatus.CLOSED:
            continue
        accepted_by = referral.answered_by
        if accepted_by and accepted_by.is_active and accepted_by.territories.filter(pk=referral.territory_id).exists():
            agents = [accepted_by]
        else:
            agents = list(referral.territory.agents.active().order_by("pk"))
        context = {
            "referral": referral,
            "candidate": candidate,
            "step": FollowUpStep(step),
            "moved_on": moved.occurred_on,
            "months": CHECKIN_MONTHS[step],
        }
        emails = [
            (
                f"follow_up_checkin_agent:{referral.pk}:{step}:{agent.pk}",
                agent,
                "follow_up_checkin_agent",
                {**context, "agent": agent, "link": absolute_url("referrals:agent_referral", referral.pk)},
            )
            for agent in agents
        ]
        if agents:
            emails.append(
                (
                    f"follow_up_checkin_candidate:{referral.pk}:{step}",
                    candidate,
                    "follow_up_checkin_candidate",
                    {**context, "agent": agents[0], "link": absolute_url("candidates:my_file")},
                )
            )
        with transaction.atomic():
            for key, recipient, template, email_context in emails:
                if outbox_has_key(key=key):
                    continue
                send_templated_email(
                    to=recipient.email, language=recipient.language, template=template, context=email_context, key=key
                )
                sent += 1
    if sent:
        logger.info("follow_up_checkins_remind sent=%s", sent)
    return sent
