"""pajr.urls plus one view that fails, for the 500 page's test."""

from django.urls import path

from pajr.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def _fails(request):
    raise RuntimeError("a fault in a view")


urlpatterns = [*urlpatterns, path("echec-de-test/", _fails)]
