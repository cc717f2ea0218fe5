from django import forms
from django.utils.translation import gettext_lazy as _

from territories.forms import TerritoryChoiceField


class ReferralSendForm(forms.Form):
    territory = TerritoryChoiceField(label=_("Territoire"))
    message = forms.CharField(
        label=_("Message à l'agent·e"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ce que l'agent·e doit savoir du projet. La personne candidate ne le voit pas."),
    )


class ReferralAnswerForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accepter")), ("decline", _("Refuser"))])
    reason = forms.CharField(
        label=_("Raison du refus"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "decline" and not cleaned.get("reason", "").strip():
            self.add_error(
                "reason",
                _("Indiquez la raison du refus : le ou la conseiller·ère en a besoin pour la suite."),
            )
        return cleaned
