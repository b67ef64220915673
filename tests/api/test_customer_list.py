"""The customer list: filters, whitelisted sorts, keyset pages, and a fixed query count."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from guanxi.customers.models import Customer, Industry, Tag

from .conftest import field_errors

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.api.urls")]

SORTS = ["-updated_at", "updated_at", "-total_amount", "total_amount", "pinyin", "-created_at"]


def walk(api: Any, **params: Any) -> list[int]:
    """Follow next_cursor to the end; the ids in the order served."""
    ids: list[int] = []
    cursor = None
    for _ in range(100):
        page = api.get("/customers", **params, **({"cursor": cursor} if cursor else {}))
        assert page.status_code == 200, page.content
        ids += [c["id"] for c in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("the walk did not end")


@pytest.fixture
def tied_customers(make_customer: Any) -> list[Any]:
    """Seven of bob's customers whose sort values collide in pairs and triples."""
    customers = [make_customer("bob", name=name) for name in "张王张李王张赵"]
    same_time = timezone.make_aware(datetime(2026, 3, 1, 9, 0))
    for i, customer in enumerate(customers):
        Customer.objects.filter(pk=customer.pk).update(
            updated_at=same_time if i % 2 else timezone.now(),
            created_at=same_time,
            total_amount=Decimal("100.00") * (i % 3),
        )
    return customers


@pytest.mark.parametrize("sort", SORTS)
def test_it_walks_every_row_exactly_once_despite_ties(
    tied_customers: list[Any], api_as: Any, sort: str
) -> None:
    field = sort.lstrip("-")
    expected = sorted(
        Customer.objects.values_list(field, "id"),
        reverse=sort.startswith("-"),
    )
    for limit in (1, 2, 3, 50):
        assert walk(api_as("bob"), sort=sort, limit=limit) == [pk for _, pk in expected]


def test_it_sorts_by_recent_change_by_default(tied_customers: list[Any], api_as: Any) -> None:
    items = api_as("bob").get("/customers").json()["items"]
    stamps = [item["updated_at"] for item in items]
    assert stamps == sorted(stamps, reverse=True)


def test_a_cursor_from_another_sort_is_refused(tied_customers: list[Any], api_as: Any) -> None:
    page = api_as("bob").get("/customers", limit=2).json()
    response = api_as("bob").get("/customers", sort="pinyin", cursor=page["next_cursor"])
    assert field_errors(response) == {"cursor": "invalid"}


def test_it_filters_by_search_and_attributes(make_customer: Any, api_as: Any) -> None:
    industry = Industry.objects.first()
    vip = Tag.objects.create(name="重点")
    a = make_customer("bob", name="张伟", value_class="high", stage="contact", industry=industry.pk)
    b = make_customer(
        "bob",
        name="李娜",
        kind="org",
        province_code="310000",
        city_code="310000",
        district_code="310115",
    )
    c = make_customer("bob", name="王芳", tags=[vip.pk])
    bob = api_as("bob")

    def ids(**params: Any) -> set[int]:
        response = bob.get("/customers", **params)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids(q="zhang") == {a.pk}
    assert ids(q="ln") == {b.pk}
    assert ids(q=a.phone[-4:]) == {a.pk}
    assert ids(value_class="high") == {a.pk}
    assert ids(stage="contact") == {a.pk}
    assert ids(kind="org") == {b.pk}
    assert ids(industry=industry.code) == ids(industry=str(industry.pk)) == {a.pk}
    assert ids(region="east") == {b.pk}
    assert ids(tag="重点") == {c.pk}
    assert ids(owner=a.owner_id) == {a.pk, b.pk, c.pk}
    assert field_errors(bob.get("/customers", region="atlantis")) == {"region": "unknown_value"}


def test_filters_never_widen_the_scope(
    bob_customer: Any, mallory_customer: Any, api_as: Any
) -> None:
    bob = api_as("bob")
    assert bob.get("/customers", owner=mallory_customer.owner_id).json()["items"] == []
    assert bob.get("/customers", q="上海").json()["items"] == []


@pytest.mark.parametrize("user", ["bob", "dave", "erin", "alice", "frank"])
def test_the_list_costs_the_same_queries_for_3_and_30_rows(
    make_customer: Any, api_as: Any, user: str, django_assert_num_queries: Any
) -> None:
    tags = [Tag.objects.create(name=f"标签{i}") for i in range(3)]
    industry = Industry.objects.first()
    api = api_as(user)
    api.get("/health")

    def count_for(rows: int) -> int:
        while Customer.objects.count() < rows:
            make_customer("bob", tags=[t.pk for t in tags], industry=industry.pk)
        api.get("/customers")  # the token's last use is written on the first call
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = api.get("/customers", limit=200, sort="-total_amount", region="north")
        assert len(response.json()["items"]) == rows
        return len(queries)

    few = count_for(3)
    assert count_for(30) == few
    # token + region code + customers + tags (+ the teams a manager reaches)
    with django_assert_num_queries(few):
        api.get("/customers", limit=200, sort="-total_amount", region="north")
    assert few <= 5
