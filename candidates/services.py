import datetime
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from territories.models import Territory

from .models import Candidate, CandidateEvent, CandidateStatus, CandidateTarget, Consent, ProfileKind

logger = logging.getLogger(__name__)

CONSENT_TEXT_VERSION = "2026-11-inscription-v1"


class CandidateError(Exception):
    """A change to a candidate's file that the rules do not allow; the message is for people."""


class EmailAlreadyRegistered(CandidateError):
    pass


def candidate_register(
    *,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    profile_kind: str,
    target_territory: Territory,
    language: str,
    consent: bool,
    email_verified: bool = False,
) -> Candidate:
    """Create an account with a complete, submitted file in one go (demo data, imports): both or
    neither. People register through the sign-up and the registration steps instead."""
    if not consent:
        raise CandidateError(_("Ce consentement est nécessaire pour ouvrir votre dossier."))
    email = email.strip().lower()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                language=language,
            )
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
            candidate = Candidate.objects.create(
                user=user,
                first_name=first_name,
                last_name=last_name,
                email=email,
                language=language,
                profile_kind=profile_kind,
                status=CandidateStatus.NEW,
                submitted_at=timezone.now(),
            )
            CandidateTarget.objects.create(candidate=candidate, territory=target_territory, rank=1)
            Consent.objects.bulk_create(
                Consent(
                    candidate=candidate,
                    purpose=purpose,
                    granted=True,
                    text_version=CONSENT_TEXT_VERSION,
                    method=Consent.Method.REGISTRATION_FORM,
                )
                for purpose in (Consent.Purpose.COACHING, Consent.Purpose.SHARING)
            )
            CandidateEvent.objects.create(
                candidate=candidate,
                kind=CandidateEvent.Kind.REGISTERED,
                to_status=candidate.status,
                actor=user,
            )
    except IntegrityError as exc:
        if User.objects.filter(email=email).exists():
            raise EmailAlreadyRegistered(email) from exc
        raise
    logger.info("candidate_register candidate=%s", candidate.pk)
    return candidate


def candidate_start(
    *, user: User, first_name: str, last_name: str, date_of_birth, phone: str, language: str
) -> Candidate:
    """Open a draft file for an account that has just signed up (step 1 of the registration)."""
    user.first_name, user.last_name, user.language = first_name, last_name, language
    user.save(update_fields=["first_name", "last_name", "language"])
    candidate = Candidate.objects.create(
        user=user,
        first_name=first_name,
        last_name=last_name,
        email=user.email,
        date_of_birth=date_of_birth,
        phone=phone,
        language=language,
        status=CandidateStatus.DRAFT,
        registration_step=2,
    )
    CandidateEvent.objects.create(
        candidate=candidate, kind=CandidateEvent.Kind.REGISTERED, to_status=candidate.status, actor=user
    )
    logger.info("candidate_start candidate=%s outside_age_range=%s", candidate.pk, candidate.is_outside_age_range)
    return candidate


def candidate_set_cv(*, candidate: Candidate, file, kind: str) -> None:
    """Store a validated CV (see candidates.cv.validate_cv) under a random name, replacing the
    previous one; the old file is removed once the change is committed."""
    old = candidate.cv.name if candidate.cv else ""
    stem = Path(file.name or "cv").stem[:100] or "cv"
    candidate.cv.save("cv", file, save=False)
    candidate.cv_filename = f"{stem}.{kind}"
    candidate.save(update_fields=["cv", "cv_filename", "updated_at"])
    if old:
        transaction.on_commit(lambda: candidate.cv.storage.delete(old))
    logger.info("candidate_set_cv candidate=%s kind=%s", candidate.pk, kind)


def candidate_update_identity(
    *, candidate: Candidate, first_name: str, last_name: str, date_of_birth, phone: str, language: str
) -> None:
    """The person corrects their name, date of birth, phone or language (Mon dossier)."""
    with transaction.atomic():
        candidate.first_name, candidate.last_name = first_name, last_name
        candidate.date_of_birth, candidate.phone, candidate.language = date_of_birth, phone, language
        candidate.save(update_fields=["first_name", "last_name", "date_of_birth", "phone", "language", "updated_at"])
        if user := candidate.user:
            user.first_name, user.last_name, user.language = first_name, last_name, language
            user.save(update_fields=["first_name", "last_name", "language"])
    logger.info("candidate_update_identity candidate=%s", candidate.pk)


def candidate_set_status(
    *, candidate: Candidate, to: str, by: User | None, note: str = "", kind: str = CandidateEvent.Kind.STATUS_CHANGED
) -> CandidateEvent | None:
    """Move the file to another status and record it on its timeline, as an event of `kind` (an
    ASSIGNED event when taking the file on is what moves it). Call inside a transaction that holds
    the candidate's row (select_for_update). Returns the event, or None when the status was already
    `to`."""
    from_status = candidate.status
    if from_status == to:
        return None
    candidate.status = to
    candidate.save(update_fields=["status", "updated_at"])
    event = CandidateEvent.objects.create(
        candidate=candidate,
        kind=kind,
        from_status=from_status,
        to_status=to,
        actor=by,
        note=note,
    )
    logger.info(
        "candidate_set_status candidate=%s %s->%s by=%s",
        candidate.pk,
        from_status,
        to,
        by and by.pk,
    )
    return event


REFERABLE_STATUSES = (CandidateStatus.NEW, CandidateStatus.COACHING)


SHARING_WITHDRAWN_REASON = "Consentement au partage retiré par la personne"
ACCOUNT_DELETED_REASON = "Compte supprimé par la personne"


def candidate_set_consents(
    *, candidate: Candidate, choices: Mapping[str, bool], method: str, text_version: str | None = None
) -> list[str]:
    """Give or withdraw consents: a new Consent row for each purpose whose choice changed (rows are
    never edited), with the version of the text shown (`text_version`, else the purpose's current
    text in candidates.consents). Withdrawing "sharing" withdraws a referral waiting for an answer
    (the file goes back to coaching); withdrawing "coaching" is marked on the file's timeline for
    the counsellor, who can no longer coach them, but does not close the file. Returns the purposes
    whose choice changed."""
    from referrals.models import Referral
    from referrals.services import referral_email_withdrawn_counsellor, referral_withdraw

    from .consents import CONSENT_TEXTS, granted_consents

    if unknown := set(choices) - set(CONSENT_TEXTS):
        raise ValueError(f"Unknown consent purposes: {sorted(unknown)}")
    sharing_withdrawn = choices.get(Consent.Purpose.SHARING) is False
    with transaction.atomic():
        # The referral first, then the file: the order in which an agent's answer locks them.
        pending = list(Referral.objects.pending().select_for_update().filter(candidate=candidate))
        locked = Candidate.objects.select_for_update(of=("self",)).select_related("user").get(pk=candidate.pk)
        before = granted_consents(locked)
        changed = [purpose for purpose, granted in choices.items() if before[purpose] != bool(granted)]
        Consent.objects.bulk_create(
            Consent(
                candidate=locked,
                purpose=purpose,
                granted=bool(choices[purpose]),
                text_version=text_version or CONSENT_TEXTS[purpose].version,
                method=method,
            )
            for purpose in changed
        )
        if Consent.Purpose.COACHING in changed and not choices[Consent.Purpose.COACHING]:
            # Not a change of status: a mark on the timeline the counsellor reads.
            CandidateEvent.objects.create(
                candidate=locked,
                kind=CandidateEvent.Kind.CONSENT_CHANGED,
                actor=locked.user,
                note="Consentement à l'accompagnement par EER retiré par la personne",
            )
        if sharing_withdrawn:
            for referral in pending:
                referral_withdraw(referral=referral, by_user=locked.user, reason=SHARING_WITHDRAWN_REASON)
                referral_email_withdrawn_counsellor(referral=referral, account_deleted=False)
    getattr(candidate, "_prefetched_objects_cache", {}).pop("consents", None)
    logger.info(
        "candidate_set_consents candidate=%s method=%s changed=%s referrals_withdrawn=%s",
        candidate.pk,
        method,
        ",".join(f"{purpose}={bool(choices[purpose])}" for purpose in changed) or "-",
        len(pending) if sharing_withdrawn else 0,
    )
    return changed


def _user_deactivate_and_anonymize(user: User) -> None:
    """For an account that other rows still PROTECT: nobody can sign in with it, nothing in it
    names the person."""
    user.email = f"supprime-utilisateur-{user.pk}@invalid.pajr"
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "first_name", "last_name", "is_active", "password"])
    EmailAddress.objects.filter(user=user).delete()


# Kept after deletion for aggregate counts (profiles, territories, statuses, dates); every other
# field of the file, including fields added later, is cleared.
ANONYMIZATION_KEPT_FIELDS = frozenset(
    {
        "id",
        "user",
        "counsellor",
        "language",
        "profile_kind",
        "targets_undecided",
        "registration_step",
        "submitted_at",
        "status",
        "created_at",
        "updated_at",
        "anonymized_at",
    }
)


def candidate_delete(*, candidate: Candidate) -> None:
    """Delete the candidate's account at their request (Québec's Law 25), all or nothing: withdraw
    a referral waiting for an answer, record every consent as withdrawn, anonymize the file (kept,
    closed, for aggregate counts only), clear what staff wrote about the person, delete the account
    and, once committed, the CV file."""
    from referrals.models import Referral, ReferralTransition
    from referrals.services import referral_email_withdrawn_counsellor, referral_withdraw

    from .consents import CONSENT_TEXTS
    from .models import MaturityAssessment

    with transaction.atomic():
        pending = list(Referral.objects.pending().select_for_update().filter(candidate=candidate))
        candidate = Candidate.objects.select_for_update(of=("self",)).select_related("user").get(pk=candidate.pk)
        if candidate.anonymized_at is not None:
            raise CandidateError(_("Ce dossier a déjà été supprimé."))
        user = candidate.user
        for referral in pending:
            referral_withdraw(referral=referral, by_user=user, reason=ACCOUNT_DELETED_REASON)
            referral_email_withdrawn_counsellor(referral=referral, account_deleted=True)
        Referral.objects.filter(candidate=candidate).update(message="", decline_reason="")
        ReferralTransition.objects.filter(referral__candidate=candidate).exclude(reason=ACCOUNT_DELETED_REASON).update(
            reason=""
        )
        CandidateEvent.objects.filter(candidate=candidate).update(note="")
        # What counsellors wrote about the person (CoachingNote, MaturityAssessment: models below).
        candidate.coaching_notes.all().delete()
        MaturityAssessment.objects.filter(candidate=candidate).update(mature_note="")
        Consent.objects.bulk_create(
            Consent(
                candidate=candidate,
                purpose=purpose,
                granted=False,
                text_version=CONSENT_TEXTS[purpose].version,
                method=Consent.Method.ACCOUNT_DELETION,
            )
            for purpose in Consent.Purpose.values
        )

        candidate.refresh_from_db()  # referral_withdraw changed the status through its own copy
        cv_name = candidate.cv.name if candidate.cv else ""
        for field in candidate._meta.concrete_fields:
            if field.name not in ANONYMIZATION_KEPT_FIELDS:
                setattr(candidate, field.attname, None if field.null else field.get_default())
        candidate.first_name = candidate.last_name = "Anonyme"
        candidate.email = f"supprime-{candidate.pk}@invalid.pajr"
        candidate.user = None
        candidate.anonymized_at = timezone.now()
        candidate.save()
        candidate_set_status(candidate=candidate, to=CandidateStatus.CLOSED, by=None, note=ACCOUNT_DELETED_REASON)

        user_pk, user_deleted = (user.pk if user else None), False
        if user is not None:
            try:
                with transaction.atomic():
                    user.delete()
                user_deleted = True
            except (ProtectedError, RestrictedError):
                _user_deactivate_and_anonymize(user)
        if cv_name:
            storage = candidate.cv.storage
            transaction.on_commit(lambda: storage.delete(cv_name))
    logger.info(
        "candidate_delete candidate=%s user=%s user_deleted=%s referrals_withdrawn=%s cv_deleted=%s",
        candidate.pk,
        user_pk,
        user_deleted,
        len(pending),
        bool(cv_name),
    )


# --- Registration, steps 2 to 5, and the submission --------------------------------------------
# Step 1 is the sign-up (candidate_start). `registration_step` is the furthest step the person may
# open; REVIEW_STEP once every step has been saved.

REGISTRATION_STEPS = (2, 3, 4, 5)
REVIEW_STEP = 6
STEP_TITLES = {
    1: gettext_lazy("Vous et vos coordonnées"),
    2: gettext_lazy("Parcours"),
    3: gettext_lazy("Travail"),
    4: gettext_lazy("Projet d'installation"),
    5: gettext_lazy("Consentements"),
}
IMMIGRANT_FIELDS = (
    "country_of_origin",
    "arrival_date",
    "immigration_status",
    "diploma_recognition",
    "quebec_experience",
    "french_level",
    "english_level",
)
REQUIRED_IMMIGRANT_FIELDS = (
    "country_of_origin",
    "arrival_date",
    "immigration_status",
    "diploma_recognition",
    "french_level",
)
STEP_FIELDS = {
    2: ("profile_kind", *IMMIGRANT_FIELDS),
    3: ("occupation_field", "highest_diploma", "years_experience", "goals", "contact_method", "contact_times"),
    4: ("targets_undecided", "timeline", "has_partner", "children_count", "housing_need", "interests"),
}
MAX_TARGETS = 3


class IncompleteRegistration(CandidateError):
    """The file cannot be sent yet. `problems` lists (step, what to do) in the order of the steps;
    the message names the first step to complete."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        step, problem = problems[0]
        super().__init__(
            _("Votre inscription n'est pas complète. Étape %(step)s (%(title)s) : %(problem)s")
            % {"step": step, "title": STEP_TITLES[step], "problem": problem}
        )


def candidate_save_step(*, candidate: Candidate, step: int, data: Mapping[str, Any], advance: bool = True) -> None:
    """Save one registration step's answers, as cleaned by its form, and open the next step.

    Steps 2 to 4: `data` holds the step's fields (missing ones are left as they are); a person who
    is not an immigrant keeps no immigrant field; step 3 may carry `cv` and `cv_kind` (a file that
    passed candidates.cv.validate_cv); step 4 carries `targets`, the territories in order of
    preference. Step 5: `data` maps each consent purpose to True or False; candidate_set_consents
    records the changes (and their consequences, such as a referral withdrawn with "sharing").
    With advance=False (answers kept while the step has an error), the next step stays closed."""
    if step not in REGISTRATION_STEPS:
        raise ValueError(f"No registration step {step}")
    with transaction.atomic():
        fields = [name for name in STEP_FIELDS.get(step, ()) if name in data]
        for name in fields:
            setattr(candidate, name, data[name])
        if step == 2 and "profile_kind" in data and data["profile_kind"] != ProfileKind.IMMIGRANT:
            for name in IMMIGRANT_FIELDS:
                setattr(candidate, name, None if name == "arrival_date" else "")
            fields = list(dict.fromkeys([*fields, *IMMIGRANT_FIELDS]))
        if step == 3 and data.get("cv"):
            candidate_set_cv(candidate=candidate, file=data["cv"], kind=data["cv_kind"])
        if step == 4 and "targets" in data:
            candidate_set_targets(candidate=candidate, territories=data["targets"])
        if step == 5:
            _registration_consents_record(candidate=candidate, choices=data)
        if advance and candidate.registration_step < step + 1:
            candidate.registration_step = step + 1
            fields.append("registration_step")
        if fields:
            candidate.save(update_fields=[*fields, "updated_at"])
    logger.info("candidate_save_step candidate=%s step=%s advance=%s", candidate.pk, step, advance)


def _registration_consents_record(*, candidate: Candidate, choices: Mapping[str, bool]) -> None:
    """Step 5: a first answer for a purpose is recorded whatever it is (given or refused); later
    answers go through candidate_set_consents, which records changes and their consequences (a
    referral withdrawn with "sharing"). Each row records the version of its own text."""
    from .consents import CONSENT_TEXTS

    if unknown := set(choices) - set(CONSENT_TEXTS):
        raise ValueError(f"Unknown consent purposes: {sorted(unknown)}")
    answered = set(Consent.objects.filter(candidate=candidate).values_list("purpose", flat=True))
    for purpose, granted in choices.items():
        version = CONSENT_TEXTS[purpose].version
        if purpose in answered:
            candidate_set_consents(
                candidate=candidate,
                choices={purpose: granted},
                method=Consent.Method.REGISTRATION_FORM,
                text_version=version,
            )
        else:
            Consent.objects.create(
                candidate=candidate,
                purpose=purpose,
                granted=bool(granted),
                text_version=version,
                method=Consent.Method.REGISTRATION_FORM,
            )
    getattr(candidate, "_prefetched_objects_cache", {}).pop("consents", None)


def candidate_set_targets(*, candidate: Candidate, territories: Sequence[Territory]) -> None:
    """Replace the target territories by `territories`, in order of preference (at most three,
    each once)."""
    if len(territories) > MAX_TARGETS or len({t.pk for t in territories}) != len(territories):
        raise CandidateError(_("Choisissez au plus trois territoires différents."))
    with transaction.atomic():
        current = list(CandidateTarget.objects.filter(candidate=candidate).order_by("rank"))
        if [target.territory_id for target in current] == [territory.pk for territory in territories]:
            return
        CandidateTarget.objects.filter(candidate=candidate).delete()
        CandidateTarget.objects.bulk_create(
            CandidateTarget(candidate=candidate, territory=territory, rank=rank)
            for rank, territory in enumerate(territories, start=1)
        )
    getattr(candidate, "_prefetched_objects_cache", {}).pop("targets", None)


def registration_problems(candidate: Candidate) -> list[tuple[int, str]]:
    """What must still be completed before the file can be sent: (step, what to do), in the order
    of the steps. Reads `targets` and `consents` through their prefetch when there is one."""
    from .consents import granted_consents

    problems: list[tuple[int, str]] = []
    if not candidate.profile_kind:
        problems.append((2, _("indiquez la situation qui vous décrit le mieux.")))
    elif candidate.is_immigrant:
        missing = [
            str(Candidate._meta.get_field(name).verbose_name)
            for name in REQUIRED_IMMIGRANT_FIELDS
            if not getattr(candidate, name)
        ]
        if missing:
            problems.append((2, _("à compléter : %(fields)s.") % {"fields": ", ".join(missing)}))
    if not candidate.targets.all() and not candidate.targets_undecided:
        problems.append((4, _("choisissez au moins un territoire, ou cochez « Je ne sais pas encore ».")))
    if not granted_consents(candidate)[Consent.Purpose.COACHING]:
        problems.append((5, _("donnez votre consentement à l'accompagnement par Emplois en régions.")))
    return problems


def candidate_submit(*, candidate: Candidate) -> Candidate:
    """Send a complete draft to the counsellors' queue (status NEW). Raises IncompleteRegistration
    when a required step is incomplete, CandidateError when it was already sent."""
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.status != CandidateStatus.DRAFT or locked.submitted_at:
            raise CandidateError(_("Votre inscription a déjà été envoyée."))
        if problems := registration_problems(locked):
            raise IncompleteRegistration(problems)
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["submitted_at", "updated_at"])
        candidate_set_status(candidate=locked, to=CandidateStatus.NEW, by=locked.user)
        candidate_email_file_received(candidate=locked)
    candidate.status, candidate.submitted_at = locked.status, locked.submitted_at
    logger.info("candidate_submit candidate=%s", candidate.pk)
    return locked


# --- The counsellors' queue: taking files on ----------------------------------------------------


def _take_on_refusal(candidate: Candidate) -> str | None:
    if candidate.status != CandidateStatus.NEW or candidate.counsellor_id is not None:
        return _("%(name)s n'est plus en attente de triage.") % {"name": candidate.full_name}
    return None


def candidate_take_on(*, candidate: Candidate, by: User) -> Candidate:
    """`by` takes on a file waiting for triage: they become its counsellor, the file goes to EER
    coaching. Refused (CandidateError) when the file is no longer NEW and unassigned."""
    return candidates_assign(candidates=[candidate], counsellor=by, by=by)[0]


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.email) if user else "—"


def candidates_assign(*, candidates: Sequence[Candidate], counsellor: User, by: User) -> list[Candidate]:
    """Give files waiting for triage to `counsellor` (EER coaching), all or none: refused
    (CandidateError) when the counsellor cannot coach or when one file is no longer NEW and
    unassigned (someone took it meanwhile). Each file's timeline gets one ASSIGNED event that
    carries the change of status (NEW → COACHING) and names the counsellor."""
    if not (counsellor.is_active and counsellor.is_counsellor):
        raise CandidateError(_("Ce compte ne peut pas accompagner de candidat·e·s."))
    if not candidates:
        raise CandidateError(_("Choisissez au moins un dossier."))
    note = f"Pris·e en charge par {_name(counsellor)}" if counsellor == by else f"Assigné·e à {_name(counsellor)}"
    with transaction.atomic():
        locked = list(
            Candidate.objects.select_for_update(of=("self",))
            .filter(pk__in=[candidate.pk for candidate in candidates])
            .order_by("pk")
        )
        refusals = [refusal for candidate in locked if (refusal := _take_on_refusal(candidate))]
        if len(locked) != len({candidate.pk for candidate in candidates}):
            refusals.append(_("Un des dossiers n'existe plus."))
        if refusals:
            raise CandidateError(" ".join(refusals))
        for candidate in locked:
            candidate.counsellor = counsellor
            candidate.save(update_fields=["counsellor", "updated_at"])
            event = candidate_set_status(
                candidate=candidate, to=CandidateStatus.COACHING, by=by, note=note, kind=CandidateEvent.Kind.ASSIGNED
            )
            candidate_email_counsellor_assigned(candidate=candidate, counsellor=counsellor, event=event)
    logger.info(
        "candidates_assign candidates=%s counsellor=%s by=%s",
        ",".join(str(candidate.pk) for candidate in locked),
        counsellor.pk,
        by.pk,
    )
    return locked


REASSIGNABLE_STATUSES = (
    CandidateStatus.COACHING,
    CandidateStatus.REFERRED,
    CandidateStatus.TAKEN_ON,
    CandidateStatus.MOVED,
    CandidateStatus.SETTLED,
    CandidateStatus.ON_HOLD,
)


def candidate_can_be_reassigned(candidate: Candidate) -> bool:
    return candidate.anonymized_at is None and candidate.status in REASSIGNABLE_STATUSES


def candidate_reassign(*, candidate: Candidate, to: User, by: User) -> Candidate:
    """Hand a file already taken on to a colleague: `to`, an active EER counsellor, becomes its
    counsellor; the status does not change. One ASSIGNED event on the timeline, its note naming
    the former and the new counsellor. Refused (CandidateError) when `by` is not a counsellor or a
    coordinator, when `to` is not an active counsellor or already follows the file, and for files
    not taken on yet (take them on from "À trier"), drafts, closed and anonymized files."""
    if not _can_coach(by):
        raise CandidateError(_("Ce compte ne peut pas modifier les dossiers."))
    if not (to.is_active and to.role == User.Role.COUNSELLOR):
        raise CandidateError(
            _("%(name)s n'est pas conseiller·ère EER : le dossier ne peut pas lui être confié.") % {"name": _name(to)}
        )
    with transaction.atomic():
        locked = Candidate.objects.select_for_update(of=("self",)).filter(pk=candidate.pk).first()
        if locked is None:
            raise CandidateError(_("Ce dossier n'existe plus."))
        if locked.status == CandidateStatus.NEW:
            raise CandidateError(
                _("%(name)s n'est pas encore pris·e en charge : assignez le dossier depuis la liste « À trier ».")
                % {"name": locked.full_name}
            )
        if not candidate_can_be_reassigned(locked):
            raise CandidateError(
                _("Le dossier de %(name)s est « %(status)s » : il ne peut pas être confié à un·e collègue.")
                % {"name": locked.full_name, "status": locked.get_status_display()}
            )
        if locked.counsellor_id == to.pk:
            raise CandidateError(_("%(name)s accompagne déjà ce dossier.") % {"name": _name(to)})
        previous = User.objects.filter(pk=locked.counsellor_id).first() if locked.counsellor_id else None
        locked.counsellor = to
        locked.save(update_fields=["counsellor", "updated_at"])
        event = CandidateEvent.objects.create(
            candidate=locked,
            kind=CandidateEvent.Kind.ASSIGNED,
            actor=by,
            note=f"{_name(previous)} → {_name(to)}",
        )
        candidate_email_counsellor_assigned(candidate=locked, counsellor=to, event=event)
    candidate.counsellor = to
    logger.info(
        "candidate_reassign candidate=%s from=%s to=%s by=%s",
        candidate.pk,
        previous and previous.pk,
        to.pk,
        by.pk,
    )
    return locked


def counsellor_mark_referrals_seen(*, user: User, at: datetime.datetime) -> None:
    """Remember when `user` last read the answers to referrals (the queue's "Réponses" tab)."""
    User.objects.filter(pk=user.pk).update(referrals_seen_at=at)
    user.referrals_seen_at = at


# --- The counsellor's file: coaching notes, maturity -----------------------------------------------


def _can_coach(user: User) -> bool:
    return user.is_active and user.is_counsellor


def coaching_note_add(*, candidate: Candidate, by: User, text: str):
    """`by` adds a dated, signed coaching note to the file. `text` is plain text (control
    characters stripped here too, for callers other than the form)."""
    from .forms import strip_control_characters
    from .models import CoachingNote

    if not _can_coach(by):
        raise CandidateError(_("Seul·e un·e conseiller·ère EER peut écrire une note d'accompagnement."))
    text = strip_control_characters(text, multiline=True)
    if not text:
        raise CandidateError(_("La note est vide."))
    with transaction.atomic():
        note = CoachingNote.objects.create(candidate=candidate, author=by, text=text[:5000])
    logger.info("coaching_note_add candidate=%s note=%s by=%s", candidate.pk, note.pk, by.pk)
    return note


def coaching_note_edit(*, note, by: User, text: str):
    """The note's author corrects it, within CoachingNote.NOTE_EDIT_WINDOW of writing it; anyone
    else, or later, is refused (CandidateError)."""
    from .forms import strip_control_characters
    from .models import CoachingNote

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


def maturity_update(*, candidate: Candidate, by: User, ticks: Mapping[str, bool]):
    """The counsellor ticks (or unticks) the checklist items that only they can judge; `ticks`
    maps MaturityAssessment.TICKED_FIELDS to booleans (missing names are left as they are)."""
    from .models import MaturityAssessment

    if not _can_coach(by):
        raise CandidateError(_("Seul·e un·e conseiller·ère EER peut évaluer un projet."))
    if unknown := set(ticks) - set(MaturityAssessment.TICKED_FIELDS):
        raise ValueError(f"Unknown checklist items: {sorted(unknown)}")
    with transaction.atomic():
        Candidate.objects.select_for_update(of=("self",)).get(pk=candidate.pk)
        assessment, _created = MaturityAssessment.objects.get_or_create(candidate=candidate)
        for name, value in ticks.items():
            setattr(assessment, name, bool(value))
        assessment.updated_by = by
        assessment.save(update_fields=[*ticks, "updated_by", "updated_at"])
    logger.info(
        "maturity_update candidate=%s by=%s %s",
        candidate.pk,
        by.pk,
        ",".join(f"{name}={bool(value)}" for name, value in ticks.items()) or "-",
    )
    return assessment


MATURABLE_STATUSES = (CandidateStatus.NEW, CandidateStatus.COACHING)


def candidate_declare_mature(*, candidate: Candidate, by: User, note: str):
    """The counsellor declares the project mature, with a note: who, when and why are kept on
    the file's MaturityAssessment, and a referral may be sent (referrals.services.referral_send).
    The file stays in COACHING. Refused (CandidateError) without a note, for a file not in
    coaching, or when already declared mature."""
    from .forms import strip_control_characters
    from .models import MaturityAssessment

    if not _can_coach(by):
        raise CandidateError(_("Seul·e un·e conseiller·ère EER peut déclarer un projet mûr."))
    note = strip_control_characters(note, multiline=True)
    if not note:
        raise CandidateError(_("Expliquez en une note pourquoi le projet est mûr."))
    with transaction.atomic():
        locked = Candidate.objects.select_for_update(of=("self",)).get(pk=candidate.pk)
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


def candidate_withdraw_maturity(*, candidate: Candidate, by: User, reason: str):
    """Take back the decision "projet mûr" (new information, a project that changed), with a
    reason: the decision's date, author and note are cleared from the MaturityAssessment (the
    checklist stays), so a new referral needs a new decision or an override. The timeline keeps
    both: the MATURITY_DECLARED event with its note, and a MATURITY_WITHDRAWN event with the
    reason. A referral already sent is left alone: it went with the decision of its day (logged).
    Refused (CandidateError) for anyone but a counsellor, without a reason, for anonymized files,
    and when the project is not declared mature."""
    from referrals.models import Referral

    from .forms import strip_control_characters
    from .models import MaturityAssessment

    if not _can_coach(by):
        raise CandidateError(_("Seul·e un·e conseiller·ère EER peut retirer la décision « projet mûr »."))
    reason = strip_control_characters(reason, multiline=True)
    if not reason:
        raise CandidateError(_("Expliquez pourquoi la décision « projet mûr » est retirée."))
    with transaction.atomic():
        locked = Candidate.objects.select_for_update(of=("self",)).get(pk=candidate.pk)
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
        referral_pending = Referral.objects.pending().filter(candidate=locked).exists()
    logger.info(
        "candidate_withdraw_maturity candidate=%s by=%s referral_pending=%s", candidate.pk, by.pk, referral_pending
    )
    return assessment


def file_access_record(*, candidate_id: int, user: User) -> None:
    """Log that `user` opened the file (Law 25): one INSERT, nothing read."""
    from .models import FileAccess

    FileAccess.objects.create(candidate_id=candidate_id, user=user)


# --- Put on hold, close (from the queue or the file) ------------------------------------------------

HOLDABLE_STATUSES = (CandidateStatus.NEW, CandidateStatus.COACHING, CandidateStatus.REFERRED, CandidateStatus.TAKEN_ON)
CLOSABLE_STATUSES = (
    CandidateStatus.NEW,
    CandidateStatus.COACHING,
    CandidateStatus.REFERRED,
    CandidateStatus.TAKEN_ON,
    CandidateStatus.MOVED,
    CandidateStatus.SETTLED,
    CandidateStatus.ON_HOLD,
)


def _status_change_refusal(candidate: Candidate, *, allowed: Sequence[str]) -> str | None:
    """Why the file cannot leave its status now (call with the row locked), else None."""
    from referrals.models import Referral

    if candidate.status not in allowed:
        return _("Le dossier de %(name)s est « %(status)s » : cette action n'est pas possible.") % {
            "name": candidate.full_name,
            "status": candidate.get_status_display(),
        }
    if Referral.objects.pending().filter(candidate=candidate).exists():
        return _(
            "Une orientation de %(name)s attend la réponse d'un territoire : retirez-la d'abord depuis le dossier."
        ) % {"name": candidate.full_name}
    return None


def _candidate_leave_for(*, candidate: Candidate, to: str, allowed: Sequence[str], by: User, note: str) -> Candidate:
    if not (by.is_active and by.is_counsellor):
        raise CandidateError(_("Ce compte ne peut pas modifier les dossiers."))
    with transaction.atomic():
        locked = Candidate.objects.select_for_update(of=("self",)).filter(pk=candidate.pk).first()
        if locked is None:
            raise CandidateError(_("Ce dossier n'existe plus."))
        if refusal := _status_change_refusal(locked, allowed=allowed):
            raise CandidateError(refusal)
        candidate_set_status(candidate=locked, to=to, by=by, note=note)
    candidate.status = locked.status
    logger.info("candidate_%s candidate=%s by=%s", to, candidate.pk, by.pk)
    return locked


def candidate_put_on_hold(*, candidate: Candidate, by: User, reason: str = "") -> Candidate:
    """Pause a file (the person asked for a break, cannot be reached for now…). Allowed from NEW,
    COACHING, REFERRED and TAKEN_ON; refused (CandidateError) while a referral waits for an answer:
    it must be withdrawn first. The reason, if any, is the note of the timeline's event."""
    return _candidate_leave_for(
        candidate=candidate, to=CandidateStatus.ON_HOLD, allowed=HOLDABLE_STATUSES, by=by, note=reason.strip()
    )


def candidate_close(*, candidate: Candidate, by: User, reason: str) -> Candidate:
    """Close a file, with a reason (required), kept as the note of the timeline's event. Refused
    (CandidateError) for drafts and closed files, and while a referral waits for an answer."""
    reason = reason.strip()
    if not reason:
        raise CandidateError(_("Indiquez pourquoi le dossier est fermé."))
    return _candidate_leave_for(
        candidate=candidate, to=CandidateStatus.CLOSED, allowed=CLOSABLE_STATUSES, by=by, note=reason
    )


CONSENT_REQUEST_INTERVAL = datetime.timedelta(hours=24)


def candidate_request_sharing_consent(*, candidate: Candidate, by: User) -> None:
    """A counsellor asks the person, by email, to consent to sharing their file with PAJ agents
    (needed before a referral). At most once a day; the request is on the file's timeline."""
    from pajr.emails import absolute_url, send_templated_email

    if not by.is_counsellor:
        raise CandidateError(_("Seul·e un·e conseiller·ère EER peut faire cette demande."))
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update(of=("self",)).get(pk=candidate.pk)
        if candidate.anonymized_at is not None or candidate.status in (CandidateStatus.DRAFT, CandidateStatus.CLOSED):
            raise CandidateError(_("Ce dossier n'est pas ouvert : la demande n'est pas possible."))
        if candidate.has_consent(Consent.Purpose.SHARING):
            raise CandidateError(_("La personne a déjà consenti au partage."))
        since = timezone.now() - CONSENT_REQUEST_INTERVAL
        if candidate.events.filter(kind=CandidateEvent.Kind.CONSENT_REQUESTED, created_at__gte=since).exists():
            raise CandidateError(_("La demande a déjà été envoyée dans les dernières 24 heures."))
        event = CandidateEvent.objects.create(candidate=candidate, kind=CandidateEvent.Kind.CONSENT_REQUESTED, actor=by)
        send_templated_email(
            to=candidate.email,
            language=candidate.language,
            template="sharing_consent_request",
            context={
                "candidate": candidate,
                "counsellor": by,
                "link": absolute_url("candidates:my_file_consents"),
            },
            key=f"sharing_consent_request:{event.pk}",
        )
    logger.info("candidate_request_sharing_consent candidate=%s by=%s", candidate.pk, by.pk)


# --- Merge two files of the same person -------------------------------------------------------------

MAX_TARGETS = 3
# Profile fields copied from the merged file when they are blank on the kept one.
MERGE_FILLED_FIELDS = ("phone", "date_of_birth", *IMMIGRANT_FIELDS, *STEP_FIELDS[3])


def _is_blank(value: Any) -> bool:
    return value is None or str(value) == ""


def _merge_targets(*, keep: Candidate, merge: Candidate) -> list[str]:
    """Move `merge`'s targets that `keep` lacks after `keep`'s own, in order, up to MAX_TARGETS.
    Returns the names of the territories left out (the duplicates of keep's are simply dropped)."""
    kept = list(CandidateTarget.objects.filter(candidate=keep).order_by("rank"))
    for rank, target in enumerate(kept, start=1):  # ascending: each move goes to a free rank
        if target.rank != rank:
            target.rank = rank
            target.save(update_fields=["rank"])
    kept_territories = {target.territory_id for target in kept}
    left_out = []
    for target in CandidateTarget.objects.filter(candidate=merge).select_related("territory").order_by("rank"):
        if target.territory_id in kept_territories:
            target.delete()
        elif len(kept) < MAX_TARGETS:
            target.candidate, target.rank = keep, len(kept) + 1
            target.save(update_fields=["candidate", "rank"])
            kept.append(target)
            kept_territories.add(target.territory_id)
        else:
            left_out.append(target.territory.name)
            target.delete()
    return left_out


def candidates_merge(*, keep: Candidate, merge: Candidate, by: User) -> Candidate:
    """Merge two files of the same person into `keep`, all or nothing. Every event, consent,
    coaching note, file access and referral (with its links and transitions) of `merge` moves to
    `keep`, with the targets `keep` lacks (at most three in all), and the profile fields blank on
    `keep`. `merge` is then closed and anonymized: its account moves to `keep` when `keep` has
    none, else it is deactivated. Consent rows keep their dates: the latest answer of either file
    is the person's current choice. Refused (CandidateError) for anyone but a counsellor, a file
    merged into itself, anonymized files, drafts, and two referrals waiting for an answer."""
    from referrals.models import Referral

    from .models import CoachingNote, FileAccess, MaturityAssessment

    if not _can_coach(by):
        raise CandidateError(_("Seul·e un·e conseiller·ère EER peut fusionner des dossiers."))
    if keep.pk == merge.pk:
        raise CandidateError(_("Un dossier ne peut pas être fusionné avec lui-même."))
    pks = sorted((keep.pk, merge.pk))
    with transaction.atomic():
        # The referrals first, then the files (lower pk first): the order the other services lock in.
        pending = list(Referral.objects.pending().select_for_update().filter(candidate_id__in=pks).order_by("pk"))
        locked = {
            candidate.pk: candidate
            for candidate in Candidate.objects.select_for_update(of=("self",)).filter(pk__in=pks).order_by("pk")
        }
        if len(locked) != 2:
            raise CandidateError(_("Un des dossiers n'existe plus."))
        keep, merge = locked[keep.pk], locked[merge.pk]
        for candidate in (keep, merge):
            if candidate.anonymized_at is not None:
                raise CandidateError(
                    _("Le dossier n° %(pk)s a été anonymisé : il ne peut pas être fusionné.") % {"pk": candidate.pk}
                )
            if candidate.status == CandidateStatus.DRAFT:
                raise CandidateError(
                    _("Le dossier n° %(pk)s est une inscription en cours : il ne peut pas être fusionné.")
                    % {"pk": candidate.pk}
                )
        if len(pending) > 1:
            raise CandidateError(
                _(
                    "Les deux dossiers ont une orientation en attente de réponse : retirez l'une d'elles "
                    "avant de fusionner."
                )
            )
        user = merge.user

        for model in (CandidateEvent, Consent, CoachingNote, FileAccess, Referral):
            model.objects.filter(candidate=merge).update(candidate=keep)
        left_out = _merge_targets(keep=keep, merge=merge)
        if not MaturityAssessment.objects.filter(candidate=keep).exists():
            MaturityAssessment.objects.filter(candidate=merge).update(candidate=keep)
        else:
            MaturityAssessment.objects.filter(candidate=merge).update(mature_note="")

        filled = [name for name in MERGE_FILLED_FIELDS if _is_blank(getattr(keep, name))]
        filled = [name for name in filled if not _is_blank(getattr(merge, name))]
        for name in filled:
            setattr(keep, name, getattr(merge, name))
        cv_to_delete = merge.cv.name if merge.cv else ""
        if merge.cv and not keep.cv:
            keep.cv, keep.cv_filename = merge.cv.name, merge.cv_filename
            filled += ["cv", "cv_filename"]
            cv_to_delete = ""
        if keep.counsellor_id is None and merge.counsellor_id is not None:
            keep.counsellor_id = merge.counsellor_id
            filled.append("counsellor")
        moved_pending = [referral for referral in pending if referral.candidate_id == merge.pk]

        # Anonymize `merge` (as candidate_delete does) before `keep` may take its account.
        merge_status = merge.status
        for field in merge._meta.concrete_fields:
            if field.name not in ANONYMIZATION_KEPT_FIELDS:
                setattr(merge, field.attname, None if field.null else field.get_default())
        merge.first_name = merge.last_name = "Anonyme"
        merge.email = f"supprime-{merge.pk}@invalid.pajr"
        merge.user = None
        merge.anonymized_at = timezone.now()
        merge.save()
        account_moved = user is not None and keep.user_id is None
        if account_moved:
            keep.user = user
            filled.append("user")
        elif user is not None:
            _user_deactivate_and_anonymize(user)
        keep.save(update_fields=[*filled, "updated_at"])

        note = f"Dossier n° {merge.pk} fusionné dans le dossier n° {keep.pk}"
        if moved_pending and keep.status in REFERABLE_STATUSES:
            candidate_set_status(candidate=keep, to=CandidateStatus.REFERRED, by=by, note=note)
        candidate_set_status(candidate=merge, to=CandidateStatus.CLOSED, by=by, note=note)
        keep_note = note
        if left_out:
            keep_note += f". Territoires visés non repris (trois au plus) : {', '.join(left_out)}"
        CandidateEvent.objects.bulk_create(
            [
                CandidateEvent(candidate=keep, kind=CandidateEvent.Kind.MERGED, actor=by, note=keep_note),
                CandidateEvent(candidate=merge, kind=CandidateEvent.Kind.MERGED, actor=by, note=note),
            ]
        )
        if cv_to_delete:
            storage = merge.cv.storage
            transaction.on_commit(lambda: storage.delete(cv_to_delete))
    logger.info(
        "candidates_merge keep=%s merge=%s by=%s merge_status=%s filled=%s account_moved=%s referral_moved=%s "
        "targets_left_out=%s cv_deleted=%s",
        keep.pk,
        merge.pk,
        by.pk,
        merge_status,
        ",".join(filled) or "-",
        account_moved,
        bool(moved_pending),
        len(left_out),
        bool(cv_to_delete),
    )
    return keep


# --- Emails to the candidate ------------------------------------------------------------------------


def candidate_email_file_received(*, candidate: Candidate) -> None:
    """Tell the person their registration reached EER's queue and what comes next. Inside the
    caller's transaction; once per file."""
    from pajr.emails import absolute_url, send_templated_email

    send_templated_email(
        to=candidate.email,
        language=candidate.language,
        template="candidate_file_received",
        context={"candidate": candidate, "link": absolute_url("candidates:my_file")},
        key=f"candidate_file_received:{candidate.pk}",
    )


def candidate_email_counsellor_assigned(
    *, candidate: Candidate, counsellor: User, event: CandidateEvent | None
) -> None:
    """Tell the person who their counsellor is now and how to reach them: one email per change of
    counsellor (`event`, the ASSIGNED event of the change, makes the key). Inside the caller's
    transaction."""
    from pajr.emails import absolute_url, send_templated_email

    if event is None or candidate.anonymized_at is not None:
        return
    send_templated_email(
        to=candidate.email,
        language=candidate.language,
        template="candidate_counsellor_assigned",
        context={"candidate": candidate, "counsellor": counsellor, "link": absolute_url("candidates:my_file")},
        key=f"candidate_counsellor_assigned:{candidate.pk}:{event.pk}",
    )
