"""The programs a person may be eligible for, on Mon dossier and on the counsellor's file (the
pages of higher apps: a template tag, not an import)."""

from django import template

from ..programs import programs_for

register = template.Library()


@register.inclusion_tag("candidates/_eligible_programs.html")
def eligible_programs(candidate, *, for_counsellor: bool = False):
    return {"matches": programs_for(candidate), "for_counsellor": for_counsellor}
