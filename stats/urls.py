from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("statistiques/", views.statistics_page, name="statistics"),
]
