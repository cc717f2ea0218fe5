"""The territory directory and the statistics page in Chromium: axe-core finds no serious or
critical violation (French and English), the charts are drawn from the tables, no table scrolls
sideways at 1,280 px, and an admin CSV import goes through its preview before anything is written."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from referrals.models import DeclineReason, ReferralStatus
from territories.models import SettlementProgram, Territory
from tests.e2e.test_accessibility import audit, browser, sign_in  # noqa: F401  (browser: a fixture)
from tests.factories import (
    AgentFactory,
    CandidateFactory,
    CoordinatorFactory,
    CounsellorFactory,
    ReferralFactory,
    RegionFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.browser


def some_data() -> Territory:
    territory = TerritoryFactory(code="RN", name="Rouyn-Noranda", employment_fr="Mines", employment_en="Mining")
    AgentFactory(territories=[territory], first_name="Léa")
    programme = SettlementProgram.objects.create(name_fr="Prime", operator="MRC", amount="2 000 $")
    programme.territories.set([territory])
    now = timezone.now()
    ReferralFactory(
        candidate=CandidateFactory(target_territory=territory, submitted_at=now),
        status=ReferralStatus.DECLINED,
        decline_category=DeclineReason.HOUSING,
        sent_at=now - datetime.timedelta(hours=5),
        answered_at=now,
    )
    return territory


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_directory_and_statistics_pass_axe_and_show_their_tables_whole(browser, live_server, language):  # noqa: F811
    territory = some_data()
    counsellor = CounsellorFactory()
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page: Page = context.new_page()
    problems = [
        *audit(page, reverse("territories:directory")),
        *audit(page, reverse("territories:detail", args=[territory.code])),
    ]
    sign_in(page, counsellor.email)
    problems += audit(page, reverse("stats:statistics"))
    assert page.locator("[data-chart-for='tableau-funnel'] svg rect").count() >= 8  # drawn by charts.js
    # At 1,280 px every table shows whole: none scrolls sideways inside its region.
    assert page.viewport_size["width"] == 1280
    scrolling = page.eval_on_selector_all(
        ".table-responsive", "regions => regions.filter(r => r.scrollWidth > r.clientWidth).map(r => r.ariaLabel)"
    )
    assert scrolling == []
    problems += audit(page, reverse("stats:statistics") + "?date_from=2030-01-01")  # empty period
    assert problems == [], "\n".join(problems)


def test_admin_import_preview_in_the_browser(browser, live_server, tmp_path):  # noqa: F811
    RegionFactory(code="08")
    coordinator = CoordinatorFactory(is_superuser=True)
    page = browser.new_context(base_url=live_server.url).new_page()
    sign_in(page, coordinator.email)
    page.goto(reverse("admin:territories_territory_import_csv"))
    csv_file = tmp_path / "territoires.csv"
    csv_file.write_text("code,name,region_code\nAMO,Amos,08\n", encoding="utf-8")
    page.locator("input[type=file]").set_input_files(csv_file)
    page.locator("form[enctype] input[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#import-preview tbody tr").count() == 1
    assert not Territory.objects.filter(code="AMO").exists()
    page.locator("input[name=confirm]").click()
    page.wait_for_load_state()
    assert Territory.objects.filter(code="AMO").exists()
