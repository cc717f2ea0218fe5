from django.urls import path

from . import agent_views, views

app_name = "activities"
urlpatterns = [
    path("activites/", views.calendar_page, name="calendar"),
    path("activites/<int:pk>/", views.detail, name="detail"),
    path("activites/<int:pk>.ics", views.activity_ics, name="activity_ics"),
    path("activites/<int:pk>/inscription/", views.register, name="register"),
    path("activites/<int:pk>/inscription/annuler/", views.cancel_registration, name="cancel_registration"),
    path("activites/territoires/<str:code>.ics", views.territory_feed, name="territory_feed"),
    path("activites/regions/<str:code>.ics", views.region_feed, name="region_feed"),
    # In the PAJ agent's space.
    path("agent/activites/", agent_views.home, name="agent_home"),
    path("agent/activites/nouvelle/", agent_views.new, name="agent_new"),
    path("agent/activites/<int:pk>/", agent_views.activity, name="agent_activity"),
    path("agent/activites/<int:pk>/modifier/", agent_views.edit, name="agent_edit"),
    path("agent/activites/<int:pk>/presences/", agent_views.attendance, name="agent_attendance"),
    path("agent/activites/<int:pk>/annuler/", agent_views.cancel, name="agent_cancel"),
]
