"""The counsellor's view of a file: coaching notes, the maturity checklist and decision, the
access log, and who may reach each of these URLs."""

import datetime
import re

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from candidates.models import (
    CoachingNote,
    DiplomaRecognition,
    FileAccess,
    HousingNeed,
    MaturityAssessment,
    ProfileKind,
    TerritoryProposal,
)
from candidates.services import CandidateError, candidate_declare_mature, coaching_note_add, coaching_note_edit
from tests.factories import (
    AgentFactory,
    CandidateFactory,
    CoordinatorFactory,
    CounsellorFactory,
    FileAccessFactory,
    ReferralFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.journeys import declined_then_accepted
from tests.pages import file_url

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>\x1b[31m'


def note_written(candidate, author, *, text="Première rencontre.", hours_ago: float = 0) -> CoachingNote:
    note = coaching_note_add(candidate=candidate, by=author, text=text)
    if hours_ago:
        CoachingNote.objects.filter(pk=note.pk).update(created_at=timezone.now() - datetime.timedelta(hours=hours_ago))
        note.refresh_from_db()
    return note


# --- Who reaches what ---------------------------------------------------------------------------


def urls(candidate, note) -> dict[str, tuple[str, str]]:
    """name: (method, url) for each of the file's URLs."""
    return {
        "file": ("get", file_url(candidate)),
        "note_add": ("post", reverse("counselling:note_add", args=[candidate.pk])),
        "note_edit_get": ("get", reverse("counselling:note_edit", args=[candidate.pk, note.pk])),
        "note_edit_post": ("post", reverse("counselling:note_edit", args=[candidate.pk, note.pk])),
        "maturity_ticks": ("post", reverse("counselling:maturity_ticks", args=[candidate.pk])),
        "declare_mature": ("post", reverse("counselling:declare_mature", args=[candidate.pk])),
    }


POST_DATA = {"text": "Une note", "note": "Projet prêt", "cv_reworked": "on"}
NAMES = ["file", "note_add", "note_edit_get", "note_edit_post", "maturity_ticks", "declare_mature"]


@pytest.mark.parametrize("name", NAMES)
def test_anonymous_visitors_are_sent_to_sign_in(client, counsellor, name):
    candidate = CandidateFactory()
    method, url = urls(candidate, note_written(candidate, counsellor))[name]

    response = getattr(client, method)(url, POST_DATA if method == "post" else None)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("who", ["candidate", "agent"])
def test_candidates_and_agents_are_refused(client, counsellor, name, who):
    candidate = CandidateFactory()
    method, url = urls(candidate, note_written(candidate, counsellor))[name]
    client.force_login(candidate.user if who == "candidate" else UserFactory(role="agent"))

    assert getattr(client, method)(url, POST_DATA if method == "post" else None).status_code == 403
    assert not MaturityAssessment.objects.exists()
    assert CoachingNote.objects.get().text == "Première rencontre."
    assert not FileAccess.objects.exists()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("factory", [CounsellorFactory, CoordinatorFactory])
def test_counsellors_and_coordinators_reach_each_url(client, name, factory):
    user = factory()
    candidate = CandidateFactory()
    method, url = urls(candidate, note_written(candidate, user))[name]
    client.force_login(user)

    response = getattr(client, method)(url, POST_DATA if method == "post" else None)

    assert response.status_code == (200 if method == "get" else 302)


@pytest.mark.parametrize("name", [name for name in NAMES if not name.endswith("get") and name != "file"])
def test_every_post_needs_a_csrf_token(counsellor, name):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    candidate = CandidateFactory()
    _method, url = urls(candidate, note_written(candidate, counsellor))[name]
    client.force_login(counsellor)

    assert client.post(url, POST_DATA).status_code == 403
    assert CoachingNote.objects.count() == 1
    assert not MaturityAssessment.objects.exists()


@pytest.mark.parametrize("name", ["note_add", "maturity_ticks", "declare_mature"])
def test_get_on_a_post_url_changes_nothing(client, counsellor, name):
    candidate = CandidateFactory()
    _method, url = urls(candidate, note_written(candidate, counsellor))[name]
    client.force_login(counsellor)

    assert client.get(url, POST_DATA).status_code == 405
    assert CoachingNote.objects.count() == 1
    assert not MaturityAssessment.objects.exists()


def test_get_on_the_note_edit_url_only_shows_the_prefilled_form(client, counsellor):
    candidate = CandidateFactory()
    note = note_written(candidate, counsellor, text="Texte d'origine")
    client.force_login(counsellor)

    response = client.get(reverse("counselling:note_edit", args=[candidate.pk, note.pk]), {"text": "Changé"})

    assert "Texte d&#x27;origine</textarea>" in response.content.decode()
    note.refresh_from_db()
    assert note.text == "Texte d'origine"


# --- Coaching notes -----------------------------------------------------------------------------


def test_a_note_is_added_dated_and_signed(client):
    counsellor = CounsellorFactory(first_name="Marie", last_name="Gagnon")
    candidate = CandidateFactory()
    client.force_login(counsellor)

    response = client.post(reverse("counselling:note_add", args=[candidate.pk]), {"text": "Rencontre\r\nCV à revoir"})

    assert response["Location"] == file_url(candidate) + "#notes"
    note = CoachingNote.objects.get()
    assert (note.candidate, note.author, note.text) == (candidate, counsellor, "Rencontre\nCV à revoir")
    html = client.get(file_url(candidate)).content.decode()
    assert "Rencontre<br>CV à revoir" in html
    assert "Marie Gagnon" in html
    assert html.count('<time datetime="') >= 2  # the note's date, and this opening's in the access log


def test_an_empty_note_is_refused(client, counsellor):
    candidate = CandidateFactory()
    client.force_login(counsellor)

    response = client.post(reverse("counselling:note_add", args=[candidate.pk]), {"text": "  \x00 "}, follow=True)

    assert "Ce champ est obligatoire" in response.content.decode()
    assert not CoachingNote.objects.exists()


def test_hostile_text_is_stripped_of_control_characters_and_escaped(client, counsellor):
    candidate = CandidateFactory()
    client.force_login(counsellor)

    client.post(reverse("counselling:note_add", args=[candidate.pk]), {"text": HOSTILE})

    assert CoachingNote.objects.get().text == '<script>alert("x")</script>[31m'
    html = client.get(file_url(candidate)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_the_author_edits_their_note_within_24_hours(client, counsellor):
    candidate = CandidateFactory()
    note = note_written(candidate, counsellor, hours_ago=23)
    client.force_login(counsellor)
    edit_url = reverse("counselling:note_edit", args=[candidate.pk, note.pk])
    assert edit_url in client.get(file_url(candidate)).content.decode()

    response = client.post(edit_url, {"text": "Corrigée"})

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == "Corrigée"
    assert "modifiée le" in client.get(file_url(candidate)).content.decode()


def test_another_counsellor_cannot_edit_a_note(client, counsellor):
    candidate = CandidateFactory()
    note = note_written(candidate, counsellor)
    other = CounsellorFactory()
    client.force_login(other)
    edit_url = reverse("counselling:note_edit", args=[candidate.pk, note.pk])

    assert edit_url not in client.get(file_url(candidate)).content.decode()  # no button
    response = client.post(edit_url, {"text": "Réécrite"}, follow=True)  # the server re-checks

    assert "Seul·e l&#x27;auteur·e" in response.content.decode()
    note.refresh_from_db()
    assert note.text == "Première rencontre."
    with pytest.raises(CandidateError):
        coaching_note_edit(note=note, by=other, text="Réécrite")


def test_a_note_cannot_be_edited_after_24_hours(client, counsellor):
    candidate = CandidateFactory()
    note = note_written(candidate, counsellor, hours_ago=24.01)
    client.force_login(counsellor)
    edit_url = reverse("counselling:note_edit", args=[candidate.pk, note.pk])

    assert edit_url not in client.get(file_url(candidate)).content.decode()
    response = client.post(edit_url, {"text": "Trop tard"}, follow=True)

    assert "24 heures" in response.content.decode()
    note.refresh_from_db()
    assert note.text == "Première rencontre."


def test_a_note_is_edited_through_its_own_file_only(client, counsellor):
    candidate, other = CandidateFactory(), CandidateFactory()
    note = note_written(candidate, counsellor)
    client.force_login(counsellor)

    assert client.get(reverse("counselling:note_edit", args=[other.pk, note.pk])).status_code == 404


# --- The maturity checklist and decision ---------------------------------------------------------


def checklist(client, candidate) -> dict:
    return {item.key: item for item in client.get(file_url(candidate)).context["checklist"]}


def test_derived_items_come_from_the_profile(client, counsellor):
    candidate = CandidateFactory(
        diploma_recognition=DiplomaRecognition.NOT_STARTED, housing_need=HousingNeed.UNKNOWN, has_partner=True
    )
    client.force_login(counsellor)

    items = checklist(client, candidate)
    assert items["targets"].done is True
    assert items["diploma"].done is False
    assert items["housing"].done is False
    assert "ménage" in items["housing"].detail and "logement" in items["housing"].detail

    candidate.diploma_recognition = DiplomaRecognition.NOT_NEEDED
    candidate.housing_need = HousingNeed.RENT
    candidate.children_count = 0
    candidate.save()
    candidate.targets.all().delete()
    items = checklist(client, candidate)
    assert (items["targets"].done, items["diploma"].done, items["housing"].done) == (False, True, True)


def test_diploma_recognition_does_not_apply_to_a_non_immigrant(client, counsellor):
    candidate = CandidateFactory(profile_kind=ProfileKind.NEO_RURAL)
    client.force_login(counsellor)

    assert checklist(client, candidate)["diploma"].done is None


def test_what_is_missing_is_shown_plainly(client, counsellor):
    candidate = CandidateFactory(immigration_status="work_permit")
    client.force_login(counsellor)

    html = client.get(file_url(candidate)).content.decode()

    assert "Il manque encore" in html
    assert "Autorisation de travail valide" in html
    assert "Permis de travail" in html  # the status, beside the item


def test_the_counsellor_ticks_items(client, counsellor):
    candidate = CandidateFactory()
    client.force_login(counsellor)

    response = client.post(
        reverse("counselling:maturity_ticks", args=[candidate.pk]), {"cv_reworked": "on", "region_explored": "on"}
    )

    assert response.status_code == 302
    assessment = MaturityAssessment.objects.get(candidate=candidate)
    assert (assessment.cv_reworked, assessment.work_authorization_valid) == (True, False)
    assert (assessment.french_adequate, assessment.region_explored) == (False, True)
    assert assessment.updated_by == counsellor
    items = checklist(client, candidate)
    assert items["cv_reworked"].done is True and items["french_adequate"].done is False

    client.post(reverse("counselling:maturity_ticks", args=[candidate.pk]), {"french_adequate": "on"})

    assessment.refresh_from_db()
    assert (assessment.cv_reworked, assessment.french_adequate, assessment.region_explored) == (False, True, False)


def test_declaring_the_project_mature_records_who_when_and_why(client, counsellor):
    candidate = CandidateFactory(status="coaching", counsellor=counsellor)
    client.force_login(counsellor)

    response = client.post(
        reverse("counselling:declare_mature", args=[candidate.pk]), {"note": "CV revu <b>et</b> séjour fait"}
    )

    assert response.status_code == 302
    assessment = MaturityAssessment.objects.get(candidate=candidate)
    assert assessment.mature_by == counsellor
    assert assessment.mature_at is not None
    assert assessment.mature_note == "CV revu <b>et</b> séjour fait"
    candidate.refresh_from_db()
    assert candidate.status == "coaching"
    html = client.get(file_url(candidate)).content.decode()
    assert "Projet déclaré mûr par" in html
    assert "CV revu &lt;b&gt;et&lt;/b&gt; séjour fait" in html
    assert 'name="override_reason"' not in html


def test_the_decision_needs_a_note_and_is_taken_once(counsellor):
    candidate = CandidateFactory()

    with pytest.raises(CandidateError, match="note"):
        candidate_declare_mature(candidate=candidate, by=counsellor, note=" \x07 ")
    candidate_declare_mature(candidate=candidate, by=counsellor, note="Prêt")
    with pytest.raises(CandidateError, match="déjà"):
        candidate_declare_mature(candidate=candidate, by=counsellor, note="Encore")


def test_only_a_file_in_coaching_can_be_declared_mature(counsellor):
    candidate = CandidateFactory(status="closed")

    with pytest.raises(CandidateError, match="ne peut pas"):
        candidate_declare_mature(candidate=candidate, by=counsellor, note="Prêt")
    assert not MaturityAssessment.objects.exists()


# --- Referral and maturity (the view; the service's rule is in tests/referrals) -------------------


def test_a_mature_project_is_referred_without_an_override(client, counsellor, territory):
    candidate = CandidateFactory(target_territory=territory)
    client.force_login(counsellor)
    client.post(reverse("counselling:declare_mature", args=[candidate.pk]), {"note": "Prêt"})

    client.post(
        reverse("counselling:referral_send", args=[candidate.pk]), {"territory_1": territory.pk, "message": "Bonjour"}
    )

    referral = candidate.referrals.get()
    assert (referral.message, referral.transitions.get().code) == ("Bonjour", "sent")


@pytest.mark.parametrize(
    ("stored", "shown", "href"),
    [("+14185550123", "(418) 555-0123", "tel:+14185550123"), ("+33612345678", "+33 6 12 34 56 78", "tel:+33612345678")],
)
def test_the_phone_number_reads_in_national_format_and_dials(client, counsellor, stored, shown, href):
    candidate = CandidateFactory(phone=stored)
    client.force_login(counsellor)

    html = client.get(file_url(candidate)).content.decode()

    assert f'<a href="{href}">{shown}</a>' in html


# --- A settled file -----------------------------------------------------------------------------


def history_of(response) -> list[str]:
    section = response.content.decode().split('id="historique"')[1].split("</section>")[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in section.split("<li")[1:]]


def test_each_follow_up_is_one_line_of_the_history(client):
    """The move and settling are stored as a change of status and a follow-up step: one line
    each, the status carrying the step, not the same follow-up twice."""
    journey = declined_then_accepted()
    client.force_login(journey.candidate.counsellor)

    lines = history_of(client.get(file_url(journey.candidate)))

    follow_ups = [line for line in lines if "Beta — Béa Lemay" in line and "Pris·e en charge" not in line]
    assert len(follow_ups) == 3, lines
    assert "Premier contact fait" in follow_ups[0]
    assert "Installé·e en région" in follow_ups[1] and "Déménagement en région :" in follow_ups[1]
    assert "Enraciné·e" in follow_ups[2] and "Établi·e dans la région :" in follow_ups[2]
    assert len(lines) == len(set(lines))


@pytest.mark.parametrize("steps", [(), ("first_contact", "moved", "settled")])
def test_once_a_territory_took_the_person_on_the_referral_form_is_folded(client, steps):
    journey = declined_then_accepted(steps=steps)
    client.force_login(journey.candidate.counsellor)

    html = client.get(file_url(journey.candidate)).content.decode()

    folded = html.split('<details class="mt-4" id="nouvelle-orientation">')[1].split("</details>")[0]
    assert "Nouvelle orientation" in folded
    assert reverse("counselling:referral_send", args=[journey.candidate.pk]) in folded


def test_a_file_in_coaching_shows_the_referral_form_unfolded(client, counsellor):
    candidate = CandidateFactory(status="coaching", counsellor=counsellor, mature=counsellor)
    client.force_login(counsellor)

    html = client.get(file_url(candidate)).content.decode()

    assert 'id="nouvelle-orientation"' not in html
    assert reverse("counselling:referral_send", args=[candidate.pk]) in html


# --- The access log -----------------------------------------------------------------------------


def test_each_opening_is_logged_and_posts_are_not(client, counsellor):
    candidate = CandidateFactory()
    client.force_login(counsellor)

    client.get(file_url(candidate))
    client.get(file_url(candidate))
    client.post(reverse("counselling:note_add", args=[candidate.pk]), {"text": "Note"})
    client.post(reverse("counselling:maturity_ticks", args=[candidate.pk]), {"cv_reworked": "on"})

    # One row per reader, file and hour, not one per page view.
    assert list(FileAccess.objects.values_list("candidate", "user", "kind")) == [
        (candidate.pk, counsellor.pk, "file_page")
    ]
    FileAccess.objects.update(hour=F("hour") - datetime.timedelta(hours=1))  # an hour later…
    client.get(file_url(candidate))
    colleague = CounsellorFactory()
    client.force_login(colleague)
    client.get(file_url(candidate))
    assert sorted(FileAccess.objects.values_list("user", flat=True)) == sorted(
        [counsellor.pk, counsellor.pk, colleague.pk]
    )


def test_candidates_are_refused_the_staff_page_and_see_who_read_by_role_not_by_name(client, counsellor):
    candidate = CandidateFactory()
    client.force_login(counsellor)
    client.get(file_url(candidate))
    client.force_login(candidate.user)

    assert client.get(file_url(candidate)).status_code == 403
    html = client.get(reverse("my_file:home")).content.decode()

    assert FileAccess.objects.count() == 1
    assert "Emplois en régions, conseiller·ère" in html
    assert counsellor.get_full_name() not in html and counsellor.email not in html


def test_the_access_list_has_one_line_per_reader_and_day_with_a_count(client):
    """Six readings by the same colleague on a day read as one line with "6 consultations", not six
    identical lines; another day, or another reader, is a line of its own."""
    candidate = CandidateFactory()
    colleague = CounsellorFactory(first_name="Paul", last_name="Roy")
    agent = AgentFactory(first_name="Josée", last_name="Tremblay")
    now = timezone.now()
    # Yesterday at noon, so that the six readings fall on one day whatever the hour the suite runs.
    noon = timezone.make_aware(datetime.datetime.combine(timezone.localdate(now), datetime.time(12)))
    yesterday = noon - datetime.timedelta(days=1)
    for hours in range(6):
        access = FileAccessFactory(candidate=candidate, user=colleague)
        FileAccess.objects.filter(pk=access.pk).update(at=yesterday - datetime.timedelta(minutes=10 * hours))
    access = FileAccessFactory(candidate=candidate, user=colleague)
    FileAccess.objects.filter(pk=access.pk).update(at=noon - datetime.timedelta(days=3))
    FileAccessFactory(candidate=candidate, user=None, agent=agent, reader=f"agent:{agent.pk}")
    counsellor = CounsellorFactory(first_name="Léa", last_name="Côté")
    client.force_login(counsellor)

    response = client.get(file_url(candidate))

    lines = [(group.name, group.count, group.day) for group in response.context["accesses"]]
    today = timezone.localdate(now)
    assert sorted(lines[:2]) == sorted([("Léa Côté", 1, today), ("Josée Tremblay", 1, today)])
    assert lines[2:] == [
        ("Paul Roy", 6, timezone.localdate(yesterday)),
        ("Paul Roy", 1, timezone.localdate(noon - datetime.timedelta(days=3))),
    ]
    section = response.content.decode().split('id="consultations"')[1].split("</section>")[0]
    assert section.count("Paul Roy") == 2 and "6 consultations" in section
    assert "(Agent·e PAJ)" in section and "(Conseiller·ère EER)" in section


def test_the_access_list_shows_20_lines_at_most(client):
    candidate = CandidateFactory()
    now = timezone.now()
    for days in range(25):
        access = FileAccessFactory(candidate=candidate)
        FileAccess.objects.filter(pk=access.pk).update(at=now - datetime.timedelta(days=days + 1))
    client.force_login(CounsellorFactory())

    assert len(client.get(file_url(candidate)).context["accesses"]) == 20


def test_the_access_log_is_read_only_in_the_admin(client):
    coordinator = CoordinatorFactory(is_superuser=True)
    candidate = CandidateFactory()
    access = FileAccessFactory(candidate=candidate, user=coordinator)
    client.force_login(coordinator)

    assert client.get(reverse("admin:candidates_fileaccess_changelist")).status_code == 200
    assert client.get(reverse("admin:candidates_fileaccess_add")).status_code == 403
    assert (
        client.post(reverse("admin:candidates_fileaccess_delete", args=[access.pk]), {"post": "yes"}).status_code == 403
    )
    assert FileAccess.objects.count() == 1


# --- Speed --------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 50])
def test_file_query_count_does_not_grow_with_notes_events_accesses_referrals_and_proposals(
    client, counsellor, django_assert_num_queries, rows
):
    territory = TerritoryFactory()
    AgentFactory(territories=[territory])
    candidate = CandidateFactory(target_territory=territory, mature=True, status="coaching", counsellor=counsellor)
    authors = [CounsellorFactory() for _ in range(min(rows, 3))]
    for index in range(rows):
        ReferralFactory(candidate=candidate, status="declined")
        note_written(candidate, authors[index % len(authors)], text=f"Note {index}")
        FileAccessFactory(candidate=candidate, user=authors[index % len(authors)])
        candidate.events.create(kind="status_changed", from_status="new", to_status="coaching", actor=authors[0])
        TerritoryProposal.objects.create(
            candidate=candidate,
            territory=TerritoryFactory(),
            proposed_by=authors[index % len(authors)],
            message=f"Proposition {index}",
            status=("pending", "accepted", "declined")[index % 3],
        )
    client.force_login(counsellor)

    # session, user, candidate (with its maturity assessment and who decided), targets, consents,
    # events with their actors, coaching notes, referrals and their follow-ups, the access log's INSERT
    # and its last 20 rows, the target territories' agents, the colleagues the file can be handed
    # to, the territory proposals (with their territories, regions and counsellors); then, the
    # first time in the process (territories.selectors), the territories of the referral and
    # proposal forms' selects (one query for their four lists) and the active programs (none here)
    with django_assert_num_queries(16):
        response = client.get(file_url(candidate))
    assert response.status_code == 200
    with django_assert_num_queries(14):
        response = client.get(file_url(candidate))

    assert response.status_code == 200
    assert len(response.context["notes"]) == rows
    assert len(response.context["proposals"]) == rows


def test_deleting_the_account_erases_what_counsellors_wrote(counsellor):
    from candidates.services import candidate_delete

    candidate = CandidateFactory(mature=True)
    note_written(candidate, counsellor, text="Détails personnels")

    candidate_delete(candidate=candidate)

    assert not CoachingNote.objects.exists()
    assert MaturityAssessment.objects.get(candidate=candidate).mature_note == ""


def test_the_target_territories_agents_phones_read_in_national_format(client, counsellor):
    territory = TerritoryFactory(name="Kamouraska")
    AgentFactory(territories=[territory], first_name="Josée", last_name="Tremblay", phone="+14185550111")
    candidate = CandidateFactory(target_territory=territory, counsellor=counsellor)
    client.force_login(counsellor)

    html = client.get(file_url(candidate)).content.decode()

    assert '<a href="tel:+14185550111">(418) 555-0111</a>' in html
