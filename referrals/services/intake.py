"""The reverse referral: a PAJ agent sends a person whose project is not mature yet to EER."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate
from candidates.services import agent_intakes_since, candidate_intake_from_agent
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
) -> Candidate:
    """An agent sends a person to EER coaching, with the person's agreement (`consent`) and the
    agent's note: the candidates app opens a new file awaiting triage, whatever files exist
    (candidates.services.candidate_intake_from_agent), so that the agent's page says the same
    thing for any address. At most AGENT_INTAKES_PER_DAY in 24 hours per agent."""
    if not consent:
        raise ReferralError(
            _("La personne doit avoir accepté d'être accompagnée par EER et que ses coordonnées lui soient transmises.")
        )
    if not agent.is_active:
        raise ReferralError(_("Votre compte d'agent·e n'est plus actif."))
    note = note.strip()
    if not note:
        raise ReferralError(_("Expliquez en quelques mots le projet de la personne et ce qui reste à mûrir."))
    if (
        agent.user is not None
        and agent_intakes_since(actor=agent.user, since=timezone.now() - timedelta(days=1))
        >= settings.AGENT_INTAKES_PER_DAY
    ):
        logger.warning("candidate_refer_to_eer refused (daily limit) agent=%s", agent.pk)
        raise ReferralError(
            _(
                "Vous avez envoyé %(count)s personnes à EER dans les dernières 24 heures : c'est le maximum. "
                "Réessayez demain ou écrivez à EER."
            )
            % {"count": settings.AGENT_INTAKES_PER_DAY}
        )
    candidate = candidate_intake_from_agent(
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
    logger.info("candidate_refer_to_eer agent=%s candidate=%s", agent.pk, candidate.pk)
    return candidate
