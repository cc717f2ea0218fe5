"""Absolute links, for emails and anything read outside the site: always built from SITE_URL,
never from a request's Host header."""

from django.conf import settings
from django.urls import reverse


def absolute_url(viewname: str, *args) -> str:
    return settings.SITE_URL + reverse(viewname, args=args)
