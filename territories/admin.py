from django.contrib import admin

from .models import AdminUnit, Agent, Region, Territory


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_fr", "name_en")
    search_fields = ("code", "name_fr", "name_en")


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "region")
    list_filter = ("kind", "region")
    list_select_related = ("region",)
    search_fields = ("code", "name")


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "is_active")
    list_filter = ("is_active", "region")
    list_select_related = ("region",)
    search_fields = ("code", "name")
    filter_horizontal = ("units",)


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "email", "phone", "language", "is_active")
    list_filter = ("is_active", "language", "territories__region")
    search_fields = ("last_name", "first_name", "email")
    filter_horizontal = ("territories",)
    raw_id_fields = ("user",)
