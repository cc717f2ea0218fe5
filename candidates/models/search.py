"""A search's files found through the trigram indexes when they are few (CandidateQuerySet.search).

The queue lists a search in submission order, 50 to a page. PostgreSQL plans that as a walk down
the submission index, each file checked against the words, stopping at the 51st match: fast for a
common name (the first 51 "Tremblay" are near the start), but a name that matches a handful of
files, or none, walks all of them. psycopg prepares a statement run five times on a connection,
and the plan PostgreSQL then keeps, made without the words, is that walk: at 100,000 files a name
no file holds took 216 ms, and a person's first and last names (about 30 files) 92 ms a page;
both grow with the table (docs/benchmarks.md, issue 17, twenty-second stop).

So on PostgreSQL a search first asks the trigram indexes (migration 0004) for the matching files'
ids, at most PROBE_LIMIT + 1 of them. When they are no more than PROBE_LIMIT, the page is read
for those ids only (`id = ANY(…)`, through the primary key); otherwise the matches are many and
the walk finds the page early, as before. The page keeps every word's condition either way: the
ids only narrow it, so what is listed does not change. Words under three characters have no
trigram to look up (the index would be read whole): they narrow the page, not the probe.
"""

from django.db import connections, models

# The matches above which the submission-order walk is the faster plan: it then reads fewer than
# 51 / PROBE_LIMIT of the files (10 % at 500) before it has its page, while the probe itself reads
# at most PROBE_LIMIT + 1 rows (about 2 ms).
PROBE_LIMIT = 500
TRIGRAM_MIN_LENGTH = 3


def words_condition(words) -> models.Q:
    """Every word in the first name, the last name or the email (case-insensitive)."""
    q = models.Q()
    for word in words:
        q &= (
            models.Q(first_name__icontains=word) | models.Q(last_name__icontains=word) | models.Q(email__icontains=word)
        )
    return q


class _IdAmong(models.Lookup):
    """`id = ANY(%s::bigint[])`: the ids as one array parameter, so one statement to prepare
    however many there are (an IN would be a statement per number of ids)."""

    lookup_name = "id_among"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, list(self.rhs))


def matching(queryset, words):
    """`queryset` narrowed by every word; on PostgreSQL, also to the ids the trigram indexes find
    for the words of three characters or more among `queryset`, when those are no more than
    PROBE_LIMIT. Runs that probe at once (one query)."""
    matches = queryset.filter(words_condition(words))
    long_words = [word for word in words if len(word) >= TRIGRAM_MIN_LENGTH]
    if not long_words or connections[queryset.db].vendor != "postgresql":
        return matches
    probe = queryset.filter(words_condition(long_words)).order_by().values_list("pk", flat=True)
    ids = list(probe[: PROBE_LIMIT + 1])
    if len(ids) > PROBE_LIMIT:
        return matches
    if not ids:
        return matches.none()
    return matches.filter(_IdAmong(models.F("pk"), ids))
