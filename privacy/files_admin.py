"""The privacy officer's actions on people's files, in the admin, for the officers' group only:
an access request (everything held on one person, as a ZIP with the CV) and an anonymization
with its reason. Files without an account (created by an agent) are handled the same way."""

import logging

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candidates.choices import AnonymizationReason
from candidates.errors import CandidateError
from candidates.models import AccessKind
from candidates.services import candidate_anonymize, file_access_record
from common.admin_pagination import LargeTableAdminMixin
from common.exports import download

from .access_request import access_request_zip
from .models import PersonFile
from .officers import is_officer

logger = logging.getLogger(__name__)


class AnonymizeForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Motif"),
        choices=[
            (AnonymizationReason.PERSON_REQUEST, AnonymizationReason.PERSON_REQUEST.label),
            (AnonymizationReason.OFFICER, AnonymizationReason.OFFICER.label),
        ],
    )
    reference = forms.CharField(
        label=gettext_lazy("Référence"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Le numéro de la demande, par exemple. Jamais le nom de la personne."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("Je comprends que l'anonymisation est définitive."),
        required=True,
    )


@admin.register(PersonFile)
class PersonFileAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "last_name", "first_name", "email", "status", "created_at", "anonymized_at")
    list_display_links = None
    list_filter = ("status",)
    search_fields = ("last_name", "first_name", "email")
    actions = ["access_request", "anonymize"]

    # Only officers see it; nobody adds, edits or deletes through it.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_officer(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_officer(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        """A number is a file's number, exactly; anything else searches names and addresses, as
        the queue does (CandidateQuerySet.search, served by its one index)."""
        if search_term.strip().isdigit():
            return queryset.filter(pk=int(search_term)), False
        return queryset.search(search_term), False

    def change_view(self, request, object_id, form_url="", extra_context=None) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:privacy_personfile_changelist") + f"?id={object_id}")

    @admin.action(description=gettext_lazy("Demande d'accès : tout ce qui est détenu sur la personne (ZIP)"))
    def access_request(self, request: HttpRequest, queryset) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Choisissez un seul dossier pour une demande d'accès."), messages.ERROR)
            return None
        candidate = queryset.get()
        file_access_record(candidate_id=candidate.pk, user=request.user, kind=AccessKind.ACCESS_REQUEST)
        body = access_request_zip(candidate)  # its own reading included
        logger.info("access_request candidate=%s by=%s bytes=%s", candidate.pk, request.user.pk, len(body))
        return download(body, filename=f"demande-acces-dossier-{candidate.pk}.zip", content_type="application/zip")

    @admin.action(description=gettext_lazy("Anonymiser ces dossiers (avec un motif)"))
    def anonymize(self, request: HttpRequest, queryset) -> HttpResponse | None:
        files = list(queryset.order_by("pk"))
        form = AnonymizeForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, refused = 0, []
            for candidate in files:
                try:
                    candidate_anonymize(
                        candidate=candidate,
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                        reference=form.cleaned_data["reference"],
                    )
                    done += 1
                except CandidateError as error:
                    refused.append(f"n° {candidate.pk} : {error}")
            if done:
                self.message_user(request, _("%(count)s dossier(s) anonymisé(s).") % {"count": done}, messages.SUCCESS)
            for message in refused:
                self.message_user(request, message, messages.WARNING)
            return None
        return TemplateResponse(
            request,
            "admin/privacy/anonymize.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Anonymiser des dossiers"),
                "opts": self.model._meta,
                "files": files,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )
