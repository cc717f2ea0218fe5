"""The follow-up of an accepted candidate, recorded by the agent of the territory: first contact,
exploratory stay, job, move, settlement, and the check-ins at 3, 6 and 12 months after the move."""

import calendar
import datetime
import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.choices import CandidateStatus, EventCode
from candidates.models import CandidateEvent
from candidates.services import can_move, candidate_record_event, candidate_set_status
from common.urls import absolute_url
from notifications.selectors import outbox_has_key
from notifications.services import outbox_enqueue
from territories.models import Agent

from ..errors import ReferralError
from ..locks import lock_referral
from ..models import FollowUp, FollowUpStep, Referral, ReferralStatus

logger = logging.getLogger(__name__)

CHECKIN_STEPS = (FollowUpStep.CHECKIN_3, FollowUpStep.CHECKIN_6, FollowUpStep.CHECKIN_12)
# Steps whose note is required: what the check-in found, or why the follow-up ends.
NOTE_REQUIRED_STEPS = (*CHECKIN_STEPS, FollowUpStep.CLOSED)
# The candidate's status a step moves the file to, when the file's state machine allows it (a step
# recorded late never moves a file backwards, nor reopens one a counsellor put on hold or closed).
STEP_STATUS = {FollowUpStep.MOVED: CandidateStatus.MOVED, FollowUpStep.SETTLED: CandidateStatus.SETTLED}


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
    by_agent: Agent,
) -> FollowUp:
    """Record one step of an accepted candidate's follow-up, by an agent of the referral's
    territory. Each step once, not in the future; check-ins need the move first and a note;
    "closed" needs a note (the reason) and ends the follow-up. "Moved" and "settled" move the
    candidate's file to that status. Each step also marks the file's timeline with the step and
    its date (the note stays here)."""
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
        candidate, referral = lock_referral(referral.pk)
        if referral.status != ReferralStatus.ACCEPTED:
            raise ReferralError(_("Le suivi ne s'enregistre que pour une orientation acceptée."))
        if not by_agent.is_active or not by_agent.territories.filter(pk=referral.territory_id).exists():
            raise ReferralError(_("Vous n'êtes pas agent·e de ce territoire."))
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
                    referral=referral, step=step, occurred_on=occurred_on, note=note, by_agent=by_agent
                )
        except IntegrityError as exc:
            raise ReferralError(_("L'étape « %(step)s » est déjà enregistrée.") % {"step": label}) from exc

        actor = by_agent.user
        who = {"territory": referral.territory_id, "by": str(by_agent)}
        if (to := STEP_STATUS.get(step)) and can_move(candidate.status, to):
            candidate_set_status(candidate=candidate, to=to, by=actor, code=EventCode.FOLLOW_UP, params=who)
        candidate_record_event(
            candidate=candidate,
            kind=CandidateEvent.Kind.FOLLOW_UP,
            by=actor,
            code=EventCode.FOLLOW_UP,
            params={"step": step, "date": occurred_on.isoformat(), **who},
        )
    logger.info("follow_up_record referral=%s step=%s by_agent=%s", referral.pk, step, by_agent.pk)
    return follow_up


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
                    {**context, "agent": agents[0], "link": absolute_url("my_file:home")},
                )
            )
        with transaction.atomic():
            for key, recipient, template, email_context in emails:
                if outbox_has_key(key=key):
                    continue
                outbox_enqueue(
                    to=recipient.email, language=recipient.language, template=template, context=email_context, key=key
                )
                sent += 1
    if sent:
        logger.info("follow_up_checkins_remind sent=%s", sent)
    return sent
