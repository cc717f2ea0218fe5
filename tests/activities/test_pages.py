"""The public calendar and the directory's pages with their activities (query counts flat), the
agent's pages (their territories only; the registrants as far as each person's consent goes;
attendance by POST), registering and cancelling from the activity's page, and Mon dossier."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityStatus, Registration, RegistrationStatus
from activities.services import registration_create
from candidates.choices import CandidateStatus
from candidates.models import Consent, FileAccess
from candidates.services import candidate_set_consents
from territories.services import agent_account_ensure
from tests.factories import AgentFactory, CandidateFactory, RegionFactory, TerritoryFactory

from .factories import ActivityFactory, in_days, started

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_calendar_lists_upcoming_activities_with_flat_queries(client):
    region = RegionFactory(code="11")
    territory = TerritoryFactory(region=region)
    ActivityFactory(territory=territory)
    one = queries_for(client, reverse("activities:calendar"))
    for _ in range(29):
        activity = ActivityFactory(territory=TerritoryFactory(region=region))
        registration_create(activity=activity, candidate=CandidateFactory())
    assert queries_for(client, reverse("activities:calendar")) == one
    assert one <= 4


def test_the_calendar_filters_by_region_type_date_and_language(client):
    gaspesie, abitibi = RegionFactory(code="11"), RegionFactory(code="08")
    stay = ActivityFactory(territory=TerritoryFactory(region=gaspesie), title_fr="Séjour Gaspésie")
    ActivityFactory(territory=TerritoryFactory(region=abitibi), title_fr="Séjour Abitibi")
    ActivityFactory(
        territory=TerritoryFactory(region=gaspesie), kind="info_session", title_fr="Séance anglaise", language="en"
    )
    far = in_days(60)
    ActivityFactory(
        territory=TerritoryFactory(region=gaspesie),
        title_fr="Visite lointaine",
        kind="visit",
        language="fr_en",
        starts_at=far,
        ends_at=far + datetime.timedelta(hours=3),
        registration_deadline=far - datetime.timedelta(days=1),
        cancellation_deadline=far,
    )
    ActivityFactory(title_fr="Passée", status=ActivityStatus.CANCELLED)

    def titles(**query) -> set[str]:
        response = client.get(reverse("activities:calendar"), query)
        return {a.title_fr for a in response.context["page"].object_list}

    assert titles() == {"Séjour Gaspésie", "Séjour Abitibi", "Séance anglaise", "Visite lointaine"}
    assert titles(region="11") == {"Séjour Gaspésie", "Séance anglaise", "Visite lointaine"}
    assert titles(kind="exploratory_stay") == {"Séjour Gaspésie", "Séjour Abitibi"}
    assert titles(start=(timezone.localdate() + datetime.timedelta(days=30)).isoformat()) == {"Visite lointaine"}
    assert titles(language="en") == {"Séance anglaise", "Visite lointaine"}  # bilingual counts
    assert client.get(reverse("activities:calendar"), {"kind": "bogus"}).status_code == 400
    assert stay.title_fr in client.get(reverse("activities:detail", args=[stay.pk])).content.decode()


@pytest.mark.parametrize("page", ["region", "territory"])
def test_the_directory_pages_show_upcoming_activities_with_flat_queries(client, page):
    region = RegionFactory(code="11")
    territory = TerritoryFactory(region=region)
    url = (
        reverse("territories:region", args=["11"])
        if page == "region"
        else reverse("territories:detail", args=[territory.code])
    )
    ActivityFactory(territory=territory, title_fr="Séjour de découverte")
    assert "Séjour de découverte" in client.get(url).content.decode()  # a territory's page is kept from here
    one = queries_for(client, url)
    for _ in range(29):
        ActivityFactory(territory=territory)
    client.get(url)  # which territories have activities to come, read again after the changes
    assert queries_for(client, url) == one


def test_a_territory_with_no_activity_to_come_reads_no_calendar_and_shows_a_new_one_at_once(
    client, django_assert_num_queries
):
    territory = TerritoryFactory()
    url = reverse("territories:detail", args=[territory.code])
    ActivityFactory(
        territory=territory, title_fr="Séjour passé", starts_at=timezone.now() - datetime.timedelta(days=400)
    )
    cancelled = ActivityFactory(territory=territory, title_fr="Séjour annulé", status="cancelled")
    client.get(url)
    with django_assert_num_queries(0):
        text = client.get(url).text
    assert "Séjour passé" not in text and "Séjour annulé" not in text
    ActivityFactory(territory=territory, title_fr="Séjour de découverte")
    assert "Séjour de découverte" in client.get(url).text
    cancelled.status = "published"
    cancelled.save()
    assert "Séjour annulé" in client.get(url).text


@pytest.fixture
def agent_client(client, territory, agent):
    client.force_login(agent.user)
    return client


def test_an_agent_publishes_for_their_territory(agent_client, territory):
    other = TerritoryFactory()
    start = timezone.localtime() + datetime.timedelta(days=20)
    data = {
        "territory": territory.pk,
        "kind": "exploratory_stay",
        "title_fr": "Séjour exploratoire d'automne",
        "description_fr": "Trois jours.",
        "starts_at": start.strftime("%Y-%m-%dT09:00"),
        "ends_at": (start + datetime.timedelta(days=2)).strftime("%Y-%m-%dT17:00"),
        "place": "Hôtel de ville",
        "language": "fr",
        "capacity": "12",
        "registration_deadline": (start - datetime.timedelta(days=5)).strftime("%Y-%m-%dT17:00"),
        "cancellation_deadline": (start - datetime.timedelta(days=2)).strftime("%Y-%m-%dT17:00"),
    }
    response = agent_client.post(reverse("activities:agent_new"), {**data, "territory": other.pk})
    assert response.status_code == 400 and not Activity.objects.exists()
    bad = {**data, "registration_deadline": (start + datetime.timedelta(days=1)).strftime("%Y-%m-%dT17:00")}
    response = agent_client.post(reverse("activities:agent_new"), bad)
    assert response.status_code == 400 and "précéder le début" in response.content.decode()

    response = agent_client.post(reverse("activities:agent_new"), data)

    activity = Activity.objects.get()
    assert response.status_code == 302
    assert timezone.localtime(activity.starts_at).hour == 9  # read in Québec's time
    assert activity.territory == territory


def test_an_agent_reaches_only_their_territories_activities(agent_client, territory):
    mine = ActivityFactory(territory=territory)
    other = ActivityFactory()
    assert agent_client.get(reverse("activities:agent_activity", args=[mine.pk])).status_code == 200
    assert agent_client.get(reverse("activities:agent_activity", args=[other.pk])).status_code == 404
    assert agent_client.post(reverse("activities:agent_cancel", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == ActivityStatus.PUBLISHED


def test_someone_who_is_not_an_agent_gets_a_403(client):
    candidate = CandidateFactory()
    client.force_login(candidate.user)
    assert client.get(reverse("activities:agent_home")).status_code == 403


def test_the_agent_sees_registrants_as_far_as_their_consent_goes_and_records_attendance(agent_client, territory, agent):
    activity = ActivityFactory(territory=territory)
    sharing = CandidateFactory(first_name="Amina", last_name="Diallo", occupation_field="Soins infirmiers")
    private = CandidateFactory(first_name="Jonas", last_name="Weber", occupation_field="Génie civil")
    candidate_set_consents(candidate=private, choices={Consent.Purpose.SHARING: False}, method=Consent.Method.MY_FILE)
    for person in (sharing, private):
        registration_create(activity=activity, candidate=person)
    url = reverse("activities:agent_activity", args=[activity.pk])

    page = agent_client.get(url).content.decode()

    assert "Amina Diallo" in page and "Jonas Weber" in page  # the names, to welcome them
    assert "Soins infirmiers" in page and sharing.email in page
    assert "Génie civil" not in page and private.email not in page
    assert set(FileAccess.objects.values_list("candidate_id", flat=True)) == {sharing.pk}

    registration = Registration.objects.get(candidate=sharing)
    assert agent_client.get(reverse("activities:agent_attendance", args=[activity.pk])).status_code == 405
    started(activity)
    response = agent_client.post(
        reverse("activities:agent_attendance", args=[activity.pk]), {"registration": registration.pk, "attended": "1"}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.attended is True and registration.attendance_recorded_by == agent


def test_the_agent_page_queries_stay_flat(agent_client, territory):
    activity = ActivityFactory(territory=territory, capacity=40)
    registration_create(activity=activity, candidate=CandidateFactory())
    url = reverse("activities:agent_activity", args=[activity.pk])
    one = queries_for(agent_client, url)
    for _ in range(29):
        registration_create(activity=activity, candidate=CandidateFactory())
    assert queries_for(agent_client, url) == one


def test_a_candidate_registers_and_cancels_from_the_activity_page(client, django_capture_on_commit_callbacks):
    activity = ActivityFactory(capacity=1)
    candidate = CandidateFactory()
    client.force_login(candidate.user)
    detail = reverse("activities:detail", args=[activity.pk])
    assert "Je m'inscris" in client.get(detail).content.decode()
    assert client.get(reverse("activities:register", args=[activity.pk])).status_code == 405

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("activities:register", args=[activity.pk]))

    assert response.status_code == 302
    registration = Registration.objects.get(candidate=candidate)
    assert registration.status == RegistrationStatus.REGISTERED
    my_file = client.get(reverse("my_file:home")).content.decode()
    assert activity.title_fr in my_file
    assert "Cache-Control" in client.get(detail) and "no-store" in client.get(detail)["Cache-Control"]

    client.post(reverse("activities:cancel_registration", args=[activity.pk]))
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_a_draft_file_cannot_register(client):
    activity = ActivityFactory()
    candidate = CandidateFactory(status=CandidateStatus.DRAFT)
    client.force_login(candidate.user)
    assert "Je m'inscris" not in client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    client.post(reverse("activities:register", args=[activity.pk]))
    assert not Registration.objects.exists()


def test_an_agent_without_an_account_link_is_still_refused(client):
    agent = AgentFactory(territories=[TerritoryFactory()])
    agent_account_ensure(agent=agent)
    agent.is_active = False
    agent.save()
    client.force_login(agent.user)
    assert client.get(reverse("activities:agent_home")).status_code == 403


def test_an_attended_sejour_shows_on_mon_dossier_and_on_the_counsellor_s_checklist(client, territory, agent):
    from activities.services import attendance_record
    from tests.factories import CounsellorFactory

    counsellor = CounsellorFactory()
    candidate = CandidateFactory(counsellor=counsellor, status=CandidateStatus.COACHING)
    stay = ActivityFactory(territory=territory)
    registration = registration_create(activity=stay, candidate=candidate)
    started(stay)
    attendance_record(registration=registration, agent=agent, attended=True)

    client.force_login(candidate.user)
    assert "Séjour exploratoire suivi" in client.get(reverse("my_file:home")).content.decode()
    client.force_login(counsellor)
    page = client.get(reverse("counselling:file", args=[candidate.pk])).content.decode()
    assert f"Séjour exploratoire le {timezone.localdate(stay.starts_at).day}" in page
    assert territory.name in page


def test_the_export_of_mon_dossier_carries_the_registrations(client):
    import io
    import json
    import zipfile

    activity = ActivityFactory(title_fr="Séjour exploratoire d'hiver")
    candidate = CandidateFactory()
    registration_create(activity=activity, candidate=candidate)
    client.force_login(candidate.user)

    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("my_file:export")).content))
    data = json.loads(archive.read("mon-dossier.json"))

    [row] = data["activities"]
    assert row["activity"] == "Séjour exploratoire d'hiver" and row["status"] == "registered"
    assert "Séjour exploratoire d'hiver" in archive.read("mon-dossier.csv").decode()


def test_an_agent_changes_an_upcoming_activity_never_below_its_registrants(agent_client, territory):
    activity = ActivityFactory(territory=territory, capacity=2)
    for _ in range(2):
        registration_create(activity=activity, candidate=CandidateFactory())
    waiting = registration_create(activity=activity, candidate=CandidateFactory())
    url = reverse("activities:agent_edit", args=[activity.pk])
    form = agent_client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data = {
        name: (value.strftime("%Y-%m-%dT%H:%M") if hasattr(value, "strftime") else value)
        for name, value in data.items()
    }

    response = agent_client.post(url, {**data, "capacity": "1"})
    assert response.status_code == 400 and "ne peut pas être plus petit" in response.content.decode()

    response = agent_client.post(url, {**data, "capacity": "3", "title_fr": "Séjour prolongé"})
    assert response.status_code == 302
    activity.refresh_from_db()
    waiting.refresh_from_db()
    assert (activity.capacity, activity.title_fr) == (3, "Séjour prolongé")
    assert waiting.status == RegistrationStatus.REGISTERED  # the waiting list moved up
    assert agent_client.get(reverse("activities:agent_edit", args=[ActivityFactory().pk])).status_code == 404


def test_mon_dossier_offers_the_next_activities_of_the_person_s_target_territories(client):
    home = TerritoryFactory()
    candidate = CandidateFactory(target_territory=home)
    ActivityFactory(territory=home, title_fr="Visite chez nous")
    ActivityFactory(title_fr="Ailleurs")
    client.force_login(candidate.user)
    page = client.get(reverse("my_file:home")).content.decode()
    assert "Visite chez nous" in page and "Ailleurs" not in page


def test_a_person_on_the_waiting_list_sees_their_place_in_line(client):
    activity = ActivityFactory(capacity=1)
    for _ in range(2):
        registration_create(activity=activity, candidate=CandidateFactory())
    candidate = CandidateFactory()
    registration_create(activity=activity, candidate=candidate)
    client.force_login(candidate.user)
    assert client.get(reverse("activities:detail", args=[activity.pk])).context["position"] == 2


def test_the_agent_s_list_queries_stay_flat(agent_client, territory):
    ActivityFactory(territory=territory)
    url = reverse("activities:agent_home")
    one = queries_for(agent_client, url)
    for _ in range(29):
        registration_create(activity=ActivityFactory(territory=territory), candidate=CandidateFactory())
    assert queries_for(agent_client, url) == one
