import random

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from candidates.models import Candidate, ProfileKind
from candidates.services import (
    candidate_declare_mature,
    candidate_register,
    candidate_set_targets,
    candidate_take_on,
    territory_propose,
)
from referrals.models import DeclineReason
from referrals.services import referral_accept, referral_decline, referral_send
from territories.models import Agent, Territory
from territories.services import agent_account_ensure

DEMO_PASSWORD = "demo-pajr-2026"  # noqa: S105 - printed on the console, DEBUG only
DOMAIN = "demo.pajr.localhost"

PEOPLE = [
    ("Amina", "Diallo", ProfileKind.IMMIGRANT),
    ("Carlos", "Mendoza", ProfileKind.IMMIGRANT),
    ("Léa", "Tremblay", ProfileKind.NEO_RURAL),
    ("Nguyen", "Thi Hoa", ProfileKind.IMMIGRANT),
    ("Mathis", "Gagnon", ProfileKind.NATIVE),
    ("Fatima", "Benali", ProfileKind.IMMIGRANT),
    ("Olivier", "Roy", ProfileKind.NEO_RURAL),
    ("Priya", "Sharma", ProfileKind.IMMIGRANT),
    ("Jean-Philippe", "Côté", ProfileKind.NATIVE),
    ("Yasmine", "Haddad", ProfileKind.IMMIGRANT),
    ("Daniel", "Okafor", ProfileKind.IMMIGRANT),
    ("Camille", "Bouchard", ProfileKind.NEO_RURAL),
]


class Command(BaseCommand):
    help = "Load a small demo data set (DEBUG only). Does nothing when the demo data is already there."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo refuses to run with DEBUG off: demo accounts have a known password.")
        if not Territory.objects.exists():
            raise CommandError("No territories yet: run `manage.py load_territories --wet-run` first.")
        if User.objects.filter(email=f"coordination@{DOMAIN}").exists():
            self.stdout.write("Demo data already present; nothing changed.")
        else:
            self._seed()
        self.stdout.write(
            "\nDemo logins (password for all: %s)\n"
            "  coordination@%s   coordinator, Django admin at /admin/\n"
            "  conseil1@%s       EER counsellor, dashboard at /conseil/\n"
            "  conseil2@%s       EER counsellor\n"
            "  amina.diallo@%s   candidate, /mon-dossier/\n"
            "  fatima.benali@%s  candidate with a territory proposal to answer, /mon-dossier/territoires-proposes/\n"
            "Agents answer from the links in their emails: see /dev/courriels/. They can also sign in with\n"
            "a code sent by email (agent-<territory code, lowercase>@%s) to their space at /agent/.\n"
            % ((DEMO_PASSWORD,) + (DOMAIN,) * 6)
        )

    @transaction.atomic
    def _seed(self) -> None:
        rng = random.Random(2026)  # noqa: S311 - demo data, not security
        coordinator = User.objects.create_superuser(
            email=f"coordination@{DOMAIN}",
            password=DEMO_PASSWORD,
            first_name="Claire",
            last_name="Lavoie",
        )
        counsellors = [
            User.objects.create_user(
                email=f"conseil{i}@{DOMAIN}",
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                role=User.Role.COUNSELLOR,
            )
            for i, (first, last) in enumerate([("Sophie", "Martin"), ("Karim", "Belkacem")], start=1)
        ]
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, primary=True, verified=True)
            for user in [coordinator, *counsellors]
        )
        territories = list(Territory.objects.active().order_by("code"))
        for territory in territories:
            agent = Agent.objects.create(
                first_name="Agent·e",
                last_name=territory.name,
                email=f"agent-{territory.code}@{DOMAIN}",
                phone="418 555-0100",
            )
            agent.territories.add(territory)
            agent_account_ensure(agent=agent)
        candidates: list[Candidate] = []
        for first, last, kind in PEOPLE:
            slug = f"{first}.{last}".lower().replace(" ", "-").replace("é", "e").replace("ô", "o")
            candidates.append(
                candidate_register(
                    first_name=first,
                    last_name=last,
                    email=f"{slug}@{DOMAIN}",
                    password=DEMO_PASSWORD,
                    profile_kind=kind,
                    target_territory=rng.choice(territories),
                    language="fr-ca",
                    consent=True,
                    email_verified=True,
                )
            )
        # Stages: the first six wait for triage; then two pending referrals, two accepted, two declined.
        for index, candidate in enumerate(candidates[6:]):
            candidate_declare_mature(
                candidate=candidate,
                by=counsellors[index % 2],
                note="CV revu, diplôme reconnu, séjour exploratoire fait (démo).",
            )
            # The declined ones chose a second territory: it receives the referral next (a referral
            # goes only to the territories the person chose).
            second = [t for t in territories if t != candidate.first_target][index % 2] if index >= 4 else None
            if second:
                candidate_set_targets(candidate=candidate, territories=[candidate.first_target, second])
            referral = referral_send(
                candidate=candidate,
                territories=[candidate.first_target, second] if second else [candidate.first_target],
                by=counsellors[index % 2],
                message="Projet solide : CV revu, diplôme reconnu, séjour exploratoire fait.",
            )
            if index < 2:
                continue
            agent = referral.territory.agents.first()
            if index < 4:
                referral_accept(referral=referral, agent=agent)
            else:
                referral_decline(
                    referral=referral,
                    agent=agent,
                    category=DeclineReason.NO_JOBS,
                    reason="Aucun poste dans ce domaine en ce moment.",
                )
        # One file in coaching whose counsellor proposes a territory the person did not choose: it
        # waits for their answer in Mon dossier.
        proposed_to = candidates[5]
        candidate_take_on(candidate=proposed_to, by=counsellors[0])
        territory_propose(
            candidate=proposed_to,
            territory=next(t for t in territories if t != proposed_to.first_target),
            by=counsellors[0],
            message="Beaucoup de postes dans votre domaine ici, et un séjour exploratoire en mars.",
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: 1 coordinator, 2 counsellors, {len(territories)} agents, {len(candidates)} candidates, "
                "8 referrals, 2 of them passed on to a second territory, 1 territory proposal waiting for the "
                "person's answer (their emails go out through the worker)."
            )
        )
