import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate, CandidateEvent, CandidateStatus, Consent, years_ago
from candidates.services import CandidateError, candidate_take_on, candidates_assign
from counselling.selectors import business_days_ago
from referrals.models import ReferralStatus
from tests.factories import (
    CandidateFactory,
    CoordinatorFactory,
    CounsellorFactory,
    ReferralFactory,
    RegionFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.history import text_of
from tests.pages import file_url

pytestmark = pytest.mark.django_db

QUEUE = reverse("counselling:queue")
TAKE_ON = reverse("counselling:queue_take_on")
ASSIGN = reverse("counselling:queue_assign")
HTMX_RESULTS = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "queue-results"}


@pytest.fixture
def signed_in(client, counsellor):
    client.force_login(counsellor)
    return client


def names(response) -> set[str]:
    return {candidate.first_name for candidate in response.context["page"]}


# --- Who gets in ----------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client):
    for url, method in ((QUEUE, client.get), (TAKE_ON, client.post), (ASSIGN, client.post)):
        response = method(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["candidate", "agent"])
def test_candidates_and_agents_are_refused(client, role):
    waiting = CandidateFactory()
    client.force_login(UserFactory(role=role))

    assert client.get(QUEUE).status_code == 403
    assert client.post(TAKE_ON, {"candidate": waiting.pk}).status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == CandidateStatus.NEW


@pytest.mark.parametrize("factory", [CounsellorFactory, CoordinatorFactory])
def test_counsellors_and_coordinators_see_the_queue(client, factory):
    client.force_login(factory())

    for tab in ("a-trier", "mes-candidats", "tous", "orientations", "reponses"):
        assert client.get(QUEUE, {"vue": tab}).status_code == 200


# --- The tabs -------------------------------------------------------------------------------------


def test_to_triage_is_new_unassigned_and_consenting(signed_in, counsellor):
    CandidateFactory(first_name="Attente")
    CandidateFactory(first_name="Assignée", counsellor=counsellor)
    CandidateFactory(first_name="SansConsentement", consents=False)
    withdrawn = CandidateFactory(first_name="Retiré")
    Consent.objects.create(
        candidate=withdrawn, purpose=Consent.Purpose.COACHING, granted=False, text_version="t", method="my_file"
    )
    CandidateFactory(first_name="Brouillon", status=CandidateStatus.DRAFT)
    CandidateFactory(first_name="Accompagnée", status=CandidateStatus.COACHING)

    assert names(signed_in.get(QUEUE)) == {"Attente"}
    assert names(signed_in.get(QUEUE, {"vue": "a-trier"})) == {"Attente"}
    assert names(signed_in.get(QUEUE, {"vue": "inconnue"})) == {"Attente"}


def test_my_candidates_are_my_open_files(signed_in, counsellor):
    CandidateFactory(first_name="Mienne", status=CandidateStatus.COACHING, counsellor=counsellor)
    CandidateFactory(first_name="Fermée", status=CandidateStatus.CLOSED, counsellor=counsellor)
    CandidateFactory(first_name="Collègue", status=CandidateStatus.COACHING, counsellor=CounsellorFactory())

    assert names(signed_in.get(QUEUE, {"vue": "mes-candidats"})) == {"Mienne"}


def test_all_files_are_the_open_ones(signed_in):
    CandidateFactory(first_name="Nouvelle")
    CandidateFactory(first_name="Orientée", status=CandidateStatus.REFERRED)
    CandidateFactory(first_name="Brouillon", status=CandidateStatus.DRAFT)
    CandidateFactory(first_name="Fermée", status=CandidateStatus.CLOSED)

    assert names(signed_in.get(QUEUE, {"vue": "tous"})) == {"Nouvelle", "Orientée"}


def test_pending_referrals_tab(signed_in):
    ReferralFactory(candidate=CandidateFactory(first_name="Attend", status=CandidateStatus.REFERRED))
    ReferralFactory(
        candidate=CandidateFactory(first_name="Refusée", status=CandidateStatus.COACHING), status="declined"
    )

    assert names(signed_in.get(QUEUE, {"vue": "orientations"})) == {"Attend"}


def test_answers_since_my_last_visit(signed_in, counsellor):
    now = timezone.now()
    counsellor.referrals_seen_at = now - datetime.timedelta(days=2)
    counsellor.save()

    def answered(first_name, status, days_ago, sent_by=counsellor):
        candidate = CandidateFactory(first_name=first_name, status=CandidateStatus.COACHING, counsellor=counsellor)
        at = now - datetime.timedelta(days=days_ago) if days_ago is not None else None
        ReferralFactory(candidate=candidate, status=status, answered_at=at, sent_by=sent_by)

    answered("Acceptée", ReferralStatus.ACCEPTED, 1)
    answered("Refusée", ReferralStatus.DECLINED, 1, sent_by=CounsellorFactory())  # my file, a colleague sent it
    answered("Ancienne", ReferralStatus.ACCEPTED, 3)
    answered("Expirée", ReferralStatus.EXPIRED, 1)
    answered("Attente", ReferralStatus.PENDING, None)
    other = CandidateFactory(first_name="Autrui", status=CandidateStatus.COACHING, counsellor=CounsellorFactory())
    ReferralFactory(candidate=other, status=ReferralStatus.ACCEPTED, answered_at=now)

    first_visit = signed_in.get(QUEUE, {"vue": "reponses"})
    second_visit = signed_in.get(QUEUE, {"vue": "reponses"})  # reading the list changes nothing
    marked = signed_in.post(reverse("counselling:answers_seen"))
    after = signed_in.get(QUEUE, {"vue": "reponses"})

    assert names(first_visit) == names(second_visit) == {"Acceptée", "Refusée"}
    assert marked.status_code == 302 and marked["Location"].endswith("?vue=reponses")
    assert names(after) == set()
    counsellor.refresh_from_db()
    assert counsellor.referrals_seen_at >= now


def test_marking_answers_as_read_is_a_post_with_csrf(counsellor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(counsellor)

    assert client.get(reverse("counselling:answers_seen")).status_code == 405
    assert client.post(reverse("counselling:answers_seen")).status_code == 403
    counsellor.refresh_from_db()
    assert counsellor.referrals_seen_at is None


def test_answers_tab_on_a_first_visit_shows_the_last_30_days(signed_in, counsellor):
    candidate = CandidateFactory(first_name="Récente", status=CandidateStatus.COACHING, counsellor=counsellor)
    ReferralFactory(
        candidate=candidate, status="accepted", sent_by=counsellor, answered_at=timezone.now() - datetime.timedelta(10)
    )

    assert names(signed_in.get(QUEUE, {"vue": "reponses"})) == {"Récente"}


@pytest.mark.parametrize("hour", [9, 15])
def test_answers_tab_says_since_when_in_a_sentence_ending_once(signed_in, counsellor, settings, hour):
    """English dates end in "a.m." or "p.m.": the sentence adds no second period."""
    seen = timezone.make_aware(datetime.datetime(2026, 11, 5, hour, 15))
    counsellor.referrals_seen_at = seen
    counsellor.save(update_fields=["referrals_seen_at"])

    french = signed_in.get(QUEUE, {"vue": "reponses"}).text
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = signed_in.get(QUEUE, {"vue": "reponses"}).text

    assert re.search(rf"depuis le 5 novembre 2026, {hour:02d}\xa0h\xa015\.\s", french)
    meridiem = "a.m." if hour < 12 else "p.m."
    assert re.search(rf"since Nov\. 5, 2026, {hour % 12}:15 {meridiem}\s*</p>", english)


# --- Filters and search ---------------------------------------------------------------------------


def test_filters(signed_in, counsellor):
    region = RegionFactory(code="08")
    territory = TerritoryFactory(region=region)
    match = CandidateFactory(
        first_name="Cible",
        status=CandidateStatus.COACHING,
        counsellor=counsellor,
        target_territory=territory,
        arrival_date=datetime.date(2024, 5, 1),
        diploma_recognition="in_progress",
        french_level="advanced",
        date_of_birth=years_ago(27),
    )
    CandidateFactory(
        first_name="Autre",
        status=CandidateStatus.NEW,
        # Another region's territory, named: RegionFactory's codes cycle through 01–17, so a new one
        # could have been "08" (get_or_create), the region filtered on, depending on the tests before.
        target_territory=TerritoryFactory(region=RegionFactory(code="09")),
        profile_kind="native",
        diploma_recognition="obtained",
        french_level="fluent",
        date_of_birth=years_ago(40),
    )
    base = {"vue": "tous"}
    filters = {
        "statut": "coaching",
        "profil": "immigrant",
        "region": region.pk,
        "territoire": territory.pk,
        "conseiller": counsellor.pk,
        "arrivee_du": "2024-01-01",
        "arrivee_au": "2024-12-31",
        "diplome": "in_progress",
        "francais": "advanced",
        "age": "25-29",
    }

    assert names(signed_in.get(QUEUE, base)) == {"Cible", "Autre"}
    for name, value in filters.items():
        assert names(signed_in.get(QUEUE, {**base, name: value})) == {match.first_name}, name
    assert names(signed_in.get(QUEUE, {**base, **filters})) == {"Cible"}
    assert names(signed_in.get(QUEUE, {**base, "age": "hors"})) == {"Autre"}
    assert names(signed_in.get(QUEUE, {**base, "hors_age": "true"})) == {"Autre"}
    assert names(signed_in.get(QUEUE, {**base, "age": "30-35"})) == set()


def test_arrival_date_range(signed_in):
    for month in (1, 6, 12):
        CandidateFactory(first_name=f"M{month}", arrival_date=datetime.date(2024, month, 15))

    assert names(signed_in.get(QUEUE, {"arrivee_du": "2024-06-15"})) == {"M6", "M12"}
    assert names(signed_in.get(QUEUE, {"arrivee_au": "2024-06-15"})) == {"M1", "M6"}
    assert names(signed_in.get(QUEUE, {"arrivee_du": "2024-02-01", "arrivee_au": "2024-11-30"})) == {"M6"}


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (18, "18-24"),
        (24, "18-24"),
        (25, "25-29"),
        (29, "25-29"),
        (30, "30-35"),
        (35, "30-35"),
        (17, "hors"),
        (36, "hors"),
    ],
)
def test_age_bands_edges(signed_in, age, band):
    CandidateFactory(first_name="Anniversaire", date_of_birth=years_ago(age))

    assert names(signed_in.get(QUEUE, {"age": band})) == {"Anniversaire"}


def test_a_candidate_targeting_two_territories_of_a_region_is_listed_once(signed_in):
    region = RegionFactory(code="01")
    candidate = CandidateFactory(first_name="Double", target_territory=TerritoryFactory(region=region))
    candidate.targets.create(territory=TerritoryFactory(region=region), rank=2)

    response = signed_in.get(QUEUE, {"region": region.pk})

    assert [c.first_name for c in response.context["page"]] == ["Double"]


@pytest.mark.parametrize("query", ["amina", "DIALLO", "dial", "amina diallo", "amina.d@exemple", "Diallo Amina"])
def test_search_on_name_and_email(signed_in, query):
    CandidateFactory(first_name="Amina", last_name="Diallo", email="amina.d@exemple.org")
    CandidateFactory(first_name="Jean", last_name="Tremblay", email="jt@example.org")

    assert names(signed_in.get(QUEUE, {"q": query})) == {"Amina"}


def test_search_without_match(signed_in):
    CandidateFactory(first_name="Amina", last_name="Diallo")

    response = signed_in.get(QUEUE, {"q": "zzz"})

    assert names(response) == set()
    assert "Aucun dossier." in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"arrivee_du": "2024-02-30"},
        {"arrivee_au": "pas-une-date"},
        {"statut": "inconnu"},
        {"profil": "martien"},
        {"region": "999999"},
        {"territoire": "abc"},
        {"conseiller": "-1"},
        {"age": "99-100"},
        {"hors_age": "peut-être"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "99999"},
        {"page": "0"},
        {"tri": "mot_de_passe"},
        {"tri": "-"},
        {"vue": "<script>"},
        {"q": "x" * 500},
    ],
)
def test_bad_values_are_ignored_or_explained_never_a_server_error(signed_in, params):
    CandidateFactory(first_name="Toujours")

    response = signed_in.get(QUEUE, params)

    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_an_impossible_date_is_reported(signed_in):
    CandidateFactory(first_name="Toujours")

    response = signed_in.get(QUEUE, {"arrivee_du": "2024-02-30"}, **HTMX_RESULTS)

    html = response.content.decode()
    assert "ne sont pas valides" in html
    assert names(response) == {"Toujours"}


# --- Sorting and pages ----------------------------------------------------------------------------


def test_sort_by_name_both_ways_and_unknown_sort_falls_back(signed_in):
    now = timezone.now()
    CandidateFactory(first_name="B", last_name="Bernard", submitted_at=now - datetime.timedelta(days=1))
    CandidateFactory(first_name="A", last_name="Arsenault", submitted_at=now)
    CandidateFactory(first_name="C", last_name="Comeau", submitted_at=now - datetime.timedelta(days=2))

    def order(sort):
        return [c.first_name for c in signed_in.get(QUEUE, {"tri": sort}).context["page"]]

    assert order("nom") == ["A", "B", "C"]
    assert order("-nom") == ["C", "B", "A"]
    assert order("attente") == ["C", "B", "A"]  # the longest wait first
    assert order("n'importe quoi") == ["C", "B", "A"]
    for sort in ("statut", "-statut", "profil", "conseiller", "-conseiller", "-attente"):
        assert len(order(sort)) == 3


def test_pages_of_50(signed_in):
    CandidateFactory.create_batch(51, target_territory=TerritoryFactory())

    first = signed_in.get(QUEUE)
    last = signed_in.get(QUEUE, {"page": 2})

    assert len(first.context["page"]) == 50
    assert len(last.context["page"]) == 1
    assert "page=2" in first.content.decode()


# --- How long files have waited -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 11, 27), datetime.date(2026, 11, 20)),  # Friday → previous Friday
        (datetime.date(2026, 11, 30), datetime.date(2026, 11, 23)),  # Monday → previous Monday
        (datetime.date(2026, 11, 25), datetime.date(2026, 11, 18)),  # Wednesday → previous Wednesday
        (datetime.date(2026, 11, 28), datetime.date(2026, 11, 23)),  # Saturday → Monday
        (datetime.date(2026, 11, 29), datetime.date(2026, 11, 23)),  # Sunday → Monday
    ],
)
def test_business_days_ago(today, expected):
    assert business_days_ago(5, today) == expected


def test_business_days_ago_zero_is_today():
    assert business_days_ago(0, datetime.date(2026, 11, 28)) == datetime.date(2026, 11, 28)


def test_files_waiting_over_5_business_days_are_flagged(signed_in):
    now = timezone.now()
    CandidateFactory(first_name="Ancienne", submitted_at=now - datetime.timedelta(days=10))
    CandidateFactory(first_name="Récente", submitted_at=now)

    html = signed_in.get(QUEUE).content.decode()

    assert html.count("queue-overdue") == 1
    assert html.index("Ancienne") < html.index("queue-overdue") < html.index("Récente")


def test_waiting_time_counts_from_the_last_change_of_status(signed_in, counsellor):
    candidate = CandidateFactory(
        status=CandidateStatus.COACHING, counsellor=counsellor, submitted_at=timezone.now() - datetime.timedelta(30)
    )
    CandidateEvent.objects.create(
        candidate=candidate, kind=CandidateEvent.Kind.STATUS_CHANGED, from_status="new", to_status="coaching"
    )

    response = signed_in.get(QUEUE, {"vue": "mes-candidats"})

    row = response.context["page"][0]
    assert timezone.now() - row.waiting_since < datetime.timedelta(minutes=1)
    assert "queue-overdue" not in response.content.decode()


# --- htmx -----------------------------------------------------------------------------------------


def test_htmx_gets_only_the_part_it_targets(signed_in):
    CandidateFactory(first_name="Amina")

    results = signed_in.get(QUEUE, **HTMX_RESULTS)
    body = signed_in.get(QUEUE, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue")
    page = signed_in.get(QUEUE)

    assert "Amina" in results.content.decode()
    assert "<html" not in results.content.decode() and '<form method="get"' not in results.content.decode()
    assert "<html" not in body.content.decode() and 'role="search"' in body.content.decode()
    assert "<html" in page.content.decode() and 'hx-target="#queue-results"' in page.content.decode()
    assert "HX-Request" in results["Vary"]


# --- Taking files on ------------------------------------------------------------------------------


def test_take_on_leads_to_the_file(signed_in, counsellor):
    """Taken on, the file leaves "À trier": the counsellor lands on its page, not on a list
    without it."""
    candidate = CandidateFactory()

    response = signed_in.post(TAKE_ON, {"candidate": candidate.pk, "next": f"{QUEUE}?vue=a-trier"}, follow=True)

    assert response.redirect_chain == [(file_url(candidate), 302)]
    assert f"Vous accompagnez maintenant {candidate.full_name}." in response.content.decode()
    candidate.refresh_from_db()
    assert (candidate.status, candidate.counsellor) == (CandidateStatus.COACHING, counsellor)
    event = candidate.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("new", "coaching", counsellor)


def test_take_on_refuses_a_file_already_taken(signed_in, counsellor):
    colleague = CounsellorFactory()
    candidate = CandidateFactory(counsellor=colleague)

    response = signed_in.post(TAKE_ON, {"candidate": candidate.pk}, follow=True)

    assert "plus en attente de triage" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.counsellor == colleague and candidate.status == CandidateStatus.NEW


@pytest.mark.parametrize("status", [CandidateStatus.COACHING, CandidateStatus.DRAFT, CandidateStatus.CLOSED])
def test_take_on_refuses_files_not_waiting_for_triage(counsellor, status):
    candidate = CandidateFactory(status=status)

    with pytest.raises(CandidateError):
        candidate_take_on(candidate=candidate, by=counsellor)

    candidate.refresh_from_db()
    assert candidate.status == status and candidate.counsellor is None


def test_take_on_and_assign_are_post_only_and_need_csrf(counsellor):
    candidate = CandidateFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(counsellor)

    assert client.get(TAKE_ON, {"candidate": candidate.pk}).status_code == 405
    assert client.get(ASSIGN, {"candidates": candidate.pk, "counsellor": counsellor.pk}).status_code == 405
    assert client.post(TAKE_ON, {"candidate": candidate.pk}).status_code == 403
    assert client.post(ASSIGN, {"candidates": candidate.pk, "counsellor": counsellor.pk}).status_code == 403
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.NEW and candidate.counsellor is None


def test_take_on_unknown_file_is_404_and_next_stays_on_site(signed_in):
    assert signed_in.post(TAKE_ON, {"candidate": "abc"}).status_code == 404
    candidate = CandidateFactory(counsellor=CounsellorFactory())  # refused: back to the list
    response = signed_in.post(TAKE_ON, {"candidate": candidate.pk, "next": "https://evil.example.com/"})
    assert response["Location"] == QUEUE


def test_bulk_assign(signed_in, counsellor):
    colleague = CounsellorFactory(first_name="Inès", last_name="Roy")
    first, second, untouched = CandidateFactory.create_batch(3)

    response = signed_in.post(ASSIGN, {"candidates": [first.pk, second.pk], "counsellor": colleague.pk}, follow=True)

    assert "2 dossiers assignés à Inès Roy" in response.content.decode()
    for candidate in (first, second):
        candidate.refresh_from_db()
        assert (candidate.status, candidate.counsellor) == (CandidateStatus.COACHING, colleague)
        event = candidate.events.get()
        assert event.actor == counsellor and "Inès Roy" in text_of(event)
    untouched.refresh_from_db()
    assert untouched.counsellor is None


def test_bulk_assign_is_all_or_nothing(signed_in, counsellor):
    free = CandidateFactory()
    taken = CandidateFactory(status=CandidateStatus.COACHING, counsellor=CounsellorFactory())

    response = signed_in.post(ASSIGN, {"candidates": [free.pk, taken.pk], "counsellor": counsellor.pk}, follow=True)

    assert "plus en attente de triage" in response.content.decode()
    free.refresh_from_db()
    assert free.counsellor is None and free.status == CandidateStatus.NEW
    assert not CandidateEvent.objects.exists()


@pytest.mark.parametrize("who", ["inactive", "agent", "candidate", "missing"])
def test_bulk_assign_needs_an_active_counsellor(signed_in, who):
    candidate = CandidateFactory()
    target = {
        "inactive": lambda: CounsellorFactory(is_active=False).pk,
        "agent": lambda: UserFactory(role="agent").pk,
        "candidate": lambda: candidate.user.pk,
        "missing": lambda: "",
    }[who]()

    response = signed_in.post(ASSIGN, {"candidates": [candidate.pk], "counsellor": target}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain
    candidate.refresh_from_db()
    assert candidate.counsellor is None and candidate.status == CandidateStatus.NEW


def test_bulk_assign_without_selection(signed_in, counsellor):
    response = signed_in.post(ASSIGN, {"counsellor": counsellor.pk}, follow=True)

    assert "Choisissez au moins un dossier" in response.content.decode()


def test_candidates_assign_refuses_a_non_counsellor(counsellor):
    candidate = CandidateFactory()

    with pytest.raises(CandidateError):
        candidates_assign(candidates=[candidate], counsellor=UserFactory(role="agent"), by=counsellor)


# --- Queries do not grow with the rows ------------------------------------------------------------


def _rows_for(tab, counsellor, territories, i):
    if tab == "a-trier":
        return CandidateFactory(target_territory=territories[i % 3])
    if tab == "mes-candidats":
        return CandidateFactory(target_territory=territories[i % 3], status="coaching", counsellor=counsellor)
    if tab == "tous":
        return CandidateFactory(target_territory=territories[i % 3], counsellor=counsellor if i % 2 else None)
    candidate = CandidateFactory(target_territory=territories[i % 3], status="coaching", counsellor=counsellor)
    if tab == "orientations":
        return ReferralFactory(candidate=candidate, territory=territories[i % 3], sent_by=counsellor)
    return ReferralFactory(
        candidate=candidate,
        territory=territories[i % 3],
        sent_by=counsellor,
        status="accepted",
        answered_at=timezone.now(),
    )


# session, user, count (capped), page (with counsellor, waiting time, target territories' ids), the
# territories' names (kept after the first page); the full page adds the filter form's lists, each
# read once, never counted (regions, territories, counsellors — the bulk assignment of "À trier"
# reuses the last); "À trier" looks for possible duplicates of the page's files; "Réponses" records
# the visit.
QUERIES = {"a-trier": 9, "mes-candidats": 8, "tous": 8, "orientations": 8, "reponses": 8}


@pytest.mark.parametrize("tab", list(QUERIES))
@pytest.mark.parametrize("rows", [1, 50])
def test_each_tab_query_count_does_not_grow_with_rows(client, counsellor, django_assert_num_queries, tab, rows):
    territories = TerritoryFactory.create_batch(3)
    for i in range(rows):
        _rows_for(tab, counsellor, territories, i)
    client.force_login(counsellor)

    with django_assert_num_queries(QUERIES[tab]):
        response = client.get(QUEUE, {"vue": tab})

    assert len(response.context["page"]) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_the_default_view_is_triage_and_its_query_count_does_not_grow(
    client, counsellor, django_assert_num_queries, rows
):
    """`/conseil/` without parameters (the bench's `queue_triage`): "À trier", unfiltered."""
    territories = TerritoryFactory.create_batch(3)
    for i in range(rows):
        _rows_for("a-trier", counsellor, territories, i)
    client.force_login(counsellor)

    with django_assert_num_queries(QUERIES["a-trier"]):
        response = client.get(QUEUE)

    assert response.context["tab"] == "a-trier"
    assert len(response.context["page"]) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_htmx_results_query_count_does_not_grow_with_rows(client, counsellor, django_assert_num_queries, rows):
    territories = TerritoryFactory.create_batch(3)
    for i in range(rows):
        _rows_for("tous", counsellor, territories, i)
    client.force_login(counsellor)

    # session, user, the region (the filter checks it exists), its territories (CandidateQuerySet.
    # targeting), page, the territories' names (a search is not counted)
    with django_assert_num_queries(6):
        response = client.get(
            QUEUE, {"vue": "tous", "q": "example", "region": territories[0].region_id}, **HTMX_RESULTS
        )

    assert response.status_code == 200


# --- Possible duplicates at triage ----------------------------------------------------------------


def duplicates_of(response, candidate) -> set[int]:
    row = next(row for row in response.context["page"] if row.pk == candidate.pk)
    return {other.pk for other in row.possible_duplicates}


def test_duplicates_by_email_ignoring_case(signed_in):
    waiting = CandidateFactory(email="Marie.Roy@Example.org")
    other = CandidateFactory(email="marie.roy@example.org", status="coaching", user=None)
    CandidateFactory(email="someone.else@example.org")

    response = signed_in.get(QUEUE)

    assert duplicates_of(response, waiting) == {other.pk}
    content = response.content.decode()
    assert "Doublon possible" in content
    assert reverse("counselling:file", args=[other.pk]) in content


def test_duplicates_by_phone(signed_in):
    waiting = CandidateFactory(phone="+15145550101")
    other = CandidateFactory(phone="+15145550101", status="draft")
    CandidateFactory(phone="+15145550102")

    assert duplicates_of(signed_in.get(QUEUE), waiting) == {other.pk}


def test_duplicates_by_name_and_date_of_birth(signed_in):
    born = datetime.date(1998, 4, 2)
    waiting = CandidateFactory(first_name="Léa", last_name="Côté", date_of_birth=born)
    # SQLite compares case-insensitively in ASCII only: the accented letters keep their case here.
    same = CandidateFactory(first_name="LéA", last_name="CôTé", date_of_birth=born, status="coaching")
    CandidateFactory(first_name="Léa", last_name="Côté", date_of_birth=datetime.date(1998, 4, 3))
    CandidateFactory(first_name="Léo", last_name="Côté", date_of_birth=born)

    assert duplicates_of(signed_in.get(QUEUE), waiting) == {same.pk}


@pytest.mark.parametrize(
    "name",
    ["Tremblay", " O'Brien ", "ÉMILE", "Côté", "Ngọc Ánh", "Straße", "ﬁlion", "Zoë-Anaïs", "Dvořák", "A\u0301lvaro"],
)
def test_names_fold_as_unicode_decomposition_says_with_or_without_the_ascii_shortcut(name):
    """_fold skips the decomposition for ASCII: the same as decomposing every name and dropping
    its combining marks."""
    import unicodedata

    from counselling.selectors import _fold

    decomposed = unicodedata.normalize("NFKD", name.casefold().strip())
    expected = "".join(char for char in decomposed if not unicodedata.combining(char))

    assert _fold(name) == expected


def test_two_waiting_files_flag_each_other_and_anonymized_files_are_left_out(signed_in):
    first = CandidateFactory(email="twice@example.org")
    second = CandidateFactory(email="TWICE@example.org", user=None)
    CandidateFactory(email="twice@example.org", status="closed", anonymized_at=timezone.now(), user=None)

    response = signed_in.get(QUEUE)

    assert duplicates_of(response, first) == {second.pk}
    assert duplicates_of(response, second) == {first.pk}


def test_the_duplicates_rows_are_the_union_s_on_this_database():
    """possible_duplicates_rows (arrays on PostgreSQL) reads the same files as possible_duplicates_of."""
    born = datetime.date(1998, 4, 2)
    page = [
        CandidateFactory(email="Marie.Roy@Example.org", phone="+15145550101"),
        CandidateFactory(first_name="Léa", last_name="Côté", date_of_birth=born, phone=""),
        CandidateFactory(email="o'neil@example.org", first_name="Zoé", last_name="O'Neil", date_of_birth=born),
    ]
    CandidateFactory(email="marie.roy@example.org", status="coaching", user=None)
    CandidateFactory(phone="+15145550101", status="draft")
    CandidateFactory(first_name="LÉA", last_name="CÔTÉ", date_of_birth=born, status="coaching")
    CandidateFactory(email="O'NEIL@example.org", status="closed", anonymized_at=timezone.now(), user=None)
    CandidateFactory(first_name="Léa", last_name="Côté", date_of_birth=datetime.date(1998, 4, 3))
    columns = ("id", "first_name", "last_name", "email", "date_of_birth", "phone_as_stored")
    read = list(Candidate.objects.for_queue().filter(pk__in=[c.pk for c in page]))

    rows = sorted(Candidate.objects.possible_duplicates_rows(read))

    assert rows == sorted(Candidate.objects.possible_duplicates_of(read).values_list(*columns))
    assert len(rows) >= 5  # the page's three, the email's and the phone's twins at least


def test_no_duplicates_no_badge(signed_in):
    CandidateFactory()

    assert "Doublon possible" not in signed_in.get(QUEUE).content.decode()


def test_count_is_capped_on_big_lists(signed_in, monkeypatch):
    monkeypatch.setattr("counselling.selectors.QUEUE_COUNT_CAP", 3)
    CandidateFactory.create_batch(5, target_territory=False)

    response = signed_in.get(QUEUE, {"vue": "tous"})

    assert response.context["page"].count_is_capped
    assert "plus de 3 dossiers" in response.content.decode()


def test_pages_past_the_cap_go_on_while_there_are_rows(signed_in, monkeypatch):
    monkeypatch.setattr("counselling.selectors.QUEUE_COUNT_CAP", 3)
    monkeypatch.setattr("counselling.views.queue.QUEUE_PAGE_SIZE", 2)
    CandidateFactory.create_batch(5, target_territory=False)

    pages = [signed_in.get(QUEUE, {"vue": "tous", "page": number}).context["page"] for number in (1, 2, 3, 4)]

    assert [len(page) for page in pages] == [2, 2, 1, 0]
    assert [page.has_next for page in pages] == [True, True, False, False]


def test_a_page_past_the_end_shows_the_last_one(signed_in):
    CandidateFactory.create_batch(3, target_territory=False)

    page = signed_in.get(QUEUE, {"vue": "tous", "page": 9}).context["page"]

    assert (page.number, len(page), page.has_next) == (1, 3, False)


def test_the_filter_form_keeps_the_chosen_options(signed_in, counsellor):
    territory = TerritoryFactory()

    content = signed_in.get(
        QUEUE, {"vue": "tous", "statut": "coaching", "territoire": territory.pk, "conseiller": counsellor.pk}
    ).content.decode()

    assert '<option value="coaching" selected>' in content
    assert f'<option value="{territory.pk}" selected>' in content
    assert f'<option value="{counsellor.pk}" selected>' in content
    assert '<option value="new" selected>' not in content


def test_a_search_is_not_counted_but_pages_go_on(signed_in, monkeypatch):
    monkeypatch.setattr("counselling.views.queue.QUEUE_PAGE_SIZE", 2)
    CandidateFactory.create_batch(3, last_name="Tremblay", target_territory=False)

    first = signed_in.get(QUEUE, {"vue": "tous", "q": "tremblay"})
    last = signed_in.get(QUEUE, {"vue": "tous", "q": "tremblay", "page": 2})

    assert (first.context["page"].count, first.context["page"].has_next) == (None, True)
    assert "dossiers 1 à 2, et d'autres" in first.content.decode()
    assert (last.context["page"].count, last.context["page"].has_next) == (3, False)
    assert "3 dossiers" in last.content.decode()


def test_a_list_narrowed_by_target_region_or_territory_is_not_counted(signed_in, monkeypatch):
    monkeypatch.setattr("counselling.views.queue.QUEUE_PAGE_SIZE", 2)
    territory = TerritoryFactory()
    CandidateFactory.create_batch(3, target_territory=territory)

    for narrowed in ({"region": territory.region_id}, {"territoire": territory.pk}):
        first = signed_in.get(QUEUE, {"vue": "tous", **narrowed})
        last = signed_in.get(QUEUE, {"vue": "tous", "page": 2, **narrowed})

        assert (first.context["page"].count, first.context["page"].has_next) == (None, True)
        assert "dossiers 1 à 2, et d'autres" in first.content.decode()
        assert last.context["page"].count == 3 and "3 dossiers" in last.content.decode()
    # The other filters keep their count; an invalid region is left out, and counted without it.
    assert signed_in.get(QUEUE, {"vue": "tous", "statut": "new"}).context["page"].count == 3
    assert signed_in.get(QUEUE, {"vue": "tous", "region": "999999"}).context["page"].count == 3


# --- A counsellor's day on a phone ----------------------------------------------------------------


def test_filters_offer_all_rather_than_dashes(signed_in):
    content = signed_in.get(QUEUE, {"vue": "tous"}).content.decode()

    assert "---------" not in content.split('id="queue-filters"')[1].split("</details>")[0]
    assert content.count('<option value="" selected>Tous</option>') == 6
    assert content.count('<option value="" selected>Toutes</option>') == 2


def test_filters_read_all_in_english(signed_in):
    signed_in.cookies["django_language"] = "en"

    content = signed_in.get(QUEUE, {"vue": "tous"}).content.decode()

    assert content.count('<option value="" selected>All</option>') == 8


def test_filters_stay_folded_when_they_apply_and_say_how_many(signed_in):
    """Twelve filters would fill a phone's first screen: folded, the summary counts those that
    apply; the form opens only to show an error."""
    content = signed_in.get(QUEUE, {"vue": "tous", "statut": "coaching", "francais": "advanced"}).content.decode()

    assert re.search(r'<details class="queue-filters mb-3"\s+id="queue-filters"\s*>', content)
    assert "2 filtres actifs" in content

    content = signed_in.get(QUEUE, {"vue": "tous", "arrivee_du": "2024-02-30"}).content.decode()
    assert re.search(r'id="queue-filters"\s+open>', content)


# --- The filter form's choices, kept per language (counselling.filter_options) --------------------


def test_the_filter_choices_are_read_once_then_kept(client, counsellor, django_assert_num_queries):
    """The first page reads regions, territories and counsellors for the filters, and the
    territories' names for the rows (four queries); the next ones take them from the cache."""
    CandidateFactory(status=CandidateStatus.COACHING, counsellor=counsellor)
    client.force_login(counsellor)
    client.get(QUEUE, {"vue": "tous"})

    with django_assert_num_queries(QUERIES["tous"] - 4):
        response = client.get(QUEUE, {"vue": "tous"})

    assert 'name="territoire"' in response.text


def test_the_kept_choices_follow_a_new_territory_a_new_counsellor_and_the_language(client, counsellor, settings):
    client.force_login(counsellor)
    client.get(QUEUE, {"vue": "tous"})  # kept from here

    TerritoryFactory(name="Territoire tout neuf")
    CounsellorFactory(first_name="Nouvelle", last_name="Collègue")
    page = client.get(QUEUE, {"vue": "tous"}).text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(QUEUE, {"vue": "tous"}).text

    assert "Territoire tout neuf" in page and "Nouvelle Collègue" in page
    assert '<option value="" selected>Tous</option>' in page.replace("\n", "") or ">Tous<" in page
    assert ">All<" in english and ">Tous<" not in english


def test_a_sign_in_does_not_forget_the_kept_choices(client, counsellor, django_assert_num_queries):
    CandidateFactory(status=CandidateStatus.COACHING, counsellor=counsellor)
    client.force_login(counsellor)
    client.get(QUEUE, {"vue": "tous"})
    counsellor.last_login = timezone.now()
    counsellor.save(update_fields=["last_login"])

    with django_assert_num_queries(QUERIES["tous"] - 4):
        client.get(QUEUE, {"vue": "tous"})


# --- The rows' target territories: ids with the row, names kept per language ----------------------


def _targets_cell(page: str, first_name: str) -> str:
    row = next(row for row in page.split("<tr>") if f">{first_name} " in row)
    return re.search(r"<ol class=\"list-unstyled mb-0\">(.*?)</ol>", row).group(1)


def test_targets_in_the_persons_order_whatever_the_order_they_were_written(signed_in, settings):
    """The page's query reads each file's targets as unordered pairs: the rank orders them."""
    region = RegionFactory(code="01", name_fr="Bas-Saint-Laurent", name_en="Lower St. Lawrence")
    candidate = CandidateFactory(first_name="Ordre", target_territory=False)
    for rank, name in ((3, "Matane"), (1, "Rimouski-Neigette"), (2, "La Mitis")):
        candidate.targets.create(territory=TerritoryFactory(name=name, region=region), rank=rank)

    french = _targets_cell(signed_in.get(QUEUE, {"vue": "tous"}).text, "Ordre")
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _targets_cell(signed_in.get(QUEUE, {"vue": "tous"}).text, "Ordre")

    assert re.findall(r"<li>([^<]+) <span", french) == ["Rimouski-Neigette", "La Mitis", "Matane"]
    assert "(Bas-Saint-Laurent)" in french and "(Lower St. Lawrence)" in english


def test_kept_territory_names_follow_a_rename_and_a_territory_written_without_signals(signed_in):
    territory = TerritoryFactory(name="Ancien nom")
    CandidateFactory(first_name="Renomme", target_territory=territory)
    signed_in.get(QUEUE, {"vue": "tous"})  # the names are kept from here

    territory.name = "Nouveau nom"
    territory.save()
    renamed = signed_in.get(QUEUE, {"vue": "tous"}).text  # and kept again
    # bulk_create sends no post_save: the kept names do not know this one, the page reads them again
    (added,) = type(territory).objects.bulk_create(
        [TerritoryFactory.build(name="Sans signal", region=territory.region)]
    )
    CandidateFactory(first_name="Nouvelle", target_territory=added)
    page = signed_in.get(QUEUE, {"vue": "tous"}).text

    assert "Nouveau nom" in _targets_cell(renamed, "Renomme") and "Ancien nom" not in renamed
    assert "Sans signal" in _targets_cell(page, "Nouvelle")


def test_a_change_another_process_saw_reaches_this_ones_copies(signed_in, monkeypatch):
    """Each process keeps its copies while the shared version stands: another process's receiver
    deletes the version, and this one builds them again when it next looks (RECHECK_SECONDS)."""
    from django.core.cache import cache

    from common import kept as kept_module
    from counselling import filter_options

    monkeypatch.setattr(kept_module, "RECHECK_SECONDS", 0)
    territory = TerritoryFactory(name="Avant")
    CandidateFactory(first_name="Ailleurs", target_territory=territory)
    signed_in.get(QUEUE, {"vue": "tous"})  # this process's copies
    type(territory).objects.filter(pk=territory.pk).update(name="Après")  # no signal in this process

    kept = signed_in.get(QUEUE, {"vue": "tous"}).text
    cache.delete(kept_module.version_key(filter_options.GROUP))  # what the other process's receiver did
    fresh = signed_in.get(QUEUE, {"vue": "tous"}).text

    assert "Avant" in _targets_cell(kept, "Ailleurs") and ">Avant" in kept
    assert "Après" in _targets_cell(fresh, "Ailleurs") and ">Avant" not in fresh
