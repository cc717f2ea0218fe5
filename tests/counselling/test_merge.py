import datetime

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from candidates.models import (
    Candidate,
    CandidateEvent,
    CandidateStatus,
    CandidateTarget,
    CoachingNote,
    Consent,
    MaturityAssessment,
    TerritoryProposal,
)
from candidates.proposals import chosen_territory_ids
from candidates.services import CandidateError
from counselling.services import candidates_merge
from referrals.models import ReferralLink, ReferralTransition
from tests.factories import (
    AgentFactory,
    CandidateFactory,
    CounsellorFactory,
    FileAccessFactory,
    ReferralFactory,
    TerritoryFactory,
    UserFactory,
)
from tests.history import text_of

pytestmark = pytest.mark.django_db


SAME_PHONE = "+14185559999"


def twin(**kwargs) -> Candidate:
    """A file of the same person as the other twins: the same phone number."""
    return CandidateFactory(**{"phone": SAME_PHONE, **kwargs})


def confirm_url(keep, merge):
    return reverse("counselling:merge_confirm", args=[keep.pk, merge.pk])


def merge_url(keep):
    return reverse("counselling:merge", args=[keep.pk])


@pytest.fixture
def signed_in(client, counsellor):
    client.force_login(counsellor)
    return client


def snapshot(*candidates):
    """Everything a refused merge must leave as it was."""
    return [
        (
            Candidate.objects.filter(pk=c.pk).values().get(),
            sorted(CandidateEvent.objects.filter(candidate=c).values_list("pk", flat=True)),
            sorted(Consent.objects.filter(candidate=c).values_list("pk", flat=True)),
            sorted(CandidateTarget.objects.filter(candidate=c).values_list("pk", "rank")),
            sorted(c.referrals.values_list("pk", flat=True)),
        )
        for c in candidates
    ]


# --- The service ----------------------------------------------------------------------------------


def test_everything_of_both_files_is_kept(counsellor):
    keep = twin(status="coaching", counsellor=counsellor)
    merge = twin(status="referred")
    agent = AgentFactory()
    referral = ReferralFactory(candidate=merge)
    ReferralTransition.objects.create(referral=referral, to_status="pending", by_user=counsellor)
    ReferralLink.objects.create(referral=referral, agent=agent, token_hash="a" * 64)
    old_referral = ReferralFactory(candidate=keep, status="declined")
    note = CoachingNote.objects.create(candidate=merge, author=counsellor, text="Rencontre")
    access = FileAccessFactory(candidate=merge, user=counsellor)
    merge_events = set(merge.events.values_list("pk", flat=True))
    merge_consents = set(merge.consents.values_list("pk", flat=True))
    keep_events = set(keep.events.values_list("pk", flat=True))

    candidates_merge(keep=keep, merge=merge, by=counsellor)

    assert merge_events | keep_events <= set(keep.events.values_list("pk", flat=True))
    assert merge_consents <= set(keep.consents.values_list("pk", flat=True))
    assert list(keep.coaching_notes.all()) == [note]
    assert access in keep.accesses.all()
    assert set(keep.referrals.all()) == {referral, old_referral}
    assert referral.transitions.count() == 1 and referral.links.count() == 1
    keep.refresh_from_db()
    assert keep.status == CandidateStatus.REFERRED  # the pending referral came along
    assert not merge.referrals.exists() and not merge.coaching_notes.exists()


def test_targets_are_re_ranked_without_duplicates_and_capped_at_three(counsellor):
    shared, own, a, b, c = (TerritoryFactory() for _ in range(5))
    keep = twin(target_territory=shared)
    CandidateTarget.objects.create(candidate=keep, territory=own, rank=3)  # a gap at rank 2
    merge = twin(target_territory=a)
    CandidateTarget.objects.create(candidate=merge, territory=shared, rank=2)
    CandidateTarget.objects.create(candidate=merge, territory=b, rank=3)

    candidates_merge(keep=keep, merge=merge, by=counsellor)

    assert list(keep.targets.values_list("rank", "territory")) == [(1, shared.pk), (2, own.pk), (3, a.pk)]
    note = text_of(keep.events.get(kind=CandidateEvent.Kind.MERGED))
    assert b.name in note and c.name not in note


def test_territory_proposals_follow_the_person_and_wait_once(counsellor):
    accepted_there, waiting_on_both, waiting_on_merge = (TerritoryFactory() for _ in range(3))
    keep, merge = twin(), twin()
    TerritoryProposal.objects.create(candidate=merge, territory=accepted_there, status="accepted")
    kept_waiting = TerritoryProposal.objects.create(candidate=keep, territory=waiting_on_both)
    TerritoryProposal.objects.create(candidate=merge, territory=waiting_on_both)
    TerritoryProposal.objects.create(candidate=merge, territory=waiting_on_merge)

    candidates_merge(keep=keep, merge=merge, by=counsellor)

    assert not merge.territory_proposals.exists()
    assert sorted(keep.territory_proposals.values_list("territory_id", "status")) == sorted(
        [
            (accepted_there.pk, "accepted"),
            (waiting_on_both.pk, "pending"),
            (waiting_on_both.pk, "withdrawn"),
            (waiting_on_merge.pk, "pending"),
        ]
    )
    assert keep.territory_proposals.pending().filter(territory=waiting_on_both).get() == kept_waiting
    assert accepted_there.pk in chosen_territory_ids(keep.pk)


def test_blanks_of_the_kept_file_are_filled(counsellor, settings, tmp_path):
    other = CounsellorFactory()
    keep = twin(occupation_field="Soudure", phone="", email="amina.d@example.org", user=None)
    merge = twin(
        email="Amina.D@example.org",  # the same address, another case: the same person
        phone="+14185550199",
        date_of_birth=datetime.date(1995, 3, 4),
        occupation_field="Autre",
        immigration_status="work_permit",
        years_experience=4,
        counsellor=other,
    )

    candidates_merge(keep=keep, merge=merge, by=counsellor)

    keep.refresh_from_db()
    assert str(keep.phone) == "+14185550199"
    assert keep.date_of_birth == datetime.date(1995, 3, 4)
    assert keep.occupation_field == "Soudure"  # not blank: kept
    assert keep.immigration_status == "work_permit"
    assert keep.years_experience == 4
    assert keep.counsellor == other


def test_the_cv_moves_when_the_kept_file_has_none(counsellor, django_capture_on_commit_callbacks):
    keep = twin()
    merge = twin(cv_filename="mon-cv.pdf")
    merge.cv.save("cv", ContentFile(b"%PDF-1.4"), save=True)
    name = merge.cv.name

    with django_capture_on_commit_callbacks(execute=True):
        candidates_merge(keep=keep, merge=merge, by=counsellor)

    keep.refresh_from_db()
    assert (keep.cv.name, keep.cv_filename) == (name, "mon-cv.pdf")
    assert keep.cv.storage.exists(name)


def test_when_both_have_a_cv_the_merged_one_is_deleted(counsellor, django_capture_on_commit_callbacks):
    keep, merge = twin(), twin()
    keep.cv.save("cv", ContentFile(b"%PDF-1.4 keep"), save=True)
    merge.cv.save("cv", ContentFile(b"%PDF-1.4 merge"), save=True)
    kept_name, merged_name = keep.cv.name, merge.cv.name

    with django_capture_on_commit_callbacks(execute=True):
        candidates_merge(keep=keep, merge=merge, by=counsellor)

    keep.refresh_from_db()
    assert keep.cv.name == kept_name
    assert keep.cv.storage.exists(kept_name)
    assert not keep.cv.storage.exists(merged_name)


def test_the_kept_assessment_stays_else_the_merged_one_moves(counsellor):
    keep = twin(mature=True)
    merge = twin(mature=True)
    kept = keep.maturity
    candidates_merge(keep=keep, merge=merge, by=counsellor)
    assert MaturityAssessment.objects.get(candidate=keep) == kept
    assert MaturityAssessment.objects.get(candidate=merge).mature_note == ""

    keep2, merge2 = twin(), twin(mature=True)
    moved = merge2.maturity
    candidates_merge(keep=keep2, merge=merge2, by=counsellor)
    assert MaturityAssessment.objects.get(candidate=keep2) == moved


def test_the_merged_file_is_closed_and_anonymized(counsellor):
    keep = twin(email="amina.d@example.org", user=None)
    merge = twin(email="amina.d@example.org", first_name="Amina", phone="+14185550111", occupation_field="Infirmière")

    candidates_merge(keep=keep, merge=merge, by=counsellor)

    merge.refresh_from_db()
    assert merge.status == CandidateStatus.CLOSED
    assert merge.anonymized_at is not None
    assert (merge.first_name, merge.email, str(merge.phone), merge.occupation_field) == (
        "Anonyme",
        f"supprime-{merge.pk}@invalid.pajr",
        "",
        "",
    )
    expected = f"Dossier n° {merge.pk} fusionné dans le dossier n° {keep.pk}"
    assert text_of(merge.events.get(kind=CandidateEvent.Kind.MERGED)) == expected
    assert text_of(keep.events.get(kind=CandidateEvent.Kind.MERGED)) == expected
    assert merge.events.get(kind=CandidateEvent.Kind.STATUS_CHANGED).to_status == CandidateStatus.CLOSED


def test_the_account_moves_when_the_kept_file_has_none(counsellor):
    keep = twin(user=None)
    merge = twin()
    user = merge.user

    candidates_merge(keep=keep, merge=merge, by=counsellor)

    keep.refresh_from_db()
    merge.refresh_from_db()
    user.refresh_from_db()
    assert keep.user == user and merge.user is None
    assert user.is_active and user.emailaddress_set.exists()


def test_otherwise_the_merged_account_is_deactivated(counsellor):
    keep, merge = twin(), twin()
    user = merge.user

    candidates_merge(keep=keep, merge=merge, by=counsellor)

    user.refresh_from_db()
    assert User.objects.filter(pk=user.pk).exists()
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.email == f"supprime-utilisateur-{user.pk}@invalid.pajr"
    keep.refresh_from_db()
    assert keep.user.is_active


def _two_pending():
    keep, merge = twin(status="referred"), twin(status="referred")
    ReferralFactory(candidate=keep)
    ReferralFactory(candidate=merge)
    return keep, merge


def _anonymized():
    return twin(), twin(anonymized_at=datetime.datetime.now(datetime.UTC))


@pytest.mark.parametrize(
    ("make", "by_role", "match"),
    [
        (_two_pending, "counsellor", "orientation en attente"),
        (lambda: (c := twin(), c), "counsellor", "lui-même"),
        (_anonymized, "counsellor", "anonymisé"),
        (lambda: (twin(status="draft"), twin()), "counsellor", "inscription en cours"),
        (lambda: (twin(), twin()), "agent", "conseiller"),
    ],
)
def test_refused_merges_change_nothing(make, by_role, match):
    keep, merge = make()
    by = CounsellorFactory() if by_role == "counsellor" else UserFactory(role=by_role)
    before = snapshot(keep, merge)

    with pytest.raises(CandidateError, match=match):
        candidates_merge(keep=keep, merge=merge, by=by)

    assert snapshot(keep, merge) == before


def test_an_inactive_counsellor_cannot_merge():
    keep, merge = twin(), twin()

    with pytest.raises(CandidateError):
        candidates_merge(keep=keep, merge=merge, by=CounsellorFactory(is_active=False))


# --- The views ------------------------------------------------------------------------------------


def test_confirmation_shows_both_files_and_changes_nothing(signed_in):
    keep = twin(first_name="Léa", phone="+14185550123", email="lea@example.org", user=None)
    merge = twin(first_name="Lea", email="lea@example.org")
    before = snapshot(keep, merge)

    response = signed_in.get(confirm_url(keep, merge))

    assert response.status_code == 200
    content = response.content.decode()
    for text in (keep.email, merge.email, keep.full_name, merge.full_name, merge_url(keep)):
        assert text in content
    assert f'name="other" value="{merge.pk}"' in content
    assert snapshot(keep, merge) == before


def test_confirmation_of_a_file_with_itself_or_a_missing_one_is_404(signed_in):
    candidate = twin()

    assert signed_in.get(confirm_url(candidate, candidate)).status_code == 404
    assert signed_in.get(reverse("counselling:merge_confirm", args=[candidate.pk, 999999])).status_code == 404


def test_merge_from_the_confirmation_page(signed_in):
    keep, merge = twin(), twin()

    response = signed_in.post(merge_url(keep), {"other": merge.pk}, follow=True)

    assert response.redirect_chain[0] == (reverse("counselling:file", args=[keep.pk]), 302)
    assert "fusionné" in response.content.decode()
    merge.refresh_from_db()
    assert merge.anonymized_at is not None


def test_a_refused_merge_is_shown_as_a_message(signed_in):
    keep, merge = _two_pending()

    response = signed_in.post(merge_url(keep), {"other": merge.pk}, follow=True)

    assert "orientation en attente" in response.content.decode()
    merge.refresh_from_db()
    assert merge.anonymized_at is None


def test_merge_is_post_only_and_needs_csrf(counsellor):
    keep, merge = twin(), twin()
    client = Client(enforce_csrf_checks=True)
    client.force_login(counsellor)

    assert client.get(merge_url(keep), {"other": merge.pk}).status_code == 405
    assert client.post(merge_url(keep), {"other": merge.pk}).status_code == 403
    merge.refresh_from_db()
    assert merge.anonymized_at is None


@pytest.mark.parametrize("role", ["candidate", "agent"])
def test_only_counsellors_merge(client, role):
    keep, merge = twin(), twin()
    client.force_login(UserFactory(role=role))

    assert client.get(confirm_url(keep, merge)).status_code == 403
    assert client.post(merge_url(keep), {"other": merge.pk}).status_code == 403
    merge.refresh_from_db()
    assert merge.anonymized_at is None


def test_anonymous_is_sent_to_sign_in(client):
    keep, merge = twin(), twin()

    for response in (client.get(confirm_url(keep, merge)), client.post(merge_url(keep), {"other": merge.pk})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_queue_links_a_possible_duplicate_to_the_confirmation(signed_in):
    older = twin(email="dup@example.org", user=None)
    newer = twin(email="DUP@example.org", user=None)

    content = signed_in.get(reverse("counselling:queue"), {"vue": "tous"}).content.decode()
    content += signed_in.get(reverse("counselling:queue")).content.decode()

    assert confirm_url(older, newer) in content


def _with_rows(candidate, n, counsellor):
    CandidateEvent.objects.bulk_create(
        CandidateEvent(candidate=candidate, kind=CandidateEvent.Kind.STATUS_CHANGED) for _ in range(n)
    )
    CoachingNote.objects.bulk_create(CoachingNote(candidate=candidate, author=counsellor, text="x") for _ in range(n))
    for _ in range(n):
        ReferralFactory(candidate=candidate, status="declined", sent_by=counsellor)


def test_confirmation_query_count_does_not_grow(signed_in, counsellor, django_assert_num_queries):
    small_keep, small_merge = twin(), twin()
    big_keep, big_merge = twin(), twin()
    _with_rows(small_keep, 1, counsellor)
    _with_rows(big_keep, 50, counsellor)
    _with_rows(big_merge, 50, counsellor)

    signed_in.get(confirm_url(small_keep, small_merge))  # warm up (session, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert signed_in.get(confirm_url(small_keep, small_merge)).status_code == 200
    with django_assert_num_queries(len(small)):
        response = signed_in.get(confirm_url(big_keep, big_merge))
    assert response.context["keep"].referrals_count == 50
    assert response.context["merge"].notes_count == 50


def test_files_of_two_different_people_are_never_merged(counsellor):
    keep = CandidateFactory(first_name="Amina", phone="+14185550001")
    merge = CandidateFactory(first_name="Amina", phone="+14185550002")  # same first name only
    before = snapshot(keep, merge)

    with pytest.raises(CandidateError, match="ne partagent ni courriel"):
        candidates_merge(keep=keep, merge=merge, by=counsellor)

    assert snapshot(keep, merge) == before


def test_the_preview_says_why_the_files_match_and_which_account_stays(signed_in):
    keep = twin(first_name="Awa", last_name="Ndiaye", date_of_birth=datetime.date(1996, 5, 1), user=None)
    merge = twin(first_name="AWA", last_name="Ndiaye", date_of_birth=datetime.date(1996, 5, 1))

    content = signed_in.get(confirm_url(keep, merge)).content.decode()

    assert "même numéro de téléphone" in content and "mêmes prénom, nom et date de naissance" in content
    assert "même adresse courriel" not in content
    assert f"Compte de connexion gardé : {merge.user.email}" in content


def test_the_preview_of_unrelated_files_offers_no_merge(signed_in):
    keep, merge = CandidateFactory(), CandidateFactory()

    content = signed_in.get(confirm_url(keep, merge)).content.decode()

    assert "ne peuvent pas être fusionnés" in content
    assert "Fusionner les dossiers</button>" not in content


def test_the_account_follows_its_identity_to_the_kept_file(counsellor):
    keep = twin(email="ancienne@example.org", user=None)
    merge = twin(email="nouvelle@example.org")

    candidates_merge(keep=keep, merge=merge, by=counsellor)

    keep.refresh_from_db()
    assert keep.user.email == keep.email == "nouvelle@example.org"


def test_the_kept_file_takes_the_latest_coaching_answer_of_either(counsellor):
    """Consents move to the kept file: the latest answer of either is the person's choice, and
    the file's copy of it (Candidate.coaching_consent, which "À trier" reads) follows."""
    keep = twin(consents=False)
    merge = twin()
    assert Candidate.objects.filter(pk=keep.pk).values_list("coaching_consent", flat=True).get() is False

    candidates_merge(keep=keep, merge=merge, by=counsellor)

    flags = dict(Candidate.objects.filter(pk__in=[keep.pk, merge.pk]).values_list("pk", "coaching_consent"))
    assert flags == {keep.pk: True, merge.pk: False}
