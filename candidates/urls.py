from django.urls import path

from . import views

app_name = "candidates"
urlpatterns = [
    path("", views.home, name="home"),
    path("inscription/", views.register, name="register"),
    path("mon-dossier/", views.my_file, name="my_file"),
    path("conseil/", views.queue, name="queue"),
    path("conseil/candidats/<int:pk>/", views.file, name="file"),
]
