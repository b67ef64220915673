"""restrict(user, action): each role reaches exactly the records its scope allows."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.customers.models import Contact, Customer


@pytest.fixture
def world(users: dict[str, Any], make_customer: Any) -> dict[str, Any]:
    return {
        "bob": make_customer("bob", name="张伟"),
        "dave": make_customer("dave", name="刘强"),
        "mallory": make_customer(
            "mallory",
            name="王芳",
            province_code="310000",
            city_code="310000",
            district_code="310115",
        ),
    }


def visible(user: Any, action: str = "view") -> set[str]:
    return set(Customer.objects.restrict(user, action).values_list("name", flat=True))


def test_a_rep_sees_only_own_customers(users: dict[str, Any], world: dict[str, Any]) -> None:
    assert visible(users["bob"]) == {"张伟"}
    assert visible(users["mallory"]) == {"王芳"}


def test_a_manager_sees_the_team(users: dict[str, Any], world: dict[str, Any]) -> None:
    assert visible(users["dave"]) == {"张伟", "刘强"}


def test_a_regional_manager_sees_the_region(users: dict[str, Any], world: dict[str, Any]) -> None:
    # Beijing addresses put bob's and dave's customers in 华北; mallory's is in 上海 (华东).
    assert visible(users["erin"]) == {"张伟", "刘强"}


def test_admin_agent_marketing_and_analyst_read_everything(
    users: dict[str, Any], world: dict[str, Any]
) -> None:
    for name in ("alice", "carol", "mona", "frank"):
        assert visible(users[name]) == {"张伟", "刘强", "王芳"}, name


def test_read_only_roles_change_nothing(users: dict[str, Any], world: dict[str, Any]) -> None:
    assert visible(users["mona"], "change") == set()
    assert visible(users["frank"], "change") == set()
    assert visible(users["bob"], "assign") == set()


def test_anonymous_and_inactive_users_see_nothing(
    users: dict[str, Any], world: dict[str, Any]
) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == set()
    bob = users["bob"]
    bob.is_active = False
    assert visible(bob) == set()


def test_related_records_follow_their_customer(
    users: dict[str, Any], world: dict[str, Any]
) -> None:
    from guanxi.customers.actions import add_contact

    add_contact(world["mallory"], {"name": "赵六", "role": "purchasing"}, by=users["mallory"])
    assert not Contact.objects.restrict(users["bob"], "view").exists()
    assert Contact.objects.restrict(users["mallory"], "view").count() == 1


def test_a_rep_cannot_change_another_reps_customer(
    users: dict[str, Any], world: dict[str, Any]
) -> None:
    from guanxi.core.models import Event
    from guanxi.customers.actions import NotFound, update_customer

    events_before = Event.objects.count()
    with pytest.raises(NotFound):
        update_customer(world["mallory"], {"name": "改名"}, by=users["bob"])
    world["mallory"].refresh_from_db()
    assert world["mallory"].name == "王芳"
    assert Event.objects.count() == events_before
