"""How the accounts app tells the apps above it that a person changed their account (the layers
allow no import upwards).

- account_changed(user, fields): the person changed their name or correspondence language on
  "Mon compte" (accounts.services.user_update_account); `fields` names what changed. Sent inside
  the sender's transaction. The candidates app (the person's file) and the territories app (the
  agent's record) keep their own copy of the name and language, from which their emails are
  written: their receivers bring that copy in line."""

from django.dispatch import Signal

account_changed = Signal()
