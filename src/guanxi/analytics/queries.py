"""Reads of the analytics app, always through restrict()."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from guanxi.customers.models import Customer

from .models import AssessmentConfig, AssessmentRun, CustomerScore, ValueClassChange

if TYPE_CHECKING:
    from guanxi.core.models import User

HISTORY_ROWS = 10


@dataclass
class CustomerValue:
    """What the 360 page shows: the latest scores and the recent class moves."""

    score: CustomerScore | None
    changes: list[ValueClassChange]


SCORE_FIELDS = [f.attname for f in CustomerScore._meta.fields]
CHANGE_FIELDS = ["changed_at", "from_class", "to_class", "rule", "recency_days", "frequency",
                 "monetary", "p_alive", "clv"]  # fmt: skip


def customer_value(user: User, customer: Customer) -> CustomerValue:
    """Score and class history of one customer in ONE query (the 360 page pins its count).

    The score row is LEFT JOINed with the customer's class changes, newest
    first; each result row carries the score again, which costs less than a
    second round trip.
    """
    path = "customer__value_class_changes__"
    rows = list(
        CustomerScore.objects.restrict(user, "view")
        .filter(customer_id=customer.pk)
        .values(*SCORE_FIELDS, *[path + f for f in CHANGE_FIELDS])
        .order_by(f"-{path}changed_at", f"-{path}id")[:HISTORY_ROWS]
    )
    if not rows:
        return CustomerValue(None, [])
    score = CustomerScore(**{f: rows[0][f] for f in SCORE_FIELDS})
    changes = [
        ValueClassChange(customer_id=customer.pk, **{f: row[path + f] for f in CHANGE_FIELDS})
        for row in rows
        if row[path + "changed_at"] is not None
    ]
    return CustomerValue(score, changes)


def latest_run(user: User) -> AssessmentRun | None:
    return AssessmentRun.objects.restrict(user, "view").filter(finished_at__isnull=False).first()


def current_config() -> AssessmentConfig:
    return AssessmentConfig.current()
