from django import forms
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.text import PlainTextAreaField
from territories.models import Agent

from .models import DeclineReason, Referral
from .services import referral_accept, referral_decline, referral_extend_deadline, referral_mark_under_review


class Decision(models.TextChoices):
    """What the agent's answer form posts."""

    ACCEPT = "accept", _("Accepter")
    DECLINE = "decline", _("Refuser")
    REVIEW = "review", _("Mettre à l'étude")
    EXTEND = "extend", _("Prolonger le délai")


class ReferralAnswerForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    # Accepting takes two POSTs: the first shows what accepting means (the confirmation page,
    # without JavaScript), the second carries confirm=1 and accepts.
    confirm = forms.BooleanField(required=False)
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

    @property
    def needs_confirmation(self) -> bool:
        """A valid "accept" that has not been confirmed yet: show the confirmation, change nothing."""
        return self.cleaned_data["decision"] == Decision.ACCEPT and not self.cleaned_data["confirm"]

    def save(self, *, referral: Referral, agent: Agent) -> str:
        """Carry out the valid decision through its service (ReferralError when the rules refuse
        it); returns the message for the agent."""
        decision = self.cleaned_data["decision"]
        if decision == Decision.ACCEPT:
            referral_accept(referral=referral, agent=agent)
            return gettext("Orientation acceptée : vous pouvez maintenant contacter la personne.")
        if decision == Decision.REVIEW:
            referral_mark_under_review(referral=referral, agent=agent)
            return gettext("Orientation mise à l'étude. Le ou la conseiller·ère et la personne sont prévenu·e·s.")
        if decision == Decision.EXTEND:
            referral = referral_extend_deadline(referral=referral, agent=agent)
            return gettext("Délai prolongé : réponse attendue d'ici le %(date)s.") % {
                "date": date_format(timezone.localtime(referral.expires_at), "DATE_FORMAT")
            }
        referral_decline(
            referral=referral,
            agent=agent,
            category=self.cleaned_data["category"],
            reason=self.cleaned_data["reason"],
        )
        return gettext("Orientation refusée. Le ou la conseiller·ère est prévenu·e.")
