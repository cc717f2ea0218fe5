"""The agent's list written in Python (referrals.agent_cards): each line of a card as the template
printed it, in the reader's language, every value escaped, and a person named only while the agent
may see them."""

import datetime
import html as html_lib
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from common.labels import choice_labels, date_label
from referrals.models import FollowUpStep, ReferralStatus
from tests.referrals.factories_agent import FollowUpFactory, agent_with_account, referral_for

pytestmark = pytest.mark.django_db


def card_of(client, agent, referral, *, tab: str, language: str = "fr") -> tuple[str, str]:
    """The card's classes and text (tags dropped, spaces collapsed, unescaped), and its HTML."""
    client.force_login(agent.user)
    client.cookies["django_language"] = language
    html = client.get(reverse("referrals:agent_home"), {"onglet": tab}).content.decode()
    match = re.search(
        rf'<article class="([^"]*)"\s+aria-labelledby="referral-{referral.pk}-title">(.*?)</article>', html, re.S
    )
    assert match, f"no card for referral {referral.pk}"
    text = html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2))).strip())
    return match.group(1) + " | " + text, match.group(2)


def day(moment, language="fr") -> str:
    with translation.override(language):
        return Template('{{ d|date:"DATE_FORMAT" }}').render(Context({"d": moment}))


def test_a_pending_card_names_the_person_and_the_deadline(client):
    agent = agent_with_account()
    referral = referral_for(agent)

    card, html = card_of(client, agent, referral, tab="en-attente")

    deadline = day(referral.expires_at)
    assert card == (
        f"card h-100 agent-referral | {referral.candidate.full_name} Territoire : {referral.territory.name} "
        f"Statut : En attente de réponse Réponse attendue d'ici le : {deadline}"
    )
    assert f'href="{reverse("referrals:agent_referral", args=[referral.pk])}"' in html


def test_a_card_under_review_has_its_border(client):
    agent = agent_with_account()
    referral = referral_for(agent, status=ReferralStatus.UNDER_REVIEW)

    card, _ = card_of(client, agent, referral, tab="en-attente")

    assert card.startswith("card h-100 agent-referral border-info | ")
    assert "Statut : À l'étude Réponse attendue d'ici le : " in card


def test_an_accepted_card_shows_its_latest_follow_up_step_or_a_dash(client):
    agent = agent_with_account()
    followed = referral_for(agent, status=ReferralStatus.ACCEPTED)
    FollowUpFactory(referral=followed, step="first_contact", occurred_on=datetime.date(2026, 3, 2), by_agent=agent)
    FollowUpFactory(referral=followed, step="exploratory_stay", occurred_on=datetime.date(2026, 4, 9), by_agent=agent)
    waiting = referral_for(agent, status=ReferralStatus.ACCEPTED)

    followed_card, _ = card_of(client, agent, followed, tab="suivi")
    waiting_card, _ = card_of(client, agent, waiting, tab="suivi")

    assert followed_card.endswith(
        f"Réponse : {day(followed.answered_at)} Dernière étape du suivi : Séjour exploratoire (9 avril 2026)"
    )
    assert waiting_card.endswith("Dernière étape du suivi : —")


def test_a_closed_card_gives_a_number_not_the_person(client):
    agent = agent_with_account()
    declined = referral_for(agent, status=ReferralStatus.DECLINED, answered_at=timezone.now())
    expired = referral_for(agent, status=ReferralStatus.EXPIRED)

    declined_card, _ = card_of(client, agent, declined, tab="fermees")
    expired_card, _ = card_of(client, agent, expired, tab="fermees")

    assert declined_card.startswith(f"card h-100 agent-referral | Orientation n° {declined.pk} Territoire : ")
    assert declined.candidate.last_name not in declined_card
    assert declined_card.endswith(f"Statut : Refusée Réponse : {day(declined.answered_at)}")
    assert expired_card.endswith(f"Reçue le : {day(expired.created_at)}")


def test_every_value_is_escaped(client):
    agent = agent_with_account()
    referral = referral_for(agent)
    candidate, territory = referral.candidate, referral.territory
    candidate.first_name, candidate.last_name = "<b>Zoé", 'O"Neil & <i>'
    candidate.save(update_fields=["first_name", "last_name"])
    territory.name = "Côte-<Nord> & Îles"
    territory.save(update_fields=["name"])

    _, html = card_of(client, agent, referral, tab="en-attente")

    assert "&lt;b&gt;Zoé O&quot;Neil &amp; &lt;i&gt;" in html
    assert "Côte-&lt;Nord&gt; &amp; Îles" in html
    assert "<b>" not in html and "<i>" not in html


def test_the_card_speaks_english_to_an_english_reader(client):
    agent = agent_with_account()
    referral = referral_for(agent, status=ReferralStatus.ACCEPTED)
    FollowUpFactory(referral=referral, step="job_found", occurred_on=datetime.date(2026, 5, 14), by_agent=agent)

    card, _ = card_of(client, agent, referral, tab="suivi", language="en")

    assert card.endswith(
        f"Territory: {referral.territory.name} Status: Accepted Answer: {day(referral.answered_at, 'en')} "
        "Latest follow-up step: Job found (May 14, 2026)"
    )


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_labels_are_those_of_the_template_and_of_get_display(language):
    days = [datetime.date(2026, month, 1 + month) for month in range(1, 13)]
    with translation.override(language):
        for each in days:
            assert date_label(each) == day(each, language)
        assert choice_labels(FollowUpStep) == {value: str(label) for value, label in FollowUpStep.choices}
