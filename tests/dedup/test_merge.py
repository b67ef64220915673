"""Merging two customers into one, and undoing it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, models

from guanxi.core.models import Event
from guanxi.customers.actions import NotFound
from guanxi.customers.dedup.merge import customer_relations, merge_customers, undo_merge
from guanxi.customers.models import Contact, Customer, Tag
from guanxi.sales.actions import record_purchase
from guanxi.sales.models import Order


def buy(customer: Any, product: Any, user: Any, price: str) -> Order:
    return record_purchase(
        customer, {}, [{"product": product, "quantity": 1, "unit_price": Decimal(price)}], by=user
    )


@pytest.fixture
def pair(make_customer: Any, users: dict[str, Any], product: Any) -> tuple[Any, Any]:
    survivor = make_customer(name="张伟", email="")
    loser = make_customer(name="張偉", email="zw@example.com")
    buy(survivor, product, users["bob"], "100")
    buy(loser, product, users["bob"], "50")
    tag = Tag.objects.create(name="VIP")
    loser.tags.add(tag)
    return survivor, loser


def test_bob_merges_two_of_his_customers_and_everything_moves_to_the_survivor(
    pair: tuple[Any, Any], users: dict[str, Any]
) -> None:
    survivor, loser = pair
    contacts_before = Contact.objects.filter(customer=loser).count()
    merge = merge_customers(survivor, loser, by=users["bob"])
    survivor.refresh_from_db()
    loser.refresh_from_db()
    assert loser.merged_into == survivor
    assert Order.objects.filter(customer=loser).count() == 0
    assert survivor.purchase_count == 2 and survivor.total_amount == Decimal("150")
    assert list(survivor.tags.values_list("name", flat=True)) == ["VIP"]
    assert survivor.email == "zw@example.com"  # a blank field filled from the loser
    assert Contact.objects.filter(customer=survivor).count() >= contacts_before
    assert Event.objects.filter(verb="customer.merged", customer_id=survivor.pk).count() == 1
    assert "sales.order.customer" in merge.moved


def test_undo_puts_back_exactly_what_moved(pair: tuple[Any, Any], users: dict[str, Any]) -> None:
    survivor, loser = pair
    merge = merge_customers(survivor, loser, by=users["bob"])
    undo_merge(merge, by=users["bob"])
    survivor.refresh_from_db()
    loser.refresh_from_db()
    assert loser.merged_into is None
    assert survivor.purchase_count == 1 and survivor.total_amount == Decimal("100")
    assert loser.purchase_count == 1 and loser.total_amount == Decimal("50")
    assert survivor.email == "" and survivor.tags.count() == 0
    assert Event.objects.filter(verb="customer.unmerged", customer_id=loser.pk).count() == 1


def test_mallory_cannot_merge_bobs_customers_and_nothing_changes(
    pair: tuple[Any, Any], users: dict[str, Any]
) -> None:
    survivor, loser = pair
    with pytest.raises(NotFound):
        merge_customers(survivor, loser, by=users["mallory"])
    loser.refresh_from_db()
    assert loser.merged_into is None and Order.objects.filter(customer=loser).count() == 1


def test_bob_cannot_merge_his_customer_with_one_he_may_not_change(
    make_customer: Any, users: dict[str, Any]
) -> None:
    mine = make_customer(owner="bob")
    theirs = make_customer(owner="mallory")
    with pytest.raises(NotFound):
        merge_customers(mine, theirs, by=users["bob"])
    assert Customer.objects.get(pk=theirs.pk).merged_into is None


def test_every_model_pointing_at_customers_is_moved_including_apps_added_later() -> None:
    """New apps' foreign keys are discovered, not listed, hidden ones (related_name="+") too.

    Only events, `merged_into` and dedup's own rows stay behind.
    """
    from django.apps import apps

    moved = {f"{r.related_model._meta.label_lower}.{r.field.name}" for r in customer_relations()}
    pointing = {
        f"{m._meta.label_lower}.{f.name}"
        for m in apps.get_models()
        for f in m._meta.get_fields()
        if isinstance(f, models.ForeignKey) and f.related_model is Customer
    }
    assert pointing - moved == {
        "core.event.customer",
        "customers.customer.merged_into",
        "dedup.duplicatecandidate.left",
        "dedup.duplicatecandidate.right",
        "dedup.merge.survivor",
        "dedup.merge.loser",
    }
    assert {
        "customers.contact.customer",
        "customers.address.customer",
        "customers.stagechange.customer",
        "sales.order.customer",
        "crisis.communicationrecipient.customer",
    } <= moved


def test_a_row_of_an_app_added_later_moves_and_moves_back(
    pair: tuple[Any, Any], users: dict[str, Any]
) -> None:
    """A model defined at test time (as a future tickets app would be) is moved by the merge."""
    from django.apps import apps

    class DedupTestTicket(models.Model):  # noqa: DJ008
        customer = models.ForeignKey(
            Customer, on_delete=models.CASCADE, related_name="dedup_test_tickets"
        )

        class Meta:
            app_label = "sales"  # an installed app, as a real future app would be

    # Plain DDL inside the test's transaction (rolled back with it): the schema
    # editor refuses to run inside a transaction on SQLite.
    key = (
        "id integer PRIMARY KEY AUTOINCREMENT"
        if connection.vendor == "sqlite"
        else "id bigserial PRIMARY KEY"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE sales_deduptestticket ({key}, customer_id bigint NOT NULL)")
    try:
        survivor, loser = pair
        ticket = DedupTestTicket.objects.create(customer=loser)
        merge = merge_customers(survivor, loser, by=users["bob"])
        assert merge.moved["sales.deduptestticket.customer"] == [ticket.pk]
        ticket.refresh_from_db()
        assert ticket.customer_id == survivor.pk
        undo_merge(merge, by=users["bob"])
        ticket.refresh_from_db()
        assert ticket.customer_id == loser.pk
    finally:
        apps.all_models["sales"].pop("deduptestticket", None)
        apps.clear_cache()
