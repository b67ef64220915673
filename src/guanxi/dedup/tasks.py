"""Background duplicate scans: nightly, and the one an admin starts from the review queue.

Without them the queue filled only when someone ran `guanxi dedup scan` on the
server, so duplicates created through the UI or the API waited for a shell user.
A scan of a million customers takes ~1.5 minutes and ~2.6 GiB (docs/benchmarks.md),
which is why it runs at night and in the job worker, never inside a request.
No auto-merge from here: a merge needs an accountable person (the CLI's --merge-as).
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from guanxi.core.models import User
from guanxi.customers.dedup.queue import run_scan


@db_periodic_task(crontab(hour="3", minute="30"))
def nightly_duplicate_scan() -> int:
    """03:30 in the server's zone: after the 02:30 value assessment, before the working day."""
    return run_scan(by=None).candidates


@db_task()
def duplicate_scan_for(user_id: int) -> int:
    return run_scan(by=User.objects.get(pk=user_id)).candidates
