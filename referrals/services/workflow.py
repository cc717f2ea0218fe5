"""The referral's state machine: send, accept, decline, expire, withdraw, and the fallback to the
next territory of the counsellor's list. Every transition is guarded (ALLOWED), locked in the
platform's one order (referrals.locks: the file, then the referral) and logged (who, when, from,
to, why as a code); its emails go to the outbox in the same transaction."""

import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from candidates.choices import CandidateStatus, EventCode
from candidates.locks import lock_candidate
from candidates.models import Candidate, CandidateEvent, Consent, MaturityAssessment
from candidates.proposals import chosen_territory_ids
from candidates.services import (
    REFERABLE_STATUSES,
    can_move,
    candidate_claim_if_unassigned,
    candidate_record_event,
    candidate_set_status,
)
from territories.models import Agent, Territory

from ..errors import ReferralError
from ..locks import lock_referral
from ..models import AWAITING_ANSWER, DeclineReason, Referral, ReferralStatus, ReferralTransition, TransitionCode
from .emails import (
    referral_email_agents,
    referral_email_answer,
    referral_email_candidate_referred,
    referral_email_expired,
    referral_email_under_review,
    referral_email_withdrawn,
)

logger = logging.getLogger(__name__)

MAX_TERRITORIES = 3

# Which status may follow which. Anything else is refused and changes nothing.
ALLOWED = {
    ReferralStatus.QUEUED: {ReferralStatus.PENDING, ReferralStatus.WITHDRAWN},
    ReferralStatus.PENDING: {
        ReferralStatus.UNDER_REVIEW,
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.EXPIRED,
        ReferralStatus.WITHDRAWN,
    },
    ReferralStatus.UNDER_REVIEW: {
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.EXPIRED,
        ReferralStatus.WITHDRAWN,
    },
}


def _log(
    referral: Referral,
    *,
    from_status: str,
    code: str,
    params: dict[str, Any] | None = None,
    by_user=None,
    by_agent=None,
    reason: str = "",
) -> None:
    ReferralTransition.objects.create(
        referral=referral,
        from_status=from_status,
        to_status=referral.status,
        by_user=by_user,
        by_agent=by_agent,
        code=code,
        params=params or {},
        reason=reason,
    )
    logger.info(
        "referral=%s %s->%s code=%s by_user=%s by_agent=%s",
        referral.pk,
        from_status or "-",
        referral.status,
        code,
        by_user and by_user.pk,
        by_agent and by_agent.pk,
    )


def _move(referral: Referral, to: str, *, code: str, params=None, by_user=None, by_agent=None, reason="", fields=()):
    """Change the status of a locked referral, if the rules allow it, and log the transition."""
    from_status = referral.status
    if to not in ALLOWED.get(from_status, ()):
        raise ReferralError(
            _("Cette orientation est « %(status)s » : elle ne peut plus changer.")
            % {"status": referral.get_status_display()}
        )
    referral.status = to
    referral.save(update_fields=["status", *fields])
    _log(referral, from_status=from_status, code=code, params=params, by_user=by_user, by_agent=by_agent, reason=reason)


def _can_receive(territory: Territory) -> bool:
    return territory.is_active and territory.agents.active().exists()


def _set_status_if_allowed(candidate: Candidate, to: str, **event) -> None:
    """Move the file along with its referral when its status allows it (a file merged onto
    another keeps the status it had: the referral's outcome is then on the referral alone)."""
    if can_move(candidate.status, to):
        candidate_set_status(candidate=candidate, to=to, **event)
    else:
        logger.warning("candidate=%s stays %s (cannot move to %s)", candidate.pk, candidate.status, to)


def referral_send(
    *,
    candidate: Candidate,
    territories: Sequence[Territory],
    by: User,
    message: str = "",
    override_reason: str = "",
) -> Referral:
    """Refer a candidate to up to three territories, in order. The first receives the referral
    now (its agents are emailed a link once the change is committed); each next one receives it
    only if the one before declines or lets it expire (see _pass_on).

    The counsellor must first have declared the project mature (candidates.services.
    candidate_declare_mature), unless they give an `override_reason`, which is kept as the reason
    of the referral's first transition and logged. Every territory must be one the person chose:
    a target, or a proposal they accepted (candidates.proposals; ReferralError code
    "territory_not_chosen" otherwise)."""
    territories = list(dict.fromkeys(territories))
    if not by.is_counsellor:
        raise ReferralError(_("Seul·e un·e conseiller·ère EER peut orienter un·e candidat·e."))
    if not territories:
        raise ReferralError(_("Choisissez au moins un territoire."))
    if len(territories) > MAX_TERRITORIES:
        raise ReferralError(_("Choisissez au plus trois territoires."))
    for territory in territories:
        if not territory.is_active:
            raise ReferralError(_("Le territoire %(territory)s n'est plus actif.") % {"territory": territory.name})
        if not territory.agents.active().exists():
            raise ReferralError(
                _("Le territoire %(territory)s n'a aucun·e agent·e actif·ve pour recevoir l'orientation.")
                % {"territory": territory.name}
            )
    with transaction.atomic():
        candidate = lock_candidate(candidate.pk)
        if candidate.status not in REFERABLE_STATUSES:
            raise ReferralError(
                _("Le dossier est « %(status)s » : il ne peut pas être orienté maintenant.")
                % {"status": candidate.get_status_display()}
            )
        if not candidate.has_consent(Consent.Purpose.SHARING):
            raise ReferralError(_("La personne n'a pas consenti au partage de son dossier avec les agent·e·s PAJ."))
        chosen = chosen_territory_ids(candidate.pk)
        if unchosen := [territory for territory in territories if territory.pk not in chosen]:
            raise ReferralError(
                _(
                    "La personne n'a pas choisi le territoire %(territory)s : proposez-le-lui d'abord ; "
                    "une orientation n'y sera possible qu'une fois qu'elle l'aura accepté dans « Mon dossier »."
                )
                % {"territory": unchosen[0].name},
                code="territory_not_chosen",
            )
        override_reason = override_reason.strip()
        mature = MaturityAssessment.objects.filter(candidate=candidate, mature_at__isnull=False).exists()
        if not mature and not override_reason:
            raise ReferralError(
                _(
                    "Le projet n'a pas encore été déclaré mûr : déclarez-le mûr dans le dossier, ou indiquez "
                    "la raison d'orienter quand même."
                )
            )
        now = timezone.now()
        chain = uuid.uuid4()
        try:
            with transaction.atomic():
                referrals = [
                    Referral.objects.create(
                        candidate=candidate,
                        territory=territory,
                        sent_by=by,
                        message=message,
                        chain=chain,
                        rank=rank,
                        status=ReferralStatus.PENDING if rank == 1 else ReferralStatus.QUEUED,
                        sent_at=now if rank == 1 else None,
                        expires_at=now + timedelta(days=settings.REFERRAL_ANSWER_DAYS) if rank == 1 else None,
                    )
                    for rank, territory in enumerate(territories, start=1)
                ]
        except IntegrityError as exc:
            raise ReferralError(_("Une orientation est déjà en attente de réponse pour cette personne.")) from exc
        Referral.objects.filter(chain=chain).update(created_at=now)
        referral = referrals[0]
        code = TransitionCode.SENT if mature else TransitionCode.SENT_WITHOUT_MATURITY
        if not mature:
            # The reason itself is free text about a person: it stays in the transition, not the logs.
            logger.warning(
                "referral_send override (project not declared mature) referral=%s candidate=%s by=%s",
                referral.pk,
                candidate.pk,
                by.pk,
            )
        for each in referrals:
            _log(each, from_status="", code=code, by_user=by, reason="" if mature else override_reason)
        candidate_claim_if_unassigned(candidate=candidate, counsellor=by)
        candidate_set_status(
            candidate=candidate,
            to=CandidateStatus.REFERRED,
            by=by,
            code=EventCode.REFERRED,
            params={"territories": [territory.pk for territory in territories]},
        )
        referral_email_agents(referral=referral)
        referral_email_candidate_referred(referral=referral)
    return referral


def _pass_on(*, candidate: Candidate, referral: Referral, by_user=None, by_agent=None) -> Referral | None:
    """After `referral` was declined or expired: the next territory of its list receives the
    referral, skipping any that can no longer receive it. Returns the referral now pending, or
    None when the list is exhausted and the file is back with the counsellor. Inside the
    caller's transaction, which holds the candidate's and the referral's rows."""
    queued = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("territory")
        .filter(chain=referral.chain, status=ReferralStatus.QUEUED)
        .order_by("rank")
    )
    for following in queued:
        if not _can_receive(following.territory):
            _move(following, ReferralStatus.WITHDRAWN, code=TransitionCode.SKIPPED)
            continue
        now = timezone.now()
        following.sent_at = now
        following.expires_at = now + timedelta(days=settings.REFERRAL_ANSWER_DAYS)
        _move(
            following,
            ReferralStatus.PENDING,
            code=TransitionCode.NEXT_IN_LIST,
            params={"territory": referral.territory_id, "status": referral.status},
            by_user=by_user,
            by_agent=by_agent,
            fields=("sent_at", "expires_at"),
        )
        candidate_record_event(
            candidate=candidate,
            kind=CandidateEvent.Kind.REFERRAL,
            code=EventCode.PASSED_ON,
            params={"territory": following.territory_id},
        )
        referral_email_agents(referral=following)
        if referral.status != ReferralStatus.DECLINED:
            # After a decline, referral_answered_candidate already names the next territory.
            referral_email_candidate_referred(referral=following)
        return following
    if candidate.status == CandidateStatus.REFERRED:
        candidate_set_status(candidate=candidate, to=CandidateStatus.COACHING, by=None, code=EventCode.LIST_EXHAUSTED)
    return None


def _check_agent_may_act(referral: Referral, agent: Agent) -> None:
    """The locked referral still waits for an answer, in time, and `agent` is an active agent of
    its territory. Raises ReferralError otherwise."""
    if referral.status not in AWAITING_ANSWER:
        raise ReferralError(_already_answered(referral))
    if referral.expires_at <= timezone.now():
        raise ReferralError(_("Le délai de réponse de cette orientation est passé."))
    if not agent.is_active or not agent.territories.filter(pk=referral.territory_id).exists():
        raise ReferralError(_("Vous n'êtes pas agent·e de ce territoire."))


def _answer(*, referral: Referral, agent: Agent, to: str, category: str = "", reason: str = "") -> Referral:
    with transaction.atomic():
        candidate, referral = lock_referral(referral.pk)
        _check_agent_may_act(referral, agent)
        referral.answered_by = agent
        referral.answered_at = timezone.now()
        referral.decline_category = category
        referral.decline_reason = reason
        accepted = to == ReferralStatus.ACCEPTED
        _move(
            referral,
            to,
            code=TransitionCode.ACCEPTED if accepted else TransitionCode.DECLINED,
            params={} if accepted else {"category": category},
            by_agent=agent,
            reason=reason,
            fields=("answered_by", "answered_at", "decline_category", "decline_reason"),
        )
        if accepted:
            _set_status_if_allowed(
                candidate,
                CandidateStatus.TAKEN_ON,
                by=None,
                code=EventCode.REFERRAL_ACCEPTED,
                params={"territory": referral.territory_id, "agent": str(agent)},
            )
            for rest in Referral.objects.select_for_update().filter(chain=referral.chain, status=ReferralStatus.QUEUED):
                _move(
                    rest,
                    ReferralStatus.WITHDRAWN,
                    code=TransitionCode.ACCEPTED_ELSEWHERE,
                    params={"territory": referral.territory_id},
                    by_agent=agent,
                )
        else:
            _pass_on(candidate=candidate, referral=referral, by_agent=agent)
        referral_email_answer(referral=referral)
    return referral


def _already_answered(referral: Referral) -> str:
    """Tell the one who lost a race who answered first."""
    if referral.answered_by_id:
        return _("Cette orientation a déjà reçu une réponse : %(status)s par %(agent)s le %(date)s.") % {
            "status": referral.get_status_display().lower(),
            "agent": referral.answered_by,
            "date": date_format(timezone.localtime(referral.answered_at), "DATETIME_FORMAT"),
        }
    return _("Cette orientation n'attend plus de réponse : elle est « %(status)s ».") % {
        "status": referral.get_status_display()
    }


def referral_mark_under_review(*, referral: Referral, agent: Agent) -> Referral:
    """The agent says they are looking into a pending referral ("à l'étude"): the counsellor and
    the person are told, the reminders stop, and the agent may then extend the deadline once
    (referral_extend_deadline). Accepting and declining stay open until the deadline."""
    with transaction.atomic():
        _candidate, referral = lock_referral(referral.pk)
        _check_agent_may_act(referral, agent)
        if referral.status != ReferralStatus.PENDING:
            raise ReferralError(_("Cette orientation est déjà à l'étude."))
        _move(referral, ReferralStatus.UNDER_REVIEW, code=TransitionCode.UNDER_REVIEW, by_agent=agent)
        referral_email_under_review(referral=referral, agent=agent)
    return referral


def referral_extend_deadline(*, referral: Referral, agent: Agent) -> Referral:
    """Push the deadline of a referral under review back by REFERRAL_REVIEW_EXTENSION_DAYS, once.
    The agents' links that ran to the old deadline run to the new one. Logged as a transition of
    the status onto itself (code DEADLINE_EXTENDED, with the days)."""
    with transaction.atomic():
        _candidate, referral = lock_referral(referral.pk)
        _check_agent_may_act(referral, agent)
        if referral.status != ReferralStatus.UNDER_REVIEW:
            raise ReferralError(_("Mettez d'abord l'orientation à l'étude pour en prolonger le délai."))
        if referral.deadline_extended_at is not None:
            raise ReferralError(_("Le délai de cette orientation a déjà été prolongé une fois."))
        days = settings.REFERRAL_REVIEW_EXTENSION_DAYS
        old_deadline = referral.expires_at
        referral.expires_at = old_deadline + timedelta(days=days)
        referral.deadline_extended_at = timezone.now()
        referral.save(update_fields=["expires_at", "deadline_extended_at"])
        referral.links.filter(expires_at=old_deadline).update(expires_at=referral.expires_at)
        _log(
            referral,
            from_status=referral.status,
            code=TransitionCode.DEADLINE_EXTENDED,
            params={"days": days},
            by_agent=agent,
        )
    return referral


def referral_accept(*, referral: Referral, agent: Agent) -> Referral:
    """The agent takes the candidate on; the rest of the counsellor's list is not needed."""
    return _answer(referral=referral, agent=agent, to=ReferralStatus.ACCEPTED)


def referral_decline(*, referral: Referral, agent: Agent, category: str, reason: str = "") -> Referral:
    """The agent declines, with a reason from the list (and in their words when it is "other");
    the next territory of the list receives the referral, or the file goes back to the counsellor."""
    if category not in DeclineReason.values:
        raise ReferralError(_("Choisissez la raison du refus dans la liste."))
    reason = reason.strip()
    if category == DeclineReason.OTHER and not reason:
        raise ReferralError(_("Expliquez la raison du refus."))
    return _answer(referral=referral, agent=agent, to=ReferralStatus.DECLINED, category=category, reason=reason)


def referral_expire(*, referral: Referral) -> Referral | None:
    """No answer in time: the referral expires and passes to the next territory. Returns None,
    changing nothing, when the referral was answered or withdrawn meanwhile, or is not yet due
    (so that two runs of the periodic task at once expire it once)."""
    with transaction.atomic():
        candidate, referral = lock_referral(referral.pk)
        if referral.status not in AWAITING_ANSWER or referral.expires_at > timezone.now():
            return None
        _move(
            referral,
            ReferralStatus.EXPIRED,
            code=TransitionCode.EXPIRED,
            params={"days": settings.REFERRAL_ANSWER_DAYS},
        )
        _pass_on(candidate=candidate, referral=referral)
        referral_email_expired(referral=referral)
    return referral


def referral_withdraw(
    *, referral: Referral, by_user: User | None = None, reason: str = "", code: str = TransitionCode.WITHDRAWN
) -> Referral:
    """Withdraw a referral still waiting for an answer, with the rest of its list: the counsellor
    changed their mind (`reason`, required), or the candidate withdrew their consent to sharing or
    deleted their account (`code`, referrals.receivers). The file goes back to coaching; the
    agents are told. Call it inside the caller's transaction when it is part of a larger change."""
    reason = reason.strip()
    if code == TransitionCode.WITHDRAWN and not reason:
        raise ReferralError(_("Indiquez la raison du retrait."))
    with transaction.atomic():
        candidate, referral = lock_referral(referral.pk)
        if referral.status not in AWAITING_ANSWER:
            raise ReferralError(
                _("Cette orientation n'est plus en attente de réponse : elle ne peut pas être retirée.")
            )
        _move(referral, ReferralStatus.WITHDRAWN, code=code, by_user=by_user, reason=reason)
        for rest in Referral.objects.select_for_update().filter(chain=referral.chain, status=ReferralStatus.QUEUED):
            _move(rest, ReferralStatus.WITHDRAWN, code=TransitionCode.LIST_WITHDRAWN, by_user=by_user)
        if candidate.status == CandidateStatus.REFERRED:
            candidate_set_status(
                candidate=candidate,
                to=CandidateStatus.COACHING,
                by=by_user,
                code=EventCode.REFERRAL_WITHDRAWN,
                params={"territory": referral.territory_id},
            )
        referral_email_withdrawn(referral=referral)
    return referral


def referrals_move_to(*, source: Candidate, target: Candidate) -> int:
    """Move every referral of the file `source` to `target`, with their links and logs: a merge of
    two files of the same person (counselling.services.candidates_merge holds both files' and
    their referrals' locks). Returns how many moved."""
    moved = Referral.objects.filter(candidate=source).update(candidate=target)
    logger.info("referrals_move_to source=%s target=%s moved=%s", source.pk, target.pk, moved)
    return moved
