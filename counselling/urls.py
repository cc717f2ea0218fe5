from django.urls import path

from .views import file, merge, proposals, queue, referrals

app_name = "counselling"
urlpatterns = [
    path("conseil/", queue.queue, name="queue"),
    path("conseil/reponses-lues/", queue.answers_seen, name="answers_seen"),
    path("conseil/prendre-en-charge/", queue.queue_take_on, name="queue_take_on"),
    path("conseil/assigner/", queue.queue_assign, name="queue_assign"),
    path("conseil/candidats/<int:pk>/statut/", queue.queue_status, name="queue_status"),
    path("conseil/candidats/<int:pk>/pause/", queue.queue_put_on_hold, name="queue_put_on_hold"),
    path("conseil/candidats/<int:pk>/fermer/", queue.queue_close, name="queue_close"),
    path("conseil/candidats/<int:pk>/", file.file, name="file"),
    path("conseil/candidats/<int:pk>/notes/", file.note_add, name="note_add"),
    path("conseil/candidats/<int:pk>/notes/<int:note_pk>/modifier/", file.note_edit, name="note_edit"),
    path("conseil/candidats/<int:pk>/maturite/", file.maturity_ticks, name="maturity_ticks"),
    path("conseil/candidats/<int:pk>/projet-mur/", file.declare_mature, name="declare_mature"),
    path("conseil/candidats/<int:pk>/projet-mur/retirer/", file.withdraw_maturity, name="withdraw_maturity"),
    path("conseil/candidats/<int:pk>/confier/", file.reassign, name="reassign"),
    path(
        "conseil/candidats/<int:pk>/demander-consentement/",
        file.request_sharing_consent,
        name="request_sharing_consent",
    ),
    path("conseil/candidats/<int:pk>/fusionner/", merge.merge, name="merge"),
    path("conseil/candidats/<int:pk>/fusionner/<int:other_pk>/", merge.merge_confirm, name="merge_confirm"),
    path("conseil/candidats/<int:pk>/orienter/", referrals.referral_send_view, name="referral_send"),
    path("conseil/candidats/<int:pk>/proposer/", proposals.proposal_send, name="proposal_send"),
    path("conseil/candidats/<int:pk>/suggestions/", proposals.suggestions, name="suggestions"),
    path("conseil/propositions/<int:pk>/retirer/", proposals.proposal_withdraw, name="proposal_withdraw"),
    path("conseil/orientations/<int:pk>/retirer/", referrals.referral_withdraw_view, name="referral_withdraw"),
]
