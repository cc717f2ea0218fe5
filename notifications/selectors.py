from .models import OutboxEmail


def outbox_has_key(*, key: str) -> bool:
    """Whether an email with this idempotency key is already in the outbox (whatever its status):
    a periodic task checks it before work that must not happen twice, like making a new link."""
    return OutboxEmail.objects.filter(key=key).exists()
