from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.admin_pagination import LargeTableAdminMixin

from .history import transition_text
from .models import Referral, ReferralTransition


class ReferralTransitionInline(admin.TabularInline):
    model = ReferralTransition
    extra = 0
    can_delete = False
    fields = readonly_fields = ("from_status", "to_status", "by_user", "by_agent", "why", "created_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("pourquoi"))
    def why(self, obj: ReferralTransition) -> str:
        return transition_text(obj)


@admin.register(Referral)
class ReferralAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    """Read-only: referrals change only through their services (the counsellor's page, the agent's link)."""

    list_display = ("candidate", "territory", "status", "created_at", "answered_at")
    list_filter = ("status",)
    list_select_related = ("candidate", "territory")
    search_fields = ("candidate__last_name", "candidate__email", "territory__name")
    inlines = [ReferralTransitionInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ReferralTransition)
class ReferralTransitionAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    """The referrals' transition log: read only (services write it)."""

    list_display = ("created_at", "referral", "from_status", "to_status", "by_user", "by_agent")
    list_filter = ("to_status",)
    list_select_related = ("referral__candidate", "referral__territory", "by_user", "by_agent")
    raw_id_fields = ("referral", "by_user", "by_agent")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
