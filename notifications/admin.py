from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.admin_pagination import LargeTableAdminMixin

from .models import OutboxEmail, OutboxStatus
from .services import outbox_send_again


@admin.register(OutboxEmail)
class OutboxEmailAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    """Read-only, with one action. The body and HTML are never shown: they may hold a live
    referral link or an account code (see OutboxEmail's docstring)."""

    list_display = ("created_at", "status", "recipient", "template", "language", "attempts", "last_error", "sent_at")
    list_filter = ("status", "template", "language")
    search_fields = ("=recipient", "=key")
    date_hierarchy = "created_at"
    fields = (
        "key",
        "recipient",
        "language",
        "template",
        "context",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
        "created_at",
        "message_id",
    )
    readonly_fields = fields
    actions = ["send_again"]

    @admin.action(description=_("Renvoyer les courriels en échec sélectionnés"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboxEmail]) -> None:
        count = outbox_send_again(emails=queryset)
        skipped = queryset.exclude(status=OutboxStatus.FAILED).count()
        self.message_user(
            request,
            ngettext("%(count)d courriel sera renvoyé.", "%(count)d courriels seront renvoyés.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                _("Seuls les courriels en échec peuvent être renvoyés : les autres sont ignorés."),
                messages.INFO,
            )

    @admin.display(description=_("Message-ID"))
    def message_id(self, obj: OutboxEmail) -> str:
        return obj.message_id

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
