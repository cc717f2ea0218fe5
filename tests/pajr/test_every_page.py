"""The whole site walked as each role: every URL pattern, every form.

- Every response to a signed-in person, and every page behind an agent's link, says
  `Cache-Control: no-store, private`.
- Hostile input (NUL, markup, quotes, far too long, undecodable) in every path parameter, in the
  lists' query strings and in every field of every form gets a 4xx or a page, never a 5xx, and is
  never echoed unescaped. Run on both databases; DEBUG is off, as in production."""

from types import SimpleNamespace
from urllib.parse import quote, urljoin

import pytest
from django.test import Client

from candidates.models import CandidateStatus
from candidates.services import coaching_note_add
from notifications.services import outbox_enqueue
from referrals.services import referral_link_create
from territories.services import agent_account_ensure
from tests.factories import (
    AgentFactory,
    CandidateFactory,
    CoordinatorFactory,
    CounsellorFactory,
    ReferralFactory,
    TerritoryFactory,
)
from tests.pages import link_page
from tests.walk import admin_object_id, post_forms, routes

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
HOSTILE = [SCRIPT, "\x00", "' OR 1=1 --", "é" * 5000, "%00%ff", "../../etc/passwd", "=1+1", "\u202eevil"]
ROLES = ["anonymous", "candidate", "agent", "counsellor", "coordinator"]
# Forms whose whole point is to end the session: posted, they would sign the walker out.
SKIPPED_ACTIONS = ("/comptes/logout/", "/compte/deconnecter-partout/")


@pytest.fixture
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.DEBUG = False
    territory = TerritoryFactory(code="RN", name="Rimouski-Neigette")
    agent = AgentFactory(territories=[territory])
    agent_account_ensure(agent=agent)
    counsellor = CounsellorFactory()
    coordinator = CoordinatorFactory(is_superuser=True)
    candidate = CandidateFactory(
        target_territory=territory, status=CandidateStatus.REFERRED, counsellor=counsellor, phone="+14185550199"
    )
    twin = CandidateFactory(target_territory=territory, phone="+14185550199")
    referral = ReferralFactory(candidate=candidate, territory=territory, sent_by=counsellor)
    note = coaching_note_add(candidate=candidate, by=counsellor, text="Première rencontre.")
    _, token = referral_link_create(referral=referral, agent=agent)
    outbox_enqueue(
        to=candidate.email,
        language="fr-ca",
        template="candidate_file_received",
        context={"candidate": candidate, "link": "x"},
    )
    return SimpleNamespace(
        territory=territory,
        agent=agent,
        counsellor=counsellor,
        coordinator=coordinator,
        candidate=candidate,
        twin=twin,
        referral=referral,
        note=note,
        token=token,
    )


def client_for(role: str, site) -> Client:
    client = Client()
    user = {
        "candidate": site.candidate.user,
        "agent": site.agent.user,
        "counsellor": site.counsellor,
        "coordinator": site.coordinator,
    }.get(role)
    if user is not None:
        client.force_login(user)
    return client


def values(route, site, handle: str) -> dict[str, str] | None:
    """Real ids for the route's parameters, or None when the route cannot be opened here."""
    by_name = {
        "step": "3",
        "note_pk": site.note.pk,
        "other_pk": site.twin.pk,
        "handle": handle,
        "token": site.token,
        "code": site.territory.code,
        "name": "inconnu",
    }
    result = {}
    for converter, name in route.parameters:
        if name == "pk":
            result[name] = site.referral.pk if ("orientations" in route.route) else site.candidate.pk
        elif name == "object_id":
            found = admin_object_id(route)
            if found is None:
                return None
            result[name] = found
        elif name in by_name:
            result[name] = by_name[name]
        else:
            result[name] = "1" if converter == "int" else "x"
    return result


def pages(role: str, site):
    """(client, path) for every route as `role`, with the link's handle in that client's session."""
    client = client_for(role, site)
    handle = link_page(client, site.token).rstrip("/").rsplit("/", 1)[-1]
    for route in routes():
        route_values = values(route, site, handle)
        if route_values is not None and "/logout/" not in route.route:
            yield client, route.path(route_values)


def test_every_signed_in_response_and_every_link_page_is_never_stored(site):
    checked = 0
    for role in ROLES:
        for client, path in pages(role, site):
            response = client.get(path)
            if response.status_code != 200 or path.startswith("/static/"):
                continue
            if role != "anonymous" or path.startswith("/r/"):
                cache = response.get("Cache-Control", "")
                assert "no-store" in cache and "private" in cache, (role, path, cache)
                checked += 1
    assert checked > 100


def _html(response) -> str:
    if "text/html" not in response.get("Content-Type", ""):
        return ""
    return response.content.decode(errors="replace")


def test_hostile_path_parameters_and_queries_never_make_a_5xx(site):
    client = client_for("coordinator", site)
    anonymous = Client()
    for route in routes():
        if not route.parameters:
            continue
        for value in HOSTILE:
            path = route.path({name: quote(value, safe="") for _converter, name in route.parameters})
            for who in (client, anonymous):
                response = who.get(path)
                assert response.status_code < 500, (path, response.status_code)
                assert SCRIPT not in _html(response), path
    for role in ROLES:
        for who, path in pages(role, site):
            # /sante/ answers 503 by design while no worker runs (tests/pajr/test_health.py).
            if "?" in path or path.startswith(("/static/", "/dev/", "/sante/")):
                continue
            for value in HOSTILE:
                query = "&".join(
                    f"{key}={quote(value, safe='')}"
                    for key in (
                        "q",
                        "page",
                        "vue",
                        "tri",
                        "onglet",
                        "statut",
                        "region",
                        "term",
                        "export",
                        "format",
                        "next",
                    )
                )
                response = who.get(f"{path}?{query}")
                assert response.status_code < 500, (role, path, value, response.status_code)
                assert SCRIPT not in _html(response), (role, path)


def test_hostile_values_in_every_field_of_every_form_never_make_a_5xx(site):
    posted = 0
    for role in ROLES:
        for client, path in pages(role, site):
            if path.startswith(("/admin/", "/static/", "/dev/")):
                continue  # the admin's own forms: Django's (its CSV import has its own tests)
            page = client.get(path)
            if page.status_code != 200:
                continue
            for form in post_forms(_html(page)):
                action = urljoin(path, form.action) if form.action else path
                if action.startswith(SKIPPED_ACTIONS):
                    continue
                for value in HOSTILE:
                    data = {
                        name: (current if name == "csrfmiddlewaretoken" else value)
                        for name, current in form.fields.items()
                    }
                    response = client.post(action, data)
                    assert response.status_code < 500, (role, action, value, response.status_code)
                    assert SCRIPT not in _html(response), (role, action)
                    posted += 1
    assert posted > 200


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded; charset=utf-16", "login=a".encode("utf-16")),
        ("application/x-www-form-urlencoded; charset=x-unknown", b"login=a"),
        ("multipart/form-data; boundary=", b"--\r\n"),
        ("multipart/form-data", b"garbage"),
    ],
)
def test_a_body_in_a_foreign_or_broken_encoding_is_a_400_page(client, content_type, body):
    response = client.generic("POST", "/comptes/login/", body, content_type=content_type)

    assert response.status_code == 400
    assert "<main" in response.content.decode()


@pytest.mark.parametrize("path", ["/territoires/%00/", "/conseil/?q=%00", "/admin/autocomplete/?term=%00", "/%00"])
def test_a_nul_in_the_path_or_the_query_is_a_400_page(site, path):
    response = client_for("coordinator", site).get(path)

    assert response.status_code == 400


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, settings):
    response = client.generic(
        "POST",
        "/comptes/login/",
        b"x",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1),
    )

    assert response.status_code == 413
    assert "trop volumineux" in response.content.decode()
