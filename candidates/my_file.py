"""The candidate's own pages ("Mon dossier"): where the file stands, consents, export of their
data and deletion of their account (Québec's Law 25)."""

import csv
import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from .consents import CONSENT_TEXTS, latest_consents
from .models import Candidate, CandidateStatus, Consent
from .my_file_forms import AccountDeleteForm, ConsentsForm, IdentityForm
from .registration import registration_url
from .services import candidate_delete, candidate_set_consents, candidate_update_identity
from .timeline import (
    candidate_consent_history,
    candidate_contact,
    candidate_export_data,
    candidate_pending_referral,
    candidate_timeline,
)

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

CSV_SECTION_LABELS = {
    "account": gettext_lazy("Compte"),
    "targets": gettext_lazy("Territoire visé"),
    "consents": gettext_lazy("Consentement"),
    "timeline": gettext_lazy("Suivi du dossier"),
    "events": gettext_lazy("Événement du dossier"),
    "referrals": gettext_lazy("Orientation"),
}
CSV_KEY_LABELS = {
    "email": gettext_lazy("courriel"),
    "language": gettext_lazy("langue"),
    "date_joined": gettext_lazy("compte créé le"),
    "last_login": gettext_lazy("dernière connexion"),
    "rank": gettext_lazy("rang"),
    "territory": gettext_lazy("territoire"),
    "territory_code": gettext_lazy("code du territoire"),
    "region": gettext_lazy("région"),
    "purpose": gettext_lazy("finalité"),
    "purpose_label": gettext_lazy("finalité (libellé)"),
    "granted": gettext_lazy("donné"),
    "text_version": gettext_lazy("version du texte"),
    "method": gettext_lazy("moyen"),
    "method_label": gettext_lazy("moyen (libellé)"),
    "created_at": gettext_lazy("date"),
    "at": gettext_lazy("date"),
    "label": gettext_lazy("description"),
    "kind": gettext_lazy("type"),
    "from_status": gettext_lazy("statut avant"),
    "to_status": gettext_lazy("statut après"),
    "status": gettext_lazy("statut"),
    "status_label": gettext_lazy("statut (libellé)"),
    "sent_at": gettext_lazy("envoyée le"),
    "expires_at": gettext_lazy("réponse attendue avant le"),
    "answered_at": gettext_lazy("réponse le"),
    "agent": gettext_lazy("agent·e"),
    "name": gettext_lazy("nom"),
    "phone": gettext_lazy("téléphone"),
    "transitions": gettext_lazy("étape"),
}


def _own_candidate(request: HttpRequest) -> Candidate | None:
    return Candidate.objects.for_list().filter(user=request.user).first()


def _no_file(request: HttpRequest) -> HttpResponse:
    return render(request, "candidates/no_file.html", status=404)


@login_required
@require_GET
def my_file(request: HttpRequest) -> HttpResponse:
    candidate = _own_candidate(request)
    if candidate is None:
        return _no_file(request)
    context = {
        "candidate": candidate,
        "timeline": candidate_timeline(candidate),
        "contact": candidate_contact(candidate),
        "pending_referral": candidate_pending_referral(candidate),
        "registration_url": registration_url(candidate) if candidate.status == CandidateStatus.DRAFT else None,
    }
    return render(request, "candidates/my_file.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def identity(request: HttpRequest) -> HttpResponse:
    candidate = _own_candidate(request)
    if candidate is None:
        return _no_file(request)
    initial = {
        "first_name": candidate.first_name,
        "last_name": candidate.last_name,
        "date_of_birth": candidate.date_of_birth,
        "phone": candidate.phone,
        "language": candidate.language,
    }
    form = IdentityForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        candidate_update_identity(
            candidate=candidate,
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            phone=data.get("phone") or "",
            language=data["language"],
        )
        messages.success(request, _("Vos coordonnées sont enregistrées."))
        return redirect("candidates:my_file")
    return render(request, "candidates/my_file_identity.html", {"form": form}, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def consents(request: HttpRequest) -> HttpResponse:
    candidate = _own_candidate(request)
    if candidate is None:
        return _no_file(request)
    history = candidate_consent_history(candidate)
    current = latest_consents(candidate)  # from the same, prefetched rows
    initial = {purpose: bool(consent and consent.granted) for purpose, consent in current.items()}
    form = ConsentsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        choices = form.choices()
        changed = candidate_set_consents(candidate=candidate, choices=choices, method=Consent.Method.MY_FILE)
        if not changed:
            messages.info(request, _("Vos choix n'ont pas changé."))
        else:
            messages.success(request, _("Vos choix sont enregistrés."))
        if Consent.Purpose.COACHING in changed and not choices[Consent.Purpose.COACHING]:
            messages.warning(
                request,
                _(
                    "Vous avez retiré votre consentement à l'accompagnement : Emplois en régions ne peut plus "
                    "vous accompagner. Votre dossier reste ouvert ; vous pouvez redonner ce consentement à tout moment."
                ),
            )
        if Consent.Purpose.SHARING in changed and not choices[Consent.Purpose.SHARING]:
            messages.warning(
                request,
                _(
                    "Vous avez retiré votre consentement au partage : votre dossier ne sera plus transmis aux "
                    "agent·e·s Place aux jeunes, et une orientation en attente de réponse est retirée."
                ),
            )
        return redirect("candidates:my_file_consents")
    rows = [
        (form[purpose], current[purpose], CONSENT_TEXTS[purpose], label) for purpose, label in Consent.Purpose.choices
    ]
    return render(
        request,
        "candidates/my_file_consents.html",
        {"candidate": candidate, "form": form, "rows": rows, "history": history},
        status=400 if form.is_bound else 200,
    )


def _attachment(response: HttpResponse, extension: str) -> HttpResponse:
    filename = f"mon-dossier-{timezone.localdate().isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)  # includes no-store and private
    return response


@login_required
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    candidate = _own_candidate(request)
    if candidate is None:
        return _no_file(request)
    data = candidate_export_data(candidate)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return _attachment(HttpResponse(body, content_type="application/json; charset=utf-8"), "json")


def _csv_safe(value: str) -> str:
    return f"'{value}" if value.startswith(CSV_FORMULA_PREFIXES) else value


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    return str(value)


def _csv_flatten(field: str, label: str, value) -> list[tuple[str, str, str]]:
    if isinstance(value, dict):
        rows = []
        for key, item in value.items():
            rows += _csv_flatten(f"{field}.{key}", f"{label} – {CSV_KEY_LABELS.get(key, key)}", item)
        return rows
    if isinstance(value, list):
        rows = []
        for number, item in enumerate(value, start=1):
            rows += _csv_flatten(f"{field}.{number}", f"{label} {number}", item)
        return rows
    return [(field, label, _csv_text(value))]


def export_csv_rows(data: dict) -> list[tuple[str, str, str]]:
    """One row per field (field, label, value): the profile by its labels and human-readable values,
    then the other sections flattened with dotted field names (targets.1.territory)."""
    rows = [(name, item["label"], item["text"]) for name, item in data["profile"].items()]
    for section, label in CSV_SECTION_LABELS.items():
        rows += _csv_flatten(section, str(label), data[section])
    return rows


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    candidate = _own_candidate(request)
    if candidate is None:
        return _no_file(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")  # so that spreadsheets read the accents as UTF-8
    writer = csv.writer(response)
    writer.writerow(["field", "label", "value"])
    for row in export_csv_rows(candidate_export_data(candidate)):
        writer.writerow([_csv_safe(cell) for cell in row])
    return _attachment(response, "csv")


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    candidate = _own_candidate(request)
    if candidate is None:
        return _no_file(request)
    form = AccountDeleteForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        candidate_delete(candidate=candidate)
        logout(request)
        messages.success(
            request,
            _(
                "Votre compte est supprimé et vos données personnelles sont effacées. "
                "Merci d'avoir utilisé la plateforme."
            ),
        )
        return redirect("candidates:home")
    return render(
        request,
        "candidates/my_file_delete.html",
        {"candidate": candidate, "form": form, "pending_referral": candidate_pending_referral(candidate)},
        status=400 if form.is_bound else 200,
    )
