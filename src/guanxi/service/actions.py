"""Every write to tickets. Views, API and tasks validate input and call these.

Each action checks the actor's scope on the ticket's customer again, writes in one
transaction and records one event (on the customer's timeline when there is a
customer). Mail to customers and staff goes out after commit.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core import events
from guanxi.core.actions import ActionError
from guanxi.core.models import User
from guanxi.core.permissions import CHANGE, CONFIGURE, can
from guanxi.customers.actions import NotFound
from guanxi.customers.models import Customer

from . import appointments, assignment, attachments, sla, surveys, workflow
from .calendar import WorkingCalendar
from .choices import DayKind, MessageKind, NotificationKind, Status, TicketType
from .models import (
    DONE,
    Attachment,
    CalendarDay,
    DisputeStep,
    Notification,
    RepairLine,
    RevisitTask,
    ServiceBay,
    ServiceTarget,
    SlaPolicy,
    StatusChange,
    SurveyResponse,
    Ticket,
    TicketMessage,
)
from .notifications import notify, send_after_commit

TICKET_FIELDS = [
    "ticket_type", "channel", "priority", "subject", "description", "contact_name",
    "contact_phone", "contact_email", "received_at", "skill", "asset_identifier",
]  # fmt: skip


def check_ticket(user: User | None, action: str, ticket: Ticket) -> None:
    if not Ticket.objects.restrict(user, action).filter(pk=ticket.pk).exists():
        raise NotFound()


def _record(by: User | None, verb: str, ticket: Ticket, summary: str, **changes: Any) -> None:
    events.record(
        by,
        verb,
        ticket,
        customer_id=ticket.customer_id,
        summary=f"#{ticket.pk} {summary}"[:255],
        changes={k: [events.masked(k, v[0]), events.masked(k, v[1])] for k, v in changes.items()},
    )


def _touch(ticket: Ticket, fields: list[str]) -> None:
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=[*fields, "updated_at"])


def customer_address(ticket: Ticket) -> str:
    if ticket.contact_email:
        return ticket.contact_email
    return ticket.customer.email if ticket.customer is not None else ""


@transaction.atomic
def create_ticket(
    data: dict[str, Any],
    *,
    by: User | None,
    customer: Customer | None = None,
    submitter_ip: str | None = None,
    bay: ServiceBay | None = None,
    appointment_day: date | None = None,
) -> Ticket:
    """Take in a matter: time, person, matter and contact, SLA clocks started, assigned.

    `by` is None for the public web form. Staff need change rights on the customer
    (agents have them on all customers); a ticket without a customer needs a role
    that reaches every customer.
    """
    if by is not None:
        if customer is not None:
            if not Customer.objects.restrict(by, CHANGE).filter(pk=customer.pk).exists():
                raise NotFound()
        elif not _reaches_all(by):
            raise ActionError(_("请选择客户。"), code="required", field="customer_id")
    ticket = Ticket(**{f: data[f] for f in TICKET_FIELDS if data.get(f) not in (None, "")})
    ticket.customer = customer
    ticket.created_by = by
    ticket.submitter_ip = submitter_ip
    ticket.status = workflow.initial_status(ticket.ticket_type)
    if ticket.received_at is None:
        ticket.received_at = timezone.now()
    if customer is not None and not ticket.contact_name:
        ticket.contact_name = customer.name
    policy = sla.policy_for(
        ticket.ticket_type,
        ticket.priority,
        customer.value_class if customer is not None else "",
        SlaPolicy.objects.filter(active=True),
    )
    sla.set_targets(ticket, policy)
    ticket.save()
    if ticket.ticket_type == TicketType.MAINTENANCE:
        if bay is None or appointment_day is None:
            raise ActionError(
                _("预约保养须选择工位和日期。"), code="required", field="appointment_day"
            )
        appointments.book(ticket, bay, appointment_day)
    assignee = assignment.pick_assignee(ticket)
    if assignee is not None:
        ticket.assignee, ticket.team_id = assignee, assignee.team_id
        ticket.save(update_fields=["assignee", "team"])
        assignment.shift_load(assignee.pk, +1)
        notify(
            [assignee],
            NotificationKind.ASSIGNED,
            _("新工单 #%(id)s：%(s)s") % {"id": ticket.pk, "s": ticket.subject},
            ticket,
        )
    StatusChange.objects.create(ticket=ticket, to_status=ticket.status, changed_by=by)
    _record(
        by,
        "ticket.created",
        ticket,
        ticket.subject,
        status=[None, ticket.status],
        ticket_type=[None, ticket.ticket_type],
        channel=[None, ticket.channel],
    )
    to = customer_address(ticket)
    if to:
        send_after_commit(
            [
                (
                    to,
                    _("您的服务请求已受理（工单 #%(id)s）") % {"id": ticket.pk},
                    _confirmation(ticket),
                )
            ]
        )
    return ticket


def _reaches_all(user: User) -> bool:
    from guanxi.core.choices import Scope
    from guanxi.core.permissions import scope_for

    return scope_for(user, CHANGE) == Scope.ALL


def _confirmation(ticket: Ticket) -> str:
    local = timezone.localtime(ticket.received_at)
    lines = [
        _("%(name)s，您好：") % {"name": ticket.contact_name or _("客户")},
        _("我们已于 %(when)s 受理您的%(type)s：%(subject)s。")
        % {
            "when": f"{local:%Y-%m-%d %H:%M}",
            "type": ticket.get_ticket_type_display(),
            "subject": ticket.subject,
        },
        _("工单号：%(id)s。") % {"id": ticket.pk},
    ]
    if ticket.first_response_due:
        due = timezone.localtime(ticket.first_response_due)
        lines.append(_("我们将在 %(due)s 前答复您。") % {"due": f"{due:%Y-%m-%d %H:%M}"})
    return "\n".join(lines)


@transaction.atomic
def add_repair_line(ticket: Ticket, data: dict[str, Any], *, by: User) -> RepairLine:
    check_ticket(by, CHANGE, ticket)
    if ticket.ticket_type != TicketType.REPAIR:
        raise ActionError(_("只有维修工单有配件和工时。"), code="not_a_repair", field="kind")
    line = RepairLine.objects.create(ticket=ticket, **data)
    _record(
        by,
        "ticket.repair_line_added",
        ticket,
        f"{line.get_kind_display()} {line.description}",
        amount=[None, str(line.amount)],
    )
    return line


def _first_response(ticket: Ticket, now: Any) -> list[str]:
    if ticket.first_responded_at is not None:
        return []
    ticket.first_responded_at = now
    sla.refresh_cursors(ticket, ticket.sla_policy)
    return ["first_responded_at", "warn_at", "escalate_at"]


@transaction.atomic
def add_message(ticket: Ticket, body: str, *, kind: str, by: User) -> TicketMessage:
    """A reply (mailed to the customer; the first one stops the response clock) or an internal note."""
    check_ticket(by, CHANGE, ticket)
    if not body.strip():
        raise ActionError(_("内容不能为空。"), code="required", field="body")
    if kind not in (MessageKind.REPLY, MessageKind.NOTE):
        raise ActionError(_("无效的类别。"), code="invalid_choice", field="kind")
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("sla_policy", "customer")
        .get(pk=ticket.pk)
    )
    message = TicketMessage.objects.create(ticket=ticket, kind=kind, body=body, author=by)
    fields: list[str] = []
    if kind == MessageKind.REPLY:
        fields = _first_response(ticket, message.created_at)
        to = customer_address(ticket)
        if to:
            send_after_commit([(to, _("关于您的工单 #%(id)s") % {"id": ticket.pk}, body)])
    _touch(ticket, fields)
    # The note's text stays out of the event: the timeline is read by more people
    # than the ticket's internal notes are meant for.
    _record(
        by, f"ticket.{kind}", ticket, ticket.subject if kind == MessageKind.NOTE else body[:120]
    )
    return message


@transaction.atomic
def reassign(ticket: Ticket, assignee: User, *, by: User) -> Ticket:
    check_ticket(by, CHANGE, ticket)
    if not assignee.is_active or not can(assignee, CHANGE):
        raise ActionError(_("该用户不能处理工单。"), code="invalid_assignee", field="assignee_id")
    if not Ticket.objects.restrict(assignee, CHANGE).filter(pk=ticket.pk).exists():
        raise ActionError(
            _("该用户无权处理此客户的工单。"), code="invalid_assignee", field="assignee_id"
        )
    before = ticket.assignee
    ticket.assignee, ticket.team_id = assignee, assignee.team_id
    _touch(ticket, ["assignee", "team"])
    if ticket.is_open and (before is None or before.pk != assignee.pk):
        assignment.shift_load(before.pk if before else None, -1)
        assignment.shift_load(assignee.pk, +1)
    notify(
        [assignee],
        NotificationKind.ASSIGNED,
        _("工单 #%(id)s 转给您：%(s)s") % {"id": ticket.pk, "s": ticket.subject},
        ticket,
    )
    _record(
        by,
        "ticket.reassigned",
        ticket,
        str(assignee),
        assignee=[str(before) if before else None, str(assignee)],
    )
    return ticket


@transaction.atomic
def transition(
    ticket: Ticket,
    to: str,
    *,
    by: User,
    note: str = "",
    resolution: str = "",
    lessons_learned: str = "",
) -> Ticket:
    """Move a ticket along its workflow; illegal moves raise ActionError on `status`."""
    check_ticket(by, CHANGE, ticket)
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("sla_policy", "customer")
        .get(pk=ticket.pk)
    )
    workflow.check_transition(ticket, to, lessons_learned=lessons_learned)
    now = timezone.now()
    before = ticket.status
    ticket.status = to
    fields = ["status"]
    if before == Status.INTAKE:
        # Leaving 受理 with a direction for the investigation is the complaint's
        # first handling opinion (首次处理意见), the milestone its SLA measures.
        fields += _first_response(ticket, now)
    if to in workflow.RESOLVING:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif before in workflow.RESOLVING and to in (Status.OPEN, Status.SOLUTION):
        ticket.resolved_at = None  # reopened: the resolution clock runs again
        fields.append("resolved_at")
    if resolution:
        ticket.resolution = resolution
        fields.append("resolution")
    if to == Status.CLOSED:
        ticket.closed_at = now
        ticket.waiting_since = None
        ticket.lessons_learned = lessons_learned or ticket.lessons_learned
        fields += ["closed_at", "waiting_since", "lessons_learned"]
    sla.refresh_cursors(ticket, ticket.sla_policy)
    _touch(ticket, sorted(set(fields + ["warn_at", "escalate_at"])))
    was_open, now_open = before not in DONE, to not in DONE
    if was_open != now_open:  # finished (−1) or reopened (+1)
        assignment.shift_load(ticket.assignee_id, 1 if now_open else -1)
    StatusChange.objects.create(
        ticket=ticket, from_status=before, to_status=to, note=note, changed_by=by
    )
    _record(
        by,
        "ticket.status_changed",
        ticket,
        f"{Status(before).label} → {Status(to).label}",
        status=[before, to],
    )
    if to == Status.CLOSED:
        _after_close(ticket, by)
    return ticket


def _after_close(ticket: Ticket, by: User) -> None:
    """Send the CSAT link; complaints and repairs also get a revisit (回访) task."""
    to = customer_address(ticket)
    if to:
        link = settings.GUANXI_PUBLIC_URL.rstrip("/") + reverse(
            "service:survey", args=[surveys.token_for(ticket.pk)]
        )
        body = _("您的工单 #%(id)s 已处理完毕。请花一分钟评价我们的服务：%(link)s") % {
            "id": ticket.pk,
            "link": link,
        }
        send_after_commit([(to, _("请评价我们的服务（工单 #%(id)s）") % {"id": ticket.pk}, body)])
    if ticket.ticket_type in (TicketType.COMPLAINT, TicketType.REPAIR):
        owner = ticket.assignee or by
        task = RevisitTask.objects.create(
            ticket=ticket,
            assignee=owner,
            due_at=ticket.closed_at + timedelta(days=settings.GUANXI_REVISIT_DAYS),
        )
        notify(
            [owner],
            NotificationKind.REVISIT,
            _("请在 %(due)s 前回访工单 #%(id)s")
            % {"due": f"{timezone.localtime(task.due_at):%Y-%m-%d}", "id": ticket.pk},
            ticket,
        )


@transaction.atomic
def wait_on_customer(ticket: Ticket, *, by: User) -> Ticket:
    """Stop the SLA clock until the customer answers (or staff resume it)."""
    check_ticket(by, CHANGE, ticket)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.waiting_since is not None or not ticket.is_open:
        raise ActionError(_("工单当前不能挂起。"), code="invalid_state", field="status")
    ticket.waiting_since = timezone.now()
    ticket.warn_at = ticket.escalate_at = None
    _touch(ticket, ["waiting_since", "warn_at", "escalate_at"])
    _record(by, "ticket.waiting", ticket, _("等待客户"))
    return ticket


@transaction.atomic
def resume(ticket: Ticket, *, by: User | None, customer_message: str = "") -> Ticket:
    """The customer answered (their message is kept) or staff resume: the clock runs again."""
    if by is not None:
        check_ticket(by, CHANGE, ticket)
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("sla_policy")
        .get(pk=ticket.pk)
    )
    if ticket.waiting_since is None:
        raise ActionError(_("工单没有在等待客户。"), code="invalid_state", field="status")
    if customer_message:
        TicketMessage.objects.create(
            ticket=ticket, kind=MessageKind.CUSTOMER, body=customer_message
        )
    sla.resume(ticket, timezone.now(), WorkingCalendar.current())
    _touch(
        ticket, ["waiting_since", "first_response_due", "resolution_due", "warn_at", "escalate_at"]
    )
    _record(by, "ticket.resumed", ticket, _("恢复计时"))
    return ticket


@transaction.atomic
def escalate_dispute(
    ticket: Ticket, stage: str, *, by: User, counterpart: str = "", record: str = ""
) -> DisputeStep:
    """协商 → 第三方调解 → 法律诉讼, one step at a time; the previous step ends today."""
    check_ticket(by, CHANGE, ticket)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    workflow.check_dispute_step(ticket, stage)
    now = timezone.now()
    DisputeStep.objects.filter(ticket=ticket, ended_at__isnull=True).update(ended_at=now)
    step = DisputeStep.objects.create(
        ticket=ticket,
        stage=stage,
        started_at=now,
        counterpart=counterpart,
        record=record,
        recorded_by=by,
    )
    before = ticket.dispute_stage
    ticket.dispute_stage = stage
    _touch(ticket, ["dispute_stage"])
    _record(
        by,
        "ticket.dispute_escalated",
        ticket,
        step.get_stage_display(),
        dispute_stage=[before or None, stage],
    )
    return step


@transaction.atomic
def record_dispute_outcome(step: DisputeStep, outcome: str, *, by: User) -> DisputeStep:
    check_ticket(by, CHANGE, step.ticket)
    if not outcome.strip():
        raise ActionError(_("请填写结果。"), code="required", field="outcome")
    step.outcome, step.ended_at = outcome, step.ended_at or timezone.now()
    step.save(update_fields=["outcome", "ended_at"])
    _record(
        by, "ticket.dispute_outcome", step.ticket, f"{step.get_stage_display()}：{outcome[:80]}"
    )
    return step


@transaction.atomic
def attach_file(ticket: Ticket, upload: UploadedFile, *, by: User | None) -> Attachment:
    if by is not None:
        check_ticket(by, CHANGE, ticket)
    content_type, data = attachments.check(upload)
    stored_as, digest = attachments.store(data)
    # If the transaction rolls back, the file is an orphan on disk with no row; the
    # reverse (a row without its file) cannot happen.
    item = Attachment.objects.create(
        ticket=ticket, name=(upload.name or "file")[-200:], content_type=content_type, size=len(data),
        sha256=digest, stored_as=stored_as, uploaded_by=by,
    )  # fmt: skip
    _record(by, "ticket.attachment_added", ticket, item.name)
    return item


@transaction.atomic
def submit_survey(ticket_id: int, score: int, comment: str = "") -> SurveyResponse:
    """The customer's answer through the signed link (no login, so no actor)."""
    if not 1 <= score <= 5:
        raise ActionError(_("请选择 1 到 5 分。"), code="out_of_range", field="score")
    ticket = Ticket.objects.select_for_update().filter(pk=ticket_id, status=Status.CLOSED).first()
    if ticket is None:
        raise NotFound()
    if SurveyResponse.objects.filter(ticket=ticket).exists():
        raise ActionError(_("您已评价过此工单，谢谢。"), code="already_answered", field="score")
    response = SurveyResponse.objects.create(ticket=ticket, score=score, comment=comment)
    _record(
        None,
        "ticket.csat",
        ticket,
        _("满意度 %(score)s 分") % {"score": score},
        score=[None, score],
    )
    return response


@transaction.atomic
def complete_revisit(task: RevisitTask, outcome: str, *, by: User) -> RevisitTask:
    check_ticket(by, CHANGE, task.ticket)
    if not outcome.strip():
        raise ActionError(_("请填写回访结果。"), code="required", field="outcome")
    if task.done_at is not None:
        raise ActionError(_("回访已完成。"), code="already_done", field="outcome")
    task.outcome, task.done_at = outcome, timezone.now()
    task.save(update_fields=["outcome", "done_at"])
    _record(by, "ticket.revisited", task.ticket, outcome[:120])
    return task


def mark_notifications_read(user: User) -> int:
    """Mark the user's own unread notifications read; returns how many.

    Bookkeeping of one's own inbox, like a mail client's unread flag, so no event:
    the audit trail would fill with "read" rows and say nothing about customers.
    """
    return (
        Notification.objects.restrict(user, "view")
        .filter(user=user, read_at__isnull=True)
        .update(read_at=timezone.now())
    )


# --- configuration (admins): SLA policies, working calendar, bays, KPI targets --------

POLICY_FIELDS = [
    "name", "ticket_type", "priority", "value_class", "first_response_hours",
    "resolution_hours", "clock", "warn_before_minutes", "active",
]  # fmt: skip


def check_configure(user: User | None) -> None:
    """Only admins change service-desk settings (the `configure` action)."""
    if not can(user, CONFIGURE):
        raise ActionError(_("您的角色无权修改服务台配置。"), code="permission_denied", field=None)


def _save_config(
    row: Model, data: dict[str, Any], fields: list[str], *, by: User, verb: str, label: str
) -> Any:
    """Create (no pk) or update `row` from cleaned data, with one event of what changed."""
    check_configure(by)
    # From the database: a bound ModelForm has already copied its input onto `row`.
    stored = (
        type(row)._default_manager.filter(pk=row.pk).values(*fields).first() if row.pk else None
    )
    before = stored or {}
    for f in fields:
        if f in data:
            setattr(row, f, data[f])
    created = row.pk is None
    if hasattr(row, "updated_at"):
        row.updated_at = timezone.now()
    row.save()
    events.record(
        by,
        f"{verb}.{'created' if created else 'changed'}",
        row,
        summary=f"{label}：{row}",
        changes=events.diff(before, {f: getattr(row, f) for f in fields}, fields),
    )
    return row


@transaction.atomic
def save_sla_policy(policy: SlaPolicy | None, data: dict[str, Any], *, by: User) -> SlaPolicy:
    """Add or edit a policy; tickets already open keep the due times they were given."""
    return _save_config(  # type: ignore[no-any-return]
        policy or SlaPolicy(), data, POLICY_FIELDS, by=by, verb="sla_policy", label=_("SLA 策略")
    )


@transaction.atomic
def deactivate_sla_policy(policy: SlaPolicy, *, by: User) -> SlaPolicy:
    """Stop matching new tickets (kept, since tickets point at the policy they got)."""
    check_configure(by)
    if not policy.active:
        raise ActionError(_("该策略已停用。"), code="already_inactive", field="active")
    policy.active = False
    policy.save(update_fields=["active"])
    events.record(
        by,
        "sla_policy.deactivated",
        policy,
        summary=f"{_('停用 SLA 策略')}：{policy}",
        changes={"active": [True, False]},
    )
    return policy


@transaction.atomic
def save_calendar_day(day: CalendarDay | None, data: dict[str, Any], *, by: User) -> CalendarDay:
    """Add or edit a holiday / 调休 day; working-hours clocks use it from the next ticket on."""
    return _save_config(  # type: ignore[no-any-return]
        day or CalendarDay(), data, ["day", "kind", "name"], by=by, verb="calendar_day",
        label=_("工作日历"),
    )  # fmt: skip


@transaction.atomic
def delete_calendar_day(day: CalendarDay, *, by: User) -> None:
    """The date becomes an ordinary day again (Monday–Friday work, weekend off)."""
    check_configure(by)
    events.record(
        by,
        "calendar_day.deleted",
        day,
        summary=f"{_('删除日历例外')}：{day}",
        changes={"kind": [day.kind, None], "day": [day.day.isoformat(), None]},
    )
    day.delete()


@transaction.atomic
def reseed_calendar_year(year: int, *, by: User) -> int:
    """Replace one year's holidays and 调休 days with the `chinese-calendar` package's.

    For the year the State Council has just published, after upgrading the package;
    the year's hand-made rows (a company holiday) are replaced too, so the screen
    asks first. A year the package does not know is refused, leaving the rows alone.
    """
    import chinese_calendar

    from .calendar import holiday_name

    check_configure(by)
    holidays = {d: n for d, n in chinese_calendar.holidays.items() if d.year == year}
    workdays = {d: n for d, n in chinese_calendar.workdays.items() if d.year == year}
    if not holidays:
        raise ActionError(
            _("chinese-calendar 中没有 %(year)s 年的安排，请手工录入。") % {"year": year},
            code="year_unknown",
            field="year",
        )
    removed = CalendarDay.objects.filter(day__year=year).delete()[0]
    now = timezone.now()
    rows = [
        CalendarDay(day=d, kind=kind, name=holiday_name(n), updated_at=now)
        for kind, days in ((DayKind.HOLIDAY, holidays), (DayKind.WORKDAY, workdays))
        for d, n in sorted(days.items())
    ]
    CalendarDay.objects.bulk_create(rows)
    events.record(
        by,
        "calendar.reseeded",
        None,
        summary=_("按 chinese-calendar 重置 %(year)s 年日历") % {"year": year},
        changes={"rows": [removed, len(rows)]},
    )
    return len(rows)


@transaction.atomic
def save_service_bay(bay: ServiceBay | None, data: dict[str, Any], *, by: User) -> ServiceBay:
    """Add or edit a bay. A new capacity applies to days not yet opened for booking."""
    return _save_config(  # type: ignore[no-any-return]
        bay or ServiceBay(), data, ["name", "daily_capacity", "active"], by=by,
        verb="service_bay", label=_("工位"),
    )  # fmt: skip


@transaction.atomic
def save_service_target(target: ServiceTarget, data: dict[str, Any], *, by: User) -> ServiceTarget:
    return _save_config(  # type: ignore[no-any-return]
        target, data, ["name", "percent"], by=by, verb="service_target", label=_("服务指标目标")
    )
