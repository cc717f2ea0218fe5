"""The reverse referral: a PAJ agent sends a person whose project is not mature yet to EER."""

import logging

from django.utils.translation import gettext as _

from candidates.models import Candidate
from candidates.services import candidate_intake_from_agent
from territories.models import Agent

from ..errors import ReferralError

logger = logging.getLogger(__name__)


def candidate_refer_to_eer(
    *,
    agent: Agent,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    language: str,
    note: str,
    consent: bool,
) -> tuple[Candidate, bool]:
    """An agent sends a person to EER coaching, with the person's agreement (`consent`) and the
    agent's note: the candidates app opens a file awaiting triage, or adds the note to the file
    that has this address (candidates.services.candidate_intake_from_agent). Returns the file and
    whether it was created."""
    if not consent:
        raise ReferralError(
            _("La personne doit avoir accepté d'être accompagnée par EER et que ses coordonnées lui soient transmises.")
        )
    if not agent.is_active:
        raise ReferralError(_("Votre compte d'agent·e n'est plus actif."))
    note = note.strip()
    if not note:
        raise ReferralError(_("Expliquez en quelques mots le projet de la personne et ce qui reste à mûrir."))
    candidate, created = candidate_intake_from_agent(
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        language=language,
        note=note,
        agent_name=str(agent),
        agent_email=agent.email,
        territory_ids=list(agent.territories.order_by("name").values_list("pk", flat=True)),
        actor=agent.user,
    )
    logger.info("candidate_refer_to_eer agent=%s candidate=%s created=%s", agent.pk, candidate.pk, created)
    return candidate, created
