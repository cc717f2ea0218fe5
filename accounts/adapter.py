from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Candidates register at /inscription/, which creates their file with their account;
        # staff accounts are made by a coordinator.
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if user.is_counsellor:
            return reverse("candidates:queue")
        if hasattr(user, "candidate"):
            return reverse("candidates:my_file")
        return super().get_login_redirect_url(request)
