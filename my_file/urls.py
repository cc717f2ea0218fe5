from django.urls import path

from . import views

app_name = "my_file"
urlpatterns = [
    path("mon-dossier/", views.home, name="home"),
    path("mon-dossier/coordonnees/", views.identity, name="identity"),
    path("mon-dossier/consentements/", views.consents, name="consents"),
    path("mon-dossier/territoires-proposes/", views.proposals, name="proposals"),
    path("mon-dossier/territoires-proposes/<int:pk>/", views.proposal_answer, name="proposal_answer"),
    path("mon-dossier/suggestions/", views.suggestions, name="suggestions"),
    path("mon-dossier/suggestions/ajouter/", views.suggestion_add, name="suggestion_add"),
    path("mon-dossier/export.zip", views.export, name="export"),
    path("mon-dossier/supprimer/", views.delete, name="delete"),
    path("dossiers/<int:pk>/cv/", views.cv_download, name="cv_download"),
]
