"""The platform's own error pages, in the visitor's language, and a clear 503 — never a bare 500 —
when the database cannot be reached."""

import socket

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import CandidateFactory

ENGLISH = {"django_language": "en"}


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_not_found_in_french_and_english(client):
    response = client.get("/pas-une-page/")
    assert response.status_code == 404
    assert "Cette page n'existe pas" in response.text
    assert "vendor/bootstrap/bootstrap.min.css" in response.text  # the site's style, not Django's bare page
    response = english(client).get("/pas-une-page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.text
    assert "Cette page" not in response.text


@pytest.mark.django_db
def test_forbidden_in_french_and_english(client):
    client.force_login(CandidateFactory().user)
    response = client.get(reverse("stats:statistics"))
    assert response.status_code == 403
    assert "Vous n'avez pas accès à cette page" in response.text
    assert "You do not have access to this page" in english(client).get(reverse("stats:statistics")).text


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_platforms_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "Ce formulaire a expiré" in response.text
    assert "Rien n'a été enregistré." in response.text
    client.cookies["django_language"] = "en"
    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})
    assert "This form has expired" in response.text


@pytest.mark.django_db
def test_a_fault_in_a_view_gets_the_platforms_500_page(settings):
    settings.ROOT_URLCONF = "tests.pajr.urls_raising"
    client = Client(raise_request_exception=False)
    response = client.get("/echec-de-test/")
    assert response.status_code == 500
    assert "Une erreur s'est produite de notre côté" in response.text
    assert "no-store" in response["Cache-Control"]
    client.cookies["django_language"] = "en"
    assert "Something went wrong on our side" in client.get("/echec-de-test/").text


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed when the socket is: nothing listens there


@pytest.fixture
def database_down(transactional_db, tmp_path):
    """The database really unreachable: PostgreSQL on a port where nothing listens, SQLite in a
    folder that does not exist. Restored after the test."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    else:
        connection.settings_dict["NAME"] = str(tmp_path / "absent" / "db.sqlite3")
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


@pytest.mark.parametrize(("path", "session"), [("/territoires/", False), ("/conseil/", True), ("/mon-dossier/", True)])
def test_a_database_outage_is_a_clear_503_in_the_visitors_language(database_down, path, session):
    client = Client(raise_request_exception=False)
    if session:  # a signed-in visitor: the session itself is in the database
        client.cookies["sessionid"] = "s" * 32
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Rien n'a été enregistré." in response.text
    assert "La plateforme est momentanément indisponible" in response.text
    client.cookies["django_language"] = "en"
    response = client.get(path)
    assert response.status_code == 503
    assert "Nothing was saved." in response.text
    assert "Rien" not in response.text


def test_a_form_sent_during_an_outage_gets_the_503_too(database_down):
    client = Client(raise_request_exception=False)
    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})
    assert response.status_code == 503
    assert "Rien n'a été enregistré." in response.text


def test_the_health_check_says_the_database_is_down(database_down):
    response = Client().get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["database"] == "error"
