"""Sign-up timing (the security issue's "no oracle"): the same form posted for new addresses and
for addresses that already have an account. Both answer with the same page; their medians must
be close, or the time tells who is registered. Real password hashing, allauth's rate limits off
(the bench posts from one address)."""

import itertools
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from accounts.models import User
from candidates.models import years_ago

from .cases import Bench, CaseResult, percentiles

SIGNUP_REQUESTS = 50
_numbers = itertools.count()


def _form(email: str) -> dict:
    return {
        "first_name": "Awa",
        "last_name": "Banc-d'essai",
        "email": email,
        "password1": "une-phrase-de-passe-banc-2026",
        "date_of_birth": years_ago(27).isoformat(),
        "phone": "",
        "language": "fr-ca",
    }


def _time_signups(emails: list[str]) -> CaseResult:
    url = reverse("candidates:register")
    timings = []
    with override_settings(ACCOUNT_RATE_LIMITS=False):
        for warm_up in emails[:2]:
            Client().post(url, _form(warm_up))
        for email in emails[2:]:
            client = Client()
            start = time.perf_counter()
            response = client.post(url, _form(email))
            timings.append(time.perf_counter() - start)
            assert response.status_code == 302, f"sign-up answered {response.status_code}"
        with CaptureQueriesContext(connection) as captured:  # counted apart: the log slows the timed ones
            Client().post(url, _form(emails[0]))
    p50, p95 = percentiles(timings)
    return CaseResult(p50_ms=p50, p95_ms=p95, queries=len(captured), note=f"{len(timings)} sign-ups")


def case_signup_new(bench: Bench) -> CaseResult:
    return _time_signups(
        [f"banc-{next(_numbers)}-{time.time_ns()}@bench.pajr.localhost" for _ in range(SIGNUP_REQUESTS + 2)]
    )


def case_signup_existing(bench: Bench) -> CaseResult:
    emails = list(
        User.objects.filter(role=User.Role.CANDIDATE)
        .order_by("pk")
        .values_list("email", flat=True)[: SIGNUP_REQUESTS + 2]
    )
    return _time_signups(emails)
