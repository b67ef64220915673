"""Recovery per affected customer, the progress summary, and the crisis on the customer 360."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.core.actions import ActionError
from guanxi.core.models import Event
from guanxi.crisis import actions
from guanxi.crisis.queries import progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def four(users: dict[str, Any], recall: Any, make_customer: Any) -> list[Any]:
    shanghai = {"province_code": "310000", "city_code": "310000", "district_code": "310115"}
    people = [make_customer("bob") for _ in range(3)] + [make_customer("mallory", **shanghai)]
    actions.link_customers(recall, by=users["alice"], codes=[str(c.pk) for c in people])
    return people


def test_progress_counts_each_state_and_the_shares(
    users: dict[str, Any], recall: Any, four: list[Any]
) -> None:
    alice = users["alice"]
    actions.set_recovery(recall, four[0].pk, "recovered", by=alice)
    actions.set_recovery(recall, four[1].pk, "lost", by=alice, note="转投竞争对手")
    actions.set_recovery(recall, four[3].pk, "responded", by=alice)
    summary = progress(alice, recall).as_dict()
    assert summary["total"] == 4
    assert summary["by_state"] == {
        "pending": 1,
        "notified": 0,
        "responded": 1,
        "recovered": 1,
        "lost": 1,
    }
    assert (summary["recovered_percent"], summary["lost_percent"], summary["notified_percent"]) == (
        25.0,
        25.0,
        75.0,
    )


def test_each_reader_sees_the_progress_of_the_customers_they_may_see(
    users: dict[str, Any], recall: Any, four: list[Any]
) -> None:
    assert progress(users["bob"], recall).total == 3
    assert progress(users["mallory"], recall).total == 1
    assert progress(users["erin"], recall).total == 3  # north region: bob's customers


def test_a_recovery_change_goes_on_the_customers_timeline(
    users: dict[str, Any], recall: Any, four: list[Any]
) -> None:
    actions.set_recovery(recall, four[0].pk, "recovered", by=users["carol"])
    event = Event.objects.get(verb="crisis.recovery_updated")
    assert event.customer_id == four[0].pk and event.changes["recovery"] == ["pending", "recovered"]


def test_a_responder_outside_the_customers_scope_gets_not_found(
    users: dict[str, Any], recall: Any, four: list[Any]
) -> None:
    with pytest.raises(ActionError) as refused:
        actions.set_recovery(recall, four[3].pk, "lost", by=users["dave"])  # mallory's customer
    assert refused.value.code == "not_found"


def test_the_customer_360_lists_the_crisis_with_its_recovery(
    users: dict[str, Any], recall: Any, four: list[Any], login: Any
) -> None:
    actions.set_recovery(recall, four[0].pk, "recovered", by=users["alice"])
    page = login(users["bob"]).get(f"/customers/{four[0].pk}/").content.decode()
    assert 'id="customer-crises"' in page and recall.title in page and "已恢复" in page


def test_the_crisis_page_shows_progress_and_only_visible_customers(
    users: dict[str, Any], recall: Any, four: list[Any], login: Any
) -> None:
    response = login(users["bob"]).get(f"/crisis/{recall.pk}/")
    assert response.status_code == 200
    assert [a.customer_id for a in response.context["affected"]] == [c.pk for c in four[:3]]
    assert four[3].name not in response.content.decode()


def test_the_crisis_list_costs_the_same_queries_for_many_crises(
    users: dict[str, Any], recall: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(users["carol"])
    client.get("/crisis/")
    for i in range(5):
        actions.create_crisis({"kind": "other", "title": f"事件{i}", "risk_level": "4",
                               "owner": users["carol"]}, by=users["carol"])  # fmt: skip
    with django_assert_max_num_queries(8):
        assert client.get("/crisis/").status_code == 200
