"""The agent's side in Chromium: the emailed link shows what a call needs, the agent puts the
referral under review, then accepts through the confirmation page; the agent's space has no
sideways scroll at 390 px, in French and in English; axe-core finds nothing serious or critical on
these pages. Screenshots (1280 and 390 px, FR and EN) go to var/screenshots/agent-page/."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Page, expect

from candidates.models import CandidateStatus, MaturityAssessment
from referrals.models import Referral, ReferralStatus
from referrals.services import referral_link_create, referral_send
from tests.e2e.test_browser_path import accessibility_problems
from tests.factories import AgentFactory, CandidateFactory, CounsellorFactory, RegionFactory, TerritoryFactory
from tests.referrals.factories_agent import FollowUpFactory, agent_with_account, referral_for

pytestmark = pytest.mark.browser

SHOTS = Path(django_settings.VAR_DIR) / "screenshots" / "agent-page"
WIDTHS = (1280, 390)


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def scrolls_sideways(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


@pytest.fixture
def referral(db):
    region = RegionFactory(code="01", name_fr="Bas-Saint-Laurent")
    first = TerritoryFactory(name="Kamouraska", region=region)
    second = TerritoryFactory(name="Rimouski-Neigette", region=region)
    agent_with_account(territories=[first], first_name="Josée", last_name="Tremblay")
    AgentFactory(territories=[second])
    counsellor = CounsellorFactory(first_name="Camille", last_name="Roy")
    candidate = CandidateFactory(
        first_name="Amina",
        last_name="Diallo",
        target_territory=first,
        more_targets=[second],
        status=CandidateStatus.COACHING,
        counsellor=counsellor,
        phone="+14185550123",
        contact_method="phone",
        contact_times="en semaine après 17 h",
        has_partner=True,
        children_count=2,
        interests="Ski de fond, théâtre amateur",
        immigration_status="work_permit",
        highest_diploma="college",
        diploma_recognition="in_progress",
        french_level="intermediate",
        english_level="fluent",
        occupation_field="Soins infirmiers",
        years_experience=6,
        timeline="6_months",
        housing_need="rent",
        goals="Travailler comme infirmière en CISSS.",
    )
    MaturityAssessment.objects.create(
        candidate=candidate,
        cv_reworked=True,
        work_authorization_valid=True,
        french_adequate=True,
        region_explored=True,
        mature_at=candidate.created_at,
        mature_by=counsellor,
        mature_note="Séjour exploratoire à Kamouraska en octobre ; permis de travail valide jusqu'en 2028.",
    )
    return referral_send(
        candidate=candidate,
        territories=[first, second],
        by=counsellor,
        message="Infirmière, prête à partir au printemps.",
    )


def browser_page(browser, live_server, *, width: int, language: str, agent=None) -> Page:
    """A page of a fresh context at `width`, reading `language`; signed in as `agent` if given."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    cookies = [{"name": "django_language", "value": language, "url": live_server.url}]
    if agent is not None:
        client = Client()
        client.force_login(agent.user)
        cookies.append({"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url})
    context.add_cookies(cookies)
    return context.new_page()


def test_the_agent_reads_puts_under_review_then_accepts_through_the_confirmation(browser, live_server, referral):
    agent = referral.territory.agents.get()
    _, token = referral_link_create(referral=referral, agent=agent)
    page = browser_page(browser, live_server, width=1280, language="fr-ca")
    audit: list[str] = []

    page.goto(f"/r/{token}/")
    summary = page.locator("#resume")
    expect(summary).to_contain_text("Téléphone · en semaine après 17 h")
    expect(summary).to_contain_text("2 enfants : des places en garderie ou à l'école à prévoir")
    expect(summary).to_contain_text("Ski de fond, théâtre amateur")
    expect(summary).to_contain_text("Permis de travail")
    expect(summary.locator("#maturity")).to_contain_text("Séjour exploratoire à Kamouraska en octobre")
    expect(page.locator("#place-in-list")).to_contain_text("1er de 2 territoires")
    expect(page.locator("#deadline")).to_contain_text("Réponse attendue d'ici le")
    expect(summary).not_to_contain_text("(en cours)")
    expect(page.locator("main a[href^='tel:']")).to_have_count(0)  # not before accepting
    audit += accessibility_problems(page)
    shoot(page, "link-pending-fr-1280")

    page.get_by_role("button", name="Mettre à l'étude").click()
    expect(page.get_by_text("Orientation mise à l'étude.")).to_be_visible()
    expect(page.locator("#referral-facts")).to_contain_text("À l'étude")
    expect(page.get_by_role("button", name="Mettre à l'étude")).to_have_count(0)
    expect(page.get_by_role("button", name="Prolonger le délai de 7 jours")).to_be_visible()
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.UNDER_REVIEW
    audit += accessibility_problems(page)
    shoot(page, "link-under-review-fr-1280")

    page.get_by_role("button", name="Accepter cette orientation").click()
    expect(page.get_by_role("heading", name="Confirmer l'acceptation")).to_be_visible()
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.UNDER_REVIEW  # nothing yet
    audit += accessibility_problems(page)
    shoot(page, "link-confirm-fr-1280")
    page.get_by_role("button", name="Oui, accepter l'orientation").click()

    expect(page.locator("#decision")).to_contain_text("Acceptée par Josée Tremblay")
    expect(page.get_by_role("link", name="(418) 555-0123")).to_have_attribute("href", "tel:+14185550123")
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.ACCEPTED
    audit += accessibility_problems(page)
    assert audit == [], audit


@pytest.mark.parametrize("language", ["fr-ca", "en"])
def test_the_agent_space_and_pages_fit_a_phone_in_both_languages(browser, live_server, referral, language):
    agent = referral.territory.agents.get()
    # Something in every tab: under review, followed, closed.
    for status in (ReferralStatus.UNDER_REVIEW, ReferralStatus.ACCEPTED, ReferralStatus.DECLINED):
        other = referral_for(agent, status=status)
        if status == ReferralStatus.ACCEPTED:
            FollowUpFactory(referral=other, step="first_contact", by_agent=agent, note="Appel de 30 minutes.")
    accepted = Referral.objects.filter(territory__agents=agent, status=ReferralStatus.ACCEPTED).get()
    _, token = referral_link_create(referral=referral, agent=agent)
    lang = language[:2]
    audit: list[str] = []

    for width in WIDTHS:
        page = browser_page(browser, live_server, width=width, language=language, agent=agent)
        pages = {
            "space": "/agent/",
            "space-referral": f"/agent/orientations/{referral.pk}/",
            "space-accepted": f"/agent/orientations/{accepted.pk}/",
            "link": f"/r/{token}/",
        }
        for name, url in pages.items():
            page.goto(url)
            page.wait_for_load_state()
            assert not scrolls_sideways(page), f"{name} scrolls sideways at {width} px ({language})"
            audit += accessibility_problems(page)
            shoot(page, f"{name}-{lang}-{width}")
            if name == "space":
                # It opens on the tab that needs action: the referrals waiting for an answer.
                current = page.locator("[aria-current=page]")
                expect(current).to_contain_text("en attente" if lang == "fr" else "pending")
                expect(page.locator("#agent-referrals article")).to_have_count(2)
                assert page.locator("table").count() == 0
            if name == "space-accepted":
                form_top = page.locator("#follow-up-form").bounding_box()["y"]
                assert form_top < page.locator("#resume").bounding_box()["y"]
        page.goto(f"/agent/orientations/{referral.pk}/")
        page.get_by_role("button", name=re.compile("^(Accepter cette orientation|Accept this referral)$")).click()
        expect(page.locator("#confirm-accept")).to_be_visible()
        assert not scrolls_sideways(page)
        audit += accessibility_problems(page)
        shoot(page, f"space-confirm-{lang}-{width}")
        page.context.close()

    if lang == "en":
        page = browser_page(browser, live_server, width=390, language=language, agent=agent)
        page.goto(f"/agent/orientations/{referral.pk}/")
        flat = page.locator("#resume").inner_text()
        assert "French\nIntermediate" in flat and "Français" not in flat
        expect(page.locator("#place-in-list")).to_contain_text("1st of 2 territories")
        page.context.close()
    assert audit == [], "\n".join(audit)
