from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from . import views

admin.site.site_header = _("PAJR – EER : administration")
admin.site.site_title = _("PAJR – EER")

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("candidates.urls")),
    path("", include("my_file.urls")),
    path("", include("counselling.urls")),
    path("", include("referrals.urls")),
    path("", include("territories.urls")),
    path("", include("stats.urls")),
    path("", include("privacy.urls")),
    path("comptes/signup/", RedirectView.as_view(pattern_name="candidates:register", permanent=True)),
    path("comptes/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sante/", views.health, name="health"),
    # The admin signs in through the platform's sign-in, which asks staff for their second factor.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += [path("", include("devtools.urls"))]
