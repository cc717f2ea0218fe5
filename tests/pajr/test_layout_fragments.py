"""The layout's fixed parts (templates/base.html: the head's files, the brand, the menu's links,
the footer) are rendered once per process by language, role and page, and kept in the
"fragments" cache (issue 17: 0.84 → 0.46 ms of every page). A kept part must never be shown to
someone it was not made for: each person sees their own role's links, in their language, with
their page marked, and the parts that hold a request's CSRF token are written for each request."""

import re

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.test import Client
from django.urls import reverse

from tests.factories import CandidateFactory, CounsellorFactory
from tests.referrals.factories_agent import agent_with_account

pytestmark = pytest.mark.django_db

COUNSELLOR_LINK = reverse("counselling:queue")
AGENT_LINK = reverse("referrals:agent_home")
CANDIDATE_LINK = reverse("my_file:home")
MENU_LINKS = {COUNSELLOR_LINK, AGENT_LINK, CANDIDATE_LINK}


def menu(html: str) -> str:
    return html.split('<ul class="navbar-nav me-auto">', 1)[1].split("</ul>", 1)[0]


def client_of(user=None, language="fr") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the language switch's choice
    if user is not None:
        client.force_login(user)
    return client


def test_each_role_sees_its_own_links_whoever_came_before_in_the_same_process():
    people = {
        "counsellor": (CounsellorFactory(), {COUNSELLOR_LINK}),
        "agent": (agent_with_account().user, {AGENT_LINK}),
        "candidate": (CandidateFactory().user, {CANDIDATE_LINK}),
        "anonymous": (None, set()),
    }
    for _round in range(2):  # the second round reads every part from the cache
        for role, (user, links) in people.items():
            page = client_of(user).get(reverse("territories:directory")).content.decode()
            shown = {link for link in MENU_LINKS if f'href="{link}"' in menu(page)}
            assert shown == links, role
            assert ("Se déconnecter" in page) is (user is not None), role
    assert caches["fragments"].get(make_template_fragment_key("layout-head")) is not None


def test_the_page_of_its_section_is_marked_and_no_other():
    client = client_of(CandidateFactory().user)
    directory_url, calendar_url = reverse("territories:directory"), reverse("activities:calendar")
    for _round in range(2):
        directory = menu(client.get(directory_url).content.decode())
        calendar = menu(client.get(calendar_url).content.decode())
        mine = menu(client.get(reverse("my_file:home")).content.decode())
        assert re.search(rf'href="{directory_url}"\s+aria-current="page"', directory)
        assert re.search(rf'href="{calendar_url}"\s+aria-current="page"', calendar)
        assert directory.count("aria-current") == calendar.count("aria-current") == 1
        assert "aria-current" not in mine


def test_each_language_gets_its_own_parts():
    user = CandidateFactory().user
    for _round in range(2):
        french = client_of(user, "fr").get(reverse("territories:directory")).content.decode()
        english = client_of(user, "en").get(reverse("territories:directory")).content.decode()
        assert "Mon dossier" in menu(french) and "Besoin d'aide" in french
        assert "My file" in menu(english) and "Need help" in english
        assert "Mon dossier" not in menu(english) and "Besoin d'aide" not in english


def test_the_forms_carry_each_requests_own_token_and_page():
    tokens = set()
    for path in (reverse("territories:directory"), reverse("activities:calendar")):
        client = client_of(CounsellorFactory())
        page = client.get(path).content.decode()
        found = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
        assert len(re.findall(r'name="csrfmiddlewaretoken"', page)) >= 3  # two language switches, sign-out
        assert f'name="next" value="{path}"' in page
        tokens |= found
    assert len(tokens) >= 2  # not one token kept for everyone


def test_the_help_contact_follows_the_settings(settings):
    client = client_of()
    assert settings.HELP_EMAIL in client.get(reverse("territories:directory")).content.decode()
    settings.HELP_EMAIL = "autre-aide@pajr.localhost"
    assert "autre-aide@pajr.localhost" in client.get(reverse("territories:directory")).content.decode()
