"""Crisis events (危机事件, SPEC §10): identification, risk level, response, communication, recovery.

A crisis is a company-wide record: every member of staff may read its header, so a
rep learns that a recall touches their accounts. Everything about a *customer*
(who is affected, who was contacted, where each stands) follows the customer's
scope (`restrict_path = "customer__"`), so a rep sees only their own customers in
it and a manager their team's. Recording and running the response needs the
`respond` action (admins, agents, regional managers, managers).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.permissions import RESPOND, VIEW, can
from guanxi.core.querysets import RestrictedQuerySet

from .choices import Channel, CrisisKind, CrisisStatus, Recovery, RiskLevel

USER = settings.AUTH_USER_MODEL


class CrisisQuerySet(RestrictedQuerySet["Crisis"]):
    def restrict(self, user: Any, action: str = VIEW) -> CrisisQuerySet:
        """Readers: anyone who may view customers. Any other action: whoever may `respond`."""
        if action == VIEW:
            return self if can(user, VIEW) else self.none()
        return self if can(user, RESPOND) else self.none()


class Crisis(models.Model):
    """One crisis: what happened, how grave, the plan, and each stage's date."""

    kind = models.CharField(_("类型"), max_length=24, choices=CrisisKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("情况说明"), blank=True)
    risk_level = models.CharField(_("风险等级"), max_length=1, choices=RiskLevel.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=CrisisStatus.choices, default=CrisisStatus.IDENTIFIED
    )
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("负责人")
    )
    response_plan = models.TextField(_("应对方案"), blank=True)
    identified_at = models.DateTimeField(_("识别时间"), default=timezone.now)
    responding_at = models.DateTimeField(_("开始应对"), null=True, blank=True)
    recovering_at = models.DateTimeField(_("进入恢复"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CrisisQuerySet.as_manager()

    class Meta:
        verbose_name = _("危机事件")
        verbose_name_plural = _("危机事件")
        ordering = ["-identified_at", "-id"]
        indexes = [models.Index(fields=["status", "identified_at"], name="crisis_status")]

    def __str__(self) -> str:
        return f"{self.get_risk_level_display()} {self.title}"


class CustomerScopedQuerySet(RestrictedQuerySet[Any]):
    restrict_path = "customer__"


class AffectedCustomer(models.Model):
    """A customer touched by a crisis, and where their recovery stands."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="affected")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="crises"
    )
    recovery = models.CharField(
        _("恢复状态"), max_length=16, choices=Recovery.choices, default=Recovery.PENDING
    )
    note = models.CharField(_("备注"), max_length=255, blank=True)
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CustomerScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["crisis", "customer"], name="crisis_customer_once")
        ]
        indexes = [models.Index(fields=["customer", "crisis"], name="crisis_by_customer")]

    def __str__(self) -> str:
        return f"{self.crisis_id}: {self.customer_id} {self.recovery}"


class ResponseUpdate(models.Model):
    """A dated entry of the response log (what was done, decided or learnt)."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="updates")
    happened_at = models.DateTimeField(_("日期"), default=timezone.now)
    body = models.TextField(_("进展"))
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CrisisQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-happened_at", "-id"]

    def __str__(self) -> str:
        return f"{self.crisis_id} {self.happened_at:%Y-%m-%d}"


class Communication(models.Model):
    """A message to the affected customers the sender reaches: e-mailed, or a logged contact."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="communications")
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    subject = models.CharField(_("主题"), max_length=200, blank=True)
    content = models.TextField(_("内容"))
    recipient_count = models.PositiveIntegerField(_("发送客户数"), default=0)
    skipped_count = models.PositiveIntegerField(_("无地址客户数"), default=0)
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    objects = CrisisQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.crisis_id} {self.channel} → {self.recipient_count}"


class CommunicationRecipient(models.Model):
    """Who a communication reached, and at which address (e-mail) — per customer, scoped."""

    communication = models.ForeignKey(
        Communication, on_delete=models.CASCADE, related_name="recipients"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    address = models.CharField(max_length=254, blank=True)

    objects = CustomerScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["communication", "customer"], name="crisis_recipient_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.communication_id} → {self.customer_id}"
