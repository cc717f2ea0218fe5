"""The URLs tests open most, written once."""

from django.urls import reverse


def file_url(candidate) -> str:
    """The counsellor's page of a file."""
    return reverse("counselling:file", args=[candidate.pk])


def link_page(client, token: str) -> str:
    """Open an agent's emailed link as a browser does: the token goes into the session and the
    browser is sent to the page's own URL, which is returned."""
    response = client.get(reverse("referrals:link", args=[token]))
    assert response.status_code == 302, response
    assert token not in response["Location"]
    return response["Location"]
