"""Django admin changelists over tables of 100,000 rows and more, without a full COUNT(*).

The admin counts its list twice: the paginator counts the filtered rows, and the "N results
(M total)" line counts the whole table. ModelAdmin.show_full_result_count = False drops the
second; LargeTablePaginator makes the first cheap for an unfiltered list on PostgreSQL by reading
the planner's row estimate (pg_class.reltuples, kept up to date by autovacuum). A filtered or
searched list is counted exactly: that is the figure people filter for."""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

# Below this, counting is cheap and exact is better than an estimate.
ESTIMATE_ABOVE = 10_000


class LargeTablePaginator(Paginator):
    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and not query.where and not query.distinct:
            estimate = _estimated_rows(queryset)
            if estimate is not None and estimate > ESTIMATE_ABOVE:
                return estimate
        return super().count


def _estimated_rows(queryset) -> int | None:
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None and row[0] >= 0 else None


class LargeTableAdminMixin:
    """For the admins of the big tables: candidates, their accounts, events, consents, referrals
    and their logs, the access log, the outbox."""

    paginator = LargeTablePaginator
    show_full_result_count = False
