import pytest
from django.urls import reverse
from django.utils import translation

from common.kept import forget_all
from territories.models import AdminUnit, Municipality, Region, SettlementProgram, Territory
from territories.services import territories_load
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


def test_directory_shows_all_17_regions_and_says_which_have_no_territory(client):
    territories_load(wet_run=True)
    text = client.get(reverse("territories:directory")).text
    for region in Region.objects.all():
        assert reverse("territories:region", args=[region.code]) in text, region.name_fr
    # Mauricie, Montréal, Nord-du-Québec and Laval have no known PAJ territory in the shipped data.
    assert text.count("Pas encore de territoire Place aux jeunes dans cette région.") == 4
    assert "Les 17 régions du Québec et leurs 62 territoires" in text


def search(client, query: str, region: str = "") -> str:
    return client.get(reverse("territories:directory"), {"q": query, "region": region}).text


def test_search_finds_a_territory_by_its_name_its_mrc_or_a_town_accents_aside(client):
    territories_load(wet_run=True)
    by_town = search(client, "rimouski")
    assert reverse("territories:detail", args=["100"]) in by_town and "Rimouski-Neigette" in by_town
    by_town_without_accents = search(client, "SAINTE ANNE DES MONTS")  # Sainte-Anne-des-Monts is in La Haute-Gaspésie
    assert "Sainte-Anne-des-Monts" in by_town_without_accents
    by_town = search(client, "Saint-Georges")  # in Beauce-Sartigan
    assert reverse("territories:detail", args=["290"]) in by_town
    assert "Comprend :" in by_town and "Saint-Georges" in by_town
    by_territory = search(client, "temiscamingue")
    assert reverse("territories:detail", args=["850"]) in by_territory
    nothing = search(client, "Atlantide")
    assert (
        "Aucun territoire pour « Atlantide »" in nothing and "Aucun territoire, aucune MRC ni aucune ville" in nothing
    )


def test_a_town_without_a_territory_says_so_with_a_link_to_its_region(client):
    territories_load(wet_run=True)
    text = search(client, "Trois-Rivières")
    assert "pas encore de territoire Place aux jeunes" in text
    assert reverse("territories:region", args=["04"]) in text


def test_the_region_filter_narrows_the_search_and_the_list(client):
    territories_load(wet_run=True)
    everywhere = search(client, "saint")
    in_beauce = search(client, "saint", region="12")
    assert reverse("territories:detail", args=["100"]) in everywhere
    assert reverse("territories:detail", args=["100"]) not in in_beauce
    assert reverse("territories:detail", args=["290"]) in in_beauce
    assert reverse("territories:region", args=["01"]) not in in_beauce
    listed = client.get(reverse("territories:directory"), {"region": "08"}).text
    assert reverse("territories:detail", args=["86"]) in listed
    assert reverse("territories:detail", args=["100"]) not in listed


def test_a_search_too_short_or_an_unknown_region_lists_everything(client):
    TerritoryFactory(code="RN", name="Rouyn-Noranda")
    assert reverse("territories:detail", args=["RN"]) in search(client, "r")
    response = client.get(reverse("territories:directory"), {"region": "99"})
    assert response.status_code == 200 and reverse("territories:detail", args=["RN"]) in response.text


def many_territories(count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        region = RegionFactory(code=f"{(i % 17) + 1:02d}")
        territory = TerritoryFactory(region=region, name=f"Vallée {i}")
        unit = AdminUnit.objects.create(code=f"U{i:02d}", name=f"MRC de la Vallée {i}", kind="MRC", region=region)
        territory.units.add(unit)
        Municipality.objects.create(code=f"M{i:03d}", name=f"Saint-Vallier-{i}", unit=unit)
        program(name_fr=f"Programme {i}", regions=[region], territories=[territory])


def test_directory_query_count_is_flat(client, django_assert_num_queries):
    """Three queries when the process keeps nothing, none when it keeps the regions; a search
    adds one (the towns)."""
    many_territories(1)
    for size in (1, 41):
        if size == 41:
            many_territories(40, start=1)
        forget_all()
        with django_assert_num_queries(3):
            client.get(reverse("territories:directory"))
        with django_assert_num_queries(0):
            client.get(reverse("territories:directory"))
        with django_assert_num_queries(1):
            response = client.get(reverse("territories:directory"), {"q": "vallee"})
        assert f"{size} territoire" in response.text


def test_region_page_lists_its_territories_and_programs(client, django_assert_max_num_queries):
    region = RegionFactory(code="01", name_fr="Bas-Saint-Laurent")
    territory = TerritoryFactory(region=region, code="100", name="Rimouski-Neigette", employment_fr="Santé, éducation")
    program(name_fr="Prime régionale", regions=[region])
    with django_assert_max_num_queries(5):  # and its upcoming activities
        text = client.get(reverse("territories:region", args=["01"])).text
    assert reverse("territories:detail", args=[territory.code]) in text
    assert "Santé, éducation" in text and "Prime régionale" in text
    many_territories(30)
    with django_assert_max_num_queries(5):  # and its upcoming activities
        client.get(reverse("territories:region", args=["01"]))


def test_a_region_without_a_territory_says_so(client):
    RegionFactory(code="13", name_fr="Laval")
    text = client.get(reverse("territories:region", args=["13"])).text
    assert "Il n'y a pas encore de territoire Place aux jeunes dans cette région." in text
    assert client.get(reverse("territories:region", args=["XX"])).status_code == 404


def test_territory_page_shows_texts_agents_and_programs(client):
    territory = TerritoryFactory(
        code="RN",
        employment_fr="Mines et forêt",
        employment_en="Mining and forestry",
        housing_fr="Logements rares",
        transport_fr="Aéroport régional",
        english_services_fr="École anglophone",
        english_services_en="English school",
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
    assert "Mines et forêt" in text and "Logements rares" in text and "Aéroport régional" in text
    assert "Secteurs qui embauchent" in text and "Transport" in text and "Services en anglais" in text
    assert "Léa vous accueille sur ce territoire." in text
    # No address or last name: people reach the agent through EER's referral.
    assert "lea@paj.example.org" not in text and "Secret" not in text
    assert "Inactif" not in text
    assert "Prime régionale" in text and "Aide locale" in text and "2 000 $" in text
    assert "Ailleurs" not in text and "Éteint" not in text
    with translation.override("en"):
        english = client.get(url, headers={"cookie": "django_language=en"}).text
    assert "Mining and forestry" in english and "English school" in english and "Sectors that are hiring" in english
    assert "Logements rares" in english  # no English text: the French one
    assert "Regional bonus" in english


def test_inactive_or_unknown_territory_is_404(client):
    TerritoryFactory(code="OFF", is_active=False)
    assert client.get(reverse("territories:detail", args=["OFF"])).status_code == 404
    assert client.get(reverse("territories:detail", args=["NOPE"])).status_code == 404


def test_territory_page_query_count_is_flat(client, django_assert_num_queries):
    """Six queries when the process keeps nothing (the territories' codes, the page's four, which
    territories have activities to come), none when it keeps the page and the territory has no
    activity to come (tests/activities/test_pages.py: one when it has)."""
    territory = TerritoryFactory(code="FEW")
    populate(territory, 1, "F")
    crowded = TerritoryFactory(code="MANY")
    populate(crowded, 15, "M")
    for code in ("FEW", "MANY"):
        forget_all()
        with django_assert_num_queries(6):
            client.get(reverse("territories:detail", args=[code]))
        with django_assert_num_queries(0):
            response = client.get(reverse("territories:detail", args=[code]))
    assert response.text.count("Programme local") == 15


def test_registration_territory_step_links_to_the_directory():
    from django.template.loader import get_template

    source = get_template("candidates/registration/step_4.html").template.source
    assert "territories:directory" in source and 'target="_blank"' in source


def test_coordinators_edit_every_structured_field_in_the_admin(client):
    from tests.factories import CoordinatorFactory

    territory = TerritoryFactory(code="RN", name="Rouyn-Noranda")
    client.force_login(CoordinatorFactory(is_superuser=True))
    url = reverse("admin:territories_territory_change", args=[territory.pk])
    page = client.get(url).text
    for field in Territory.TEXT_FIELDS:
        assert f'name="{field}_fr"' in page and f'name="{field}_en"' in page
    data = {"code": "RN", "name": "Rouyn-Noranda", "region": territory.region.pk, "is_active": "on"}
    data |= {f"{field}_{lang}": f"{field} {lang}" for field in Territory.TEXT_FIELDS for lang in ("fr", "en")}
    assert client.post(url, data).status_code == 302
    territory.refresh_from_db()
    assert territory.transport_en == "transport en" and territory.english_services_fr == "english_services fr"
    with translation.override("en"):
        assert ("English-language services", "english_services en") in territory.offer()
