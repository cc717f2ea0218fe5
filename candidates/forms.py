"""The forms of the registration's steps 2 to 5 (step 1 is allauth's sign-up: see signup.py).

They validate and clean; `services.candidate_save_step` writes. Each takes the candidate's file as
`candidate=` and starts from what is saved in it."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.text import PlainTextAreaField, PlainTextField
from territories.forms import TerritoryChoiceField

from .consents import CONSENT_TEXTS, granted_consents
from .cv import validate_cv
from .models import Candidate, ContactMethod, ProfileKind
from .services.registration import IMMIGRANT_FIELDS, REQUIRED_IMMIGRANT_FIELDS

CHOOSE = _("Choisissez…")
YES_NO = [(True, _("Oui")), (False, _("Non"))]


def _choose_label(field: forms.ChoiceField) -> None:
    """Replace Django's "---------" by a word people understand."""
    field.choices = [("", CHOOSE), *((value, label) for value, label in field.choices if value != "")]


def _at_most(field: forms.IntegerField, limit: int) -> None:
    field.max_value = limit
    field.validators.append(MaxValueValidator(limit))
    field.widget.attrs["max"] = limit


def _required(form: forms.Form, *names: str) -> None:
    for name in names:
        form.fields[name].required = True


class BackgroundForm(forms.ModelForm):
    """Step 2. The immigrant fields are asked of everyone without JavaScript, required for
    immigrants only, and dropped for the others."""

    class Meta:
        model = Candidate
        fields = ("profile_kind", *IMMIGRANT_FIELDS)
        labels = {
            "profile_kind": _("Quelle situation vous décrit le mieux ?"),
            "country_of_origin": _("Pays d'origine"),
            "arrival_date": _("Date d'arrivée au Québec"),
            "immigration_status": _("Statut d'immigration actuel"),
            "diploma_recognition": _("Reconnaissance de vos diplômes au Québec"),
            "quebec_experience": _("Expérience de travail au Québec"),
            "french_level": _("Niveau de français"),
            "english_level": _("Niveau d'anglais"),
        }
        help_texts = {
            "arrival_date": _("Une date approximative suffit, par exemple le premier jour du mois."),
            "immigration_status": _(
                "Pourquoi nous le demandons : une autorisation de travail valide est l'une des conditions d'un "
                "projet prêt. Seul·e·s votre conseiller·ère et, si vous y consentez, l'agent·e du territoire le voient."
            ),
            "diploma_recognition": _(
                "Par exemple, l'évaluation comparative des études ou la reconnaissance par un ordre professionnel."
            ),
        }
        widgets = {
            "profile_kind": forms.RadioSelect,
            "arrival_date": forms.DateInput({"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, data=None, files=None, *, candidate: Candidate):
        super().__init__(data, files, instance=candidate)
        self.candidate = candidate
        self.fields["profile_kind"].choices = ProfileKind.choices  # no blank radio button
        _required(self, "profile_kind")
        for name in IMMIGRANT_FIELDS:
            if name != "arrival_date":
                _choose_label(self.fields[name])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("profile_kind") == ProfileKind.IMMIGRANT:
            for name in REQUIRED_IMMIGRANT_FIELDS:
                if name not in self.errors and not cleaned.get(name):
                    self.add_error(
                        name,
                        ValidationError(_("Ce champ est obligatoire pour les personnes immigrantes."), code="required"),
                    )
            self._check_arrival_date(cleaned.get("arrival_date"))
        elif "profile_kind" in cleaned:
            # Not asked of this person: whatever the hidden fields held is neither checked nor kept.
            for name in IMMIGRANT_FIELDS:
                self.errors.pop(name, None)
                cleaned[name] = None if name == "arrival_date" else ""
        return cleaned

    def _check_arrival_date(self, arrived) -> None:
        if arrived is None:
            return
        if arrived > timezone.localdate():
            self.add_error("arrival_date", ValidationError(_("Cette date est dans le futur."), code="future"))
        elif self.candidate.date_of_birth and arrived < self.candidate.date_of_birth:
            self.add_error(
                "arrival_date",
                ValidationError(_("La date d'arrivée ne peut pas précéder votre date de naissance."), code="too_early"),
            )


class WorkForm(forms.ModelForm):
    """Step 3. The CV is optional here; a refused file is reported on its field. It is a form
    field only (not in Meta.fields), so that the form never touches the stored file:
    `services.candidate_set_cv` does."""

    cv = forms.FileField(
        label=_("CV (PDF ou Word)"),
        required=False,
        widget=forms.FileInput(
            {
                "accept": ".pdf,.docx,application/pdf,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        ),
    )

    class Meta:
        model = Candidate
        fields = (
            "occupation_field",
            "highest_diploma",
            "years_experience",
            "goals",
            "contact_method",
            "contact_times",
        )
        field_classes = {
            "occupation_field": PlainTextField,
            "contact_times": PlainTextField,
            "goals": PlainTextAreaField,
        }
        labels = {
            "occupation_field": _("Domaine professionnel"),
            "highest_diploma": _("Diplôme le plus élevé"),
            "years_experience": _("Années d'expérience de travail"),
            "goals": _("Vos objectifs professionnels"),
            "contact_method": _("Comment préférez-vous être joint·e ?"),
            "contact_times": _("Quand peut-on vous joindre ?"),
        }
        help_texts = {
            "occupation_field": _("Par exemple : soins infirmiers, mécanique automobile, comptabilité."),
            "highest_diploma": _("Obtenu au Québec ou dans un autre pays."),
            "years_experience": _("Au total, au Québec et ailleurs. Écrivez 0 si vous n'en avez pas encore."),
            "goals": _("Le travail que vous cherchez, ce que vous aimeriez faire dans quelques années."),
            "contact_times": _("Par exemple : en semaine après 17 h."),
        }
        widgets = {
            "contact_method": forms.RadioSelect,
            "years_experience": forms.NumberInput({"inputmode": "numeric"}),
            "goals": forms.Textarea({"rows": 4}),
        }

    def __init__(self, data=None, files=None, *, candidate: Candidate):
        super().__init__(data, files, instance=candidate)
        self.cv_kind = ""
        self.fields["contact_method"].choices = ContactMethod.choices  # no blank radio button
        _choose_label(self.fields["highest_diploma"])
        _required(self, "occupation_field", "highest_diploma", "contact_method")
        _at_most(self.fields["years_experience"], 60)
        help_text = _("Facultatif pour l'instant : vous pourrez l'ajouter plus tard. 5 Mo au maximum.")
        if candidate.cv_filename:
            help_text = format_html(
                _("Fichier actuel : {name}. Envoyez un autre fichier pour le remplacer. 5 Mo au maximum."),
                name=candidate.cv_filename,
            )
        self.fields["cv"].help_text = help_text

    def clean_cv(self):
        file = self.cleaned_data.get("cv")
        if file:
            self.cv_kind = validate_cv(file)
        return file

    def clean(self):
        cleaned = super().clean()
        cleaned["cv_kind"] = self.cv_kind
        return cleaned


class ProjectForm(forms.ModelForm):
    """Step 4. Up to three territories in order of preference, or "not yet"."""

    target_1 = TerritoryChoiceField(label=_("1er choix"), required=False)
    target_2 = TerritoryChoiceField(label=_("2e choix"), required=False, empty_label=_("Aucun autre territoire"))
    target_3 = TerritoryChoiceField(label=_("3e choix"), required=False, empty_label=_("Aucun autre territoire"))
    targets_undecided = forms.BooleanField(
        label=_("Je ne sais pas encore"),
        required=False,
        help_text=_("Votre conseiller·ère vous aidera à choisir un territoire."),
    )
    has_partner = forms.TypedChoiceField(
        label=_("Êtes-vous en couple ?"),
        required=False,
        choices=YES_NO,
        coerce=lambda value: value == "True",
        empty_value=None,
        widget=forms.RadioSelect,
        help_text=_(
            "Pourquoi nous le demandons : pour que l'agent·e du territoire cherche un logement à la bonne taille "
            "et, s'il y a lieu, un emploi pour votre partenaire. Facultatif."
        ),
    )

    class Meta:
        model = Candidate
        fields = ("targets_undecided", "timeline", "has_partner", "children_count", "housing_need", "interests")
        field_classes = {"interests": PlainTextAreaField}
        labels = {
            "timeline": _("Quand aimeriez-vous vous installer ?"),
            "children_count": _("Nombre d'enfants qui vous accompagneront"),
            "housing_need": _("Votre besoin de logement"),
            "interests": _("Vos intérêts et loisirs"),
        }
        help_texts = {
            "children_count": _(
                "Pourquoi nous le demandons : pour prévoir l'école et la garderie. Écrivez 0 si aucun. Facultatif."
            ),
            "interests": _("Plein air, culture, sports, bénévolat… L'agent·e pourra mieux vous présenter sa région."),
        }
        widgets = {
            "children_count": forms.NumberInput({"inputmode": "numeric"}),
            "interests": forms.Textarea({"rows": 3}),
        }

    TARGET_FIELDS = ("target_1", "target_2", "target_3")

    def __init__(self, data=None, files=None, *, candidate: Candidate, answers: dict | None = None):
        """`answers`: the page's unsaved answers to show again (a territory suggestion added)."""
        if answers is None:
            targets = [target.territory_id for target in candidate.targets.order_by("rank")]
            answers = dict(zip(self.TARGET_FIELDS, targets, strict=False))
        super().__init__(data, files, instance=candidate, initial=answers)
        for name in ("timeline", "housing_need"):
            _choose_label(self.fields[name])
        _required(self, "timeline", "housing_need")
        _at_most(self.fields["children_count"], 20)

    def clean(self):
        cleaned = super().clean()
        chosen = [cleaned.get(name) for name in self.TARGET_FIELDS]
        if any(name in self.errors for name in self.TARGET_FIELDS):
            return cleaned
        ordinals = (_("1er choix"), _("2e choix"))
        for i, territory in enumerate(chosen[1:], start=1):
            if territory and not chosen[i - 1]:
                self.add_error(
                    self.TARGET_FIELDS[i],
                    ValidationError(
                        _("Choisissez d'abord votre %(previous)s.") % {"previous": ordinals[i - 1]}, code="gap"
                    ),
                )
            elif territory and territory in chosen[:i]:
                self.add_error(
                    self.TARGET_FIELDS[i],
                    ValidationError(
                        _("Vous avez déjà choisi ce territoire en %(previous)s.")
                        % {"previous": ordinals[chosen.index(territory)]},
                        code="duplicate",
                    ),
                )
        targets = [territory for territory in chosen if territory]
        if not targets and not cleaned.get("targets_undecided"):
            self.add_error(
                "target_1",
                ValidationError(
                    _("Choisissez au moins un territoire, ou cochez « Je ne sais pas encore »."), code="required"
                ),
            )
        elif targets and cleaned.get("targets_undecided"):
            self.add_error(
                "targets_undecided",
                ValidationError(
                    _("Vous avez choisi un territoire : décochez « Je ne sais pas encore » ou retirez vos choix."),
                    code="both",
                ),
            )
        cleaned["targets"] = targets
        return cleaned


class ConsentsForm(forms.Form):
    """Step 5: one checkbox per purpose, none checked in advance. Only coaching is required."""

    def __init__(self, data=None, files=None, *, candidate: Candidate):
        super().__init__(data, files, initial=granted_consents(candidate))
        for purpose, consent in CONSENT_TEXTS.items():
            self.fields[purpose] = forms.BooleanField(label=consent.text, help_text=consent.explanation, required=False)
        coaching = self.fields["coaching"]
        coaching.required = True
        coaching.error_messages["required"] = _(
            "Ce consentement est nécessaire pour continuer : sans lui, Emplois en régions ne peut pas vous accompagner."
        )
