"""{% load phones %}: `phone_display` and `phone_href` (common.phones) as template filters."""

from django import template

from common import phones

register = template.Library()
register.filter("phone_display", phones.phone_display)
register.filter("phone_href", phones.phone_href)
