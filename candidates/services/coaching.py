"""The counsellor's work on a file: coaching notes, the maturity checklist and decision, asking
the person for their sharing consent, and the access log."""

import datetime
import logging
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.text import strip_control_characters

from ..choices import CandidateStatus, EventCode
from ..errors import CandidateError
from ..locks import lock_candidate
from ..models import AccessKind, Candidate, CandidateEvent, CoachingNote, Consent, FileAccess, MaturityAssessment
from .emails import candidate_email_sharing_consent_request
from .status import REFERABLE_STATUSES, candidate_record_event

logger = logging.getLogger(__name__)

# A project can be declared mature while the file can still be referred (NEW or COACHING).
MATURABLE_STATUSES = REFERABLE_STATUSES
CONSENT_REQUEST_INTERVAL = datetime.timedelta(hours=24)


def coaching_note_add(*, candidate: Candidate, by: User, text: str) -> CoachingNote:
    """`by` adds a dated, signed coaching note to the file. `text` is plain text (control
    characters stripped here too, for callers other than the form)."""
    if not by.is_counsellor:
        raise CandidateError(_("Seul·e un·e conseiller·ère EER peut écrire une note d'accompagnement."))
    text = strip_control_characters(text, multiline=True)
    if not text:
        raise CandidateError(_("La note est vide."))
    with transaction.atomic():
        note = CoachingNote.objects.create(candidate=candidate, author=by, text=text[:5000])
    logger.info("coaching_note_add candidate=%s note=%s by=%s", candidate.pk, note.pk, by.pk)
    return note


def coaching_note_edit(*, note: CoachingNote, by: User, text: str) -> CoachingNote:
    """The note's author corrects it, within CoachingNote.NOTE_EDIT_WINDOW of writing it; anyone
    else, or later, is refused (CandidateError)."""
    text = strip_control_characters(text, multiline=True)
    if not text:
        raise CandidateError(_("La note est vide."))
    with transaction.atomic():
        locked = CoachingNote.objects.select_for_update().get(pk=note.pk)
        if locked.author_id != by.pk:
            raise CandidateError(_("Seul·e l'auteur·e d'une note peut la modifier."))
        if not locked.is_editable_by(by):
            raise CandidateError(_("Une note ne peut plus être modifiée 24 heures après avoir été écrite."))
        locked.text = text[:5000]
        locked.save(update_fields=["text", "updated_at"])
    note.text, note.updated_at = locked.text, locked.updated_at
    logger.info("coaching_note_edit candidate=%s note=%s by=%s", locked.candidate_id, locked.pk, by.pk)
    return locked


def maturity_update(*, candidate: Candidate, by: User, ticks: Mapping[str, bool]) -> MaturityAssessment:
    """The counsellor ticks (or unticks) the checklist items that only they can judge; `ticks`
    maps MaturityAssessment.TICKED_FIELDS to booleans (missing names are left as they are)."""
    if not by.is_counsellor:
        raise CandidateError(_("Seul·e un·e conseiller·ère EER peut évaluer un projet."))
    if unknown := set(ticks) - set(MaturityAssessment.TICKED_FIELDS):
        raise ValueError(f"Unknown checklist items: {sorted(unknown)}")
    with transaction.atomic():
        lock_candidate(candidate.pk)
        assessment, _created = MaturityAssessment.objects.get_or_create(candidate=candidate)
        for name, value in ticks.items():
            setattr(assessment, name, bool(value))
        fields = [*ticks]
        if ticks.get("region_explored") is False:  # unticked: the séjour's date and place go too
            assessment.region_explored_on = assessment.region_explored_territory = None
            fields += ["region_explored_on", "region_explored_territory"]
        assessment.updated_by = by
        assessment.save(update_fields=[*fields, "updated_by", "updated_at"])
    logger.info(
        "maturity_update candidate=%s by=%s %s",
        candidate.pk,
        by.pk,
        ",".join(f"{name}={bool(value)}" for name, value in ticks.items()) or "-",
    )
    return assessment


def candidate_declare_mature(*, candidate: Candidate, by: User, note: str) -> MaturityAssessment:
    """The counsellor declares the project mature, with a note: who, when and why are kept on
    the file's MaturityAssessment, and a referral may be sent (referrals.services.referral_send).
    The file stays in COACHING. Refused (CandidateError) without a note, for a file not in
    coaching, or when already declared mature."""
    if not by.is_counsellor:
        raise CandidateError(_("Seul·e un·e conseiller·ère EER peut déclarer un projet mûr."))
    note = strip_control_characters(note, multiline=True)
    if not note:
        raise CandidateError(_("Expliquez en une note pourquoi le projet est mûr."))
    with transaction.atomic():
        locked = lock_candidate(candidate.pk)
        if locked.status not in MATURABLE_STATUSES:
            raise CandidateError(
                _("Le dossier est « %(status)s » : le projet ne peut pas être déclaré mûr maintenant.")
                % {"status": locked.get_status_display()}
            )
        assessment, _created = MaturityAssessment.objects.get_or_create(candidate=locked)
        if assessment.is_mature:
            raise CandidateError(_("Ce projet a déjà été déclaré mûr."))
        assessment.mature_at = timezone.now()
        assessment.mature_by = by
        assessment.mature_note = note[:3000]
        assessment.save(update_fields=["mature_at", "mature_by", "mature_note", "updated_at"])
        CandidateEvent.objects.create(
            candidate=locked, kind=CandidateEvent.Kind.MATURITY_DECLARED, actor=by, note=assessment.mature_note
        )
    logger.info("candidate_declare_mature candidate=%s by=%s", candidate.pk, by.pk)
    return assessment


def candidate_withdraw_maturity(*, candidate: Candidate, by: User, reason: str) -> MaturityAssessment:
    """Take back the decision "projet mûr" (new information, a project that changed), with a
    reason: the decision's date, author and note are cleared from the MaturityAssessment (the
    checklist stays), so a new referral needs a new decision or an override. The timeline keeps
    both: the MATURITY_DECLARED event with its note, and a MATURITY_WITHDRAWN event with the
    reason. A referral already sent is left alone: it went with the decision of its day.
    Refused (CandidateError) for anyone but a counsellor, without a reason, for anonymized files,
    and when the project is not declared mature."""
    if not by.is_counsellor:
        raise CandidateError(_("Seul·e un·e conseiller·ère EER peut retirer la décision « projet mûr »."))
    reason = strip_control_characters(reason, multiline=True)
    if not reason:
        raise CandidateError(_("Expliquez pourquoi la décision « projet mûr » est retirée."))
    with transaction.atomic():
        locked = lock_candidate(candidate.pk)
        if locked.anonymized_at is not None:
            raise CandidateError(_("Ce dossier a été supprimé."))
        assessment = MaturityAssessment.objects.filter(candidate=locked).first()
        if assessment is None or not assessment.is_mature:
            raise CandidateError(_("Ce projet n'est pas déclaré mûr : il n'y a pas de décision à retirer."))
        assessment.mature_at = assessment.mature_by = None
        assessment.mature_note = ""
        assessment.save(update_fields=["mature_at", "mature_by", "mature_note", "updated_at"])
        CandidateEvent.objects.create(
            candidate=locked, kind=CandidateEvent.Kind.MATURITY_WITHDRAWN, actor=by, note=reason[:3000]
        )
    logger.info("candidate_withdraw_maturity candidate=%s by=%s status=%s", candidate.pk, by.pk, locked.status)
    return assessment


def file_access_record(
    *, candidate_id: int, user: User | None = None, agent=None, kind: str = AccessKind.FILE_PAGE
) -> None:
    """Log that someone read the file (Law 25): one INSERT, nothing read; a second reading by the
    same person in the same hour adds nothing (ON CONFLICT DO NOTHING)."""
    if (user is None) == (agent is None):
        raise ValueError("file_access_record needs a user or an agent")
    now = timezone.now()
    FileAccess.objects.bulk_create(
        [
            FileAccess(
                candidate_id=candidate_id,
                user=user,
                agent=agent,
                kind=kind,
                reader=f"user:{user.pk}" if user is not None else f"agent:{agent.pk}",
                hour=now.replace(minute=0, second=0, microsecond=0),
            )
        ],
        ignore_conflicts=True,
    )


def candidate_region_explored(
    *, candidate: Candidate, territory, on: datetime.date, by: User | None = None
) -> MaturityAssessment:
    """The person attended a séjour exploratoire (recorded by the activity's agent, activities):
    "Région déjà explorée" is ticked in the maturity checklist with its date and territory, and
    the file's timeline says so (once per territory and date). For the activities app, which never
    writes these rows itself. In the caller's transaction; locks the file first."""
    with transaction.atomic():
        lock_candidate(candidate.pk)
        assessment, _created = MaturityAssessment.objects.get_or_create(candidate=candidate)
        params = {"territory": territory.pk, "date": on.isoformat()}
        already = (assessment.region_explored_on, assessment.region_explored_territory_id) == (on, territory.pk)
        assessment.region_explored = True
        assessment.region_explored_on = on
        assessment.region_explored_territory = territory
        assessment.save(
            update_fields=["region_explored", "region_explored_on", "region_explored_territory", "updated_at"]
        )
        if not already:
            candidate_record_event(
                candidate=candidate,
                kind=CandidateEvent.Kind.ACTIVITY_ATTENDED,
                by=by,
                code=EventCode.REGION_EXPLORED,
                params=params,
            )
    logger.info("candidate_region_explored candidate=%s territory=%s", candidate.pk, territory.pk)
    return assessment


def file_accesses_record(*, candidate_ids: list[int], agent, kind: str = AccessKind.AGENT_PAGE) -> None:
    """file_access_record for several files an agent read on one page (an activity's registrants):
    one INSERT for all of them."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    FileAccess.objects.bulk_create(
        [
            FileAccess(candidate_id=pk, agent=agent, kind=kind, reader=f"agent:{agent.pk}", hour=now)
            for pk in sorted(set(candidate_ids))
        ],
        ignore_conflicts=True,
    )


def candidate_request_sharing_consent(*, candidate: Candidate, by: User) -> None:
    """A counsellor asks the person, by email, to consent to sharing their file with PAJ agents
    (needed before a referral). At most once a day; the request is on the file's timeline."""
    if not by.is_counsellor:
        raise CandidateError(_("Seul·e un·e conseiller·ère EER peut faire cette demande."))
    with transaction.atomic():
        candidate = lock_candidate(candidate.pk)
        if candidate.anonymized_at is not None or candidate.status in (CandidateStatus.DRAFT, CandidateStatus.CLOSED):
            raise CandidateError(_("Ce dossier n'est pas ouvert : la demande n'est pas possible."))
        if candidate.has_consent(Consent.Purpose.SHARING):
            raise CandidateError(_("La personne a déjà consenti au partage."))
        since = timezone.now() - CONSENT_REQUEST_INTERVAL
        if candidate.events.filter(kind=CandidateEvent.Kind.CONSENT_REQUESTED, created_at__gte=since).exists():
            raise CandidateError(_("La demande a déjà été envoyée dans les dernières 24 heures."))
        event = CandidateEvent.objects.create(candidate=candidate, kind=CandidateEvent.Kind.CONSENT_REQUESTED, actor=by)
        candidate_email_sharing_consent_request(candidate=candidate, counsellor=by, event=event)
    logger.info("candidate_request_sharing_consent candidate=%s by=%s", candidate.pk, by.pk)
