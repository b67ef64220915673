"""Background jobs of the service desk."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .escalation import scan


@db_periodic_task(crontab(minute="*"))
def sla_scan() -> dict[str, int]:
    """Every minute: SLA warnings before due and escalations on breach, in bulk."""
    result = scan()
    return {"warned": result.warned, "escalated": result.escalated}
