"""accounts.sessions.SessionStore: Django's database sessions, read with one statement of its own
(issue 17). What it reads must be what Django's store reads: the data of a live session, nothing
for an unknown or expired key."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.sessions import SessionStore
from tests.factories import CounsellorFactory

pytestmark = pytest.mark.django_db


def saved(data: dict, *, expires_in: timedelta = timedelta(hours=1)) -> str:
    store = DjangoStore()
    store.update(data)
    store.save()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


def test_the_platform_uses_it():
    client = Client()
    client.force_login(CounsellorFactory())
    assert settings.SESSION_ENGINE == "accounts.sessions"
    assert isinstance(client.session, SessionStore)
    assert client.get(reverse("counselling:queue")).status_code == 200


def test_a_live_session_loads_its_data_in_one_statement_of_one_column():
    key = saved({"answer": 42, "name": "Zoé"})
    store = SessionStore(key)
    with CaptureQueriesContext(connection) as queries:
        data = store.load()
    assert data == {"answer": 42, "name": "Zoé"} == DjangoStore(key).load()
    assert store.session_key == key
    [query] = queries.captured_queries
    selected = query["sql"].split(" FROM ")[0]
    assert "session_data" in selected and "expire_date" not in selected and "session_key" not in selected


@pytest.mark.parametrize("expires_in", [timedelta(seconds=-1), timedelta(days=-30)])
def test_an_expired_session_loads_nothing_and_gets_a_new_key_when_saved(expires_in):
    key = saved({"answer": 42}, expires_in=expires_in)
    store = SessionStore(key)
    assert store.load() == {} == DjangoStore(key).load()
    assert store.session_key is None
    store["fresh"] = True
    store.save()
    assert store.session_key not in (None, key)


def test_an_unknown_or_missing_key_loads_nothing():
    assert SessionStore("x" * 32).load() == {}
    assert SessionStore(None).load() == {}


def test_a_tampered_session_loads_nothing():
    key = saved({"answer": 42})
    Session.objects.filter(session_key=key).update(session_data="not-signed")
    assert SessionStore(key).load() == {}
