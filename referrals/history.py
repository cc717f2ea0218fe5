"""A referral's transition put into words when read, in the reader's language (each is stored as a
code and its parameters, never as a sentence)."""

from django.utils.translation import gettext as _

from territories.models import Territory

from .models import DeclineReason, ReferralStatus, ReferralTransition, TransitionCode

T = TransitionCode


def transition_text(transition: ReferralTransition) -> str:
    """Why the referral changed status, in words, followed by what a person typed, if anything."""
    params = transition.params or {}

    def territory() -> str:
        pk = params.get("territory")
        name = Territory.objects.filter(pk=pk).values_list("name", flat=True).first() if pk else None
        return name or _("territoire n° %(pk)s") % {"pk": pk}

    code = transition.code
    if code == T.DECLINED and params.get("category") in DeclineReason.values:
        text = str(DeclineReason(params["category"]).label)
    elif code == T.EXPIRED:
        text = _("Aucune réponse dans le délai de %(days)s jours") % {"days": params.get("days", "?")}
    elif code == T.DEADLINE_EXTENDED:
        text = _("Délai de réponse prolongé de %(days)s jours par l'agent·e") % {"days": params.get("days", "?")}
    elif code == T.NEXT_IN_LIST:
        status = params.get("status", "")
        label = ReferralStatus(status).label if status in ReferralStatus.values else status
        text = _("Territoire suivant de la liste (%(territory)s : %(status)s)") % {
            "territory": territory(),
            "status": label,
        }
    elif code == T.ACCEPTED_ELSEWHERE:
        text = _("Acceptée par le territoire %(territory)s") % {"territory": territory()}
    elif code in T.values:
        text = str(T(code).label)
    else:
        text = ""
    return ". ".join(part for part in (text, transition.reason) if part)
