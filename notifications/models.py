import hashlib
from email.utils import parseaddr

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The template name of the emails allauth composes itself (verification codes, password reset):
# they arrive already rendered.
RENDERED = "rendered"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("En échec")


class OutboxEmailQuerySet(models.QuerySet):
    def due(self, *, now=None) -> "OutboxEmailQuerySet":
        """Pending rows whose (next) attempt time has come."""
        return self.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now or timezone.now())


class OutboxEmail(models.Model):
    """One outgoing email, written in the same transaction as the change that causes it; the
    Celery task `deliver_outbox_email` sends it after commit. Nothing else sends mail.

    The email is rendered when it is enqueued, in the recipient's language, and the row keeps the
    subject, text and HTML: the worker only hands them to SMTP. So a retry sends exactly what the
    change meant to say (not what the data says hours later), there is no question of which
    context values survive JSON, and the links are those of the process that made the change.
    `context` keeps only the ids of the objects the email was about, to find it again.

    The body can hold a secret: a referral link's raw token (the database keeps only its hash),
    an allauth code or password-reset link. Hence: the admin never shows `body` or `html`, and
    both are emptied once the email is sent (a failed row keeps them, for "send again").
    """

    key = models.CharField(_("clé d'idempotence"), max_length=255, unique=True)
    recipient = models.EmailField(_("destinataire"), max_length=254)
    language = models.CharField(_("langue"), max_length=10)
    template = models.CharField(_("gabarit"), max_length=100)
    context = models.JSONField(_("objets concernés"), default=dict, blank=True)
    subject = models.TextField(_("objet"))
    body = models.TextField(_("texte"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    # Files sent with the email, as text: [{"filename", "mimetype", "content"}] (an activity's
    # .ics). Emptied with the body once sent.
    attachments = models.JSONField(_("pièces jointes"), default=list, blank=True)
    status = models.CharField(_("état"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    # When the coordinators were told of this row's failure (outbox_report_failed); "send again" clears it.
    failure_reported_at = models.DateTimeField(_("échec signalé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = OutboxEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("courriel sortant")
        verbose_name_plural = _("courriels sortants")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            # Finding the emails to or about a person who leaves (outbox_forget), without a scan.
            models.Index(fields=["recipient"], name="outbox_recipient_idx"),
            models.Index(KeyTransform("candidate", "context"), name="outbox_about_candidate_idx"),
            models.Index(KeyTransform("referral", "context"), name="outbox_about_referral_idx"),
            # The retention purge's sent rows, by age.
            models.Index(fields=["sent_at"], name="outbox_sent_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient}"

    @property
    def message_id(self) -> str:
        """Stable for the row: if an email is sent twice (a worker killed between the server's
        acceptance and the row's update), mail clients recognise the second as the same message."""
        key_hash = hashlib.sha256(self.key.encode()).hexdigest()[:16]
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "pajr.localhost"
        return f"<outbox-{self.pk}-{key_hash}@{domain}>"
