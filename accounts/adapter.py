from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Candidates register at /inscription/, which creates their file with their account;
        # staff accounts are made by a coordinator.
        return False
