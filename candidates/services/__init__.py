"""The candidates app's writes, one module per topic. Callers import from here."""

from ..errors import CandidateError, EmailAlreadyRegistered, StatusTransitionError
from .assignment import (
    candidate_can_be_reassigned,
    candidate_reassign,
    candidate_take_on,
    candidates_assign,
    display_name,
)
from .coaching import (
    MATURABLE_STATUSES,
    candidate_declare_mature,
    candidate_request_sharing_consent,
    candidate_withdraw_maturity,
    coaching_note_add,
    coaching_note_edit,
    file_access_record,
    maturity_update,
)
from .consents import candidate_set_consents
from .deletion import (
    ANONYMIZATION_KEPT_FIELDS,
    candidate_anonymize_fields,
    candidate_delete,
    delete_file_after_commit,
    user_deactivate_and_anonymize,
)
from .emails import candidate_email_counsellor_assigned, candidate_email_file_received
from .intake import candidate_intake_from_agent
from .merge import MERGE_FILLED_FIELDS, Absorbed, candidate_absorb
from .pause import candidate_close, candidate_put_on_hold
from .profile import candidate_set_cv, candidate_update_identity
from .registration import (
    IMMIGRANT_FIELDS,
    MAX_TARGETS,
    REGISTRATION_STEPS,
    REQUIRED_IMMIGRANT_FIELDS,
    REVIEW_STEP,
    STEP_FIELDS,
    STEP_TITLES,
    IncompleteRegistration,
    candidate_register,
    candidate_save_step,
    candidate_set_targets,
    candidate_start,
    candidate_submit,
    registration_problems,
)
from .status import (
    CLOSABLE_STATUSES,
    HOLDABLE_STATUSES,
    REFERABLE_STATUSES,
    TAKEN_ON_STATUSES,
    TRANSITIONS,
    can_move,
    candidate_set_status,
)

__all__ = [
    "ANONYMIZATION_KEPT_FIELDS",
    "CLOSABLE_STATUSES",
    "HOLDABLE_STATUSES",
    "IMMIGRANT_FIELDS",
    "MATURABLE_STATUSES",
    "MAX_TARGETS",
    "MERGE_FILLED_FIELDS",
    "REFERABLE_STATUSES",
    "REGISTRATION_STEPS",
    "REQUIRED_IMMIGRANT_FIELDS",
    "REVIEW_STEP",
    "STEP_FIELDS",
    "STEP_TITLES",
    "TAKEN_ON_STATUSES",
    "TRANSITIONS",
    "Absorbed",
    "CandidateError",
    "EmailAlreadyRegistered",
    "IncompleteRegistration",
    "StatusTransitionError",
    "can_move",
    "candidate_absorb",
    "candidate_anonymize_fields",
    "candidate_can_be_reassigned",
    "candidate_close",
    "candidate_declare_mature",
    "candidate_delete",
    "candidate_email_counsellor_assigned",
    "candidate_email_file_received",
    "candidate_intake_from_agent",
    "candidate_put_on_hold",
    "candidate_reassign",
    "candidate_register",
    "candidate_request_sharing_consent",
    "candidate_save_step",
    "candidate_set_consents",
    "candidate_set_cv",
    "candidate_set_status",
    "candidate_set_targets",
    "candidate_start",
    "candidate_submit",
    "candidate_take_on",
    "candidate_update_identity",
    "candidate_withdraw_maturity",
    "candidates_assign",
    "coaching_note_add",
    "coaching_note_edit",
    "delete_file_after_commit",
    "display_name",
    "file_access_record",
    "maturity_update",
    "registration_problems",
    "user_deactivate_and_anonymize",
]
