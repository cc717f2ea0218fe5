"""common.labels.ChoiceLabels: `get_FOO_display` from a map kept per field gives Django's label,
in the active language, for every choice of every model that uses it."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from common.labels import ChoiceLabels

KEPT = [model for model in apps.get_models() if issubclass(model, ChoiceLabels)]


def choice_fields(model):
    return [field for field in model._meta.concrete_fields if field.choices is not None]


def test_the_models_read_on_every_page_keep_their_labels():
    names = {model._meta.label for model in KEPT}

    assert {
        "candidates.Candidate",
        "candidates.CandidateEvent",
        "candidates.Consent",
        "candidates.FileAccess",
        "candidates.TerritoryProposal",
        "referrals.Referral",
        "referrals.FollowUp",
        "activities.Activity",
        "activities.Registration",
        "accounts.User",
    } <= names


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("model", KEPT, ids=lambda model: model._meta.label)
def test_every_label_is_djangos_in_the_active_language(model, language):
    fields = choice_fields(model)
    assert fields
    with translation.override(language):
        for field in fields:
            display = getattr(model, f"get_{field.name}_display")
            for value, _label in [*field.flatchoices, ("not-a-choice", None), (None, None)]:
                instance = model()
                setattr(instance, field.attname, value)
                expected = models.Model._get_FIELD_display(instance, field)
                assert display(instance) == expected, (field.name, value)


def test_a_label_follows_the_language_after_it_was_kept():
    from candidates.models import Candidate, CandidateStatus

    candidate = Candidate(status=CandidateStatus.NEW)
    with translation.override("fr"):
        french = candidate.get_status_display()
    with translation.override("en"):
        english = candidate.get_status_display()

    assert french == "En attente de triage" and english == "Waiting for review"
