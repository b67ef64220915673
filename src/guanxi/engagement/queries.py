"""Reads of follow-up tasks, always through restrict()."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet

from guanxi.sales.models import Order

from .choices import TaskKind, TaskStatus
from .models import FollowUpTask

if TYPE_CHECKING:
    from guanxi.core.models import User
    from guanxi.customers.models import Customer

CUSTOMER_TASK_ROWS = 10


def visible_tasks(user: User) -> QuerySet[FollowUpTask]:
    return FollowUpTask.objects.restrict(user, "view")


def my_tasks(user: User, status: str = TaskStatus.OPEN) -> QuerySet[FollowUpTask]:
    """Tasks assigned to the user (within scope), soonest due first."""
    qs = visible_tasks(user).filter(assignee=user).select_related("customer", "created_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("due_date", "id")


def task_status(filters: dict[str, str]) -> str:
    """The status 我的任务 shows: open unless the page says otherwise ("" = all)."""
    status = filters.get("status", TaskStatus.OPEN)
    return status if status in TaskStatus.values or status == "" else TaskStatus.OPEN


def task_list(user: User, filters: dict[str, str]) -> QuerySet[FollowUpTask]:
    """我的任务 as the page filters it; the page and its export share it."""
    return my_tasks(user, task_status(filters))


def customer_tasks(user: User, customer: Customer) -> list[FollowUpTask]:
    """The 360 section: open tasks first, then the latest closed ones (one query)."""
    return list(
        visible_tasks(user)
        .filter(customer_id=customer.pk)
        .select_related("assignee")
        .order_by("-status", "due_date", "-id")[:CUSTOMER_TASK_ROWS]
    )


@dataclass
class WinBackRate:
    done: int  # win-back tasks completed
    returned: int  # of those, customers who bought after the task was done

    @property
    def rate(self) -> float | None:
        return self.returned / self.done if self.done else None


def win_back_rate(user: User) -> WinBackRate:
    """挽回成功率 within the user's scope: a done win-back counts once the customer buys again."""
    done = visible_tasks(user).filter(kind=TaskKind.WIN_BACK, status=TaskStatus.DONE)
    bought_after = Order.objects.filter(
        customer_id=OuterRef("customer_id"), ordered_at__gt=OuterRef("completed_at")
    )
    return WinBackRate(done=done.count(), returned=done.filter(Exists(bought_after)).count())
