"""Writes of the evaluation app: KPI targets (admins only) and the audit of report downloads."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from guanxi.core import events
from guanxi.core.actions import ActionError
from guanxi.core.choices import Role
from guanxi.core.models import User

from .models import KpiTarget

TARGET_FIELDS = ("kpi", "team", "value", "direction")


def _admin_only(by: User | None) -> None:
    if by is None or by.role != Role.ADMIN:
        raise ActionError("只有管理员可以设定指标目标。", code="permission_denied")


@transaction.atomic
def save_kpi_target(
    data: dict[str, Any], *, by: User, target: KpiTarget | None = None
) -> KpiTarget:
    """Create or change a target from a valid KpiTargetForm's cleaned data."""
    _admin_only(by)
    before = {f: getattr(target, f) for f in TARGET_FIELDS} if target else {}
    target = target or KpiTarget()
    for name in TARGET_FIELDS:
        setattr(target, name, data[name])
    target.updated_at, target.updated_by = timezone.now(), by
    target.save()
    after = {f: getattr(target, f) for f in TARGET_FIELDS}
    events.record(
        by,
        "evaluation.target_saved",
        target,
        summary=f"指标目标 {target}",
        changes=events.diff(before, after, TARGET_FIELDS),
    )
    return target


@transaction.atomic
def delete_kpi_target(target: KpiTarget, *, by: User) -> None:
    _admin_only(by)
    events.record(
        by,
        "evaluation.target_deleted",
        target,
        summary=f"删除指标目标 {target}",
        changes={f: [events.masked(f, getattr(target, f)), None] for f in TARGET_FIELDS},
    )
    target.delete()


def record_report_download(by: User, label: str, file_format: str) -> None:
    """Audit who took which evaluation report out (an audit-only verb, as list exports)."""
    events.record(
        by,
        "export.downloaded",
        summary=f"评估报告 {label}（{file_format}）",
        changes={"report": label, "format": file_format},
    )
