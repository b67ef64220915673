"""Merging customers whose rows would clash on the survivor, and undoing merges in order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from guanxi.core.actions import ActionError
from guanxi.crisis import actions as crisis_actions
from guanxi.crisis.models import AffectedCustomer, CommunicationRecipient
from guanxi.customers.dedup.merge import merge_customers, undo_merge
from guanxi.customers.models import Customer
from guanxi.dedup.models import DuplicateCandidate, Merge
from guanxi.engagement.models import FollowUpTask
from guanxi.sales.actions import record_purchase
from guanxi.sales.models import Order

AFFECTED = "crisis.affectedcustomer.customer"
RECIPIENT = "crisis.communicationrecipient.customer"


def new_crisis(title: str, by: Any) -> Any:
    return crisis_actions.create_crisis(
        {"kind": "product_recall", "title": title, "risk_level": "2", "owner": by,
         "description": "批次不达标。", "response_plan": "逐一通知购买客户。"},
        by=by,
    )  # fmt: skip


def affect(crisis: Any, *customers: Any, by: Any) -> None:
    crisis_actions.link_customers(crisis, by=by, codes=[str(c.pk) for c in customers])


def rows_of(model: Any, **where: Any) -> list[dict[str, Any]]:
    return list(model.objects.filter(**where).order_by("pk").values())


@pytest.fixture
def two(make_customer: Any) -> tuple[Any, Any]:
    return make_customer(name="王芳"), make_customer(name="王芳 ")


def test_two_customers_of_one_crisis_merge_into_one_affected_row_and_undo_restores_both(
    two: tuple[Any, Any], users: dict[str, Any]
) -> None:
    survivor, loser = two
    alice = users["alice"]
    recall, leak = new_crisis("92号汽油召回", alice), new_crisis("储罐泄漏", alice)
    affect(recall, survivor, loser, by=alice)
    affect(leak, loser, by=alice)
    # The loser's record got further (a phone call reached it): the survivor's row keeps that.
    crisis_actions.set_recovery(recall, loser.pk, "responded", by=alice, note="已回电")
    before = rows_of(AffectedCustomer)

    merge = merge_customers(survivor, loser, by=users["bob"])

    on_recall = AffectedCustomer.objects.get(crisis=recall)
    assert on_recall.customer_id == survivor.pk and on_recall.recovery == "responded"
    assert AffectedCustomer.objects.get(crisis=leak).customer_id == survivor.pk
    assert not AffectedCustomer.objects.filter(customer=loser).exists()
    assert [e["kept"] for e in merge.dropped[AFFECTED]] == [on_recall.pk]
    assert Merge.objects.get(pk=merge.pk).dropped == merge.dropped  # survives the JSON column

    undo_merge(merge, by=users["bob"])
    assert rows_of(AffectedCustomer) == before  # same ids, statuses, notes and timestamps


def test_a_later_edit_of_the_kept_row_survives_the_undo(
    two: tuple[Any, Any], users: dict[str, Any]
) -> None:
    survivor, loser = two
    alice = users["alice"]
    recall = new_crisis("92号汽油召回", alice)
    affect(recall, survivor, loser, by=alice)
    crisis_actions.set_recovery(recall, loser.pk, "notified", by=alice)
    merge = merge_customers(survivor, loser, by=users["bob"])
    crisis_actions.set_recovery(recall, survivor.pk, "recovered", by=alice)
    undo_merge(merge, by=users["bob"])
    status = dict(AffectedCustomer.objects.values_list("customer_id", "recovery"))
    assert status == {survivor.pk: "recovered", loser.pk: "notified"}


def test_the_loser_alone_reached_by_a_communication_becomes_the_survivor_reached(
    two: tuple[Any, Any], users: dict[str, Any]
) -> None:
    survivor, loser = two
    alice = users["alice"]
    leak = new_crisis("储罐泄漏", alice)
    affect(leak, loser, by=alice)
    message = crisis_actions.send_communication(leak, {"channel": "sms", "content": "x"}, by=alice)
    merge = merge_customers(survivor, loser, by=users["bob"])
    assert CommunicationRecipient.objects.get(communication=message).customer_id == survivor.pk
    undo_merge(merge, by=users["bob"])
    assert CommunicationRecipient.objects.get(communication=message).customer_id == loser.pk


def test_communication_recipients_hidden_from_the_reverse_accessors_move_too(
    two: tuple[Any, Any], users: dict[str, Any]
) -> None:
    """The recipient FK has related_name="+": it must move, and clash like affected rows."""
    survivor, loser = two
    alice = users["alice"]
    recall, leak = new_crisis("92号汽油召回", alice), new_crisis("储罐泄漏", alice)
    affect(recall, survivor, loser, by=alice)
    affect(leak, loser, by=alice)
    to_both = crisis_actions.send_communication(
        recall, {"channel": "sms", "content": "召回"}, by=alice
    )
    to_loser = crisis_actions.send_communication(
        leak, {"channel": "phone", "content": "泄漏"}, by=alice
    )
    before = rows_of(CommunicationRecipient)

    merge = merge_customers(survivor, loser, by=users["bob"])

    assert not CommunicationRecipient.objects.filter(customer=loser).exists()
    reached = CommunicationRecipient.objects.values_list("communication_id", "customer_id")
    assert sorted(reached) == sorted([(to_both.pk, survivor.pk), (to_loser.pk, survivor.pk)])
    assert len(merge.moved[RECIPIENT]) == 1 and len(merge.dropped[RECIPIENT]) == 1

    undo_merge(merge, by=users["bob"])
    assert rows_of(CommunicationRecipient) == before


def test_a_partial_unique_rule_drops_only_the_rows_it_covers(
    two: tuple[Any, Any], users: dict[str, Any]
) -> None:
    """One open win-back task per customer: the loser's open one is dropped, its done one moves."""
    survivor, loser = two
    task = {
        "kind": "win_back",
        "title": "挽回",
        "assignee": users["bob"],
        "due_date": dt.date(2026, 3, 1),
    }
    kept = FollowUpTask.objects.create(customer=survivor, **task)
    clash = FollowUpTask.objects.create(customer=loser, **task)
    done = FollowUpTask.objects.create(customer=loser, **{**task, "status": "done"})
    before = rows_of(FollowUpTask)

    merge = merge_customers(survivor, loser, by=users["bob"])

    assert set(FollowUpTask.objects.values_list("pk", "customer_id")) == {
        (kept.pk, survivor.pk), (done.pk, survivor.pk)
    }  # fmt: skip
    assert [e["row"]["id"] for e in merge.dropped["engagement.followuptask.customer"]] == [
        str(clash.pk)
    ]
    undo_merge(merge, by=users["bob"])
    assert rows_of(FollowUpTask) == before


@pytest.fixture
def chain(
    make_customer: Any, users: dict[str, Any], product: Any
) -> tuple[Any, Any, Any, Merge, Merge]:
    """C merged into B, then B into A: C's order ends up on A."""
    a, b, c = make_customer(name="李强"), make_customer(name="李強"), make_customer(name="李 强")
    line = {"product": product, "quantity": 1, "unit_price": Decimal("80")}
    record_purchase(c, {}, [line], by=users["bob"])
    first = merge_customers(b, c, by=users["bob"])
    second = merge_customers(a, b, by=users["bob"])
    return a, b, c, first, second


def test_undoing_the_earlier_of_two_chained_merges_is_refused_and_changes_nothing(
    chain: tuple[Any, Any, Any, Merge, Merge], users: dict[str, Any]
) -> None:
    a, b, c, first, _second = chain
    with pytest.raises(ActionError, match=f"请先撤销后来的合并（{b.name} 已并入 {a.name}）") as err:
        undo_merge(first, by=users["bob"])
    assert err.value.code == "undo_later_first"
    first.refresh_from_db()
    assert first.undone_at is None
    assert Customer.objects.get(pk=c.pk).merged_into_id == b.pk
    assert Order.objects.get().customer_id == a.pk


def test_undoing_chained_merges_in_reverse_order_gives_every_customer_its_rows_back(
    chain: tuple[Any, Any, Any, Merge, Merge], users: dict[str, Any]
) -> None:
    a, b, c, first, second = chain
    undo_merge(second, by=users["bob"])
    undo_merge(first, by=users["bob"])
    assert Order.objects.get().customer_id == c.pk
    c.refresh_from_db()
    assert c.merged_into_id is None and c.purchase_count == 1


def test_the_queue_refuses_the_out_of_order_undo_with_the_reason(
    client: Any, chain: tuple[Any, Any, Any, Merge, Merge], users: dict[str, Any]
) -> None:
    a, b, c, first, _second = chain
    left, right = sorted([b, c], key=lambda x: x.pk)
    pair = DuplicateCandidate.objects.create(
        left=left, right=right, probability=0.97, match_weight=9.1, reasons=[]
    )
    client.force_login(users["bob"])
    response = client.post(f"/dedup/pairs/{pair.pk}/undo/")
    assert response.status_code == 302  # back to the pair with the message, not a server error
    page = client.get(response["Location"]).content.decode()
    assert f"请先撤销后来的合并（{b.name} 已并入 {a.name}）。" in page
    first.refresh_from_db()
    assert first.undone_at is None and Order.objects.get().customer_id == a.pk
