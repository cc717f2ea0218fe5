"""Reads for the candidate's own "Mon dossier" pages: their timeline, their contact person and
their consents.

What staff write about the person (the counsellor's message to the agent, the agent's decline
reason, notes on events and transitions) is internal: nothing here ever reads it out.
"""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Max, Prefetch, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, User
from candidates.choices import CandidateStatus
from candidates.models import Candidate, CandidateEvent, Consent, FileAccess
from common.prefetch import read_related
from common.statements import compiled_once
from referrals.models import AWAITING_ANSWER, Referral, ReferralStatus, ReferralTransition

# Each compiled once per process (common.statements).
TIMELINE_PREFETCHES = (
    Prefetch("events", queryset=compiled_once(CandidateEvent.objects.order_by("created_at", "id"), "timeline.events")),
    Prefetch(
        "referrals",
        queryset=compiled_once(Referral.objects.select_related("territory", "answered_by"), "timeline.referrals"),
    ),
    Prefetch(
        "referrals__transitions",
        queryset=compiled_once(ReferralTransition.objects.select_related("by_agent"), "timeline.transitions"),
    ),
)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str
    label: str
    badge: str = ""


@dataclass(frozen=True)
class Contact:
    kind: str  # "agent" or "counsellor"
    name: str
    email: str = ""
    phone: str = ""
    territory: str = ""


def _prefetch_timeline(candidate: Candidate) -> None:
    """Three queries at most (events, referrals, their transitions); none for what is already
    prefetched."""
    read_related(candidate, *TIMELINE_PREFETCHES)


# The events the person sees, as changes of status only. The others are the team's own record
# (the counsellor's decisions on maturity, who follows the file, referrals told by their own log,
# follow-ups, merges): their kinds and notes never reach the candidate.
CANDIDATE_EVENT_KINDS = frozenset(
    {
        CandidateEvent.Kind.REGISTERED,
        CandidateEvent.Kind.STATUS_CHANGED,
        CandidateEvent.Kind.ASSIGNED,
        CandidateEvent.Kind.ACTIVITY_ATTENDED,
    }
)
# Left out of the candidate's export too: the counsellor's judgement of the project, which
# MaturityAssessment keeps apart from what the person gave.
INTERNAL_EVENT_KINDS = frozenset({CandidateEvent.Kind.MATURITY_DECLARED, CandidateEvent.Kind.MATURITY_WITHDRAWN})


def _event_label(event: CandidateEvent, *, has_referrals: bool) -> str | None:
    """Plain words for one status change, or None when it is told otherwise (by the referrals), is
    not a change of status at all (a consent withdrawn, a colleague taking over the file), or is
    not the candidate's to see (CANDIDATE_EVENT_KINDS)."""
    if event.kind not in CANDIDATE_EVENT_KINDS:
        return None
    if event.kind == CandidateEvent.Kind.REGISTERED:
        return _("Création de votre dossier")
    if event.kind == CandidateEvent.Kind.ACTIVITY_ATTENDED:
        return _("Séjour exploratoire suivi : une région explorée")
    if event.from_status == event.to_status:
        return None
    to = event.to_status
    if has_referrals and (
        to in (CandidateStatus.REFERRED, CandidateStatus.TAKEN_ON)
        or (to == CandidateStatus.COACHING and event.from_status == CandidateStatus.REFERRED)
    ):
        return None
    labels = {
        CandidateStatus.DRAFT: _("Inscription reprise"),
        CandidateStatus.NEW: _("Inscription envoyée : en attente de triage par Emplois en régions"),
        CandidateStatus.COACHING: _("Accompagnement par un·e conseiller·ère d'Emplois en régions"),
        CandidateStatus.REFERRED: _("Dossier orienté vers un territoire"),
        CandidateStatus.TAKEN_ON: _("Pris·e en charge par un·e agent·e Place aux jeunes"),
        CandidateStatus.MOVED: _("Installation en région"),
        CandidateStatus.SETTLED: _("Enracinement en région"),
        CandidateStatus.ON_HOLD: _("Dossier mis en pause"),
        CandidateStatus.CLOSED: _("Dossier fermé"),
    }
    return labels.get(to, event.get_to_status_display())


def _referral_outcome_label(status: str, territory: str, agent: str, next_territory: str = "") -> str:
    """What became of a referral. After a decline or a missed deadline, the file either went on to
    the next territory of its list (`next_territory`) or came back to the counsellor."""
    if status == ReferralStatus.UNDER_REVIEW:
        return _("Le territoire %(territory)s étudie votre dossier") % {"territory": territory}
    if status == ReferralStatus.ACCEPTED:
        return _("%(agent)s, agent·e Place aux jeunes du territoire %(territory)s, a accepté votre dossier") % {
            "agent": agent or _("L'agent·e"),
            "territory": territory,
        }
    if status == ReferralStatus.DECLINED and next_territory:
        return _(
            "Le territoire %(territory)s n'a pas pu donner suite. Votre dossier passe au territoire suivant de "
            "votre liste : %(next)s."
        ) % {"territory": territory, "next": next_territory}
    if status == ReferralStatus.DECLINED:
        return _(
            "Le territoire %(territory)s n'a pas pu donner suite. Votre conseiller·ère reprend votre dossier avec vous."
        ) % {"territory": territory}
    if status == ReferralStatus.EXPIRED and next_territory:
        return _(
            "Le territoire %(territory)s n'a pas répondu à temps. Votre dossier passe au territoire suivant de "
            "votre liste : %(next)s."
        ) % {"territory": territory, "next": next_territory}
    if status == ReferralStatus.EXPIRED:
        return _(
            "Le territoire %(territory)s n'a pas répondu à temps. Votre conseiller·ère reprend votre dossier avec vous."
        ) % {"territory": territory}
    return _("Orientation vers le territoire %(territory)s retirée") % {"territory": territory}


def _was_sent(referral: Referral) -> bool:
    """Whether the referral ever reached its territory: a territory further down a list receives
    it only if the one before declines or lets it expire; until then, or if another accepted
    first, it was never sent, and the person's history does not tell it."""
    if referral.sent_at is not None:
        return True
    return referral.status != ReferralStatus.QUEUED and not any(
        t.from_status == ReferralStatus.QUEUED for t in referral.transitions.all()
    )


def _referral_entries(referral: Referral, next_sent: Referral | None) -> list[TimelineEntry]:
    """The referral's steps, each dated by when it happened: its sending (a territory further down
    the list is sent the referral when the one before declines, not when the list was made), then
    what became of it. `next_sent` is the next referral of its list that was sent, if any."""
    territory = referral.territory.name
    next_territory = next_sent.territory.name if next_sent is not None else ""
    entries = [
        TimelineEntry(
            at=referral.sent_at or referral.created_at,
            kind="referral_sent",
            label=_("Dossier orienté vers le territoire %(territory)s") % {"territory": territory},
        )
    ]
    # Not the referral reaching its territory (to pending), nor a deadline pushed back (a status
    # onto itself).
    outcomes = [
        t
        for t in referral.transitions.all()
        if t.from_status and t.to_status != ReferralStatus.PENDING and t.to_status != t.from_status
    ]
    for transition in outcomes:
        agent = transition.by_agent or referral.answered_by
        entries.append(
            TimelineEntry(
                at=transition.created_at,
                kind=f"referral_{transition.to_status}",
                label=_referral_outcome_label(transition.to_status, territory, str(agent or ""), next_territory),
                badge=transition.get_to_status_display(),
            )
        )
    if referral.status not in AWAITING_ANSWER and not any(t.to_status == referral.status for t in outcomes):
        # A referral written without its log (imports, older data): its own dates tell the outcome.
        entries.append(
            TimelineEntry(
                at=referral.answered_at or referral.expires_at or referral.created_at,
                kind=f"referral_{referral.status}",
                label=_referral_outcome_label(
                    referral.status, territory, str(referral.answered_by or ""), next_territory
                ),
                badge=referral.get_status_display(),
            )
        )
    return entries


def _next_sent(referral: Referral, referrals: list[Referral]) -> Referral | None:
    """The next referral of the same list (chain) that reached its territory, if any."""
    following = [
        other
        for other in referrals
        if other.chain == referral.chain and other.rank > referral.rank and other.sent_at is not None
    ]
    return min(following, key=lambda other: other.rank, default=None)


def candidate_timeline(candidate: Candidate) -> list[TimelineEntry]:
    """Where the file stands, oldest first, in the candidate's words: built from the file's events
    and its referrals with their transition logs, in a fixed number of queries (three, or none if
    the caller prefetched TIMELINE_PREFETCHES). Every entry is dated by when it happened."""
    _prefetch_timeline(candidate)
    referrals = list(candidate.referrals.all())
    entries: list[TimelineEntry] = []
    for event in candidate.events.all():
        label = _event_label(event, has_referrals=bool(referrals))
        if label:
            entries.append(TimelineEntry(at=event.created_at, kind=event.to_status or event.kind, label=label))
    for referral in sorted(referrals, key=lambda r: (r.created_at, r.rank, r.pk)):
        if _was_sent(referral):
            entries.extend(_referral_entries(referral, _next_sent(referral, referrals)))
    # sorted() is stable: entries at the same instant keep the order above.
    return sorted(entries, key=lambda entry: entry.at)


def candidate_contact(candidate: Candidate) -> Contact | None:
    """Who the candidate can turn to: the agent who accepted their file (name, email, phone), else
    their counsellor (name only), else nobody yet. Uses the timeline's prefetches."""
    _prefetch_timeline(candidate)
    accepted = [
        r for r in candidate.referrals.all() if r.status == ReferralStatus.ACCEPTED and r.answered_by is not None
    ]
    if accepted:
        referral = max(accepted, key=lambda r: (r.answered_at or r.created_at, r.pk))
        agent = referral.answered_by
        return Contact(
            kind="agent", name=str(agent), email=agent.email, phone=agent.phone, territory=referral.territory.name
        )
    if candidate.counsellor is not None:
        return Contact(kind="counsellor", name=candidate.counsellor.get_full_name() or str(candidate.counsellor))
    return None


def candidate_pending_referral(candidate: Candidate) -> Referral | None:
    _prefetch_timeline(candidate)
    return next((r for r in candidate.referrals.all() if r.status in AWAITING_ANSWER), None)


def candidate_consent_history(candidate: Candidate) -> list[Consent]:
    """Every consent given or withdrawn, oldest first (one query, none if "consents" is prefetched).
    candidates.consents.latest_consents(candidate) then reads the same rows."""
    read_related(candidate, "consents")
    return sorted(candidate.consents.all(), key=lambda consent: (consent.created_at, consent.pk))


@dataclass(frozen=True)
class Reading:
    day: datetime.date
    organisation: str
    role: str


READINGS_SHOWN_DAYS = 365
READER_ROLES = {
    User.Role.COUNSELLOR: gettext_lazy("conseiller·ère"),
    User.Role.COORDINATOR: gettext_lazy("coordination"),
    User.Role.AGENT: gettext_lazy("agent·e Place aux jeunes"),
}


def file_readings(candidate: Candidate) -> list[Reading]:
    """Who read the person's file in the last year (Law 25: access to the information held about
    them): the organisation and the role, by day, newest first, once per day, organisation and role
    (not names). Their own readings are left out. One query, grouped by day and kind of reader in
    the database: a file read every day by several people has thousands of rows in a year."""
    since = timezone.now() - datetime.timedelta(days=READINGS_SHOWN_DAYS)
    by_agent = ExpressionWrapper(Q(agent__isnull=False), output_field=BooleanField())
    groups = (
        FileAccess.objects.filter(candidate=candidate, at__gte=since)
        .exclude(user_id=candidate.user_id)
        .filter(Q(agent__isnull=False) | Q(user__isnull=False))
        .annotate(day=TruncDate("at"), by_agent=by_agent)
        .values_list("day", "by_agent", "user__role", "user__organisation")
        .annotate(last=Max("at"))
        .order_by("-last")
    )
    readings: list[Reading] = []
    for day, agent_read, role, organisation in (group[:4] for group in groups):
        if agent_read:
            organisation, role = str(Organisation.PAJR.label), str(_("agent·e Place aux jeunes"))
        else:
            reader = User(role=role, organisation=organisation)
            organisation, role = reader.organisation_label, str(READER_ROLES.get(role, _("administration")))
        reading = Reading(day=day, organisation=organisation, role=role)
        if reading not in readings:
            readings.append(reading)
    return readings
