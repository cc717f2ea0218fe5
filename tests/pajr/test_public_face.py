"""The public face: the header (service name, a language switch outside the phone menu), the
footer (help from the settings, privacy, accessibility, the directory, the language), the home
page and the accessibility statement, in French and in English."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def help_settings(settings):
    settings.HELP_EMAIL = "aide@exemple.qc.ca"
    settings.HELP_PHONE = "+1 418 555 0123"
    settings.HELP_HOURS_OPEN = "08:30"
    settings.HELP_HOURS_CLOSE = "16:00"
    return settings


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_footer_has_help_from_the_settings_and_every_public_link(client, help_settings):
    html = client.get(reverse("territories:directory")).text
    footer = html[html.index("<footer") :]
    assert 'href="mailto:aide@exemple.qc.ca"' in footer
    assert 'href="tel:+14185550123"' in footer and "(418) 555-0123" in footer
    assert "Du lundi au vendredi, de 8 h 30 à 16 h" in footer
    assert 'href="/confidentialite/"' in footer
    assert f'href="{reverse("accessibility")}"' in footer
    assert f'href="{reverse("territories:directory")}"' in footer
    assert re.search(r'name="language"\s+value="en"', footer)


def test_footer_in_english(client, help_settings):
    footer = english(client).get("/").text.split("<footer", 1)[1]
    assert "Need help?" in footer and "Monday to Friday, 8:30 a.m. to 4 p.m." in footer
    assert "Privacy" in footer and "Accessibility" in footer and 'value="fr-ca"' in footer


def test_header_names_the_service_and_keeps_the_language_switch_out_of_the_phone_menu(client):
    html = client.get("/").text
    header = html[html.index("<header") : html.index("</header>")]
    assert "Place aux jeunes" in header and "Emplois en régions" in header
    assert "img/mark.svg" in header
    menu_start = header.index('id="menu"')
    switch = header.index('name="language"')
    assert switch < menu_start, "the language switch must not be inside the collapsed menu"
    menu = header[menu_start:]
    assert f'href="{reverse("territories:directory")}"' in menu


def test_home_explains_the_path_the_partners_and_where_to_get_help(client, help_settings):
    html = client.get("/").text
    for step in ("Inscription", "Accompagnement par EER", "Mise en relation avec un·e agent·e PAJ", "Installation"):
        assert step in html
    assert "Place aux jeunes en région (PAJR)" in html and "Emplois en régions (EER)" in html
    main = html[html.index("<main") : html.index("</main>")]
    assert "Besoin d'aide ?" in main and "aide@exemple.qc.ca" in main and "(418) 555-0123" in main
    assert f'action="{reverse("territories:directory")}"' in main
    assert len(re.findall(r'class="path-step ', main)) == 4


def test_home_in_english(client):
    html = english(client).get("/").text
    assert '<html lang="en">' in html
    assert "Your path, in four steps" in html and "Who are we?" in html and "Need help?" in html
    assert "Find a territory" in html


@pytest.mark.parametrize(
    ("language", "title"), [("fr-ca", "Déclaration d'accessibilité"), ("en", "Accessibility statement")]
)
def test_accessibility_statement_in_both_languages(client, help_settings, language, title):
    client.cookies["django_language"] = language
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    assert title in response.text and "WCAG" in response.text and "aide@exemple.qc.ca" in response.text
    assert client.post(reverse("accessibility")).status_code == 405


def test_no_inline_style_or_script_on_the_public_pages(client):
    for path in ("/", reverse("territories:directory"), reverse("accessibility")):
        html = client.get(path).text
        assert " style=" not in html, path
        assert "<style" not in html, path
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
