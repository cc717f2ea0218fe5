"""The privacy officer's admin of people's files: an access request exports everything held on one
person as a ZIP with the CV; "anonymize" takes a reason and goes through the one anonymization
path; nobody but the officers sees any of it."""

import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse

from candidates.choices import CandidateStatus
from candidates.models import AccessKind, Candidate, CandidateEvent, FileAccess
from candidates.services import coaching_note_add
from privacy.officers import OFFICER_GROUP
from referrals.models import FollowUp, Referral
from referrals.services import referral_accept, referral_send
from tests.factories import CandidateFactory, CoordinatorFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:privacy_personfile_changelist")


@pytest.fixture
def officer(client):
    user = CoordinatorFactory()
    user.groups.add(Group.objects.get_or_create(name=OFFICER_GROUP)[0])
    client.force_login(user)
    return user


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def act(client, action: str, files, follow: bool = False, **data):
    data = {"action": action, "_selected_action": [f.pk for f in files], **data}
    return client.post(CHANGELIST, data, follow=follow)


def test_only_officers_see_people_s_files(client):
    coordinator = CoordinatorFactory()
    client.force_login(coordinator)

    assert client.get(CHANGELIST).status_code == 403
    assert "personfile" not in client.get(reverse("admin:index")).content.decode()
    response = act(client, "access_request", [CandidateFactory()])
    assert response.status_code == 403


def test_the_officer_finds_a_file_by_number_or_name(client, officer):
    candidate = CandidateFactory(first_name="Odile", last_name="Quarmbly")
    CandidateFactory(first_name="Odile", last_name="Autre")

    response = client.get(CHANGELIST, {"q": "Quarmbly"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert client.get(CHANGELIST, {"q": str(candidate.pk)}).context["cl"].result_count == 1
    assert client.get(CHANGELIST, {"q": "quarmbly ODILE"}).context["cl"].result_count == 1  # every word


def test_an_access_request_exports_everything_held_with_the_cv(
    client, officer, counsellor, territory, agent, media_root
):
    candidate = CandidateFactory(counsellor=counsellor, target_territory=territory, mature=counsellor)
    candidate.cv_filename = "Mon CV.pdf"
    candidate.cv.save("stored.pdf", ContentFile(b"%PDF-1.4 cv"), save=True)
    coaching_note_add(candidate=candidate, by=counsellor, text="Note du conseiller")
    referral = referral_send(candidate=candidate, territories=[territory], by=counsellor, message="Message à l'agente")
    referral_accept(referral=referral, agent=agent)
    FollowUp.objects.create(referral=referral, step="first_contact", occurred_on="2026-11-02", note="Note de suivi")

    response = act(client, "access_request", [candidate])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"demande-acces-dossier-{candidate.pk}.zip" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = set(archive.namelist())
        data = json.loads(archive.read("dossier.json"))
        cv = archive.read("cv/Mon CV.pdf")
    assert {"LISEZ-MOI.txt", "dossier.json", "file.csv", "coaching_notes.csv", "referrals.csv"} <= names
    assert cv == b"%PDF-1.4 cv"
    assert data["file"][0]["email"] == candidate.email
    assert data["account"][0]["email"] == candidate.email and "password" not in data["account"][0]
    assert [note["text"] for note in data["coaching_notes"]] == ["Note du conseiller"]
    assert data["referrals"][0]["message"] == "Message à l'agente"
    assert [f["note"] for f in data["follow_ups"]] == ["Note de suivi"]
    assert data["consents"][0]["wording"]  # the words the person agreed to
    assert data["emails"], "the emails sent to and about the person"
    assert all("body" not in email for email in data["emails"])  # secrets (links, codes) stay out
    assert all("token_hash" not in link for link in data["referral_links"])
    assert data["access_log"]
    # The request itself is a reading of the file, logged.
    assert FileAccess.objects.filter(candidate=candidate, user=officer, kind=AccessKind.ACCESS_REQUEST).exists()


def test_an_access_request_works_for_a_file_without_an_account(client, officer):
    candidate = CandidateFactory(user=None)

    response = act(client, "access_request", [candidate])

    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        data = json.loads(archive.read("dossier.json"))
    assert data["account"] == [] and data["file"][0]["id"] == candidate.pk


def test_an_access_request_is_for_one_file_at_a_time(client, officer):
    response = act(client, "access_request", [CandidateFactory(), CandidateFactory()], follow=True)

    assert response.status_code == 200
    assert "Choisissez un seul dossier" in response.content.decode()


def test_anonymizing_asks_for_a_reason_and_a_confirmation_then_uses_the_one_path(client, officer):
    candidate = CandidateFactory(user=None, status=CandidateStatus.COACHING)  # created by an agent

    form = act(client, "anonymize", [candidate])
    assert form.status_code == 200
    assert "Anonymiser définitivement" in form.content.decode()

    refused = act(client, "anonymize", [candidate], apply="1", reason="person_request", reference="D-2026-04")
    assert refused.status_code == 200  # without the confirmation: the form again
    assert Candidate.objects.get(pk=candidate.pk).anonymized_at is None

    done = act(
        client, "anonymize", [candidate], apply="1", reason="person_request", reference="D-2026-04", confirm="on"
    )

    assert done.status_code == 302
    candidate.refresh_from_db()
    assert candidate.anonymized_at is not None and candidate.status == CandidateStatus.CLOSED
    event = CandidateEvent.objects.get(candidate=candidate, code="anonymized")
    assert (event.params, event.note, event.actor) == ({"reason": "person_request"}, "D-2026-04", officer)


def test_anonymizing_twice_says_so(client, officer):
    candidate = CandidateFactory()
    data = {"apply": "1", "reason": "officer", "confirm": "on"}
    act(client, "anonymize", [candidate], **data)

    response = act(client, "anonymize", [candidate], follow=True, **data)

    assert response.status_code == 200
    assert "déjà anonymisé" in response.content.decode()


def test_a_pending_referral_is_withdrawn_when_the_officer_anonymizes(client, officer, counsellor, territory):
    candidate = CandidateFactory(counsellor=counsellor, target_territory=territory, mature=counsellor)
    referral = referral_send(candidate=candidate, territories=[territory], by=counsellor, message="Bonjour")

    act(client, "anonymize", [candidate], apply="1", reason="officer", confirm="on")

    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status == "withdrawn" and referral.message == ""
