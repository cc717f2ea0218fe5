"""The rules an activity's fields must follow, for the agent's form, the admin and the services
alike: {field: message}, empty when all is well."""

from django.utils import timezone
from django.utils.translation import gettext as _


def activity_errors(fields: dict, *, registered: int = 0, is_new: bool = True, now=None) -> dict[str, str]:
    now = now or timezone.now()
    errors: dict[str, str] = {}
    starts_at, ends_at = fields.get("starts_at"), fields.get("ends_at")
    deadline, cancellation = fields.get("registration_deadline"), fields.get("cancellation_deadline")
    if starts_at and is_new and starts_at <= now:
        errors["starts_at"] = _("L'activité doit commencer dans le futur.")
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = _("La fin doit venir après le début.")
    if starts_at and deadline and deadline > starts_at:
        errors["registration_deadline"] = _("La date limite d'inscription doit précéder le début de l'activité.")
    if starts_at and cancellation and cancellation > starts_at:
        errors["cancellation_deadline"] = _(
            "L'annulation doit être possible au plus tard jusqu'au début de l'activité."
        )
    capacity = fields.get("capacity")
    if capacity is not None and capacity < 1:
        errors["capacity"] = _("Prévoyez au moins une place.")
    elif capacity is not None and capacity < registered:
        errors["capacity"] = _(
            "Il y a déjà %(count)s personnes inscrites : le nombre de places ne peut pas être plus petit."
        ) % {"count": registered}
    age_min, age_max = fields.get("age_min"), fields.get("age_max")
    if age_min is not None and age_max is not None and age_min > age_max:
        errors["age_max"] = _("L'âge maximum doit être au moins l'âge minimum.")
    if not (fields.get("place") or "").strip() and not fields.get("online_url"):
        errors["place"] = _("Indiquez un lieu ou un lien pour la rencontre en ligne.")
    return errors
