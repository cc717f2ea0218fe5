from django.urls import path

from . import views

app_name = "territories"
urlpatterns = [
    path("territoires/", views.directory, name="directory"),
    path("territoires/regions/<str:code>/", views.region_detail, name="region"),
    path("territoires/<str:code>/", views.territory_detail, name="detail"),
]
