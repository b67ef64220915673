"""Contacts and addresses hang off a customer and follow its scope."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.core.models import Event

from .conftest import field_errors

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]


def test_it_adds_lists_reads_and_patches_a_contact(mallory_customer: Any, api_as: Any) -> None:
    mallory = api_as("mallory")
    created = mallory.post(
        f"/customers/{mallory_customer.pk}/contacts",
        {"name": "周采购", "role": "purchasing", "phone": "13700001234", "is_primary": True},
    )
    assert created.status_code == 201, created.content
    contact = created.json()
    assert contact["phone"] == "137 0000 1234"
    assert contact["is_primary"] is True
    listed = mallory.get(f"/customers/{mallory_customer.pk}/contacts").json()["items"]
    assert [c["id"] for c in listed] == [contact["id"]]
    assert mallory.get(f"/contacts/{contact['id']}").json()["name"] == "周采购"
    patched = mallory.patch(f"/contacts/{contact['id']}", {"title": "采购经理"})
    assert patched.status_code == 200
    assert patched.json()["title"] == "采购经理"
    assert patched.json()["role"] == "purchasing"
    verbs = Event.objects.filter(customer=mallory_customer).values_list("verb", flat=True)
    assert {"contact.added", "contact.updated"} <= set(verbs)


def test_it_rejects_a_contact_with_an_invalid_phone(mallory_customer: Any, api_as: Any) -> None:
    response = api_as("mallory").post(
        f"/customers/{mallory_customer.pk}/contacts", {"name": "周", "phone": "1"}
    )
    assert field_errors(response) == {"phone": "invalid_phone"}
    assert not mallory_customer.contacts.exists()


def test_bob_can_neither_see_nor_touch_mallorys_contacts(
    mallory_customer: Any, api_as: Any
) -> None:
    contact = (
        api_as("mallory")
        .post(f"/customers/{mallory_customer.pk}/contacts", {"name": "周采购"})
        .json()
    )
    bob = api_as("bob")
    events_before = Event.objects.count()
    assert bob.get(f"/customers/{mallory_customer.pk}/contacts").status_code == 404
    assert bob.post(f"/customers/{mallory_customer.pk}/contacts", {"name": "x"}).status_code == 404
    assert bob.get(f"/contacts/{contact['id']}").status_code == 404
    assert bob.patch(f"/contacts/{contact['id']}", {"name": "x"}).status_code == 404
    assert Event.objects.count() == events_before


def test_an_analyst_sees_a_contacts_phone_masked(mallory_customer: Any, api_as: Any) -> None:
    contact = (
        api_as("mallory")
        .post(f"/customers/{mallory_customer.pk}/contacts", {"name": "周", "phone": "13700001234"})
        .json()
    )
    assert api_as("frank").get(f"/contacts/{contact['id']}").json()["phone"] == "137****1234"
    assert api_as("frank").patch(f"/contacts/{contact['id']}", {"name": "x"}).status_code == 403


def test_it_adds_and_patches_an_address(bob_customer: Any, api_as: Any) -> None:
    bob = api_as("bob")
    created = bob.post(
        f"/customers/{bob_customer.pk}/addresses",
        {"province_code": "440000", "city_code": "440300", "district_code": "440305",
         "detail": "科技园", "postal_code": "518000"},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    address = created.json()
    assert address["location"].startswith("广东省")
    assert address["is_primary"] is True
    listed = bob.get(f"/customers/{bob_customer.pk}/addresses").json()["items"]
    assert [a["id"] for a in listed] == [address["id"]]
    patched = bob.patch(f"/addresses/{address['id']}", {"detail": "南山区科技园"})
    assert patched.status_code == 200
    assert patched.json()["detail"] == "南山区科技园"
    assert patched.json()["postal_code"] == "518000"


def test_it_rejects_an_address_whose_city_is_not_in_its_province(
    bob_customer: Any, api_as: Any
) -> None:
    response = api_as("bob").post(
        f"/customers/{bob_customer.pk}/addresses",
        {"province_code": "440000", "city_code": "310000"},
    )
    assert "city_code" in field_errors(response)
    response = api_as("bob").post(
        f"/customers/{bob_customer.pk}/addresses", {"province_code": "123456"}
    )
    assert "province_code" in field_errors(response)
    assert not bob_customer.addresses.exists()


def test_bob_cannot_patch_mallorys_address(mallory_customer: Any, api_as: Any) -> None:
    address = (
        api_as("mallory")
        .post(f"/customers/{mallory_customer.pk}/addresses", {"province_code": "310000"})
        .json()
    )
    response = api_as("bob").patch(f"/addresses/{address['id']}", {"detail": "x"})
    assert response.status_code == 404
    assert api_as("bob").get(f"/customers/{mallory_customer.pk}/addresses").status_code == 404


def test_the_contact_list_costs_the_same_queries_for_3_and_30_rows(
    bob_customer: Any, api_as: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bob = api_as("bob")
    bob.get("/health")

    def count_for(rows: int) -> int:
        while bob_customer.contacts.count() < rows:
            bob.post(f"/customers/{bob_customer.pk}/contacts", {"name": "联系人"})
        with CaptureQueriesContext(connection) as queries:
            assert len(bob.get(f"/customers/{bob_customer.pk}/contacts").json()["items"]) == rows
        return len(queries)

    assert count_for(3) == count_for(30)
