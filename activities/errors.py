"""The activities app's domain error: the message is for people."""


class ActivityError(Exception):
    """A change to an activity or a registration that the rules do not allow. Nothing was changed."""
