"""Rebuilding the statistics' rollups (stats.models) from the live tables.

Why a periodic rebuild rather than counters kept in the same transaction as each change: a file's
furthest funnel step depends on writes in five tables of three apps (its status, the maturity
decision, referrals, their answers, follow-up steps), and its regions on its targets; keeping
counters exact in each of those transactions would put stats code in every write path below it
(the layers forbid it but through signals) and make every registration of a day update the same
counter rows, a hot spot under concurrency. A rebuild is one INSERT … SELECT per table, exact at
the moment it runs: ~1 s of database time at 100,000 files, every STATS_REFRESH_SECONDS (5
minutes by default), and the page says when its figures were computed."""

import logging
import time

from django.db import connection
from django.db.models import Case, DurationField, ExpressionWrapper, F, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from candidates.models import Candidate, CandidateTarget
from referrals.models import Referral, ReferralStatus

from .direct import furthest_step, tuned_for_statistics
from .models import CohortCount, ReferralFact, Refresh

logger = logging.getLogger(__name__)


def _cohort_sql() -> list[tuple[str, tuple]]:
    levels = (
        Candidate.objects.filter(submitted_at__isnull=False)
        .annotate(rollup_id=F("pk"), level=furthest_step(), day=TruncDate("submitted_at"))
        .values("rollup_id", "day", "profile_kind", "level")
        .order_by()
    )
    regions = (
        CandidateTarget.objects.filter(candidate__submitted_at__isnull=False)
        .annotate(rollup_candidate=F("candidate_id"), rollup_region=F("territory__region_id"))
        .values("rollup_candidate", "rollup_region")
        .distinct()
        .order_by()
    )
    levels_sql, levels_params = levels.query.sql_with_params()
    regions_sql, regions_params = regions.query.sql_with_params()
    table = connection.ops.quote_name(CohortCount._meta.db_table)
    # The SELECTs are Django's own SQL for the querysets above, their values passed as parameters.
    every_file = (
        f'INSERT INTO {table} ("day", "profile_kind", "region_id", "level", "n") '  # noqa: S608
        f'SELECT l."day", l."profile_kind", NULL, l."level", COUNT(*) FROM ({levels_sql}) l '
        'GROUP BY l."day", l."profile_kind", l."level"'
    )
    by_region = (
        f'INSERT INTO {table} ("day", "profile_kind", "region_id", "level", "n") '  # noqa: S608
        f'SELECT l."day", l."profile_kind", r."rollup_region", l."level", COUNT(*) '
        f'FROM ({levels_sql}) l JOIN ({regions_sql}) r ON r."rollup_candidate" = l."rollup_id" '
        'GROUP BY l."day", l."profile_kind", r."rollup_region", l."level"'
    )
    return [(every_file, levels_params), (by_region, (*levels_params, *regions_params))]


def _referral_sql() -> tuple[str, tuple]:
    answered = (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED)
    facts = (
        Referral.objects.filter(sent_at__isnull=False)
        .annotate(
            fact_day=TruncDate("sent_at"),
            fact_region=F("territory__region_id"),
            fact_kind=F("candidate__profile_kind"),
            fact_answer=Case(
                When(
                    status__in=answered,
                    answered_at__isnull=False,
                    then=ExpressionWrapper(F("answered_at") - F("sent_at"), output_field=DurationField()),
                ),
                default=None,
                output_field=DurationField(),
            ),
        )
        .values("territory_id", "status", "decline_category", "fact_day", "fact_region", "fact_kind", "fact_answer")
        .order_by()
    )
    sql, params = facts.query.sql_with_params()
    table = connection.ops.quote_name(ReferralFact._meta.db_table)
    return (
        f'INSERT INTO {table} ("day", "territory_id", "region_id", "profile_kind", "status", '  # noqa: S608
        '"decline_category", "answer_time") '
        f'SELECT f."fact_day", f."territory_id", f."fact_region", f."fact_kind", f."status", '
        f'f."decline_category", f."fact_answer" FROM ({sql}) f',
        params,
    )


def statistics_refresh() -> Refresh:
    """Rebuild every rollup in one transaction: readers see the old figures until it commits.
    Refreshes run one at a time (a lock on the Refresh row), so two never double the counts."""
    started = time.monotonic()
    Refresh.objects.get_or_create(pk=1)
    with tuned_for_statistics():  # a transaction, with the statistics' work_mem and no JIT
        refresh = Refresh.objects.select_for_update().get(pk=1)
        CohortCount.objects.all().delete()  # one DELETE each: nothing points to these rows
        ReferralFact.objects.all().delete()
        with connection.cursor() as cursor:
            for sql, params in [*_cohort_sql(), _referral_sql()]:
                cursor.execute(sql, params)
        refresh.refreshed_at = timezone.now()
        refresh.duration_ms = round((time.monotonic() - started) * 1000)
        refresh.save(update_fields=["refreshed_at", "duration_ms"])
    logger.info("statistics_refresh duration_ms=%s", refresh.duration_ms)
    return refresh


def last_refresh() -> Refresh | None:
    """The last rebuild, or None when the rollups were never built."""
    return Refresh.objects.filter(pk=1, refreshed_at__isnull=False).first()


def ensure_fresh() -> Refresh:
    """The last rebuild; the first one is done on the spot (a new installation's first visit)."""
    return last_refresh() or statistics_refresh()
