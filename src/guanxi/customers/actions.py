"""Every write to customers, contacts and addresses.

Views, API, CLI and imports validate input with the forms in `forms.py` and hand
the cleaned data here. Actions check the actor's record scope again (a second
gate, in case a caller fetched the object without `restrict`), write, and
record exactly one event per change.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from guanxi.core import crypto, events
from guanxi.core.actions import ActionError
from guanxi.core.choices import Role, Scope
from guanxi.core.models import Region, User
from guanxi.core.permissions import ADD, ASSIGN, CHANGE, scope_for

from .models import Address, Contact, Customer, StageChange
from .search import phone_indexes, pinyin_keys

CUSTOMER_FIELDS = [
    "kind", "name", "gender", "birth_date", "occupation", "id_number", "credit_code", "phone",
    "email", "wechat_id", "industry", "employees", "annual_revenue", "energy_consumption",
    "energy_unit", "province_code", "city_code", "district_code", "source_channel",
    "collected_at", "verified_at", "value_class", "stage", "preferences", "notes",
]  # fmt: skip
CONTACT_FIELDS = [
    "name",
    "role",
    "title",
    "gender",
    "birth_date",
    "phone",
    "email",
    "wechat_id",
    "is_primary",
    "notes",
]
ADDRESS_FIELDS = [
    "kind",
    "province_code",
    "city_code",
    "district_code",
    "detail",
    "postal_code",
    "is_primary",
]


class NotFound(ActionError):
    """The record is outside the actor's scope; callers answer 404."""

    def __init__(self) -> None:
        super().__init__("记录不存在。", code="not_found")


def check_scope(user: User | None, action: str, customer: Customer) -> None:
    if not Customer.objects.restrict(user, action).filter(pk=customer.pk).exists():
        raise NotFound()


def region_for_province(province_code: str) -> Region | None:
    if not province_code:
        return None
    for region in Region.objects.all():
        if province_code[:2] in (region.province_prefixes or []):
            return region
    return None


def _fill_derived(customer: Customer) -> None:
    customer.pinyin, customer.initials = pinyin_keys(customer.name)
    customer.phone_bidx, customer.phone_last4_bidx = phone_indexes(customer.phone)
    customer.id_number_bidx = (
        crypto.blind_index(customer.id_number, "id_number") if customer.id_number else ""
    )


def _snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {f: getattr(obj, f"{f}_id" if f == "industry" else f) for f in fields}


@transaction.atomic
def create_customer(data: dict[str, Any], *, by: User, owner: User | None = None) -> Customer:
    """Create a customer from validated data; the creator owns it unless an owner is given."""
    if scope_for(by, ADD) == Scope.NONE:
        raise NotFound()
    owner = owner or by
    if owner != by:
        _check_assignable(owner, by=by)
    customer = Customer(**{f: data[f] for f in CUSTOMER_FIELDS if f in data})
    customer.owner = owner
    customer.team_id = owner.team_id
    customer.region = region_for_province(customer.province_code) or owner.region
    if by.role == Role.REGIONAL_MANAGER and customer.region_id != by.region_id:
        customer.region = by.region
    _fill_derived(customer)
    customer.save()
    if data.get("tags"):
        customer.tags.set(data["tags"])
    StageChange.objects.create(
        customer=customer, from_stage="", to_stage=customer.stage, changed_by=by
    )
    after = _snapshot(customer, CUSTOMER_FIELDS)
    events.record(
        by,
        "customer.created",
        customer,
        customer_id=customer.pk,
        summary=customer.name,
        changes=events.diff({}, after, CUSTOMER_FIELDS),
    )
    return customer


@transaction.atomic
def update_customer(
    customer: Customer, data: dict[str, Any], *, by: User, reason: str = ""
) -> Customer:
    """Apply validated changes; a stage move is kept in the stage history too."""
    check_scope(by, CHANGE, customer)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = _snapshot(customer, CUSTOMER_FIELDS)
    before_tags = sorted(customer.tags.values_list("name", flat=True))
    for field in CUSTOMER_FIELDS:
        if field in data:
            setattr(customer, field, data[field])
    if customer.province_code != before["province_code"]:
        customer.region = region_for_province(customer.province_code) or customer.region
    _fill_derived(customer)
    customer.updated_at = timezone.now()
    customer.save()
    if "tags" in data:
        customer.tags.set(data["tags"])
    after = _snapshot(customer, CUSTOMER_FIELDS)
    changes = events.diff(before, after, CUSTOMER_FIELDS)
    after_tags = sorted(customer.tags.values_list("name", flat=True))
    if after_tags != before_tags:
        changes["tags"] = [before_tags, after_tags]
    if before["stage"] != customer.stage:
        StageChange.objects.create(
            customer=customer,
            from_stage=before["stage"],
            to_stage=customer.stage,
            changed_by=by,
            reason=reason,
        )
    if changes:
        events.record(
            by,
            "customer.updated",
            customer,
            customer_id=customer.pk,
            summary=customer.name,
            changes=changes,
        )
    return customer


def _check_assignable(owner: User, *, by: User) -> None:
    """The new owner must be inside the assigner's own reach (no handing accounts outside)."""
    scope = scope_for(by, ASSIGN)
    ok = (
        scope == Scope.ALL
        or (scope == Scope.REGION and owner.region_id == by.region_id)
        or (scope == Scope.TEAM and owner.team_id in by.scoped_team_ids())
        or (scope == Scope.OWN and owner == by)
    )
    if (
        not ok
        or not owner.is_active
        or owner.role not in (Role.REP, Role.MANAGER, Role.REGIONAL_MANAGER, Role.ADMIN)
    ):
        raise ActionError("不能将客户分配给该用户。", code="invalid_owner", field="owner")


@transaction.atomic
def assign_owner(customer: Customer, owner: User, *, by: User) -> Customer:
    """Hand an account to another account manager (客户经理); team and region follow the owner."""
    check_scope(by, ASSIGN, customer)
    _check_assignable(owner, by=by)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = {"owner": str(customer.owner) if customer.owner else None}
    customer.owner = owner
    customer.team_id = owner.team_id
    if owner.region_id and not customer.province_code:
        customer.region_id = owner.region_id
    customer.updated_at = timezone.now()
    customer.save(update_fields=["owner", "team", "region", "updated_at"])
    events.record(
        by,
        "customer.assigned",
        customer,
        customer_id=customer.pk,
        summary=f"{customer.name} → {owner}",
        changes={"owner": [before["owner"], str(owner)]},
    )
    return customer


@transaction.atomic
def change_stage(customer: Customer, stage: str, *, by: User, reason: str = "") -> Customer:
    return update_customer(customer, {"stage": stage}, by=by, reason=reason)


def record_customer_viewed(customer: Customer, *, by: User) -> None:
    """Audit who looked at whose personal data (SPEC §13); not shown on the timeline."""
    events.record(by, "customer.viewed", customer, customer_id=customer.pk)


def _touch(customer: Customer) -> None:
    Customer.objects.filter(pk=customer.pk).update(updated_at=timezone.now())


@transaction.atomic
def add_contact(customer: Customer, data: dict[str, Any], *, by: User) -> Contact:
    check_scope(by, CHANGE, customer)
    contact = Contact(customer=customer, **{f: data[f] for f in CONTACT_FIELDS if f in data})
    contact.pinyin, contact.initials = pinyin_keys(contact.name)
    contact.phone_bidx, contact.phone_last4_bidx = phone_indexes(contact.phone)
    contact.save()
    if contact.is_primary:
        customer.contacts.exclude(pk=contact.pk).update(is_primary=False)
    _touch(customer)
    events.record(
        by,
        "contact.added",
        contact,
        customer_id=customer.pk,
        summary=contact.name,
        changes=events.diff({}, _snapshot(contact, CONTACT_FIELDS), CONTACT_FIELDS),
    )
    return contact


@transaction.atomic
def update_contact(contact: Contact, data: dict[str, Any], *, by: User) -> Contact:
    check_scope(by, CHANGE, contact.customer)
    before = _snapshot(contact, CONTACT_FIELDS)
    for field in CONTACT_FIELDS:
        if field in data:
            setattr(contact, field, data[field])
    contact.pinyin, contact.initials = pinyin_keys(contact.name)
    contact.phone_bidx, contact.phone_last4_bidx = phone_indexes(contact.phone)
    contact.save()
    if contact.is_primary:
        Contact.objects.filter(customer_id=contact.customer_id).exclude(pk=contact.pk).update(
            is_primary=False
        )
    _touch(contact.customer)
    changes = events.diff(before, _snapshot(contact, CONTACT_FIELDS), CONTACT_FIELDS)
    if changes:
        events.record(
            by,
            "contact.updated",
            contact,
            customer_id=contact.customer_id,
            summary=contact.name,
            changes=changes,
        )
    return contact


@transaction.atomic
def add_address(customer: Customer, data: dict[str, Any], *, by: User) -> Address:
    check_scope(by, CHANGE, customer)
    address = Address(customer=customer, **{f: data[f] for f in ADDRESS_FIELDS if f in data})
    if not customer.addresses.exists():
        address.is_primary = True
    address.save()
    if address.is_primary:
        _make_primary(address)
    events.record(by, "address.added", address, customer_id=customer.pk, summary=str(address))
    return address


@transaction.atomic
def update_address(address: Address, data: dict[str, Any], *, by: User) -> Address:
    check_scope(by, CHANGE, address.customer)
    before = _snapshot(address, ADDRESS_FIELDS)
    for field in ADDRESS_FIELDS:
        if field in data:
            setattr(address, field, data[field])
    address.save()
    if address.is_primary:
        _make_primary(address)
    changes = events.diff(before, _snapshot(address, ADDRESS_FIELDS), ADDRESS_FIELDS)
    if changes:
        events.record(
            by,
            "address.updated",
            address,
            customer_id=address.customer_id,
            summary=str(address),
            changes=changes,
        )
    return address


def _make_primary(address: Address) -> None:
    """The primary address is mirrored on the customer for geography filters and region."""
    Address.objects.filter(customer_id=address.customer_id).exclude(pk=address.pk).update(
        is_primary=False
    )
    fields = {
        "province_code": address.province_code,
        "city_code": address.city_code,
        "district_code": address.district_code,
        "updated_at": timezone.now(),
    }
    region = region_for_province(address.province_code)
    if region is not None:
        fields["region_id"] = region.pk
    Customer.objects.filter(pk=address.customer_id).update(**fields)
