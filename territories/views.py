from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import Agent, Region, SettlementProgram, Territory


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """The public directory: every region with its active territories (two queries)."""
    regions = Region.objects.prefetch_related(
        Prefetch("territories", queryset=Territory.objects.active().order_by("name"), to_attr="active_territories")
    )
    return render(request, "territories/directory.html", {"regions": regions})


@require_GET
def territory_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A territory's public page: where it is, what it offers, its agents and the settlement
    programs that apply (four queries, whatever the number of units, agents and programs)."""
    territory = get_object_or_404(Territory.objects.active().select_related("region"), code=code)
    units = list(territory.units.order_by("name"))
    agents = list(Agent.objects.active().filter(territories=territory).order_by("first_name", "last_name"))
    programs = list(SettlementProgram.objects.for_territory(territory).order_by("name_fr"))
    return render(
        request,
        "territories/detail.html",
        {"territory": territory, "units": units, "agents": agents, "programs": programs},
    )
