"""Statements compiled once: `compiled_once(queryset, "name")` for the reads a page runs on every
request.

Django compiles a queryset's SQL anew each time it runs it. The pages that read a whole file (its
notes, events, referrals, targets, each with the rows they join) spent a fifth of their CPU
compiling the same SQL, with only the ids changing (docs/benchmarks.md, "Issue 17, thirteenth
stop"). A queryset marked here compiles its SQL in full once per process; on each later run only
its WHERE clause is compiled, which gives the parameters. The rest of the statement, and what
Django reads the rows with (the columns, the joined models), come from the first compilation.

What keeps this exact:
- Only querysets named at their call site are marked, and a statement is reused only for a query
  of the same name whose WHERE SQL and shape (joins, columns, select_related, deferred fields,
  ordering, limits, annotations' and extra's names, distinct, locking...) are those it was
  compiled for. Another filter, another number of ids in an IN, another ordering or slice is
  compiled and kept apart.
- A statement is reused only when its parameters are its WHERE's, after at most those of its
  select list: those are kept with the statement, and reused only for annotations equal to the
  ones they came from (Django's expression equality: same class, same arguments, same values), so
  a query whose annotation holds another value is compiled in full. A query with parameters
  anywhere else (a HAVING, a join's condition, `extra()`) is compiled every time.
- Subqueries, combined queries, locking reads (select_for_update), explain(), aggregates, updates
  and deletes are compiled as Django does every time: they change the query's class or shape, or
  Django checks more than the SQL as it compiles them. A count() is kept apart by its shape.
- With `VERIFY` on (the test suite turns it on, tests/conftest.py), each reuse is also compiled in
  full and must give the same SQL and parameters, or the query fails (StatementMismatch); the rows
  are still read as the reused statement says, so the tests cover that path.
"""

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.query import Query

# Tests set this (tests/conftest.py): each reuse is checked against a full compilation.
VERIFY = False
# Entries per process: each name has a few (one per number of ids its prefetch reads).
MAX_STATEMENTS = 1000


class StatementMismatch(AssertionError):
    """A reused statement differs from what Django compiles for the query now."""


@dataclass(frozen=True)
class _Statement:
    sql: str
    select: list
    klass_info: dict | None
    annotation_col_map: dict | None
    col_count: int
    has_extra_select: bool
    # The select list's parameters, and the annotations they were compiled from (empty: none).
    select_params: tuple = ()
    annotations: tuple = ()


_STATEMENTS: dict[tuple, _Statement] = {}


def _frozen(value):
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


def _shape(query: Query) -> tuple:
    """All of the query but its WHERE that the SQL or the reading of its rows depends on."""
    return (
        query.model,
        tuple(
            (
                alias,
                join.table_name,
                getattr(join, "join_type", None),
                getattr(join, "parent_alias", None),
                getattr(join, "join_field", None),
                getattr(join, "filtered_relation", None) is not None,
            )
            for alias, join in query.alias_map.items()
        ),
        tuple(query.alias_refcount.items()),
        query.select,
        query.default_cols,
        _frozen(query.select_related),
        query.max_depth,
        _frozen(query.deferred_loading[0]),
        query.deferred_loading[1],
        query.values_select,
        _frozen(query.selected),
        tuple(query.annotations),
        _frozen(query.annotation_select_mask),
        tuple(query.extra),
        _frozen(query.extra_select_mask),
        query.extra_tables,
        query.order_by,
        query.extra_order_by,
        query.default_ordering,
        query.standard_ordering,
        query.group_by,
        query.distinct,
        query.distinct_fields,
        query.select_for_update,
        query.select_for_update_nowait,
        query.select_for_update_skip_locked,
        query.select_for_update_of,
        query.select_for_no_key_update,
        query.low_mark,
        query.high_mark,
        query.combinator,
        query.subquery,
        query.explain_info,
        tuple(query._filtered_relations),
    )


def _annotations(query: Query) -> tuple:
    return tuple(query.annotations.items())


def _same_annotations(statement: _Statement, query: Query) -> bool:
    try:
        return statement.annotations == _annotations(query)
    except TypeError:  # an expression's argument that cannot be compared
        return False


class _CompiledOnceMixin:
    def as_sql(self, with_limits=True, with_col_aliases=False):
        query = self.query
        if (
            not with_limits
            or with_col_aliases
            or query.subquery
            or query.combinator
            or query.select_for_update  # Django checks the transaction as it compiles
            or query.explain_info
        ):
            return super().as_sql(with_limits, with_col_aliases)
        self.where, self.having, self.qualify = query.where.split_having_qualify(
            must_group_by=query.group_by is not None
        )
        try:
            where_sql, where_params = self.compile(self.where)
        except (EmptyResultSet, FullResultSet):
            return super().as_sql(with_limits, with_col_aliases)
        key = (query.statement_name, self.connection.alias, where_sql, _shape(query))
        try:
            statement = _STATEMENTS.get(key)
        except TypeError:  # a part of the shape that cannot be compared (an unhashable expression)
            return super().as_sql(with_limits, with_col_aliases)
        if statement is not None and statement.select_params and not _same_annotations(statement, query):
            return super().as_sql(with_limits, with_col_aliases)  # an annotation with other values
        if statement is None:
            sql, params = super().as_sql(with_limits, with_col_aliases)
            select_params = self._select_params()
            if (
                len(_STATEMENTS) < MAX_STATEMENTS
                and self.having is None
                and self.qualify is None
                and select_params is not None
                and list(params) == [*select_params, *where_params]
                and f"WHERE {where_sql}" in sql
            ):
                _STATEMENTS[key] = _Statement(
                    sql,
                    self.select,
                    self.klass_info,
                    self.annotation_col_map,
                    self.col_count,
                    self.has_extra_select,
                    select_params,
                    _annotations(query) if select_params else (),
                )
            return sql, params
        params = (*statement.select_params, *where_params)
        if VERIFY:  # compiled in full too; the rows are still read as the reused statement says
            sql, full_params = super().as_sql(with_limits, with_col_aliases)
            if (sql, list(full_params)) != (statement.sql, list(params)):
                raise StatementMismatch(
                    f"{query.statement_name}: reused {statement.sql!r} {params!r}, compiled {sql!r} {full_params!r}"
                )
        self.select, self.klass_info, self.annotation_col_map = (
            statement.select,
            statement.klass_info,
            statement.annotation_col_map,
        )
        self.col_count, self.has_extra_select = statement.col_count, statement.has_extra_select
        return statement.sql, params

    def _select_params(self) -> tuple | None:
        """The select list's parameters, after a full compilation (self.select holds each column's
        SQL and parameters); None when `extra()` or a filtered relation may add others before the
        WHERE, whose values the statement's key does not hold."""
        if self.query.extra or self.query._filtered_relations:
            return None
        return tuple(param for _, (_, params), _ in self.select for param in params)


_COMPILERS: dict[type, type] = {}


def _compiled_once_compiler(compiler_class: type) -> type:
    if compiler_class not in _COMPILERS:
        _COMPILERS[compiler_class] = type(
            f"CompiledOnce{compiler_class.__name__}", (_CompiledOnceMixin, compiler_class), {}
        )
    return _COMPILERS[compiler_class]


class CompiledOnceQuery(Query):
    """A Query whose statement is compiled once (see the module). Its clones keep the class and the
    name; Django changes the class of the query for updates, deletes and aggregates."""

    statement_name = ""

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = super().get_compiler(using, connection, elide_empty)
        compiler.__class__ = _compiled_once_compiler(type(compiler))
        return compiler


def compiled_once(queryset: QuerySet, name: str) -> QuerySet:
    """`queryset`, its SQL compiled once per process for the shape it has when it runs (see the
    module). `name` says where it is built: one name, one call site."""
    clone = queryset.all()
    if type(clone.query) not in (Query, CompiledOnceQuery):
        raise TypeError(f"{name}: only a plain query can be compiled once, not a {type(clone.query).__name__}")
    clone.query.__class__ = CompiledOnceQuery
    clone.query.statement_name = name
    return clone


def counted_once(queryset: QuerySet, name: str) -> int:
    """`queryset.count()` for a sliced read (the queue's "up to 1,001 files"), its statement compiled
    once: Django compiles the COUNT around the read in full on every call (0.3 ms of CPU a queue
    page), as an aggregate over a subquery, which `compiled_once` leaves to it. Here the read is
    compiled once (named `name`), and counted as Django counts a sliced read:
    `SELECT COUNT(*) FROM (the read) subquery`."""
    named = compiled_once(queryset, name)
    try:
        sql, params = named.query.get_compiler(using=named.db).as_sql()
    except EmptyResultSet:  # a filter that matches nothing (an empty IN): Django does not ask either
        return 0
    with connections[named.db].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) subquery", params)  # noqa: S608 - Django's SQL
        return cursor.fetchone()[0]


def clear() -> None:
    """Forget the statements compiled so far (tests)."""
    _STATEMENTS.clear()
