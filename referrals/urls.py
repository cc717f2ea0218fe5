from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("conseil/candidats/<int:pk>/orienter/", views.send, name="send"),
    path("conseil/orientations/<int:pk>/retirer/", views.withdraw, name="withdraw"),
    path("r/<str:token>/", views.respond, name="respond"),
    path("r/<str:token>/nouveau-lien/", views.new_link, name="new_link"),
]
