"""A file's history line as a French-speaking counsellor reads it, for assertions."""

from django.utils import translation

from candidates.history import with_texts


def text_of(event) -> str:
    """What the system put into words (the event's code and parameters), then what a person
    typed, joined as the history page shows them."""
    with translation.override("fr-ca"):
        event = with_texts([event])[0]
    return " : ".join(part for part in (event.text, event.note) if part)
