"""The duplicate check a create form, the API and imports call before saving."""

from __future__ import annotations

from typing import Any

from guanxi.customers.dedup import likely_duplicates
from guanxi.customers.forms import CustomerForm


def cleaned(**fields: Any) -> dict[str, Any]:
    data = {
        "kind": "person", "name": "张伟", "phone": "13800138000", "source_channel": "internal",
        "collected_at": "2026-01-05 10:00", "value_class": "general", "stage": "awareness",
        "province_code": "110000", "city_code": "110000", "district_code": "110105",
    }  # fmt: skip
    data.update(fields)
    form = CustomerForm(data=data)
    assert form.is_valid(), form.errors.as_json()
    return form.cleaned_data


def test_a_new_record_with_the_same_phone_and_name_finds_the_existing_customer(
    make_customer: Any, users: dict[str, Any]
) -> None:
    existing = make_customer(name="张伟", phone="13800138000")
    matches = likely_duplicates(cleaned(phone="+86 138 0013 8000"), user=users["bob"])
    assert [m.customer for m in matches] == [existing]
    assert matches[0].probability > 0.9
    assert {r.field for r in matches[0].reasons} >= {"phone", "full_name"}


def test_a_homophone_in_traditional_characters_with_the_same_phone_is_found(
    make_customer: Any, users: dict[str, Any]
) -> None:
    existing = make_customer(name="张伟", phone="13800138000")
    matches = likely_duplicates(cleaned(name="張瑋"), user=users["bob"])
    assert [m.customer for m in matches] == [existing]


def test_a_different_person_is_not_a_duplicate(make_customer: Any, users: dict[str, Any]) -> None:
    make_customer(name="李娜", phone="13900139000")
    assert likely_duplicates(cleaned(), user=users["bob"]) == []


def test_customers_outside_the_users_scope_are_never_suggested(
    make_customer: Any, users: dict[str, Any]
) -> None:
    make_customer(owner="mallory", name="张伟", phone="13800138000")
    assert likely_duplicates(cleaned(), user=users["bob"]) == []
    assert len(likely_duplicates(cleaned(), user=users["alice"])) == 1
