"""Every reading of a file is logged, by whoever reads it and wherever, once per reader, file and
hour; the person sees in Mon dossier which organisation and role read their file, and when."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.models import AccessKind, FileAccess
from candidates.services import candidate_set_cv
from referrals.models import ReferralStatus
from referrals.services import referral_link_create
from tests.documents import make_pdf
from tests.factories import CandidateFactory, CoordinatorFactory, CounsellorFactory
from tests.pages import file_url, link_page
from tests.referrals.factories_agent import agent_with_account, referral_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


def kinds(candidate) -> set[str]:
    return set(FileAccess.objects.filter(candidate=candidate).values_list("kind", flat=True))


def test_every_read_path_is_logged():
    from django.core.files.uploadedfile import SimpleUploadedFile

    agent = agent_with_account()
    referral = referral_for(agent)
    candidate = referral.candidate
    candidate_set_cv(candidate=candidate, file=SimpleUploadedFile("cv.pdf", make_pdf()), kind="pdf")
    twin = CandidateFactory(email=candidate.email, user=None)
    counsellor, coordinator = CounsellorFactory(), CoordinatorFactory(is_superuser=True)
    staff, space, link = Client(), Client(), Client()
    staff.force_login(counsellor)
    space.force_login(agent.user)

    staff.get(file_url(candidate))
    staff.get(reverse("my_file:cv_download", args=[candidate.pk]))
    staff.get(reverse("counselling:merge_confirm", args=[candidate.pk, twin.pk]))
    space.get(reverse("referrals:agent_referral", args=[referral.pk]))
    page = link_page(link, referral_link_create(referral=referral, agent=agent)[1])
    link.get(page)
    link.get(page + "cv/")
    staff.force_login(coordinator)
    staff.get(reverse("admin:candidates_candidate_change", args=[candidate.pk]))
    person = Client()
    person.force_login(candidate.user)
    person.get(reverse("my_file:export"))

    assert {AccessKind.FILE_PAGE, AccessKind.CV, AccessKind.MERGE_PREVIEW, AccessKind.AGENT_PAGE} <= kinds(candidate)
    assert {AccessKind.ADMIN, AccessKind.EXPORT} <= kinds(candidate)
    assert FileAccess.objects.filter(candidate=candidate, agent=agent).exists()
    assert kinds(twin) == {AccessKind.MERGE_PREVIEW}


def test_the_person_reads_organisation_role_and_day_not_names():
    agent = agent_with_account()
    referral = referral_for(agent, status=ReferralStatus.ACCEPTED)
    candidate = referral.candidate
    counsellor = CounsellorFactory(first_name="Léa", last_name="Côté")
    staff, space, person = Client(), Client(), Client()
    staff.force_login(counsellor)
    space.force_login(agent.user)
    person.force_login(candidate.user)
    for _ in range(3):
        staff.get(file_url(candidate))
    space.get(reverse("referrals:agent_referral", args=[referral.pk]))

    html = person.get(reverse("my_file:home")).content.decode()
    section = html.split('id="lectures"')[1].split("</ul>")[0]

    assert section.count("Emplois en régions, conseiller·ère") == 1
    assert "Place aux jeunes en région, agent·e Place aux jeunes" in section
    assert "Léa" not in section and "Côté" not in section and agent.last_name not in section
    assert timezone.localdate().strftime("%Y") in section


def test_an_agent_reading_an_ended_referral_reads_nothing_and_is_not_logged():
    agent = agent_with_account()
    referral = referral_for(agent, status=ReferralStatus.DECLINED)
    space = Client()
    space.force_login(agent.user)

    space.get(reverse("referrals:agent_referral", args=[referral.pk]))

    assert not FileAccess.objects.exists()


def test_readings_group_a_year_of_rows_by_day_and_kind_of_reader(django_assert_num_queries):
    from datetime import timedelta

    from my_file.timeline import file_readings

    candidate = CandidateFactory()
    counsellor, colleague, coordinator = CounsellorFactory(), CounsellorFactory(), CoordinatorFactory()
    agent = agent_with_account()
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)

    def read(*, days_ago: int, minutes: int, user=None, by_agent=None, kind=AccessKind.FILE_PAGE):
        at = noon - timedelta(days=days_ago, minutes=minutes)
        reader = f"agent:{by_agent.pk}" if by_agent else f"user:{user.pk}"
        access = FileAccess.objects.create(
            candidate=candidate, user=user, agent=by_agent, kind=kind, reader=reader, hour=at
        )
        FileAccess.objects.filter(pk=access.pk).update(at=at)

    for minutes in range(0, 600, 10):  # 60 hours' worth of rows a day, over three days
        for days_ago in (0, 1, 2):
            read(days_ago=days_ago, minutes=minutes, user=counsellor)
            read(days_ago=days_ago, minutes=minutes + 1, user=colleague)
    read(days_ago=1, minutes=-60, user=coordinator)
    read(days_ago=2, minutes=-30, by_agent=agent, kind=AccessKind.AGENT_LINK)
    read(days_ago=0, minutes=-90, user=candidate.user, kind=AccessKind.EXPORT)  # their own: left out
    read(days_ago=400, minutes=0, user=coordinator)  # more than a year ago: left out

    with django_assert_num_queries(1) as queries:
        readings = file_readings(candidate)

    assert "GROUP BY" in queries.captured_queries[0]["sql"]
    today, yesterday, before = (timezone.localdate(noon - timedelta(days=n)) for n in (0, 1, 2))
    assert [(r.day, r.organisation, r.role) for r in readings] == [
        (today, "Emplois en régions", "conseiller·ère"),
        (yesterday, "Place aux jeunes en région et Emplois en régions", "coordination"),
        (yesterday, "Emplois en régions", "conseiller·ère"),
        (before, "Place aux jeunes en région", "agent·e Place aux jeunes"),
        (before, "Emplois en régions", "conseiller·ère"),
    ]
