"""REST endpoints for tickets: /api/v1/tickets….

Tickets follow their customer's scope: reading needs view scope on the customer
(agents, admins, marketing and analysts see all; reps their own customers'),
writing needs change scope (agents change all). Outside the scope: 404.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
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
    newest_first_page,
    require,
    scoped_or_404,
    writable_or_404,
)
from guanxi.core.models import User
from guanxi.core.permissions import CHANGE
from guanxi.customers.models import Customer

from . import actions
from .choices import Channel, DisputeStage, LineKind, MessageKind, Priority, TicketType
from .choices import Status as TicketStatus
from .forms import DisputeForm, MessageForm, RepairLineForm, TicketForm, TransitionForm
from .models import Ticket
from .queries import complaint_rate, service_kpis, targets, ticket_list

router = Router(tags=["service"])


class TicketOut(Schema):
    id: int
    ticket_type: str
    channel: str
    priority: str
    status: str
    customer_id: int | None
    subject: str
    description: str
    contact_name: str
    received_at: datetime
    assignee_id: int | None
    first_response_due: datetime | None
    resolution_due: datetime | None
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    waiting_on_customer: bool
    dispute_stage: str
    escalation_level: int
    created_at: datetime


class TicketListOut(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class TicketIn(Strict):
    ticket_type: TicketType
    channel: Channel
    priority: Priority = Priority.NORMAL
    customer_id: int | None = None
    subject: str
    description: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    received_at: datetime | None = None
    skill: str = ""
    asset_identifier: str = ""
    bay_id: int | None = None
    appointment_day: date | None = None


class MessageIn(Strict):
    kind: MessageKind
    body: str


class MessageOut(Schema):
    id: int
    kind: str
    body: str
    created_at: datetime


class TransitionIn(Strict):
    status: TicketStatus
    note: str = ""
    resolution: str = ""
    lessons_learned: str = ""


class AssigneeIn(Strict):
    assignee_id: int


class DisputeIn(Strict):
    stage: DisputeStage
    counterpart: str = ""
    record: str = ""


class DisputeOut(Schema):
    id: int
    stage: str
    started_at: datetime
    ended_at: datetime | None
    counterpart: str
    record: str


class RepairLineIn(Strict):
    kind: LineKind
    description: str
    quantity: Decimal
    unit_price: Decimal


class RepairLineOut(Schema):
    id: int
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal


class KpiOut(Schema):
    group: str
    tickets: int
    resolved: int
    complaints: int
    first_response_hours: float | None
    first_handling_hours: float | None
    resolution_rate: float | None
    sla_attainment: float | None
    satisfaction: float | None
    surveys: int


class KpisOut(Schema):
    rows: list[KpiOut]
    complaints_per_100_customers: float | None
    targets: dict[str, float]


def ticket_out(t: Ticket) -> dict[str, Any]:
    return {
        **{
            f: getattr(t, f)
            for f in (
                "id",
                "ticket_type",
                "channel",
                "priority",
                "status",
                "customer_id",
                "subject",
                "description",
                "contact_name",
                "received_at",
                "assignee_id",
                "first_response_due",
                "resolution_due",
                "first_responded_at",
                "resolved_at",
                "closed_at",
                "dispute_stage",
                "escalation_level",
                "created_at",
            )
        },  # fmt: skip
        "waiting_on_customer": t.waiting_since is not None,
    }


@router.get("/tickets", response={200: TicketListOut, **ERRORS})
def list_tickets(
    request: HttpRequest,
    status: TicketStatus | None = None,
    ticket_type: TicketType | None = None,
    priority: Priority | None = None,
    customer_id: int | None = None,
    open: bool = False,
    mine: bool = False,
    limit: int = 50,
    cursor: str | None = None,
) -> Any:
    """Newest first, by keyset cursor."""
    filters = {
        "status": status or "", "ticket_type": ticket_type or "", "priority": priority or "",
        "customer_id": str(customer_id or ""), "open": "1" if open else "", "mine": "1" if mine else "",
    }  # fmt: skip
    qs = ticket_list(actor(request), filters)
    rows, next_cursor = newest_first_page(qs, "created_at", cursor, clamp_limit(limit))
    return {"items": [ticket_out(t) for t in rows], "next_cursor": next_cursor}


@router.post("/tickets", response={201: TicketOut, **ERRORS})
def create_ticket(request: HttpRequest, payload: TicketIn) -> Any:
    user = actor(request)
    require(user, CHANGE)
    values = payload.model_dump()
    customer = None
    if values["customer_id"] is not None:
        customer = scoped_or_404(Customer, user, values["customer_id"], CHANGE)
    data = form_data(values, {"bay_id": "bay"})
    form = TicketForm(data=data)
    form.has_customer = customer is not None
    if not form.is_valid():
        raise form_error(form, rename={"bay": "bay_id"})
    cleaned = form.cleaned_data
    ticket = actions.create_ticket(
        cleaned, by=user, customer=customer, bay=cleaned.get("bay"),
        appointment_day=cleaned.get("appointment_day"),
    )  # fmt: skip
    return Status(201, ticket_out(ticket))


@router.get("/tickets/{id}", response={200: TicketOut, **ERRORS})
def get_ticket(request: HttpRequest, id: int) -> Any:
    return ticket_out(scoped_or_404(Ticket, actor(request), id))


@router.post("/tickets/{id}/messages", response={201: MessageOut, **ERRORS})
def add_message(request: HttpRequest, id: int, payload: MessageIn) -> Any:
    user, ticket = writable_or_404(request, Ticket, id, CHANGE)
    form = MessageForm(data=form_data(payload.model_dump()))
    if not form.is_valid():
        raise form_error(form)
    message = actions.add_message(
        ticket, form.cleaned_data["body"], kind=form.cleaned_data["kind"], by=user
    )
    return Status(
        201,
        {
            "id": message.pk,
            "kind": message.kind,
            "body": message.body,
            "created_at": message.created_at,
        },
    )


@router.post("/tickets/{id}/transitions", response={200: TicketOut, **ERRORS})
def transition(request: HttpRequest, id: int, payload: TransitionIn) -> Any:
    """Move along the workflow; an illegal move answers 400 `illegal_transition` on `status`."""
    user, ticket = writable_or_404(request, Ticket, id, CHANGE)
    form = TransitionForm(data=form_data(payload.model_dump()))
    if not form.is_valid():
        raise form_error(form)
    d = form.cleaned_data
    ticket = actions.transition(
        ticket, d["status"], by=user, note=d["note"], resolution=d["resolution"],
        lessons_learned=d["lessons_learned"],
    )  # fmt: skip
    return ticket_out(ticket)


@router.post("/tickets/{id}/assignee", response={200: TicketOut, **ERRORS})
def reassign(request: HttpRequest, id: int, payload: AssigneeIn) -> Any:
    user, ticket = writable_or_404(request, Ticket, id, CHANGE)
    assignee = User.objects.filter(pk=payload.assignee_id, is_active=True).first()
    if assignee is None:
        from guanxi.core.api import invalid

        raise invalid("assignee_id", "用户不存在。", "not_found")
    return ticket_out(actions.reassign(ticket, assignee, by=user))


@router.post("/tickets/{id}/waiting", response={200: TicketOut, **ERRORS})
def wait_on_customer(request: HttpRequest, id: int) -> Any:
    """Pause the SLA clock until the customer answers."""
    user, ticket = writable_or_404(request, Ticket, id, CHANGE)
    return ticket_out(actions.wait_on_customer(ticket, by=user))


@router.post("/tickets/{id}/resume", response={200: TicketOut, **ERRORS})
def resume(request: HttpRequest, id: int) -> Any:
    user, ticket = writable_or_404(request, Ticket, id, CHANGE)
    return ticket_out(actions.resume(ticket, by=user))


@router.post("/tickets/{id}/disputes", response={201: DisputeOut, **ERRORS})
def escalate_dispute(request: HttpRequest, id: int, payload: DisputeIn) -> Any:
    user, ticket = writable_or_404(request, Ticket, id, CHANGE)
    form = DisputeForm(data=form_data(payload.model_dump()))
    if not form.is_valid():
        raise form_error(form)
    d = form.cleaned_data
    step = actions.escalate_dispute(
        ticket, d["stage"], by=user, counterpart=d["counterpart"], record=d["record"]
    )
    return Status(
        201,
        {
            f: getattr(step, f)
            for f in ("id", "stage", "started_at", "ended_at", "counterpart", "record")
        },
    )


@router.post("/tickets/{id}/repair-lines", response={201: RepairLineOut, **ERRORS})
def add_repair_line(request: HttpRequest, id: int, payload: RepairLineIn) -> Any:
    user, ticket = writable_or_404(request, Ticket, id, CHANGE)
    form = RepairLineForm(data=form_data(payload.model_dump()))
    if not form.is_valid():
        raise form_error(form)
    line = actions.add_repair_line(ticket, form.cleaned_data, by=user)
    return Status(
        201, {f: getattr(line, f) for f in ("id", "kind", "description", "quantity", "unit_price")}
    )


@router.get("/service/kpis", response={200: KpisOut, **ERRORS})
def kpis(request: HttpRequest, start: date, end: date, group: str = "month") -> Any:
    """Service KPIs for tickets received in [start, end) by month, week, day, team or agent."""
    from .views import day_range

    if group not in ("month", "week", "day", "team", "agent"):
        from guanxi.core.api import invalid

        raise invalid("group", "group 须为 month/week/day/team/agent。", "invalid_choice")
    user = actor(request)
    begin, finish = day_range(start, end)
    rows = service_kpis(user, begin, finish, group)
    return {
        "rows": [
            {**r.__dict__, "group": str(r.group if r.group is not None else "—")} for r in rows
        ],
        "complaints_per_100_customers": complaint_rate(user, begin, finish),
        "targets": targets(),
    }
