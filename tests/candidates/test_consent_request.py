import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.models import CandidateEvent, CandidateStatus, Consent
from candidates.services import CandidateError, candidate_request_sharing_consent
from tests.factories import AgentFactory, CandidateFactory, TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def without_sharing(**kwargs):
    kwargs.setdefault("status", CandidateStatus.COACHING)
    candidate = CandidateFactory(consents=False, **kwargs)
    Consent.objects.create(
        candidate=candidate, purpose="coaching", granted=True, text_version="t", method="registration_form"
    )
    return candidate


def url(candidate) -> str:
    return reverse("counselling:request_sharing_consent", args=[candidate.pk])


def test_the_file_says_consent_is_missing_and_offers_to_ask(client, counsellor):
    candidate = without_sharing()
    client.force_login(counsellor)

    html = client.get(reverse("counselling:file", args=[candidate.pk])).content.decode()

    assert "pas consenti au partage de son dossier" in html
    assert f'action="{url(candidate)}"' in html


def test_no_offer_when_consent_is_given(client, counsellor):
    candidate = CandidateFactory(status=CandidateStatus.COACHING)
    client.force_login(counsellor)

    assert url(candidate) not in client.get(reverse("counselling:file", args=[candidate.pk])).content.decode()


def test_asking_emails_the_person_once_a_day_and_marks_the_timeline(
    client, counsellor, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://plateforme.example.org"
    candidate = without_sharing(first_name="<b>Amina</b>")
    client.force_login(counsellor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(candidate), follow=True)

    assert "Demande envoyée" in response.content.decode()
    [message] = mailoutbox
    assert message.to == [candidate.email]
    assert "https://plateforme.example.org/mon-dossier/consentements/" in message.body
    assert "&lt;b&gt;Amina&lt;/b&gt;" in message.alternatives[0].content
    event = CandidateEvent.objects.get(candidate=candidate, kind=CandidateEvent.Kind.CONSENT_REQUESTED)
    assert event.actor == counsellor

    again = client.post(url(candidate), follow=True)

    assert "dernières 24 heures" in again.content.decode()
    assert len(mailoutbox) == 1
    CandidateEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(candidate))
    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda: CandidateFactory(status=CandidateStatus.COACHING), "déjà consenti"),
        (lambda: without_sharing(status=CandidateStatus.CLOSED), "pas ouvert"),
    ],
)
def test_refused_requests_change_nothing(counsellor, mailoutbox, setup, message):
    candidate = setup()

    with pytest.raises(CandidateError, match=message):
        candidate_request_sharing_consent(candidate=candidate, by=counsellor)
    assert not CandidateEvent.objects.filter(kind=CandidateEvent.Kind.CONSENT_REQUESTED).exists()
    assert mailoutbox == []


def test_only_counsellors_ask_by_post_with_csrf(client, counsellor):
    candidate = without_sharing()

    assert client.post(url(candidate)).status_code == 302  # to sign in
    client.force_login(candidate.user)
    assert client.post(url(candidate)).status_code == 403
    client.force_login(counsellor)
    assert client.get(url(candidate)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(counsellor)
    assert strict.post(url(candidate)).status_code == 403
    with pytest.raises(CandidateError):
        candidate_request_sharing_consent(candidate=candidate, by=UserFactory())
    assert not CandidateEvent.objects.filter(kind=CandidateEvent.Kind.CONSENT_REQUESTED).exists()


def test_the_refer_form_shows_each_target_territorys_active_agents(client, counsellor):
    first, second, elsewhere = (
        TerritoryFactory(name="Kamouraska"),
        TerritoryFactory(name="La Mitis"),
        TerritoryFactory(),
    )
    candidate = CandidateFactory(target_territory=first, status=CandidateStatus.COACHING)
    candidate.targets.create(territory=second, rank=2)
    AgentFactory(first_name="Julie", last_name="Pelletier", territories=[first, elsewhere])
    AgentFactory(first_name="Marc", last_name="Ouellet", territories=[second])
    AgentFactory(first_name="Inactive", last_name="Agent", territories=[first], is_active=False)
    client.force_login(counsellor)

    html = client.get(reverse("counselling:file", args=[candidate.pk])).content.decode()

    section = html[html.index('id="agents-territoires"') :]
    section = section[: section.index("</ul>")]
    assert section.index("Kamouraska") < section.index("Julie Pelletier") < section.index("La Mitis")
    assert section.index("La Mitis") < section.index("Marc Ouellet")
    assert section.count("Julie Pelletier") == 1
    assert "Inactive" not in section
