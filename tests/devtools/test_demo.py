import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from activities.models import Activity, Registration
from candidates.models import Candidate, TerritoryProposal
from referrals.models import Referral
from territories.models import Agent, Territory
from territories.services import territories_load

pytestmark = pytest.mark.django_db


def test_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_demo_loads_every_stage_once_and_prints_logins(settings, capsys):
    settings.DEBUG = True
    territories_load(wet_run=True)

    call_command("seed_demo")
    call_command("seed_demo")

    assert User.objects.filter(role="coordinator", is_staff=True).count() == 1
    assert User.objects.filter(role="counsellor").count() == 2
    assert Agent.objects.count() == Territory.objects.count() == 62
    assert Candidate.objects.count() == 12
    assert (
        sorted(Referral.objects.values_list("status", flat=True))
        == ["accepted"] * 2 + ["declined"] * 2 + ["pending"] * 4  # two passed on to their second territory
    )
    assert list(TerritoryProposal.objects.values_list("status", flat=True)) == ["pending"]
    assert Activity.objects.count() == 4
    stay = Activity.objects.get(kind="exploratory_stay")
    assert sorted(stay.registrations.values_list("status", flat=True)) == ["registered", "registered", "waiting"]
    assert Registration.objects.filter(candidate__first_name="Amina").exists()
    out = capsys.readouterr().out
    assert "already present" in out
    assert "conseil1@demo.pajr.localhost" in out


def test_demo_describes_a_few_territories_for_the_directory(settings, client):
    settings.DEBUG = True
    territories_load(wet_run=True)

    call_command("seed_demo")

    described = Territory.objects.exclude(housing_fr="").exclude(transport_en="")
    assert set(described.values_list("code", flat=True)) >= {"100", "86", "290"}
    page = client.get("/territoires/100/").text
    assert "Marché du logement" in page and "Services en anglais" in page
    assert "Prime d&#x27;installation en région (démo)" in page and "Aide au premier logement (démo)" in page
    assert not Agent.objects.filter(first_name="Agent·e").exists()
