from django.urls import path

from . import agent_views, views

app_name = "referrals"
urlpatterns = [
    path("r/lien/<str:handle>/", views.respond, name="respond"),
    path("r/lien/<str:handle>/nouveau-lien/", views.new_link, name="new_link"),
    path("r/lien/<str:handle>/cv/", views.link_cv, name="link_cv"),
    path("r/<str:token>/", views.open_link, name="link"),
    # The PAJ agent's space (agents sign in with a code sent by email).
    path("agent/", agent_views.home, name="agent_home"),
    path("agent/orientations/<int:pk>/", agent_views.referral, name="agent_referral"),
    path("agent/orientations/<int:pk>/repondre/", agent_views.answer, name="agent_answer"),
    path("agent/orientations/<int:pk>/suivi/", agent_views.follow_up, name="agent_follow_up"),
    path("agent/envoyer-a-eer/", agent_views.refer_to_eer, name="agent_refer_to_eer"),
]
