"""Reads of the analytics app, always through restrict()."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from guanxi.core.choices import Role
from guanxi.customers.choices import ValueClass
from guanxi.customers.models import Customer

from .choices import ChurnReason, RiskLevel
from .models import (
    REASON_COLUMNS,
    AssessmentConfig,
    AssessmentRun,
    ChurnModelRun,
    ChurnScore,
    CustomerScore,
    ValueClassChange,
)

if TYPE_CHECKING:
    from guanxi.core.models import User

HISTORY_ROWS = 10


@dataclass
class CustomerValue:
    """What the 360 page shows: the latest scores and the recent class moves."""

    score: CustomerScore | None
    changes: list[ValueClassChange]
    churn: ChurnScore | None = None


SCORE_FIELDS = [f.attname for f in CustomerScore._meta.fields]
CHURN_FIELDS = ["risk", "level", "computed_at", *REASON_COLUMNS.values()]
CHANGE_FIELDS = ["changed_at", "from_class", "to_class", "rule", "recency_days", "frequency",
                 "monetary", "p_alive", "clv"]  # fmt: skip


def customer_value(user: User, customer: Customer) -> CustomerValue:
    """Score and class history of one customer in ONE query (the 360 page pins its count).

    The score row is LEFT JOINed with the customer's class changes, newest
    first; each result row carries the score again, which costs less than a
    second round trip.
    """
    path = "customer__value_class_changes__"
    churn = "customer__churn__"  # the churn score rides along in the same query
    rows = list(
        CustomerScore.objects.restrict(user, "view")
        .filter(customer_id=customer.pk)
        .values(
            *SCORE_FIELDS, *[path + f for f in CHANGE_FIELDS], *[churn + f for f in CHURN_FIELDS]
        )
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
    churn_score = None
    if rows[0][churn + "risk"] is not None:
        churn_score = ChurnScore(
            customer_id=customer.pk, **{f: rows[0][churn + f] for f in CHURN_FIELDS}
        )
    return CustomerValue(score, changes, churn_score)


def latest_run(user: User) -> AssessmentRun | None:
    return AssessmentRun.objects.restrict(user, "view").filter(finished_at__isnull=False).first()


def current_config() -> AssessmentConfig:
    return AssessmentConfig.current()


# --- churn warning list (流失预警) ------------------------------------------------------

# Who reads the warning list: the sales side and those who plan win-back
# campaigns; service agents work tickets, not accounts. Analysts see names masked.
CHURN_READERS = (
    Role.ADMIN, Role.REGIONAL_MANAGER, Role.MANAGER, Role.REP, Role.MARKETING, Role.ANALYST,
)  # fmt: skip
WARNING_FILTERS = ("level", "value_class", "reason", "owner", "team", "region", "industry")


class InvalidFilter(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _id(params: Mapping[str, Any], name: str) -> int | None:
    raw = str(params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidFilter(name, f"{name} 必须是编号")
    return int(raw)


def churn_warnings(user: User, params: Mapping[str, Any]) -> QuerySet[ChurnScore]:
    """Churn scores in the user's scope, filtered, highest risk first (customer id breaks ties)."""
    qs = ChurnScore.objects.restrict(user, "view").select_related(
        "customer", "customer__owner", "customer__industry", "customer__region"
    )
    level = str(params.get("level") or "")
    if level:
        if level not in RiskLevel.values:
            raise InvalidFilter("level", "无效的风险等级")
        qs = qs.filter(level=level)
    value_class = str(params.get("value_class") or "")
    if value_class:
        if value_class not in ValueClass.values:
            raise InvalidFilter("value_class", "无效的价值分类")
        qs = qs.filter(customer__value_class=value_class)
    reason = str(params.get("reason") or "")
    if reason:
        if reason not in ChurnReason.values:
            raise InvalidFilter("reason", "无效的预警原因")
        qs = qs.filter(**{f"{REASON_COLUMNS[ChurnReason(reason)]}__gt": 0})
    for name, lookup in (
        ("owner", "customer__owner_id"),
        ("team", "customer__team_id"),
        ("region", "customer__region_id"),
        ("industry", "customer__industry_id"),
    ):
        value = _id(params, name)
        if value is not None:
            qs = qs.filter(**{lookup: value})
    return qs.order_by("-risk", "customer_id")


def encode_risk_cursor(score: ChurnScore) -> str:
    return f"{score.risk}-{score.customer_id}"


def risk_page(
    qs: QuerySet[ChurnScore], cursor: str | None, limit: int
) -> tuple[list[ChurnScore], str | None]:
    """One page by keyset on (risk desc, customer id asc), never OFFSET."""
    if cursor:
        risk_text, _sep, pk_text = cursor.partition("-")
        if not (risk_text.isdigit() and pk_text.isdigit()):
            raise InvalidFilter("cursor", "无效的分页游标")
        risk, pk = int(risk_text), int(pk_text)
        qs = qs.filter(Q(risk__lt=risk) | Q(risk=risk, customer_id__gt=pk))
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_risk_cursor(rows[limit - 1])


def level_counts(user: User) -> dict[str, int]:
    """How many customers in scope sit at each risk level (one GROUP BY)."""
    rows = ChurnScore.objects.restrict(user, "view").values("level").annotate(n=Count("pk"))
    return {row["level"]: row["n"] for row in rows}


def latest_churn_model(user: User) -> ChurnModelRun | None:
    return ChurnModelRun.objects.restrict(user, "view").first()
