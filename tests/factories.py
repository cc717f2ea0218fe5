import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from candidates.consents import consent_row
from candidates.models import (
    Candidate,
    CandidateStatus,
    CandidateTarget,
    Consent,
    FileAccess,
    MaturityAssessment,
    ProfileKind,
)
from referrals.models import Referral
from territories.models import Agent, Region, Territory

PASSWORD = "un-mot-de-passe-solide-2026"
# The authenticator app every staff member of the tests has (accounts.second_factor): a test
# computes the current code with pyotp.TOTP(TOTP_SECRET).now().
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The authenticator app's current code, as a person would read it: not in the last seconds of
    its 30-second window (the server would already be in the next one)."""
    import time

    import pyotp

    totp = pyotp.TOTP(secret)
    remaining = totp.interval - time.time() % totp.interval
    if remaining < 3:
        time.sleep(remaining + 0.2)
    return totp.now()


def with_totp(user: User, secret: str = TOTP_SECRET) -> User:
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)
    return user


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_CA")
    last_name = factory.Faker("last_name", locale="fr_CA")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        """Save, with a verified address: sign-in requires one."""
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=True)


class StaffFactory(UserFactory):
    """Staff see every file: they have a second factor (an authenticator app), unless totp=False."""

    @factory.post_generation
    def totp(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            with_totp(obj)


class CounsellorFactory(StaffFactory):
    role = User.Role.COUNSELLOR


class CoordinatorFactory(StaffFactory):
    role = User.Role.COORDINATOR
    is_staff = True


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{(n % 17) + 1:02d}")
    name_fr = factory.LazyAttribute(lambda o: f"Région {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Region {o.code}")


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"Territoire {n}")
    region = factory.SubFactory(RegionFactory)


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="fr_CA")
    last_name = factory.Faker("last_name", locale="fr_CA")
    email = factory.Sequence(lambda n: f"agent{n}@paj.example.org")
    phone = "418 555-0123"

    @factory.post_generation
    def territories(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.territories.set(extracted)


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, email=factory.SelfAttribute("..email"))
    first_name = factory.Faker("first_name", locale="fr_CA")
    last_name = factory.Faker("last_name", locale="fr_CA")
    email = factory.Sequence(lambda n: f"candidate{n}@example.org")
    profile_kind = ProfileKind.IMMIGRANT
    status = CandidateStatus.NEW

    @factory.post_generation
    def target_territory(obj, create, extracted, **kwargs):
        """First-choice territory: a new one unless given, none with target_territory=False."""
        if create and extracted is not False:
            CandidateTarget.objects.create(candidate=obj, territory=extracted or TerritoryFactory(), rank=1)

    @factory.post_generation
    def more_targets(obj, create, extracted, **kwargs):
        """Second and third choices, after target_territory (referral_send goes only to the
        territories the person chose)."""
        if create and extracted:
            start = obj.targets.count() + 1
            for rank, territory in enumerate(extracted, start=start):
                CandidateTarget.objects.create(candidate=obj, territory=territory, rank=rank)

    @factory.post_generation
    def consents(obj, create, extracted, **kwargs):
        """Coaching and sharing consents, unless consents=False."""
        if create and extracted is not False:
            for purpose in (Consent.Purpose.COACHING, Consent.Purpose.SHARING):
                consent_row(
                    candidate=obj, purpose=purpose, granted=True, method=Consent.Method.REGISTRATION_FORM
                ).save()

    @factory.post_generation
    def mature(obj, create, extracted, **kwargs):
        """With mature=True (or mature=<counsellor>), the project is declared mature, so that
        referral_send accepts it. Not by default."""
        if create and extracted:
            MaturityAssessment.objects.create(
                candidate=obj,
                mature_at=timezone.now(),
                mature_by=extracted if isinstance(extracted, User) else CounsellorFactory(),
                mature_note="Projet mûr.",
            )


class ReferralFactory(factory.django.DjangoModelFactory):
    """A pending referral written directly (tests of services use referral_send)."""

    class Meta:
        model = Referral

    candidate = factory.SubFactory(CandidateFactory)
    territory = factory.LazyAttribute(lambda o: o.candidate.first_target)
    sent_by = factory.SubFactory(CounsellorFactory)
    message = "Projet mûr."
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=10))


class FileAccessFactory(factory.django.DjangoModelFactory):
    """A reading of a file by a member of staff, each in an hour of its own (the log keeps one per
    reader, file and hour)."""

    class Meta:
        model = FileAccess

    candidate = factory.SubFactory(CandidateFactory)
    user = factory.SubFactory(CounsellorFactory)
    reader = factory.LazyAttribute(lambda o: f"user:{o.user.pk}")
    hour = factory.Sequence(
        lambda n: timezone.now().replace(minute=0, second=0, microsecond=0) - timezone.timedelta(hours=n)
    )
