"""A working day's mix of requests, and the people who make them, taken from the bench database.

Sessions are opened here, in this process, on the bench database (Django's test client signs in
as each person, staff with their second factor as after a complete sign-in), then their cookies
go with the generator's requests to gunicorn. POSTs carry a CSRF cookie and the same secret in
X-CSRFToken, as htmx does."""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from random import Random
from urllib.parse import urlencode

from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from accounts.second_factor import ENROLLED_IN_SESSION
from candidates.models import Candidate
from referrals.models import Referral, ReferralStatus
from referrals.services import referral_link_create
from territories.models import Region, Territory
from territories.services import agent_account_ensure

from .generator import Request

# Share of all requests, by endpoint: 45 % counsellors, 15 % agents, 15 % candidates, 20 % the
# public, 5 % statistics (issue 14).
MIX: dict[str, float] = {
    # counsellors: the queue's tabs, filters and search, a file, a note added
    "queue_triage": 10,
    "queue_all": 8,
    "queue_filtered": 7,
    "queue_search": 7,
    "file": 10,
    "note_add": 3,
    # agents: the page of an emailed link, their space, a referral, a few answers
    "link_page": 5,
    "agent_home": 4,
    "agent_referral": 4,
    "agent_answer": 2,
    # candidates
    "my_file": 15,
    # the public
    "home": 8,
    "directory": 6,
    "territory": 6,
    # statistics (a coordinator)
    "statistics": 5,
}
GROUPS = {
    "counsellors": ("queue_triage", "queue_all", "queue_filtered", "queue_search", "file", "note_add"),
    "agents": ("link_page", "agent_home", "agent_referral", "agent_answer"),
    "candidates": ("my_file",),
    "public": ("home", "directory", "territory"),
    "statistics": ("statistics",),
}
SEARCHED = ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie")
STATUSES = ("new", "coaching", "mature", "referred")
SHOWN_TO_AGENTS = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)


@dataclass
class AgentActor:
    session: str
    link_session: str
    handle: str
    referral_ids: list[int]


@dataclass
class Actors:
    csrf: str
    counsellors: list[str]
    coordinator: str
    candidates: list[str]
    agents: list[AgentActor]
    file_ids: list[int]
    region_ids: list[int]
    territory_codes: list[str]
    answerable: list[tuple[str, int]] = field(default_factory=list)  # (agent's session, pending referral)

    def summary(self) -> dict:
        return {
            "counsellors": len(self.counsellors),
            "candidates": len(self.candidates),
            "agents": len(self.agents),
            "files": len(self.file_ids),
            "answerable_referrals": len(self.answerable),
        }


def _session_of(user: User, *, staff: bool = False) -> str:
    client = Client()
    client.force_login(user)
    if staff:
        session = client.session
        session[ENROLLED_IN_SESSION] = True  # as after the second factor
        session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def prepare_actors(*, people: int = 200, agents: int = 30, answers: int = 400, seed: int = 2026) -> Actors:
    """Sessions for the counsellors, `people` candidates and `agents` agents (each with the link of
    one of their referrals opened in a browser session), and up to `answers` pending referrals the
    agents may answer during the run."""
    rng = Random(seed)  # noqa: S311 - load mix, not security
    counsellors = [
        _session_of(u, staff=True) for u in User.objects.filter(role=User.Role.COUNSELLOR, is_active=True)[:20]
    ]
    coordinator = _session_of(User.objects.filter(is_superuser=True).order_by("id").first(), staff=True)
    candidate_users = User.objects.filter(
        candidate__in=Candidate.objects.submitted(), is_active=True, role=User.Role.CANDIDATE
    ).order_by("id")[:people]
    candidates = [_session_of(u) for u in candidate_users]
    pending = list(
        Referral.objects.filter(status=ReferralStatus.PENDING, expires_at__gt=timezone.now() + timedelta(hours=1))
        .select_related("territory")
        .order_by("id")[: agents + answers]
    )
    actors_agents, answerable, seen_agents = [], [], {}
    with override_settings(ALLOWED_HOSTS=["*"]):
        for referral in pending:
            agent = referral.territory.agents.order_by("id").first()
            if agent is None:
                continue
            if agent.pk not in seen_agents and len(actors_agents) < agents:
                session = _session_of(agent_account_ensure(agent=agent))
                _, token = referral_link_create(referral=referral, agent=agent)
                browser = Client()
                opened = browser.get(f"/r/{token}/")
                handle = opened["Location"].rstrip("/").rsplit("/", 1)[-1]
                ids = list(
                    Referral.objects.filter(territory__in=agent.territories.all()).values_list("id", flat=True)[:20]
                )
                actors_agents.append(
                    AgentActor(session, browser.cookies[settings.SESSION_COOKIE_NAME].value, handle, ids)
                )
                seen_agents[agent.pk] = session
            elif agent.pk in seen_agents:
                answerable.append((seen_agents[agent.pk], referral.pk))
    file_ids = list(Candidate.objects.submitted().order_by("?").values_list("id", flat=True)[:500])
    rng.shuffle(file_ids)
    return Actors(
        csrf=secrets.token_hex(16),  # 32 characters: Django's CSRF secret, accepted as is
        counsellors=counsellors,
        coordinator=coordinator,
        candidates=candidates,
        agents=actors_agents,
        file_ids=file_ids,
        region_ids=list(Region.objects.values_list("id", flat=True)),
        territory_codes=list(Territory.objects.active().values_list("code", flat=True)),
        answerable=answerable,
    )


class WorkingDay:
    """`next_request(i)`: the i-th request of the day, drawn from MIX (deterministic for a seed).
    An answer takes a pending referral only once; when none is left it reads a referral instead."""

    def __init__(self, actors: Actors, seed: int = 2026, *, answers: bool = True):
        self.actors = actors
        self.rng = Random(seed)  # noqa: S311
        self.names, self.weights = list(MIX), list(MIX.values())
        self.answerable = list(actors.answerable) if answers else []

    def _get(self, endpoint: str, path: str, session: str | None, expect=(200,)) -> Request:
        return Request(endpoint, "GET", path, headers=self._headers(session), expect=expect)

    def _headers(self, session: str | None) -> dict[str, str]:
        cookies = f"csrftoken={self.actors.csrf}"
        if session:
            cookies += f"; {settings.SESSION_COOKIE_NAME}={session}"
        return {"Cookie": cookies, "Accept-Language": "fr"}

    def _post(self, endpoint: str, path: str, session: str, fields: dict) -> Request:
        headers = {
            **self._headers(session),
            "X-CSRFToken": self.actors.csrf,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        return Request(endpoint, "POST", path, urlencode(fields).encode(), headers, expect=(302, 200))

    def next_request(self, i: int) -> Request:
        a, rng = self.actors, self.rng
        name = rng.choices(self.names, self.weights)[0]
        counsellor = rng.choice(a.counsellors)
        if name == "queue_triage":
            return self._get(name, "/conseil/", counsellor)
        if name == "queue_all":
            return self._get(name, f"/conseil/?vue=tous&page={rng.randint(1, 5)}", counsellor)
        if name == "queue_filtered":
            query = {"vue": "tous", "region": rng.choice(a.region_ids), "statut": rng.choice(STATUSES)}
            return self._get(name, f"/conseil/?{urlencode(query)}", counsellor)
        if name == "queue_search":
            return self._get(name, f"/conseil/?{urlencode({'vue': 'tous', 'q': rng.choice(SEARCHED)})}", counsellor)
        if name == "file":
            return self._get(name, f"/conseil/candidats/{rng.choice(a.file_ids)}/", counsellor)
        if name == "note_add":
            text = "Appel de suivi : projet à préciser, CV revu ensemble."
            return self._post(name, f"/conseil/candidats/{rng.choice(a.file_ids)}/notes/", counsellor, {"text": text})
        if name in ("link_page", "agent_home", "agent_referral", "agent_answer") and a.agents:
            agent = rng.choice(a.agents)
            if name == "link_page":
                return self._get(name, f"/r/lien/{agent.handle}/", agent.link_session)
            if name == "agent_home":
                return self._get(name, "/agent/", agent.session)
            if name == "agent_answer" and self.answerable:
                session, referral_id = self.answerable.pop()
                path = f"/agent/orientations/{referral_id}/repondre/"
                return self._post(name, path, session, {"decision": "accept"})
            return self._get("agent_referral", f"/agent/orientations/{rng.choice(agent.referral_ids)}/", agent.session)
        if name == "my_file" and a.candidates:
            return self._get(name, "/mon-dossier/", rng.choice(a.candidates))
        if name == "directory":
            return self._get(name, "/territoires/", None)
        if name == "territory":
            return self._get(name, f"/territoires/{rng.choice(a.territory_codes)}/", None)
        if name == "statistics":
            return self._get(name, "/statistiques/", a.coordinator)
        return self._get("home", "/", None)
