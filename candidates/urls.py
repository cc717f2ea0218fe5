from django.urls import path

from . import registration, views

app_name = "candidates"
urlpatterns = [
    path("", views.home, name="home"),
    path("inscription/", views.register, name="register"),
    path("inscription/etape-<int:step>/", registration.registration_step, name="registration_step"),
    path("inscription/verification/", registration.registration_review, name="registration_review"),
]
