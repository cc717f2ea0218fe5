import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.models import CandidateStatus
from referrals.models import Referral, ReferralStatus, ReferralTransition
from referrals.services import referral_link_create
from tests.factories import AgentFactory, CandidateFactory, ReferralFactory, TerritoryFactory
from tests.pages import link_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(territory):
    return ReferralFactory(
        candidate=CandidateFactory(target_territory=territory, status=CandidateStatus.REFERRED),
        message="Elle a fait un séjour exploratoire.",
    )


@pytest.fixture
def token(referral, agent):
    return referral_link_create(referral=referral, agent=agent)[1]


@pytest.fixture
def url(client, token):
    return link_page(client, token)


def unchanged(referral) -> bool:
    referral.refresh_from_db()
    return referral.status == ReferralStatus.PENDING and not ReferralTransition.objects.exists()


# --- The counsellor sends -------------------------------------------------------------------


def test_counsellor_refers_from_the_file(client, counsellor, territory, mailoutbox, django_capture_on_commit_callbacks):
    candidate = CandidateFactory(target_territory=territory, mature=True)
    client.force_login(counsellor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("counselling:referral_send", args=[candidate.pk]),
            {"territory_1": territory.pk, "message": "Prête."},
        )

    assert response["Location"] == reverse("counselling:file", args=[candidate.pk])
    referral = Referral.objects.get()
    assert (referral.territory, referral.sent_by, referral.message) == (territory, counsellor, "Prête.")
    assert [m.to for m in mailoutbox] == [[territory.agents.get().email], [candidate.email]]
    assert "Orientation envoyée" in client.get(response["Location"]).content.decode()


def test_the_file_asks_for_an_override_reason_only_before_the_project_is_declared_mature(client, counsellor, territory):
    immature = CandidateFactory(target_territory=territory)
    mature = CandidateFactory(target_territory=territory, mature=True)
    client.force_login(counsellor)

    assert 'name="override_reason"' in client.get(reverse("counselling:file", args=[immature.pk])).content.decode()
    assert 'name="override_reason"' not in client.get(reverse("counselling:file", args=[mature.pk])).content.decode()


def test_referral_before_maturity_is_refused_without_a_reason_and_sent_with_one(client, counsellor, territory):
    candidate = CandidateFactory(target_territory=territory)
    client.force_login(counsellor)
    url = reverse("counselling:referral_send", args=[candidate.pk])

    response = client.post(url, {"territory_1": territory.pk}, follow=True)

    assert "pas encore été déclaré mûr" in response.content.decode()
    assert not Referral.objects.exists()

    client.post(url, {"territory_1": territory.pk, "override_reason": "Offre d'emploi urgente"})

    referral = Referral.objects.get()
    assert "Offre d'emploi urgente" in referral.transitions.get().reason


def test_refused_referral_shows_why_on_the_file(client, counsellor, territory):
    candidate = CandidateFactory(target_territory=territory, consents=False)
    client.force_login(counsellor)

    response = client.post(
        reverse("counselling:referral_send", args=[candidate.pk]), {"territory_1": territory.pk}, follow=True
    )

    assert "pas consenti" in response.content.decode()
    assert not Referral.objects.exists()


def test_sending_needs_a_valid_territory(client, counsellor):
    candidate = CandidateFactory()
    client.force_login(counsellor)

    response = client.post(reverse("counselling:referral_send", args=[candidate.pk]), {"territory_1": "x"}, follow=True)

    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Referral.objects.exists()


def test_sending_is_post_only_and_for_counsellors_only(client, territory):
    candidate = CandidateFactory(target_territory=territory)
    url = reverse("counselling:referral_send", args=[candidate.pk])

    assert client.post(url, {"territory_1": territory.pk}).status_code == 302  # to sign in
    client.force_login(candidate.user)
    assert client.post(url, {"territory_1": territory.pk}).status_code == 403
    assert not Referral.objects.exists()


def test_get_on_the_send_url_changes_nothing(client, counsellor, territory):
    candidate = CandidateFactory(target_territory=territory)
    client.force_login(counsellor)

    assert client.get(reverse("counselling:referral_send", args=[candidate.pk])).status_code == 405
    assert not Referral.objects.exists()


# --- The agent's link -----------------------------------------------------------------------


def test_get_and_head_show_the_summary_and_change_nothing(client, referral, url):
    response = client.get(url)
    head = client.head(url)

    html = response.content.decode()
    assert response.status_code == head.status_code == 200
    assert referral.candidate.full_name in html
    assert "Elle a fait un séjour exploratoire." in html
    assert "Accepter cette orientation" in html and "Refuser cette orientation" in html
    assert referral.candidate.email not in html  # contact details once accepted only
    assert response["Referrer-Policy"] == "same-origin"  # the page's URL holds no token to leak
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert unchanged(referral)


def test_post_accept(client, referral, agent, url, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "accept", "confirm": "1"})

    assert response.status_code == 302 and response["Location"] == url
    referral.refresh_from_db()
    assert (referral.status, referral.answered_by) == (ReferralStatus.ACCEPTED, agent)
    html = client.get(url).content.decode()
    assert "Acceptée par" in html and str(agent) in html
    assert referral.candidate.email in html
    assert "Accepter cette orientation" not in html
    assert len(mailoutbox) == 2


def test_post_decline_requires_a_reason(client, referral, url):
    response = client.post(url, {"decision": "decline", "reason": "Pas maintenant"})

    assert response.status_code == 400
    assert "Choisissez la raison du refus" in response.content.decode()
    assert unchanged(referral)


def test_post_decline_for_another_reason_requires_the_words(client, referral, url):
    response = client.post(url, {"decision": "decline", "category": "other", "reason": " "})

    assert response.status_code == 400
    assert "Expliquez la raison du refus" in response.content.decode()
    assert unchanged(referral)


def test_post_decline_with_a_reason_from_the_list(client, referral, url):
    client.post(url, {"decision": "decline", "category": "housing"})

    referral.refresh_from_db()
    assert (referral.status, referral.decline_category, referral.decline_reason) == ("declined", "housing", "")
    assert "Logement trop difficile" in client.get(url).content.decode()


def test_post_decline_with_hostile_reason_is_shown_escaped_to_the_counsellor_only(client, referral, url):
    client.post(url, {"decision": "decline", "category": "other", "reason": "<script>alert('x')</script>"})

    agent_page = client.get(url).content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    assert "<script>alert('x')</script>" not in agent_page and "&lt;script&gt;" not in agent_page  # purpose over
    counsellor = Client()
    counsellor.force_login(referral.sent_by)
    file_page = counsellor.get(reverse("counselling:file", args=[referral.candidate_id])).content.decode()
    assert "<script>alert('x')</script>" not in file_page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in file_page


def test_post_with_an_unknown_decision_changes_nothing(client, referral, url):
    assert client.post(url, {"decision": "maybe"}).status_code == 400
    assert unchanged(referral)


def test_the_answer_in_english_ends_once_after_p_m(client, referral, url, settings):
    """English dates end in "p.m.": the sentence adds no second period."""
    client.post(url, {"decision": "accept", "confirm": "1"})
    answered = timezone.make_aware(timezone.datetime(2026, 11, 5, 14, 15))
    Referral.objects.filter(pk=referral.pk).update(answered_at=answered)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = " ".join(client.get(url).content.decode().split())

    assert "on Nov. 5, 2026, 2:15 p.m. </" in html or "on Nov. 5, 2026, 2:15 p.m.</" in html
    assert "p.m.." not in html


def test_used_link_shows_the_decision_and_cannot_change_it(client, referral, url):
    client.post(url, {"decision": "accept", "confirm": "1"})

    response = client.post(url, {"decision": "decline", "category": "other", "reason": "Trop tard"}, follow=True)

    html = response.content.decode()
    assert "déjà reçu une réponse" in html
    assert "Acceptée par" in html
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


def test_post_without_csrf_token_is_refused(referral, url):
    response = Client(enforce_csrf_checks=True).post(url, {"decision": "accept", "confirm": "1"})

    assert response.status_code == 403
    assert unchanged(referral)


@pytest.mark.parametrize(
    "token",
    [
        "A" * 43,  # well-formed, unknown
        "not-a-token",
        "A" * 500,
        "%3Cscript%3E",
    ],
)
def test_wrong_token_gets_a_clear_page(client, referral, token):
    page = link_page(client, token)
    for response in (client.get(page), client.post(page, {"decision": "accept", "confirm": "1"})):
        assert response.status_code == 404
        assert "Ce lien n'est pas valide" in response.content.decode()
    assert unchanged(referral)


def test_tampered_token_gets_the_same_page(client, referral, token):
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.post(link_page(client, tampered), {"decision": "accept", "confirm": "1"})

    assert response.status_code == 404
    assert "Ce lien n'est pas valide" in response.content.decode()
    assert unchanged(referral)


def test_expired_link_gets_the_same_page(client, referral, url):
    Referral.objects.filter(pk=referral.pk).update(expires_at=timezone.now())

    for response in (client.get(url), client.post(url, {"decision": "accept", "confirm": "1"})):
        assert response.status_code == 404
        assert "Ce lien n'est pas valide" in response.content.decode()
    assert unchanged(referral)


def test_link_of_an_agent_who_left_the_territory_cannot_answer(client, referral, agent, url):
    agent.territories.clear()

    response = client.post(url, {"decision": "accept", "confirm": "1"}, follow=True)

    assert "pas agent·e de ce territoire" in response.content.decode()
    assert unchanged(referral)


def test_each_agent_has_their_own_link(client, referral, territory):
    colleague = AgentFactory(territories=[territory])
    _, token = referral_link_create(referral=referral, agent=colleague)

    client.post(link_page(client, token), {"decision": "accept", "confirm": "1"})

    referral.refresh_from_db()
    assert referral.answered_by == colleague


def test_another_referral_cannot_be_answered_with_this_link(client, referral, url):
    other = ReferralFactory(candidate=CandidateFactory(target_territory=TerritoryFactory()))

    client.post(url, {"decision": "accept", "confirm": "1"})

    other.refresh_from_db()
    assert other.status == ReferralStatus.PENDING


def test_link_page_query_count(client, url, django_assert_max_num_queries):
    # The session, the link with its referral, file (with the counsellor's assessment) and the
    # agent who answered, its territory and region, who sent it, the follow-up steps, the file's
    # targets (the maturity checklist), the consents with their words, the size of the
    # counsellor's list, the access log's INSERT: a fixed number, whatever the file holds.
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


def test_the_link_s_own_query_joins_few_tables(client, url):
    """PostgreSQL searched every order of the eight tables the link's query joined: ~8 ms of
    planning for 0.4 ms of work, on every view of an emailed link (docs/benchmarks.md)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    [link_query] = [q["sql"] for q in queries if q["sql"].startswith('SELECT "referrals_referrallink"')]
    assert link_query.count(" JOIN ") <= 5  # six tables: ~1 ms of planning


def test_hostile_decline_reason_is_escaped_in_the_counsellors_email(
    client, referral, url, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "decline", "category": "other", "reason": "<img src=x onerror=alert(1)>"})

    [to_counsellor] = [m for m in mailoutbox if m.to == [referral.sent_by.email]]
    html = to_counsellor.alternatives[0].content
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x onerror=alert(1)>" in to_counsellor.body  # plain text stays as typed
