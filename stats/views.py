from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import counsellor_required
from common.exports import csv_response, xlsx_response

from .forms import StatsFilterForm, filters_from
from .selectors import TABLES, Table, all_tables, without_jit


@require_GET
@counsellor_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    """The statistics, filtered by the URL's period, region and profile kind; `?export=<table>&
    format=csv|xlsx` downloads one table."""
    form = StatsFilterForm(request.GET)
    filters = filters_from(form)  # none when the form is not valid (its errors are shown)
    if export := request.GET.get("export"):
        if export not in TABLES:
            raise Http404
        with without_jit():
            table = TABLES[export](**filters)
        return export_table(table, request.GET.get("format", "csv"))
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("format", None)
    with without_jit():
        tables = all_tables(**filters)
    return render(
        request,
        "stats/statistics.html",
        {"form": form, "tables": tables, "query": query.urlencode()},
    )


def export_table(table: Table, file_format: str) -> HttpResponse:
    header = [str(column.label) for column in table.columns]
    name = f"statistiques-{table.key}-{timezone.localdate():%Y-%m-%d}"
    if file_format == "xlsx":
        return xlsx_response(header, table.rows, filename=f"{name}.xlsx", sheet=table.key)
    if file_format != "csv":
        raise Http404
    return csv_response(header, table.rows, filename=f"{name}.csv")
