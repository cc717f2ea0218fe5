"""The timeline's events were stored with French sentences in `note`; each becomes a code and its
parameters (territory ids, names, dates), rendered in the reader's language. What a person typed
(a pause's reason, a closing's details, an agent's note) stays in `note`. A note that matches no
known sentence is left as it is: it was typed by a person."""

import re

from django.db import migrations

CLOSE_LABELS = {
    "Projet abandonné par la personne": "abandoned",
    "Personne injoignable": "unreachable",
    "Installé·e en région sans accompagnement": "settled_alone",
    "Hors des critères du programme": "not_eligible",
    "Doublon d'un autre dossier": "duplicate",
    "Autre raison": "other",
}
FOLLOW_UP_LABELS = {
    "Premier contact fait": "first_contact",
    "Séjour exploratoire": "exploratory_stay",
    "Emploi trouvé": "job_found",
    "Déménagement en région": "moved",
    "Établi·e dans la région": "settled",
    "Suivi 3 mois après le déménagement": "checkin_3",
    "Suivi 6 mois après le déménagement": "checkin_6",
    "Suivi 12 mois après le déménagement": "checkin_12",
    "Suivi terminé": "closed",
}
MERGED = re.compile(
    r"Dossier n° (\d+) fusionné dans le dossier n° (\d+)(?:\. Territoires visés non repris \(trois au plus\) : (.*))?$",
    re.S,
)
FOLLOW_UP = re.compile(r"(.+?) : (\d{4}-\d{2}-\d{2}) — (.*)$", re.S)
AGENT_REFERRAL = re.compile(r"(.+?) \(([^,()\s]+@[^,()\s]+)(?:, (.*?))?\) :\n(.*)$", re.S)


def _convert(event, territory_ids: dict[str, int]) -> bool:
    """Set code/params/note from the old note; returns whether the event changed."""
    note, kind, to = event.note or "", event.kind, event.to_status

    def ids(names: str, sep: str) -> list[int]:
        return [territory_ids[name] for name in (part.strip() for part in names.split(sep)) if name in territory_ids]

    code, params, new_note = "", {}, note
    if match := MERGED.match(note):
        code, params, new_note = "merged", {"merged": int(match[1]), "kept": int(match[2])}, ""
        if match[3]:
            params["left_out"] = ids(match[3], ",")
    elif kind == "assigned" and note.startswith("Pris·e en charge par "):
        code, params, new_note = "taken_on", {"counsellor": note.removeprefix("Pris·e en charge par ")}, ""
    elif kind == "assigned" and note.startswith("Assigné·e à "):
        code, params, new_note = "assigned", {"counsellor": note.removeprefix("Assigné·e à ")}, ""
    elif kind == "assigned" and " → " in note:
        previous, _, counsellor = note.partition(" → ")
        code, params, new_note = "reassigned", {"previous": previous, "counsellor": counsellor}, ""
    elif kind == "consent_changed":
        code, new_note = "coaching_consent_withdrawn", ""
    elif kind == "referral" and note in territory_ids:
        code, params, new_note = "passed_on", {"territory": territory_ids[note]}, ""
    elif kind == "follow_up" and (match := FOLLOW_UP.match(note)) and match[1] in FOLLOW_UP_LABELS:
        code, params, new_note = "follow_up", {"step": FOLLOW_UP_LABELS[match[1]], "date": match[2], "by": match[3]}, ""
    elif kind == "agent_referral" and (match := AGENT_REFERRAL.match(note)):
        params = {"agent": match[1], "agent_email": match[2], "territories": ids(match[3] or "", ",")}
        code, new_note = "agent_referral", match[4]
    elif kind == "status_changed" and to == "new" and event.from_status == "draft":
        code = "submitted"
    elif kind == "status_changed" and to == "closed" and note == "Compte supprimé par la personne":
        code, new_note = "account_deleted", ""
    elif kind == "status_changed" and to == "closed":
        label, _, details = note.partition(" : ")
        if label in CLOSE_LABELS:
            code, params, new_note = "closed", {"reason": CLOSE_LABELS[label]}, details
    elif kind == "status_changed" and to == "on_hold":
        code = "put_on_hold"
    elif kind == "status_changed" and to == "referred" and note:
        code, params, new_note = "referred", {"territories": ids(note, "→")}, ""
    elif kind == "status_changed" and to == "coaching" and note == "Liste de territoires épuisée":
        code, new_note = "list_exhausted", ""
    elif kind == "status_changed" and to == "coaching" and note in territory_ids:
        code, params, new_note = "referral_withdrawn", {"territory": territory_ids[note]}, ""
    elif kind == "status_changed" and to in ("taken_on", "moved", "settled") and " — " in note:
        territory, _, who = note.partition(" — ")
        params = {"territory": territory_ids[territory]} if territory in territory_ids else {}
        if to == "taken_on":
            code, params = "referral_accepted", {**params, "agent": who}
        else:
            code, params = "follow_up", {**params, "by": who}
        new_note = ""
    if not code:
        return False
    event.code, event.params, event.note = code, params, new_note
    return True


def forwards(apps, schema_editor):
    CandidateEvent = apps.get_model("candidates", "CandidateEvent")
    Territory = apps.get_model("territories", "Territory")
    territory_ids = dict(Territory.objects.values_list("name", "pk"))
    batch = []
    for event in CandidateEvent.objects.filter(code="").iterator(chunk_size=2000):
        if _convert(event, territory_ids):
            batch.append(event)
        if len(batch) >= 2000:
            CandidateEvent.objects.bulk_update(batch, ["code", "params", "note"])
            batch = []
    if batch:
        CandidateEvent.objects.bulk_update(batch, ["code", "params", "note"])


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0010_event_codes"),
        ("territories", "0002_territory_texts_settlement_programs"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
