"""Tickets and everything the service desk keeps about them.

Tickets follow the scope of their customer (`restrict_path = "customer__"`): a rep
sees the tickets of the customers they own, managers their teams', service agents
and admins all. A ticket from the public web form that matches no customer has
no customer, so only the all-seeing roles (admin, agent, marketing, analyst) see it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.fields import EncryptedTextField
from guanxi.core.permissions import CONFIGURE
from guanxi.core.querysets import RestrictedQuerySet
from guanxi.customers.choices import ValueClass

from .choices import (
    AssignStrategy,
    Channel,
    ClockKind,
    DayKind,
    DisputeStage,
    LineKind,
    MessageKind,
    NotificationKind,
    Priority,
    Status,
    TicketType,
)

USER = settings.AUTH_USER_MODEL
DONE = (Status.RESOLVED, Status.FEEDBACK, Status.FOLLOW_UP, Status.CLOSED)
# Every status not in DONE. Spelled out (not `~Q(status__in=DONE)`) because a
# partial index is only used when the query's condition is the index's own.
UNFINISHED = tuple(s for s in Status.values if s not in DONE)


class TicketQuerySet(RestrictedQuerySet["Ticket"]):
    restrict_path = "customer__"

    def unfinished(self) -> TicketQuerySet:
        return self.filter(status__in=UNFINISHED)

    def overdue(self, now: object = None) -> TicketQuerySet:
        now = now or timezone.now()
        return self.filter(escalate_at__lte=now)


class Ticket(models.Model):
    """A customer's matter: an inquiry, a complaint, a repair… with its SLA clocks.

    `warn_at` and `escalate_at` are the periodic scan's cursors: the next moment
    something must happen to this ticket, cleared once it has happened (or while
    the clock is paused), so the scan is two index range reads however many
    tickets are open.
    """

    ticket_type = models.CharField(_("类型"), max_length=16, choices=TicketType.choices)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    priority = models.CharField(
        _("优先级"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("客户"),
    )
    subject = models.CharField(_("事项"), max_length=200)
    description = models.TextField(_("详情"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    received_at = models.DateTimeField(_("受理时间"), default=timezone.now)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("处理人"),
    )
    team = models.ForeignKey(
        "core.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    skill = models.CharField(_("所需技能"), max_length=32, blank=True)
    asset_identifier = models.CharField(_("车辆/设备编号"), max_length=64, blank=True)

    sla_policy = models.ForeignKey(
        "service.SlaPolicy", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_response_due = models.DateTimeField(_("首次响应期限"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("解决期限"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    waiting_since = models.DateTimeField(_("等待客户自"), null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalate_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalation_level = models.PositiveSmallIntegerField(default=0, editable=False)
    response_breached = models.BooleanField(default=False, editable=False)
    resolution_breached = models.BooleanField(default=False, editable=False)

    resolution = models.TextField(_("处理结果"), blank=True)
    lessons_learned = models.TextField(_("总结"), blank=True)
    dispute_stage = models.CharField(
        _("争议阶段"), max_length=16, choices=DisputeStage.choices, blank=True, default=""
    )
    submitter_ip = models.GenericIPAddressField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        indexes = [
            models.Index(fields=["created_at", "id"], name="ticket_created"),
            models.Index(fields=["customer", "created_at"], name="ticket_customer"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee"),
            # The least-load assignment counts an agent's unfinished tickets on every
            # create; this index holds only those rows (≈10 % of the table), so the
            # count does not grow with the agent's closed history.
            models.Index(
                fields=["assignee"],
                name="ticket_open_assignee",
                condition=models.Q(status__in=UNFINISHED),
            ),
            models.Index(fields=["status", "created_at", "id"], name="ticket_status"),
            models.Index(fields=["warn_at"], name="ticket_warn_at"),
            models.Index(fields=["escalate_at"], name="ticket_escalate_at"),
            models.Index(fields=["submitter_ip", "created_at"], name="ticket_ip"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_complaint(self) -> bool:
        return self.ticket_type == TicketType.COMPLAINT

    @property
    def is_open(self) -> bool:
        return self.status not in DONE

    @property
    def paused(self) -> bool:
        return self.waiting_since is not None


class TicketChildQuerySet(RestrictedQuerySet[models.Model]):
    restrict_path = "ticket__customer__"


class StatusChange(models.Model):
    """Each step a ticket took, with its date and what was recorded at that step."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    objects = TicketChildQuerySet.as_manager()

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.from_status or '—'} → {self.to_status}"


class DisputeStep(models.Model):
    """One stage of a dispute: 协商, 第三方调解 (who mediated) or 法律诉讼 (which court, case no.)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="dispute_steps")
    stage = models.CharField(_("阶段"), max_length=16, choices=DisputeStage.choices)
    started_at = models.DateTimeField(_("开始日期"), default=timezone.now)
    ended_at = models.DateTimeField(_("结束日期"), null=True, blank=True)
    counterpart = models.CharField(_("调解机构/法院"), max_length=128, blank=True)
    record = models.TextField(_("记录"), blank=True)
    outcome = models.TextField(_("结果"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    objects = TicketChildQuerySet.as_manager()

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.stage}"


class TicketMessage(models.Model):
    """A reply to the customer, an internal note (never shown to the customer) or their message."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("类别"), max_length=8, choices=MessageKind.choices)
    body = models.TextField(_("内容"))
    author = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = TicketChildQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class Attachment(models.Model):
    """A checked file stored under the data dir; the row holds its name, type, size and hash."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_as = models.CharField(max_length=200, editable=False)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = TicketChildQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return str(self.name)


class RepairLine(models.Model):
    """A part or a labour item on a repair work order."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="repair_lines")
    kind = models.CharField(_("类别"), max_length=8, choices=LineKind.choices)
    description = models.CharField(_("名称"), max_length=128)
    quantity = models.DecimalField(_("数量/工时"), max_digits=10, decimal_places=2)
    unit_price = models.DecimalField(_("单价"), max_digits=12, decimal_places=2)

    objects = TicketChildQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="repair_qty_pos"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="repair_price_ok"),
        ]

    def __str__(self) -> str:
        return f"{self.description} × {self.quantity}"

    @property
    def amount(self) -> object:
        return self.quantity * self.unit_price


class ConfigQuerySet(RestrictedQuerySet[Any]):
    """Service-desk settings are one table for the whole company, not customer records:
    whoever may `configure` (admins) reaches every row, everyone else none.

    (Intake forms read the active bays and policies as reference data, not through
    a user's scope; the configuration screens read through `restrict`.)
    """

    def restrict(self, user: Any, action: str = CONFIGURE) -> ConfigQuerySet:
        return super().restrict(user, CONFIGURE)  # type: ignore[return-value]


class ServiceBay(models.Model):
    """A workshop bay (工位) and how many maintenance appointments it takes per day."""

    name = models.CharField(_("工位"), max_length=64, unique=True)
    daily_capacity = models.PositiveSmallIntegerField(_("每日容量"), default=8)
    active = models.BooleanField(_("启用"), default=True)

    objects = ConfigQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return str(self.name)


class BayDay(models.Model):
    """A bay's bookable day. `booked <= capacity` is a database constraint, so no race overbooks."""

    bay = models.ForeignKey(ServiceBay, on_delete=models.PROTECT, related_name="days")
    day = models.DateField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bay", "day"], name="bayday_unique"),
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")), name="bayday_not_overbooked"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bay_id} {self.day}: {self.booked}/{self.capacity}"


class Booking(models.Model):
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="booking")
    bay_day = models.ForeignKey(BayDay, on_delete=models.PROTECT, related_name="bookings")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.ticket_id} @ {self.bay_day_id}"


# --- SLA configuration ---------------------------------------------------------------


class SlaPolicy(models.Model):
    """Targets for tickets of a type, priority and customer class; blank means "any".

    The most specific active policy wins (see `sla.policy_for`). Seeded with the
    manuals' numbers; admins edit them.
    """

    name = models.CharField(_("名称"), max_length=64)
    ticket_type = models.CharField(_("类型"), max_length=16, choices=TicketType.choices, blank=True)
    priority = models.CharField(_("优先级"), max_length=8, choices=Priority.choices, blank=True)
    value_class = models.CharField(
        _("客户价值分类"), max_length=16, choices=ValueClass.choices, blank=True
    )
    first_response_hours = models.DecimalField(
        _("首次响应/处理意见（小时）"), max_digits=7, decimal_places=2
    )
    resolution_hours = models.DecimalField(_("解决（小时）"), max_digits=7, decimal_places=2)
    clock = models.CharField(
        _("计时方式"), max_length=8, choices=ClockKind.choices, default=ClockKind.CALENDAR
    )
    warn_before_minutes = models.PositiveIntegerField(_("提前预警（分钟）"), default=120)
    active = models.BooleanField(_("启用"), default=True)

    objects = ConfigQuerySet.as_manager()

    class Meta:
        ordering = ["ticket_type", "priority", "value_class", "id"]

    def __str__(self) -> str:
        return str(self.name)


class ServiceTarget(models.Model):
    """A KPI target drawn on the charts (resolution rate ≥ 90 %, satisfaction ≥ 80 %…)."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    percent = models.DecimalField(_("目标（%）"), max_digits=5, decimal_places=2)

    objects = ConfigQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.name} ≥ {self.percent}%"


class WorkingHours(models.Model):
    """The service desk's working day (one row): 09:00–18:00 with a lunch break by default."""

    starts = models.TimeField(_("上班"))
    ends = models.TimeField(_("下班"))
    lunch_starts = models.TimeField(_("午休开始"), null=True, blank=True)
    lunch_ends = models.TimeField(_("午休结束"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.starts:%H:%M}–{self.ends:%H:%M}"


class CalendarDay(models.Model):
    """An exception to "Monday–Friday work": a public holiday or a 调休 make-up working day.

    Seeded from the `chinese-calendar` package; when the State Council publishes a
    new year's arrangement an admin edits these rows.
    """

    day = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类别"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=32, blank=True)
    # With the row count, the newest `updated_at` fingerprints the table, so each
    # process can keep the calendar in memory and reload it only after an edit.
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ConfigQuerySet.as_manager()

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.name}".strip()


# --- assignment ----------------------------------------------------------------------


class AgentSkill(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="service_skills")
    skill = models.CharField(_("技能"), max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "skill"], name="agentskill_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.skill}"


class AgentLoad(models.Model):
    """How many unfinished tickets an agent holds: what least-load assignment compares.

    Kept by the ticket actions (assign +1, hand over −1/+1, finish −1, reopen +1)
    with `F()` increments, so choosing an agent reads one small row per candidate
    instead of counting the open backlog (100k open tickets: ≈60 ms on SQLite,
    ≈300 ms on PostgreSQL per create). A missing row is filled by a count the
    first time it is needed; `assignment.recount_loads()` rebuilds them all after
    writes that bypass the actions (bulk loads).
    """

    user = models.OneToOneField(USER, on_delete=models.CASCADE, primary_key=True, related_name="+")
    open_tickets = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.open_tickets}"


class AssignmentRule(models.Model):
    """Who gets new tickets: matched in `position` order on type and skill.

    Candidates are active service agents (of `team` when set) with the skill; the
    strategy picks among them. `last_assignee` is the round-robin pointer.
    """

    name = models.CharField(_("名称"), max_length=64)
    position = models.PositiveSmallIntegerField(_("顺序"), default=100)
    ticket_type = models.CharField(_("类型"), max_length=16, choices=TicketType.choices, blank=True)
    skill = models.CharField(_("技能"), max_length=32, blank=True)
    team = models.ForeignKey(
        "core.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    strategy = models.CharField(
        _("策略"), max_length=16, choices=AssignStrategy.choices, default=AssignStrategy.LEAST_LOAD
    )
    last_assignee = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return str(self.name)


# --- notifications, surveys, revisits ------------------------------------------------


class NotificationQuerySet(RestrictedQuerySet["Notification"]):
    restrict_kind = "user"


class Notification(models.Model):
    """An in-app message to one member of staff (the e-mail copy goes out after commit)."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    message = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return str(self.message)


class SurveyResponse(models.Model):
    """满意度 (CSAT): 1–5 from the link sent at close; 4 and 5 count as satisfied."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="survey")
    score = models.PositiveSmallIntegerField(_("满意度"))
    comment = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TicketChildQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="survey_score_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"


class RevisitTask(models.Model):
    """回访: a call back to the customer after a complaint or repair is closed."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="revisits")
    assignee = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    due_at = models.DateTimeField(_("回访期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    outcome = models.TextField(_("回访结果"), blank=True)

    objects = TicketChildQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} 回访 {self.due_at:%Y-%m-%d}"
