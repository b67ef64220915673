"""Follow-up tasks (跟进任务): a win-back call, a due contact, anything a rep must do next."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.querysets import RestrictedQuerySet

from .choices import TaskKind, TaskStatus


class FollowUpTaskQuerySet(RestrictedQuerySet["FollowUpTask"]):
    """Tasks follow their customer's scope: whoever sees the customer sees its tasks."""

    restrict_path = "customer__"

    def open(self) -> FollowUpTaskQuerySet:
        return self.filter(status=TaskStatus.OPEN)


class FollowUpTask(models.Model):
    """Something to do about one customer, by one person, by a date.

    A completed task counts as a touch for the churn model's "overdue contact"
    signal; a done win-back task followed by a purchase is a successful win-back.
    """

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="follow_up_tasks",
        verbose_name=_("客户"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=TaskKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    notes = models.TextField(_("说明"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="follow_up_tasks",
        verbose_name=_("负责人"),
    )
    due_date = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    outcome = models.TextField(_("结果"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, editable=False)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = FollowUpTaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("跟进任务")
        verbose_name_plural = _("跟进任务")
        indexes = [
            models.Index(fields=["assignee", "status", "due_date"], name="task_assignee_due"),
            models.Index(fields=["customer", "status"], name="task_customer_status"),
        ]
        constraints = [
            # At most one open win-back task per customer, so a second click (or two
            # managers at once) cannot create a duplicate: the database refuses it.
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(kind=TaskKind.WIN_BACK, status=TaskStatus.OPEN),
                name="task_one_open_win_back",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()
