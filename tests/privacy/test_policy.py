"""The public privacy page (/confidentialite/) and the links to it: what it says comes from the
settings and privacy.retention.RULES, in French and in English; every page where a person gives or
manages their information, and every email, links to it."""

import html as html_lib
import re

import pytest
from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from candidates.models import CandidateStatus
from privacy.retention import RULES
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db

POLICY = reverse("privacy:policy")


def english(client: Client) -> Client:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def retention_row(html: str, code: str) -> str:
    match = re.search(rf'<tr id="conservation-{code}">(.*?)</tr>', html, re.S)
    assert match, f"no retention row for {code}"
    return " ".join(match[1].split())


def test_the_page_is_public_and_reads_nothing_from_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(POLICY)

    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "Les responsables de la protection des renseignements personnels",
        "Ce que nous recueillons et pourquoi",
        "Qui voit quoi",
        "Combien de temps nous les gardons",
        "Où vos renseignements sont hébergés",
        "Vos droits et comment les exercer",
        "Porter plainte",
    ):
        assert heading in html
    assert "Commission d'accès à l'information du Québec" in html
    assert 'href="https://www.cai.gouv.qc.ca/"' in html


def test_the_page_is_in_english_with_the_language_switch(client):
    html = english(client).get(POLICY).content.decode()

    assert '<html lang="en">' in html
    assert "Who sees what" in html
    assert "Qui voit quoi" not in html
    assert "How to complain" in html


def test_each_organisation_s_officer_comes_from_the_settings(client, settings):
    settings.PRIVACY_OFFICERS = {
        "pajr": {
            "title_fr": "Directrice générale",
            "title_en": "Executive Director",
            "name": "Josée Bérubé",
            "email": "vie.privee@pajr.example.org",
        },
        "eer": {
            "title_fr": "Responsable de la conformité",
            "title_en": "Compliance Officer",
            "name": "",
            "email": "conformite@eer.example.org",
        },
    }

    french = client.get(POLICY).content.decode()
    in_english = english(Client()).get(POLICY).content.decode()

    assert "Josée Bérubé" in french and "Directrice générale" in french
    assert 'href="mailto:vie.privee@pajr.example.org"' in french
    assert "Responsable de la conformité" in french and 'href="mailto:conformite@eer.example.org"' in french
    assert "Place aux jeunes en région" in french and "Emplois en régions" in french
    assert "Compliance Officer" in in_english and "Responsable de la conformité" not in in_english


def test_the_retention_table_lists_every_rule_with_its_setting(client, settings):
    settings.RETENTION = {**settings.RETENTION, "drafts": 77, "access_log": 1}

    html = client.get(POLICY).content.decode()

    for rule in RULES:
        assert html_lib.escape(str(rule.what)) in retention_row(html, rule.code)
    assert "77 jours" in retention_row(html, "drafts")
    assert "1 jour" in retention_row(html, "access_log") and "1 jours" not in html
    assert f"{settings.RETENTION['cvs']} jours" in retention_row(html, "cvs")


def test_a_changed_setting_changes_the_page(client, settings):
    settings.RETENTION = {**settings.RETENTION, "closed_files": 730}
    before = retention_row(client.get(POLICY).content.decode(), "closed_files")
    settings.RETENTION = {**settings.RETENTION, "closed_files": 1095}
    after = retention_row(client.get(POLICY).content.decode(), "closed_files")

    assert "730 jours" in before and "1095 jours" in after


def test_the_hosting_and_the_agents_grace_come_from_the_settings(client, settings):
    settings.DATA_HOSTING = "Canada — Québec (centre de données de Lévis)"
    settings.AGENT_ACCESS_GRACE_DAYS = 45

    html = client.get(POLICY).content.decode()

    assert "Canada — Québec (centre de données de Lévis)" in html
    assert "jusqu'à 45 jours après la fin du suivi" in html


def test_the_role_table_says_what_an_agent_sees_and_when(client):
    html = " ".join(client.get(POLICY).content.decode().split())

    for role in ("Vous", "Conseiller·ère Emplois en régions", "Agent·e Place aux jeunes du territoire"):
        assert f'<th scope="row">{role}</th>' in html or f'<th scope="row" rowspan="3">{role}</th>' in html
    assert "Votre courriel et votre téléphone." in html
    assert "Le message de votre conseiller·ère qui accompagne l'orientation." in html
    assert "Coordination (PAJR et EER)" in html
    assert "Responsable de la protection des renseignements personnels" in html


def test_the_rights_point_to_the_pages_that_exercise_them(client):
    html = client.get(POLICY).content.decode()

    for name in ("my_file:home", "my_file:consents", "my_file:delete"):
        assert f'href="{reverse(name)}"' in html
    for right in ("Accès", "Rectification", "Retrait d'un consentement", "Suppression", "Portabilité"):
        assert f"<dt>{right}</dt>" in html


# --- Links to the page -------------------------------------------------------------------------


def links_to_policy(html: str) -> bool:
    return f'href="{POLICY}"' in html or f'href="{POLICY}#' in html


def test_the_footer_of_every_page_links_to_it(client):
    for url in (reverse("candidates:home"), reverse("territories:directory"), reverse("account_login")):
        assert links_to_policy(client.get(url).content.decode()), url


def test_registration_step_1_has_a_notice_at_collection(client):
    html = client.get(reverse("candidates:register")).content.decode()
    notice = re.search(r'<aside[^>]*aria-labelledby="avis-collecte".*?</aside>', html, re.S)

    assert notice, "no notice at collection on the sign-up page"
    assert "Emplois en régions recueille ces renseignements pour vous accompagner" in notice[0]
    assert links_to_policy(notice[0])


def test_every_registration_step_and_the_review_link_to_it(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    candidate = CandidateFactory(status=CandidateStatus.NEW)
    client.force_login(candidate.user)
    pages = [reverse("candidates:registration_step", args=[step]) for step in (2, 3, 4, 5)]
    pages.append(reverse("candidates:registration_review"))

    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        # The footer's link, and the registration's own.
        assert response.content.decode().count(f'href="{POLICY}"') >= 2, url


def test_the_immigration_status_and_household_questions_say_why_they_are_asked(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    candidate = CandidateFactory(status=CandidateStatus.NEW)
    client.force_login(candidate.user)

    background = client.get(reverse("candidates:registration_step", args=[2])).content.decode()
    project = client.get(reverse("candidates:registration_step", args=[4])).content.decode()

    status_help = re.search(r'id="id_immigration_status_helptext"[^>]*>(.*?)</div>', background, re.S)
    assert status_help and "Pourquoi nous le demandons" in status_help[1]
    for name in ("has_partner", "children_count"):
        help_text = re.search(rf'id="id_{name}_helptext"[^>]*>(.*?)</div>', project, re.S)
        assert help_text and "Pourquoi nous le demandons" in help_text[1], name


def test_my_file_and_the_delete_page_link_to_it(client):
    candidate = CandidateFactory(status=CandidateStatus.NEW)
    client.force_login(candidate.user)

    home = client.get(reverse("my_file:home")).content.decode()
    delete = client.get(reverse("my_file:delete")).content.decode()

    assert home.count(f'href="{POLICY}"') >= 2  # its own link and the footer's
    assert f'href="{POLICY}#conservation"' in delete


def test_the_allauth_emails_link_to_it(settings):
    settings.SITE_URL = "https://plateforme.example.org"
    text = render_to_string(
        "account/email/email_confirmation_message.txt",
        {"code": "123456", "current_site": {"name": "PAJR – EER", "domain": settings.SITE_URL}},
    )

    assert "123456" in text
    assert "https://plateforme.example.org/confidentialite/" in text
