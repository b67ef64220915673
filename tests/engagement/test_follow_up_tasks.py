"""Follow-up tasks: created, completed and cancelled through actions with one event each,
shown on the customer's 360 and in "my tasks", scoped like their customer, and a win-back
task is never doubled while one is open."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from guanxi.core.actions import ActionError
from guanxi.core.models import Event
from guanxi.engagement import actions
from guanxi.engagement.models import FollowUpTask
from guanxi.engagement.queries import win_back_rate


def task_data(**fields: Any) -> dict[str, Any]:
    data = {
        "kind": "contact",
        "title": "季度回访",
        "notes": "",
        "assignee": None,
        "due_date": timezone.localdate() + timedelta(days=7),
    }
    data.update(fields)
    return data


def test_creating_a_task_assigns_the_owner_and_writes_one_event_on_the_customer(
    users: dict[str, Any], bob_customer: Any
) -> None:
    before = Event.objects.count()
    task = actions.create_task(bob_customer, task_data(), by=users["dave"])
    assert task.assignee == users["bob"] and task.created_by == users["dave"]
    assert Event.objects.count() == before + 1
    event = Event.objects.latest("id")
    assert (event.verb, event.customer_id) == ("task.created", bob_customer.pk)


def test_completing_and_cancelling_close_the_task_once(
    users: dict[str, Any], bob_customer: Any
) -> None:
    done = actions.create_task(bob_customer, task_data(), by=users["bob"])
    with pytest.raises(ActionError) as missing:
        actions.complete_task(done, by=users["bob"], outcome="  ")
    assert missing.value.field == "outcome"
    done = actions.complete_task(done, by=users["bob"], outcome="客户确认续约")
    assert done.status == "done" and done.completed_at is not None
    with pytest.raises(ActionError):
        actions.cancel_task(done, by=users["bob"])
    dropped = actions.cancel_task(
        actions.create_task(bob_customer, task_data(title="送礼"), by=users["bob"]),
        by=users["bob"],
        outcome="客户婉拒",
    )
    assert dropped.status == "cancelled" and dropped.completed_at is None
    verbs = list(
        Event.objects.filter(customer_id=bob_customer.pk, verb__startswith="task.")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["task.created", "task.completed", "task.created", "task.cancelled"]


def test_a_win_back_task_is_not_doubled_while_one_is_open(
    users: dict[str, Any], bob_customer: Any
) -> None:
    first, created = actions.create_win_back_task(bob_customer, by=users["bob"])
    again, created_again = actions.create_win_back_task(bob_customer, by=users["dave"])
    assert created and not created_again and again.pk == first.pk
    via_form = actions.create_task(bob_customer, task_data(kind="win_back"), by=users["bob"])
    assert via_form.pk == first.pk
    assert FollowUpTask.objects.filter(kind="win_back").count() == 1
    # Even a write that skips the check is refused by the database.
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUpTask.objects.create(
            customer=bob_customer, kind="win_back", title="重复", assignee=users["bob"],
            due_date=timezone.localdate(),
        )  # fmt: skip
    # Once closed, a new win-back may start.
    actions.complete_task(first, by=users["bob"], outcome="已联系")
    _next, created_next = actions.create_win_back_task(bob_customer, by=users["bob"])
    assert created_next


def test_a_rep_cannot_task_another_reps_customer(
    users: dict[str, Any], mallory_customer: Any
) -> None:
    with pytest.raises(ActionError) as refused:
        actions.create_win_back_task(mallory_customer, by=users["bob"])
    assert refused.value.code == "forbidden"
    assert not FollowUpTask.objects.exists()


def test_a_past_due_date_is_a_form_error(users: dict[str, Any], bob_customer: Any) -> None:
    from guanxi.engagement.forms import TaskForm

    form = TaskForm(
        data={"kind": "contact", "title": "回访", "due_date": "2020-01-01", "assignee": ""}
    )
    assert not form.is_valid() and "due_date" in form.errors


def test_my_tasks_and_the_360_section_show_tasks_in_scope(
    login: Callable[..., Any], users: dict[str, Any], bob_customer: Any, mallory_customer: Any
) -> None:
    task = actions.create_task(bob_customer, task_data(title="上门拜访"), by=users["bob"])
    actions.create_task(mallory_customer, task_data(title="马丽的任务"), by=users["mallory"])
    bob = login(users["bob"])
    mine = bob.get(reverse("engagement:tasks")).content.decode()
    assert "上门拜访" in mine and "马丽的任务" not in mine
    detail = bob.get(reverse("customers:detail", args=[bob_customer.pk])).content.decode()
    assert 'id="follow-up-tasks-slot"' in detail
    section = bob.get(reverse("engagement:customer_tasks", args=[bob_customer.pk]))
    assert "上门拜访" in section.content.decode()
    mallory = login(users["mallory"])
    assert (
        mallory.get(reverse("engagement:customer_tasks", args=[bob_customer.pk])).status_code == 404
    )
    assert (
        mallory.post(
            reverse("engagement:task_complete", args=[task.pk]), {"outcome": "越权"}
        ).status_code
        == 404
    )
    task.refresh_from_db()
    assert task.status == "open"


def test_the_complete_button_closes_the_task_and_returns_to_the_customer(
    login: Callable[..., Any], users: dict[str, Any], bob_customer: Any
) -> None:
    task = actions.create_task(bob_customer, task_data(), by=users["bob"])
    back = reverse("customers:detail", args=[bob_customer.pk])
    response = login(users["bob"]).post(
        reverse("engagement:task_complete", args=[task.pk]), {"outcome": "已回访", "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    task.refresh_from_db()
    assert (task.status, task.outcome) == ("done", "已回访")


def test_the_create_page_needs_change_scope_and_validates(
    login: Callable[..., Any], users: dict[str, Any], bob_customer: Any
) -> None:
    url = reverse("engagement:task_create", args=[bob_customer.pk])
    assert login(users["mona"]).get(url).status_code == 404
    bob = login(users["bob"])
    refused = bob.post(url, {"kind": "contact", "title": "", "due_date": "2020-01-01"})
    assert refused.status_code == 200 and refused.context["form"].errors
    ok = bob.post(
        url,
        {"kind": "contact", "title": "电话回访", "due_date": f"{timezone.localdate():%Y-%m-%d}"},
    )
    assert ok.status_code == 302 and FollowUpTask.objects.filter(title="电话回访").exists()


def test_the_api_creates_lists_and_closes_tasks_within_scope(
    client: Any, users: dict[str, Any], bob_customer: Any, mallory_customer: Any
) -> None:
    from guanxi.core.actions import create_api_token

    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(users['bob'], 't', by=None)[1]}"}
    due = f"{timezone.localdate() + timedelta(days=3):%Y-%m-%d}"
    body = {"customer_id": bob_customer.pk, "kind": "win_back", "title": "挽回", "due_date": due}
    first = client.post("/api/v1/tasks", body, content_type="application/json", **auth)
    again = client.post("/api/v1/tasks", body, content_type="application/json", **auth)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    bad = client.post(
        "/api/v1/tasks", {**body, "due_date": "2020-01-01"}, content_type="application/json", **auth
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "due_date"
    other = client.post(
        "/api/v1/tasks",
        {**body, "customer_id": mallory_customer.pk},
        content_type="application/json",
        **auth,
    )
    assert other.status_code == 404
    listing = client.get("/api/v1/tasks?mine=true&status=open", **auth).json()
    assert [t["id"] for t in listing["items"]] == [first.json()["id"]]
    closed = client.post(
        f"/api/v1/tasks/{first.json()['id']}/complete",
        {"outcome": ""},
        content_type="application/json",
        **auth,
    )
    assert closed.status_code == 400 and closed.json()["errors"][0]["field"] == "outcome"
    closed = client.post(
        f"/api/v1/tasks/{first.json()['id']}/complete",
        {"outcome": "客户回购"},
        content_type="application/json",
        **auth,
    )
    assert closed.status_code == 200 and closed.json()["status"] == "done"


def test_a_done_win_back_counts_as_successful_once_the_customer_buys_again(
    users: dict[str, Any], make_customer: Callable[..., Any], product: Any
) -> None:
    from guanxi.sales.actions import record_purchase

    back, lost = make_customer("bob", name="回来了"), make_customer("bob", name="没回来")
    for customer in (back, lost):
        task, _created = actions.create_win_back_task(customer, by=users["bob"])
        actions.complete_task(task, by=users["bob"], outcome="已联系")
    record_purchase(
        back,
        {"ordered_at": timezone.now() + timedelta(minutes=1), "channel": "direct"},
        [{"product": product, "quantity": 1, "unit_price": 100}],
        by=users["bob"],
    )
    rate = win_back_rate(users["bob"])
    assert (rate.done, rate.returned, rate.rate) == (2, 1, 0.5)
    assert win_back_rate(users["mallory"]).done == 0
