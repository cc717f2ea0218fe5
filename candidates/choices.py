"""The answers a file is made of, as codes: stored as the value, shown by the label in the
reader's language."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProfileKind(models.TextChoices):
    NATIVE = "native", _("Originaire d'une région")
    NEO_RURAL = "neo_rural", _("Néo-rural·e (de la ville vers une région)")
    IMMIGRANT = "immigrant", _("Personne immigrante")


class ImmigrationStatus(models.TextChoices):
    CITIZEN = "citizen", _("Citoyen·ne canadien·ne")
    PERMANENT_RESIDENT = "permanent_resident", _("Résident·e permanent·e")
    WORK_PERMIT = "work_permit", _("Permis de travail")
    STUDY_PERMIT = "study_permit", _("Permis d'études")
    ASYLUM_CLAIMANT = "asylum_claimant", _("Demandeur·euse d'asile")
    OTHER = "other", _("Autre")


class DiplomaRecognition(models.TextChoices):
    NOT_STARTED = "not_started", _("Pas commencée")
    IN_PROGRESS = "in_progress", _("En cours")
    OBTAINED = "obtained", _("Obtenue")
    NOT_NEEDED = "not_needed", _("Pas nécessaire")


class QuebecExperience(models.TextChoices):
    NONE = "none", _("Aucune")
    UNDER_1_YEAR = "under_1", _("Moins d'un an")
    ONE_TO_3_YEARS = "1_to_3", _("De 1 à 3 ans")
    OVER_3_YEARS = "over_3", _("Plus de 3 ans")


class LanguageLevel(models.TextChoices):
    NONE = "none", _("Aucune connaissance")
    BEGINNER = "beginner", _("Débutant")
    INTERMEDIATE = "intermediate", _("Intermédiaire")
    ADVANCED = "advanced", _("Avancé")
    FLUENT = "fluent", _("Courant ou langue maternelle")


class DiplomaLevel(models.TextChoices):
    NONE = "none", _("Aucun diplôme")
    SECONDARY = "secondary", _("Secondaire")
    VOCATIONAL = "vocational", _("Formation professionnelle (DEP ou équivalent)")
    COLLEGE = "college", _("Collégial (DEC ou équivalent)")
    BACHELOR = "bachelor", _("Baccalauréat (licence)")
    MASTER = "master", _("Maîtrise (master)")
    DOCTORATE = "doctorate", _("Doctorat")


class ContactMethod(models.TextChoices):
    EMAIL = "email", _("Courriel")
    PHONE = "phone", _("Téléphone")
    VIDEO = "video", _("Appel vidéo")


class Timeline(models.TextChoices):
    ASAP = "asap", _("Dès que possible")
    WITHIN_6_MONTHS = "6_months", _("D'ici 6 mois")
    WITHIN_1_YEAR = "1_year", _("D'ici un an")
    LATER = "later", _("Plus tard")
    UNKNOWN = "unknown", _("Je ne sais pas encore")


class HousingNeed(models.TextChoices):
    RENT = "rent", _("Louer un logement")
    BUY = "buy", _("Acheter")
    TEMPORARY = "temporary", _("Un logement temporaire pour commencer")
    NONE = "none", _("J'ai déjà un logement")
    UNKNOWN = "unknown", _("Je ne sais pas encore")


class CandidateStatus(models.TextChoices):
    DRAFT = "draft", _("Inscription en cours")
    NEW = "new", _("En attente de triage")
    COACHING = "coaching", _("Accompagnement EER")
    REFERRED = "referred", _("Orienté·e vers un territoire")
    TAKEN_ON = "taken_on", _("Pris·e en charge par un·e agent·e PAJ")
    MOVED = "moved", _("Installé·e en région")
    SETTLED = "settled", _("Enraciné·e")
    ON_HOLD = "on_hold", _("En pause")
    CLOSED = "closed", _("Dossier fermé")


class CloseReason(models.TextChoices):
    """Why a counsellor closes a file (the timeline keeps the code; "other" needs details)."""

    ABANDONED = "abandoned", _("Projet abandonné par la personne")
    UNREACHABLE = "unreachable", _("Personne injoignable")
    SETTLED_ALONE = "settled_alone", _("Installé·e en région sans accompagnement")
    NOT_ELIGIBLE = "not_eligible", _("Hors des critères du programme")
    DUPLICATE = "duplicate", _("Doublon d'un autre dossier")
    OTHER = "other", _("Autre raison")


class EventCode(models.TextChoices):
    """Why an event of the file's timeline happened. Each is put into words when read, with its
    parameters (candidates.history.event_text), in the reader's language."""

    SUBMITTED = "submitted", _("Inscription envoyée")
    TAKEN_ON = "taken_on", _("Pris·e en charge")
    ASSIGNED = "assigned", _("Assigné·e")
    REASSIGNED = "reassigned", _("Confié·e à un·e collègue")
    COACHING_CONSENT_WITHDRAWN = "coaching_consent_withdrawn", _("Consentement à l'accompagnement retiré")
    ACCOUNT_DELETED = "account_deleted", _("Compte supprimé par la personne")
    PUT_ON_HOLD = "put_on_hold", _("Mis en pause")
    CLOSED = "closed", _("Fermé par un·e conseiller·ère")
    MERGED = "merged", _("Fusion de dossiers")
    REFERRED = "referred", _("Orienté·e")
    PASSED_ON = "passed_on", _("Territoire suivant de la liste")
    LIST_EXHAUSTED = "list_exhausted", _("Liste de territoires épuisée")
    REFERRAL_ACCEPTED = "referral_accepted", _("Orientation acceptée")
    REFERRAL_WITHDRAWN = "referral_withdrawn", _("Orientation retirée")
    FOLLOW_UP = "follow_up", _("Suivi en région")
    AGENT_REFERRAL = "agent_referral", _("Envoyé·e par un·e agent·e PAJ")
    REGION_EXPLORED = "region_explored", _("Région explorée lors d'un séjour exploratoire")
    ANONYMIZED = "anonymized", _("Dossier anonymisé")
    TERRITORY_PROPOSED = "territory_proposed", _("Territoire proposé à la personne")
    PROPOSAL_ACCEPTED = "proposal_accepted", _("Territoire proposé accepté par la personne")
    PROPOSAL_DECLINED = "proposal_declined", _("Territoire proposé refusé par la personne")
    PROPOSAL_WITHDRAWN = "proposal_withdrawn", _("Proposition de territoire retirée")


class AnonymizationReason(models.TextChoices):
    """Why a file was anonymized (candidates.services.deletion.candidate_anonymize): the one path
    every deletion takes, whoever asks."""

    ACCOUNT_DELETED = "account_deleted", _("Compte supprimé par la personne")
    PERSON_REQUEST = "person_request", _("À la demande de la personne, reçue par la personne responsable")
    OFFICER = "officer", _("Décision de la personne responsable de la protection des renseignements personnels")
    ADMIN = "admin", _("Suppression dans l'administration")
    DRAFT_EXPIRED = "draft_expired", _("Inscription jamais soumise (délai de conservation écoulé)")
    FILE_EXPIRED = "file_expired", _("Dossier fermé ou installé (délai de conservation écoulé)")
    COACHING_WITHDRAWN = "coaching_withdrawn", _("Consentement à l'accompagnement retiré et non redonné")
