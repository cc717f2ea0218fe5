from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from common.labels import ChoiceLabels


class Language(models.TextChoices):
    FR = "fr-ca", _("Français")
    EN = "en", _("English")


class Organisation(models.TextChoices):
    EER = "eer", _("Emplois en régions")
    PAJR = "pajr", _("Place aux jeunes en région")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("role", User.Role.COORDINATOR)
        return self._create_user(email, password, **extra)

    def counsellors(self):
        return self.filter(is_active=True, role__in=User.STAFF_ROLES)


class User(ChoiceLabels, AbstractUser):
    """A person who signs in. The email address is the login."""

    class Role(models.TextChoices):
        CANDIDATE = "candidate", _("Candidat·e")
        COUNSELLOR = "counsellor", _("Conseiller·ère EER")
        COORDINATOR = "coordinator", _("Coordination")
        AGENT = "agent", _("Agent·e PAJ")

    STAFF_ROLES = (Role.COUNSELLOR, Role.COORDINATOR)

    username = None
    email = models.EmailField(_("adresse courriel"), unique=True)
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.CANDIDATE)
    language = models.CharField(_("langue"), max_length=8, choices=Language.choices, default=Language.FR)
    # Staff: which of the two organisations they work for (counsellors: EER; agents: PAJR).
    organisation = models.CharField(_("organisation"), max_length=8, choices=Organisation.choices, blank=True)
    referrals_seen_at = models.DateTimeField(
        _("réponses d'orientation vues le"),
        null=True,
        blank=True,
        help_text=_("Dernière visite de l'onglet « Réponses depuis ma dernière visite »."),
    )

    # Counsellors: the 17:00 email of the day's answers to their referrals (referrals_answers_digest).
    daily_digest = models.BooleanField(
        _("résumé quotidien"),
        default=True,
        help_text=_("Recevoir chaque jour à 17 h le courriel des réponses à vos orientations."),
    )

    # Changed by "sign out everywhere": every session signed in before no longer matches.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur·rice")
        verbose_name_plural = _("utilisateur·rice·s")
        # The counsellors' lists (a few dozen staff among 100,000 candidates' accounts).
        indexes = [models.Index(fields=["role", "is_active"], name="user_role_active")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def _get_session_auth_hash(self, secret=None):
        """Django's hash of the password, with the session epoch: a new password or "sign out
        everywhere" (accounts.services.user_sign_out_everywhere) ends every other session."""
        key_salt = "accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()

    @property
    def is_staff_member(self) -> bool:
        """EER counsellors and coordinators, and anyone who reaches the admin: the accounts that see
        every file, held to a second factor and shorter sessions."""
        return self.is_active and (self.role in self.STAFF_ROLES or self.is_staff or self.is_superuser)

    @property
    def organisation_label(self) -> str:
        """The organisation a reader of a file works for, as the person is told (Mon dossier)."""
        if self.organisation:
            return str(self.get_organisation_display())
        if self.role == self.Role.COUNSELLOR:
            return str(Organisation.EER.label)
        if self.role == self.Role.AGENT:
            return str(Organisation.PAJR.label)
        return str(_("Place aux jeunes en région et Emplois en régions"))

    @property
    def is_counsellor(self) -> bool:
        """EER counsellors and coordinators work in the counsellors' dashboard."""
        return self.is_active and self.role in self.STAFF_ROLES
