"""The agent's list of referrals as cards, their HTML written once in Python, as the counsellors'
queue writes its rows (counselling/rows.py): a template spends some 20 µs on each variable, tag and
filter, and 25 cards of some 20 each were about a third of the agent's list's CPU (issue 17). The
markup is the template's (referrals/agent/home.html printed it card by card until it went;
compared on every tab and page of the bench's 22 agents with cards, in both languages);
tests/referrals/test_agent_cards.py holds each line of a card, escaping and what a card shows of a
person the agent may no longer see."""

from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from common.labels import choice_labels, date_label

from .models import FollowUpStep, Referral, ReferralStatus


def _day(moment) -> str:
    """`{{ moment|date:"DATE_FORMAT" }}`: the local day of a datetime, empty for None."""
    return date_label(timezone.localdate(moment)) if moment else ""


def _item(term: str, value: str) -> str:
    return f'<div><dt class="d-inline">{term}</dt> <dd class="d-inline mb-0">{value}</dd></div>'


def cards_html(referrals: list[Referral]) -> SafeString:
    """One `<li>` card per referral of the page. Each referral carries `sees` (what the agent may
    see of its person, selectors.agent_view) and `last_follow_up` (the latest step or None), as
    agent_views.home sets them; only a person the agent may see is named."""
    statuses, steps = choice_labels(ReferralStatus), choice_labels(FollowUpStep)
    territory_term, status_term = escape(gettext("Territoire :")), escape(gettext("Statut :"))
    expected_term, answer_term = escape(gettext("Réponse attendue d'ici le :")), escape(gettext("Réponse :"))
    received_term, step_term = escape(gettext("Reçue le :")), escape(gettext("Dernière étape du suivi :"))
    numbered = gettext("Orientation n° %(number)s")
    # The referral page's URL with its number last: reversed once, not for each card.
    url_head = reverse("referrals:agent_referral", args=[0]).removesuffix("0/")
    html = []
    for referral in referrals:
        pk = referral.pk
        title = escape(referral.candidate.full_name if referral.sees.person else numbered % {"number": pk})
        if referral.awaits_answer:
            when = _item(expected_term, _day(referral.expires_at))
        elif referral.answered_at:
            when = _item(answer_term, _day(referral.answered_at))
        else:
            when = _item(received_term, _day(referral.created_at))
        follow_up = ""
        if referral.status == ReferralStatus.ACCEPTED:
            last = referral.last_follow_up
            step = f"{escape(steps.get(last.step, last.step))} ({date_label(last.occurred_on)})" if last else "—"
            follow_up = _item(step_term, step)
        border = " border-info" if referral.status == ReferralStatus.UNDER_REVIEW else ""
        html.append(
            f'<li class="col"><article class="card h-100 agent-referral{border}" '
            f'aria-labelledby="referral-{pk}-title"><div class="card-body">'
            f'<h2 class="h6 card-title mb-2" id="referral-{pk}-title">'
            f'<a href="{url_head}{pk}/" class="stretched-link">{title}</a></h2>'
            f'<dl class="mb-0 small">{_item(territory_term, escape(referral.territory.name))}'
            f"{_item(status_term, escape(statuses.get(referral.status, referral.status)))}{when}{follow_up}</dl>"
            "</div></article></li>"
        )
    return mark_safe("\n".join(html))  # noqa: S308 — every value above is escaped
