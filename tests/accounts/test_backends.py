"""accounts.backends: the signed-in person read by one statement compiled once (issue 17). Who comes
back must be who Django's backend returns: the same account with every field, nobody for an
unknown id, an id that is not one, or an inactive account."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import AuthenticationBackend, ModelBackend, _statement, user_by_id
from tests.factories import CandidateFactory, CounsellorFactory

pytestmark = pytest.mark.django_db


def fields_of(user) -> dict:
    return {field.attname: getattr(user, field.attname) for field in get_user_model()._meta.concrete_fields}


def test_the_platform_signs_in_with_them():
    assert settings.AUTHENTICATION_BACKENDS == [
        "accounts.backends.ModelBackend",
        "accounts.backends.AuthenticationBackend",
    ]
    client = Client()
    client.force_login(CounsellorFactory())
    assert client.session["_auth_user_backend"] == "accounts.backends.ModelBackend"
    assert client.get(reverse("counselling:queue")).status_code == 200


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_the_person_is_the_one_djangos_backend_reads_in_one_statement_of_the_users_table(backend):
    user = CounsellorFactory(first_name="Zoé", last_name="Lévesque-Tremblay")
    user.last_login = user.date_joined
    user.save()
    with CaptureQueriesContext(connection) as queries:
        read = backend().get_user(user.pk)
    expected = DjangoModelBackend().get_user(user.pk)
    assert fields_of(read) == fields_of(expected) and read == expected
    assert read._state.adding is False and read._state.db == "default"
    [query] = queries.captured_queries
    assert 'FROM "accounts_user"' in query["sql"] and "JOIN" not in query["sql"]
    # Types as the ORM gives them, whatever the database (SQLite returns text for datetimes).
    assert read.last_login == user.last_login and read.last_login.tzinfo is not None
    assert read.is_active is True


def test_the_statement_is_compiled_once_per_database():
    first = _statement("default")
    user = CandidateFactory().user
    assert user_by_id(user.pk).pk == user.pk
    assert _statement("default") is first


@pytest.mark.parametrize("user_id", [10**9, None, "abc", "", "1 OR 1=1"])
def test_an_unknown_id_or_one_that_is_not_an_id_is_nobody(user_id):
    assert ModelBackend().get_user(user_id) is None
    assert AuthenticationBackend().get_user(user_id) is None


def test_an_id_as_the_session_stores_it_a_string_is_read():
    user = CounsellorFactory()
    assert ModelBackend().get_user(str(user.pk)) == user


def test_an_inactive_account_is_nobody_and_its_session_ends():
    user = CounsellorFactory()
    client = Client()
    client.force_login(user)
    assert client.get(reverse("counselling:queue")).status_code == 200
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert ModelBackend().get_user(user.pk) is None
    response = client.get(reverse("counselling:queue"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_changed_password_ends_the_other_sessions_as_before():
    user = CounsellorFactory()
    client = Client()
    client.force_login(user)
    user.set_password("un autre mot de passe, bien long")
    user.save()
    response = client.get(reverse("counselling:queue"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
