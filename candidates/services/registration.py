"""Registration: step 1 (the sign-up, candidate_start), steps 2 to 5 and the submission.

`registration_step` is the furthest step the person may open; REVIEW_STEP once every step has
been saved."""

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import user_create, user_set_identity
from territories.models import Territory

from ..choices import CandidateStatus, EventCode, ProfileKind
from ..consents import CONSENT_TEXTS, consent_row, granted_consents
from ..errors import CandidateError, EmailAlreadyRegistered
from ..locks import lock_candidate
from ..models import Candidate, CandidateEvent, CandidateTarget, Consent, TerritoryProposal
from .consents import candidate_set_consents
from .emails import candidate_email_file_received
from .profile import candidate_set_cv
from .status import candidate_set_status

logger = logging.getLogger(__name__)

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
            user = user_create(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                language=language,
                email_verified=email_verified,
            )
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
                consent_row(candidate=candidate, purpose=purpose, granted=True, method=Consent.Method.REGISTRATION_FORM)
                for purpose in (Consent.Purpose.COACHING, Consent.Purpose.SHARING)
            )
            CandidateEvent.objects.create(
                candidate=candidate, kind=CandidateEvent.Kind.REGISTERED, to_status=candidate.status, actor=user
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
    user_set_identity(user=user, first_name=first_name, last_name=last_name, language=language)
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
    if unknown := set(choices) - set(CONSENT_TEXTS):
        raise ValueError(f"Unknown consent purposes: {sorted(unknown)}")
    answered = set(Consent.objects.filter(candidate=candidate).values_list("purpose", flat=True))
    for purpose, granted in choices.items():
        if purpose in answered:
            candidate_set_consents(
                candidate=candidate, choices={purpose: granted}, method=Consent.Method.REGISTRATION_FORM
            )
        else:
            consent_row(
                candidate=candidate, purpose=purpose, granted=granted, method=Consent.Method.REGISTRATION_FORM
            ).save()
    getattr(candidate, "_prefetched_objects_cache", {}).pop("consents", None)


def candidate_set_targets(*, candidate: Candidate, territories: Sequence[Territory]) -> None:
    """Replace the target territories by `territories`, in order of preference (at most three,
    each once). A territory the person had accepted when their counsellor proposed it, and now
    takes off their list, is no longer chosen: its proposal becomes declined (a referral may no
    longer go there, candidates.proposals)."""
    if len(territories) > MAX_TARGETS or len({t.pk for t in territories}) != len(territories):
        raise CandidateError(_("Choisissez au plus trois territoires différents."))
    with transaction.atomic():
        current = list(CandidateTarget.objects.filter(candidate=candidate).order_by("rank"))
        if [target.territory_id for target in current] == [territory.pk for territory in territories]:
            return
        dropped = {target.territory_id for target in current} - {territory.pk for territory in territories}
        for proposal in TerritoryProposal.objects.accepted().filter(candidate=candidate, territory_id__in=dropped):
            proposal.status = TerritoryProposal.Status.DECLINED
            proposal.answered_at = timezone.now()
            proposal.save(update_fields=["status", "answered_at"])
            CandidateEvent.objects.create(
                candidate=candidate,
                kind=CandidateEvent.Kind.TERRITORY_PROPOSAL,
                actor=candidate.user,
                code=EventCode.PROPOSAL_DECLINED,
                params={"territory": proposal.territory_id, "proposal": proposal.pk},
            )
        CandidateTarget.objects.filter(candidate=candidate).delete()
        CandidateTarget.objects.bulk_create(
            CandidateTarget(candidate=candidate, territory=territory, rank=rank)
            for rank, territory in enumerate(territories, start=1)
        )
    getattr(candidate, "_prefetched_objects_cache", {}).pop("targets", None)


def candidate_add_target(*, candidate: Candidate, territory: Territory, by: User) -> int:
    """Add one territory at the end of the person's list (a territory suggestion they chose to
    keep). Refused, with nothing changed, when the territory is closed, already on the list, or the
    list is full (three). Returns the rank it got."""
    if not territory.is_active:
        raise CandidateError(_("Ce territoire n'accueille plus de nouveaux dossiers."))
    with transaction.atomic():
        candidate = lock_candidate(candidate.pk)
        ranks = dict(CandidateTarget.objects.filter(candidate=candidate).values_list("territory_id", "rank"))
        if territory.pk in ranks:
            raise CandidateError(
                _("%(territory)s est déjà dans vos territoires visés.") % {"territory": territory.name}
            )
        if len(ranks) >= MAX_TARGETS:
            raise CandidateError(
                _(
                    "Vous avez déjà trois territoires : retirez-en un dans « Mon projet d'installation » "
                    "pour ajouter %(territory)s."
                )
                % {"territory": territory.name}
            )
        rank = max(ranks.values(), default=0) + 1
        CandidateTarget.objects.create(candidate=candidate, territory=territory, rank=rank)
        if candidate.targets_undecided:
            candidate.targets_undecided = False
            candidate.save(update_fields=["targets_undecided", "updated_at"])
    logger.info("candidate_add_target candidate=%s territory=%s rank=%s by=%s", candidate.pk, territory.pk, rank, by.pk)
    return rank


def registration_problems(candidate: Candidate) -> list[tuple[int, str]]:
    """What must still be completed before the file can be sent: (step, what to do), in the order
    of the steps. Reads `targets` and `consents` through their prefetch when there is one."""
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
        locked = lock_candidate(candidate.pk)
        if locked.status != CandidateStatus.DRAFT or locked.submitted_at:
            raise CandidateError(_("Votre inscription a déjà été envoyée."))
        if problems := registration_problems(locked):
            raise IncompleteRegistration(problems)
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["submitted_at", "updated_at"])
        candidate_set_status(candidate=locked, to=CandidateStatus.NEW, by=locked.user, code=EventCode.SUBMITTED)
        candidate_email_file_received(candidate=locked)
    candidate.status, candidate.submitted_at = locked.status, locked.submitted_at
    logger.info("candidate_submit candidate=%s", candidate.pk)
    return locked
