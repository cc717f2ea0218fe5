from django.contrib import admin, messages
from django.utils.translation import gettext as _

from common.admin_pagination import LargeTableAdminMixin

from . import program_admin  # noqa: F401  (the programs admin with their eligibility)
from .choices import AnonymizationReason
from .errors import CandidateError
from .models import AccessKind, Candidate, CandidateEvent, CandidateTarget, Consent, FileAccess
from .services import candidate_anonymize, file_access_record


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    can_delete = False
    readonly_fields = ("purpose", "granted", "text_version", "method", "created_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CandidateTargetInline(admin.TabularInline):
    model = CandidateTarget
    extra = 0
    raw_id_fields = ("territory",)


@admin.register(Candidate)
class CandidateAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    list_display = (
        "last_name",
        "first_name",
        "email",
        "profile_kind",
        "status",
        "created_at",
    )
    list_filter = ("status", "profile_kind")
    search_fields = ("last_name", "first_name", "email")  # the box; get_search_results searches
    raw_id_fields = ("user", "counsellor")
    readonly_fields = ("status", "created_at", "updated_at")
    inlines = [CandidateTargetInline, ConsentInline]

    def get_search_results(self, request, queryset, search_term):
        """The queue's search (every word in the names or the email), served by its one index."""
        return queryset.search(search_term), False

    # "Delete" in the admin anonymizes, through the one path every deletion takes (the referrals,
    # the outbox, the sessions, the CV): the facts stay for the statistics, nothing names the person.
    def get_deleted_objects(self, objs, request):
        return [_("%(count)s dossier(s) anonymisé(s)") % {"count": len(objs)}], {}, set(), []

    def delete_model(self, request, obj) -> None:
        try:
            candidate_anonymize(candidate=obj, by=request.user, reason=AnonymizationReason.ADMIN)
        except CandidateError as error:
            self.message_user(request, str(error), messages.WARNING)

    def delete_queryset(self, request, queryset) -> None:
        for candidate in queryset.filter(anonymized_at__isnull=True):
            self.delete_model(request, candidate)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Reading a file in the admin is a reading of the file (the access log)."""
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200 and str(object_id).isdigit():
            file_access_record(candidate_id=int(object_id), user=request.user, kind=AccessKind.ADMIN)
        return response


@admin.register(CandidateEvent)
class CandidateEventAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    list_display = ("candidate", "kind", "from_status", "to_status", "actor", "created_at")
    list_select_related = ("candidate", "actor")
    raw_id_fields = ("candidate", "actor")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(FileAccess)
class FileAccessAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    """The access log (Law 25): read only, for coordinators who must answer "who opened my file"."""

    list_display = ("at", "candidate", "user")
    list_select_related = ("candidate", "user")
    raw_id_fields = ("candidate", "user")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
