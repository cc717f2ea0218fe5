"""The agent's space as a phone shows it: cards rather than a table, the tab that needs action
first, and on an accepted referral the follow-up form before the summary."""

import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from referrals.models import ReferralStatus
from tests.referrals.factories_agent import FollowUpFactory, agent_with_account, referral_for

pytestmark = pytest.mark.django_db


def open_space(client, agent, **params):
    client.force_login(agent.user)
    return client.get(reverse("referrals:agent_home"), params)


@pytest.mark.parametrize(
    ("statuses", "tab"),
    [
        ([ReferralStatus.ACCEPTED, ReferralStatus.PENDING], "en-attente"),
        ([ReferralStatus.ACCEPTED, ReferralStatus.UNDER_REVIEW], "en-attente"),
        ([ReferralStatus.ACCEPTED, ReferralStatus.DECLINED], "suivi"),
        ([ReferralStatus.DECLINED], "fermees"),
        ([], "en-attente"),
    ],
)
def test_the_space_opens_on_the_tab_that_needs_action(client, statuses, tab):
    agent = agent_with_account()
    for status in statuses:
        referral_for(agent, status=status)

    response = open_space(client, agent)

    assert response.context["tab"] == tab
    assert re.search(rf'aria-current="page"\s+href="\?onglet={tab}"', response.content.decode())


def test_a_referral_under_review_is_with_the_pending_ones(client):
    agent = agent_with_account()
    pending = referral_for(agent)
    under_review = referral_for(agent, status=ReferralStatus.UNDER_REVIEW)

    page = open_space(client, agent, onglet="en-attente").context["page"]

    assert {referral.pk for referral in page.object_list} == {pending.pk, under_review.pk}


def test_the_list_is_cards_not_a_table(client):
    agent = agent_with_account()
    referral = referral_for(agent, status=ReferralStatus.UNDER_REVIEW)

    html = html_lib.unescape(open_space(client, agent).content.decode())

    assert "<table" not in html
    assert html.count('class="card h-100 agent-referral') == 1
    assert referral.candidate.full_name in html and "Réponse attendue d'ici le :" in html


def test_on_an_accepted_referral_the_follow_up_form_comes_before_the_summary(client):
    agent = agent_with_account()
    referral = referral_for(agent, status=ReferralStatus.ACCEPTED)
    client.force_login(agent.user)

    html = client.get(reverse("referrals:agent_referral", args=[referral.pk])).content.decode()

    assert html.index('id="follow-up-form"') < html.index('id="resume"')


def test_on_a_pending_referral_the_summary_comes_before_the_answer(client):
    agent = agent_with_account()
    referral = referral_for(agent)
    client.force_login(agent.user)

    html = client.get(reverse("referrals:agent_referral", args=[referral.pk])).content.decode()

    assert html.index('id="resume"') < html.index('id="answer"')
    assert 'id="follow-up-form"' not in html


def test_the_list_costs_the_same_queries_for_1_and_30_rows_of_every_kind(client):
    """Pending, under review and accepted rows with follow-ups, on the tab the space opens on."""

    def count(rows: int) -> int:
        agent = agent_with_account()
        for index in range(rows):
            referral_for(agent, status=(ReferralStatus.PENDING, ReferralStatus.UNDER_REVIEW)[index % 2])
            accepted = referral_for(agent, status=ReferralStatus.ACCEPTED)
            FollowUpFactory(referral=accepted, step="first_contact", by_agent=agent)
        client.force_login(agent.user)
        with CaptureQueriesContext(connection) as queries:
            for tab in ("", "suivi"):
                response = client.get(reverse("referrals:agent_home"), {"onglet": tab} if tab else {})
                assert len(response.context["page"].object_list) == min(rows, 25)
        return len(queries)

    assert count(1) == count(30)
