"""The agent's email link: the token out of the URL at once, Django's own CSRF check, HEAD,
the language switch, and "send me a new link"."""

import datetime

import pytest
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.models import CandidateStatus
from referrals.models import Referral, ReferralLink, ReferralStatus, ReferralTransition
from referrals.services import NEW_LINKS_PER_DAY, referral_link_create
from tests.factories import AgentFactory, CandidateFactory, ReferralFactory
from tests.pages import link_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(territory):
    return ReferralFactory(candidate=CandidateFactory(target_territory=territory, status=CandidateStatus.REFERRED))


@pytest.fixture
def token(referral, agent):
    return referral_link_create(referral=referral, agent=agent)[1]


def csrf_client() -> tuple[Client, str]:
    """A browser-like client: Django checks CSRF, and the form's token matches the cookie."""
    client = Client(enforce_csrf_checks=True)
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    return client, _mask_cipher_secret(secret)


def new_link_url(client, token: str) -> str:
    return link_page(client, token) + "nouveau-lien/"


def main(response) -> str:
    return response.content.decode().split("<main")[1].split("</main>")[0]


def test_the_token_leaves_the_url_at_once_and_only_that_response_carries_it(client, token):
    opened = client.get(reverse("referrals:link", args=[token]))

    assert opened.status_code == 302
    assert token not in opened["Location"]
    assert opened["Referrer-Policy"] == "no-referrer"
    page = client.get(opened["Location"])
    assert page.status_code == 200
    assert token not in page.content.decode()
    assert "no-store" in page["Cache-Control"] and "noindex" in page["X-Robots-Tag"]


def test_an_unknown_token_is_handled_like_a_known_one_until_the_page(client):
    opened = client.get(reverse("referrals:link", args=["A" * 43]))

    assert opened.status_code == 302
    page = client.get(opened["Location"])
    assert page.status_code == 404
    assert "Ce lien n'est pas valide" in page.content.decode()


def test_opening_the_link_twice_reuses_the_page(client, token):
    assert link_page(client, token) == link_page(client, token)


def test_another_browser_without_the_session_is_asked_to_open_the_link_again(client, token, referral):
    page = link_page(client, token)

    response = Client().get(page)

    assert response.status_code == 404
    assert "Ouvrez de nouveau le lien" in response.content.decode()
    assert referral.candidate.full_name not in response.content.decode()


def test_head_shows_nothing_and_changes_nothing(client, token, referral):
    assert client.head(reverse("referrals:link", args=[token])).status_code == 302
    response = client.head(link_page(client, token))

    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_a_post_from_the_page_passes_djangos_own_csrf_check(token, referral):
    client, csrf = csrf_client()
    page = link_page(client, token)

    response = client.post(page, {"decision": "accept", "confirm": "1", "csrfmiddlewaretoken": csrf})

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


@pytest.mark.parametrize("headers", [{"Origin": "null"}, {"Origin": "https://evil.example"}])
def test_a_post_from_elsewhere_is_refused_even_with_the_session(token, referral, headers):
    client, csrf = csrf_client()
    page = link_page(client, token)

    response = client.post(page, {"decision": "accept", "confirm": "1", "csrfmiddlewaretoken": csrf}, headers=headers)

    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_a_post_without_the_csrf_token_is_refused(token, referral):
    client, _ = csrf_client()

    response = client.post(link_page(client, token), {"decision": "accept", "confirm": "1"})

    assert response.status_code == 403
    assert not ReferralTransition.objects.exists()


def test_the_language_switch_works_on_the_page(token, referral):
    client, csrf = csrf_client()
    page = link_page(client, token)

    switched = client.post(reverse("set_language"), {"language": "en", "next": page, "csrfmiddlewaretoken": csrf})

    assert (switched.status_code, switched["Location"]) == (302, page)
    assert "Accept this referral" in client.get(page).content.decode()


def test_the_link_to_a_get_only_url_never_acts(client, token, referral):
    assert (
        client.post(reverse("referrals:link", args=[token]), {"decision": "accept", "confirm": "1"}).status_code == 405
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_the_invalid_page_offers_a_new_link(client, referral, token):
    Referral.objects.filter(pk=referral.pk).update(expires_at=timezone.now())

    page = link_page(client, token)
    html = client.get(page).content.decode()

    assert "M'envoyer un nouveau lien" in html
    assert page + "nouveau-lien/" in html


def test_a_new_link_goes_to_the_address_on_file_only(
    client, referral, agent, token, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(new_link_url(client, token), {"email": "attacker@evil.example"})

    assert response.status_code == 200
    assert [m.to for m in mailoutbox] == [[agent.email]]
    new_token = mailoutbox[0].body.split("/r/")[1].split("/")[0]
    assert new_token != token
    assert client.get(link_page(client, new_token)).status_code == 200
    assert ReferralLink.objects.filter(referral=referral, agent=agent, sent_at__isnull=False).count() == 1


def test_an_unknown_token_gets_the_same_answer_and_no_mail(client, token, mailoutbox):
    known = client.post(new_link_url(client, token))
    mailoutbox.clear()

    unknown = client.post(new_link_url(client, "B" * 43))
    garbage = client.post(new_link_url(client, "<script>"))
    no_session = Client().post(new_link_url(client, token))

    assert main(known) == main(unknown) == main(garbage) == main(no_session)
    assert mailoutbox == []


def test_new_links_are_rate_limited(client, token, mailoutbox, referral, agent, django_capture_on_commit_callbacks):
    for _ in range(NEW_LINKS_PER_DAY + 2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(new_link_url(client, token))

    # The first link (the fixture's) counts: three links in a day at most.
    assert len(mailoutbox) == NEW_LINKS_PER_DAY - 1
    assert ReferralLink.objects.filter(referral=referral, agent=agent).count() == NEW_LINKS_PER_DAY


def test_an_inactive_agent_gets_no_new_link(client, token, agent, mailoutbox):
    agent.is_active = False
    agent.save()

    client.post(new_link_url(client, token))

    assert mailoutbox == []


def test_a_new_link_after_the_deadline_shows_what_became_of_the_referral(
    client, referral, token, mailoutbox, django_capture_on_commit_callbacks
):
    deadline = timezone.now() - datetime.timedelta(hours=1)
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.EXPIRED, expires_at=deadline)
    ReferralLink.objects.filter(referral=referral).update(
        created_at=deadline - datetime.timedelta(days=10), expires_at=deadline
    )
    assert client.get(link_page(client, token)).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        client.post(new_link_url(client, token))

    assert "délai de réponse de cette orientation est passé" in mailoutbox[0].body
    new_token = mailoutbox[0].body.split("/r/")[1].split("/")[0]
    response = client.get(link_page(client, new_token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Le délai de réponse est passé" in html
    assert 'value="accept"' not in html


def test_a_new_link_is_no_way_into_another_agents_referral(client, referral, token, territory, mailoutbox):
    colleague = AgentFactory(territories=[territory])

    client.post(new_link_url(client, token))

    assert [m.to for m in mailoutbox] != [[colleague.email]]
    assert not ReferralLink.objects.filter(agent=colleague).exists()


# --- The CV behind the link ------------------------------------------------------------------


def store_cv(candidate) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from candidates.cv import validate_cv
    from candidates.services import candidate_set_cv
    from tests.documents import make_pdf

    file = SimpleUploadedFile("CV Amina.pdf", make_pdf(), "application/pdf")
    candidate_set_cv(candidate=candidate, file=file, kind=validate_cv(file))


def test_the_link_gives_the_cv_while_the_candidate_consents(client, referral, token):
    from candidates.models import Consent
    from candidates.services import candidate_set_consents

    store_cv(referral.candidate)
    url = link_page(client, token) + "cv/"

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    candidate_set_consents(
        candidate=referral.candidate, choices={Consent.Purpose.SHARING: False}, method=Consent.Method.MY_FILE
    )
    assert client.get(url).status_code == 404


def test_no_cv_behind_a_dead_or_unknown_link_or_a_queued_referral(client, referral, token):
    store_cv(referral.candidate)

    cv_url = link_page(client, token) + "cv/"
    assert client.get(link_page(client, "A" * 43) + "cv/").status_code == 404
    assert Client().get(cv_url).status_code == 404  # another browser
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.QUEUED)
    assert client.get(cv_url).status_code == 404
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.PENDING, expires_at=timezone.now())
    assert client.get(cv_url).status_code == 404
