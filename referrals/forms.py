from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.forms import PlainTextAreaField
from territories.forms import TerritoryChoiceField

from .models import DeclineReason


class ReferralSendForm(forms.Form):
    """Up to three territories, in order: the second receives the referral only if the first
    declines or does not answer in time, and so on."""

    territory_1 = TerritoryChoiceField(label=_("1er territoire"))
    territory_2 = TerritoryChoiceField(
        label=_("2e territoire (si le premier refuse ou ne répond pas à temps)"),
        required=False,
        empty_label=_("Aucun"),
    )
    territory_3 = TerritoryChoiceField(
        label=_("3e territoire (si le deuxième refuse ou ne répond pas à temps)"),
        required=False,
        empty_label=_("Aucun"),
    )
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
        self.fields["territory_1"].share_choices(self.fields["territory_2"], self.fields["territory_3"])

    def clean(self):
        cleaned = super().clean()
        chosen = [cleaned.get(f"territory_{rank}") for rank in (1, 2, 3)]
        if not chosen[1] and chosen[2]:
            self.add_error("territory_3", _("Choisissez d'abord un 2e territoire."))
        seen = set()
        for rank, territory in enumerate(chosen, start=1):
            if territory is None:
                continue
            if territory.pk in seen:
                self.add_error(f"territory_{rank}", _("Ce territoire est déjà dans la liste."))
            seen.add(territory.pk)
        return cleaned

    @property
    def territories(self) -> list:
        return [t for t in (self.cleaned_data.get(f"territory_{rank}") for rank in (1, 2, 3)) if t is not None]

    @classmethod
    def for_candidate(cls, candidate, *, mature: bool, data=None):
        """Prefilled with the candidate's own targets, in their order."""
        initial = {f"territory_{target.rank}": target.territory_id for target in candidate.targets.all()}
        return cls(data, initial=initial, mature=mature)


class ReferralAnswerForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accepter")), ("decline", _("Refuser"))])
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
        if cleaned.get("decision") == "decline":
            if not cleaned.get("category"):
                self.add_error(
                    "category",
                    _("Choisissez la raison du refus : le ou la conseiller·ère en a besoin pour la suite."),
                )
            elif cleaned["category"] == DeclineReason.OTHER and not cleaned.get("reason", "").strip():
                self.add_error("reason", _("Expliquez la raison du refus."))
        return cleaned


class ReferralWithdrawForm(forms.Form):
    reason = PlainTextAreaField(
        label=_("Raison du retrait"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Les agent·e·s du territoire sont prévenu·e·s que l'orientation est retirée."),
    )
