"""Programs a person may be eligible for: a plain function of the file and the program's
conditions, tested on known profiles; and where it shows (Mon dossier, the counsellor's file)."""

import datetime

import pytest
from django.urls import reverse

from candidates.choices import ImmigrationStatus, ProfileKind
from candidates.models import CandidateTarget, years_ago
from candidates.programs import programs_for
from territories.models import SettlementProgram
from tests.factories import CandidateFactory, RegionFactory, TerritoryFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 4)


def program(name: str, *, regions=(), territories=(), **conditions) -> SettlementProgram:
    created = SettlementProgram.objects.create(name_fr=name, operator="MRC", **conditions)
    created.regions.set(regions)
    created.territories.set(territories)
    return created


@pytest.fixture
def place():
    region = RegionFactory(code="11")
    return region, TerritoryFactory(region=region, name="La Haute-Gaspésie"), TerritoryFactory(region=region)


def names(candidate) -> list[str]:
    return [match.program.name_fr for match in programs_for(candidate, today=TODAY)]


def test_the_programs_of_the_target_territories_and_their_regions(place):
    region, home, neighbour = place
    program("Prime régionale", regions=[region])
    program("Aide locale", territories=[home])
    program("Aide du voisin", territories=[neighbour])
    program("Ailleurs", regions=[RegionFactory(code="01")])
    program("Inactif", regions=[region], is_active=False)
    program("Échu", regions=[region], deadline=TODAY - datetime.timedelta(days=1))
    candidate = CandidateFactory(target_territory=home)

    assert names(candidate) == ["Aide locale", "Prime régionale"]
    [local, _regional] = programs_for(candidate, today=TODAY)
    assert local.reasons == ["Offert dans le territoire visé La Haute-Gaspésie"]


def test_known_profiles_against_the_conditions(place):
    region, home, _neighbour = place
    program("Jeunes 18-35", regions=[region], age_min=18, age_max=35)
    program("Personnes immigrantes", regions=[region], profile_kinds=[ProfileKind.IMMIGRANT])
    program(
        "Résident·e·s permanent·e·s",
        regions=[region],
        immigration_statuses=[ImmigrationStatus.PERMANENT_RESIDENT],
        deadline=TODAY + datetime.timedelta(days=30),
    )
    program("Santé", regions=[region], occupation_keywords="santé, soins infirmiers")

    nurse = CandidateFactory(
        target_territory=home,
        date_of_birth=years_ago(29, TODAY),
        profile_kind=ProfileKind.IMMIGRANT,
        immigration_status=ImmigrationStatus.PERMANENT_RESIDENT,
        occupation_field="Soins infirmiers",
    )
    assert names(nurse) == ["Jeunes 18-35", "Personnes immigrantes", "Résident·e·s permanent·e·s", "Santé"]
    by_name = {m.program.name_fr: m.reasons for m in programs_for(nurse, today=TODAY)}
    assert "Âge (29 ans) dans la tranche demandée" in by_name["Jeunes 18-35"]
    assert "Statut admissible : Résident·e permanent·e" in by_name["Résident·e·s permanent·e·s"]
    assert any(reason.startswith("Demande à faire avant le") for reason in by_name["Résident·e·s permanent·e·s"])
    assert "Domaine visé : Soins infirmiers" in by_name["Santé"]

    older_engineer = CandidateFactory(
        target_territory=home,
        date_of_birth=years_ago(40, TODAY),
        profile_kind=ProfileKind.NEO_RURAL,
        occupation_field="Génie civil",
    )
    assert names(older_engineer) == []

    unknown_age = CandidateFactory(target_territory=home, profile_kind=ProfileKind.NATIVE)
    [match] = programs_for(unknown_age, today=TODAY)
    assert match.program.name_fr == "Jeunes 18-35" and "à vérifier" in match.reasons[1]


def test_no_target_no_programs(place):
    region, _home, _neighbour = place
    program("Prime régionale", regions=[region])
    assert names(CandidateFactory(target_territory=False)) == []


def test_mon_dossier_and_the_counsellor_s_file_list_them(client, place, counsellor):
    region, home, _neighbour = place
    program("Prime régionale", regions=[region], url="https://programme.example.org")
    candidate = CandidateFactory(target_territory=home, counsellor=counsellor, status="coaching")
    client.force_login(candidate.user)
    page = client.get(reverse("my_file:home")).content.decode()
    assert "Prime régionale" in page and "https://programme.example.org" in page
    client.force_login(counsellor)
    page = client.get(reverse("counselling:file", args=[candidate.pk])).content.decode()
    assert "la personne pourrait avoir droit" in page and "Prime régionale" in page


def test_a_second_target_counts_too(place):
    _region, home, neighbour = place
    program("Aide du voisin", territories=[neighbour])
    candidate = CandidateFactory(target_territory=home)
    CandidateTarget.objects.create(candidate=candidate, territory=neighbour, rank=2)
    assert names(candidate) == ["Aide du voisin"]


def test_read_without_a_query_once_kept_and_every_change_shows_at_once(place, django_assert_num_queries):
    region, home, neighbour = place
    regional = program("Prime régionale", regions=[region])
    candidate = CandidateFactory(target_territory=home)
    candidate = type(candidate).objects.for_list().get(pk=candidate.pk)
    assert names(candidate) == ["Prime régionale"]
    with django_assert_num_queries(0):
        assert names(candidate) == ["Prime régionale"]
    local = program("Aide locale", territories=[neighbour])
    assert names(candidate) == ["Prime régionale"]
    local.territories.add(home)
    assert names(candidate) == ["Aide locale", "Prime régionale"]
    regional.deadline = TODAY - datetime.timedelta(days=1)
    regional.save()
    assert names(candidate) == ["Aide locale"]
    local.territories.remove(home)
    assert names(candidate) == []
    local.territories.add(home)
    local.is_active = False
    local.save()
    assert names(candidate) == []


def test_coordinators_set_the_conditions_in_the_admin(client, place):
    from tests.factories import CoordinatorFactory

    region, _home, _neighbour = place
    client.force_login(CoordinatorFactory(is_superuser=True))
    add = reverse("admin:territories_settlementprogram_add")
    page = client.get(add).content.decode()
    assert "Personne immigrante" in page and "Résident·e permanent·e" in page  # the candidates' vocabulary
    data = {
        "name_fr": "Prime jeunesse",
        "operator": "MRC",
        "regions": [region.pk],
        "profile_kinds": ["immigrant"],
        "immigration_statuses": ["permanent_resident", "work_permit"],
        "age_min": "30",
        "age_max": "20",
        "is_active": "on",
    }
    assert "doit être au moins" in client.post(add, data).content.decode()
    response = client.post(add, {**data, "age_max": "35"})
    assert response.status_code == 302
    created = SettlementProgram.objects.get(name_fr="Prime jeunesse")
    assert created.profile_kinds == ["immigrant"] and created.immigration_statuses == [
        "permanent_resident",
        "work_permit",
    ]
