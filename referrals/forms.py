from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.forms import PlainTextAreaField
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
    override_reason = PlainTextAreaField(
        label=_("Raison d'orienter sans projet déclaré mûr"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Le projet n'a pas encore été déclaré mûr. Pour orienter quand même, expliquez pourquoi."),
    )

    def __init__(self, *args, mature: bool = False, **kwargs):
        """`mature`: the project was declared mature, so no override reason is asked for."""
        super().__init__(*args, **kwargs)
        if mature:
            del self.fields["override_reason"]


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
