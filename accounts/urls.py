from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("compte/", views.account, name="account"),
    path("compte/deconnecter-partout/", views.sign_out_everywhere, name="sign_out_everywhere"),
]
