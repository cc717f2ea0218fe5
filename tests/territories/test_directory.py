import pytest
from django.urls import reverse
from django.utils import translation

from territories.models import AdminUnit, SettlementProgram
from tests.factories import AgentFactory, RegionFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


def program(**kwargs) -> SettlementProgram:
    regions, territories = kwargs.pop("regions", []), kwargs.pop("territories", [])
    p = SettlementProgram.objects.create(operator="MRC", **kwargs)
    p.regions.set(regions)
    p.territories.set(territories)
    return p


def populate(territory, n: int, prefix: str) -> None:
    for i in range(n):
        unit = AdminUnit.objects.create(code=f"{prefix}{i:02d}", name=f"MRC {i}", kind="MRC", region=territory.region)
        territory.units.add(unit)
        AgentFactory(territories=[territory], first_name=f"Agent{i}")
        program(name_fr=f"Programme régional {i}", regions=[territory.region])
        program(name_fr=f"Programme local {i}", territories=[territory])


def test_directory_lists_regions_and_active_territories(client):
    region = RegionFactory(code="08", name_fr="Abitibi-Témiscamingue")
    TerritoryFactory(region=region, name="Rouyn-Noranda", code="RN")
    TerritoryFactory(region=region, name="Fermé", is_active=False)
    response = client.get(reverse("territories:directory"))
    assert response.status_code == 200
    assert "Abitibi-Témiscamingue" in response.text
    assert reverse("territories:detail", args=["RN"]) in response.text
    assert "Fermé" not in response.text


def test_directory_query_count_is_flat(client, django_assert_num_queries):
    TerritoryFactory()
    with django_assert_num_queries(2):
        client.get(reverse("territories:directory"))
    for _ in range(30):
        TerritoryFactory()
    with django_assert_num_queries(2):
        client.get(reverse("territories:directory"))


def test_territory_page_shows_texts_agents_and_programs(client):
    territory = TerritoryFactory(
        code="RN", employment_fr="Mines et forêt", employment_en="Mining and forestry", housing_fr="Logements rares"
    )
    other = TerritoryFactory(region=RegionFactory(code="09"))
    AgentFactory(territories=[territory], first_name="Léa", last_name="Secret", email="lea@paj.example.org")
    AgentFactory(territories=[territory], first_name="Inactif", is_active=False)
    program(name_fr="Prime régionale", name_en="Regional bonus", amount="2 000 $", regions=[territory.region])
    program(name_fr="Aide locale", territories=[territory])
    program(name_fr="Ailleurs", territories=[other])
    program(name_fr="Éteint", regions=[territory.region], is_active=False)
    url = reverse("territories:detail", args=["RN"])
    text = client.get(url).text
    assert "Mines et forêt" in text and "Logements rares" in text
    assert "Léa" in text and "lea@paj.example.org" in text and "Secret" not in text
    assert "Inactif" not in text
    assert "Prime régionale" in text and "Aide locale" in text and "2 000 $" in text
    assert "Ailleurs" not in text and "Éteint" not in text
    with translation.override("en"):
        english = client.get(url, headers={"cookie": "django_language=en"}).text
    assert "Mining and forestry" in english
    assert "Logements rares" in english  # no English text: the French one
    assert "Regional bonus" in english


def test_inactive_or_unknown_territory_is_404(client):
    TerritoryFactory(code="OFF", is_active=False)
    assert client.get(reverse("territories:detail", args=["OFF"])).status_code == 404
    assert client.get(reverse("territories:detail", args=["NOPE"])).status_code == 404


def test_territory_page_query_count_is_flat(client, django_assert_num_queries):
    territory = TerritoryFactory(code="FEW")
    populate(territory, 1, "F")
    with django_assert_num_queries(4):
        client.get(reverse("territories:detail", args=["FEW"]))
    crowded = TerritoryFactory(code="MANY")
    populate(crowded, 15, "M")
    with django_assert_num_queries(4):
        response = client.get(reverse("territories:detail", args=["MANY"]))
    assert response.text.count("Programme local") == 15


def test_registration_territory_step_links_to_the_directory():
    from django.template.loader import get_template

    source = get_template("candidates/registration/step_4.html").template.source
    assert "territories:directory" in source and 'target="_blank"' in source
