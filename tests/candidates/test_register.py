import pytest
from django.urls import reverse

from accounts.models import User
from candidates.models import Candidate, CandidateEvent, CandidateStatus, Consent
from tests.factories import TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("candidates:register")


@pytest.fixture
def valid(territory):
    return {
        "first_name": "Amina",
        "last_name": "Diallo",
        "email": "Amina.Diallo@Example.org",
        "password": "une-phrase-de-passe-2026",
        "profile_kind": "immigrant",
        "target_territory": str(territory.pk),
        "consent": "on",
    }


def nothing_saved() -> bool:
    return not (User.objects.exists() or Candidate.objects.exists() or Consent.objects.exists())


def test_home_links_to_the_registration_form(client):
    response = client.get(reverse("candidates:home"))

    assert response.status_code == 200
    assert response["Content-Language"] == "fr-ca"
    assert URL in response.content.decode()


def test_form_lists_active_territories_grouped_by_region(client, territory):
    inactive = TerritoryFactory(is_active=False, name="Territoire fermé")

    html = client.get(URL).content.decode()

    assert f'<optgroup label="{territory.region}">' in html
    assert territory.name in html
    assert inactive.name not in html


def test_valid_registration_creates_account_file_consents_and_signs_in(client, valid, territory):
    response = client.post(URL, valid)

    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:my_file")
    candidate = Candidate.objects.get()
    assert candidate.email == "amina.diallo@example.org"
    assert candidate.user.email == "amina.diallo@example.org"
    assert candidate.user.check_password(valid["password"])
    assert candidate.user.role == User.Role.CANDIDATE
    assert candidate.status == CandidateStatus.NEW
    assert candidate.first_target == territory
    assert candidate.has_consent(Consent.Purpose.COACHING)
    assert candidate.has_consent(Consent.Purpose.SHARING)
    assert CandidateEvent.objects.get().kind == CandidateEvent.Kind.REGISTERED
    assert client.get(reverse("candidates:my_file")).status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("consent", None, "Ce consentement est nécessaire"),
        ("email", "pas-une-adresse", "Saisissez une adresse de courriel valide"),
        ("password", "12345678901", "entièrement numérique"),
        ("password", "court", "trop court"),
        ("first_name", "", "Ce champ est obligatoire"),
        ("first_name", "x" * 101, "au plus 100 caractères"),
        ("profile_kind", "martien", "Sélectionnez un choix valide"),
        ("target_territory", "999999", "Sélectionnez un choix valide"),
        ("target_territory", "abc", "Sélectionnez un choix valide"),
    ],
)
def test_invalid_input_rerenders_with_a_message_and_saves_nothing(client, valid, field, value, message):
    data = {**valid}
    if value is None:
        del data[field]
    else:
        data[field] = value

    response = client.post(URL, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Le formulaire contient des erreurs" in html
    assert nothing_saved()


def test_inactive_territory_is_refused(client, valid):
    closed = TerritoryFactory(is_active=False)

    response = client.post(URL, {**valid, "target_territory": closed.pk})

    assert response.status_code == 200
    assert nothing_saved()


def test_email_already_registered_is_refused_whatever_its_case(client, valid):
    UserFactory(email="amina.diallo@example.org")

    response = client.post(URL, {**valid, "email": "AMINA.DIALLO@example.org"})

    assert "Un compte existe déjà" in response.content.decode()
    assert Candidate.objects.count() == 0


def test_html_in_names_is_stored_as_text_and_shown_escaped(client, valid, counsellor):
    client.post(URL, {**valid, "first_name": "<script>alert(1)</script>"})
    candidate = Candidate.objects.get()
    client.force_login(counsellor)

    html = client.get(reverse("candidates:queue")).content.decode()

    assert candidate.first_name == "<script>alert(1)</script>"
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_post_without_csrf_token_is_refused(valid):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(URL, valid)

    assert response.status_code == 403
    assert nothing_saved()


def test_signed_in_user_is_sent_to_their_file(client, valid):
    client.post(URL, valid)

    assert client.get(URL)["Location"] == reverse("candidates:my_file")
