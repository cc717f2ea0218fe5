"""Reads for the public directory: the regions with their territories, a territory's page, and
the search by territory, MRC or town. Each takes a fixed number of queries, whatever the number of
rows; the regions and the territories' pages are kept by each process (common.kept, group KEPT),
forgotten by the receivers when a region, territory, unit, program or agent changes: they were
two thirds of the directory's time and half a territory page's (15 and 8 ms at 100,000 files)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from common.kept import kept

from .models import Agent, Municipality, Region, SettlementProgram, Territory, search_key

KEPT = "territories"

MIN_QUERY_LENGTH = 2
MAX_TOWNS = 200  # "saint" matches about 300 towns: enough to find every territory they are in


def regions_with_territories() -> list[Region]:
    """Every region (all 17, with or without a PAJ territory), each with `active_territories` and
    each territory's units: three queries when this process has no copy. Shared: not to change."""

    def build() -> list[Region]:
        territories = Territory.objects.active().order_by("name").prefetch_related("units")
        return list(
            Region.objects.prefetch_related(Prefetch("territories", queryset=territories, to_attr="active_territories"))
        )

    return kept(KEPT, "regions", build, per_language=False)


@dataclass(frozen=True)
class TerritoryPage:
    territory: Territory
    units: list
    agent_names: list[str]  # first names only: the public page names no one further
    programs: list[SettlementProgram]


def territory_page(*, code: str) -> TerritoryPage | None:
    """An active territory with its units, its active agents' first names and the programs that
    apply to it (five queries when this process has no copy, the first the active territories'
    codes); None for any other code, which is not kept: a made-up address adds nothing to the
    process's memory."""
    codes = kept(
        KEPT, "codes", lambda: frozenset(Territory.objects.active().values_list("code", flat=True)), per_language=False
    )
    if code not in codes:
        return None

    def build() -> TerritoryPage | None:
        territory = Territory.objects.active().select_related("region").filter(code=code).first()
        if territory is None:
            return None
        agents = Agent.objects.active().filter(territories=territory).order_by("first_name")
        return TerritoryPage(
            territory=territory,
            units=list(territory.units.order_by("name")),
            agent_names=list(agents.values_list("first_name", flat=True)),
            programs=list(SettlementProgram.objects.for_territory(territory).order_by("name_fr")),
        )

    return kept(KEPT, f"territory:{code}", build, per_language=False)


@dataclass(frozen=True)
class TerritoryOption:
    """An active territory as the forms' territory selects show it (territories.forms)."""

    pk: int
    name: str
    region_code: str
    region_name: str  # in the language the copy was built in
    has_active_agent: bool


def territory_options() -> list[TerritoryOption]:
    """Every active territory for the selects, by region code then name: one query when this
    process has no copy in the active language. The file page shows two such selects, the
    sign-up form one."""

    def build() -> list[TerritoryOption]:
        rows = (
            Territory.objects.active()
            .annotate(has_agent=Territory.objects.active_agent_exists())
            .values_list("pk", "name", "region__code", f"region__{Region.name_field()}", "has_agent")
        )
        return sorted((TerritoryOption(*row) for row in rows), key=lambda option: (option.region_code, option.name))

    return kept(KEPT, "options", build)


def active_programs() -> list[SettlementProgram]:
    """Every active program by French name, each with `region_ids` and `territory_ids`, the
    frozensets of the regions and territories it names: three queries when this process has no
    copy. For "programs you may be eligible for" (candidates.programs), on every view of Mon
    dossier and of a counsellor's file. Shared: not to change."""

    def build() -> list[SettlementProgram]:
        programs = list(SettlementProgram.objects.active().order_by("name_fr", "pk"))
        regions: dict[int, set[int]] = {program.pk: set() for program in programs}
        territories: dict[int, set[int]] = {program.pk: set() for program in programs}
        through = SettlementProgram.regions.through.objects.filter(settlementprogram__in=regions)
        for program_id, region_id in through.values_list("settlementprogram_id", "region_id"):
            regions[program_id].add(region_id)
        through = SettlementProgram.territories.through.objects.filter(settlementprogram__in=territories)
        for program_id, territory_id in through.values_list("settlementprogram_id", "territory_id"):
            territories[program_id].add(territory_id)
        for program in programs:
            program.region_ids = frozenset(regions[program.pk])
            program.territory_ids = frozenset(territories[program.pk])
        return programs

    return kept(KEPT, "programs", build, per_language=False)


@dataclass
class TerritoryMatch:
    territory: Territory
    places: list[str] = field(default_factory=list)  # the MRC and towns that matched, to say why
    rank: int = 2  # 0: the territory's name, 1: one of its MRC, 2: one of its towns


@dataclass
class DirectorySearch:
    query: str
    matches: list[TerritoryMatch]
    elsewhere: list[Municipality]  # matching towns that no active territory covers, to say so

    @property
    def is_empty(self) -> bool:
        return not self.matches and not self.elsewhere


def territories_search(*, query: str, regions: list[Region], region_code: str = "") -> DirectorySearch:
    """The active territories whose name, one of whose MRC/TE or one of whose towns contains the
    query, accents and case aside. `regions` comes from regions_with_territories(): names are
    compared in memory (85 territories, 104 units), towns in one query."""
    key = search_key(query)
    if len(key) < MIN_QUERY_LENGTH:
        return DirectorySearch(query=query, matches=[], elsewhere=[])
    territories = [
        territory
        for region in regions
        if not region_code or region.code == region_code
        for territory in region.active_territories
    ]
    matches: dict[int, TerritoryMatch] = {}
    by_unit: dict[int, list[Territory]] = {}
    for territory in territories:
        if key in search_key(territory.name):
            matches[territory.pk] = TerritoryMatch(territory, rank=0)
        for unit in territory.units.all():
            by_unit.setdefault(unit.pk, []).append(territory)
            if key in search_key(unit.name):
                match = matches.setdefault(territory.pk, TerritoryMatch(territory, rank=1))
                if unit.name != territory.name:
                    match.places.append(unit.name)
    towns = Municipality.objects.filter(search_name__contains=key).select_related("unit__region")
    if region_code:
        towns = towns.filter(unit__region__code=region_code)
    elsewhere = []
    for town in towns.order_by("search_name")[:MAX_TOWNS]:
        covering = by_unit.get(town.unit_id, [])
        for territory in covering:
            match = matches.setdefault(territory.pk, TerritoryMatch(territory))
            if town.name != territory.name and town.name not in match.places:
                match.places.append(town.name)
        if not covering:
            elsewhere.append(town)
    ordered = sorted(matches.values(), key=lambda m: (m.rank, search_key(m.territory.name)))
    return DirectorySearch(query=query, matches=ordered, elsewhere=elsewhere)


def region_page(*, code: str) -> tuple[Region, list[Territory], list[SettlementProgram]] | None:
    """A region, its active territories (with their units) and the programs that name the region:
    four queries."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        return None
    territories = list(region.territories.active().order_by("name").prefetch_related("units"))
    programs = list(SettlementProgram.objects.active().filter(regions=region).order_by("name_fr"))
    return region, territories, programs
