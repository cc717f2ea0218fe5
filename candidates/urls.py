from django.urls import path

from . import files, my_file, registration, views

app_name = "candidates"
urlpatterns = [
    path("", views.home, name="home"),
    path("inscription/", views.register, name="register"),
    path("inscription/etape-<int:step>/", registration.registration_step, name="registration_step"),
    path("inscription/verification/", registration.registration_review, name="registration_review"),
    path("mon-dossier/", my_file.my_file, name="my_file"),
    path("mon-dossier/coordonnees/", my_file.identity, name="my_file_identity"),
    path("mon-dossier/consentements/", my_file.consents, name="my_file_consents"),
    path("mon-dossier/export.json", my_file.export_json, name="my_file_export_json"),
    path("mon-dossier/export.csv", my_file.export_csv, name="my_file_export_csv"),
    path("mon-dossier/supprimer/", my_file.delete, name="my_file_delete"),
    path("conseil/", views.queue, name="queue"),
    path("conseil/prendre-en-charge/", views.queue_take_on, name="queue_take_on"),
    path("conseil/assigner/", views.queue_assign, name="queue_assign"),
    path("conseil/candidats/<int:pk>/statut/", views.queue_status, name="queue_status"),
    path("conseil/candidats/<int:pk>/pause/", views.queue_put_on_hold, name="queue_put_on_hold"),
    path("conseil/candidats/<int:pk>/fermer/", views.queue_close, name="queue_close"),
    path("conseil/candidats/<int:pk>/", views.file, name="file"),
    path("conseil/candidats/<int:pk>/fusionner/", views.merge, name="merge"),
    path("conseil/candidats/<int:pk>/fusionner/<int:other_pk>/", views.merge_confirm, name="merge_confirm"),
    path("conseil/candidats/<int:pk>/notes/", views.note_add, name="note_add"),
    path("conseil/candidats/<int:pk>/notes/<int:note_pk>/modifier/", views.note_edit, name="note_edit"),
    path("conseil/candidats/<int:pk>/maturite/", views.maturity_ticks, name="maturity_ticks"),
    path("conseil/candidats/<int:pk>/projet-mur/", views.declare_mature, name="declare_mature"),
    path("conseil/candidats/<int:pk>/projet-mur/retirer/", views.withdraw_maturity, name="withdraw_maturity"),
    path("conseil/candidats/<int:pk>/confier/", views.reassign, name="reassign"),
    path(
        "conseil/candidats/<int:pk>/demander-consentement/",
        views.request_sharing_consent,
        name="request_sharing_consent",
    ),
    path("dossiers/<int:pk>/cv/", files.cv_download, name="cv_download"),
]
