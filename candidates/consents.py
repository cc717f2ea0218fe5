"""The consents a candidate gives, one per purpose, and the words shown for each (Québec's Law 25).

The current wordings and their versions are written here; the first time a version is shown in a
language, its words are stored (ConsentText), and every Consent row points to the words the person
read, in the language they read them. Change a wording → give it a new version."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Language

from .models import Candidate, Consent, ConsentText, SharedItem


@dataclass(frozen=True)
class Wording:
    version: str
    text: Promise  # what the person agrees to: the checkbox's label
    explanation: Promise  # why, and what happens if they do not
    covers: tuple[str, ...] = ()  # sharing: what the agents see (SharedItem)


# Every agent of the territories the person chose, or agreed to later, sees this while the
# referral is addressed to them (referrals.selectors.agent_may_see); contact details once they
# accept. The wording lists exactly that.
SHARED_WITH_AGENTS = (
    SharedItem.SUMMARY,
    SharedItem.CV,
    SharedItem.COUNSELLOR_MESSAGE,
    SharedItem.CONTACT_AFTER_ACCEPTANCE,
)

CONSENT_TEXTS: dict[str, Wording] = {
    Consent.Purpose.COACHING: Wording(
        version="2026-11-coaching-v1",
        text=_("Emplois en régions peut conserver et utiliser mon dossier pour m'accompagner."),
        explanation=_(
            "Obligatoire pour continuer : sans ce consentement, Emplois en régions ne peut pas traiter votre "
            "inscription. Seul·e·s les conseiller·ère·s d'Emplois en régions voient votre dossier."
        ),
    ),
    Consent.Purpose.SHARING: Wording(
        version="2026-12-sharing-v2",
        text=_(
            "Les agent·e·s Place aux jeunes des territoires que j'ai choisis, ou que j'accepterai plus tard, "
            "peuvent voir pendant que mon orientation leur est adressée : mon nom, mon profil, mon parcours, mon "
            "projet d'installation, mon CV, ainsi que le message et l'évaluation de mon conseiller·ère. S'ils "
            "acceptent de m'accompagner, ils voient aussi mon courriel et mon téléphone."
        ),
        explanation=_(
            "Facultatif pour l'instant. Ce consentement sera nécessaire avant que votre conseiller·ère vous oriente "
            "vers un territoire. Vous pourrez le donner ou le retirer plus tard dans « Mon dossier » ; les "
            "agent·e·s ne voient plus rien dès la fin de leur accompagnement."
        ),
        covers=SHARED_WITH_AGENTS,
    ),
    Consent.Purpose.NEWS: Wording(
        version="2026-11-news-v1",
        text=_("Je veux recevoir les nouvelles de Place aux jeunes en région."),
        explanation=_("Facultatif. Des courriels sur les activités et les régions ; vous pouvez vous désabonner."),
    ),
}
# What a PAJ agent asks a person before sending them to EER ("Envoyer une personne à EER").
AGENT_COACHING_WORDING = Wording(
    version="2026-12-coaching-agent-v1",
    text=_(
        "La personne accepte d'être accompagnée par Emplois en régions, et que l'agent·e transmette à EER ses "
        "coordonnées et sa note sur son projet."
    ),
    explanation=_("Recueilli de vive voix par l'agent·e Place aux jeunes."),
)
# What the sharing consent of the first version (2026-11) covered: the summary and the CV only.
LEGACY_SHARING_COVERS = (SharedItem.SUMMARY, SharedItem.CV)


def reader_language(language: str | None = None) -> str:
    """The platform's language closest to `language` (default: the one active now)."""
    language = language or translation.get_language() or Language.FR
    return Language.EN if language.startswith("en") else Language.FR


def consent_text(purpose: str, *, language: str | None = None, wording: Wording | None = None) -> ConsentText:
    """The stored words of a wording (the purpose's current one unless given) in a language,
    stored the first time they are needed."""
    wording = wording or CONSENT_TEXTS[purpose]
    language = reader_language(language)
    with translation.override(language):
        text, _created = ConsentText.objects.get_or_create(
            purpose=purpose,
            version=wording.version,
            language=language,
            defaults={
                "text": str(wording.text),
                "explanation": str(wording.explanation),
                "covers": list(wording.covers),
            },
        )
    return text


def consent_row(
    *,
    candidate: Candidate,
    purpose: str,
    granted: bool,
    method: str,
    language: str | None = None,
    wording: Wording | None = None,
) -> Consent:
    """An unsaved Consent row pointing to the words the person read (in `language`, default the
    one active: the page's)."""
    text = consent_text(purpose, language=language, wording=wording)
    return Consent(
        candidate=candidate, purpose=purpose, granted=bool(granted), text_version=text.version, text=text, method=method
    )


def latest_consents(candidate: Candidate) -> dict[str, Consent | None]:
    """Each purpose's current row (the latest), or None. Reads `candidate.consents.all()`, so a
    `prefetch_related("consents")` makes it free."""
    return _latest(candidate.consents.all())


def _latest(rows: Iterable[Consent]) -> dict[str, Consent | None]:
    latest: dict[str, Consent | None] = dict.fromkeys(CONSENT_TEXTS)
    for row in sorted(rows, key=lambda row: (row.created_at, row.pk)):
        latest[row.purpose] = row
    return latest


def granted_consents(candidate: Candidate) -> dict[str, bool]:
    """Purpose → whether it is currently given (False when never asked)."""
    return {purpose: bool(row and row.granted) for purpose, row in latest_consents(candidate).items()}


def sharing_covers(candidate: Candidate) -> frozenset[str]:
    """What the person's current sharing consent lets the agents see (SharedItem), read from the
    words they agreed to; nothing when it is not given. Uses the consents' prefetch."""
    row = latest_consents(candidate)[Consent.Purpose.SHARING]
    if row is None or not row.granted:
        return frozenset()
    text = row.text if row.text_id else None
    return frozenset(text.covers if text is not None else LEGACY_SHARING_COVERS)


def current_sharing_covers(candidate_id: int) -> frozenset[str]:
    """sharing_covers read from the database now (one query), whatever an object holds in memory."""
    row = (
        Consent.objects.filter(candidate_id=candidate_id, purpose=Consent.Purpose.SHARING)
        .select_related("text")
        .order_by("-created_at", "-id")
        .first()
    )
    if row is None or not row.granted:
        return frozenset()
    return frozenset(row.text.covers if row.text is not None else LEGACY_SHARING_COVERS)
