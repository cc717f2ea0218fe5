"""The referrals' transition log stored system reasons as French sentences; each becomes a code and
its parameters. What a person typed (a decline's details, a counsellor's reason to withdraw or to
refer before the project was declared mature) stays in `reason`; the copy of the counsellor's
message that the first transition kept is dropped (it is on the referral)."""

import re

from django.db import migrations

OVERRIDE_PREFIX = "Orientation sans projet déclaré mûr — raison : "
NEXT = re.compile(r"Territoire suivant de la liste \((.*) : (\w+)\)$")
EXPIRED = re.compile(r"Aucune réponse dans le délai de (\d+) jours$")
SYSTEM_WITHDRAWALS = {
    "Consentement au partage retiré par la personne": "sharing_withdrawn",
    "Compte supprimé par la personne": "account_deleted",
    "Territoire inactif ou sans agent·e actif·ve au moment de son tour": "skipped",
    "Orientation précédente de la liste retirée": "list_withdrawn",
}


def _convert(transition, territory_ids: dict[str, int]) -> None:
    reason, to = transition.reason or "", transition.to_status
    code, params, new_reason = "", {}, reason
    if not transition.from_status:
        if reason.startswith(OVERRIDE_PREFIX):
            code, new_reason = "sent_without_maturity", reason.removeprefix(OVERRIDE_PREFIX).split("\n\n", 1)[0]
        else:
            code, new_reason = "sent", ""
    elif to == "accepted":
        code = "accepted"
    elif to == "declined":
        referral = transition.referral
        code, params, new_reason = "declined", {"category": referral.decline_category}, referral.decline_reason
    elif to == "expired":
        match = EXPIRED.match(reason)
        code, params, new_reason = "expired", ({"days": int(match[1])} if match else {}), ""
    elif to == "pending" and (match := NEXT.match(reason)):
        params = {"status": match[2]}
        if match[1] in territory_ids:
            params["territory"] = territory_ids[match[1]]
        code, new_reason = "next_in_list", ""
    elif to == "withdrawn" and reason in SYSTEM_WITHDRAWALS:
        code, new_reason = SYSTEM_WITHDRAWALS[reason], ""
    elif to == "withdrawn" and reason.startswith("Acceptée par le territoire "):
        name = reason.removeprefix("Acceptée par le territoire ")
        code, params, new_reason = (
            "accepted_elsewhere",
            ({"territory": territory_ids[name]} if name in territory_ids else {}),
            "",
        )
    elif to == "withdrawn":
        code = "withdrawn"
    transition.code, transition.params, transition.reason = code, params, new_reason


def forwards(apps, schema_editor):
    ReferralTransition = apps.get_model("referrals", "ReferralTransition")
    Territory = apps.get_model("territories", "Territory")
    territory_ids = dict(Territory.objects.values_list("name", "pk"))
    batch = []
    for transition in ReferralTransition.objects.filter(code="").select_related("referral").iterator(chunk_size=2000):
        _convert(transition, territory_ids)
        batch.append(transition)
        if len(batch) >= 2000:
            ReferralTransition.objects.bulk_update(batch, ["code", "params", "reason"])
            batch = []
    if batch:
        ReferralTransition.objects.bulk_update(batch, ["code", "params", "reason"])


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_transition_codes_follow_up_by_agent_only")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
