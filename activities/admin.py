"""Coordinators publish, change and cancel activities here, through the services."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from candidates.models import ProfileKind

from .errors import ActivityError
from .models import Activity, ActivityStatus, RegistrationStatus
from .services import ACTIVITY_FIELDS, activity_cancel, activity_publish, activity_update
from .validation import activity_errors


class ActivityAdminForm(forms.ModelForm):
    profile_kinds = forms.MultipleChoiceField(
        label=_("Profils admis"), choices=ProfileKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Activity
        fields = ("territory", *ACTIVITY_FIELDS)

    def clean(self):
        data = super().clean()
        registered = 0
        if self.instance.pk:
            registered = self.instance.registrations.filter(status=RegistrationStatus.REGISTERED).count()
        for field, message in activity_errors(data, registered=registered, is_new=not self.instance.pk).items():
            if field not in self.errors:
                self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    form = ActivityAdminForm
    list_display = ("title_fr", "kind", "territory", "starts_at", "capacity", "status")
    list_filter = ("status", "kind", "territory__region")
    search_fields = ("title_fr", "title_en", "territory__name")
    list_select_related = ("territory",)
    date_hierarchy = "starts_at"
    actions = ("cancel_activities",)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ACTIVITY_FIELDS if name in form.cleaned_data}
        if change:
            saved = activity_update(activity=obj, fields=data)
        else:
            saved = activity_publish(territory=form.cleaned_data["territory"], fields=data)
        obj.pk = saved.pk

    @admin.action(description=_("Annuler les activités choisies et prévenir les personnes inscrites"))
    def cancel_activities(self, request, queryset):
        told = 0
        for activity in queryset.filter(status=ActivityStatus.PUBLISHED):
            try:
                told += activity_cancel(activity=activity, by=request.user)
            except ActivityError as error:
                self.message_user(request, f"{activity}: {error}", messages.ERROR)
        self.message_user(request, _("%(count)s personne(s) prévenue(s).") % {"count": told})
