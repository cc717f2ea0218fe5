"""Every email of templates/emails/, rendered in French and in English from a fixed context and
compared with its snapshot under tests/notifications/snapshots/ (subject, text and HTML). After an
intended change, write the snapshots again and review their diff:

    UPDATE_SNAPSHOTS=1 VAR_DIR=... pytest tests/notifications/test_snapshots.py
"""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from accounts.models import User
from activities.models import Activity, ActivityKind, Registration, RegistrationStatus
from candidates.models import Candidate, TerritoryProposal
from notifications.models import OutboxEmail
from notifications.services import _render
from referrals.models import DeclineReason, FollowUpStep, Referral, ReferralStatus
from territories.models import Agent, Region, Territory

SNAPSHOTS = Path(__file__).parent / "snapshots"
LANGUAGES = ("fr-ca", "en")
SITE_URL = "https://plateforme.example.org"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"


def at(day: int, hour: int = 10, month: int = 11) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 30, tzinfo=datetime.UTC)


def people(hostile: bool = False) -> dict:
    """Unsaved objects with fixed ids, names and dates. With `hostile`, every name and free text
    a person typed carries markup, to check that the HTML escapes it."""
    mark = "<script>alert(1)</script>" if hostile else ""
    counsellor = User(
        pk=3, email="camille.roy@eer.example.org", first_name=f"Camille{mark}", last_name="Roy", role="counsellor"
    )
    coordinator = User(
        pk=4, email="dominique.tremblay@pajr.example.org", first_name=f"Dominique{mark}", last_name="Tremblay"
    )
    region = Region(pk=1, code="11", name_fr="Gaspésie–Îles-de-la-Madeleine", name_en="Gaspésie–Îles-de-la-Madeleine")
    territory = Territory(pk=7, code="T007", name="La Haute-Gaspésie", region=region)
    next_territory = Territory(pk=8, code="T008", name="Rimouski-Neigette")
    agent = Agent(
        pk=5,
        first_name=f"Alexis{mark}",
        last_name="Gagnon",
        email="alexis.gagnon@paj.example.org",
        phone="418 555-0123",
    )
    candidate = Candidate(
        pk=11, first_name=f"Amina{mark}", last_name="Diallo", email="amina.diallo@example.org", counsellor=counsellor
    )

    def referral(pk: int, status: str, **fields) -> Referral:
        return Referral(
            pk=pk,
            candidate=candidate,
            territory=territory,
            sent_by=counsellor,
            message=f"Projet mûr.{mark}",
            status=status,
            rank=1,
            sent_at=at(2),
            expires_at=at(12),
            **fields,
        )

    pending = referral(21, ReferralStatus.PENDING)
    under_review = referral(26, ReferralStatus.UNDER_REVIEW)
    accepted = referral(22, ReferralStatus.ACCEPTED, answered_by=agent, answered_at=at(4))
    declined = referral(
        23,
        ReferralStatus.DECLINED,
        answered_by=agent,
        answered_at=at(5),
        decline_category=DeclineReason.OTHER,
        decline_reason=f"Aucun logement libre avant le printemps.{mark}",
    )
    expired = referral(24, ReferralStatus.EXPIRED)
    following = Referral(
        pk=25, candidate=candidate, territory=next_territory, sent_by=counsellor, status="pending", rank=2
    )
    following.sent_at, following.expires_at = at(12), at(22)
    proposal = TerritoryProposal(
        pk=41,
        candidate=candidate,
        territory=next_territory,
        proposed_by=counsellor,
        message=f"Beaucoup de postes en santé.{mark}",
    )
    next_territory.region = Region(pk=2, code="01", name_fr="Bas-Saint-Laurent", name_en="Bas-Saint-Laurent")
    failed = OutboxEmail(
        pk=31,
        template="referral_new_agent",
        recipient="ancienne.adresse@paj.example.org",
        attempts=8,
        last_error=f"SMTPRecipientsRefused: 550 5.1.1 mailbox unavailable{mark}",
        created_at=at(20, 9),
    )
    activity = Activity(
        pk=41,
        territory=territory,
        kind=ActivityKind.EXPLORATORY_STAY,
        title_fr=f"Séjour exploratoire en Haute-Gaspésie{mark}",
        title_en=f"Exploratory stay in Haute-Gaspésie{mark}",
        starts_at=at(27, 13),
        ends_at=at(29, 21),
        place=f"Hôtel de ville, 10 rue Principale, Sainte-Anne-des-Monts{mark}",
        online_url="https://rencontre.example.org/sejour",
        capacity=12,
    )
    registration = Registration(pk=51, activity=activity, candidate=candidate, status=RegistrationStatus.REGISTERED)
    return locals()


def contexts(hostile: bool = False) -> dict[str, dict]:
    """The context of each email, keyed by template (and variant, after "--")."""
    p = people(hostile)
    referral, candidate, agent, counsellor = p["pending"], p["candidate"], p["agent"], p["counsellor"]
    file_link = f"{SITE_URL}/conseil/candidats/11/"
    my_file = f"{SITE_URL}/mon-dossier/"
    agent_link = f"{SITE_URL}/r/jeton-de-test/"
    checkin = {
        "referral": p["accepted"],
        "candidate": candidate,
        "agent": agent,
        "step": FollowUpStep.CHECKIN_6,
        "moved_on": datetime.date(2026, 5, 15),
        "months": 6,
    }
    activity = {
        "candidate": candidate,
        "registration": p["registration"],
        "activity": p["activity"],
        "territory": p["territory"],
        "link": f"{SITE_URL}/activites/41/",
        "my_file_link": my_file,
    }
    return {
        "activity_cancelled_candidate": activity,
        "activity_changed_candidate": activity,
        "activity_promoted_candidate": activity,
        "activity_registered_candidate": activity,
        "activity_reminder_candidate": activity,
        "activity_waitlisted_candidate": activity,
        "answers_digest_counsellor": {
            "counsellor": counsellor,
            "referrals": [p["accepted"], p["declined"], p["expired"]],
            "day": datetime.date(2026, 11, 20),
            "link": f"{SITE_URL}/conseil/?vue=reponses",
        },
        "candidate_counsellor_assigned": {"candidate": candidate, "counsellor": counsellor, "link": my_file},
        "candidate_file_received": {"candidate": candidate, "link": my_file},
        "follow_up_checkin_agent": {**checkin, "link": f"{SITE_URL}/agent/orientations/22/"},
        "follow_up_checkin_candidate": {**checkin, "link": my_file},
        "outbox_failed_coordinator": {
            "coordinator": p["coordinator"],
            "emails": [p["failed"]],
            "count": 51,
            "more": 1,
            "link": f"{SITE_URL}/admin/notifications/outboxemail/?status__exact=failed",
        },
        "referral_answered_candidate--accepted": {
            "referral": p["accepted"],
            "candidate": candidate,
            "agent": agent,
            "next_referral": None,
            "link": my_file,
        },
        "referral_answered_candidate--declined": {
            "referral": p["declined"],
            "candidate": candidate,
            "agent": agent,
            "next_referral": p["following"],
            "link": my_file,
        },
        "referral_answered_counsellor--declined": {
            "referral": p["declined"],
            "candidate": candidate,
            "agent": agent,
            "next_referral": None,
            "link": file_link,
        },
        "referral_expired_counsellor": {
            "referral": p["expired"],
            "candidate": candidate,
            "next_referral": p["following"],
            "link": file_link,
        },
        "referral_expires_soon_agent": {
            "referral": referral,
            "agent": agent,
            "link": agent_link,
            "space": f"{SITE_URL}/agent/",
        },
        "referral_new_agent": {"referral": referral, "agent": agent, "link": agent_link},
        "referral_new_link_agent": {"referral": referral, "agent": agent, "open": True, "link": agent_link},
        "referral_reminder_agent": {
            "referral": referral,
            "agent": agent,
            "link": agent_link,
            "space": f"{SITE_URL}/agent/",
        },
        "referral_sent_candidate": {"candidate": candidate, "referral": referral, "link": my_file},
        "referral_under_review_candidate": {
            "referral": p["under_review"],
            "candidate": candidate,
            "agent": agent,
            "link": my_file,
        },
        "referral_under_review_counsellor": {
            "referral": p["under_review"],
            "candidate": candidate,
            "agent": agent,
            "link": file_link,
        },
        "referral_withdrawn_agent": {"referral": referral, "agent": agent},
        "referral_withdrawn_counsellor--sharing": {
            "referral": referral,
            "candidate": candidate,
            "account_deleted": False,
            "link": file_link,
        },
        "referral_withdrawn_counsellor--deleted": {
            "referral": referral,
            "candidate": candidate,
            "account_deleted": True,
            "anonymized": True,
            "link": file_link,
        },
        "referral_withdrawn_counsellor--anonymized": {
            "referral": referral,
            "candidate": candidate,
            "account_deleted": False,
            "anonymized": True,
            "link": file_link,
        },
        "coaching_withdrawn_candidate": {
            "candidate": candidate,
            "anonymize_on": datetime.date(2026, 1, 14),
            "link": f"{SITE_URL}/mon-dossier/consentements/",
        },
        "territory_proposed_candidate": {
            "candidate": candidate,
            "proposal": p["proposal"],
            "territory": p["next_territory"],
            "counsellor": counsellor,
            "link": f"{SITE_URL}/mon-dossier/territoires-proposes/",
        },
        "sharing_consent_request": {
            "candidate": candidate,
            "counsellor": counsellor,
            "link": f"{SITE_URL}/mon-dossier/consentements/",
        },
    }


def templates() -> list[str]:
    folder = Path(django_settings.BASE_DIR) / "templates" / "emails"
    return sorted(path.name.removesuffix("_subject.txt") for path in folder.glob("*_subject.txt"))


def render(name: str, language: str, hostile: bool = False) -> tuple[str, str, str]:
    return _render(template=name.split("--")[0], language=language, context=contexts(hostile)[name])


@pytest.fixture(autouse=True)
def _fixed_site(settings):
    settings.SITE_URL = SITE_URL


def test_every_email_template_has_a_snapshot_context():
    covered = {name.split("--")[0] for name in contexts()}
    assert covered == set(templates())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(contexts()))
def test_email_matches_its_snapshot(name, language):
    subject, text, html = render(name, language)
    rendered = f"Subject: {subject}\n\n===== text =====\n{text}\n===== html =====\n{html}"
    path = SNAPSHOTS / f"{name}.{language}.txt"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(rendered)
    assert path.exists(), f"No snapshot {path.name}: run with UPDATE_SNAPSHOTS=1 and review it"
    assert rendered == path.read_text(), f"{path.name} changed: run with UPDATE_SNAPSHOTS=1 and review the diff"


@pytest.mark.parametrize("name", sorted(contexts()))
def test_the_english_email_is_translated(name):
    french, english = render(name, "fr-ca"), render(name, "en")
    assert french[0] != english[0]
    assert french[1] != english[1]
    assert "Vous recevez" not in english[1] and "Bonjour" not in english[1]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(contexts()))
def test_what_people_typed_is_escaped_in_the_html(name, language):
    _subject, text, html = render(name, language, hostile=True)
    assert "<script>" not in html
    if "alert(1)" in html:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # The text version is plain text: it shows what was typed as it was typed.
    assert "&lt;" not in text and "&#x27;" not in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(contexts()))
def test_no_subject_carries_the_person_s_last_name_or_email(name, language):
    """Subjects show in notification previews, on lock screens and in mail servers' logs: at
    most the person's first name (to themselves) or the file's number (Québec's Law 25)."""
    subject = render(name, language)[0]
    for personal in ("Diallo", "amina.diallo@example.org", "418 555"):
        assert personal not in subject, subject


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(contexts()))
def test_every_email_links_to_the_privacy_page(name, language):
    """The footer of every email, text and HTML (templates/emails/base.txt and base.html)."""
    _subject, text, html = render(name, language)
    assert f"{SITE_URL}/confidentialite/" in text.split("\n--\n", 1)[1]
    assert f'href="{SITE_URL}/confidentialite/"' in html
