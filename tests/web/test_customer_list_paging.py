"""Keyset pagination of the customer list: every row exactly once, in order, both ways."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from guanxi.customers.models import Customer
from guanxi.customers.queries import SORTS, InvalidQuery, customer_list


def walk(user: Any, params: dict[str, str], size: int) -> tuple[list[int], list[list[int]]]:
    """Follow next cursors to the end; return all ids and the pages as seen."""
    pages: list[list[int]] = []
    cursor: str | None = None
    while True:
        page = customer_list(user, {**params, "cursor": cursor or ""}, page_size=size)
        pages.append([c.pk for c in page.rows])
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return [pk for p in pages for pk in p], pages


@pytest.fixture
def many(make_customer: Callable[..., Any]) -> list[Any]:
    """Eleven of bob's customers whose sort values tie in groups, the case that loses rows."""
    made = [make_customer("bob", name=f"王{n % 3}") for n in range(11)]
    same = timezone.now()
    # Equal timestamps and amounts force the id tie-breaker to do the work.
    Customer.objects.filter(pk__in=[c.pk for c in made]).update(
        updated_at=same, created_at=same, total_amount=Decimal("5")
    )
    return made


@pytest.mark.parametrize("sort", list(SORTS))
def test_it_returns_every_row_once_across_pages_with_equal_sort_values(
    users: dict[str, Any], many: list[Any], sort: str
) -> None:
    ids, pages = walk(users["bob"], {"sort": sort}, size=4)
    assert sorted(ids) == sorted(c.pk for c in many)
    assert len(ids) == len(set(ids))
    assert [len(p) for p in pages] == [4, 4, 3]


def test_it_walks_back_to_the_same_pages(users: dict[str, Any], many: list[Any]) -> None:
    bob = users["bob"]
    first = customer_list(bob, {"sort": "pinyin"}, page_size=4)
    second = customer_list(bob, {"sort": "pinyin", "cursor": first.next_cursor}, page_size=4)
    third = customer_list(bob, {"sort": "pinyin", "cursor": second.next_cursor}, page_size=4)
    back = customer_list(bob, {"sort": "pinyin", "cursor": third.prev_cursor}, page_size=4)
    again = customer_list(bob, {"sort": "pinyin", "cursor": back.prev_cursor}, page_size=4)
    assert [c.pk for c in back.rows] == [c.pk for c in second.rows]
    assert [c.pk for c in again.rows] == [c.pk for c in first.rows]
    assert first.prev_cursor is None and again.prev_cursor is None
    assert third.next_cursor is None


def test_it_orders_by_the_sort_then_id(users: dict[str, Any], many: list[Any]) -> None:
    ids, _ = walk(users["bob"], {"sort": "name"}, size=5)
    expected = list(Customer.objects.order_by("name", "id").values_list("pk", flat=True))
    assert ids == expected


def test_it_shows_a_rep_only_their_own_customers(
    users: dict[str, Any], bob_customer: Any, mallory_customer: Any
) -> None:
    ids, _ = walk(users["bob"], {}, size=10)
    assert ids == [bob_customer.pk]


@pytest.mark.parametrize(
    "params,field",
    [({"sort": "phone"}, "sort"), ({"cursor": "garbage"}, "cursor"), ({"owner": "x"}, "owner"),
     ({"stage": "nope"}, "stage")],
)  # fmt: skip
def test_it_rejects_bad_list_parameters_by_field(
    users: dict[str, Any], params: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidQuery) as caught:
        customer_list(users["bob"], params)
    assert caught.value.field == field


def test_it_refuses_a_cursor_from_another_sort(users: dict[str, Any], many: list[Any]) -> None:
    page = customer_list(users["bob"], {"sort": "name"}, page_size=4)
    with pytest.raises(InvalidQuery):
        customer_list(users["bob"], {"sort": "pinyin", "cursor": page.next_cursor}, page_size=4)
