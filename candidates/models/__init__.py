"""The candidates app's models, one module per topic; everything is importable from here."""

from ..choices import (
    CandidateStatus,
    ContactMethod,
    DiplomaLevel,
    DiplomaRecognition,
    EventCode,
    HousingNeed,
    ImmigrationStatus,
    LanguageLevel,
    ProfileKind,
    QuebecExperience,
    Timeline,
)
from .access import AccessKind, FileAccess
from .coaching import CoachingNote, MaturityAssessment
from .consents import Consent, ConsentPurpose, ConsentText, SharedItem, coaching_consent_sync
from .files import (
    AGE_MAX,
    AGE_MIN,
    PHONE_AS_STORED,
    Candidate,
    CandidateQuerySet,
    CandidateTarget,
    cv_upload_to,
    stored_phone,
    years_ago,
)
from .history import CandidateEvent
from .proposals import ProposalStatus, TerritoryProposal

__all__ = [
    "AGE_MAX",
    "AGE_MIN",
    "PHONE_AS_STORED",
    "AccessKind",
    "Candidate",
    "CandidateEvent",
    "CandidateQuerySet",
    "CandidateStatus",
    "CandidateTarget",
    "CoachingNote",
    "Consent",
    "ConsentPurpose",
    "ConsentText",
    "ContactMethod",
    "DiplomaLevel",
    "DiplomaRecognition",
    "EventCode",
    "FileAccess",
    "HousingNeed",
    "ImmigrationStatus",
    "LanguageLevel",
    "MaturityAssessment",
    "ProfileKind",
    "ProposalStatus",
    "QuebecExperience",
    "SharedItem",
    "TerritoryProposal",
    "Timeline",
    "coaching_consent_sync",
    "cv_upload_to",
    "stored_phone",
    "years_ago",
]
