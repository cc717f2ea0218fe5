"""The queue's controls written in Python (counselling.controls): the tabs, the sort headers and
the filter fields keep the URL's other parameters, escape every value, and say which is current."""

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from counselling.controls import filter_fields_html, querystring, sort_header_html, tabs_html
from counselling.filters import QueueFilter
from counselling.selectors import QueueTab, queue_sort_headers
from tests.factories import CounsellorFactory, TerritoryFactory

QUEUE = reverse("counselling:queue")


def test_querystring_is_the_tags_escaped():
    query = QueryDict("vue=tous&q=a%26b&a=1&a=2&page=3")

    assert querystring(query, page=None, tri="-nom") == "?vue=tous&amp;q=a%26b&amp;a=1&amp;a=2&amp;tri=-nom"
    assert querystring(QueryDict(""), page=None) == "?"


def test_tabs_keep_the_filters_drop_the_page_and_sort_and_mark_the_current_one():
    with translation.override("en"):
        html = tabs_html(QueryDict("vue=tous&statut=new&page=2&tri=nom"), dict(QueueTab.choices), "tous")

    assert html.startswith('<nav aria-label="Lists"><ul class="nav nav-tabs mb-3">')
    assert html.count("<li") == len(QueueTab.choices)
    current = '<a class="nav-link active" aria-current="page" href="?vue=tous&amp;statut=new" '
    assert current + 'hx-get="?vue=tous&amp;statut=new" hx-target="#queue" hx-push-url="true">All files</a>' in html
    assert '<a class="nav-link" href="?vue=a-trier&amp;statut=new"' in html
    assert html.count("aria-current") == 1


def test_sort_header_says_the_order_and_reverses_on_a_second_click():
    query = QueryDict("vue=tous&tri=nom&page=4&q=%3Cb%3E")

    by_name = sort_header_html(query, queue_sort_headers("nom")["nom"], "Nom")
    other = sort_header_html(query, queue_sort_headers("nom")["statut"], "<Statut>")

    assert by_name == (
        '<th scope="col" aria-sort="ascending"><a class="queue-sort queue-sort-ascending" '
        'href="?vue=tous&amp;tri=-nom&amp;q=%3Cb%3E" hx-get="?vue=tous&amp;tri=-nom&amp;q=%3Cb%3E" '
        'hx-target="#queue-results" hx-push-url="true">Nom</a></th>'
    )
    assert other.startswith('<th scope="col"><a class="queue-sort" href="?vue=tous&amp;tri=statut&amp;q=%3Cb%3E"')
    assert "&lt;Statut&gt;</a>" in other


@pytest.mark.django_db
def test_filter_fields_keep_the_urls_values_escaped_and_say_what_is_wrong():
    territory = TerritoryFactory(name="Matane")
    CounsellorFactory()
    data = QueryDict(f'q="><script>&territoire={territory.pk}&arrivee_du=2024-02-30&hors_age=true&statut=zzz')
    filterset = QueueFilter(data)
    filterset.qs  # noqa: B018 — validates the form, as the view does
    filterset.attach_select_options()

    html = filter_fields_html(filterset.form)

    assert 'name="q" id="id_q" value="&quot;&gt;&lt;script&gt;" maxlength="100"' in html
    assert "<script>" not in html
    assert f'<option value="{territory.pk}" selected>Matane' in html
    assert (
        'class="form-control form-control-sm is-invalid" name="arrivee_du" id="id_arrivee_du" value="2024-02-30"'
        in html
    )
    assert 'class="form-select form-select-sm is-invalid" name="statut"' in html
    assert html.count('<div class="invalid-feedback">') == 2
    assert (
        '<input type="checkbox" class="form-check-input" name="hors_age" id="id_hors_age" value="true" checked>' in html
    )
    assert html.count('<div class="col-sm-6 col-lg-3') == len(filterset.form.fields)


@pytest.mark.django_db
def test_filter_fields_unbound_are_empty_and_in_the_readers_language():
    filterset = QueueFilter(None)
    filterset.attach_select_options()

    with translation.override("en"):
        html = filter_fields_html(filterset.form)

    assert 'value="" maxlength="100" placeholder="Name, first name or email"' in html
    assert "checked" not in html and "is-invalid" not in html
    assert html.count(" selected>") == html.count('<option value="" selected>') == 8  # every select's "All"
    assert '<label class="form-label small mb-0" for="id_statut">Status</label>' in html


@pytest.mark.django_db
def test_the_page_shows_them(client):
    client.force_login(CounsellorFactory())

    page = client.get(QUEUE, {"vue": "tous", "tri": "-attente"}).text
    results = client.get(QUEUE, {"vue": "tous"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-results").text

    assert 'aria-current="page"' in page and 'name="arrivee_au"' in page
    assert 'aria-sort="descending"' in page
    assert 'class="queue-sort"' in results and "nav-tabs" not in results


@pytest.mark.django_db
def test_filtersets_share_their_form_class_never_their_fields_values_or_errors():
    first = QueueFilter(QueryDict("statut=zzz&q=Tremblay"))
    second = QueueFilter(QueryDict("statut=new"))
    first.qs, second.qs  # noqa: B018 — validates both forms

    assert type(first.form) is type(second.form)
    assert first.form.fields["statut"] is not second.form.fields["statut"]
    assert first.form.fields["territoire"]._choices is not second.form.fields["territoire"]._choices
    assert first.form.errors and "statut" in first.form.errors and not second.form.errors
    assert first.form["q"].value() == "Tremblay" and second.form["q"].value() is None


@pytest.mark.django_db
def test_each_filterset_has_its_own_filters_which_call_their_own_methods():
    from candidates.models import Candidate
    from tests.factories import CandidateFactory

    tremblay = CandidateFactory(last_name="Tremblay", first_name="Anne")
    gagnon = CandidateFactory(last_name="Gagnon", first_name="Luc")
    first = QueueFilter(QueryDict("q=Tremblay"), queryset=Candidate.objects.all())
    second = QueueFilter(QueryDict("q=Gagnon"), queryset=Candidate.objects.all())
    original = QueueFilter.base_filters["q"]

    assert first.filters["q"] is not second.filters["q"] is not original
    assert first.filters["q"].parent is first and second.filters["q"].parent is second
    assert not hasattr(original, "parent")
    # The search is a method filter: each copy's FilterMethod calls its own filterset's method.
    assert first.filters["q"].filter.f is first.filters["q"] and original.filter.f is original
    assert list(second.qs) == [gagnon] and list(first.qs) == [tremblay]
    # What the filters hold is read, never copied for each filterset (it was, ~0.2 ms a page).
    assert first.filters["territoire"].queryset is QueueFilter.base_filters["territoire"].queryset is not None
    assert first.filters["statut"].extra is QueueFilter.base_filters["statut"].extra
