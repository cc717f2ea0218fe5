import datetime
import random

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from activities.models import ActivityKind, ActivityLanguage
from activities.services import activity_publish, registration_create
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
from territories.models import Agent, SettlementProgram, Territory
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


AGENT_FIRST_NAMES = ["Émilie", "Samuel", "Noémie", "Alexis", "Rosalie", "Vincent", "Maude", "Félix"]

# What a coordinator would write in the admin for a few territories (demo text, not official facts).
DEMO_OFFERS = {
    "100": {
        "employment_fr": "Santé et services sociaux, enseignement (cégep, université), sciences de la mer, "
        "commerce de détail.",
        "employment_en": "Health and social services, education (CEGEP, university), marine sciences, retail.",
        "housing_fr": "Marché serré en ville ; plus de choix à l'achat dans les municipalités voisines.",
        "housing_en": "Tight rental market in town; more homes for sale in the nearby municipalities.",
        "daycare_fr": "CPE et garderies en milieu familial ; listes d'attente : inscrivez-vous tôt.",
        "daycare_en": "Early childhood centres and home daycares; waiting lists, so register early.",
        "transport_fr": "Autobus urbain, train de VIA Rail, traversier vers la Côte-Nord l'été.",
        "transport_en": "City buses, VIA Rail trains, a ferry to the North Shore in summer.",
        "outdoors_fr": "Parc national du Bic, sentiers, ski de fond, kayak sur le fleuve.",
        "outdoors_en": "Bic National Park, trails, cross-country skiing, kayaking on the river.",
        "culture_fr": "Festival de musique, salles de spectacle, musée régional.",
        "culture_en": "Music festival, concert halls, a regional museum.",
        "english_services_fr": "Quelques services en anglais à l'hôpital et au cégep ; "
        "le français est la langue de tous les jours.",
        "english_services_en": "Some services in English at the hospital and the CEGEP; daily life is in French.",
    },
    "86": {
        "employment_fr": "Mines et métallurgie, foresterie, santé, génie, enseignement.",
        "employment_en": "Mining and metallurgy, forestry, health care, engineering, education.",
        "housing_fr": "Peu de logements libres : l'agent·e vous aide à trouver un premier toit.",
        "housing_en": "Few vacant apartments: the agent helps you find a first place to live.",
        "daycare_fr": "Places en CPE limitées ; des haltes-garderies et des garderies privées.",
        "daycare_en": "Limited early childhood centre spots; drop-in and private daycares.",
        "transport_fr": "Aéroport régional, autobus interurbain ; une voiture reste utile.",
        "transport_en": "Regional airport, intercity buses; a car remains useful.",
        "outdoors_fr": "Lacs à perte de vue, pêche, motoneige, vélo de montagne.",
        "outdoors_en": "Lakes everywhere, fishing, snowmobiling, mountain biking.",
        "culture_fr": "Festival du cinéma international, scène musicale vivante.",
        "culture_en": "An international film festival, a lively music scene.",
        "english_services_fr": "Une école anglophone et des organismes d'accueil qui parlent anglais.",
        "english_services_en": "An English-language school and welcome organizations that speak English.",
    },
    "290": {
        "employment_fr": "Fabrication (métal, bois, meubles), transport, agroalimentaire.",
        "employment_en": "Manufacturing (metal, wood, furniture), transportation, agri-food.",
        "housing_fr": "Maisons abordables ; logements neufs à Saint-Georges.",
        "housing_en": "Affordable houses; new apartments in Saint-Georges.",
        "transport_fr": "Autoroute vers Québec (1 h) ; covoiturage organisé par des employeurs.",
        "transport_en": "Highway to Québec City (1 hour); carpooling organized by employers.",
        "outdoors_fr": "Rivière Chaudière, parcs régionaux, sentiers de motoneige.",
        "outdoors_en": "Chaudière River, regional parks, snowmobile trails.",
    },
}


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

    def _describe(self, territories: list[Territory]) -> None:
        """The directory's structured fields for a few territories, and two settlement programs."""
        by_code = {t.code: t for t in territories}
        for code, texts in DEMO_OFFERS.items():
            if (territory := by_code.get(code)) is not None:
                Territory.objects.filter(pk=territory.pk).update(**texts)
        if (rimouski := by_code.get("100")) is not None:
            regional = SettlementProgram.objects.create(
                name_fr="Prime d'installation en région (démo)",
                name_en="Regional settlement bonus (demo)",
                operator="MRC de démonstration",
                eligibility_fr="18 à 35 ans, emploi à temps plein dans la région.",
                eligibility_en="Aged 18 to 35, full-time job in the region.",
                amount="2 000 $",
                help_kind="grant",
                age_min=18,
                age_max=35,
                url="https://www.example.org/prime-installation",
            )
            regional.regions.set([rimouski.region])
            local = SettlementProgram.objects.create(
                name_fr="Aide au premier logement (démo)",
                name_en="First home help (demo)",
                operator="Ville de démonstration",
                amount="500 $",
                help_kind="grant",
                profile_kinds=["immigrant"],
            )
            SettlementProgram.objects.create(
                name_fr="Crédit d'impôt pour les professionnel·le·s de la santé (démo)",
                name_en="Tax credit for health professionals (demo)",
                operator="Gouvernement (démonstration)",
                help_kind="tax_credit",
                occupation_keywords="santé, soins infirmiers, infirmier, infirmière",
            ).regions.set([rimouski.region])
            local.territories.set([rimouski])

    def _activities(self, territories: list[Territory], candidates: list[Candidate]) -> int:
        """A few upcoming activities, published by their territories' agents: a séjour exploratoire
        full with a waiting list, an online information session in both languages, a welcome
        event and a visit."""
        by_code = {t.code: t for t in territories}
        chosen = [by_code.get("100"), *territories[:3]]
        chosen = [t for t in dict.fromkeys(chosen) if t is not None][:4]
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)

        def at(days: int, hour: int) -> datetime.datetime:
            return today + datetime.timedelta(days=days, hours=hour)

        plans = [
            (
                ActivityKind.EXPLORATORY_STAY,
                "Séjour exploratoire : trois jours pour découvrir la région (démo)",
                "Exploratory stay: three days to discover the region (demo)",
                at(18, 9),
                at(20, 17),
                2,
                "Hôtel de ville, 1 rue Principale",
                "",
                ActivityLanguage.FR,
                "Gratuit : transport et hébergement payés",
            ),
            (
                ActivityKind.INFO_SESSION,
                "Séance d'information en ligne : s'installer en région (démo)",
                "Online information session: moving to the regions (demo)",
                at(9, 19),
                at(9, 20),
                100,
                "",
                "https://rencontre.example.org/demo",
                ActivityLanguage.BILINGUAL,
                "Gratuit",
            ),
            (
                ActivityKind.WELCOME,
                "5 à 7 d'accueil des nouveaux arrivants (démo)",
                "Newcomers' welcome get-together (demo)",
                at(25, 17),
                at(25, 19),
                40,
                "Café du village, 12 rue du Quai",
                "",
                ActivityLanguage.FR,
                "",
            ),
            (
                ActivityKind.VISIT,
                "Visite d'entreprises du territoire (démo)",
                "Visit of the territory's employers (demo)",
                at(32, 10),
                at(32, 15),
                12,
                "Parc industriel, départ devant la MRC",
                "",
                ActivityLanguage.FR,
                "Dîner offert",
            ),
        ]
        published = []
        for territory, plan in zip(chosen, plans, strict=False):
            kind, title_fr, title_en, starts, ends, capacity, place, url, language, cost = plan
            published.append(
                activity_publish(
                    territory=territory,
                    agent=territory.agents.first(),
                    fields={
                        "kind": kind,
                        "title_fr": title_fr,
                        "title_en": title_en,
                        "description_fr": "Rencontrer des employeurs, visiter des logements, la garderie et "
                        "les services, et des gens de la place (texte de démonstration).",
                        "description_en": "Meet employers, visit housing, the daycare and services, and local "
                        "people (demo text).",
                        "starts_at": starts,
                        "ends_at": ends,
                        "place": place,
                        "online_url": url,
                        "language": language,
                        "capacity": capacity,
                        "registration_deadline": starts - datetime.timedelta(days=3),
                        "cancellation_deadline": starts - datetime.timedelta(days=2),
                        "cost_fr": cost,
                        "age_min": 18,
                        "age_max": 35,
                    },
                )
            )
        if published:
            # The séjour: two seats taken, a third person on the waiting list; Amina registered.
            for candidate in (candidates[1], candidates[2], candidates[3]):
                registration_create(activity=published[0], candidate=candidate)
        if len(published) > 1:
            registration_create(activity=published[1], candidate=candidates[0])
        return len(published)

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
        self._describe(territories)
        for index, territory in enumerate(territories):
            agent = Agent.objects.create(
                first_name=AGENT_FIRST_NAMES[index % len(AGENT_FIRST_NAMES)],
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
        activities = self._activities(territories, candidates)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {activities} activities (one full, with a waiting list), 1 coordinator, "
                f"2 counsellors, {len(territories)} agents, {len(candidates)} candidates, "
                "8 referrals, 2 of them passed on to a second territory, 1 territory proposal waiting for the "
                "person's answer (their emails go out through the worker)."
            )
        )
