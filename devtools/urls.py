"""The development mailbox's pages, included by pajr/urls.py only when DEBUG is on."""

from django.urls import path

from . import mailbox

urlpatterns = [
    path("dev/courriels/", mailbox.inbox, name="dev_mailbox"),
    path("dev/courriels/<str:name>/html/", mailbox.html_part, name="dev_mailbox_html"),
]
