from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from accounts.decorators import counsellor_required
from common.exports import csv_response, xlsx_response

from .forms import StatsFilterForm, filters_from
from .rollups import ensure_fresh
from .sections import statistics_sections
from .selectors import TABLES
from .tables import Table


@require_GET
@counsellor_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    """The statistics, filtered by the URL's period, region and profile kind; `?export=<table>&
    format=csv|xlsx` downloads one table. The figures come from the rollups, as of their last
    rebuild, which the page shows."""
    form = StatsFilterForm(request.GET)
    refresh = ensure_fresh()
    filters = filters_from(form)  # none when the form is not valid (its errors are shown)
    if export := request.GET.get("export"):
        if export not in TABLES:
            raise Http404
        table = TABLES[export](**filters)
        return export_table(table, request.GET.get("format", "csv"))
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("format", None)
    sections = statistics_sections(refresh=refresh, filters=filters, query=query.urlencode())
    return render(
        request,
        "stats/statistics.html",
        {
            "form": form,
            "sections": sections,
            "refresh": refresh,
            "refresh_minutes": max(1, settings.STATS_REFRESH_SECONDS // 60),
        },
    )


def export_table(table: Table, file_format: str) -> HttpResponse:
    header = [str(column.label) for column in table.columns]
    prefix = pgettext("nom de fichier", "statistiques")
    name = f"{prefix}-{table.key}-{timezone.localdate():%Y-%m-%d}"
    if file_format == "xlsx":
        return xlsx_response(header, table.rows, filename=f"{name}.xlsx", sheet=table.key)
    if file_format != "csv":
        raise Http404
    return csv_response(header, table.rows, filename=f"{name}.csv")
