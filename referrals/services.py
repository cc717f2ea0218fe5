import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from candidates.models import Candidate, CandidateStatus, Consent, MaturityAssessment
from candidates.services import REFERABLE_STATUSES, candidate_set_status
from territories.models import Agent, Territory

from .models import Referral, ReferralLink, ReferralStatus, ReferralTransition

logger = logging.getLogger(__name__)


# Starts the first transition's reason of a referral sent before the project was declared mature.
OVERRIDE_PREFIX = "Orientation sans projet déclaré mûr — raison : "


class ReferralError(Exception):
    """A referral change the rules do not allow. Nothing was changed; the message is for people."""


def _log(referral: Referral, *, from_status: str, by_user=None, by_agent=None, reason: str = "") -> None:
    ReferralTransition.objects.create(
        referral=referral,
        from_status=from_status,
        to_status=referral.status,
        by_user=by_user,
        by_agent=by_agent,
        reason=reason,
    )
    logger.info(
        "referral=%s %s->%s by_user=%s by_agent=%s",
        referral.pk,
        from_status or "-",
        referral.status,
        by_user and by_user.pk,
        by_agent and by_agent.pk,
    )


def referral_send(
    *, candidate: Candidate, territory: Territory, by: User, message: str = "", override_reason: str = ""
) -> Referral:
    """Refer a candidate to a territory; its agents are emailed a link once the change is committed.
    The counsellor must first have declared the project mature (candidates.services.
    candidate_declare_mature), unless they give an `override_reason`, which is kept as the reason
    of the referral's first transition and logged."""
    from .tasks import referral_notify_agents

    if not by.is_counsellor:
        raise ReferralError(_("Seul·e un·e conseiller·ère EER peut orienter un·e candidat·e."))
    if not territory.is_active:
        raise ReferralError(_("Ce territoire n'est plus actif."))
    if not territory.agents.active().exists():
        raise ReferralError(_("Ce territoire n'a aucun·e agent·e actif·ve pour recevoir l'orientation."))
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status not in REFERABLE_STATUSES:
            raise ReferralError(
                _("Le dossier est « %(status)s » : il ne peut pas être orienté maintenant.")
                % {"status": candidate.get_status_display()}
            )
        if not candidate.has_consent(Consent.Purpose.SHARING):
            raise ReferralError(_("La personne n'a pas consenti au partage de son dossier avec les agent·e·s PAJ."))
        override_reason = override_reason.strip()
        mature = MaturityAssessment.objects.filter(candidate=candidate, mature_at__isnull=False).exists()
        if not mature and not override_reason:
            raise ReferralError(
                _(
                    "Le projet n'a pas encore été déclaré mûr : déclarez-le mûr dans le dossier, ou indiquez "
                    "la raison d'orienter quand même."
                )
            )
        try:
            with transaction.atomic():
                referral = Referral.objects.create(
                    candidate=candidate,
                    territory=territory,
                    sent_by=by,
                    message=message,
                    expires_at=timezone.now() + timedelta(days=settings.REFERRAL_ANSWER_DAYS),
                )
        except IntegrityError as exc:
            raise ReferralError(_("Une orientation est déjà en attente de réponse pour cette personne.")) from exc
        if mature:
            _log(referral, from_status="", by_user=by, reason=message)
        else:
            reason = f"{OVERRIDE_PREFIX}{override_reason}" + (f"\n\n{message}" if message else "")
            _log(referral, from_status="", by_user=by, reason=reason)
            # The reason itself is free text about a person: it stays in the transition, not the logs.
            logger.warning(
                "referral_send override (project not declared mature) referral=%s candidate=%s by=%s",
                referral.pk,
                candidate.pk,
                by.pk,
            )
        if candidate.counsellor_id is None:
            candidate.counsellor = by
            candidate.save(update_fields=["counsellor", "updated_at"])
        candidate_set_status(candidate=candidate, to=CandidateStatus.REFERRED, by=by, note=territory.name)
        referral_notify_agents.delay_on_commit(referral.pk)
    return referral


def referral_link_create(*, referral: Referral, agent: Agent) -> tuple[ReferralLink, str]:
    """A new link for one agent and one referral. The raw token is returned once and never stored."""
    token = secrets.token_urlsafe(32)  # 256 random bits
    link = ReferralLink.objects.create(referral=referral, agent=agent, token_hash=ReferralLink.hash_token(token))
    return link, token


def _answer(*, referral: Referral, agent: Agent, to: str, reason: str = "") -> Referral:
    from .tasks import referral_notify_answer

    with transaction.atomic():
        referral = Referral.objects.select_for_update().select_related("candidate").get(pk=referral.pk)
        if referral.status != ReferralStatus.PENDING:
            raise ReferralError(_("Cette orientation a déjà reçu une réponse."))
        if referral.expires_at <= timezone.now():
            raise ReferralError(_("Le délai de réponse de cette orientation est passé."))
        if not agent.is_active or not agent.territories.filter(pk=referral.territory_id).exists():
            raise ReferralError(_("Vous n'êtes pas agent·e de ce territoire."))
        from_status = referral.status
        referral.status = to
        referral.answered_by = agent
        referral.answered_at = timezone.now()
        referral.decline_reason = reason
        referral.save(update_fields=["status", "answered_by", "answered_at", "decline_reason"])
        _log(referral, from_status=from_status, by_agent=agent, reason=reason)
        candidate = Candidate.objects.select_for_update().get(pk=referral.candidate_id)
        candidate_set_status(
            candidate=candidate,
            to=CandidateStatus.TAKEN_ON if to == ReferralStatus.ACCEPTED else CandidateStatus.COACHING,
            by=None,
            note=f"{referral.territory.name} — {agent}",
        )
        referral_notify_answer.delay_on_commit(referral.pk)
    return referral


def referral_accept(*, referral: Referral, agent: Agent) -> Referral:
    """The agent takes the candidate on."""
    return _answer(referral=referral, agent=agent, to=ReferralStatus.ACCEPTED)


def referral_decline(*, referral: Referral, agent: Agent, reason: str) -> Referral:
    """The agent declines, with a reason; the file goes back to the counsellor."""
    if not reason.strip():
        raise ReferralError(_("Indiquez la raison du refus."))
    return _answer(referral=referral, agent=agent, to=ReferralStatus.DECLINED, reason=reason.strip())


def referral_email_agents(*, referral: Referral) -> int:
    """Email each active agent of the territory their own link, once. Safe to run again: agents
    already emailed are skipped; a link whose email never left (a crash in between) is replaced."""
    from pajr.emails import absolute_url, send_templated_email

    if referral.status != ReferralStatus.PENDING:
        return 0
    already_sent = set(referral.links.filter(sent_at__isnull=False).values_list("agent_id", flat=True))
    sent = 0
    for agent in referral.territory.agents.active():
        if agent.pk in already_sent:
            continue
        referral.links.filter(agent=agent, sent_at__isnull=True).delete()
        link, token = referral_link_create(referral=referral, agent=agent)
        send_templated_email(
            to=agent.email,
            language=agent.language,
            template="referral_new_agent",
            context={
                "referral": referral,
                "agent": agent,
                "link": absolute_url("referrals:respond", token),
            },
        )
        link.sent_at = timezone.now()
        link.save(update_fields=["sent_at"])
        sent += 1
    logger.info("referral_email_agents referral=%s sent=%s", referral.pk, sent)
    return sent


def referral_email_answer(*, referral: Referral) -> None:
    """Tell the candidate and the counsellor what the agent answered."""
    from pajr.emails import absolute_url, send_templated_email

    candidate = referral.candidate
    context = {"referral": referral, "candidate": candidate, "agent": referral.answered_by}
    send_templated_email(
        to=candidate.email,
        language=candidate.language,
        template="referral_answered_candidate",
        context={**context, "link": absolute_url("candidates:my_file")},
    )
    counsellor = referral.sent_by
    send_templated_email(
        to=counsellor.email,
        language=counsellor.language,
        template="referral_answered_counsellor",
        context={**context, "link": absolute_url("candidates:file", candidate.pk)},
    )


def referral_withdraw(*, referral: Referral, by_user: User | None = None, reason: str) -> Referral:
    """Withdraw a referral still waiting for an answer (the candidate withdrew their consent to
    sharing, or deleted their account); the file goes back to coaching. Call it inside the
    caller's transaction when it is part of a larger change."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update().select_related("territory").get(pk=referral.pk)
        if referral.status != ReferralStatus.PENDING:
            raise ReferralError(
                _("Cette orientation n'est plus en attente de réponse : elle ne peut pas être retirée.")
            )
        from_status = referral.status
        referral.status = ReferralStatus.WITHDRAWN
        referral.save(update_fields=["status"])
        _log(referral, from_status=from_status, by_user=by_user, reason=reason)
        candidate = Candidate.objects.select_for_update().get(pk=referral.candidate_id)
        if candidate.status == CandidateStatus.REFERRED:
            candidate_set_status(
                candidate=candidate, to=CandidateStatus.COACHING, by=by_user, note=referral.territory.name
            )
    return referral
