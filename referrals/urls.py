from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("conseil/candidats/<int:pk>/orienter/", views.send, name="send"),
    path("r/<str:token>/", views.respond, name="respond"),
]
