from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.text import PlainTextAreaField

from .models import DeclineReason


class Decision(models.TextChoices):
    """What the agent's answer form posts."""

    ACCEPT = "accept", _("Accepter")
    DECLINE = "decline", _("Refuser")


class ReferralAnswerForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    category = forms.ChoiceField(
        label=_("Raison du refus"),
        required=False,
        choices=[("", _("Choisissez une raison")), *DeclineReason.choices],
    )
    reason = PlainTextAreaField(
        label=_("Précisions (facultatif, sauf pour « Autre raison »)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Decision.DECLINE:
            if not cleaned.get("category"):
                self.add_error(
                    "category",
                    _("Choisissez la raison du refus : le ou la conseiller·ère en a besoin pour la suite."),
                )
            elif cleaned["category"] == DeclineReason.OTHER and not cleaned.get("reason", "").strip():
                self.add_error("reason", _("Expliquez la raison du refus."))
        return cleaned
