"""Territory suggestions (Law 25, s. 8.1: a profiling function off by default): the scoring is a
plain function of the person's answers and the directory's texts, tested here on known profiles;
the pages are in test_suggestion_pages.py."""

import pytest
from django.utils import translation

from candidates.models import Candidate
from candidates.suggestions import Profile, fold, person_sectors, score, suggest_territories
from territories.models import Territory

RIMOUSKI = Territory(
    name="Rimouski-Neigette",
    employment_fr="Santé et services sociaux, enseignement (cégep, université), sciences de la mer, "
    "commerce de détail.",
    employment_en="Health and social services, education (CEGEP, university), marine sciences, retail.",
    housing_fr="Marché serré en ville ; plus de choix à l'achat dans les municipalités voisines.",
    housing_en="Tight rental market in town; more homes for sale in the nearby municipalities.",
    daycare_fr="CPE et garderies en milieu familial ; listes d'attente : inscrivez-vous tôt.",
    daycare_en="Early childhood centres and home daycares; waiting lists, so register early.",
    outdoors_fr="Parc national du Bic, sentiers, ski de fond, kayak sur le fleuve.",
    outdoors_en="Bic National Park, trails, cross-country skiing, kayaking on the river.",
    culture_fr="Festival de musique, salles de spectacle, musée régional.",
    culture_en="Music festival, concert halls, a regional museum.",
    english_services_fr="Quelques services en anglais à l'hôpital et au cégep.",
    english_services_en="Some services in English at the hospital and the CEGEP.",
)
ROUYN = Territory(
    name="Rouyn-Noranda",
    employment_fr="Mines et métallurgie, foresterie, santé, génie, enseignement.",
    housing_fr="Peu de logements libres : l'agent·e vous aide à trouver un premier toit.",
    daycare_fr="Places en CPE limitées ; des haltes-garderies et des garderies privées.",
    outdoors_fr="Lacs à perte de vue, pêche, motoneige, vélo de montagne.",
    culture_fr="Festival du cinéma international, scène musicale vivante.",
)
BEAUCE = Territory(
    name="Beauce-Sartigan",
    employment_fr="Fabrication (métal, bois, meubles), transport, agroalimentaire.",
    housing_fr="Maisons abordables ; logements neufs à Saint-Georges.",
    outdoors_fr="Rivière Chaudière, parcs régionaux, sentiers de motoneige.",
)
EMPTY = Territory(name="Aaa, sans description")
ALL = [RIMOUSKI, ROUYN, BEAUCE, EMPTY]

NURSE = Profile(
    occupation_field="Infirmière auxiliaire",
    children_count=2,
    housing_need="rent",
    interests="Randonnée, ski de fond, musique",
)


def ranking(profile, territories=ALL):
    return [(s.territory.name, s.score) for s in suggest_territories(profile, territories)]


def test_a_nurse_with_two_children_who_rents_and_hikes():
    # Rimouski: health 3, daycare with waiting lists 1, no rental offer 0, outdoors 1 + hiking and
    # skiing 2, culture 1 + music 1 = 9. Rouyn: health 3, daycare 1, "helps you find" 2,
    # outdoors 1 (no shared activity), culture 1 + music 1 = 9, with five reasons against four: first.
    # Beauce: new apartments 2, outdoors 1 + trails 1 = 4.
    assert ranking(NURSE) == [("Rouyn-Noranda", 9), ("Rimouski-Neigette", 9), ("Beauce-Sartigan", 4)]
    rimouski = score(NURSE, RIMOUSKI)
    assert len(rimouski.reasons) == 4
    assert rimouski.reasons[0].startswith("Votre domaine, la santé, fait partie des secteurs qui embauchent ici")
    assert "Santé et services sociaux" in rimouski.reasons[0]
    assert "2 enfants" in rimouski.reasons[1]
    assert rimouski.warnings == [
        "Les places en garderie sont limitées : inscrivez vos enfants tôt.",
        "Le marché locatif est serré : commencez vos recherches tôt.",
    ]


def test_a_welder_who_wants_to_buy_goes_first_where_manufacturing_hires_and_houses_are_affordable():
    welder = Profile(occupation_field="Soudeur-monteur", housing_need="buy", interests="motoneige")
    # Beauce: manufacturing 3, buy 2, outdoors 1 + snowmobile 1 = 7. Rouyn: "métallurgie" is metal
    # work 3, outdoors 1 + snowmobile 1 = 5. Rimouski: homes for sale 2, outdoors 1 = 3.
    assert ranking(welder) == [("Beauce-Sartigan", 7), ("Rouyn-Noranda", 5), ("Rimouski-Neigette", 3)]


def test_only_english_speakers_earn_points_for_services_in_english():
    assert ranking(Profile(english_speaker=True)) == [("Rimouski-Neigette", 2)]
    assert ranking(Profile(english_speaker=False)) == []


def test_nothing_answered_suggests_nothing_and_says_what_to_answer():
    profile = Profile()

    assert suggest_territories(profile, ALL) == []
    assert len(profile.missing()) == 3


def test_a_territory_without_texts_is_never_suggested():
    for profile in (NURSE, Profile(english_speaker=True, housing_need="buy", children_count=3)):
        assert score(profile, EMPTY).score == 0
        assert "Aaa, sans description" not in [name for name, _ in ranking(profile)]


def test_words_match_without_accents_or_case_and_at_the_start_of_words_only():
    assert fold("SANTÉ Génie") == "sante genie"
    assert person_sectors("INFIRMIÈRE") == ["health"]
    assert person_sectors("Software developer") == ["it"]
    assert person_sectors("Développement économique") == []  # not "developer"
    assert person_sectors("Comptable, puis finance") == ["office"]
    # "dent" is not a word that names health here, and "mine" does not match "examine".
    assert person_sectors("examine") == []


def test_five_at_most_best_first_then_by_name():
    territories = [
        Territory(name=f"T{i}", employment_fr="Santé", culture_fr="Musée" if i % 2 else "") for i in range(8)
    ]

    ranked = ranking(Profile(occupation_field="santé", interests="musées"), territories)

    assert ranked == [("T1", 5), ("T3", 5), ("T5", 5), ("T7", 5), ("T0", 3)]


def test_the_reasons_are_in_the_reader_s_language_with_the_territory_s_own_english_text():
    with translation.override("en"):
        reasons = score(NURSE, RIMOUSKI).reasons

    assert reasons[0] == (
        "Your field, health care, is among the sectors hiring here: "
        "“Health and social services, education (CEGEP, university), marine sciences, retail.”"
    )
    assert "2 children" in reasons[1]


@pytest.mark.django_db
def test_the_profile_reads_the_saved_answers_and_the_page_s_answers_first():
    candidate = Candidate(
        occupation_field="Génie civil",
        children_count=1,
        housing_need="buy",
        interests="théâtre",
        language="fr",
        french_level="beginner",
        english_level="fluent",
    )

    profile = Profile.of(candidate, children_count=None, interests="ski")

    assert profile == Profile(
        occupation_field="Génie civil", children_count=None, housing_need="buy", interests="ski", english_speaker=True
    )
    assert Profile.of(Candidate(language="en")).english_speaker
    assert not Profile.of(Candidate(language="fr", english_level="fluent", french_level="fluent")).english_speaker
