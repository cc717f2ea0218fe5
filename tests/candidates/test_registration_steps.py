"""Registration steps 2 to 5 and the review page: each step saves the draft and opens the next;
sending the file puts it in the counsellors' queue. Step 1 (the sign-up) is in test_register.py."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.adapter import AccountAdapter
from candidates.consents import CONSENT_TEXTS
from candidates.models import (
    Candidate,
    CandidateEvent,
    CandidateStatus,
    CandidateTarget,
    Consent,
    ProfileKind,
    years_ago,
)
from candidates.services import (
    CandidateError,
    IncompleteRegistration,
    candidate_save_step,
    candidate_submit,
)
from common.text import strip_control_characters
from tests.documents import make_pdf
from tests.factories import (
    CandidateFactory,
    CoordinatorFactory,
    CounsellorFactory,
    ReferralFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REVIEW = reverse("candidates:registration_review")
MY_FILE = reverse("my_file:home")
BORN = years_ago(27)
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def step_url(step: int) -> str:
    return reverse("candidates:registration_step", args=[step])


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def draft():
    """A file just past the sign-up: identity only, at step 2."""
    return CandidateFactory(
        status=CandidateStatus.DRAFT,
        profile_kind="",
        date_of_birth=BORN,
        registration_step=2,
        target_territory=False,
        consents=False,
    )


@pytest.fixture
def signed_in(client, draft):
    client.force_login(draft.user)
    return client


def at_step(candidate: Candidate, step: int) -> Candidate:
    candidate.registration_step = step
    candidate.save(update_fields=["registration_step"])
    return candidate


def errors_in(html: str) -> str:
    """The error messages of a page, to show when an assertion fails."""
    return " | ".join(re.findall(r"<strong>(.*?)</strong>", html))


IMMIGRANT = {
    "profile_kind": "immigrant",
    "country_of_origin": "SN",
    "arrival_date": "2024-09-01",
    "immigration_status": "permanent_resident",
    "diploma_recognition": "in_progress",
    "quebec_experience": "under_1",
    "french_level": "fluent",
    "english_level": "intermediate",
}
WORK = {
    "occupation_field": "Soins infirmiers",
    "highest_diploma": "bachelor",
    "years_experience": "4",
    "goals": "Travailler dans un CLSC.\nPuis me spécialiser.",
    "contact_method": "phone",
    "contact_times": "En semaine après 17 h",
}
PROJECT = {
    "timeline": "6_months",
    "has_partner": "True",
    "children_count": "2",
    "housing_need": "rent",
    "interests": "Randonnée, ski de fond",
}
CONSENTS = {"coaching": "on", "sharing": "on"}


def complete(candidate: Candidate, territory=None) -> Candidate:
    """Walk a draft through every step with valid answers, as the services would save them."""
    candidate_save_step(
        candidate=candidate,
        step=2,
        data={**IMMIGRANT, "arrival_date": datetime.date(2024, 9, 1)},
    )
    candidate_save_step(candidate=candidate, step=3, data={**WORK, "years_experience": 4})
    candidate_save_step(
        candidate=candidate,
        step=4,
        data={
            **PROJECT,
            "has_partner": True,
            "children_count": 2,
            "targets_undecided": territory is None,
            "targets": [territory] if territory else [],
        },
    )
    candidate_save_step(candidate=candidate, step=5, data={"coaching": True, "sharing": True, "news": False})
    candidate.refresh_from_db()
    return candidate


# --- The way in -------------------------------------------------------------------------------


def test_after_the_signup_the_registration_goes_on_at_step_2(rf):
    assert AccountAdapter().get_signup_redirect_url(rf.get("/")) == "/inscription/etape-2/"
    assert REVIEW == "/inscription/verification/"


def test_anonymous_visitor_is_sent_to_sign_in(client):
    for url in (step_url(2), step_url(5), REVIEW):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("factory", [CounsellorFactory, CoordinatorFactory])
def test_staff_are_refused(client, factory):
    client.force_login(factory())

    assert client.get(step_url(2)).status_code == 403
    assert client.post(REVIEW).status_code == 403


def test_an_account_without_a_file_finds_nothing(client):
    client.force_login(UserFactory())

    assert client.get(step_url(2)).status_code == 404
    assert client.get(REVIEW).status_code == 404


@pytest.mark.parametrize("step", [0, 1])
def test_step_1_is_the_signup_and_cannot_be_reopened_here(signed_in, step):
    assert signed_in.get(step_url(step)).status_code == 404


@pytest.mark.parametrize(("reached", "sent_to"), [(3, step_url(3)), (6, REVIEW)])
def test_a_step_after_the_last_leads_where_the_registration_stands(signed_in, draft, reached, sent_to):
    at_step(draft, reached)

    for step in (6, 99):
        assert signed_in.get(step_url(step))["Location"] == sent_to


def test_other_methods_are_refused(signed_in):
    assert signed_in.put(step_url(2)).status_code == 405
    assert signed_in.delete(REVIEW).status_code == 405


@pytest.mark.parametrize(("reached", "asked", "sent_to"), [(2, 3, 2), (2, 5, 2), (4, 5, 4), (3, 3, None)])
def test_a_step_opens_once_the_previous_one_is_saved(signed_in, draft, reached, asked, sent_to):
    at_step(draft, reached)

    response = signed_in.get(step_url(asked))

    if sent_to is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and response["Location"] == step_url(sent_to)


def test_the_review_opens_after_step_5(signed_in, draft):
    at_step(draft, 5)
    assert signed_in.get(REVIEW)["Location"] == step_url(5)

    at_step(draft, 6)
    assert signed_in.get(REVIEW).status_code == 200


def test_earlier_steps_stay_open_and_show_what_was_saved(signed_in, draft):
    complete(draft)

    html = signed_in.get(step_url(2)).content.decode()

    assert re.search(r'value="immigrant"[^>]*checked', html)
    assert re.search(r'<option value="SN" selected>', html)
    assert 'value="2024-09-01"' in html


def test_leaving_and_signing_in_again_goes_on_where_one_stopped(draft):
    at_step(draft, 4)
    client = Client()
    assert client.login(email=draft.email, password="un-mot-de-passe-solide-2026")

    assert client.get(step_url(5))["Location"] == step_url(4)
    assert client.get(REVIEW)["Location"] == step_url(4)


def test_a_candidate_only_ever_edits_their_own_file(client, draft):
    other = CandidateFactory(status=CandidateStatus.DRAFT, profile_kind="", registration_step=2)
    client.force_login(other.user)

    client.post(step_url(2), {"profile_kind": "native"})

    draft.refresh_from_db()
    other.refresh_from_db()
    assert (draft.profile_kind, other.profile_kind) == ("", "native")


# --- Step 2: background -----------------------------------------------------------------------


def test_step_2_page(signed_in):
    html = signed_in.get(step_url(2)).content.decode()

    assert "Étape 2 sur 5" in html and "Parcours" in html
    assert 'aria-valuenow="2"' in html
    assert "<legend" in html and "Pour les personnes immigrantes" in html
    assert 'id="immigrant-fields"' in html and "hidden" not in re.search(r"<fieldset[^>]*immigrant[^>]*>", html)[0]
    assert re.search(r'<script src="[^"]*js/registration\.js" defer>', html)
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script: the CSP forbids it"
    assert "Précédent" not in html  # step 1, the sign-up, cannot be reopened


def test_step_2_saves_an_immigrant_background_and_opens_step_3(signed_in, draft):
    response = signed_in.post(step_url(2), IMMIGRANT)

    assert response.status_code == 302 and response["Location"] == step_url(3)
    draft.refresh_from_db()
    assert draft.profile_kind == ProfileKind.IMMIGRANT
    assert draft.country_of_origin.code == "SN"
    assert draft.arrival_date == datetime.date(2024, 9, 1)
    assert (draft.immigration_status, draft.diploma_recognition, draft.quebec_experience) == (
        "permanent_resident",
        "in_progress",
        "under_1",
    )
    assert (draft.french_level, draft.english_level) == ("fluent", "intermediate")
    assert draft.registration_step == 3
    assert draft.status == CandidateStatus.DRAFT


@pytest.mark.parametrize("kind", ["native", "neo_rural"])
def test_immigrant_answers_are_not_kept_for_other_people(signed_in, draft, kind):
    complete(draft)  # an immigrant first, who then corrects their answer
    future = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()

    response = signed_in.post(step_url(2), {**IMMIGRANT, "profile_kind": kind, "arrival_date": future})

    assert response.status_code == 302, errors_in(response.content.decode())
    draft.refresh_from_db()
    assert draft.profile_kind == kind
    assert not draft.country_of_origin and draft.arrival_date is None
    assert draft.immigration_status == draft.diploma_recognition == draft.quebec_experience == ""
    assert draft.french_level == draft.english_level == ""


def test_a_non_immigrant_only_needs_the_profile(signed_in, draft):
    response = signed_in.post(step_url(2), {"profile_kind": "neo_rural"})

    assert response["Location"] == step_url(3)


@pytest.mark.parametrize(
    "field", ["country_of_origin", "arrival_date", "immigration_status", "diploma_recognition", "french_level"]
)
def test_immigrants_must_answer_the_immigration_questions(signed_in, draft, field):
    response = signed_in.post(step_url(2), {**IMMIGRANT, field: ""})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ce champ est obligatoire pour les personnes immigrantes." in html
    assert f'id="id_{field}_error"' in html
    assert re.search(rf'aria-describedby="[^"]*id_{field}_error"', html)
    assert "Le formulaire contient des erreurs" in html
    draft.refresh_from_db()
    assert draft.profile_kind == "" and draft.registration_step == 2


@pytest.mark.parametrize("field", ["quebec_experience", "english_level"])
def test_some_immigration_questions_are_optional(signed_in, field):
    assert signed_in.post(step_url(2), {**IMMIGRANT, field: ""}).status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Ce champ est obligatoire."),
        ({"profile_kind": "martian"}, "Sélectionnez un choix valide"),
        ({**IMMIGRANT, "country_of_origin": "ZZ"}, "Sélectionnez un choix valide"),
        ({**IMMIGRANT, "immigration_status": "<b>"}, "Sélectionnez un choix valide"),
        ({**IMMIGRANT, "arrival_date": "2024-02-30"}, "Saisissez une date valide"),
        (
            {**IMMIGRANT, "arrival_date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()},
            "Cette date est dans le futur.",
        ),
        (
            {**IMMIGRANT, "arrival_date": (BORN - datetime.timedelta(days=1)).isoformat()},
            "La date d&#x27;arrivée ne peut pas précéder votre date de naissance.",
        ),
    ],
)
def test_step_2_bad_input_gets_a_clear_message(signed_in, draft, data, message):
    response = signed_in.post(step_url(2), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html, errors_in(html)
    draft.refresh_from_db()
    assert draft.registration_step == 2


def test_arrival_on_the_day_of_birth_or_today_is_accepted(signed_in):
    for day in (BORN, timezone.localdate()):
        assert signed_in.post(step_url(2), {**IMMIGRANT, "arrival_date": day.isoformat()}).status_code == 302


# --- Step 3: work -----------------------------------------------------------------------------


def test_step_3_saves_the_work_answers_and_a_cv(signed_in, draft):
    at_step(draft, 3)
    cv = SimpleUploadedFile("Mon CV 2026.pdf", make_pdf(), content_type="application/pdf")

    response = signed_in.post(step_url(3), {**WORK, "cv": cv})

    assert response.status_code == 302 and response["Location"] == step_url(4), errors_in(response.content.decode())
    draft.refresh_from_db()
    assert draft.occupation_field == "Soins infirmiers"
    assert (draft.highest_diploma, draft.years_experience, draft.contact_method) == ("bachelor", 4, "phone")
    assert draft.goals == "Travailler dans un CLSC.\nPuis me spécialiser."
    assert draft.contact_times == "En semaine après 17 h"
    assert draft.cv_filename == "Mon CV 2026.pdf"
    assert draft.cv.read().startswith(b"%PDF-")
    assert draft.registration_step == 4


def test_step_3_form_sends_files_and_shows_the_current_cv(signed_in, draft):
    at_step(draft, 3)
    draft.cv_filename = "<b>cv</b>.pdf"
    draft.save(update_fields=["cv_filename"])

    html = signed_in.get(step_url(3)).content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert "Fichier actuel : &lt;b&gt;cv&lt;/b&gt;.pdf" in html
    assert f'href="{step_url(2)}"' in html and "Précédent" in html


def test_the_cv_is_optional(signed_in, draft):
    at_step(draft, 3)

    assert signed_in.post(step_url(3), WORK)["Location"] == step_url(4)
    draft.refresh_from_db()
    assert not draft.cv and draft.cv_filename == ""


def test_a_refused_cv_is_reported_on_its_field_and_the_other_answers_are_kept(signed_in, draft):
    at_step(draft, 3)
    text = SimpleUploadedFile("cv.pdf", b"Bonjour, je suis un fichier texte.", content_type="application/pdf")

    response = signed_in.post(step_url(3), {**WORK, "cv": text})

    assert response.status_code == 200
    html = response.content.decode()
    cv_error = re.search(r'<div id="id_cv_error"[^>]*>(.*?)</div>', html, re.S)
    assert cv_error and "PDF" in cv_error[1], errors_in(html)
    assert 'value="Soins infirmiers"' in html  # shown again
    assert "Vos autres réponses sont enregistrées" in html
    draft.refresh_from_db()
    assert draft.occupation_field == "Soins infirmiers"  # and saved
    assert not draft.cv and draft.registration_step == 3  # but the step is not done


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("occupation_field", "", "Ce champ est obligatoire."),
        ("occupation_field", "   \t ", "Ce champ est obligatoire."),
        ("occupation_field", "x" * 201, "au plus 200 caractères"),
        ("highest_diploma", "", "Ce champ est obligatoire."),
        ("highest_diploma", "phd", "Sélectionnez un choix valide"),
        ("years_experience", "61", "inférieure ou égale à 60"),
        ("years_experience", "-1", "supérieure ou égale à 0"),
        ("years_experience", "quatre", "Saisissez un nombre entier"),
        ("goals", "x" * 3001, "au plus 3000 caractères"),
        ("contact_method", "", "Ce champ est obligatoire."),
        ("contact_method", "pigeon", "Sélectionnez un choix valide"),
        ("contact_times", "x" * 201, "au plus 200 caractères"),
    ],
)
def test_step_3_bad_input_gets_a_clear_message(signed_in, draft, field, value, message):
    at_step(draft, 3)

    response = signed_in.post(step_url(3), {**WORK, field: value})

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html, errors_in(html)
    draft.refresh_from_db()
    assert draft.registration_step == 3 and draft.occupation_field == ""


def test_limits_are_accepted(signed_in, draft):
    at_step(draft, 3)

    response = signed_in.post(
        step_url(3), {**WORK, "years_experience": "60", "occupation_field": "x" * 200, "goals": "y" * 3000}
    )

    assert response.status_code == 302, errors_in(response.content.decode())


def test_control_characters_are_removed_from_free_text(signed_in, draft):
    at_step(draft, 3)

    signed_in.post(
        step_url(3),
        {**WORK, "occupation_field": "Soins\x00 infir\x1b[31mmiers\t", "goals": "Ligne 1\r\nLigne\x07 2\x00"},
    )

    draft.refresh_from_db()
    assert draft.occupation_field == "Soins infir[31mmiers"
    assert draft.goals == "Ligne 1\nLigne 2"


@pytest.mark.parametrize(
    ("value", "multiline", "expected"),
    [
        ("  a \t b\n c ", False, "a b c"),
        ("a\x00b\x7fc\x9fd", False, "abcd"),
        ("un\r\n  deux  \rtrois\x0b", True, "un\ndeux\ntrois"),
        ("Ça va ? ‏مرحبا", True, "Ça va ? ‏مرحبا"),  # free text keeps the right-to-left mark
        ("Ça va ? ‏مرحبا", False, "Ça va ? مرحبا"),  # a single line loses every invisible character
        ("Am\u202eina\u200b Diallo", False, "Amina Diallo"),  # a bidi override, a zero-width space
    ],
)
def test_strip_control_characters(value, multiline, expected):
    assert strip_control_characters(value, multiline=multiline) == expected


# --- Step 4: settlement project ---------------------------------------------------------------


@pytest.fixture
def territories():
    return TerritoryFactory.create_batch(3)


def targets_of(candidate: Candidate) -> list:
    return [(t.rank, t.territory) for t in CandidateTarget.objects.filter(candidate=candidate).order_by("rank")]


def test_step_4_saves_three_targets_in_order(signed_in, draft, territories):
    at_step(draft, 4)
    first, second, third = territories

    response = signed_in.post(
        step_url(4), {**PROJECT, "target_1": third.pk, "target_2": first.pk, "target_3": second.pk}
    )

    assert response.status_code == 302 and response["Location"] == step_url(5), errors_in(response.content.decode())
    assert targets_of(draft) == [(1, third), (2, first), (3, second)]
    draft.refresh_from_db()
    assert not draft.targets_undecided
    assert (draft.timeline, draft.has_partner, draft.children_count, draft.housing_need) == (
        "6_months",
        True,
        2,
        "rent",
    )
    assert draft.interests == "Randonnée, ski de fond"
    assert draft.registration_step == 5


def test_step_4_shows_the_saved_targets_in_their_selects(signed_in, draft, territories):
    at_step(draft, 5)
    CandidateTarget.objects.create(candidate=draft, territory=territories[2], rank=1)
    CandidateTarget.objects.create(candidate=draft, territory=territories[0], rank=2)

    html = signed_in.get(step_url(4)).content.decode()

    def selected(name):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S)[0]
        found = re.search(r'<option value="(\d+)" selected>', select)
        return int(found[1]) if found else None

    assert [selected(f"target_{i}") for i in (1, 2, 3)] == [territories[2].pk, territories[0].pk, None]
    assert "<optgroup" in html  # grouped by region
    # The territory directory, to learn the regions before choosing, in a new tab (the form stays).
    assert re.search(r'href="/territoires/"\s+target="_blank"\s+rel="noopener"', html)


def test_changing_the_targets_replaces_them(signed_in, draft, territories):
    at_step(draft, 5)
    CandidateTarget.objects.create(candidate=draft, territory=territories[0], rank=1)
    CandidateTarget.objects.create(candidate=draft, territory=territories[1], rank=2)

    signed_in.post(step_url(4), {**PROJECT, "target_1": territories[1].pk})

    assert targets_of(draft) == [(1, territories[1])]


def test_not_knowing_yet_is_an_answer(signed_in, draft, territories):
    at_step(draft, 4)
    CandidateTarget.objects.create(candidate=draft, territory=territories[0], rank=1)

    response = signed_in.post(step_url(4), {**PROJECT, "targets_undecided": "on"})

    assert response["Location"] == step_url(5)
    draft.refresh_from_db()
    assert draft.targets_undecided and targets_of(draft) == []


@pytest.mark.parametrize(
    ("targets", "field", "message"),
    [
        ({}, "target_1", "Choisissez au moins un territoire, ou cochez « Je ne sais pas encore »."),
        ({"target_2": 0}, "target_2", "Choisissez d&#x27;abord votre 1er choix."),
        ({"target_1": 0, "target_3": 1}, "target_3", "Choisissez d&#x27;abord votre 2e choix."),
        ({"target_1": 0, "target_2": 0}, "target_2", "Vous avez déjà choisi ce territoire en 1er choix."),
        ({"target_1": 0, "target_2": 1, "target_3": 1}, "target_3", "déjà choisi ce territoire en 2e choix"),
        ({"target_1": 0, "targets_undecided": "on"}, "targets_undecided", "décochez « Je ne sais pas encore »"),
        ({"target_1": "nimporte"}, "target_1", "Sélectionnez un choix valide"),
    ],
)
def test_target_errors(signed_in, draft, territories, targets, field, message):
    at_step(draft, 4)
    data = {**PROJECT, **{k: territories[v].pk if isinstance(v, int) else v for k, v in targets.items()}}

    response = signed_in.post(step_url(4), data)

    assert response.status_code == 200
    html = response.content.decode()
    error = re.search(rf'<div id="id_{field}_error"[^>]*>(.*?)</div>', html, re.S)
    assert error and message in error[1], errors_in(html)
    assert targets_of(draft) == []
    draft.refresh_from_db()
    assert draft.registration_step == 4


def test_an_inactive_territory_cannot_be_chosen(signed_in, draft):
    at_step(draft, 4)
    closed = TerritoryFactory(is_active=False)

    response = signed_in.post(step_url(4), {**PROJECT, "target_1": closed.pk})

    assert "Sélectionnez un choix valide" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timeline", "", "Ce champ est obligatoire."),
        ("housing_need", "castle", "Sélectionnez un choix valide"),
        ("children_count", "21", "inférieure ou égale à 20"),
        ("children_count", "-2", "supérieure ou égale à 0"),
        ("has_partner", "peut-être", "Sélectionnez un choix valide"),
        ("interests", "x" * 2001, "au plus 2000 caractères"),
    ],
)
def test_step_4_bad_input_gets_a_clear_message(signed_in, draft, field, value, message):
    at_step(draft, 4)

    response = signed_in.post(step_url(4), {**PROJECT, "targets_undecided": "on", field: value})

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html, errors_in(html)
    draft.refresh_from_db()
    assert draft.registration_step == 4


def test_household_questions_are_optional(signed_in, draft):
    at_step(draft, 4)

    response = signed_in.post(
        step_url(4), {"timeline": "unknown", "housing_need": "unknown", "targets_undecided": "on"}
    )

    assert response.status_code == 302, errors_in(response.content.decode())
    draft.refresh_from_db()
    assert draft.has_partner is None and draft.children_count is None


# --- Step 5: consents -------------------------------------------------------------------------


def consent_rows(candidate: Candidate) -> list[tuple[str, bool, str, str]]:
    return list(
        Consent.objects.filter(candidate=candidate)
        .order_by("id")
        .values_list("purpose", "granted", "text_version", "method")
    )


def test_step_5_shows_each_purpose_unchecked_with_its_text(signed_in, draft):
    at_step(draft, 5)

    html = signed_in.get(step_url(5)).content.decode()

    for purpose, consent in CONSENT_TEXTS.items():
        checkbox = re.search(rf'<input type="checkbox" name="{purpose}"[^>]*>', html)[0]
        assert "checked" not in checkbox
        assert f'aria-describedby="id_{purpose}_helptext"' in checkbox
        assert str(consent.text).replace("'", "&#x27;") in html
        assert str(consent.explanation) in html  # crispy-forms shows help texts as they are


def test_step_5_records_one_row_per_purpose_and_opens_the_review(signed_in, draft):
    at_step(draft, 5)

    response = signed_in.post(step_url(5), {"coaching": "on", "sharing": "on"})

    assert response.status_code == 302 and response["Location"] == REVIEW
    v = {purpose: consent.version for purpose, consent in CONSENT_TEXTS.items()}
    assert consent_rows(draft) == [
        ("coaching", True, v["coaching"], "registration_form"),
        ("sharing", True, v["sharing"], "registration_form"),
        ("news", False, v["news"], "registration_form"),
    ]
    draft.refresh_from_db()
    assert draft.registration_step == 6


def test_coaching_consent_is_required(signed_in, draft):
    at_step(draft, 5)

    response = signed_in.post(step_url(5), {"sharing": "on", "news": "on"})

    assert response.status_code == 200
    assert "Ce consentement est nécessaire pour continuer" in response.content.decode()
    assert consent_rows(draft) == []


def test_answering_again_records_only_what_changed(signed_in, draft):
    at_step(draft, 5)
    signed_in.post(step_url(5), {"coaching": "on", "sharing": "on"})

    signed_in.post(step_url(5), {"coaching": "on", "sharing": "on"})
    assert len(consent_rows(draft)) == 3

    signed_in.post(step_url(5), {"coaching": "on", "news": "on"})
    assert consent_rows(draft)[3:] == [
        ("sharing", False, CONSENT_TEXTS["sharing"].version, "registration_form"),
        ("news", True, CONSENT_TEXTS["news"].version, "registration_form"),
    ]
    html = signed_in.get(step_url(5)).content.decode()
    assert re.search(r'<input type="checkbox" name="news"[^>]*checked', html)
    assert not re.search(r'<input type="checkbox" name="sharing"[^>]*checked', html)


# --- Review and submission --------------------------------------------------------------------


def test_the_review_shows_every_answer_with_a_link_to_edit_each_step(signed_in, draft, territories):
    complete(draft, territory=territories[0])

    html = signed_in.get(REVIEW).content.decode()

    for text in (
        draft.full_name,
        "Personne immigrante",
        "Sénégal",
        "Résident·e permanent·e",
        "Soins infirmiers",
        "Travailler dans un CLSC.<br>Puis me spécialiser.",
        territories[0].name,
        "D&#x27;ici 6 mois",
        "Louer un logement",
        "Randonnée, ski de fond",
    ):
        assert text in html, text
    for step in (2, 3, 4, 5):
        assert f'href="{step_url(step)}?retour=verification"' in html
    assert "Envoyer mon inscription" in html


def test_the_review_shows_the_phone_number_in_national_format(signed_in, draft, territories):
    complete(draft, territory=territories[0])
    Candidate.objects.filter(pk=draft.pk).update(phone="+15145550123")

    assert "(514) 555-0123" in signed_in.get(REVIEW).content.decode()


def test_a_step_opened_from_the_review_goes_back_to_it(signed_in, draft):
    complete(draft)

    html = signed_in.get(step_url(3) + "?retour=verification").content.decode()
    assert '<input type="hidden" name="retour" value="verification">' in html

    response = signed_in.post(step_url(3), {**WORK, "retour": "verification"})
    assert response["Location"] == REVIEW


def test_submitting_puts_the_file_in_the_counsellors_queue(client, signed_in, draft, territories):
    complete(draft, territory=territories[0])

    response = signed_in.post(REVIEW, follow=True)

    assert response.redirect_chain == [(MY_FILE, 302)]
    assert "Votre inscription est envoyée" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == CandidateStatus.NEW
    assert draft.submitted_at is not None
    assert list(Candidate.objects.awaiting_triage()) == [draft]
    event = CandidateEvent.objects.filter(candidate=draft).latest("id")
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        CandidateEvent.Kind.STATUS_CHANGED,
        CandidateStatus.DRAFT,
        CandidateStatus.NEW,
        draft.user,
    )
    counsellor = Client()
    counsellor.force_login(CounsellorFactory())
    assert draft.full_name in counsellor.get(reverse("counselling:queue")).content.decode()


def test_a_draft_is_not_in_the_queue(draft):
    complete(draft)

    assert not Candidate.objects.awaiting_triage().exists()


def test_submitting_twice_sends_once(signed_in, draft):
    complete(draft)
    signed_in.post(REVIEW)

    response = signed_in.post(REVIEW, follow=True)

    assert "déjà été envoyée" in response.content.decode()
    assert CandidateEvent.objects.filter(candidate=draft, to_status=CandidateStatus.NEW).count() == 1


def incomplete(kind: str, candidate: Candidate) -> None:
    if kind == "profile":
        Candidate.objects.filter(pk=candidate.pk).update(profile_kind="")
    elif kind == "country":
        Candidate.objects.filter(pk=candidate.pk).update(country_of_origin="")
    elif kind == "arrival":
        Candidate.objects.filter(pk=candidate.pk).update(arrival_date=None)
    elif kind == "targets":
        CandidateTarget.objects.filter(candidate=candidate).delete()
        Candidate.objects.filter(pk=candidate.pk).update(targets_undecided=False)
    elif kind == "coaching":
        Consent.objects.create(
            candidate=candidate, purpose="coaching", granted=False, text_version="x", method="my_file"
        )


@pytest.mark.parametrize(
    ("missing", "step", "words"),
    [
        ("profile", 2, "indiquez la situation"),
        ("country", 2, "pays d&#x27;origine"),
        ("arrival", 2, "date d&#x27;arrivée au Québec"),
        ("targets", 4, "choisissez au moins un territoire"),
        ("coaching", 5, "consentement à l&#x27;accompagnement"),
    ],
)
def test_an_incomplete_file_is_not_sent_and_the_page_says_which_step_to_fix(
    signed_in, draft, territories, missing, step, words
):
    complete(draft, territory=territories[0])
    incomplete(missing, draft)

    review = signed_in.get(REVIEW).content.decode()
    assert "À compléter avant l'envoi" in review and words in review
    assert f'href="{step_url(step)}?retour=verification"' in review
    assert "Envoyer mon inscription" not in review

    response = signed_in.post(REVIEW, follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [(REVIEW, 302)]
    assert f"Votre inscription n&#x27;est pas complète. Étape {step}" in html
    draft.refresh_from_db()
    assert draft.status == CandidateStatus.DRAFT and draft.submitted_at is None
    assert not Candidate.objects.awaiting_triage().exists()


def test_candidate_submit_lists_every_problem(draft):
    at_step(draft, 6)

    with pytest.raises(IncompleteRegistration) as caught:
        candidate_submit(candidate=draft)

    assert [step for step, _ in caught.value.problems] == [2, 4, 5]
    assert str(caught.value).startswith("Votre inscription n'est pas complète. Étape 2 (Parcours)")
    assert isinstance(caught.value, CandidateError)


def test_candidate_submit_refuses_a_file_already_sent():
    candidate = CandidateFactory(status=CandidateStatus.COACHING)

    with pytest.raises(CandidateError, match="déjà été envoyée"):
        candidate_submit(candidate=candidate)


def test_after_sending_the_steps_update_the_file_without_sending_it_again(signed_in, draft, territories):
    complete(draft, territory=territories[0])
    signed_in.post(REVIEW)
    events = CandidateEvent.objects.count()

    response = signed_in.post(step_url(3), {**WORK, "occupation_field": "Pharmacie"}, follow=True)

    assert response.redirect_chain == [(MY_FILE, 302)]
    assert "Vos modifications sont enregistrées." in response.content.decode()
    draft.refresh_from_db()
    assert draft.occupation_field == "Pharmacie" and draft.status == CandidateStatus.NEW
    assert CandidateEvent.objects.count() == events
    review = signed_in.get(REVIEW).content.decode()
    assert "Envoyer mon inscription" not in review


def test_a_file_sent_by_other_means_can_open_every_step():
    """Files created whole (candidate_register: demo data, imports) never went through the steps."""
    candidate = CandidateFactory(status=CandidateStatus.NEW)  # registration_step 1
    client = Client()
    client.force_login(candidate.user)

    for step in (2, 3, 4, 5):
        assert client.get(step_url(step)).status_code == 200
    assert client.get(REVIEW).status_code == 200


def test_withdrawing_sharing_at_step_5_withdraws_the_referral_waiting_for_an_answer(client):
    referral = ReferralFactory(candidate=CandidateFactory(status=CandidateStatus.REFERRED))
    client.force_login(referral.candidate.user)

    client.post(step_url(5), {"coaching": "on"})

    referral.refresh_from_db()
    assert referral.status == "withdrawn"
    assert not referral.candidate.has_consent(Consent.Purpose.SHARING)


# --- Hostile input, CSRF, queries -------------------------------------------------------------


def test_html_is_kept_as_text_and_shown_escaped(signed_in, draft, counsellor):
    at_step(draft, 3)
    signed_in.post(step_url(3), {**WORK, "occupation_field": HOSTILE, "goals": HOSTILE})
    at_step(draft, 6)
    draft.refresh_from_db()

    assert draft.occupation_field == HOSTILE
    for html in (signed_in.get(REVIEW).content.decode(), signed_in.get(step_url(3)).content.decode()):
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize("url", [step_url(2), REVIEW])
def test_post_without_csrf_token_is_refused(draft, url):
    at_step(draft, 6)
    client = Client(enforce_csrf_checks=True)
    client.force_login(draft.user)

    response = client.post(url, {"profile_kind": "native"})

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.profile_kind == "" and draft.status == CandidateStatus.DRAFT


def test_the_forms_carry_a_csrf_token(signed_in, draft):
    at_step(draft, 6)

    for url in (step_url(2), step_url(3), step_url(4), step_url(5)):
        assert 'name="csrfmiddlewaretoken"' in signed_in.get(url).content.decode()


@pytest.mark.parametrize(("n_targets", "consent_rounds"), [(1, 1), (3, 50)])
def test_the_review_page_queries_do_not_grow_with_targets_and_consents(
    client, django_assert_num_queries, territories, n_targets, consent_rounds
):
    """Session, user, file (with its counsellor), targets (with territory and region), consents."""
    candidate = complete(CandidateFactory(status=CandidateStatus.DRAFT, target_territory=False, consents=False))
    candidate_save_step(candidate=candidate, step=4, data={"targets": territories[:n_targets]})
    for i in range(consent_rounds):
        candidate_save_step(candidate=candidate, step=5, data={"coaching": True, "sharing": i % 2 == 0, "news": False})
    client.force_login(candidate.user)

    with django_assert_num_queries(5):
        assert client.get(REVIEW).status_code == 200
