"""Territory suggestions on the pages: off until asked (Law 25, s. 8.1), computed from the answers,
nothing stored unless the person adds a territory to their list; the counsellor sees the same on
the file, when they ask, and may propose one."""

import html
import re

import pytest
from django.conf import settings
from django.urls import reverse

from candidates.models import Candidate, CandidateStatus, CandidateTarget, FileAccess, TerritoryProposal
from tests.factories import AgentFactory, CandidateFactory, CounsellorFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

STEP_4 = reverse("candidates:registration_step", args=[4])
MY_PAGE = reverse("my_file:suggestions")
ADD = reverse("my_file:suggestion_add")
ASKED = "Pourquoi ce territoire :"


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def health():
    """Three territories where health hires, one with daycare described; one without any text."""
    territories = [
        TerritoryFactory(name="Santé-Nord", employment_fr="Santé, enseignement", daycare_fr="CPE avec des places."),
        TerritoryFactory(name="Santé-Sud", employment_fr="Santé et services sociaux"),
        TerritoryFactory(name="Santé-Est", employment_fr="Soins infirmiers, commerce"),
        TerritoryFactory(name="Vide"),
    ]
    for territory in territories:
        AgentFactory(territories=[territory])
    return territories


@pytest.fixture
def person(health):
    return CandidateFactory(
        status=CandidateStatus.COACHING,
        occupation_field="Infirmière",
        housing_need="unknown",
        registration_step=6,
        target_territory=False,
        timeline="6_months",
    )


def project(**answers):
    return {"timeline": "6_months", "housing_need": "rent", "interests": "", "children_count": "", **answers}


def selected(page: str, name: str) -> str | None:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)[0]
    found = re.search(r'<option value="(\d+)" selected>', select)
    return found[1] if found else None


def unchanged(candidate: Candidate) -> tuple:
    candidate.refresh_from_db()
    return (candidate.updated_at, candidate.children_count, candidate.registration_step, candidate.targets.count())


# Registration step 4


def test_step_4_says_how_to_turn_suggestions_on_and_shows_none_until_asked(client, person):
    client.force_login(person.user)

    page = text(client.get(STEP_4))

    assert "Suggérez-moi des territoires" in page and "désactivée tant que vous ne la demandez pas" in page
    assert ASKED not in page and "Santé-Nord" in page  # in the selects only


def test_step_4_suggests_from_the_answers_on_the_page_and_saves_nothing(client, person, health):
    client.force_login(person.user)
    before = unchanged(person)

    response = client.post(STEP_4, {**project(children_count="2"), "suggest": "1"})

    assert response.status_code == 200
    page = text(response)
    assert 'value="2"' in page  # the answer is shown again, not lost
    listed = page[page.index('aria-label="Territoires suggérés"') :]  # below the form and its selects
    # The unsaved "2 children" already counts: Santé-Nord describes its daycare.
    assert listed.index("Santé-Nord") < listed.index("Santé-Sud") and "Vous venez avec 2 enfants" in listed
    assert listed.count(ASKED) == 3 and "Vide" not in listed
    assert unchanged(person) == before


def test_step_4_add_puts_the_territory_in_the_first_free_choice_then_saving_keeps_it(client, person, health):
    client.force_login(person.user)
    first = health[1]
    before = unchanged(person)

    response = client.post(STEP_4, {**project(target_1=first.pk), "add_suggested": health[0].pk})

    page = text(response)
    assert selected(page, "target_1") == str(first.pk) and selected(page, "target_2") == str(health[0].pk)
    assert "Santé-Nord ajouté : 2e choix. Enregistrez pour garder ce choix." in page
    assert unchanged(person) == before
    client.post(STEP_4, project(target_1=first.pk, target_2=health[0].pk))
    assert [t.territory for t in person.targets.order_by("rank")] == [first, health[0]]


@pytest.mark.parametrize(
    ("chosen", "added", "message"),
    [
        ([0, 1, 2], 3, "Vos trois choix sont pris"),
        ([0], 0, "Santé-Nord est déjà dans vos choix."),
        ([], "9999", "n'accueille plus de nouveaux dossiers"),
        ([], "abc", "n'accueille plus de nouveaux dossiers"),
    ],
)
def test_step_4_add_refused_with_a_clear_message_and_nothing_changed(client, person, health, chosen, added, message):
    client.force_login(person.user)
    targets = {f"target_{i}": health[index].pk for i, index in enumerate(chosen, start=1)}
    value = health[added].pk if isinstance(added, int) else added

    page = text(client.post(STEP_4, {**project(**targets), "add_suggested": value}))

    assert message in page
    for i, index in enumerate(chosen, start=1):
        assert selected(page, f"target_{i}") == str(health[index].pk)
    assert person.targets.count() == 0


# Mon dossier


def test_my_file_page_is_off_until_asked_then_lists_and_stores_nothing(client, person, health):
    client.force_login(person.user)
    before = unchanged(person)

    off = client.get(MY_PAGE)
    on = client.get(MY_PAGE, {"voir": "1"})

    assert off.status_code == on.status_code == 200
    assert ASKED not in text(off) and "désactivée tant que vous ne la demandez pas" in text(off)
    page = text(on)
    assert page.count(ASKED) == 3 and "no-store" in on["Cache-Control"]
    assert unchanged(person) == before
    assert MY_PAGE in text(client.get(reverse("my_file:home")))


def test_my_file_add_keeps_the_territory_last_on_the_list(client, person, health):
    CandidateTarget.objects.create(candidate=person, territory=health[2], rank=1)
    person.targets_undecided = True
    person.save(update_fields=["targets_undecided"])
    client.force_login(person.user)

    response = client.post(ADD, {"territory": health[0].pk})

    assert response.status_code == 302 and response["Location"] == MY_PAGE + "?voir=1#suggestions"
    assert [(t.rank, t.territory) for t in person.targets.order_by("rank")] == [(1, health[2]), (2, health[0])]
    person.refresh_from_db()
    assert not person.targets_undecided
    page = text(client.get(response["Location"]))
    assert "Santé-Nord ajouté à vos territoires visés (choix n° 2)." in page
    assert "Déjà dans mes territoires visés" in page


@pytest.mark.parametrize(
    ("chosen", "added", "message", "status"),
    [
        ([0, 1, 2], 3, "Vous avez déjà trois territoires", 302),
        ([0], 0, "Santé-Nord est déjà dans vos territoires visés.", 302),
        ([], "closed", "n'accueille plus de nouveaux dossiers", 302),
        ([], "9999", None, 404),
        ([], "abc", None, 404),
    ],
)
def test_my_file_add_refused_with_a_clear_message(client, person, health, chosen, added, message, status):
    for rank, index in enumerate(chosen, start=1):
        CandidateTarget.objects.create(candidate=person, territory=health[index], rank=rank)
    if added == "closed":
        health[1].is_active = False
        health[1].save(update_fields=["is_active"])
        added = 1
    client.force_login(person.user)

    response = client.post(ADD, {"territory": health[added].pk if isinstance(added, int) else added}, follow=False)

    assert response.status_code == status
    assert person.targets.count() == len(chosen)
    if message:
        assert message in text(client.get(response["Location"]))


def test_my_file_add_is_a_post_and_needs_a_file(client, person, health):
    assert client.post(ADD, {"territory": health[0].pk}).status_code == 302  # to sign in
    client.force_login(person.user)
    assert client.get(ADD, {"territory": health[0].pk}).status_code == 405
    client.force_login(CounsellorFactory())
    assert client.post(ADD, {"territory": health[0].pk}).status_code == 404
    assert person.targets.count() == 0


def test_my_file_page_in_english(client, person, health):
    client.force_login(person.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = text(client.get(MY_PAGE, {"voir": "1"}))

    assert "Suggest territories for me" in page and "Why this territory" in page
    assert "Your field, health care, is among the sectors hiring here" in page


@pytest.mark.parametrize("many", [False, True])
def test_my_file_page_query_count_is_flat(client, person, django_assert_num_queries, many):
    for i in range(30 if many else 3):
        TerritoryFactory(name=f"Santé {i}", employment_fr="Santé", culture_fr="Musée")
    client.force_login(person.user)
    client.get(MY_PAGE)  # the session is read and cached

    with django_assert_num_queries(5):
        client.get(MY_PAGE, {"voir": "1"})


# The counsellor's file


def test_the_counsellor_sees_the_same_suggestions_when_asked_and_the_reading_is_logged(client, person, health):
    counsellor = CounsellorFactory()
    person.counsellor = counsellor
    person.save(update_fields=["counsellor"])
    CandidateTarget.objects.create(candidate=person, territory=health[0], rank=1)
    client.force_login(counsellor)
    url = reverse("counselling:suggestions", args=[person.pk])

    file_page = text(client.get(reverse("counselling:file", args=[person.pk])))
    response = client.get(url)

    assert url in file_page and ASKED not in file_page
    page = text(response)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert page.count(ASKED) == 3 and "Déjà choisi par la personne" in page
    assert FileAccess.objects.filter(candidate=person, user=counsellor).exists()
    assert person.targets.count() == 1 and not TerritoryProposal.objects.exists()


def test_the_counsellor_proposes_a_suggested_territory(client, person, health):
    counsellor = CounsellorFactory()
    client.force_login(counsellor)
    page = client.get(reverse("counselling:suggestions", args=[person.pk])).content.decode()
    assert 'name="proposition-territory"' in page and 'name="proposition-message"' in page

    client.post(
        reverse("counselling:proposal_send", args=[person.pk]),
        {"proposition-territory": health[1].pk, "proposition-message": "Beaucoup de postes en santé."},
    )

    proposal = TerritoryProposal.objects.get()
    assert (proposal.candidate, proposal.territory, proposal.status) == (person, health[1], "pending")
    assert "Proposition en attente de réponse" in text(client.get(reverse("counselling:suggestions", args=[person.pk])))


def test_only_counsellors_see_the_suggestions_of_a_file(client, person):
    url = reverse("counselling:suggestions", args=[person.pk])
    client.force_login(person.user)

    assert client.get(url).status_code == 403
    assert not FileAccess.objects.exists()


@pytest.mark.parametrize("many", [False, True])
def test_the_counsellor_page_query_count_is_flat(client, person, django_assert_num_queries, many):
    for i in range(30 if many else 3):
        territory = TerritoryFactory(name=f"Santé {i}", employment_fr="Santé", culture_fr="Musée")
        AgentFactory(territories=[territory])
    for territory in TerritoryFactory.create_batch(5 if many else 1):
        TerritoryProposal.objects.create(candidate=person, territory=territory, proposed_by=CounsellorFactory())
    client.force_login(CounsellorFactory())
    url = reverse("counselling:suggestions", args=[person.pk])
    client.get(url)

    with django_assert_num_queries(8):
        client.get(url)
