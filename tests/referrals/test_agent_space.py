import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.sites import AdminSite
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from candidates.models import CandidateStatus, CoachingNote, Consent
from candidates.services import candidate_set_consents
from referrals.models import DeclineReason, Referral, ReferralStatus
from territories.admin import AgentAdmin
from territories.models import Agent, Territory
from territories.services import AgentAccountError, agent_account_ensure, territories_load
from tests.factories import (
    AgentFactory,
    CandidateFactory,
    CoordinatorFactory,
    CounsellorFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.referrals.factories_agent import FollowUpFactory, agent_with_account, referral_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(agent):
    return referral_for(agent, message="Elle a fait un séjour exploratoire.")


# --- Agent accounts ---------------------------------------------------------------------------


def test_agent_account_is_created_with_a_verified_address_and_no_password():
    agent = AgentFactory(email="Marie.Roy@PAJ.example.org", language="en", first_name="Marie", last_name="Roy")

    user = agent_account_ensure(agent=agent)

    agent.refresh_from_db()
    assert agent.user == user
    assert (user.email, user.role, user.language, user.is_active) == (
        "marie.roy@paj.example.org",
        User.Role.AGENT,
        "en",
        True,
    )
    assert (user.first_name, user.last_name) == ("Marie", "Roy")
    assert not user.has_usable_password()
    assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).exists()


def test_agent_account_ensure_is_idempotent_and_follows_the_agent_record():
    agent = AgentFactory()
    user = agent_account_ensure(agent=agent)

    agent.is_active = False
    agent.email = "nouvelle@paj.example.org"
    agent.save()
    again = agent_account_ensure(agent=agent)

    assert again.pk == user.pk
    assert User.objects.filter(role=User.Role.AGENT).count() == 1
    again.refresh_from_db()
    assert (again.email, again.is_active) == ("nouvelle@paj.example.org", False)
    assert list(EmailAddress.objects.filter(user=again).values_list("email", "verified")) == [
        ("nouvelle@paj.example.org", True)
    ]


def test_agent_account_ensure_links_an_unlinked_agent_account_with_the_same_email():
    orphan = UserFactory(email="agent@paj.example.org", role=User.Role.AGENT)
    agent = AgentFactory(email="agent@paj.example.org")

    assert agent_account_ensure(agent=agent) == orphan
    assert Agent.objects.get(pk=agent.pk).user == orphan


@pytest.mark.parametrize("role", [User.Role.CANDIDATE, User.Role.COUNSELLOR, User.Role.COORDINATOR])
def test_agent_account_ensure_refuses_an_email_of_another_role(role):
    UserFactory(email="pris@example.org", role=role)
    agent = AgentFactory(email="pris@example.org")

    with pytest.raises(AgentAccountError, match=r"pris@example\.org"):
        agent_account_ensure(agent=agent)
    assert Agent.objects.get(pk=agent.pk).user is None
    assert User.objects.get(email="pris@example.org").role == role


def test_agent_account_ensure_refuses_the_address_of_another_agents_account():
    first = agent_with_account(email="un@paj.example.org")
    Agent.objects.filter(pk=first.pk).update(email="autre@paj.example.org")  # account not updated yet
    second = AgentFactory(email="un@paj.example.org")

    with pytest.raises(AgentAccountError):
        agent_account_ensure(agent=second)
    assert User.objects.get(email="un@paj.example.org").agent == first


def test_admin_save_creates_the_agents_account_and_deactivation_follows(rf):
    coordinator = CoordinatorFactory()
    request = rf.post("/")
    request.user = coordinator
    request._messages = []  # message_user is not reached on success
    agent = AgentFactory.build(email="admin@paj.example.org")
    admin = AgentAdmin(Agent, AdminSite())

    admin.save_model(request, agent, form=None, change=False)
    assert agent.user.is_active

    agent.is_active = False
    admin.save_model(request, agent, form=None, change=True)
    assert not User.objects.get(email="admin@paj.example.org").is_active


def test_admin_form_refuses_the_email_of_a_candidate():
    candidate = CandidateFactory()
    form = AgentAdmin(Agent, AdminSite()).get_form(None)(
        data={"first_name": "A", "last_name": "B", "email": candidate.email, "language": "fr-ca", "is_active": "on"}
    )

    assert not form.is_valid()
    assert "email" in form.errors


def test_demo_agents_get_accounts(settings):
    settings.DEBUG = True
    territories_load(wet_run=True)

    call_command("seed_demo")

    assert Agent.objects.count() == Territory.objects.count()
    assert not Agent.objects.filter(user__isnull=True).exists()
    assert set(User.objects.filter(agent__isnull=False).values_list("role", flat=True)) == {User.Role.AGENT}


# --- Sign-in by code --------------------------------------------------------------------------


def test_login_page_offers_a_code_by_email(client):
    response = client.get(reverse("account_login"))

    assert reverse("account_request_login_code") in response.content.decode()


def test_agent_signs_in_with_a_code_from_the_email_and_lands_in_their_space(
    client, agent, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_request_login_code"), {"email": agent.email.upper()})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_confirm_login_code"))
    assert [m.to for m in mailoutbox] == [[agent.email]]
    message = mailoutbox[0]
    assert "code de connexion" in message.subject.lower()
    code = re.search(r"^\s*([A-Z]{4}-[A-Z]{4})\s*$", message.body, re.MULTILINE).group(1)
    assert "saisissez" in client.get(response["Location"]).content.decode().lower()

    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response["Location"] == reverse("referrals:agent_home")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("role", ["counsellor", "coordinator"])
def test_eer_staff_get_no_code_and_the_page_does_not_say_so(
    client, role, mailoutbox, django_capture_on_commit_callbacks
):
    """Staff see every file: their inbox alone must not open their account."""
    from tests.factories import UserFactory

    staff = UserFactory(role=role)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_request_login_code"), {"email": staff.email})
        unknown = client.post(reverse("account_request_login_code"), {"email": "personne@example.org"})

    assert response.status_code == unknown.status_code == 302
    assert response["Location"] == unknown["Location"]
    assert not any(re.search(r"[A-Z]{4}-[A-Z]{4}", m.body) for m in mailoutbox)


def test_a_wrong_code_three_times_voids_the_login(client, agent, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_request_login_code"), {"email": agent.email})

    for _ in range(3):
        response = client.post(reverse("account_confirm_login_code"), {"code": "BBBB-BBBB"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_request_login_code")
    assert client.get(reverse("referrals:agent_home")).status_code == 302  # still anonymous


def test_code_timeout_and_attempts_are_set(settings):
    from allauth.account import app_settings

    assert settings.ACCOUNT_LOGIN_BY_CODE_ENABLED
    assert (app_settings.LOGIN_BY_CODE_TIMEOUT, app_settings.LOGIN_BY_CODE_MAX_ATTEMPTS) == (600, 3)


# --- Who gets in ------------------------------------------------------------------------------


def _pages(referral):
    return [
        ("get", reverse("referrals:agent_home")),
        ("get", reverse("referrals:agent_referral", args=[referral.pk])),
        ("post", reverse("referrals:agent_answer", args=[referral.pk])),
        ("post", reverse("referrals:agent_follow_up", args=[referral.pk])),
        ("get", reverse("referrals:agent_refer_to_eer")),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, pending):
    for method, url in _pages(pending):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["candidate", "counsellor", "coordinator", "inactive_agent"])
def test_other_roles_are_refused(client, pending, who):
    if who == "candidate":
        user = CandidateFactory().user
    elif who == "counsellor":
        user = CounsellorFactory()
    elif who == "coordinator":
        user = CoordinatorFactory()
    else:
        other = agent_with_account(territories=[pending.territory])
        Agent.objects.filter(pk=other.pk).update(is_active=False)
        user = other.user
    client.force_login(user)

    for method, url in _pages(pending):
        assert getattr(client, method)(url).status_code == 403


def test_an_agent_user_without_an_agent_record_is_refused(client):
    client.force_login(UserFactory(role=User.Role.AGENT))

    assert client.get(reverse("referrals:agent_home")).status_code == 403


def test_the_territorys_agent_gets_every_page(client, agent, pending):
    client.force_login(agent.user)

    assert client.get(reverse("referrals:agent_home")).status_code == 200
    assert client.get(reverse("referrals:agent_referral", args=[pending.pk])).status_code == 200
    assert client.get(reverse("referrals:agent_refer_to_eer")).status_code == 200


def test_another_territorys_referral_is_a_404_everywhere(client, pending):
    stranger = agent_with_account()
    client.force_login(stranger.user)

    for method, url in _pages(pending)[1:4]:
        assert getattr(client, method)(url, {"decision": "accept", "confirm": "1"}).status_code == 404
    assert pending.candidate.full_name not in client.get(reverse("referrals:agent_home")).content.decode()
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.PENDING


def test_a_queued_referral_is_never_shown(client, agent):
    queued = referral_for(agent, status=ReferralStatus.QUEUED, expires_at=None)
    client.force_login(agent.user)

    assert client.get(reverse("referrals:agent_referral", args=[queued.pk])).status_code == 404
    for tab in ("en-attente", "suivi", "fermees"):
        page = client.get(reverse("referrals:agent_home"), {"onglet": tab}).content.decode()
        assert queued.candidate.full_name not in page


# --- The list ---------------------------------------------------------------------------------


def test_tabs_sort_referrals_by_where_they_stand(client, agent):
    pending = referral_for(agent)
    following = referral_for(agent, status=ReferralStatus.ACCEPTED)
    finished = referral_for(agent, status=ReferralStatus.ACCEPTED)
    FollowUpFactory(referral=finished, step="closed", note="A déménagé ailleurs.")
    declined = referral_for(agent, status=ReferralStatus.DECLINED, decline_category=DeclineReason.HOUSING)
    expired = referral_for(agent, status=ReferralStatus.EXPIRED)
    withdrawn = referral_for(agent, status=ReferralStatus.WITHDRAWN)
    client.force_login(agent.user)

    def names(tab):
        page = client.get(reverse("referrals:agent_home"), {"onglet": tab}).context["page"]
        return {referral.pk for referral in page.object_list}

    assert names("en-attente") == {pending.pk}
    assert names("suivi") == {following.pk}
    assert names("fermees") == {finished.pk, declined.pk, expired.pk, withdrawn.pk}
    assert names("nimporte-quoi") == {pending.pk}
    tabs = client.get(reverse("referrals:agent_home")).context["tabs"]
    assert [count for _, _, count in tabs] == [1, 1, 4]


def test_the_list_pages_by_25(client, agent):
    for _ in range(26):
        referral_for(agent)
    client.force_login(agent.user)

    first = client.get(reverse("referrals:agent_home")).context["page"]
    second = client.get(reverse("referrals:agent_home"), {"page": "2"}).context["page"]

    assert (len(first.object_list), len(second.object_list)) == (25, 1)
    assert (first.paginator.num_pages, second.number) == (2, 2)


def test_the_tabs_counts_serve_the_pages_not_a_count_of_their_own(client, agent):
    for _ in range(3):
        referral_for(agent)
    client.force_login(agent.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("referrals:agent_home"))
    assert response.context["page"].paginator.count == 3
    [counting] = [q["sql"] for q in queries if "COUNT(" in q["sql"]]
    assert "GROUP BY" in counting  # the tabs' counts, by status and closed follow-up


def test_every_referral_an_agent_sees_is_counted_in_the_tab_that_lists_it(client, agent):
    for status in ReferralStatus.values:
        if status == ReferralStatus.QUEUED:  # not sent yet: no agent sees it
            continue
        referral_for(agent, status=status)
        FollowUpFactory(referral=referral_for(agent, status=status), step="closed")
    client.force_login(agent.user)

    response = client.get(reverse("referrals:agent_home"))
    counts = {key: count for key, _label, count in response.context["tabs"]}
    listed = {
        key: len(client.get(reverse("referrals:agent_home"), {"onglet": key}).context["page"].object_list)
        for key in counts
    }

    assert counts == listed
    assert sum(counts.values()) == Referral.objects.for_agent(agent).count() == 2 * (len(ReferralStatus.values) - 1)
    assert counts["suivi"] == 1 and counts["fermees"] == 7  # accepted, closed follow-up: closed


@pytest.mark.parametrize("tab", ["en-attente", "suivi", "fermees"])
def test_the_list_costs_the_same_queries_for_1_and_30_rows(client, tab):
    status = {"en-attente": ReferralStatus.PENDING, "suivi": ReferralStatus.ACCEPTED}.get(tab, ReferralStatus.DECLINED)

    def count(rows: int) -> int:
        agent = agent_with_account()
        for _ in range(rows):
            referral = referral_for(agent, status=status)
            if status == ReferralStatus.ACCEPTED:
                FollowUpFactory(referral=referral, step="first_contact")
                FollowUpFactory(referral=referral, step="job_found", by_agent=agent)
        client.force_login(agent.user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("referrals:agent_home"), {"onglet": tab})
        assert len(response.context["page"].object_list) == min(rows, 25)
        return len(queries)

    assert count(1) == count(30)


def test_a_follow_up_card_shows_its_last_step_and_its_date_in_the_reader_s_language(client, agent):
    referral = referral_for(agent, status=ReferralStatus.ACCEPTED)
    FollowUpFactory(referral=referral, step="first_contact", occurred_on=datetime.date(2026, 3, 2))
    FollowUpFactory(referral=referral, step="job_found", occurred_on=datetime.date(2026, 4, 9), note="Chez Cascades.")
    client.force_login(agent.user)

    french = client.get(reverse("referrals:agent_home"), {"onglet": "suivi"}).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("referrals:agent_home"), {"onglet": "suivi"}).content.decode()

    assert "Emploi trouvé (9 avril 2026)" in french and "Premier contact" not in french
    assert "Job found (April 9, 2026)" in english
    assert "Chez Cascades." not in french + english  # the note is the referral's page's, not the list's


@pytest.mark.parametrize(
    ("status", "tab"), [(ReferralStatus.PENDING, "en-attente"), (ReferralStatus.ACCEPTED, "suivi")]
)
def test_the_list_reads_the_name_not_the_person_s_file_nor_the_consents_wording(client, agent, status, tab):
    """A card shows a name, a territory, a status and dates: the list reads no contact detail, no
    message, no follow-up note and not the words of the consents, only what sharing covers."""
    referral = referral_for(agent, status=status)
    FollowUpFactory(referral=referral, step="first_contact", note="Appel : la personne visite en mai.")
    client.force_login(agent.user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("referrals:agent_home"), {"onglet": tab}).content.decode()

    assert referral.candidate.full_name in page
    selected = " ".join(q["sql"].split(" FROM ")[0] for q in queries)
    for column in (
        '"candidates_candidate"."email"',
        '"candidates_candidate"."phone"',
        '"candidates_candidate"."date_of_birth"',
        '"referrals_referral"."message"',
        '"referrals_followup"."note"',
        '"candidates_consenttext"."text"',
    ):
        assert column not in selected


# --- The detail page --------------------------------------------------------------------------


def test_detail_shows_the_shared_summary_and_the_message_not_the_coaching_notes(client, agent, pending):
    CoachingNote.objects.create(candidate=pending.candidate, author=CounsellorFactory(), text="Note interne EER")
    client.force_login(agent.user)

    page = client.get(reverse("referrals:agent_referral", args=[pending.pk])).content.decode()

    assert pending.candidate.full_name in page
    assert "Elle a fait un séjour exploratoire." in page
    assert "Note interne EER" not in page
    assert pending.candidate.email not in page  # only once the agent has taken the person on
    assert 'name="decision"' in page
    assert reverse("referrals:agent_answer", args=[pending.pk]) in page


def test_detail_hides_the_summary_once_the_person_withdraws_sharing(client, agent):
    accepted = referral_for(agent, status=ReferralStatus.ACCEPTED)
    candidate_set_consents(
        candidate=accepted.candidate, choices={Consent.Purpose.SHARING: False}, method=Consent.Method.MY_FILE
    )
    client.force_login(agent.user)

    page = client.get(reverse("referrals:agent_referral", args=[accepted.pk])).content.decode()

    assert accepted.candidate.email not in page
    assert "retiré son accord" in page


def test_detail_of_an_overdue_pending_referral_offers_no_answer(client, agent):
    overdue = referral_for(agent, expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client.force_login(agent.user)

    page = client.get(reverse("referrals:agent_referral", args=[overdue.pk])).content.decode()

    assert 'name="decision"' not in page
    assert "délai de réponse est passé" in page


def test_hostile_text_is_shown_escaped(client, agent):
    hostile = "<script>alert(1)</script>"
    referral = referral_for(
        agent,
        status=ReferralStatus.ACCEPTED,
        message=hostile,
        candidate=CandidateFactory(first_name=hostile, status=CandidateStatus.TAKEN_ON),
    )
    FollowUpFactory(referral=referral, step="first_contact", note=hostile)
    declined = referral_for(agent, status=ReferralStatus.DECLINED, decline_category="other", decline_reason=hostile)
    client.force_login(agent.user)

    for url in (
        reverse("referrals:agent_referral", args=[referral.pk]),
        reverse("referrals:agent_referral", args=[declined.pk]),
        reverse("referrals:agent_home") + "?onglet=suivi",
    ):
        page = client.get(url).content.decode()
        assert hostile not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- Answering from the space -----------------------------------------------------------------


def test_agent_accepts_from_the_space(client, agent, pending, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(agent.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("referrals:agent_answer", args=[pending.pk]), {"decision": "accept", "confirm": "1"}
        )

    assert response["Location"] == reverse("referrals:agent_referral", args=[pending.pk])
    pending.refresh_from_db()
    assert (pending.status, pending.answered_by) == (ReferralStatus.ACCEPTED, agent)
    page = client.get(response["Location"]).content.decode()
    assert "Orientation acceptée" in page
    assert pending.candidate.email in page
    assert 'id="follow-up-form"' in page


def test_agent_declines_from_the_space_with_a_reason(client, agent, pending, django_capture_on_commit_callbacks):
    client.force_login(agent.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("referrals:agent_answer", args=[pending.pk]),
            {"decision": "decline", "category": DeclineReason.CAPACITY, "reason": "Pas avant l'automne."},
        )

    pending.refresh_from_db()
    assert (pending.status, pending.decline_category, pending.decline_reason) == (
        ReferralStatus.DECLINED,
        DeclineReason.CAPACITY,
        "Pas avant l'automne.",
    )


def test_decline_without_a_reason_shows_the_form_again(client, agent, pending):
    client.force_login(agent.user)

    response = client.post(reverse("referrals:agent_answer", args=[pending.pk]), {"decision": "decline"})

    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.PENDING


def test_a_second_answer_says_who_answered_first(client, agent, pending, django_capture_on_commit_callbacks):
    colleague = agent_with_account(territories=[pending.territory])
    client.force_login(colleague.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("referrals:agent_answer", args=[pending.pk]), {"decision": "accept", "confirm": "1"})
    client.force_login(agent.user)

    response = client.post(
        reverse("referrals:agent_answer", args=[pending.pk]),
        {"decision": "decline", "category": DeclineReason.HOUSING},
        follow=True,
    )

    assert str(colleague) in response.content.decode()
    assert Referral.objects.get(pk=pending.pk).answered_by == colleague


def test_answer_and_follow_up_refuse_get(client, agent, pending):
    client.force_login(agent.user)

    assert client.get(reverse("referrals:agent_answer", args=[pending.pk])).status_code == 405
    assert client.get(reverse("referrals:agent_follow_up", args=[pending.pk])).status_code == 405


def test_nav_shows_the_agents_links(client, agent):
    client.force_login(agent.user)

    page = client.get(reverse("referrals:agent_home")).content.decode()

    assert reverse("referrals:agent_refer_to_eer") in page
    assert reverse("my_file:home") not in page


def test_a_referral_to_another_of_the_agents_territories_is_shown(client):
    first, second = TerritoryFactory(), TerritoryFactory()
    agent = agent_with_account(territories=[first, second])
    referral = referral_for(agent)
    Referral.objects.filter(pk=referral.pk).update(territory=second)
    client.force_login(agent.user)

    assert client.get(reverse("referrals:agent_referral", args=[referral.pk])).status_code == 200


def test_the_space_and_the_code_email_speak_english_when_chosen(
    client, agent, settings, mailoutbox, django_capture_on_commit_callbacks
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # The middleware leaves the request's language active in this thread: restore it afterwards.
    with translation.override(settings.LANGUAGE_CODE):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("account_request_login_code"), {"email": agent.email})
        client.force_login(agent.user)
        page = client.get(reverse("referrals:agent_home")).content.decode()

    assert "sign-in code" in mailoutbox[0].subject.lower()
    assert "My referrals" in page


def test_a_referral_s_page_reads_the_agent_s_territories_once(client, agent, pending):
    """Agent.territory_ids is read once per request: by the list's query and by agent_view."""
    client.force_login(agent.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("referrals:agent_referral", args=[pending.pk]))

    assert response.status_code == 200 and response.context["sees"].person
    reads = [q["sql"] for q in queries.captured_queries if "territories_agent_territories" in q["sql"]]
    assert len(reads) == 1, reads
