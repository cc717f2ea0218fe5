"""The directory and the territories' pages each process keeps (territories.selectors, KEPT):
every way what they show can change reaches them at once, and nothing made up is kept."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.services import user_update_account
from common import kept as kept_module
from territories.models import AdminUnit, Agent, SettlementProgram, Territory
from territories.selectors import KEPT
from territories.services import agent_account_ensure
from tests.factories import AgentFactory, RegionFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("territories:directory")


def page(client, code="RN") -> str:
    response = client.get(reverse("territories:detail", args=[code]))
    assert response.status_code == 200
    return response.text


@pytest.fixture
def territory(client):
    territory = TerritoryFactory(code="RN", name="Rouyn-Noranda", region=RegionFactory(code="08"))
    page(client), client.get(DIRECTORY)  # both kept from here
    return territory


def test_a_territory_renamed_created_or_closed_shows_at_once(client, territory):
    territory.name = "Rouyn"
    territory.save()
    assert "Rouyn</h1>" in page(client) and ">Rouyn</a>" in client.get(DIRECTORY).text
    TerritoryFactory(code="AM", name="Amos", region=territory.region)
    assert "Amos" in client.get(DIRECTORY).text and "Amos" in page(client, "AM")
    territory.is_active = False
    territory.save()
    assert client.get(reverse("territories:detail", args=["RN"])).status_code == 404
    assert "Rouyn" not in client.get(DIRECTORY).text


def test_units_agents_and_programs_added_or_changed_show_at_once(client, territory):
    unit = AdminUnit.objects.create(code="860", name="Unité Nouvelle", kind="MRC", region=territory.region)
    territory.units.add(unit)
    agent = AgentFactory(territories=[territory], first_name="Léa")
    program = SettlementProgram.objects.create(operator="MRC", name_fr="Prime nouvelle")
    program.territories.add(territory)
    text = page(client)
    assert "Unité Nouvelle" in text and "Léa vous accueille" in text and "Prime nouvelle" in text
    agent.territories.remove(territory)
    program.name_fr = "Prime renommée"
    program.save()
    text = page(client)
    assert "Léa" not in text and "Prime renommée" in text
    unit.name = "Unité renommée"
    unit.save()
    territory.region.name_fr = "Abitibi renommée"
    territory.region.save()
    assert "Unité renommée" in page(client) and "Abitibi renommée" in client.get(DIRECTORY).text


def test_an_agent_renaming_themself_on_their_account_shows_at_once(client, territory):
    agent = AgentFactory(territories=[territory], first_name="Léa")
    user = agent_account_ensure(agent=agent)
    assert "Léa vous accueille" in page(client)
    user_update_account(user=user, first_name="Léonie", last_name=user.last_name, language=user.language)
    assert Agent.objects.get(pk=agent.pk).first_name == "Léonie"
    assert "Léonie vous accueille" in page(client)


def test_a_change_another_process_made_reaches_this_one_when_it_next_looks(client, territory, monkeypatch):
    Territory.objects.filter(pk=territory.pk).update(name="Écrit ailleurs")  # no signal in this process
    assert "Rouyn-Noranda</h1>" in page(client)  # this process's copy
    cache.delete(kept_module.version_key(KEPT))  # what the other process's receiver did
    monkeypatch.setattr(kept_module, "RECHECK_SECONDS", 0)
    assert "Écrit ailleurs</h1>" in page(client) and "Écrit ailleurs" in client.get(DIRECTORY).text


def test_a_made_up_address_keeps_nothing(client, territory):
    before = set(kept_module._kept)
    for code in ("NOPE", "x" * 20, "RN2"):
        assert client.get(reverse("territories:detail", args=[code])).status_code == 404
    assert set(kept_module._kept) == before
