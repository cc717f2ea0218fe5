"""The sign-in backends (AUTHENTICATION_BACKENDS): Django's and allauth's, with the signed-in person
read once per request by one statement compiled once per database.

On every signed-in request, `get_user` loaded the person with `User.objects.get(pk=…)`: the ORM
compiled the same SELECT each time, 0.94 ms a read, 0.72 ms a request over the working-day mix
(about 4 % of a request's time; issue 17). The statement here is the ORM's own, compiled at the first request of
each process and database and run with the id as a parameter; the person comes back as
`User.from_db` builds them, then goes through `user_can_authenticate` as before (an inactive
account is nobody). Signing in, permissions and allauth's methods are unchanged.

Sessions name the backend that signed the person in: a session opened under
`django.contrib.auth.backends.ModelBackend` or allauth's backend, before these, is signed out once.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, router

# database alias → (SQL with the id as its one parameter, the columns' attribute names, the
# converters the ORM applies to them on that database)
_STATEMENTS: dict[str, tuple[str, list[str], dict]] = {}


def _statement(alias: str) -> tuple[str, list[str], dict]:
    if alias not in _STATEMENTS:
        model = get_user_model()
        compiler = model._default_manager.db_manager(alias).filter(pk=0).query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if list(params) != [0]:  # the id, and nothing else: otherwise this is not the statement
            raise RuntimeError("the user statement compiled with unexpected parameters")
        columns = [column for column, _, _ in compiler.select]
        _STATEMENTS[alias] = (sql, [column.target.attname for column in columns], compiler.get_converters(columns))
    return _STATEMENTS[alias]


def user_by_id(user_id):
    """The account with this id, or None: `User.objects.get(pk=user_id)` without compiling it."""
    model = get_user_model()
    try:
        pk = model._meta.pk.to_python(user_id)
    except ValidationError:  # a session's id that is not one: nobody, as with Django's backend
        return None
    alias = router.db_for_read(model) or DEFAULT_DB_ALIAS
    sql, names, converters = _statement(alias)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.pk.get_db_prep_value(pk, connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, (functions, expression) in converters.items():
        for convert in functions:
            values[index] = convert(values[index], expression, connection)
    return model.from_db(alias, names, values)


class _ReadsUserOnce:
    def get_user(self, user_id):
        user = user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_ReadsUserOnce, DjangoModelBackend):
    """Django's backend (email or username and password, as before)."""


class AuthenticationBackend(_ReadsUserOnce, AllauthBackend):
    """allauth's backend (its sign-in by email, by code)."""
