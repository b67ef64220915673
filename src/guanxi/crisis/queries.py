"""Reusable reads of crises: the list, one crisis's affected customers and progress, the 360 section.

Every function takes the user and starts from `restrict`, so per-customer figures
count only the customers the reader may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from guanxi.core.models import User
from guanxi.customers.models import Customer

from .choices import CrisisKind, CrisisStatus, Recovery, RiskLevel
from .models import AffectedCustomer, Communication, Crisis, ResponseUpdate

LIST_FILTERS = {
    "status": CrisisStatus.values,
    "risk_level": RiskLevel.values,
    "kind": CrisisKind.values,
}


def crisis_list(user: User | None, filters: dict[str, str]) -> QuerySet[Crisis]:
    """Crises the user may read, newest first; unknown filter values are ignored."""
    qs = Crisis.objects.restrict(user, "view").select_related("owner")
    for name, allowed in LIST_FILTERS.items():
        if filters.get(name) in allowed:
            qs = qs.filter(**{name: filters[name]})
    if filters.get("open") == "1":
        qs = qs.exclude(status=CrisisStatus.CLOSED)
    return qs.order_by("-identified_at", "-id")


def affected_customers(
    user: User | None, crisis: Crisis, recovery: str = "", limit: int = 200
) -> list[AffectedCustomer]:
    qs = (
        AffectedCustomer.objects.restrict(user, "view")
        .filter(crisis=crisis)
        .select_related("customer")
    )
    if recovery in Recovery.values:
        qs = qs.filter(recovery=recovery)
    return list(qs.order_by("id")[:limit])


@dataclass(frozen=True)
class Progress:
    """Recovery of the affected customers the reader sees: counts per state and shares."""

    total: int
    by_state: dict[str, int]

    @property
    def reached(self) -> int:
        return self.total - self.by_state.get(Recovery.PENDING, 0)

    @property
    def recovered(self) -> int:
        return self.by_state.get(Recovery.RECOVERED, 0)

    @property
    def lost(self) -> int:
        return self.by_state.get(Recovery.LOST, 0)

    def percent(self, count: int) -> float | None:
        return round(100 * count / self.total, 1) if self.total else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "by_state": {state: self.by_state.get(state, 0) for state in Recovery.values},
            "notified_percent": self.percent(self.reached),
            "recovered_percent": self.percent(self.recovered),
            "lost_percent": self.percent(self.lost),
        }

    def rows(self) -> list[tuple[str, str, int, float | None]]:
        return [
            (state, label, self.by_state.get(state, 0), self.percent(self.by_state.get(state, 0)))
            for state, label in Recovery.choices
        ]


def progress(user: User | None, crisis: Crisis) -> Progress:
    """One GROUP BY over the crisis's affected rows inside the reader's scope."""
    counts = dict(
        AffectedCustomer.objects.restrict(user, "view")
        .filter(crisis=crisis)
        .values("recovery")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("recovery", "n")
    )
    return Progress(total=sum(counts.values()), by_state=counts)


def crisis_log(
    user: User | None, crisis: Crisis
) -> tuple[list[ResponseUpdate], list[Communication]]:
    updates = ResponseUpdate.objects.restrict(user, "view").filter(crisis=crisis)
    sent = Communication.objects.restrict(user, "view").filter(crisis=crisis)
    return (
        list(updates.select_related("author")[:200]),
        list(sent.select_related("sent_by")[:200]),
    )


def customer_crises(
    user: User | None, customer: Customer, limit: int = 10
) -> list[AffectedCustomer]:
    """The crises touching one customer, for the 360 page: one query, scoped by the viewer."""
    return list(
        AffectedCustomer.objects.restrict(user, "view")
        .filter(customer=customer)
        .select_related("crisis")
        .order_by("-crisis__identified_at", "-id")[:limit]
    )
