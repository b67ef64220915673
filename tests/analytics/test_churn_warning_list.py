"""The warning list (流失预警): scoped by role, masked for analysts, filtered, paged, exported,
and one click (or one per selected row) creates a win-back task once per customer."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from guanxi.analytics.actions import recompute_value_assessment
from guanxi.analytics.models import ChurnScore
from guanxi.engagement.models import FollowUpTask

from .churn_history import clock, complain, purchase  # noqa: F401  (fixtures)


@pytest.fixture
def warned(
    users: dict[str, Any],
    make_customer: Callable[..., Any],
    purchase: Callable[..., Any],  # noqa: F811
    complain: Callable[..., Any],  # noqa: F811
) -> dict[str, Any]:
    """bob's complaining customer, bob's quiet customer, mallory's complaining firm."""
    people = {
        "angry": make_customer("bob", name="张伟"),
        "quiet": make_customer("bob", name="李娜"),
        "firm": make_customer("mallory", kind="org", name="=HYPERLINK(1)申能燃气"),
    }
    for customer in people.values():
        purchase(customer, 100)
    for _ in range(3):
        complain(people["angry"], 5)
        complain(people["firm"], 5)
    recompute_value_assessment(by=users["alice"])
    return people


def listed(page: Any) -> set[int]:
    return {row.customer_id for row in page.context["rows"]}


def test_bob_sees_only_his_customers_and_dave_his_team(
    login: Callable[..., Any], users: dict[str, Any], warned: dict[str, Any]
) -> None:
    bob_page = login(users["bob"]).get(reverse("analytics:churn"))
    assert bob_page.status_code == 200
    assert listed(bob_page) == {warned["angry"].pk, warned["quiet"].pk}
    dave_page = login(users["dave"]).get(reverse("analytics:churn"))
    assert listed(dave_page) == {warned["angry"].pk, warned["quiet"].pk}
    # the owner filter offers dave's team, not staff he cannot see
    owners = set(dave_page.context["owners"])
    assert users["bob"] in owners and users["mallory"] not in owners
    assert users["alice"] not in owners and users["carol"] not in owners
    mallory_page = login(users["mallory"]).get(reverse("analytics:churn"))
    assert listed(mallory_page) == {warned["firm"].pk}
    alice_page = login(users["alice"]).get(reverse("analytics:churn"))
    assert listed(alice_page) == {c.pk for c in warned.values()}


def test_the_list_is_highest_risk_first_with_each_reason_shown(
    login: Callable[..., Any], users: dict[str, Any], warned: dict[str, Any]
) -> None:
    page = login(users["bob"]).get(reverse("analytics:churn"))
    rows = page.context["rows"]
    assert [r.risk for r in rows] == sorted((r.risk for r in rows), reverse=True)
    assert rows[0].customer_id == warned["angry"].pk
    html = page.content.decode()
    assert 'data-reason="complaints"' in html and "近期投诉" in html


def test_frank_the_analyst_sees_every_row_with_personal_names_masked(
    login: Callable[..., Any], users: dict[str, Any], warned: dict[str, Any]
) -> None:
    page = login(users["frank"]).get(reverse("analytics:churn"))
    assert listed(page) == {c.pk for c in warned.values()}
    html = page.content.decode()
    assert "张伟" not in html and "李娜" not in html
    assert 'id="win-back-selected"' not in html  # analysts create no tasks


def test_service_agents_are_not_shown_the_warning_list(
    login: Callable[..., Any], users: dict[str, Any], warned: dict[str, Any]
) -> None:
    assert login(users["carol"]).get(reverse("analytics:churn")).status_code == 404


def test_filters_narrow_the_list_and_a_bad_filter_is_reported(
    login: Callable[..., Any], users: dict[str, Any], warned: dict[str, Any]
) -> None:
    client = login(users["alice"])
    by_reason = client.get(reverse("analytics:churn"), {"reason": "complaints"})
    assert listed(by_reason) == {warned["angry"].pk, warned["firm"].pk}
    by_owner = client.get(reverse("analytics:churn"), {"owner": users["mallory"].pk})
    assert listed(by_owner) == {warned["firm"].pk}
    level = ChurnScore.objects.get(customer=warned["quiet"]).level
    by_level = client.get(reverse("analytics:churn"), {"level": level})
    assert warned["quiet"].pk in listed(by_level)
    assert all(r.level == level for r in by_level.context["rows"])
    bad = client.get(reverse("analytics:churn"), {"reason": "astrology"})
    assert bad.context["error"].field == "reason" and listed(bad) == set()


def test_pages_follow_the_risk_order_without_gaps(
    login: Callable[..., Any],
    users: dict[str, Any],
    make_customer: Callable[..., Any],
    purchase: Callable[..., Any],  # noqa: F811
) -> None:
    from guanxi.analytics import churn_views

    for n in range(7):
        purchase(make_customer("bob", name=f"客户{n}"), 20 + 15 * n)
    recompute_value_assessment(by=users["alice"])
    client = login(users["bob"])
    old = churn_views.PAGE_SIZE
    churn_views.PAGE_SIZE = 3
    try:
        seen: list[tuple[int, int]] = []
        params: dict[str, str] = {}
        while True:
            page = client.get(reverse("analytics:churn"), params)
            seen += [(r.risk, r.customer_id) for r in page.context["rows"]]
            if not page.context["next_cursor"]:
                break
            params = {"cursor": page.context["next_cursor"]}
    finally:
        churn_views.PAGE_SIZE = old
    assert len(seen) == 7 == len(set(seen))
    assert seen == sorted(seen, key=lambda rc: (-rc[0], rc[1]))


def test_the_export_is_scoped_formula_safe_and_audited(
    login: Callable[..., Any], users: dict[str, Any], warned: dict[str, Any]
) -> None:
    from guanxi.core.models import Event

    response = login(users["mallory"]).get(reverse("analytics:churn_export"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "客户名称" and len(rows) == 2
    assert rows[1][0] == "'=HYPERLINK(1)申能燃气"  # neutralised for spreadsheets
    assert "近期投诉" in rows[1][5]
    assert Event.objects.filter(verb="export.downloaded", actor=users["mallory"]).exists()


def test_one_click_creates_a_win_back_task_for_the_owner_with_the_reasons_once(
    login: Callable[..., Any], users: dict[str, Any], warned: dict[str, Any]
) -> None:
    client = login(users["dave"])  # bob's manager acts on bob's customer
    url = reverse("analytics:churn_win_back")
    client.post(url, {"customer": warned["angry"].pk})
    client.post(url, {"customer": warned["angry"].pk})
    tasks = FollowUpTask.objects.filter(customer=warned["angry"])
    assert tasks.count() == 1
    task = tasks.get()
    assert (task.kind, task.status, task.assignee) == ("win_back", "open", users["bob"])
    assert task.created_by == users["dave"] and task.due_date is not None
    assert "流失风险" in task.notes and "近期投诉" in task.notes


def test_bulk_win_back_skips_customers_outside_the_users_scope(
    login: Callable[..., Any], users: dict[str, Any], warned: dict[str, Any]
) -> None:
    client = login(users["bob"])
    ids = [c.pk for c in warned.values()]
    client.post(reverse("analytics:churn_win_back"), {"customer": ids})
    assert set(FollowUpTask.objects.values_list("customer_id", flat=True)) == {
        warned["angry"].pk,
        warned["quiet"].pk,
    }
    # frank reads the list but changes nothing.
    login(users["frank"]).post(reverse("analytics:churn_win_back"), {"customer": ids})
    assert FollowUpTask.objects.count() == 2


def test_the_api_lists_warnings_in_scope_and_win_back_is_all_or_nothing(
    client: Any, users: dict[str, Any], warned: dict[str, Any]
) -> None:
    from guanxi.core.actions import create_api_token

    token = create_api_token(users["bob"], "t", by=None)[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listing = client.get("/api/v1/churn/warnings?reason=complaints", **auth).json()
    assert [i["customer_id"] for i in listing["items"]] == [warned["angry"].pk]
    assert "complaints" in [r["code"] for r in listing["items"][0]["reasons"]]
    bad = client.get("/api/v1/churn/warnings?level=extreme", **auth)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "level"

    body = {"customer_ids": [warned["angry"].pk, warned["firm"].pk]}
    refused = client.post("/api/v1/churn/win-back", body, content_type="application/json", **auth)
    assert refused.status_code == 404 and FollowUpTask.objects.count() == 0
    body = {"customer_ids": [warned["angry"].pk]}
    first = client.post("/api/v1/churn/win-back", body, content_type="application/json", **auth)
    again = client.post("/api/v1/churn/win-back", body, content_type="application/json", **auth)
    assert first.json()["created"] == [warned["angry"].pk]
    assert again.json()["existing"] == [warned["angry"].pk]
    assert first.json()["task_ids"] == again.json()["task_ids"]
    assert FollowUpTask.objects.count() == 1


def test_only_admins_edit_the_churn_settings_and_bad_cut_offs_are_refused(
    login: Callable[..., Any], users: dict[str, Any]
) -> None:
    from guanxi.analytics.forms import CHURN_CONFIG_FIELDS
    from guanxi.analytics.models import AssessmentConfig

    url = reverse("analytics:churn_settings")
    for name in ("frank", "dave", "bob"):
        assert login(users[name]).get(url).status_code == 404
    alice = login(users["alice"])
    data = {f: getattr(AssessmentConfig.current(), f) for f in CHURN_CONFIG_FIELDS}
    refused = alice.post(url, {**data, "churn_medium_from": 80, "churn_high_from": 50})
    assert refused.status_code == 200 and "churn_medium_from" in refused.context["form"].errors
    saved = alice.post(url, {**data, "contact_days_high": 5})
    assert saved.status_code == 302 and AssessmentConfig.current().contact_days_high == 5


def test_the_360_page_shows_the_churn_risk_and_its_reasons(
    login: Callable[..., Any], users: dict[str, Any], warned: dict[str, Any]
) -> None:
    page = login(users["bob"]).get(reverse("customers:detail", args=[warned["angry"].pk]))
    html = page.content.decode()
    assert 'id="customer-churn"' in html and 'data-reason="complaints"' in html
