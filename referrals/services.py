import logging
import secrets
import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from candidates.models import Candidate, CandidateEvent, CandidateStatus, Consent, MaturityAssessment
from candidates.services import REFERABLE_STATUSES, candidate_set_status
from territories.models import Agent, Territory

from .models import DeclineReason, Referral, ReferralLink, ReferralStatus, ReferralTransition

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


MAX_TERRITORIES = 3

# Which status may follow which. Anything else is refused and changes nothing.
ALLOWED = {
    ReferralStatus.QUEUED: {ReferralStatus.PENDING, ReferralStatus.WITHDRAWN},
    ReferralStatus.PENDING: {
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.EXPIRED,
        ReferralStatus.WITHDRAWN,
    },
}

# Reasons written by the system into the transition log (the log keeps French, like the
# reasons people type; the pages show the status in the reader's language).
EXPIRED_REASON = "Aucune réponse dans le délai de %(days)s jours"
NEXT_REASON = "Territoire suivant de la liste (%(territory)s : %(status)s)"
SKIPPED_REASON = "Territoire inactif ou sans agent·e actif·ve au moment de son tour"
ACCEPTED_ELSEWHERE_REASON = "Acceptée par le territoire %(territory)s"
CHAIN_WITHDRAWN_REASON = "Orientation précédente de la liste retirée"


def _move(referral: Referral, to: str, *, by_user=None, by_agent=None, reason: str = "", fields=()) -> None:
    """Change the status of a locked referral, if the rules allow it, and log the transition."""
    from_status = referral.status
    if to not in ALLOWED.get(from_status, ()):
        raise ReferralError(
            _("Cette orientation est « %(status)s » : elle ne peut plus changer.")
            % {"status": referral.get_status_display()}
        )
    referral.status = to
    referral.save(update_fields=["status", *fields])
    _log(referral, from_status=from_status, by_user=by_user, by_agent=by_agent, reason=reason)


def _lock(referral_id: int) -> tuple[Candidate, Referral]:
    """Lock the candidate, then the referral: always in that order, as referral_send and
    candidates_merge do, so that two changes never wait on each other."""
    candidate_id = Referral.objects.values_list("candidate_id", flat=True).get(pk=referral_id)
    candidate = Candidate.objects.select_for_update().get(pk=candidate_id)
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("territory", "answered_by", "sent_by")
        .get(pk=referral_id)
    )
    return candidate, referral


def _can_receive(territory: Territory) -> bool:
    return territory.is_active and territory.agents.active().exists()


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
    of the referral's first transition and logged."""
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
        reason = message
        if not mature:
            reason = f"{OVERRIDE_PREFIX}{override_reason}" + (f"\n\n{message}" if message else "")
            # The reason itself is free text about a person: it stays in the transition, not the logs.
            logger.warning(
                "referral_send override (project not declared mature) referral=%s candidate=%s by=%s",
                referral.pk,
                candidate.pk,
                by.pk,
            )
        for each in referrals:
            _log(each, from_status="", by_user=by, reason=reason)
        if candidate.counsellor_id is None:
            candidate.counsellor = by
            candidate.save(update_fields=["counsellor", "updated_at"])
        candidate_set_status(
            candidate=candidate,
            to=CandidateStatus.REFERRED,
            by=by,
            note=" → ".join(territory.name for territory in territories),
        )
        referral_email_agents(referral=referral)
        referral_email_candidate_referred(referral=referral)
    return referral


def _pass_on(*, candidate: Candidate, referral: Referral, by_user=None, by_agent=None) -> Referral | None:
    """After `referral` was declined or expired: the next territory of its list receives the
    referral, skipping any that can no longer receive it. Returns the referral now pending, or
    None when the list is exhausted and the file is back with the counsellor. Inside the
    caller's transaction, which holds the candidate's and the referral's rows."""
    reason = NEXT_REASON % {"territory": referral.territory.name, "status": referral.status}
    queued = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("territory")
        .filter(chain=referral.chain, status=ReferralStatus.QUEUED)
        .order_by("rank")
    )
    for following in queued:
        if not _can_receive(following.territory):
            _move(following, ReferralStatus.WITHDRAWN, reason=SKIPPED_REASON)
            continue
        now = timezone.now()
        following.sent_at = now
        following.expires_at = now + timedelta(days=settings.REFERRAL_ANSWER_DAYS)
        _move(
            following,
            ReferralStatus.PENDING,
            by_user=by_user,
            by_agent=by_agent,
            reason=reason,
            fields=("sent_at", "expires_at"),
        )
        CandidateEvent.objects.create(
            candidate=candidate, kind=CandidateEvent.Kind.REFERRAL, note=following.territory.name
        )
        referral_email_agents(referral=following)
        if referral.status != ReferralStatus.DECLINED:
            # After a decline, referral_answered_candidate already names the next territory.
            referral_email_candidate_referred(referral=following)
        return following
    candidate_set_status(
        candidate=candidate,
        to=CandidateStatus.COACHING,
        by=None,
        note=_("Liste de territoires épuisée"),
    )
    return None


def referral_link_create(*, referral: Referral, agent: Agent, expires_at=None) -> tuple[ReferralLink, str]:
    """A new link for one agent and one referral. The raw token is returned once and never stored.
    It works until the referral's deadline, or until `expires_at`."""
    token = secrets.token_urlsafe(32)  # 256 random bits
    link = ReferralLink.objects.create(
        referral=referral,
        agent=agent,
        token_hash=ReferralLink.hash_token(token),
        expires_at=expires_at or referral.expires_at,
    )
    return link, token


def _answer(*, referral: Referral, agent: Agent, to: str, category: str = "", reason: str = "") -> Referral:
    with transaction.atomic():
        candidate, referral = _lock(referral.pk)
        if referral.status != ReferralStatus.PENDING:
            raise ReferralError(_already_answered(referral))
        if referral.expires_at <= timezone.now():
            raise ReferralError(_("Le délai de réponse de cette orientation est passé."))
        if not agent.is_active or not agent.territories.filter(pk=referral.territory_id).exists():
            raise ReferralError(_("Vous n'êtes pas agent·e de ce territoire."))
        referral.answered_by = agent
        referral.answered_at = timezone.now()
        referral.decline_category = category
        referral.decline_reason = reason
        log_reason = f"{DeclineReason(category).label}. {reason}".strip() if category else reason
        _move(
            referral,
            to,
            by_agent=agent,
            reason=str(log_reason),
            fields=("answered_by", "answered_at", "decline_category", "decline_reason"),
        )
        note = f"{referral.territory.name} — {agent}"
        if to == ReferralStatus.ACCEPTED:
            candidate_set_status(candidate=candidate, to=CandidateStatus.TAKEN_ON, by=None, note=note)
            for rest in Referral.objects.select_for_update().filter(chain=referral.chain, status=ReferralStatus.QUEUED):
                _move(
                    rest,
                    ReferralStatus.WITHDRAWN,
                    by_agent=agent,
                    reason=ACCEPTED_ELSEWHERE_REASON % {"territory": referral.territory.name},
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
        candidate, referral = _lock(referral.pk)
        if referral.status != ReferralStatus.PENDING or referral.expires_at > timezone.now():
            return None
        _move(referral, ReferralStatus.EXPIRED, reason=EXPIRED_REASON % {"days": settings.REFERRAL_ANSWER_DAYS})
        _pass_on(candidate=candidate, referral=referral)
        referral_email_expired(referral=referral)
    return referral


def referrals_expire_overdue() -> int:
    """The periodic task's work: expire every overdue referral. Each in its own transaction, so
    one failure does not hold back the others."""
    expired = 0
    for referral in Referral.objects.overdue().only("pk").order_by("expires_at"):
        if referral_expire(referral=referral):
            expired += 1
    if expired:
        logger.info("referrals_expire_overdue expired=%s", expired)
    return expired


def _ensure_account(agent: Agent) -> None:
    """An agent who receives a referral can also sign in by code to see it in their space."""
    from territories.services import AgentAccountError, agent_account_ensure

    if agent.user_id is None:
        try:
            agent_account_ensure(agent=agent)
        except AgentAccountError:
            # Their address belongs to another kind of account: the link in the email still works.
            logger.warning("agent=%s has no account: address taken by another account", agent.pk)


def referral_email_agents(*, referral: Referral) -> int:
    """Email each active agent of the territory their own link, once. Safe to run again: agents
    already emailed are skipped; a link without its email (a crash in between) is replaced."""
    from pajr.emails import absolute_url, send_templated_email

    if referral.status != ReferralStatus.PENDING:
        return 0
    already_sent = set(referral.links.filter(sent_at__isnull=False).values_list("agent_id", flat=True))
    sent = 0
    for agent in referral.territory.agents.active():
        if agent.pk in already_sent:
            continue
        _ensure_account(agent)
        # The link, its email in the outbox and `sent_at` commit together (`sent_at`: the email
        # is in the outbox; the outbox sends it).
        with transaction.atomic():
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
                key=f"referral_new_agent:{referral.pk}:{agent.pk}",
            )
            link.sent_at = timezone.now()
            link.save(update_fields=["sent_at"])
        sent += 1
    logger.info("referral_email_agents referral=%s sent=%s", referral.pk, sent)
    return sent


def referral_email_answer(*, referral: Referral) -> None:
    """Tell the candidate and the counsellor what the agent answered, and what happens next."""
    from pajr.emails import absolute_url, send_templated_email

    candidate = referral.candidate
    context = {
        "referral": referral,
        "candidate": candidate,
        "agent": referral.answered_by,
        "next_referral": Referral.objects.successor_of(referral)
        if referral.status == ReferralStatus.DECLINED
        else None,
    }
    send_templated_email(
        to=candidate.email,
        language=candidate.language,
        template="referral_answered_candidate",
        context={**context, "link": absolute_url("candidates:my_file")},
        key=f"referral_answered_candidate:{referral.pk}",
    )
    counsellor = referral.sent_by
    send_templated_email(
        to=counsellor.email,
        language=counsellor.language,
        template="referral_answered_counsellor",
        context={**context, "link": absolute_url("candidates:file", candidate.pk)},
        key=f"referral_answered_counsellor:{referral.pk}",
    )


def referral_email_expired(*, referral: Referral) -> None:
    """Tell the counsellor that the territory let the referral expire, and what happens next."""
    from pajr.emails import absolute_url, send_templated_email

    counsellor = referral.sent_by
    send_templated_email(
        to=counsellor.email,
        language=counsellor.language,
        template="referral_expired_counsellor",
        context={
            "referral": referral,
            "candidate": referral.candidate,
            "next_referral": Referral.objects.successor_of(referral),
            "link": absolute_url("candidates:file", referral.candidate_id),
        },
        key=f"referral_expired_counsellor:{referral.pk}",
    )


def referral_email_withdrawn(*, referral: Referral) -> None:
    """Tell the agents who received the referral that it no longer waits for them."""
    from pajr.emails import send_templated_email

    for link in referral.links.filter(sent_at__isnull=False).select_related("agent"):
        send_templated_email(
            to=link.agent.email,
            language=link.agent.language,
            template="referral_withdrawn_agent",
            context={"referral": referral, "agent": link.agent},
            key=f"referral_withdrawn_agent:{referral.pk}:{link.agent_id}",
        )


# A new link on request: at most this many per agent and referral in a day.
NEW_LINKS_PER_DAY = 3
# A link re-sent after the referral's deadline only shows what became of it, for this long.
LATE_LINK_DAYS = 7


def referral_link_resend(*, token: str) -> bool:
    """ "Send me a new link", from the page of a link that no longer works. The new link goes to
    the address on file of the agent the old link was sent to, never to an address typed in.
    Returns whether a link was sent; the caller says the same thing either way, so that nobody
    learns whether a token existed."""
    link = (
        ReferralLink.objects.for_token(token)
        .filter(agent__is_active=True)
        .select_related("agent", "referral__territory", "referral__candidate", "referral__sent_by")
        .first()
    )
    if link is None:
        return False
    return referral_email_new_link(referral=link.referral, agent=link.agent)


def referral_email_new_link(*, referral: Referral, agent: Agent) -> bool:
    """Make and email a new link, at most NEW_LINKS_PER_DAY a day per agent and referral."""
    from pajr.emails import absolute_url, send_templated_email

    with transaction.atomic():
        agent = Agent.objects.select_for_update().get(pk=agent.pk)
        since = timezone.now() - timedelta(days=1)
        if (
            ReferralLink.objects.filter(referral=referral, agent=agent, created_at__gte=since).count()
            >= NEW_LINKS_PER_DAY
        ):
            logger.warning("referral_email_new_link refused (rate) referral=%s agent=%s", referral.pk, agent.pk)
            return False
        open_ = referral.is_open
        expires_at = referral.expires_at if open_ else timezone.now() + timedelta(days=LATE_LINK_DAYS)
        link, token = referral_link_create(referral=referral, agent=agent, expires_at=expires_at)
        send_templated_email(
            to=agent.email,
            language=agent.language,
            template="referral_new_link_agent",
            context={
                "referral": referral,
                "agent": agent,
                "open": open_,
                "link": absolute_url("referrals:respond", token),
            },
            key=f"referral_new_link_agent:{link.pk}",
        )
        ReferralLink.objects.filter(pk=link.pk).update(sent_at=timezone.now())
    logger.info("referral_email_new_link referral=%s agent=%s", referral.pk, agent.pk)
    return True


def referral_withdraw(*, referral: Referral, by_user: User | None = None, reason: str) -> Referral:
    """Withdraw a referral still waiting for an answer, with the rest of its list: the counsellor
    changed their mind, or the candidate withdrew their consent to sharing or deleted their
    account. The file goes back to coaching; the agents are told. Call it inside the caller's
    transaction when it is part of a larger change."""
    reason = reason.strip()
    if not reason:
        raise ReferralError(_("Indiquez la raison du retrait."))
    with transaction.atomic():
        candidate, referral = _lock(referral.pk)
        if referral.status != ReferralStatus.PENDING:
            raise ReferralError(
                _("Cette orientation n'est plus en attente de réponse : elle ne peut pas être retirée.")
            )
        _move(referral, ReferralStatus.WITHDRAWN, by_user=by_user, reason=reason)
        for rest in Referral.objects.select_for_update().filter(chain=referral.chain, status=ReferralStatus.QUEUED):
            _move(rest, ReferralStatus.WITHDRAWN, by_user=by_user, reason=CHAIN_WITHDRAWN_REASON)
        if candidate.status == CandidateStatus.REFERRED:
            candidate_set_status(
                candidate=candidate, to=CandidateStatus.COACHING, by=by_user, note=referral.territory.name
            )
        referral_email_withdrawn(referral=referral)
    return referral


# --- Emails and schedules of the notification outbox --------------------------------------------
# The periodic ones are safe to run twice at once: each email has an outbox key, and the ones that
# carry a new link check their key under the referral's lock before making the link.


def referral_email_candidate_referred(*, referral: Referral) -> None:
    """Tell the candidate which territory now has their file and until when it has to answer."""
    from pajr.emails import absolute_url, send_templated_email

    candidate = referral.candidate
    if candidate.anonymized_at is not None:
        return
    send_templated_email(
        to=candidate.email,
        language=candidate.language,
        template="referral_sent_candidate",
        context={"candidate": candidate, "referral": referral, "link": absolute_url("candidates:my_file")},
        key=f"referral_sent_candidate:{referral.pk}",
    )


def referral_email_withdrawn_counsellor(*, referral: Referral, account_deleted: bool) -> None:
    """Tell the file's counsellor that the candidate withdrew a referral waiting for an answer
    (withdrew their consent to sharing, or deleted their account), so that the file is theirs
    again. A deleted account's email does not name the person. Inside the caller's transaction."""
    from pajr.emails import absolute_url, send_templated_email

    referral = Referral.objects.select_related("candidate__counsellor", "sent_by", "territory").get(pk=referral.pk)
    candidate = referral.candidate
    counsellor = candidate.counsellor if candidate.counsellor and candidate.counsellor.is_active else referral.sent_by
    send_templated_email(
        to=counsellor.email,
        language=counsellor.language,
        template="referral_withdrawn_counsellor",
        context={
            "referral": referral,
            "candidate": candidate,
            "account_deleted": account_deleted,
            "link": absolute_url("candidates:file", candidate.pk),
        },
        key=f"referral_withdrawn_counsellor:{referral.pk}",
    )


def _agents_who_received(referral: Referral):
    """The agents emailed the referral's link who are still active agents of its territory."""
    return (
        Agent.objects.active()
        .filter(
            territories=referral.territory_id,
            referral_links__referral=referral,
            referral_links__sent_at__isnull=False,
        )
        .distinct()
        .order_by("pk")
    )


def _referral_email_agents_again(*, referral_id: int, template: str) -> int:
    """Email `template` (a reminder) to each agent who received the open referral `referral_id`,
    once, with a new personal link to the same deadline: the raw token exists only in the outbox
    row's body, which is emptied once sent, so an agent never has to dig out the first email.
    The referral's lock and the key check come before the link, so that a second run at once
    makes neither a second email nor a spare link."""
    from notifications.selectors import outbox_has_key
    from pajr.emails import absolute_url, send_templated_email

    sent = 0
    with transaction.atomic():
        _candidate, referral = _lock(referral_id)
        if not referral.is_open or not referral.territory.is_active:
            return 0
        for agent in _agents_who_received(referral):
            key = f"{template}:{referral.pk}:{agent.pk}"
            if outbox_has_key(key=key):
                continue
            link, token = referral_link_create(referral=referral, agent=agent)
            send_templated_email(
                to=agent.email,
                language=agent.language,
                template=template,
                context={
                    "referral": referral,
                    "agent": agent,
                    "link": absolute_url("referrals:respond", token),
                    "space": absolute_url("referrals:agent_home"),
                },
                key=key,
            )
            link.sent_at = timezone.now()
            link.save(update_fields=["sent_at"])
            sent += 1
    return sent


def referrals_remind_unanswered(*, now=None) -> int:
    """The periodic reminder: referrals pending for REFERRAL_REMINDER_DAYS without an answer, and
    not about to expire (those get referral_expires_soon_agent), remind their agents once."""
    now = now or timezone.now()
    due = Referral.objects.pending().filter(
        sent_at__lte=now - timedelta(days=settings.REFERRAL_REMINDER_DAYS),
        expires_at__gt=now + timedelta(days=1),
    )
    sent = sum(
        _referral_email_agents_again(referral_id=pk, template="referral_reminder_agent")
        for pk in due.order_by("sent_at").values_list("pk", flat=True)
    )
    if sent:
        logger.info("referrals_remind_unanswered sent=%s", sent)
    return sent


def referrals_warn_expiring(*, now=None) -> int:
    """The periodic "expires tomorrow": referrals whose deadline is less than 24 hours away warn
    their agents once."""
    now = now or timezone.now()
    due = Referral.objects.pending().filter(expires_at__gt=now, expires_at__lte=now + timedelta(days=1))
    sent = sum(
        _referral_email_agents_again(referral_id=pk, template="referral_expires_soon_agent")
        for pk in due.order_by("expires_at").values_list("pk", flat=True)
    )
    if sent:
        logger.info("referrals_warn_expiring sent=%s", sent)
    return sent


DIGEST_STATUSES = (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.EXPIRED)


def referrals_answers_digest(*, now=None) -> int:
    """The daily digest: each active counsellor with at least one referral of their candidates
    accepted, declined or expired in the 24 hours before `now` gets one email listing them; the
    key holds the counsellor and the local day, so the day's digest goes once. The file's
    counsellor receives it (the sender when the file has none). Returns the emails enqueued."""
    from notifications.selectors import outbox_has_key
    from pajr.emails import absolute_url, send_templated_email

    now = now or timezone.now()
    day = timezone.localdate(now)
    transitions = (
        ReferralTransition.objects.filter(
            to_status__in=DIGEST_STATUSES, created_at__gt=now - timedelta(days=1), created_at__lte=now
        )
        .select_related(
            "referral__candidate__counsellor", "referral__sent_by", "referral__territory", "referral__answered_by"
        )
        .order_by("created_at", "pk")
    )
    answers: dict[User, list[Referral]] = {}
    for transition in transitions:
        referral = transition.referral
        if referral.candidate.anonymized_at is not None:
            continue
        counsellor = referral.candidate.counsellor or referral.sent_by
        if counsellor.is_counsellor:
            answers.setdefault(counsellor, []).append(referral)
    sent = 0
    for counsellor, referrals in answers.items():
        key = f"answers_digest_counsellor:{counsellor.pk}:{day.isoformat()}"
        if outbox_has_key(key=key):
            continue
        send_templated_email(
            to=counsellor.email,
            language=counsellor.language,
            template="answers_digest_counsellor",
            context={
                "counsellor": counsellor,
                "referrals": referrals,
                "day": day,
                "link": absolute_url("candidates:queue") + "?vue=reponses",
            },
            key=key,
        )
        sent += 1
    logger.info("referrals_answers_digest day=%s sent=%s", day, sent)
    return sent
