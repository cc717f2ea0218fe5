"""The public privacy page (P-39.1, s. 3.2 and 8): who is in charge, what is collected and why,
who sees what, how long it is kept, where it is hosted, the person's rights and how to complain."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .retention import RULES
from .selectors import officer_contacts


@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    """No query: everything comes from the settings and privacy.retention.RULES, read now (a
    changed retention setting changes the page)."""
    return render(
        request,
        "privacy/policy.html",
        {
            "officers": officer_contacts(),
            "retention": [(rule, rule.days) for rule in RULES],
            "hosting": settings.DATA_HOSTING,
            "agent_grace_days": settings.AGENT_ACCESS_GRACE_DAYS,
            "answer_days": settings.REFERRAL_ANSWER_DAYS,
        },
    )
