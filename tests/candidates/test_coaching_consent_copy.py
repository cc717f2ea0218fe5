"""Candidate.coaching_consent, the file's copy of its latest answer for "coaching" that the
queue's "À trier" reads: equal to the Consent rows after every way they are written, and never
put back by a save of the whole file."""

import importlib

import pytest
from django.apps import apps
from django.db.models import OuterRef, Subquery

from candidates.consents import consent_row
from candidates.models import Candidate, Consent
from candidates.services import (
    candidate_anonymize,
    candidate_register,
    candidate_save_step,
    candidate_set_consents,
)
from candidates.services.intake import candidate_intake_from_agent
from tests.factories import CandidateFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

COACHING = Consent.Purpose.COACHING


def copies_match_the_rows() -> dict[int, tuple[bool, bool | None]]:
    """{file: (its copy, its latest row's answer)} for every file where they differ."""
    latest = Consent.objects.filter(candidate=OuterRef("pk"), purpose=COACHING).order_by("-created_at", "-id")
    rows = Candidate.objects.annotate(latest=Subquery(latest.values("granted")[:1])).values_list(
        "pk", "coaching_consent", "latest"
    )
    return {pk: (copy, answer) for pk, copy, answer in rows if copy != bool(answer)}


def flag(candidate: Candidate) -> bool:
    return Candidate.objects.filter(pk=candidate.pk).values_list("coaching_consent", flat=True).get()


def test_a_file_with_no_answer_has_no_consent():
    candidate = CandidateFactory(consents=False)

    assert flag(candidate) is False and candidate.coaching_consent is False


def test_registration_in_one_go_gives_it():
    candidate = candidate_register(
        first_name="Amina",
        last_name="Diallo",
        email="amina@example.org",
        password="un mot de passe solide 42",
        profile_kind="immigrant",
        target_territory=TerritoryFactory(),
        language="fr",
        consent=True,
    )

    assert flag(candidate) is True
    assert copies_match_the_rows() == {}


@pytest.mark.parametrize("answer", [True, False])
def test_the_registration_s_consent_step_records_the_answer(answer):
    draft = CandidateFactory(status="draft", consents=False, registration_step=5)

    candidate_save_step(candidate=draft, step=5, data={"coaching": answer, "sharing": True, "news": False})

    assert flag(draft) is answer
    assert copies_match_the_rows() == {}


def test_withdrawn_then_given_again_from_my_file():
    candidate = CandidateFactory()
    assert flag(candidate) is True

    candidate_set_consents(candidate=candidate, choices={COACHING: False}, method=Consent.Method.MY_FILE)
    assert flag(candidate) is False
    assert candidate.coaching_consent is False  # the caller's file too, not only the locked copy

    candidate_set_consents(candidate=candidate, choices={COACHING: True}, method=Consent.Method.MY_FILE)
    assert flag(candidate) is True
    assert copies_match_the_rows() == {}


def test_a_sharing_answer_leaves_it_alone():
    candidate = CandidateFactory()

    candidate_set_consents(candidate=candidate, choices={"sharing": False}, method=Consent.Method.MY_FILE)

    assert flag(candidate) is True


def test_an_agent_s_intake_gives_it():
    candidate = candidate_intake_from_agent(
        first_name="Kofi",
        last_name="Mensah",
        email="kofi@example.org",
        phone="",
        language="fr",
        note="",
        agent_name="Agente PAJ",
        agent_email="agente@example.org",
        territory_ids=[TerritoryFactory().pk],
        actor=None,
    )

    assert flag(candidate) is True
    assert copies_match_the_rows() == {}


def test_anonymization_withdraws_it():
    candidate = CandidateFactory(status="closed")

    candidate_anonymize(candidate=candidate, by=None, reason="file_expired")

    assert flag(candidate) is False
    assert copies_match_the_rows() == {}


def test_a_row_saved_or_created_directly_keeps_the_copy_too():
    candidate = CandidateFactory(consents=False)

    consent_row(candidate=candidate, purpose=COACHING, granted=True, method=Consent.Method.MY_FILE).save()
    assert flag(candidate) is True
    Consent.objects.create(candidate=candidate, purpose=COACHING, granted=False, text_version="x", method="my_file")
    assert flag(candidate) is False


def test_a_save_of_the_whole_file_does_not_put_back_what_it_read():
    """The admin saves the whole file it read; a withdrawal meanwhile must stay."""
    candidate = CandidateFactory()
    read_before = Candidate.objects.get(pk=candidate.pk)
    assert read_before.coaching_consent is True

    candidate_set_consents(candidate=candidate, choices={COACHING: False}, method=Consent.Method.MY_FILE)
    read_before.occupation_field = "Soudeuse"
    read_before.save()

    assert flag(candidate) is False
    assert Candidate.objects.get(pk=candidate.pk).occupation_field == "Soudeuse"


def test_the_migration_copies_each_file_s_latest_answer():
    given, withdrawn, none = CandidateFactory(), CandidateFactory(), CandidateFactory(consents=False)
    candidate_set_consents(candidate=withdrawn, choices={COACHING: False}, method=Consent.Method.MY_FILE)
    Candidate.objects.update(coaching_consent=False)  # as before the field existed
    Candidate.objects.filter(pk=none.pk).update(coaching_consent=True)

    migration = importlib.import_module("candidates.migrations.0021_coaching_consent_on_the_file")
    migration.copy_latest_coaching_answer(apps, None)

    assert (flag(given), flag(withdrawn), flag(none)) == (True, False, False)
