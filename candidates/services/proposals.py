"""Territory proposals: a counsellor proposes a territory the person did not choose, the person
accepts or declines it in Mon dossier, the counsellor may withdraw it while it waits. Each is
guarded (ProposalError and its code), locked (the file's row first, candidates.locks) and on the
file's timeline (codes, never sentences)."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from territories.models import Territory

from ..choices import CandidateStatus, EventCode
from ..errors import ProposalError
from ..locks import lock_candidate
from ..models import Candidate, CandidateEvent, CandidateTarget, Consent, TerritoryProposal
from ..proposals import chosen_territory_ids
from .emails import candidate_email_territory_proposed
from .registration import MAX_TARGETS
from .status import candidate_record_event

logger = logging.getLogger(__name__)

Status = TerritoryProposal.Status
CLOSED_STATUSES = frozenset({CandidateStatus.DRAFT, CandidateStatus.CLOSED, CandidateStatus.SETTLED})


def _check_open(candidate: Candidate) -> None:
    if candidate is None or candidate.anonymized_at is not None or candidate.status in CLOSED_STATUSES:
        raise ProposalError(_("Ce dossier n'est pas ouvert : aucune proposition n'est possible."), code="file_closed")


def territory_propose(*, candidate: Candidate, territory: Territory, by: User, message: str = "") -> TerritoryProposal:
    """A counsellor proposes `territory` to the person, who is told by email and answers in Mon
    dossier. Refused (ProposalError) for a file that is not open, a file without an account (the
    person could not answer), without the consent to sharing, for a territory already chosen or
    already proposed and waiting, or one that has no active agent to receive a referral."""
    if not by.is_counsellor:
        raise ProposalError(_("Seul·e un·e conseiller·ère EER peut proposer un territoire."), code="not_counsellor")
    if not territory.is_active or not territory.agents.active().exists():
        raise ProposalError(
            _("Le territoire %(territory)s n'a aucun·e agent·e actif·ve : il ne peut pas être proposé.")
            % {"territory": territory.name},
            code="no_active_agent",
        )
    message = message.strip()
    with transaction.atomic():
        candidate = lock_candidate(candidate.pk, related=("user",))
        _check_open(candidate)
        if candidate.user_id is None:
            raise ProposalError(
                _(
                    "Ce dossier n'a pas de compte (il a été créé par un·e agent·e) : la personne ne peut pas "
                    "répondre dans « Mon dossier », donc aucun territoire ne peut lui être proposé."
                ),
                code="no_account",
            )
        if not candidate.has_consent(Consent.Purpose.SHARING):
            raise ProposalError(
                _("La personne n'a pas consenti au partage de son dossier : demandez d'abord son accord."),
                code="no_sharing_consent",
            )
        if territory.pk in chosen_territory_ids(candidate.pk):
            raise ProposalError(
                _("La personne a déjà choisi le territoire %(territory)s.") % {"territory": territory.name},
                code="already_chosen",
            )
        try:
            with transaction.atomic():
                proposal = TerritoryProposal.objects.create(
                    candidate=candidate, territory=territory, proposed_by=by, message=message
                )
        except IntegrityError as exc:
            raise ProposalError(
                _("Le territoire %(territory)s est déjà proposé et attend la réponse de la personne.")
                % {"territory": territory.name},
                code="already_pending",
            ) from exc
        event = candidate_record_event(
            candidate=candidate,
            kind=CandidateEvent.Kind.TERRITORY_PROPOSAL,
            by=by,
            code=EventCode.TERRITORY_PROPOSED,
            params={"territory": territory.pk, "proposal": proposal.pk},
        )
        candidate_email_territory_proposed(candidate=candidate, proposal=proposal, event=event)
    logger.info(
        "territory_propose candidate=%s territory=%s proposal=%s by=%s", candidate.pk, territory.pk, proposal.pk, by.pk
    )
    return proposal


def _answer(*, proposal: TerritoryProposal, by: User, to: str, code: str) -> TerritoryProposal:
    """Move a pending proposal to `to`, the file's row locked first, then the proposal's."""
    with transaction.atomic():
        candidate = lock_candidate(proposal.candidate_id)
        proposal = TerritoryProposal.objects.select_for_update().select_related("territory").get(pk=proposal.pk)
        if to == Status.WITHDRAWN:
            if not by.is_counsellor:
                raise ProposalError(
                    _("Seul·e un·e conseiller·ère EER peut retirer une proposition."), code="not_counsellor"
                )
        elif candidate is None or candidate.user_id is None or candidate.user_id != by.pk:
            raise ProposalError(_("Cette proposition ne vous est pas adressée."), code="not_yours")
        if candidate is None or candidate.anonymized_at is not None:
            raise ProposalError(
                _("Ce dossier n'est pas ouvert : aucune proposition n'est possible."), code="file_closed"
            )
        if proposal.status != Status.PENDING:
            raise ProposalError(
                _("Cette proposition n'attend plus de réponse : elle est « %(status)s ».")
                % {"status": proposal.get_status_display().lower()},
                code="not_pending",
            )
        proposal.status = to
        proposal.answered_at = timezone.now()
        proposal.save(update_fields=["status", "answered_at"])
        if to == Status.ACCEPTED:
            _add_target(candidate, proposal.territory_id)
        candidate_record_event(
            candidate=candidate,
            kind=CandidateEvent.Kind.TERRITORY_PROPOSAL,
            by=by,
            code=code,
            params={"territory": proposal.territory_id, "proposal": proposal.pk},
        )
    logger.info("territory_proposal %s proposal=%s candidate=%s by=%s", to, proposal.pk, proposal.candidate_id, by.pk)
    return proposal


def _add_target(candidate: Candidate, territory_id: int) -> None:
    """The accepted territory joins the person's targets, last, when they have room (three at
    most); otherwise the accepted proposal alone makes it chosen (candidates.proposals)."""
    ranks = list(CandidateTarget.objects.filter(candidate=candidate).values_list("territory_id", "rank"))
    if territory_id in {pk for pk, _rank in ranks} or len(ranks) >= MAX_TARGETS:
        return
    CandidateTarget.objects.create(
        candidate=candidate, territory_id=territory_id, rank=max((rank for _pk, rank in ranks), default=0) + 1
    )
    if candidate.targets_undecided:
        candidate.targets_undecided = False
        candidate.save(update_fields=["targets_undecided", "updated_at"])


def territory_proposal_accept(*, proposal: TerritoryProposal, by: User) -> TerritoryProposal:
    """The person agrees: the territory becomes one of their chosen ones, so that their counsellor
    may refer them there."""
    return _answer(proposal=proposal, by=by, to=Status.ACCEPTED, code=EventCode.PROPOSAL_ACCEPTED)


def territory_proposal_decline(*, proposal: TerritoryProposal, by: User) -> TerritoryProposal:
    """The person says no: no referral may go to that territory."""
    return _answer(proposal=proposal, by=by, to=Status.DECLINED, code=EventCode.PROPOSAL_DECLINED)


def territory_proposal_withdraw(*, proposal: TerritoryProposal, by: User) -> TerritoryProposal:
    """The counsellor takes back a proposal still waiting for the person's answer."""
    return _answer(proposal=proposal, by=by, to=Status.WITHDRAWN, code=EventCode.PROPOSAL_WITHDRAWN)


def territory_proposals_forget(*, candidate: Candidate) -> int:
    """Anonymization (candidate_anonymize, inside its transaction and lock): pending proposals are
    withdrawn and every message emptied. Returns how many rows changed."""
    now = timezone.now()
    proposals = TerritoryProposal.objects.filter(candidate=candidate)
    withdrawn = proposals.filter(status=Status.PENDING).update(status=Status.WITHDRAWN, answered_at=now)
    emptied = proposals.exclude(message="").update(message="")
    return withdrawn + emptied
