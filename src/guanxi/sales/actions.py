"""Every write to products and purchases."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from guanxi.core import events
from guanxi.core.choices import Role
from guanxi.core.models import User
from guanxi.core.permissions import CHANGE
from guanxi.customers.actions import NotFound, check_scope
from guanxi.customers.models import Customer

from .models import Order, OrderLine, Product

PRODUCT_FIELDS = ["code", "name", "category", "unit", "list_price", "active"]
CENT = Decimal("0.01")


def _require_admin(by: User) -> None:
    if by.role != Role.ADMIN:
        raise NotFound()


@transaction.atomic
def create_product(data: dict[str, Any], *, by: User) -> Product:
    _require_admin(by)
    product = Product.objects.create(**{f: data[f] for f in PRODUCT_FIELDS if f in data})
    events.record(by, "product.created", product, summary=product.name)
    return product


@transaction.atomic
def update_product(product: Product, data: dict[str, Any], *, by: User) -> Product:
    _require_admin(by)
    before = {f: getattr(product, f) for f in PRODUCT_FIELDS}
    for field in PRODUCT_FIELDS:
        if field in data:
            setattr(product, field, data[field])
    product.save()
    changes = events.diff(before, {f: getattr(product, f) for f in PRODUCT_FIELDS}, PRODUCT_FIELDS)
    if changes:
        events.record(by, "product.updated", product, summary=product.name, changes=changes)
    return product


def new_order_number(when: Any) -> str:
    return f"SO{when:%Y%m%d}{secrets.token_hex(4).upper()}"


@transaction.atomic
def record_purchase(
    customer: Customer,
    header: dict[str, Any],
    lines: Sequence[dict[str, Any]],
    *,
    by: User,
) -> Order:
    """Record a purchase (order with lines) and roll it into the customer's totals.

    `lines` are validated dicts with product, quantity, unit_price. The customer
    row's counters move with F() expressions under a row lock, so concurrent
    purchases for one customer never lose an update.
    """
    check_scope(by, CHANGE, customer)
    if not lines:
        raise NotFound()  # callers validate; an empty order is a programming error
    ordered_at = header.get("ordered_at") or timezone.now()
    order = Order.objects.create(
        number=new_order_number(ordered_at),
        customer=customer,
        ordered_at=ordered_at,
        channel=header.get("channel") or "direct",
        notes=header.get("notes") or "",
        created_by=by,
    )
    total = Decimal("0")
    rows = []
    for line in lines:
        amount = (Decimal(line["quantity"]) * Decimal(line["unit_price"])).quantize(
            CENT, ROUND_HALF_UP
        )
        total += amount
        rows.append(
            OrderLine(
                order=order,
                product=line["product"],
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                amount=amount,
            )
        )
    OrderLine.objects.bulk_create(rows)
    order.total_amount = total
    order.save(update_fields=["total_amount"])
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    Customer.objects.filter(pk=customer.pk, first_purchase_at__isnull=True).update(
        first_purchase_at=ordered_at
    )
    Customer.objects.filter(pk=customer.pk, last_purchase_at__isnull=True).update(
        last_purchase_at=ordered_at
    )
    Customer.objects.filter(pk=customer.pk).update(
        purchase_count=F("purchase_count") + 1,
        total_amount=F("total_amount") + total,
        first_purchase_at=Least(F("first_purchase_at"), ordered_at),
        last_purchase_at=Greatest(F("last_purchase_at"), ordered_at),
        updated_at=timezone.now(),
    )
    events.record(
        by,
        "purchase.recorded",
        order,
        customer_id=customer.pk,
        summary=f"{order.number} ¥{total:,.2f}",
        changes={"total_amount": [None, str(total)], "lines": [None, len(rows)]},
    )
    return order
