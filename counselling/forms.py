"""The counsellors' forms: they validate and clean; the services write."""

from collections.abc import Collection

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from candidates.choices import CloseReason
from candidates.proposals import chosen_territory_ids_of
from common.text import PlainTextAreaField
from territories.forms import TerritoryChoiceField

CHOOSE = _("Choisissez…")


class PutOnHoldForm(forms.Form):
    reason = forms.CharField(label=_("Raison (facultative)"), max_length=500, required=False)


class CloseForm(forms.Form):
    """A reason from the list, with details (required for "Autre raison")."""

    reason = forms.ChoiceField(label=_("Raison de la fermeture"), choices=[("", "---------"), *CloseReason.choices])
    details = forms.CharField(label=_("Précisions"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("reason") == CloseReason.OTHER and not data.get("details", "").strip():
            self.add_error("details", _("Précisez la raison."))
        return data


class CoachingNoteForm(forms.Form):
    text = PlainTextAreaField(
        label=_("Note d'accompagnement"),
        max_length=5000,
        widget=forms.Textarea({"rows": 4}),
        help_text=_("Datée et signée. Vous pourrez la corriger pendant 24 heures."),
    )


class MaturityTicksForm(forms.Form):
    """The checklist items only a counsellor can judge. An unticked box posts nothing: every item
    is always sent back, as False when unticked."""

    cv_reworked = forms.BooleanField(label=_("CV retravaillé"), required=False)
    work_authorization_valid = forms.BooleanField(label=_("Autorisation de travail valide"), required=False)
    french_adequate = forms.BooleanField(
        label=_("Français suffisant pour l'emploi visé, ou francisation en cours"), required=False
    )
    region_explored = forms.BooleanField(
        label=_("Région déjà explorée (séance d'information, séjour exploratoire)"), required=False
    )


class DeclareMatureForm(forms.Form):
    note = PlainTextAreaField(
        label=_("Note sur la décision"),
        max_length=3000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Pourquoi le projet est mûr : ce qui a été vérifié, ce qui reste à suivre."),
    )


class WithdrawMaturityForm(forms.Form):
    reason = PlainTextAreaField(
        label=_("Pourquoi retirer la décision"),
        max_length=3000,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Par exemple : une information nouvelle, un projet qui a changé. Gardée dans l'historique."),
    )


def reassign_counsellors():
    """Who a file can be handed to: the active EER counsellors (not the coordinators)."""
    return User.objects.filter(role=User.Role.COUNSELLOR, is_active=True).order_by("last_name", "first_name", "email")


class ReassignForm(forms.Form):
    """The colleague who takes the file over. `counsellors`, when given, are the choices shown,
    already read (one SELECT, no COUNT); a posted value is checked against reassign_counsellors()
    and again by candidate_reassign."""

    counsellor = forms.ModelChoiceField(label=_("Confier le dossier à"), queryset=User.objects.none())

    def __init__(self, *args, counsellors=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["counsellor"]
        field.queryset = reassign_counsellors()
        if counsellors is not None:
            field.choices = [("", CHOOSE), *((user.pk, str(user)) for user in counsellors)]


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

    def __init__(self, *args, mature: bool = False, territory_ids: Collection[int] | None = None, **kwargs):
        """`mature`: the project was declared mature, so no override reason is asked for.
        `territory_ids`: the territories the person chose (candidates.proposals), the only ones
        offered; a posted other one is refused here, and again by referral_send."""
        super().__init__(*args, **kwargs)
        if mature:
            del self.fields["override_reason"]
        if territory_ids is not None:
            for rank in (1, 2, 3):
                self.fields[f"territory_{rank}"].restrict(only=territory_ids)
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
        """Only the territories the person chose, prefilled in their order (targets, then the
        proposals they accepted). Reads the prefetched `targets` and `territory_proposals`."""
        chosen = chosen_territory_ids_of(candidate)
        initial = {f"territory_{rank}": pk for rank, pk in enumerate(chosen[:3], start=1)}
        return cls(data, initial=initial, mature=mature, territory_ids=chosen)


class TerritoryProposeForm(forms.Form):
    """A territory the person did not choose, proposed to them with a message: the active
    territories that have an active agent, but the ones already chosen or waiting for an answer."""

    territory = TerritoryChoiceField(label=_("Territoire à proposer"))
    message = PlainTextAreaField(
        label=_("Message à la personne (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Pourquoi ce territoire lui conviendrait. La personne le lit dans « Mon dossier » ; "
            "les agent·e·s ne le voient pas."
        ),
    )

    prefix = "proposition"  # the file page's referral form has its own "message"

    def __init__(self, *args, excluded_ids: Collection[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].restrict(with_agent=True, exclude=excluded_ids)


class ReferralWithdrawForm(forms.Form):
    reason = PlainTextAreaField(
        label=_("Raison du retrait"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Les agent·e·s du territoire sont prévenu·e·s que l'orientation est retirée."),
    )
