"""Every action writes one event; events are append-only, also below the ORM."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from guanxi.core.models import Event
from guanxi.customers.actions import change_stage, update_customer


def test_an_update_records_before_and_after_with_phones_masked(
    users: dict[str, Any], bob_customer: Any
) -> None:
    update_customer(
        bob_customer, {"phone": "+8613900001111", "occupation": "工程师"}, by=users["bob"]
    )
    event = Event.objects.filter(verb="customer.updated").get()
    assert event.actor == users["bob"] and event.customer_id == bob_customer.pk
    assert event.changes["occupation"] == ["", "工程师"]
    assert event.changes["phone"] == ["138****5678", "139****1111"]


def test_a_stage_move_is_kept_in_history(users: dict[str, Any], bob_customer: Any) -> None:
    change_stage(bob_customer, "contact", by=users["bob"], reason="首次拜访")
    moves = list(bob_customer.stage_changes.values_list("from_stage", "to_stage", "reason"))
    assert moves[0] == ("awareness", "contact", "首次拜访")
    assert moves[-1] == ("", "awareness", "")


def test_an_update_that_changes_nothing_records_nothing(
    users: dict[str, Any], bob_customer: Any
) -> None:
    before = Event.objects.count()
    update_customer(bob_customer, {"name": bob_customer.name}, by=users["bob"])
    assert Event.objects.count() == before


def test_the_orm_refuses_to_update_or_delete_an_event(
    users: dict[str, Any], bob_customer: Any
) -> None:
    event = Event.objects.first()
    event.summary = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.parametrize("sql", ["UPDATE core_event SET summary = 'x'", "DELETE FROM core_event"])
def test_the_database_refuses_to_update_or_delete_events(
    users: dict[str, Any], bob_customer: Any, sql: str
) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert Event.objects.filter(summary="x").count() == 0
