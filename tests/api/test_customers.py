"""Customers over the API: create, read, partial update, assign, timeline, and who may."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.core.models import Event
from guanxi.customers.models import Customer

from .conftest import field_errors

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]

NEW_PERSON = {
    "kind": "person",
    "name": "王小明",
    "phone": "139-1234-5678",
    "id_number": "11010519491231002X",
    "province_code": "110000",
    "city_code": "110000",
    "district_code": "110105",
}


def test_it_creates_a_customer_owned_by_the_caller(users: dict[str, Any], api_as: Any) -> None:
    response = api_as("bob").post("/customers", NEW_PERSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "王小明"
    assert body["phone"] == "139 1234 5678"
    assert body["owner"] == {"id": users["bob"].pk, "name": "李博"}
    # birth date and sex come from the ID number, which is never returned in full
    assert body["birth_date"] == "1949-12-31"
    assert body["gender"] == "F"
    assert body["id_number"] == "110***********002X"
    customer = Customer.objects.get(pk=body["id"])
    assert customer.pinyin == "wangxiaoming"
    assert Event.objects.filter(verb="customer.created", object_id=customer.pk).count() == 1


def test_it_returns_a_customer_in_scope(bob_customer: Any, api_as: Any) -> None:
    response = api_as("bob").get(f"/customers/{bob_customer.pk}")
    assert response.status_code == 200
    assert response.json()["phone"] == "138 1234 5678"
    assert response.json()["region"]["code"] == "north"


def test_it_hides_another_reps_customer_behind_404(mallory_customer: Any, api_as: Any) -> None:
    response = api_as("bob").get(f"/customers/{mallory_customer.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert api_as("bob").get("/customers/999999").json() == response.json()


def test_it_does_not_let_bob_patch_mallorys_customer(mallory_customer: Any, api_as: Any) -> None:
    bob = api_as("bob")
    events_before = Event.objects.count()
    response = bob.patch(f"/customers/{mallory_customer.pk}", {"name": "被改了"})
    assert response.status_code == 404
    mallory_customer.refresh_from_db()
    assert mallory_customer.name == "上海申能燃气有限公司"
    assert Event.objects.count() == events_before


def test_a_manager_sees_his_reps_customers(
    bob_customer: Any, mallory_customer: Any, api_as: Any
) -> None:
    dave = api_as("dave")
    assert dave.get(f"/customers/{bob_customer.pk}").status_code == 200
    assert dave.get(f"/customers/{mallory_customer.pk}").status_code == 404
    assert [c["id"] for c in dave.get("/customers").json()["items"]] == [bob_customer.pk]


def test_a_regional_manager_sees_her_region(
    bob_customer: Any, mallory_customer: Any, api_as: Any
) -> None:
    ids = [c["id"] for c in api_as("erin").get("/customers").json()["items"]]
    assert ids == [bob_customer.pk]


def test_an_analyst_sees_masked_personal_data(bob_customer: Any, api_as: Any) -> None:
    body = api_as("frank").get(f"/customers/{bob_customer.pk}").json()
    assert body["phone"] == "138****5678"
    assert body["id_number"] == "110***********002X"
    assert body["birth_date"] is None
    listed = api_as("frank").get("/customers").json()["items"][0]
    assert listed["phone"] == "138****5678"


def test_an_analyst_cannot_write(bob_customer: Any, api_as: Any) -> None:
    frank = api_as("frank")
    events_before = Event.objects.count()
    assert frank.post("/customers", NEW_PERSON).status_code == 403
    response = frank.patch(f"/customers/{bob_customer.pk}", {"name": "x"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    # the reads above are audited; the refused writes left nothing
    assert Event.objects.exclude(verb="customer.viewed").count() == events_before


def test_it_patches_only_the_fields_sent(bob_customer: Any, api_as: Any) -> None:
    response = api_as("bob").patch(
        f"/customers/{bob_customer.pk}", {"phone": "+86 139 0000 1111", "stage": "contact"}
    )
    assert response.status_code == 200, response.content
    bob_customer.refresh_from_db()
    assert bob_customer.phone == "+8613900001111"
    assert bob_customer.stage == "contact"
    assert bob_customer.name == "张伟"
    assert bob_customer.id_number == "11010519491231002X"
    event = Event.objects.filter(verb="customer.updated", customer=bob_customer).get()
    assert set(event.changes) == {"phone", "stage"}
    assert "13900001111" not in str(event.changes)


def test_a_patch_that_changes_nothing_writes_no_event(bob_customer: Any, api_as: Any) -> None:
    api_as("bob").patch(f"/customers/{bob_customer.pk}", {"name": "张伟"})
    assert not Event.objects.filter(verb="customer.updated").exists()


def test_it_sets_tags_and_industry_by_id(bob_customer: Any, api_as: Any) -> None:
    from guanxi.customers.models import Industry, Tag

    tag = Tag.objects.create(name="大客户")
    industry = Industry.objects.first()
    response = api_as("bob").patch(
        f"/customers/{bob_customer.pk}", {"tag_ids": [tag.pk], "industry_id": industry.pk}
    )
    assert response.status_code == 200, response.content
    assert [t["name"] for t in response.json()["tags"]] == ["大客户"]
    assert response.json()["industry"]["code"] == industry.code


def test_a_manager_assigns_a_customer_within_his_team(
    bob_customer: Any, users: dict[str, Any], api_as: Any
) -> None:
    response = api_as("dave").post(
        f"/customers/{bob_customer.pk}/assign", {"owner_id": users["dave"].pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["owner"]["id"] == users["dave"].pk


def test_it_refuses_to_assign_outside_the_assigners_reach(
    bob_customer: Any, users: dict[str, Any], api_as: Any
) -> None:
    response = api_as("dave").post(
        f"/customers/{bob_customer.pk}/assign", {"owner_id": users["mallory"].pk}
    )
    assert response.status_code == 400
    assert field_errors(response) == {"owner_id": "invalid_owner"}
    unknown = api_as("dave").post(f"/customers/{bob_customer.pk}/assign", {"owner_id": 987654})
    assert unknown.json() == response.json()
    bob_customer.refresh_from_db()
    assert bob_customer.owner == users["bob"]


def test_a_rep_may_not_assign(bob_customer: Any, users: dict[str, Any], api_as: Any) -> None:
    response = api_as("bob").post(
        f"/customers/{bob_customer.pk}/assign", {"owner_id": users["bob"].pk}
    )
    assert response.status_code == 403


def test_it_shows_the_timeline_newest_first(bob_customer: Any, api_as: Any) -> None:
    bob = api_as("bob")
    bob.patch(f"/customers/{bob_customer.pk}", {"stage": "contact"})
    bob.get(f"/customers/{bob_customer.pk}")  # audited, but not on the timeline
    items = bob.get(f"/customers/{bob_customer.pk}/events").json()["items"]
    assert [e["verb"] for e in items] == ["customer.updated", "customer.created"]
    assert items[0]["actor"]["name"] == "李博"


def test_it_pages_through_the_timeline(bob_customer: Any, api_as: Any) -> None:
    bob = api_as("bob")
    for stage in ("contact", "cooperation", "stable"):
        bob.patch(f"/customers/{bob_customer.pk}", {"stage": stage})
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = bob.get(f"/customers/{bob_customer.pk}/events", **params).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 4


def test_it_hides_another_reps_timeline(mallory_customer: Any, api_as: Any) -> None:
    assert api_as("bob").get(f"/customers/{mallory_customer.pk}/events").status_code == 404
