"""The territory selects (territories.forms.TerritoryChoiceField): their options come from the
territories each process keeps, narrowed the same way as the queryset a posted value is checked
against, and every change of a territory, its region or its agents shows at once."""

import pytest
from django import forms
from django.utils import translation

from counselling.forms import ReferralSendForm, TerritoryProposeForm
from territories.forms import TerritoryChoiceField
from territories.models import Territory
from tests.factories import AgentFactory, RegionFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


class OneSelect(forms.Form):
    territory = TerritoryChoiceField(label="Territoire")


def offered(field) -> list[str]:
    """The options' labels, group by group, as the select shows them."""
    return [name for group, options in list(field.choices)[1:] for _pk, name in options]


@pytest.fixture
def places():
    gaspesie, abitibi = RegionFactory(code="11", name_fr="Gaspésie", name_en="Gaspé"), RegionFactory(code="08")
    return {
        "matane": TerritoryFactory(name="Matane", region=gaspesie),
        "avignon": TerritoryFactory(name="Avignon", region=gaspesie),
        "amos": TerritoryFactory(name="Amos", region=abitibi),
    }


def test_grouped_by_region_code_then_name_in_the_reader_s_language(places):
    field = OneSelect().fields["territory"]
    assert offered(field) == ["Amos", "Avignon", "Matane"]
    with translation.override("en"):
        groups = [group for group, _options in list(OneSelect().fields["territory"].choices)[1:]]
    assert groups[1] == "11 – Gaspé"


def test_read_once_per_process_and_every_change_shows_at_once(places, django_assert_num_queries):
    offered(OneSelect().fields["territory"])
    with django_assert_num_queries(0):
        assert offered(OneSelect().fields["territory"]) == ["Amos", "Avignon", "Matane"]
    places["amos"].name = "Amos-Harricana"
    places["amos"].save()
    TerritoryFactory(name="Baie-des-Chaleurs", region=places["matane"].region)
    places["avignon"].is_active = False
    places["avignon"].save()
    assert offered(OneSelect().fields["territory"]) == ["Amos-Harricana", "Baie-des-Chaleurs", "Matane"]


def test_the_referral_form_offers_and_accepts_only_the_chosen_territories(places):
    chosen = [places["matane"].pk, places["amos"].pk]
    form = ReferralSendForm(mature=True, territory_ids=chosen)
    assert offered(form.fields["territory_1"]) == offered(form.fields["territory_3"]) == ["Amos", "Matane"]
    posted = ReferralSendForm({"territory_1": places["avignon"].pk}, mature=True, territory_ids=chosen)
    assert not posted.is_valid() and "territory_1" in posted.errors


def test_the_proposal_form_offers_territories_with_an_active_agent_not_already_chosen(places):
    AgentFactory(territories=[places["matane"], places["amos"]])
    form = TerritoryProposeForm(excluded_ids=[places["amos"].pk])
    assert offered(form.fields["territory"]) == ["Matane"]
    for territory, valid in ((places["amos"], False), (places["avignon"], False), (places["matane"], True)):
        posted = TerritoryProposeForm({"proposition-territory": territory.pk}, excluded_ids=[places["amos"].pk])
        assert posted.is_valid() is valid
    agent = AgentFactory(territories=[places["avignon"]])
    assert offered(TerritoryProposeForm().fields["territory"]) == ["Amos", "Avignon", "Matane"]
    agent.is_active = False
    agent.save()
    places["amos"].agents.clear()
    assert offered(TerritoryProposeForm().fields["territory"]) == ["Matane"]


def test_narrowing_twice_keeps_both(places):
    field = OneSelect().fields["territory"]
    field.restrict(only=[places["matane"].pk, places["amos"].pk])
    field.restrict(only=[places["amos"].pk, places["avignon"].pk])
    assert offered(field) == ["Amos"] and list(field.queryset) == [places["amos"]]
    field.restrict(exclude=[places["amos"].pk])
    assert offered(field) == [] and list(field.queryset) == []


def test_a_queryset_set_by_hand_is_read_as_it_is(places, django_assert_num_queries):
    offered(OneSelect().fields["territory"])
    field = OneSelect().fields["territory"]
    field.queryset = Territory.objects.filter(name__startswith="A").select_related("region")
    with django_assert_num_queries(1):
        assert offered(field) == ["Amos", "Avignon"]
    field.restrict(exclude=[places["avignon"].pk])
    assert offered(field) == ["Amos"] and list(field.queryset) == [places["amos"]]
