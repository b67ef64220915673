"""Writes of the analytics app: recomputing the value assessment, editing its rules."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanxi.core import events
from guanxi.core.actions import ActionError
from guanxi.core.choices import Role
from guanxi.core.models import User

from . import churn, score_store
from .assessment import assess, model_summary
from .choices import RunTrigger
from .churn_actions import train_churn_model  # noqa: F401  (churn writes live there)
from .models import AssessmentConfig, AssessmentRun

# (what is happening, units done, units in total); the CLI draws it as a progress bar.
Progress = Callable[[str, int, int], None]


def _check_admin(by: User | None) -> None:
    # The system (nightly task, CLI on the server) runs as None; people must be admins.
    if by is not None and by.role != Role.ADMIN:
        raise ActionError("只有管理员可以执行此操作", code="forbidden")


def recompute_value_assessment(
    *,
    by: User | None,
    trigger: str = RunTrigger.MANUAL,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> AssessmentRun:
    """Recompute RFM, CLV and value classes of every customer and store them.

    Scores are upserted, class moves become ValueClassChange rows and the
    customers' `value_class` is updated in bulk; the run records ONE event (a
    million per-customer events would drown the timeline and the audit trail —
    the history rows carry the per-customer detail).
    """
    _check_admin(by)
    now = now or timezone.now()
    report = progress or (lambda _what, _done, _total: None)
    config = AssessmentConfig.current()
    steps = {"aggregate": 1, "rfm": 2, "clv": 3, "classes": 4}
    assessment = assess(now, config, lambda step: report(step, steps[step], 5))
    total = assessment.purchases.size
    written = 0

    def advance(n: int) -> None:
        nonlocal written
        written += n
        report("write", written, total)

    mark = time.perf_counter()
    with transaction.atomic():
        run = AssessmentRun.objects.create(
            trigger=trigger,
            triggered_by=by,
            started_at=now,
            config=config.snapshot(),
            customers=total,
            **model_summary(assessment.clv),
            error=assessment.clv.error,
        )
        score_store.replace_scores(assessment, run.pk, advance)
        assessment.seconds["write_scores"] = time.perf_counter() - mark
        mark = time.perf_counter()
        run.changes = score_store.record_class_changes(assessment, run.pk, now)
        assessment.seconds["classes_write"] = time.perf_counter() - mark
        # Churn risk from the same arrays (signals, weights: churn.py); its own seconds.
        churn.score_all(assessment, run.pk, config)
        run.class_counts = assessment.class_counts()
        run.seconds = {k: round(v, 3) for k, v in assessment.seconds.items()}
        run.finished_at = timezone.now()
        run.save(update_fields=["changes", "class_counts", "seconds", "finished_at"])
        events.record(
            by,
            "analytics.recomputed",
            run,
            summary=f"价值评估：{total} 位客户，{run.changes} 位分类变化",
            changes={"customers": total, "class_changes": run.changes, **run.class_counts},
        )
    report("done", total, total)
    return run


CONFIG_FIELDS = [
    f.name
    for f in AssessmentConfig._meta.fields
    if f.name not in ("id", "updated_at", "updated_by")
]


@transaction.atomic
def update_assessment_config(data: dict[str, Any], *, by: User) -> AssessmentConfig:
    """Change the value-class rules (validated data from AssessmentConfigForm)."""
    _check_admin(by)
    if by is None:
        raise ActionError("只有管理员可以执行此操作", code="forbidden")
    config = AssessmentConfig.objects.select_for_update().get_or_create(pk=1)[0]
    before = config.snapshot()
    for name in CONFIG_FIELDS:
        if name in data:
            setattr(config, name, data[name])
    config.updated_at = timezone.now()
    config.updated_by = by
    config.save()
    changes = events.diff(before, config.snapshot(), CONFIG_FIELDS)
    events.record(by, "analytics.config_changed", config, summary="价值评估规则", changes=changes)
    return config
