"""Writes of the privacy office: the register of confidentiality incidents."""

import logging

from django.db import transaction

from accounts.models import User

from .models import ConfidentialityIncident

logger = logging.getLogger(__name__)


def incident_save(*, incident: ConfidentialityIncident, by: User) -> ConfidentialityIncident:
    """Record a new incident in the register (who recorded it is kept) or save a change to one,
    after the register's checks (ConfidentialityIncident.clean). Logged without its text."""
    created = incident.pk is None
    if created:
        incident.recorded_by = by
    incident.full_clean()
    with transaction.atomic():
        incident.save()
    logger.info("incident_%s incident=%s by=%s", "recorded" if created else "changed", incident.pk, by.pk)
    return incident
