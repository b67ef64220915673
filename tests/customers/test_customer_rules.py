"""Customer validation and the actions that write customers, contacts and addresses."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from guanxi.core.actions import ActionError
from guanxi.core.models import Event
from guanxi.customers.actions import add_address, assign_owner, create_customer
from guanxi.customers.forms import AddressForm, ContactForm, CustomerForm
from guanxi.customers.models import Customer
from guanxi.customers.search import pinyin_keys, search_q

VALID = {
    "kind": "person", "name": "李娜", "source_channel": "internal", "collected_at": "2026-03-01 09:00",
    "value_class": "general", "stage": "awareness",
}  # fmt: skip


def errors_of(data: dict[str, Any]) -> dict[str, list[str]]:
    form = CustomerForm(data={**VALID, **data})
    form.is_valid()
    return {
        field: [e["code"] or e["message"] for e in errs]
        for field, errs in form.errors.get_json_data().items()
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"id_number": "1101051949"}, "id_number"),
        ({"province_code": "990000"}, "province_code"),
        ({"province_code": "440000", "city_code": "310100"}, "city_code"),
        (
            {"province_code": "440000", "city_code": "440300", "district_code": "440106"},
            "district_code",
        ),
        ({"annual_revenue": "-1"}, "annual_revenue"),
        ({"employees": "-5"}, "employees"),
        ({"name": "   "}, "name"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"kind": "org", "id_number": "11010519491231002X"}, "id_number"),
    ],
)
def test_it_rejects_bad_input_with_a_field_level_error(data: dict[str, Any], field: str) -> None:
    assert field in errors_of(data)


@pytest.mark.django_db
def test_it_derives_birth_date_and_sex_from_the_id_number() -> None:
    form = CustomerForm(data={**VALID, "id_number": "11010519491231002X"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["birth_date"] == date(1949, 12, 31)
    assert form.cleaned_data["gender"] == "F"  # 17th digit 2 is even


@pytest.mark.django_db
def test_it_refuses_a_birth_date_that_contradicts_the_id_number() -> None:
    assert "birth_date" in errors_of(
        {"id_number": "11010519491231002X", "birth_date": "1950-01-01"}
    )


def test_pinyin_keys_cover_full_pinyin_initials_and_latin() -> None:
    assert pinyin_keys("张伟") == ("zhangwei", "zw")
    assert pinyin_keys("中石化 Sinopec 2号站") == ("zhongshihuasinopec2haozhan", "zshs2hz")


def test_a_new_customer_gets_owner_team_region_and_search_keys(
    users: dict[str, Any], bob_customer: Any
) -> None:
    assert bob_customer.owner == users["bob"]
    assert bob_customer.team == users["bob"].team
    assert bob_customer.region.code == "north"  # 北京 is 华北
    assert (bob_customer.pinyin, bob_customer.initials) == ("zhangwei", "zw")
    assert Event.objects.filter(verb="customer.created", customer_id=bob_customer.pk).count() == 1


@pytest.mark.parametrize("term", ["张", "zhangw", "zw", "13812345678", "138 1234 5678", "5678"])
def test_search_finds_a_customer_by_name_pinyin_initials_phone_and_last_four(
    users: dict[str, Any], bob_customer: Any, mallory_customer: Any, term: str
) -> None:
    found = Customer.objects.restrict(users["alice"], "view").filter(search_q(term))
    assert list(found) == [bob_customer]


def test_search_finds_an_organisation_through_its_contact(
    users: dict[str, Any], mallory_customer: Any
) -> None:
    from guanxi.customers.actions import add_contact
    from guanxi.customers.models import Contact

    add_contact(
        mallory_customer, {"name": "钱多多", "phone": "+8613600001234"}, by=users["mallory"]
    )
    contacts = Contact.objects.restrict(users["alice"], "view")
    for term in ("钱多", "qianduo", "13600001234", "1234"):
        assert list(Customer.objects.filter(search_q(term, contacts=contacts))) == [
            mallory_customer
        ], term


def test_a_manager_cannot_hand_a_customer_outside_the_team(
    users: dict[str, Any], bob_customer: Any
) -> None:
    with pytest.raises(ActionError) as info:
        assign_owner(bob_customer, users["mallory"], by=users["dave"])
    assert info.value.field == "owner"
    bob_customer.refresh_from_db()
    assert bob_customer.owner == users["bob"]


def test_an_admin_reassigns_and_team_and_region_follow(
    users: dict[str, Any], bob_customer: Any
) -> None:
    assign_owner(bob_customer, users["mallory"], by=users["alice"])
    bob_customer.refresh_from_db()
    assert (bob_customer.owner, bob_customer.team) == (users["mallory"], users["mallory"].team)
    assert Event.objects.filter(verb="customer.assigned").get().changes["owner"] == ["李博", "马丽"]


def test_the_primary_address_moves_the_customer_to_its_region(
    users: dict[str, Any], bob_customer: Any
) -> None:
    form = AddressForm(
        data={
            "kind": "office",
            "province_code": "440000",
            "city_code": "440300",
            "district_code": "440305",
            "is_primary": "on",
        }
    )
    assert form.is_valid(), form.errors
    add_address(bob_customer, form.cleaned_data, by=users["bob"])
    bob_customer.refresh_from_db()
    assert (bob_customer.province_code, bob_customer.region.code) == ("440000", "south")
    assert bob_customer.location == "广东省深圳市南山区"


def test_contact_form_normalises_the_phone() -> None:
    form = ContactForm(data={"name": " 王 五 ", "role": "finance", "phone": "139-0000-1111"})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["name"], form.cleaned_data["phone"]) == ("王 五", "+8613900001111")


def test_read_only_roles_cannot_create(users: dict[str, Any]) -> None:
    from guanxi.customers.actions import NotFound

    form = CustomerForm(data=VALID)
    assert form.is_valid()
    for role in ("mona", "frank", "carol"):
        with pytest.raises(NotFound):
            create_customer(form.cleaned_data, by=users[role])
    assert not Customer.objects.exists()
