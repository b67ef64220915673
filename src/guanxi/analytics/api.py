"""REST endpoints for churn risk: /api/v1/churn/warnings and /api/v1/churn/win-back.

The warning list follows each customer's view scope (404-free: rows outside
simply are not there); win-back tasks need change scope on each customer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from guanxi.core.api import (
    ERRORS,
    ApiError,
    Strict,
    actor,
    clamp_limit,
    invalid,
    permission_denied,
    require,
)
from guanxi.core.permissions import CHANGE, sees_masked
from guanxi.core.validators import mask_name
from guanxi.customers.models import Customer
from guanxi.engagement import actions as engagement

from .churn_explain import reasons, win_back_notes
from .models import AssessmentConfig, ChurnScore
from .queries import CHURN_READERS, InvalidFilter, churn_warnings, risk_page

router = Router(tags=["analytics"])


class ReasonOut(Schema):
    code: str
    label: str
    points: float
    detail: str


class WarningOut(Schema):
    customer_id: int
    customer_name: str
    owner_id: int | None
    value_class: str
    risk: int
    level: str
    reasons: list[ReasonOut]
    computed_at: datetime


class WarningListOut(Schema):
    items: list[WarningOut]
    next_cursor: str | None = None


class WarningFilters(Schema):
    level: str = ""
    value_class: str = ""
    reason: str = ""
    owner: int | None = None
    team: int | None = None
    region: int | None = None
    industry: int | None = None
    cursor: str | None = None
    limit: int = 50


class WinBackIn(Strict):
    customer_ids: list[int] = Field(min_length=1, max_length=100)


class WinBackOut(Schema):
    created: list[int]
    existing: list[int]
    task_ids: list[int]


def _reader(request: HttpRequest) -> Any:
    user = actor(request)
    if user.role not in CHURN_READERS:
        raise permission_denied()
    return user


@router.get("/churn/warnings", response={200: WarningListOut, **ERRORS})
def list_warnings(request: HttpRequest, filters: Query[WarningFilters]) -> Any:
    """Highest churn risk first, by keyset cursor; names masked for analysts."""
    user = _reader(request)
    params = {k: "" if v is None else str(v) for k, v in filters.dict().items()}
    try:
        rows, next_cursor = risk_page(
            churn_warnings(user, params), filters.cursor, clamp_limit(filters.limit)
        )
    except InvalidFilter as exc:
        raise invalid(exc.field, exc.message) from None
    config = AssessmentConfig.current()
    masked = sees_masked(user)
    items = []
    for row in rows:
        customer = row.customer
        name = (
            mask_name(customer.name) if masked and not customer.is_organization else customer.name
        )
        items.append(
            {
                "customer_id": row.customer_id,
                "customer_name": name,
                "owner_id": customer.owner_id,
                "value_class": customer.value_class,
                "risk": row.risk,
                "level": row.level,
                "reasons": [r.__dict__ for r in reasons(row, config)],
                "computed_at": row.computed_at,
            }
        )
    return {"items": items, "next_cursor": next_cursor}


@router.post("/churn/win-back", response={200: WinBackOut, **ERRORS})
def win_back(request: HttpRequest, payload: WinBackIn) -> Any:
    """Win-back tasks for the given customers (idempotent per customer); all in scope or none."""
    user = _reader(request)
    require(user, CHANGE)
    ids = list(dict.fromkeys(payload.customer_ids))
    customers = {
        c.pk: c for c in Customer.objects.restrict(user, CHANGE).filter(pk__in=ids)
    }  # fmt: skip
    missing = [i for i in ids if i not in customers]
    if missing:
        # Nothing half-written: refuse the whole request before creating any task.
        raise ApiError(
            404,
            "not_found",
            "记录不存在。",
            [{"field": "customer_ids", "message": f"客户不存在：{missing}", "code": "not_found"}],
        )
    scores = {
        s.customer_id: s
        for s in ChurnScore.objects.restrict(user, "view").filter(customer_id__in=ids)
    }
    config = AssessmentConfig.current()
    created, existing, task_ids = [], [], []
    from django.db import transaction

    with transaction.atomic():
        for pk in ids:
            customer = customers[pk]
            score = scores.get(pk)
            task, new = engagement.create_win_back_task(
                customer,
                by=user,
                title=f"客户挽回：{customer.name}",
                notes=win_back_notes(score, config) if score is not None else "",
            )
            (created if new else existing).append(pk)
            task_ids.append(task.pk)
    return {"created": created, "existing": existing, "task_ids": task_ids}
