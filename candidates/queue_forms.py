from django import forms
from django.utils.translation import gettext_lazy as _

OTHER_REASON = "other"
CLOSE_REASONS = (
    ("abandoned", _("Projet abandonné par la personne")),
    ("unreachable", _("Personne injoignable")),
    ("settled_alone", _("Installé·e en région sans accompagnement")),
    ("not_eligible", _("Hors des critères du programme")),
    ("duplicate", _("Doublon d'un autre dossier")),
    (OTHER_REASON, _("Autre raison")),
)


class PutOnHoldForm(forms.Form):
    reason = forms.CharField(label=_("Raison (facultative)"), max_length=500, required=False)


class CloseForm(forms.Form):
    """A reason from the list, with details (required for "Autre raison")."""

    reason = forms.ChoiceField(label=_("Raison de la fermeture"), choices=[("", "---------"), *CLOSE_REASONS])
    details = forms.CharField(label=_("Précisions"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("reason") == OTHER_REASON and not data.get("details", "").strip():
            self.add_error("details", _("Précisez la raison."))
        return data

    def reason_text(self) -> str:
        """The reason as it goes on the file's timeline: the label, then the details."""
        label = str(dict(CLOSE_REASONS)[self.cleaned_data["reason"]])
        details = self.cleaned_data.get("details", "").strip()
        return f"{label} : {details}" if details else label
