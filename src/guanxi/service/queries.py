"""Reusable reads: the ticket list, the tickets on a customer 360, service KPIs.

Every function takes the user and starts from `restrict`, so no caller can forget it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek

from guanxi.core.models import User
from guanxi.customers.models import Customer

from .choices import TicketType
from .models import ServiceTarget, Ticket

LIST_FILTERS = ("status", "ticket_type", "priority", "channel")


def ticket_list(user: User | None, filters: dict[str, str]) -> QuerySet[Ticket]:
    """Tickets the user may see, filtered; the caller pages them by (created_at, id)."""
    qs = Ticket.objects.restrict(user, "view").select_related("customer", "assignee")
    for name in LIST_FILTERS:
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("open") == "1":
        qs = qs.unfinished()
    if filters.get("mine") == "1" and user is not None:
        qs = qs.filter(assignee=user)
    if filters.get("customer_id", "").isdigit():
        qs = qs.filter(customer_id=int(filters["customer_id"]))
    return qs


def customer_tickets(user: User | None, customer: Customer, limit: int = 10) -> list[Ticket]:
    """The latest tickets of one customer with their CSAT answer: one query."""
    return list(
        Ticket.objects.restrict(user, "view")
        .filter(customer=customer)
        .select_related("survey")
        .order_by("-created_at", "-id")[:limit]
    )


GROUPS = {
    "month": TruncMonth("received_at"),
    "week": TruncWeek("received_at"),
    "day": TruncDate("received_at"),
    "team": F("team__name"),
    "agent": F("assignee__display_name"),
}


def _duration(end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F("received_at"), output_field=DurationField())


def _met() -> Q:
    """Both milestones met (or not yet due): what SLA attainment counts."""
    response_ok = Q(response_breached=False) & (
        Q(first_responded_at__isnull=True) | Q(first_responded_at__lte=F("first_response_due"))
    )
    resolution_ok = Q(resolution_breached=False) & (
        Q(resolved_at__isnull=True) | Q(resolved_at__lte=F("resolution_due"))
    )
    return Q(sla_policy__isnull=False) & response_ok & resolution_ok


@dataclass
class KpiRow:
    group: Any
    tickets: int
    resolved: int
    complaints: int
    first_response_hours: float | None
    first_handling_hours: float | None
    resolution_rate: float | None
    sla_attainment: float | None
    satisfaction: float | None
    surveys: int


def _hours(value: Any) -> float | None:
    if value is None:
        return None
    if hasattr(value, "total_seconds"):
        return round(value.total_seconds() / 3600, 2)
    return round(float(value) / 3_600_000_000, 2)  # microseconds on some backends


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def service_kpis(
    user: User | None, start: datetime, end: datetime, group: str = "month"
) -> list[KpiRow]:
    """KPIs for tickets received in [start, end), one row per group, from one aggregate query."""
    key = GROUPS[group]
    rows = (
        Ticket.objects.restrict(user, "view")
        .filter(received_at__gte=start, received_at__lt=end)
        .annotate(g=key)
        .values("g")
        .annotate(
            tickets=Count("id"),
            resolved=Count("id", filter=Q(resolved_at__isnull=False)),
            complaints=Count("id", filter=Q(ticket_type=TicketType.COMPLAINT)),
            with_sla=Count("id", filter=Q(sla_policy__isnull=False)),
            met=Count("id", filter=_met()),
            first_response=Avg(
                _duration("first_responded_at"),
                filter=~Q(ticket_type=TicketType.COMPLAINT),
            ),
            first_handling=Avg(
                _duration("first_responded_at"), filter=Q(ticket_type=TicketType.COMPLAINT)
            ),
            surveys=Count("survey"),
            satisfied=Count("survey", filter=Q(survey__score__gte=4)),
        )
        .order_by("g")
    )
    return [
        KpiRow(
            group=r["g"],
            tickets=r["tickets"],
            resolved=r["resolved"],
            complaints=r["complaints"],
            first_response_hours=_hours(r["first_response"]),
            first_handling_hours=_hours(r["first_handling"]),
            resolution_rate=_pct(r["resolved"], r["tickets"]),
            sla_attainment=_pct(r["met"], r["with_sla"]),
            satisfaction=_pct(r["satisfied"], r["surveys"]),
            surveys=r["surveys"],
        )
        for r in rows
    ]


def complaint_rate(user: User | None, start: datetime, end: datetime) -> float | None:
    """Complaints received in the period per 100 customers the user sees."""
    customers = Customer.objects.restrict(user, "view").count()
    complaints = (
        Ticket.objects.restrict(user, "view")
        .filter(received_at__gte=start, received_at__lt=end, ticket_type=TicketType.COMPLAINT)
        .count()
    )
    return round(100 * complaints / customers, 2) if customers else None


def targets() -> dict[str, float]:
    return {t.code: float(t.percent) for t in ServiceTarget.objects.all()}
