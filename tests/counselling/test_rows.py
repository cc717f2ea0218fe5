"""The queue's rows written in Python (counselling.rows.rows_html): the markup the row template
wrote, every value escaped, the labels in the reader's language."""

import datetime
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.utils import translation

from counselling.rows import QueueRow, rows_html

FILES = "/conseil/candidats/"
TAKE_ON = "/conseil/prendre-en-charge/"


def _row(**fields) -> QueueRow:
    values = {
        "pk": 7,
        "name": "Amina Diallo",
        "email": "amina@exemple.ca",
        "outside_age_range": False,
        "profile": "Étudiant·e",
        "status": "Nouveau",
        "counsellor": "—",
        "targets_undecided": False,
        "can_take_on": False,
    }
    return QueueRow(**(values | fields))


def _html(rows, *, selectable=False, language="fr") -> str:
    with translation.override(language):
        return str(
            rows_html(
                rows,
                selectable=selectable,
                files_url=FILES,
                take_on_url=TAKE_ON,
                back_query="next=%2Fconseil%2F%3Fvue%3Dtous",
                waiting_limit=5,
            )
        )


class _Tags(HTMLParser):
    """The start tags with their attributes, and the text, to check the markup is well formed."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag != "input":
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open.pop() == tag, f"</{tag}> closes something else"

    def handle_data(self, data):
        self.text.append(data)


def test_every_value_is_escaped():
    row = _row(
        name='<script>alert("x")</script> & Cie',
        email="a&b@exemple.ca",
        profile="<i>",
        status='"statut"',
        counsellor="O'Neil",
        targets=[("Rivière<", "Côte & Nord")],
        waiting_iso="2026-12-01T08:00:00-05:00",
        waiting_title="<1 déc.>",
        waiting_for="4 jours",
    )

    html = _html([row], selectable=True)
    parsed = _Tags(html)

    assert "<script>" not in html and "<i>" not in html and "Rivière<" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cie" in html
    assert "O&#x27;Neil" in html and "a&amp;b@exemple.ca" in html
    assert 'title="&lt;1 déc.&gt;"' in html
    assert parsed.open == []  # every element closed in order
    checkbox = next(attrs for tag, attrs in parsed.tags if tag == "input")
    assert checkbox["aria-label"] == 'Sélectionner <script>alert("x")</script> & Cie'


def test_links_checkbox_and_take_on_button():
    html = _html([_row(can_take_on=True)], selectable=True)
    tags = _Tags(html).tags

    links = [attrs["href"] for tag, attrs in tags if tag == "a"]
    assert links == [f"{FILES}7/", f"{FILES}7/statut/?next=%2Fconseil%2F%3Fvue%3Dtous"]
    assert ("input", {"class": "form-check-input", "type": "checkbox", "name": "candidates", "value": "7",
                      "id": "select-7", "aria-label": "Sélectionner Amina Diallo"}) in tags  # fmt: skip
    button = next(attrs for tag, attrs in tags if tag == "button")
    assert button["formaction"] == TAKE_ON and button["value"] == "7" and "formnovalidate" in button
    assert "Prendre en charge" in html


def test_no_checkbox_outside_triage_and_no_button_for_a_file_already_taken():
    html = _html([_row(can_take_on=False)], selectable=False)

    assert "<input" not in html and "<button" not in html


def test_targets_in_order_or_what_the_person_said():
    chosen = _html([_row(targets=[("Rimouski-Neigette", "Bas-Saint-Laurent"), ("Matane", "Bas-Saint-Laurent")])])
    undecided = _html([_row(targets_undecided=True)])
    nothing = _html([_row()])

    assert chosen.index("Rimouski-Neigette") < chosen.index("Matane")
    assert '<ol class="list-unstyled mb-0"><li>Rimouski-Neigette <span' in chosen
    assert "Pas encore choisi" in undecided
    assert "<td>—</td>" in nothing


def test_waiting_time_and_overdue_badge():
    row = _row(waiting_iso="2026-11-20T09:00:00-05:00", waiting_title="20 nov.", waiting_for="2 semaines", overdue=True)

    html = _html([row])

    assert '<time datetime="2026-11-20T09:00:00-05:00" title="20 nov.">2 semaines</time>' in html
    assert '<span class="badge text-bg-danger queue-overdue">+5 j ouvr.</span>' in html


def test_possible_duplicates_link_to_the_file_and_to_the_merge_lower_number_first():
    others = [SimpleNamespace(pk=3, full_name="Amina Dialo"), SimpleNamespace(pk=12, full_name="A. Diallo")]

    html = _html([_row(possible_duplicates=others, outside_age_range=True)], selectable=True)
    links = [attrs["href"] for tag, attrs in _Tags(html).tags if tag == "a"]

    assert f"{FILES}3/" in links and f"{FILES}12/" in links
    assert f"{FILES}3/fusionner/7/" in links and f"{FILES}7/fusionner/12/" in links
    assert "Doublon possible" in html and "hors 18–35" in html and "(n° 3)" in html


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["Prendre en charge", "Pause / fermer", "Pas encore choisi", "+5 j ouvr.", "Doublon possible"]),
        ("en", ["Take on", "Hold / close", "Not chosen yet", "+5 bus. d.", "Possible duplicate"]),
    ],
)
def test_labels_in_the_reader_s_language(language, words):
    row = _row(
        can_take_on=True,
        targets_undecided=True,
        waiting_iso=datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC).isoformat(),
        waiting_for="x",
        overdue=True,
        possible_duplicates=[SimpleNamespace(pk=3, full_name="Amina Dialo")],
    )

    html = _html([row], selectable=True, language=language)

    for word in words:
        assert word in html, word


def test_no_rows_no_html():
    assert _html([]) == ""


@pytest.mark.parametrize("language", ["fr", "en"])
def test_waiting_times_read_as_django_s_timesince_in_the_reader_s_language(language):
    """queue_rows translates each "N days" once a page; the words are timesince's, row for row."""
    from django.utils.timesince import timesince

    from counselling.rows import queue_rows

    now = datetime.datetime(2026, 12, 4, 15, 0, tzinfo=datetime.UTC)
    waits = [datetime.timedelta(days=3), datetime.timedelta(days=3, hours=2), datetime.timedelta(minutes=1),
             datetime.timedelta(days=400), datetime.timedelta(days=3)]  # fmt: skip
    candidates = [
        SimpleNamespace(
            pk=pk,
            full_name="A B",
            email="a@b.c",
            date_of_birth=None,
            profile_kind="",
            status="new",
            counsellor_first_name=None,
            counsellor_last_name=None,
            targets_undecided=False,
            counsellor_id=None,
            waiting_since=now - wait,
        )
        for pk, wait in enumerate(waits, start=1)
    ]

    with translation.override(language):
        rows = queue_rows(candidates, targets={}, now=now, cutoff=now - datetime.timedelta(days=7))
        expected = [timesince(now - wait, now) for wait in waits]

    assert [row.waiting_for for row in rows] == expected
    assert expected[0] == {"fr": "3 jours", "en": "3\xa0days"}[language].replace(" ", "\xa0")
    assert [row.overdue for row in rows] == [False, False, False, True, False]


def test_the_age_badge_agrees_with_the_files_own_age_at_each_bound():
    """queue_rows works the 18–35 range out once a page; each file's property says the same."""
    from django.utils import timezone

    from candidates.models import Candidate, years_ago
    from counselling.rows import queue_rows

    day = datetime.timedelta(days=1)
    births = [years_ago(18) + day, years_ago(18), years_ago(36) + day, years_ago(36), None]  # 17, 18, 35, 36
    files = [Candidate(pk=pk, first_name="A", last_name="B", date_of_birth=born) for pk, born in enumerate(births, 1)]
    for file in files:  # what for_queue reads with the row
        file.counsellor_first_name = file.counsellor_last_name = None
    now = timezone.now()

    rows = queue_rows(files, targets={}, now=now, cutoff=now)

    assert [row.outside_age_range for row in rows] == [True, False, False, True, False]
    assert [file.is_outside_age_range for file in files] == [True, False, False, True, False]


def test_the_waiting_title_is_django_s_date_format_in_each_language_and_time_zone():
    from zoneinfo import ZoneInfo

    from django.utils.dateformat import format as date_format
    from django.utils.formats import get_format

    from counselling import rows

    rows._TITLES.clear()
    moment = datetime.datetime(2026, 11, 20, 14, 5, tzinfo=datetime.UTC)
    seen = set()
    for _ in range(2):  # formatted, then read again
        for zone in ("America/Toronto", "America/Vancouver"):
            local = moment.astimezone(ZoneInfo(zone))
            for language in ("fr-ca", "en"):
                with translation.override(language):
                    fmt = get_format("DATETIME_FORMAT")
                    title = rows.waiting_title(local, local.isoformat(), fmt)
                    assert title == date_format(local, fmt)
                    seen.add(title)
    # four titles: the same instant reads 9:05 in Toronto, 6:05 in Vancouver, in each language
    assert len(seen) == 4 and len(rows._TITLES) == 4
