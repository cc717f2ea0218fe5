"""The public entry: the home page and step 1 of the registration (allauth's sign-up)."""

from allauth.account.views import SignupView
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "candidates/home.html")


# Step 1 of the registration is allauth's sign-up (email, password, and SignupIdentityForm's fields),
# followed by the email code. All or nothing: the account, its address and the draft file.
register = transaction.atomic(SignupView.as_view())
