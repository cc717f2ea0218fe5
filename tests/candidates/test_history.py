"""The file's history is stored as codes and parameters and put into words when read, in the
reader's language: an English-speaking counsellor reads it in English."""

import pytest
from django.utils import translation

from candidates.choices import CandidateStatus, EventCode
from candidates.history import with_texts
from candidates.models import CandidateEvent
from referrals.history import transition_text
from referrals.models import ReferralTransition, TransitionCode
from tests.factories import CandidateFactory, ReferralFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate():
    return CandidateFactory(status=CandidateStatus.COACHING)


def event(candidate, code, **params) -> CandidateEvent:
    return CandidateEvent.objects.create(
        candidate=candidate, kind=CandidateEvent.Kind.STATUS_CHANGED, code=code, params=params
    )


def read(events, language: str) -> list[str]:
    with translation.override(language):
        return [each.text for each in with_texts(events)]


def test_each_event_reads_in_french_and_english(candidate):
    first, second = TerritoryFactory(name="Rimouski-Neigette"), TerritoryFactory(name="Les Basques")
    events = [
        event(candidate, EventCode.TAKEN_ON, counsellor="Léa Côté"),
        event(candidate, EventCode.REFERRED, territories=[first.pk, second.pk]),
        event(candidate, EventCode.CLOSED, reason="unreachable"),
        event(candidate, EventCode.LIST_EXHAUSTED),
        event(candidate, EventCode.FOLLOW_UP, step="moved", date="2026-03-01", territory=first.pk, by="Ana Roy"),
        event(candidate, EventCode.MERGED, merged=7, kept=3, left_out=[second.pk]),
    ]

    assert read(events, "fr-ca") == [
        "Pris·e en charge par Léa Côté",
        "Rimouski-Neigette → Les Basques",
        "Personne injoignable",
        "Liste de territoires épuisée",
        "Déménagement en région : 1 mars 2026 · Rimouski-Neigette — Ana Roy",
        "Dossier n° 7 fusionné dans le dossier n° 3. Territoires visés non repris (trois au plus) : Les Basques",
    ]
    assert read(events, "en") == [
        "Taken on by Léa Côté",
        "Rimouski-Neigette → Les Basques",
        "Person cannot be reached",
        "List of territories exhausted",
        "Moved to the region: March 1, 2026 · Rimouski-Neigette — Ana Roy",
        "File no. 7 merged into file no. 3. Target territories not carried over (three at most): Les Basques",
    ]


def test_territories_are_read_in_one_query_whatever_the_number_of_events(candidate, django_assert_num_queries):
    territories = [TerritoryFactory() for _ in range(5)]
    events = [event(candidate, EventCode.PASSED_ON, territory=territory.pk) for territory in territories]

    with django_assert_num_queries(1):
        texts = read(events, "fr-ca")

    assert texts == [territory.name for territory in territories]


def test_a_territory_renamed_later_reads_under_its_new_name(candidate):
    territory = TerritoryFactory(name="Ancien nom")
    logged = event(candidate, EventCode.REFERRAL_WITHDRAWN, territory=territory.pk)
    territory.name = "Nouveau nom"
    territory.save()

    assert read([logged], "fr-ca") == ["Nouveau nom"]


def test_no_event_stores_a_sentence(candidate, counsellor):
    """The services write codes: no French sentence ends up in the stored rows."""
    from candidates.services import candidate_take_on

    fresh = CandidateFactory(status=CandidateStatus.NEW)
    candidate_take_on(candidate=fresh, by=counsellor)

    logged = fresh.events.get()
    assert (logged.code, logged.params, logged.note) == (
        EventCode.TAKEN_ON,
        {"counsellor": counsellor.get_full_name()},
        "",
    )


def test_transitions_read_in_the_readers_language():
    referral = ReferralFactory()
    expired = ReferralTransition.objects.create(
        referral=referral, from_status="pending", to_status="expired", code=TransitionCode.EXPIRED, params={"days": 10}
    )
    declined = ReferralTransition.objects.create(
        referral=referral,
        from_status="pending",
        to_status="declined",
        code=TransitionCode.DECLINED,
        params={"category": "housing"},
        reason="Pas de logement avant l'automne",
    )

    with translation.override("en"):
        assert transition_text(expired) == "No answer within 10 days"
        assert transition_text(declined) == "Housing too hard to find at the moment. Pas de logement avant l'automne"
    with translation.override("fr-ca"):
        assert transition_text(expired) == "Aucune réponse dans le délai de 10 jours"
