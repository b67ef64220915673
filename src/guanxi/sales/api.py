"""REST endpoints for products and purchases.

Products are the catalogue: every signed-in role reads it, only admins write it
(others get 403, since no product is ever theirs to change). Purchases follow the
scope of their customer; recording one needs change rights on that customer.
"""

from __future__ import annotations

import copy
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from guanxi.core.api import (
    ERRORS,
    ApiError,
    Strict,
    actor,
    clamp_limit,
    form_data,
    form_error,
    form_field_errors,
    newest_first_page,
    not_found,
    permission_denied,
    require,
    scoped_or_404,
)
from guanxi.core.choices import Role
from guanxi.core.models import User
from guanxi.core.permissions import CHANGE
from guanxi.customers.forms import form_data_from_instance
from guanxi.customers.models import Customer

from . import actions
from .choices import OrderChannel, ProductCategory, Unit
from .forms import ProductForm, PurchaseForm, PurchaseLineForm
from .models import Order, OrderLine, Product

router = Router(tags=["sales"])


# --- products -------------------------------------------------------------------------


class ProductOut(Schema):
    id: int
    code: str
    name: str
    category: str
    unit: str
    list_price: Decimal
    active: bool
    created_at: datetime


class ProductListOut(Schema):
    items: list[ProductOut]


class ProductPatch(Strict):
    code: str | None = None
    name: str | None = None
    category: ProductCategory | None = None
    unit: Unit | None = None
    list_price: Decimal | None = None
    active: bool | None = None


class ProductIn(ProductPatch):
    code: str  # type: ignore[assignment]
    name: str  # type: ignore[assignment]
    category: ProductCategory  # type: ignore[assignment]
    unit: Unit  # type: ignore[assignment]
    list_price: Decimal  # type: ignore[assignment]
    active: bool = True


def product_out(p: Product) -> dict[str, Any]:
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "category": p.category,
        "unit": p.unit,
        "list_price": p.list_price,
        "active": p.active,
        "created_at": p.created_at,
    }


def _require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        raise permission_denied()


@router.get("/products", response={200: ProductListOut, **ERRORS})
def list_products(request: HttpRequest, active: bool | None = None) -> Any:
    """The whole catalogue (it is small: hundreds of products, not millions)."""
    qs = Product.objects.restrict(actor(request), "view")
    if active is not None:
        qs = qs.filter(active=active)
    return {"items": [product_out(p) for p in qs]}


@router.post("/products", response={201: ProductOut, **ERRORS})
def create_product(request: HttpRequest, payload: ProductIn) -> Any:
    user = actor(request)
    _require_admin(user)
    form = ProductForm(data=form_data(payload.model_dump()))
    if not form.is_valid():
        raise form_error(form)
    product = actions.create_product(form.cleaned_data, by=user)
    return Status(201, product_out(Product.objects.restrict(user, "view").get(pk=product.pk)))


@router.get("/products/{id}", response={200: ProductOut, **ERRORS})
def get_product(request: HttpRequest, id: int) -> Any:
    return product_out(scoped_or_404(Product, actor(request), id))


@router.patch("/products/{id}", response={200: ProductOut, **ERRORS})
def update_product(request: HttpRequest, id: int, payload: ProductPatch) -> Any:
    user = actor(request)
    _require_admin(user)
    product = scoped_or_404(Product, user, id, CHANGE)
    patch = form_data(payload.model_dump(exclude_unset=True))
    # The form gets a copy: a ModelForm writes the cleaned values into its instance,
    # and the action diffs the real one against them for the event.
    form = ProductForm(
        data={**form_data_from_instance(ProductForm, product), **patch},
        instance=copy.copy(product),
    )
    if not form.is_valid():
        raise form_error(form)
    changed = {name: form.cleaned_data[name] for name in patch if name in form.cleaned_data}
    actions.update_product(product, changed, by=user)
    # Read back, so amounts come out as stored (8000.00), not as typed (8000).
    return product_out(Product.objects.restrict(user, "view").get(pk=id))


# --- purchases ------------------------------------------------------------------------


class PurchaseLineIn(Strict):
    product_id: int
    quantity: Decimal
    unit_price: Decimal | None = Field(None, description="Defaults to the product's list price.")


class PurchaseIn(Strict):
    customer_id: int
    ordered_at: datetime | None = Field(None, description="Defaults to now.")
    channel: OrderChannel = OrderChannel.DIRECT
    notes: str = ""
    lines: list[PurchaseLineIn]


class ProductRef(Schema):
    id: int
    code: str
    name: str
    unit: str


class OrderLineOut(Schema):
    id: int
    product: ProductRef
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


class CustomerRef(Schema):
    id: int
    name: str


class PurchaseOut(Schema):
    id: int
    number: str
    customer: CustomerRef
    ordered_at: datetime
    channel: str
    total_amount: Decimal
    notes: str
    created_at: datetime
    lines: list[OrderLineOut]


class PurchasePageOut(Schema):
    items: list[PurchaseOut]
    next_cursor: str | None


def purchase_out(o: Order) -> dict[str, Any]:
    """The API view of an order; customer and lines (with products) must be preloaded."""
    return {
        "id": o.pk,
        "number": o.number,
        "customer": {"id": o.customer.pk, "name": o.customer.name},
        "ordered_at": o.ordered_at,
        "channel": o.channel,
        "total_amount": o.total_amount,
        "notes": o.notes,
        "created_at": o.created_at,
        "lines": [
            {
                "id": line.pk,
                "product": {
                    "id": line.product.pk,
                    "code": line.product.code,
                    "name": line.product.name,
                    "unit": line.product.unit,
                },
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "amount": line.amount,
            }
            for line in o.lines.all()
        ],
    }


def _orders(user: User) -> Any:
    lines = OrderLine.objects.select_related("product").order_by("id")
    return (
        Order.objects.restrict(user, "view")
        .select_related("customer")
        .prefetch_related(Prefetch("lines", queryset=lines))
    )


@router.get("/purchases", response={200: PurchasePageOut, **ERRORS})
def list_purchases(
    request: HttpRequest,
    customer: int | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Any:
    """Purchases in the caller's scope, newest first, keyset-paginated by (ordered_at, id)."""
    qs = _orders(actor(request))
    if customer is not None:
        qs = qs.filter(customer_id=customer)
    rows, next_cursor = newest_first_page(qs, "ordered_at", cursor, clamp_limit(limit))
    return {"items": [purchase_out(o) for o in rows], "next_cursor": next_cursor}


@router.post("/purchases", response={201: PurchaseOut, **ERRORS})
def create_purchase(request: HttpRequest, payload: PurchaseIn) -> Any:
    """Record a purchase; every line is validated, and nothing is written unless all are."""
    user = actor(request)
    require(user, CHANGE)
    customer = (
        Customer.objects.restrict(user, CHANGE).active().filter(pk=payload.customer_id).first()
    )
    if customer is None:
        raise not_found()
    header = PurchaseForm(
        data={
            "ordered_at": (payload.ordered_at or timezone.now()).isoformat(),
            "channel": payload.channel.value,
            "notes": payload.notes,
        }
    )
    errors = [] if header.is_valid() else form_field_errors(header)
    if not payload.lines:
        errors.append({"field": "lines", "message": "至少需要一条明细。", "code": "no_lines"})
    lines = []
    for i, line in enumerate(payload.lines):
        form = PurchaseLineForm(
            data=form_data(line.model_dump(), {"product_id": "product"}),
        )
        if form.is_valid():
            lines.append(form.cleaned_data)
        else:
            errors += form_field_errors(form, {"product": "product_id"}, prefix=f"lines[{i}].")
    if errors:
        raise ApiError(422, "validation_error", "输入有误，请检查标出的字段。", errors)
    order = actions.record_purchase(customer, header.cleaned_data, lines, by=user)
    return Status(201, purchase_out(_orders(user).get(pk=order.pk)))


@router.get("/purchases/{id}", response={200: PurchaseOut, **ERRORS})
def get_purchase(request: HttpRequest, id: int) -> Any:
    order = _orders(actor(request)).filter(pk=id).first()
    if order is None:
        raise not_found()
    return purchase_out(order)
