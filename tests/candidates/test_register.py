"""Step 1 of the registration: allauth's sign-up with the file's identity fields, then the
emailed code. Enumeration-safe: an address that already has an account gets the same page."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from candidates.models import Candidate, CandidateEvent, CandidateStatus, years_ago
from tests.factories import CandidateFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("candidates:register")
CODE_URL = reverse("account_email_verification_sent")


@pytest.fixture
def valid():
    return {
        "first_name": "Amina",
        "last_name": "Diallo",
        "email": "Amina.Diallo@Example.org",
        "password1": "une-phrase-de-passe-2026",
        "date_of_birth": years_ago(27).isoformat(),
        "phone": "514 555-0123",
        "language": "fr-ca",
    }


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def post(data, url=URL, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, **kwargs)

    return post


def code_in(message) -> str:
    return re.search(r"^([A-Z0-9]{4}-?[A-Z0-9]{4})$", message.body, re.M).group(1)


def nothing_saved() -> bool:
    return not (User.objects.exists() or Candidate.objects.exists())


def test_step_one_shows_the_progress(client):
    html = client.get(URL).content.decode()

    assert "Étape 1 sur 5" in html
    assert 'aria-valuenow="1"' in html


def test_signup_opens_a_draft_file_and_asks_for_the_emailed_code(post, valid, mailoutbox):
    response = post(valid)

    assert response.status_code == 302 and response["Location"] == CODE_URL
    candidate = Candidate.objects.get()
    assert candidate.status == CandidateStatus.DRAFT
    assert (candidate.first_name, candidate.email, str(candidate.phone)) == (
        "Amina",
        "amina.diallo@example.org",
        "+15145550123",
    )
    assert candidate.user.email == "amina.diallo@example.org"
    assert candidate.user.check_password(valid["password1"])
    assert CandidateEvent.objects.get().kind == CandidateEvent.Kind.REGISTERED
    assert not EmailAddress.objects.get().verified
    assert [m.to for m in mailoutbox] == [["amina.diallo@example.org"]]
    assert code_in(mailoutbox[0])
    assert not Candidate.objects.awaiting_triage().exists()  # not in the counsellors' queue yet


def test_the_emailed_code_verifies_the_address_and_signs_in(client, post, valid, mailoutbox):
    post(valid)

    response = post({"code": code_in(mailoutbox[0])}, url=CODE_URL)

    assert response.status_code == 302
    assert EmailAddress.objects.get().verified
    assert client.get(reverse("my_file:home")).status_code == 200


def test_a_wrong_code_is_refused(client, post, valid):
    post(valid)

    response = post({"code": "ZZZZZZ"}, url=CODE_URL)

    assert response.status_code == 200
    assert not EmailAddress.objects.get().verified


def test_an_address_with_an_account_gets_the_same_page_and_its_owner_an_email(post, valid, mailoutbox):
    owner = UserFactory(email="amina.diallo@example.org")

    response = post({**valid, "email": "AMINA.DIALLO@example.org"})

    assert response.status_code == 302 and response["Location"] == CODE_URL
    assert User.objects.get() == owner
    assert not Candidate.objects.exists()
    assert [m.to for m in mailoutbox] == [[owner.email]]


def test_under_18_cannot_register(client, valid):
    response = client.post(URL, {**valid, "date_of_birth": (years_ago(18) + datetime.timedelta(days=1)).isoformat()})

    assert "au moins 18 ans" in response.content.decode()
    assert nothing_saved()


def test_18_today_can_register(post, valid):
    post({**valid, "date_of_birth": years_ago(18).isoformat()})

    assert Candidate.objects.get().age == 18


def test_over_35_can_register_and_the_file_is_flagged(post, valid):
    post({**valid, "date_of_birth": years_ago(36).isoformat()})

    candidate = Candidate.objects.get()
    assert candidate.is_outside_age_range
    assert Candidate.objects.outside_age_range().get() == candidate


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "Ce champ est obligatoire"),
        ("first_name", "   ", "Ce champ est obligatoire"),
        ("first_name", "x" * 101, "au plus 100 caractères"),
        ("last_name", "Diallo\x00", "caractère nul"),
        ("last_name", "Diallo\x1b[31m", "caractères non permis"),
        ("email", "pas-une-adresse", "adresse"),
        ("email", "a" * 250 + "@example.org", "trop longue"),
        ("email", "a" * 65 + "@example.org", "trop longue"),
        ("password1", "12345678901", "entièrement numérique"),
        ("password1", "court", "trop court"),
        ("date_of_birth", "2001-02-30", "Cette date n&#x27;existe pas : vérifiez le jour et le mois."),
        ("date_of_birth", "pas une date", "Indiquez le jour."),
        ("date_of_birth", "", "Indiquez votre date de naissance."),
        ("date_of_birth", (timezone.localdate() + datetime.timedelta(days=3)).isoformat(), "dans le futur"),
        ("date_of_birth", "1890-01-01", "Vérifiez l&#x27;année"),
        ("phone", "123", "numéro de téléphone"),
        ("phone", "<script>", "numéro de téléphone"),
        ("language", "de", "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(client, valid, field, value, message):
    response = client.post(URL, {**valid, field: value})

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html, html[html.find("invalid-feedback") - 200 : html.find("invalid-feedback") + 400]
    assert "Le formulaire contient des erreurs" in html
    assert nothing_saved()


def test_html_in_a_name_is_kept_as_text_and_shown_escaped(client, post, valid, counsellor):
    post({**valid, "first_name": "<script>alert(1)</script>"})
    candidate = Candidate.objects.get()
    Candidate.objects.filter(pk=candidate.pk).update(status=CandidateStatus.NEW)  # sent: counsellors see it
    client.force_login(counsellor)

    html = client.get(reverse("counselling:file", args=[candidate.pk])).content.decode()

    assert candidate.first_name == "<script>alert(1)</script>"
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_post_without_csrf_token_is_refused(valid):
    response = Client(enforce_csrf_checks=True).post(URL, valid)

    assert response.status_code == 403
    assert nothing_saved()


def test_allauth_signup_url_leads_to_the_registration(client):
    assert client.get("/comptes/signup/")["Location"] == URL


def test_a_signed_in_candidate_is_sent_on(client):
    client.force_login(CandidateFactory().user)

    assert client.get(URL).status_code == 302


def test_the_verification_email_repeats_nothing_the_visitor_typed(post, valid, mailoutbox):
    """Anyone can sign up with anyone's address: the email sent there carries the code and the
    platform's words only, not a name that could be a message or a link."""
    post({**valid, "first_name": "Gagnez", "last_name": "https://arnaque.example/prix"})

    message = mailoutbox[0]
    assert code_in(message)
    for text in ("Gagnez", "arnaque", "https://arnaque"):
        assert text not in message.body and text not in message.subject
        assert all(text not in body for body, _mimetype in getattr(message, "alternatives", []))


def test_invisible_formatting_characters_are_dropped_from_names(post, valid):
    """A right-to-left override would show the name reversed to staff; a zero-width space would
    make two names that look alike differ."""
    post({**valid, "first_name": "Am\u202eina", "last_name": "Dia\u200bllo"})

    candidate = Candidate.objects.get()
    assert (candidate.first_name, candidate.last_name) == ("Amina", "Diallo")
    assert (candidate.user.first_name, candidate.user.last_name) == ("Amina", "Diallo")


# --- The date of birth in three parts, the language of the site --------------------------------


def parts(day, month, year) -> dict[str, str]:
    return {"date_of_birth_0": day, "date_of_birth_1": month, "date_of_birth_2": year}


def test_the_date_of_birth_is_asked_in_three_labelled_parts(client):
    html = client.get(URL).content.decode()

    fieldset = html.split('<fieldset class="mb-3"')[1].split("</fieldset>")[0]
    assert "<legend" in fieldset and "Date de naissance" in fieldset
    for number, label in enumerate(("Jour", "Mois", "Année")):
        assert re.search(rf'<label[^>]*for="id_date_of_birth_{number}"[^>]*>\s*{label}\s*</label>', fieldset)
    assert '<option value="3">mars</option>' in fieldset
    assert 'type="date"' not in html


def test_the_date_of_birth_parts_make_the_date(post, valid, mailoutbox):
    born = years_ago(27)
    data = {key: value for key, value in valid.items() if key != "date_of_birth"}

    post({**data, **parts(str(born.day), str(born.month), str(born.year))})

    assert Candidate.objects.get().date_of_birth == born


@pytest.mark.parametrize(
    ("day", "month", "year", "messages"),
    [
        ("", "3", "1998", ["Indiquez le jour."]),
        ("15", "", "", ["Choisissez le mois.", "Indiquez l&#x27;année."]),
        ("31", "4", "1998", ["Cette date n&#x27;existe pas : vérifiez le jour et le mois."]),
        (
            "xx",
            "3",
            "98",
            ["Le jour s&#x27;écrit en chiffres, de 1 à 31.", "L&#x27;année s&#x27;écrit avec quatre chiffres"],
        ),
        ("15", "13", "1998", ["Choisissez le mois dans la liste."]),
    ],
)
def test_each_wrong_part_of_the_date_is_named_and_kept(client, valid, day, month, year, messages):
    data = {key: value for key, value in valid.items() if key != "date_of_birth"}

    html = client.post(URL, {**data, **parts(day, month, year)}).content.decode()

    error = html.split('id="id_date_of_birth_error"')[1].split("</div>")[0]
    for message in messages:
        assert message in error
    assert f'name="date_of_birth_0" value="{day}"' in html or not day
    assert f'name="date_of_birth_2" value="{year}"' in html or not year
    assert 'aria-invalid="true"' in html.split("<fieldset")[1]
    assert nothing_saved()


def test_the_date_of_birth_reads_in_english(client):
    client.cookies["django_language"] = "en"

    html = client.get(URL).content.decode()

    fieldset = html.split('<fieldset class="mb-3"')[1].split("</fieldset>")[0]
    assert "Date of birth" in fieldset and ">March</option>" in fieldset
    for label in ("Day", "Month", "Year"):
        assert re.search(rf">\s*{label}\s*</label>", fieldset)


@pytest.mark.parametrize(("language", "preset"), [("fr-ca", "fr-ca"), ("en", "en")])
def test_the_correspondence_language_follows_the_site_language(client, language, preset):
    client.cookies["django_language"] = language

    html = client.get(URL).content.decode()

    checked = re.search(r'<input[^>]*name="language"[^>]*checked[^>]*>', html).group(0)
    assert f'value="{preset}"' in checked
