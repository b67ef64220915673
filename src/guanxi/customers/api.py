"""REST endpoints for customers, their contacts, addresses and timeline.

Endpoints are thin: pydantic types the input and refuses unknown fields (so
`owner`, `role`, `pinyin`, `total_amount`… cannot be mass-assigned), the forms in
`forms.py` apply the domain rules, the actions write. Reads go through
`restrict()`; a record outside the caller's scope is a 404.

Personal data in responses: phones in national display form; `id_number` is
always masked (110***********002X) — no API client needs the full number back,
and an API token is easier to leak than a browser session. Analysts (`sees_masked`)
also get phone, e-mail, WeChat id and birth date masked or omitted.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import BaseModel, Field

from guanxi.core.api import (
    ERRORS,
    ApiError,
    Strict,
    actor,
    clamp_limit,
    form_data,
    form_error,
    invalid,
    newest_first_page,
    not_found,
    require,
)
from guanxi.core.models import Event, Region, User
from guanxi.core.permissions import ADD, ASSIGN, CHANGE, sees_masked
from guanxi.core.validators import display_phone, mask_id_number, mask_phone

from . import actions
from .choices import (
    AddressKind,
    ContactRole,
    CustomerKind,
    Gender,
    SourceChannel,
    Stage,
    ValueClass,
)
from .forms import AddressForm, ContactForm, CustomerForm, form_data_from_instance
from .models import Address, Contact, Customer, Industry, Tag
from .queries import SORTS, InvalidQuery, customer_list

router = Router(tags=["customers"])


# API names that differ from the form's: relations are given by id.
CUSTOMER_RENAME = {"industry_id": "industry", "tag_ids": "tags"}
CUSTOMER_ERROR_RENAME = {v: k for k, v in CUSTOMER_RENAME.items()}


# --- output ---------------------------------------------------------------------------
# Output schemas built from plain dicts are plain pydantic models: ninja's Schema
# adds a wrap validator per object (to read Django attributes), which cost more
# than the database query on a 50-row customer page (~1,200 calls per page).


class Ref(BaseModel):
    id: int
    name: str


class IndustryOut(BaseModel):
    id: int
    code: str
    name: str


class RegionOut(BaseModel):
    id: int
    code: str
    name: str


class TagOut(BaseModel):
    id: int
    name: str
    color: str


class CustomerOut(BaseModel):
    id: int
    kind: str
    name: str
    gender: str
    birth_date: date | None
    occupation: str
    id_number: str = Field(description="Always masked.")
    credit_code: str
    phone: str = Field(description="National display form; masked for analysts.")
    email: str
    wechat_id: str
    industry: IndustryOut | None
    employees: int | None
    annual_revenue: Decimal | None
    energy_consumption: Decimal | None
    energy_unit: str
    region: RegionOut | None
    province_code: str
    city_code: str
    district_code: str
    location: str
    source_channel: str
    collected_at: datetime
    verified_at: datetime | None
    owner: Ref | None
    team_id: int | None
    value_class: str
    stage: str
    preferences: str
    notes: str
    tags: list[TagOut]
    purchase_count: int
    total_amount: Decimal
    first_purchase_at: datetime | None
    last_purchase_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CustomerPageOut(BaseModel):
    items: list[CustomerOut]
    next_cursor: str | None
    prev_cursor: str | None


def _user_ref(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


def _phone(value: str, masked: bool) -> str:
    if not value:
        return ""
    return mask_phone(value) if masked else display_phone(value)


def _private(value: str, masked: bool) -> str:
    return ("***" if value else "") if masked else value


def customer_out(c: Customer, viewer: User) -> dict[str, Any]:
    """The API view of a customer; owner, industry, region and tags must be preloaded."""
    masked = sees_masked(viewer)
    return {
        "id": c.pk,
        "kind": c.kind,
        "name": c.name,
        "gender": c.gender,
        "birth_date": None if masked else c.birth_date,
        "occupation": c.occupation,
        "id_number": mask_id_number(c.id_number),
        "credit_code": c.credit_code,
        "phone": _phone(c.phone, masked),
        "email": _private(c.email, masked),
        "wechat_id": _private(c.wechat_id, masked),
        "industry": (
            {"id": c.industry.pk, "code": c.industry.code, "name": c.industry.name}
            if c.industry
            else None
        ),
        "employees": c.employees,
        "annual_revenue": c.annual_revenue,
        "energy_consumption": c.energy_consumption,
        "energy_unit": c.energy_unit,
        "region": (
            {"id": c.region.pk, "code": c.region.code, "name": c.region.name} if c.region else None
        ),
        "province_code": c.province_code,
        "city_code": c.city_code,
        "district_code": c.district_code,
        "location": c.location,
        "source_channel": c.source_channel,
        "collected_at": c.collected_at,
        "verified_at": c.verified_at,
        "owner": _user_ref(c.owner),
        "team_id": c.team_id,
        "value_class": c.value_class,
        "stage": c.stage,
        "preferences": c.preferences,
        "notes": c.notes,
        "tags": [{"id": t.pk, "name": t.name, "color": t.color} for t in c.tags.all()],
        "purchase_count": c.purchase_count,
        "total_amount": c.total_amount,
        "first_purchase_at": c.first_purchase_at,
        "last_purchase_at": c.last_purchase_at,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


class ContactOut(Schema):
    id: int
    customer_id: int
    name: str
    role: str
    title: str
    gender: str
    birth_date: date | None
    phone: str
    email: str
    wechat_id: str
    is_primary: bool
    notes: str
    created_at: datetime


def contact_out(c: Contact, viewer: User) -> dict[str, Any]:
    masked = sees_masked(viewer)
    return {
        "id": c.pk,
        "customer_id": c.customer_id,
        "name": c.name,
        "role": c.role,
        "title": c.title,
        "gender": c.gender,
        "birth_date": None if masked else c.birth_date,
        "phone": _phone(c.phone, masked),
        "email": _private(c.email, masked),
        "wechat_id": _private(c.wechat_id, masked),
        "is_primary": c.is_primary,
        "notes": c.notes,
        "created_at": c.created_at,
    }


class AddressOut(Schema):
    id: int
    customer_id: int
    kind: str
    province_code: str
    city_code: str
    district_code: str
    location: str
    detail: str
    postal_code: str
    is_primary: bool


def address_out(a: Address, viewer: User) -> dict[str, Any]:
    masked = sees_masked(viewer)
    return {
        "id": a.pk,
        "customer_id": a.customer_id,
        "kind": a.kind,
        "province_code": a.province_code,
        "city_code": a.city_code,
        "district_code": a.district_code,
        "location": a.location,
        "detail": _private(a.detail, masked),
        "postal_code": a.postal_code,
        "is_primary": a.is_primary,
    }


class ContactListOut(Schema):
    items: list[ContactOut]


class AddressListOut(Schema):
    items: list[AddressOut]


class EventOut(Schema):
    id: int
    created_at: datetime
    verb: str
    object_type: str
    object_id: int | None
    actor: Ref | None
    summary: str
    changes: dict[str, Any]


class EventPageOut(Schema):
    items: list[EventOut]
    next_cursor: str | None


# --- input ----------------------------------------------------------------------------


class CustomerPatch(Strict):
    """Every field optional; only the fields sent are changed."""

    kind: CustomerKind | None = None
    name: str | None = None
    gender: Gender | None = None
    birth_date: date | None = None
    occupation: str | None = None
    id_number: str | None = Field(None, description="18-digit 公民身份号码, checksum verified.")
    credit_code: str | None = None
    phone: str | None = Field(None, description="Any common Chinese notation; stored as E.164.")
    email: str | None = None
    wechat_id: str | None = None
    industry_id: int | None = None
    employees: int | None = None
    annual_revenue: Decimal | None = None
    energy_consumption: Decimal | None = None
    energy_unit: str | None = None
    province_code: str | None = None
    city_code: str | None = None
    district_code: str | None = None
    source_channel: SourceChannel | None = None
    collected_at: datetime | None = None
    verified_at: datetime | None = None
    value_class: ValueClass | None = None
    stage: Stage | None = None
    preferences: str | None = None
    notes: str | None = None
    tag_ids: list[int] | None = None


class CustomerIn(CustomerPatch):
    kind: CustomerKind  # type: ignore[assignment]
    name: str  # type: ignore[assignment]


class AssignIn(Strict):
    owner_id: int


class ContactPatch(Strict):
    name: str | None = None
    role: ContactRole | None = None
    title: str | None = None
    gender: Gender | None = None
    birth_date: date | None = None
    phone: str | None = None
    email: str | None = None
    wechat_id: str | None = None
    is_primary: bool | None = None
    notes: str | None = None


class ContactIn(ContactPatch):
    name: str  # type: ignore[assignment]
    role: ContactRole = ContactRole.OTHER  # type: ignore[assignment]


class AddressPatch(Strict):
    kind: AddressKind | None = None
    province_code: str | None = None
    city_code: str | None = None
    district_code: str | None = None
    detail: str | None = None
    postal_code: str | None = None
    is_primary: bool | None = None


class AddressIn(AddressPatch):
    kind: AddressKind = AddressKind.OFFICE  # type: ignore[assignment]
    province_code: str  # type: ignore[assignment]


class CustomerFilters(Schema):
    q: str | None = Field(None, description="Name, pinyin, initials, phone or its last 4 digits.")
    value_class: ValueClass | None = None
    stage: Stage | None = None
    kind: CustomerKind | None = None
    industry: str | None = Field(None, description="Industry id or code.")
    region: str | None = Field(None, description="Region code (or id).")
    owner: int | None = Field(None, description="Owner user id.")
    tag: str | None = Field(None, description="Tag name.")
    sort: str = Field("-updated_at", description=f"One of: {', '.join(SORTS)}.")
    limit: int = Field(50, description="1–200.")
    cursor: str | None = Field(None, description="next_cursor of the previous page.")


# Defaults a new customer gets when the client leaves them out (the form itself
# requires them, because the UI always shows them pre-filled).
CREATE_DEFAULTS = {
    "source_channel": SourceChannel.INTERNAL.value,
    "value_class": ValueClass.GENERAL.value,
    "stage": Stage.AWARENESS.value,
}


# --- helpers --------------------------------------------------------------------------


def _customers(user: User, action: str = "view") -> Any:
    return Customer.objects.restrict(user, action).active()


def _customer_detail(user: User, pk: int) -> Customer:
    customer = (
        _customers(user)
        .select_related("owner", "industry", "region")
        .prefetch_related("tags")
        .filter(pk=pk)
        .first()
    )
    if customer is None:
        raise not_found()
    return customer


def _editable_customer(user: User, pk: int, action: str = CHANGE) -> Customer:
    require(user, action)
    customer = _customers(user, action).filter(pk=pk).first()
    if customer is None:
        raise not_found()
    return customer


def _resolve(model: Any, raw: str | None, field: str, by: str, by_id: bool = True) -> int | None:
    """A filter value given as an id or a code/name, as the id the query layer wants."""
    if raw is None or raw == "":
        return None
    if by_id and raw.isdigit():
        return int(raw)
    pk = model.objects.filter(**{by: raw}).values_list("pk", flat=True).first()
    if pk is None:
        raise invalid(field, f"未知的筛选值：{raw}。", "unknown_value")
    return int(pk)


# --- customers ------------------------------------------------------------------------


@router.get("/customers", response={200: CustomerPageOut, **ERRORS})
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> Any:
    """Customers in the caller's scope, filtered and sorted, a keyset page at a time.

    No OFFSET and no COUNT: follow `next_cursor` until it is null.
    """
    user = actor(request)
    limit = clamp_limit(filters.limit)
    params: dict[str, Any] = {
        "q": filters.q or "",
        "value_class": filters.value_class or "",
        "stage": filters.stage or "",
        "kind": filters.kind or "",
        "owner": str(filters.owner) if filters.owner is not None else "",
        "industry": _resolve(Industry, filters.industry, "industry", "code"),
        # Regions and tags are tiny reference tables; resolving a code or name to
        # its id first keeps the list query on the (region, updated_at, id) index.
        "region": _resolve(Region, filters.region, "region", "code"),
        "tag": _resolve(Tag, filters.tag, "tag", "name", by_id=False),
        "sort": filters.sort,
        "cursor": filters.cursor or "",
    }
    params = {k: ("" if v is None else str(v)) for k, v in params.items()}
    try:
        page = customer_list(user, params, page_size=limit)
    except InvalidQuery as exc:
        raise invalid(exc.field, exc.message) from None
    return {
        "items": [customer_out(c, user) for c in page.rows],
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
    }


@router.post("/customers", response={201: CustomerOut, **ERRORS})
def create_customer(request: HttpRequest, payload: CustomerIn) -> Any:
    """Create a customer owned by the caller (assign it afterwards to hand it over)."""
    user = actor(request)
    require(user, ADD)
    data = {**CREATE_DEFAULTS, **form_data(payload.model_dump(exclude_unset=True), CUSTOMER_RENAME)}
    if not data.get("collected_at"):
        data["collected_at"] = timezone.now().isoformat()
    form = CustomerForm(data=data)
    if not form.is_valid():
        raise form_error(form, rename=CUSTOMER_ERROR_RENAME)
    customer = actions.create_customer(form.cleaned_data, by=user)
    return Status(201, customer_out(_customer_detail(user, customer.pk), user))


@router.get("/customers/{id}", response={200: CustomerOut, **ERRORS})
def get_customer(request: HttpRequest, id: int) -> Any:
    """One customer; the read is written to the audit trail (not the timeline)."""
    user = actor(request)
    customer = _customer_detail(user, id)
    actions.record_customer_viewed(customer, by=user)
    return customer_out(customer, user)


@router.patch("/customers/{id}", response={200: CustomerOut, **ERRORS})
def update_customer(request: HttpRequest, id: int, payload: CustomerPatch) -> Any:
    """Change the fields sent; the whole record is re-validated, as the edit form would."""
    user = actor(request)
    customer = _editable_customer(user, id)
    patch = form_data(payload.model_dump(exclude_unset=True), CUSTOMER_RENAME)
    form = CustomerForm(data={**form_data_from_instance(CustomerForm, customer), **patch})
    if not form.is_valid():
        raise form_error(form, rename=CUSTOMER_ERROR_RENAME)
    changed = {name: form.cleaned_data[name] for name in patch if name in form.cleaned_data}
    # The form also derives fields from others (birth date and sex from the ID number).
    for derived in ("birth_date", "gender"):
        if derived in form.cleaned_data:
            changed.setdefault(derived, form.cleaned_data[derived])
    actions.update_customer(customer, changed, by=user)
    return customer_out(_customer_detail(user, id), user)


@router.post("/customers/{id}/assign", response={200: CustomerOut, **ERRORS})
def assign_customer(request: HttpRequest, id: int, payload: AssignIn) -> Any:
    """Hand the customer to another account manager within the caller's reach."""
    user = actor(request)
    customer = _editable_customer(user, id, ASSIGN)
    # Any active user id may be named; whether they are assignable is the action's
    # call, and an unknown id gets the same answer so ids cannot be probed.
    owner = User.objects.filter(pk=payload.owner_id, is_active=True).first()
    if owner is None:
        raise ApiError(
            400,
            "invalid_owner",
            "不能将客户分配给该用户。",
            [{"field": "owner_id", "message": "不能将客户分配给该用户。", "code": "invalid_owner"}],
        )
    try:
        actions.assign_owner(customer, owner, by=user)
    except actions.ActionError as exc:
        if exc.field == "owner":
            exc.field = "owner_id"
        raise
    return customer_out(_customer_detail(user, id), user)


@router.get("/customers/{id}/events", response={200: EventPageOut, **ERRORS})
def customer_events(
    request: HttpRequest, id: int, limit: int = 50, cursor: str | None = None
) -> Any:
    """The customer's timeline, newest first, keyset-paginated."""
    user = actor(request)
    if not _customers(user).filter(pk=id).exists():
        raise not_found()
    qs = Event.objects.restrict(user, "view").filter(customer_id=id).timeline()
    rows, next_cursor = newest_first_page(
        qs.select_related("actor"), "created_at", cursor, clamp_limit(limit)
    )
    return {
        "items": [
            {
                "id": e.pk,
                "created_at": e.created_at,
                "verb": e.verb,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "actor": _user_ref(e.actor),
                "summary": e.summary,
                "changes": e.changes,
            }
            for e in rows
        ],
        "next_cursor": next_cursor,
    }


# --- contacts -------------------------------------------------------------------------


@router.get("/customers/{id}/contacts", response={200: ContactListOut, **ERRORS})
def list_contacts(request: HttpRequest, id: int) -> Any:
    user = actor(request)
    if not _customers(user).filter(pk=id).exists():
        raise not_found()
    contacts = Contact.objects.restrict(user, "view").filter(customer_id=id)
    return {"items": [contact_out(c, user) for c in contacts]}


@router.post("/customers/{id}/contacts", response={201: ContactOut, **ERRORS})
def create_contact(request: HttpRequest, id: int, payload: ContactIn) -> Any:
    user = actor(request)
    customer = _editable_customer(user, id)
    form = ContactForm(data=form_data(payload.model_dump()))
    if not form.is_valid():
        raise form_error(form)
    contact = actions.add_contact(customer, form.cleaned_data, by=user)
    return Status(201, contact_out(contact, user))


def _contact(user: User, pk: int, action: str = "view") -> Contact:
    if action != "view":
        require(user, action)
    contact = (
        Contact.objects.restrict(user, action)
        .select_related("customer")
        .filter(pk=pk, customer__merged_into__isnull=True)
        .first()
    )
    if contact is None:
        raise not_found()
    return contact


@router.get("/contacts/{id}", response={200: ContactOut, **ERRORS})
def get_contact(request: HttpRequest, id: int) -> Any:
    user = actor(request)
    return contact_out(_contact(user, id), user)


@router.patch("/contacts/{id}", response={200: ContactOut, **ERRORS})
def update_contact(request: HttpRequest, id: int, payload: ContactPatch) -> Any:
    user = actor(request)
    contact = _contact(user, id, CHANGE)
    patch = form_data(payload.model_dump(exclude_unset=True))
    form = ContactForm(data={**form_data_from_instance(ContactForm, contact), **patch})
    if not form.is_valid():
        raise form_error(form)
    changed = {name: form.cleaned_data[name] for name in patch if name in form.cleaned_data}
    contact = actions.update_contact(contact, changed, by=user)
    return contact_out(contact, user)


# --- addresses ------------------------------------------------------------------------


@router.get("/customers/{id}/addresses", response={200: AddressListOut, **ERRORS})
def list_addresses(request: HttpRequest, id: int) -> Any:
    user = actor(request)
    if not _customers(user).filter(pk=id).exists():
        raise not_found()
    addresses = Address.objects.restrict(user, "view").filter(customer_id=id)
    return {"items": [address_out(a, user) for a in addresses]}


@router.post("/customers/{id}/addresses", response={201: AddressOut, **ERRORS})
def create_address(request: HttpRequest, id: int, payload: AddressIn) -> Any:
    user = actor(request)
    customer = _editable_customer(user, id)
    form = AddressForm(data=form_data(payload.model_dump()))
    if not form.is_valid():
        raise form_error(form)
    address = actions.add_address(customer, form.cleaned_data, by=user)
    return Status(201, address_out(address, user))


@router.patch("/addresses/{id}", response={200: AddressOut, **ERRORS})
def update_address(request: HttpRequest, id: int, payload: AddressPatch) -> Any:
    user = actor(request)
    require(user, CHANGE)
    address = (
        Address.objects.restrict(user, CHANGE)
        .select_related("customer")
        .filter(pk=id, customer__merged_into__isnull=True)
        .first()
    )
    if address is None:
        raise not_found()
    patch = form_data(payload.model_dump(exclude_unset=True))
    form = AddressForm(data={**form_data_from_instance(AddressForm, address), **patch})
    if not form.is_valid():
        raise form_error(form)
    changed = {name: form.cleaned_data[name] for name in patch if name in form.cleaned_data}
    address = actions.update_address(address, changed, by=user)
    return address_out(address, user)
