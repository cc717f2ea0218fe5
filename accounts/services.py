"""Writes to accounts (users and their allauth email addresses). The other apps call these rather
than saving users themselves."""

import datetime
import logging

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import LogEntry
from django.contrib.auth import update_session_auth_hash
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, ProtectedError, RestrictedError

from .models import User
from .signals import account_changed

logger = logging.getLogger(__name__)


def user_create(
    *,
    email: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    language: str,
    role: str = User.Role.CANDIDATE,
    email_verified: bool = False,
) -> User:
    """An account and its primary address (no password: an unusable one)."""
    user = User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name, language=language, role=role
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


def user_set_identity(*, user: User, first_name: str, last_name: str, language: str) -> None:
    user.first_name, user.last_name, user.language = first_name, last_name, language
    user.save(update_fields=["first_name", "last_name", "language"])


def user_update_account(
    *, user: User, first_name: str, last_name: str, language: str, daily_digest: bool | None = None
) -> list[str]:
    """The person's own changes on "Mon compte": name, correspondence language (the language of
    every email to them from now on) and, for counsellors, the daily digest. The copies the person's
    file or agent record keep follow (accounts.signals.account_changed). Returns what changed."""
    values = {"first_name": first_name, "last_name": last_name, "language": language}
    if daily_digest is not None:
        values["daily_digest"] = daily_digest
    changed = [field for field, value in values.items() if getattr(user, field) != value]
    if not changed:
        return []
    with transaction.atomic():
        for field in changed:
            setattr(user, field, values[field])
        # The receivers lock the person's file first: the lock order is the file, then the account.
        if synced := [field for field in changed if field != "daily_digest"]:
            account_changed.send(sender=User, user=user, fields=synced)
        user.save(update_fields=changed)
    logger.info("user_update_account user=%s fields=%s", user.pk, ",".join(changed))
    return changed


def user_sync_agent_account(
    *, user: User | None, email: str, first_name: str, last_name: str, language: str, is_active: bool
) -> tuple[User, bool]:
    """Create (without a password) or update a PAJ agent's account from their record, with one
    verified primary address. Returns the account and whether it was created. The caller checks
    that the address is free (territories.services.agent_account_ensure)."""
    created = user is None
    if created:
        user = User.objects.create_user(email=email, role=User.Role.AGENT)  # unusable password
    user.email = email
    user.first_name, user.last_name = first_name, last_name
    user.language = language
    user.is_active = is_active
    user.save(update_fields=["email", "first_name", "last_name", "language", "is_active"])
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).delete()
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    elif not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
    return user, created


def user_deactivate_and_anonymize(*, user: User) -> None:
    """For an account that other rows still PROTECT: nobody can sign in with it, nothing in it
    names the person."""
    user.email = f"supprime-utilisateur-{user.pk}@invalid.pajr"
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "first_name", "last_name", "is_active", "password"])
    EmailAddress.objects.filter(user=user).delete()


def user_end_sessions(*, user: User) -> int:
    """End every session of `user`, on every device: the tracked ones are deleted from the session
    store (allauth.usersessions records each sign-in), and the epoch moves so that any other no
    longer verifies. Returns how many tracked sessions ended."""
    ended = 0
    for session in UserSession.objects.filter(user=user):
        session.end()
        ended += 1
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    return ended


def user_delete(*, user: User) -> bool:
    """Delete the account, or, when other rows still protect it, deactivate and anonymize it; the
    admin's log of changes to it forgets its name. Returns whether it was deleted."""
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).update(
        object_repr=f"#{user.pk}", change_message=""
    )
    try:
        with transaction.atomic():
            user.delete()
    except (ProtectedError, RestrictedError):
        user_deactivate_and_anonymize(user=user)
        return False
    return True


def user_mark_referrals_seen(*, user: User, at: datetime.datetime) -> None:
    """Remember when `user` last marked the answers to their referrals as read (the queue's
    "Réponses" tab lists what was answered since)."""
    User.objects.filter(pk=user.pk).update(referrals_seen_at=at)
    user.referrals_seen_at = at


def user_sign_out_everywhere(*, request, user: User) -> None:
    """End every session of `user` but the one of `request`: the session hash changes with the
    epoch, so the others no longer verify; this one is updated to match."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    update_session_auth_hash(request, user)
