"""Who acts as the privacy officer in the platform: superusers and the members of one group."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# The group of the people in charge of the protection of personal information (P-39.1, s. 3.1)
# and those they delegate to.
OFFICER_GROUP = "Responsables de la protection des renseignements personnels"


def is_officer(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.groups.filter(name=OFFICER_GROUP).exists()
