"""The URLs tests open most, written once."""

from django.urls import reverse


def file_url(candidate) -> str:
    """The counsellor's page of a file."""
    return reverse("counselling:file", args=[candidate.pk])
