"""REST endpoints for follow-up tasks: /api/v1/tasks….

Tasks follow their customer's scope: reading needs view scope on the customer,
creating and closing need change scope. Outside the scope: 404.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from guanxi.core.api import (
    ERRORS,
    Strict,
    actor,
    clamp_limit,
    form_data,
    form_error,
    invalid,
    require,
    scoped_or_404,
    writable_or_404,
)
from guanxi.core.permissions import CHANGE
from guanxi.customers.models import Customer

from . import actions
from .choices import TaskKind, TaskStatus
from .forms import OutcomeForm, TaskForm
from .models import FollowUpTask
from .queries import visible_tasks

router = Router(tags=["engagement"])


class TaskOut(Schema):
    id: int
    customer_id: int
    kind: str
    title: str
    notes: str
    assignee_id: int
    due_date: date
    status: str
    outcome: str
    created_by_id: int | None
    created_at: datetime
    completed_at: datetime | None


class TaskListOut(Schema):
    items: list[TaskOut]
    next_cursor: str | None = None


class TaskIn(Strict):
    customer_id: int
    kind: TaskKind
    title: str
    notes: str = ""
    assignee_id: int | None = None
    due_date: date


class OutcomeIn(Strict):
    outcome: str = ""


def task_out(task: FollowUpTask) -> dict[str, Any]:
    return {name: getattr(task, name) for name in TaskOut.model_fields}


@router.get("/tasks", response={200: TaskListOut, **ERRORS})
def list_tasks(
    request: HttpRequest,
    status: TaskStatus | None = None,
    kind: TaskKind | None = None,
    customer_id: int | None = None,
    mine: bool = False,
    limit: int = 50,
    cursor: int | None = None,
) -> Any:
    """Soonest due first within the caller's scope; `cursor` is the last id of the page before."""
    user = actor(request)
    qs = visible_tasks(user)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if mine:
        qs = qs.filter(assignee=user)
    size = clamp_limit(limit)
    # Keyset on id: tasks are few per person, and id order is stable under inserts.
    if cursor is not None:
        if cursor < 0:
            raise invalid("cursor", "无效的分页游标。", "invalid_cursor")
        qs = qs.filter(pk__gt=cursor)
    rows = list(qs.order_by("id")[: size + 1])
    next_cursor = str(rows[size - 1].pk) if len(rows) > size else None
    return {"items": [task_out(t) for t in rows[:size]], "next_cursor": next_cursor}


@router.post("/tasks", response={201: TaskOut, 200: TaskOut, **ERRORS})
def create_task(request: HttpRequest, payload: TaskIn) -> Any:
    """Create a task; an open win-back task for the customer is returned (200), not doubled."""
    user = actor(request)
    require(user, CHANGE)
    values = payload.model_dump()
    customer = scoped_or_404(Customer, user, values.pop("customer_id"), CHANGE)
    form = TaskForm(data=form_data(values, {"assignee_id": "assignee"}))
    if not form.is_valid():
        raise form_error(form, rename={"assignee": "assignee_id"})
    before = set(
        FollowUpTask.objects.filter(customer=customer, status=TaskStatus.OPEN).values_list(
            "pk", flat=True
        )
    )
    task = actions.create_task(customer, form.cleaned_data, by=user)
    return Status(200 if task.pk in before else 201, task_out(task))


@router.get("/tasks/{id}", response={200: TaskOut, **ERRORS})
def get_task(request: HttpRequest, id: int) -> Any:
    return task_out(scoped_or_404(FollowUpTask, actor(request), id))


def _outcome(payload: OutcomeIn) -> str:
    form = OutcomeForm(data=form_data(payload.model_dump()))
    if not form.is_valid():
        raise form_error(form)
    return str(form.cleaned_data["outcome"])


@router.post("/tasks/{id}/complete", response={200: TaskOut, **ERRORS})
def complete_task(request: HttpRequest, id: int, payload: OutcomeIn) -> Any:
    user, task = writable_or_404(request, FollowUpTask, id, CHANGE)
    return task_out(actions.complete_task(task, by=user, outcome=_outcome(payload)))


@router.post("/tasks/{id}/cancel", response={200: TaskOut, **ERRORS})
def cancel_task(request: HttpRequest, id: int, payload: OutcomeIn) -> Any:
    user, task = writable_or_404(request, FollowUpTask, id, CHANGE)
    return task_out(actions.cancel_task(task, by=user, outcome=_outcome(payload)))
