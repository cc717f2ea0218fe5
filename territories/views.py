from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .forms import DirectorySearchForm
from .selectors import region_page, regions_with_territories, territories_search, territory_page


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """The public directory: all 17 regions with their active territories, a search by territory,
    MRC or town and a filter by region (three queries, four with a search; none, one with a search,
    when the process keeps the regions: territories.selectors)."""
    regions = regions_with_territories()
    form = DirectorySearchForm(request.GET or None, regions=regions)
    search, region_code = None, ""
    if form.is_valid():
        region_code = form.cleaned_data["region"]
        if query := form.cleaned_data["q"]:
            search = territories_search(query=query, regions=regions, region_code=region_code)
    shown = [r for r in regions if r.code == region_code] if region_code else regions
    return render(
        request,
        "territories/directory.html",
        {
            "form": form,
            "regions": shown,
            "search": search,
            "territory_count": sum(len(r.active_territories) for r in regions),
        },
    )


@require_GET
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A region's page: its PAJ territories, or a sentence saying it has none yet, and the
    programs that apply to the whole region (four queries, and one for its upcoming activities:
    the activities app's template tag)."""
    found = region_page(code=code)
    if found is None:
        raise Http404
    region, territories, programs = found
    return render(
        request, "territories/region.html", {"region": region, "territories": territories, "programs": programs}
    )


@require_GET
def territory_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A territory's public page: where it is, what it offers, its agents' first names and the
    settlement programs that apply, and its upcoming activities (six queries when the process
    keeps nothing — the active codes, four for the page, the activities —, one, the activities,
    when it keeps the page: territories.selectors; whatever the number of units, agents, programs
    and activities). Agents' addresses stay off the public
    page: people reach them through EER's referral, one territory at a time, not by writing to
    several agents at once."""
    page = territory_page(code=code)
    if page is None:
        raise Http404
    return render(
        request,
        "territories/detail.html",
        {"territory": page.territory, "units": page.units, "agent_names": page.agent_names, "programs": page.programs},
    )
