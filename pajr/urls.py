from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from accounts.second_factor import remove_passkey

from . import views

admin.site.site_header = _("PAJR – EER : administration")
admin.site.site_title = _("PAJR – EER")

# The platform's own error pages, in the visitor's language (pajr.errors).
handler400 = "pajr.errors.bad_request"
handler403 = "pajr.errors.permission_denied"
handler404 = "pajr.errors.page_not_found"
handler500 = "pajr.errors.server_error"

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("candidates.urls")),
    path("", include("my_file.urls")),
    path("", include("counselling.urls")),
    path("", include("referrals.urls")),
    path("", include("activities.urls")),
    path("", include("territories.urls")),
    path("", include("stats.urls")),
    path("", include("privacy.urls")),
    path("comptes/signup/", RedirectView.as_view(pattern_name="candidates:register", permanent=True)),
    # Before allauth's own: a staff member's last passkey stays (accounts.second_factor).
    path("comptes/2fa/webauthn/keys/<int:pk>/remove/", remove_passkey),
    path("comptes/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sante/", views.health, name="health"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    # The admin signs in through the platform's sign-in, which asks staff for their second factor.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [path("", include("devtools.urls"))]
