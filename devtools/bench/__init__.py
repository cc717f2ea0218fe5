"""`manage.py bench`: seed a realistic data set in a database of its own and time the pages that
must stay fast at 100,000 candidates (issue 4, "Speed, measured").

Two registries are the extension points for later issues:
- SEEDERS (seeding.py): one function per table hanging off a candidate (targets, consents, events,
  referrals...). Each takes the Seed and a batch of freshly built candidates and returns unsaved
  model instances with explicit primary keys; bench_seed bulk-creates them in the order they come.
- CASES (runner.py): one function per measured case, returning a CaseResult; the page cases are
  in cases.py, the notification cases, through a real worker and SMTP server, in notify.py.
"""

from . import seeding_privacy  # noqa: F401  (adds the access log and the outbox to SEEDERS)
from .cases import CaseResult
from .notify import NotifyOptions
from .runner import CASES, bench_database, bench_measure, bench_write
from .seeding import SEEDERS, bench_seed

__all__ = [
    "CASES",
    "SEEDERS",
    "CaseResult",
    "NotifyOptions",
    "bench_database",
    "bench_measure",
    "bench_seed",
    "bench_write",
]
