"""The duplicate check over the API: what `POST /customers` would duplicate, before saving."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from guanxi.core.api import ERRORS, actor, form_data, form_error, require
from guanxi.core.permissions import ADD
from guanxi.customers.api import (
    CREATE_DEFAULTS,
    CUSTOMER_ERROR_RENAME,
    CUSTOMER_RENAME,
    CustomerIn,
)
from guanxi.customers.dedup import likely_duplicates
from guanxi.customers.forms import CustomerForm

router = Router(tags=["dedup"])


class ReasonOut(Schema):
    field: str
    label: str
    weight: float


class MatchOut(Schema):
    customer_id: int
    name: str
    probability: float
    reasons: list[ReasonOut]


@router.post("/dedup/check", response={200: list[MatchOut], **ERRORS})
def check_duplicates(request: HttpRequest, payload: CustomerIn) -> Any:
    """Likely existing customers for a customer about to be created (nothing is saved).

    Send the same body as `POST /customers`; an empty list means no likely duplicate
    among the customers the caller may see.
    """
    user = actor(request)
    require(user, ADD)
    data = {**CREATE_DEFAULTS, **form_data(payload.model_dump(exclude_unset=True), CUSTOMER_RENAME)}
    if not data.get("collected_at"):
        data["collected_at"] = timezone.now().isoformat()
    form = CustomerForm(data=data)
    if not form.is_valid():
        raise form_error(form, rename=CUSTOMER_ERROR_RENAME)
    return [
        {
            "customer_id": m.customer.pk,
            "name": m.customer.name,
            "probability": m.probability,
            "reasons": [r.__dict__ for r in m.reasons],
        }
        for m in likely_duplicates(form.cleaned_data, user=user)
    ]
