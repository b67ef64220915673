"""Writes of follow-up tasks: create, create a win-back task (idempotent), complete, cancel.

Each writes one event on the customer, so the 360 timeline shows the task's life.
Tasks follow their customer's scope: whoever may change the customer may create
and close its tasks; callers pass customers they found through restrict().
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from guanxi.core import events
from guanxi.core.actions import ActionError
from guanxi.core.models import User
from guanxi.core.permissions import CHANGE
from guanxi.customers.models import Customer

from .choices import TaskKind, TaskStatus
from .models import FollowUpTask

WIN_BACK_DUE_DAYS = 3


def _check_changeable(customer: Customer, by: User) -> None:
    if not Customer.objects.restrict(by, CHANGE).filter(pk=customer.pk).exists():
        raise ActionError("无权为此客户安排任务", code="forbidden", field="customer")


def _assignee(customer: Customer, chosen: User | None, by: User) -> User:
    # The customer's owner does the follow-up; an unowned customer's falls to its creator.
    if chosen is not None:
        if not chosen.is_active:
            raise ActionError("负责人已停用", code="invalid_assignee", field="assignee")
        return chosen
    return customer.owner if customer.owner_id and customer.owner.is_active else by


@transaction.atomic
def create_task(customer: Customer, data: dict[str, Any], *, by: User) -> FollowUpTask:
    """A task from TaskForm's cleaned data (an open win-back task is reused, see below)."""
    _check_changeable(customer, by)
    if data["kind"] == TaskKind.WIN_BACK:
        task, _created = create_win_back_task(
            customer,
            by=by,
            title=data["title"],
            notes=data.get("notes", ""),
            due_date=data["due_date"],
            assignee=data.get("assignee"),
        )
        return task
    task = FollowUpTask.objects.create(
        customer=customer,
        kind=data["kind"],
        title=data["title"],
        notes=data.get("notes", ""),
        assignee=_assignee(customer, data.get("assignee"), by),
        due_date=data["due_date"],
        created_by=by,
    )
    _record_created(task, by)
    return task


def _record_created(task: FollowUpTask, by: User) -> None:
    events.record(
        by,
        "task.created",
        task,
        customer_id=task.customer_id,
        summary=f"{task.get_kind_display()}：{task.title}（{task.assignee}，{task.due_date:%Y-%m-%d} 前）",
        changes={
            "kind": task.kind,
            "assignee": str(task.assignee),
            "due_date": task.due_date.isoformat(),
        },
    )


def create_win_back_task(
    customer: Customer,
    *,
    by: User,
    title: str = "客户挽回",
    notes: str = "",
    due_date: date | None = None,
    assignee: User | None = None,
) -> tuple[FollowUpTask, bool]:
    """A win-back task for the customer's owner, or the open one already there.

    Idempotent: a second click, a bulk run over rows that already have a task,
    or two managers at once leave one open win-back task per customer (a
    partial unique constraint backs the check). Returns (task, created).
    """
    _check_changeable(customer, by)
    existing = FollowUpTask.objects.filter(
        customer=customer, kind=TaskKind.WIN_BACK, status=TaskStatus.OPEN
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            task = FollowUpTask.objects.create(
                customer=customer,
                kind=TaskKind.WIN_BACK,
                title=title[:200],
                notes=notes,
                assignee=_assignee(customer, assignee, by),
                due_date=due_date or timezone.localdate() + timedelta(days=WIN_BACK_DUE_DAYS),
                created_by=by,
            )
            _record_created(task, by)
    except IntegrityError:
        # Someone else created it between our check and our insert.
        existing = FollowUpTask.objects.get(
            customer=customer, kind=TaskKind.WIN_BACK, status=TaskStatus.OPEN
        )
        return existing, False
    return task, True


def _close(task: FollowUpTask, status: str, verb: str, outcome: str, by: User) -> FollowUpTask:
    with transaction.atomic():
        locked = FollowUpTask.objects.select_for_update().get(pk=task.pk)
        _check_changeable(locked.customer, by)
        if locked.status != TaskStatus.OPEN:
            raise ActionError("任务已关闭", code="task_closed", field="status")
        now = timezone.now()
        locked.status, locked.outcome, locked.updated_at = status, outcome, now
        locked.completed_at = now if status == TaskStatus.DONE else None
        locked.save(update_fields=["status", "outcome", "updated_at", "completed_at"])
        events.record(
            by,
            verb,
            locked,
            customer_id=locked.customer_id,
            summary=f"{locked.get_kind_display()}：{locked.title}"
            + (f"（{outcome}）" if outcome else ""),
            changes={"status": [TaskStatus.OPEN, status], "outcome": outcome},
        )
    return locked


def complete_task(task: FollowUpTask, *, by: User, outcome: str) -> FollowUpTask:
    """Mark the task done with its outcome (a done task counts as a touch of the customer)."""
    if not outcome.strip():
        raise ActionError("请填写结果", code="required", field="outcome")
    return _close(task, TaskStatus.DONE, "task.completed", outcome.strip(), by)


def cancel_task(task: FollowUpTask, *, by: User, outcome: str = "") -> FollowUpTask:
    return _close(task, TaskStatus.CANCELLED, "task.cancelled", outcome.strip(), by)
