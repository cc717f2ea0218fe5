"""The referrals app's writes, one module per topic. Callers import from here."""

from ..errors import ReferralError
from .emails import (
    referral_email_agents,
    referral_email_answer,
    referral_email_candidate_referred,
    referral_email_expired,
    referral_email_under_review,
    referral_email_withdrawn,
    referral_email_withdrawn_counsellor,
)
from .follow_up import (
    CHECKIN_MONTHS,
    CHECKIN_NOTICE_DAYS,
    CHECKIN_STEPS,
    NOTE_REQUIRED_STEPS,
    add_months,
    follow_up_checkin_due,
    follow_up_checkins_remind,
    follow_up_open_steps,
    follow_up_record,
)
from .intake import candidate_refer_to_eer
from .links import (
    LATE_LINK_DAYS,
    NEW_LINKS_PER_DAY,
    referral_email_new_link,
    referral_link_create,
    referral_link_resend,
)
from .reminders import (
    referrals_answers_digest,
    referrals_expire_overdue,
    referrals_remind_unanswered,
    referrals_warn_expiring,
)
from .workflow import (
    ALLOWED,
    MAX_TERRITORIES,
    referral_accept,
    referral_decline,
    referral_expire,
    referral_extend_deadline,
    referral_mark_under_review,
    referral_send,
    referral_withdraw,
    referrals_move_to,
)

__all__ = [
    "ALLOWED",
    "CHECKIN_MONTHS",
    "CHECKIN_NOTICE_DAYS",
    "CHECKIN_STEPS",
    "LATE_LINK_DAYS",
    "MAX_TERRITORIES",
    "NEW_LINKS_PER_DAY",
    "NOTE_REQUIRED_STEPS",
    "ReferralError",
    "add_months",
    "candidate_refer_to_eer",
    "follow_up_checkin_due",
    "follow_up_checkins_remind",
    "follow_up_open_steps",
    "follow_up_record",
    "referral_accept",
    "referral_decline",
    "referral_email_agents",
    "referral_email_answer",
    "referral_email_candidate_referred",
    "referral_email_expired",
    "referral_email_new_link",
    "referral_email_under_review",
    "referral_email_withdrawn",
    "referral_email_withdrawn_counsellor",
    "referral_expire",
    "referral_extend_deadline",
    "referral_link_create",
    "referral_link_resend",
    "referral_mark_under_review",
    "referral_send",
    "referral_withdraw",
    "referrals_answers_digest",
    "referrals_expire_overdue",
    "referrals_move_to",
    "referrals_remind_unanswered",
    "referrals_warn_expiring",
]
