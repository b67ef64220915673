"""Background jobs: the nightly value assessment and the on-demand one an admin starts."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .actions import recompute_value_assessment
from .choices import RunTrigger


@db_periodic_task(crontab(hour="2", minute="30"))
def nightly_value_assessment() -> int:
    """02:30 in the server's zone: after the day's orders, before anyone reads the classes."""
    return recompute_value_assessment(by=None, trigger=RunTrigger.NIGHTLY).pk


@db_task()
def value_assessment_for(user_id: int) -> int:
    from guanxi.core.models import User

    user = User.objects.get(pk=user_id)
    return recompute_value_assessment(by=user, trigger=RunTrigger.MANUAL).pk
