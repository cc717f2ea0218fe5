import logging

from celery import shared_task

from accounts.models import User
from pajr.emails import absolute_url, send_templated_email
from referrals.tasks import RETRY

from .models import Candidate

logger = logging.getLogger(__name__)


@shared_task(**RETRY)
def send_sharing_consent_request(candidate_id: int, counsellor_id: int) -> None:
    """Email the person their counsellor's request to consent to sharing, with the link to give it."""
    candidate = Candidate.objects.filter(pk=candidate_id, anonymized_at__isnull=True).first()
    counsellor = User.objects.filter(pk=counsellor_id).first()
    if candidate is None or counsellor is None:
        logger.warning("consent request candidate=%s counsellor=%s: nothing to send", candidate_id, counsellor_id)
        return
    send_templated_email(
        to=candidate.email,
        language=candidate.language,
        template="sharing_consent_request",
        context={
            "candidate": candidate,
            "counsellor": counsellor,
            "link": absolute_url("candidates:my_file_consents"),
        },
    )
