"""A crisis is identified, responded to, recovered from and closed — and refuses other moves."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.core.actions import ActionError
from guanxi.core.models import Event
from guanxi.crisis import actions
from guanxi.crisis.models import Crisis, ResponseUpdate

pytestmark = pytest.mark.django_db


def test_a_crisis_walks_identified_responding_recovering_closed_with_dates(
    users: dict[str, Any], recall: Any
) -> None:
    assert recall.status == "identified" and recall.get_risk_level_display().startswith("重大")
    alice = users["alice"]
    recall = actions.move_crisis(recall, "responding", by=alice, note="已停售")
    recall = actions.move_crisis(recall, "recovering", by=alice)
    recall = actions.move_crisis(recall, "closed", by=alice)
    assert recall.responding_at <= recall.recovering_at <= recall.closed_at
    assert ResponseUpdate.objects.get(crisis=recall).body == "已停售"
    verbs = list(Event.objects.filter(object_type="crisis").values_list("verb", flat=True))
    assert verbs.count("crisis.status_changed") == 3 and "crisis.created" in verbs


@pytest.mark.parametrize(
    ("path", "illegal"),
    [([], "recovering"), ([], "identified"), (["responding"], "closed"),
     (["responding", "recovering", "closed"], "responding")],
)  # fmt: skip
def test_illegal_moves_are_refused_on_the_status_field(
    users: dict[str, Any], recall: Any, path: list[str], illegal: str
) -> None:
    for step in path:
        recall = actions.move_crisis(recall, step, by=users["alice"])
    with pytest.raises(ActionError) as refused:
        actions.move_crisis(recall, illegal, by=users["alice"])
    assert refused.value.field == "status" and refused.value.code == "illegal_transition"
    assert Crisis.objects.get(pk=recall.pk).status == (path[-1] if path else "identified")


def test_a_second_wave_takes_recovering_back_to_responding(
    users: dict[str, Any], recall: Any
) -> None:
    for step in ("responding", "recovering", "responding"):
        recall = actions.move_crisis(recall, step, by=users["alice"])
    assert recall.status == "responding"


def test_responding_needs_a_response_plan(users: dict[str, Any]) -> None:
    crisis = actions.create_crisis(
        {
            "kind": "supply_interruption",
            "title": "管道检修停气",
            "risk_level": "3",
            "owner": users["carol"],
        },
        by=users["carol"],
    )
    with pytest.raises(ActionError) as refused:
        actions.move_crisis(crisis, "responding", by=users["carol"])
    assert refused.value.code == "plan_required"


@pytest.mark.parametrize("role", ["bob", "mallory", "mona", "frank"])
def test_roles_that_do_not_respond_may_not_record_or_move_a_crisis(
    role: str, users: dict[str, Any], recall: Any, login: Any
) -> None:
    with pytest.raises(ActionError):
        actions.move_crisis(recall, "responding", by=users[role])
    client = login(users[role])
    assert client.get("/crisis/new/").status_code == 403
    assert client.get(f"/crisis/{recall.pk}/").status_code == 200  # the header is company news
    assert client.get(f"/crisis/{recall.pk}/edit/").status_code == 404
    before = Event.objects.count()
    client.post(f"/crisis/{recall.pk}/status/", {"status": "responding"})
    assert (
        Event.objects.count() == before and Crisis.objects.get(pk=recall.pk).status == "identified"
    )


def test_a_manager_records_a_crisis_through_the_page_and_edits_its_level(
    users: dict[str, Any], login: Any
) -> None:
    client = login(users["dave"])
    response = client.post("/crisis/new/", {
        "kind": "safety_incident", "title": "加油站泄漏", "risk_level": "3",
        "owner": users["dave"].pk, "response_plan": "疏散、封堵、上报",
    })  # fmt: skip
    crisis = Crisis.objects.get(title="加油站泄漏")
    assert response.status_code == 302 and crisis.created_by == users["dave"]
    client.post(f"/crisis/{crisis.pk}/edit/", {
        "kind": "safety_incident", "title": "加油站泄漏", "risk_level": "2",
        "owner": users["dave"].pk, "response_plan": "疏散、封堵、上报", "identified_at": "2026-11-23 09:00",
    })  # fmt: skip
    event = Event.objects.get(verb="crisis.changed")
    assert event.changes["risk_level"] == ["3", "2"]


def test_the_form_refuses_a_missing_level_and_an_owner_who_cannot_respond(
    users: dict[str, Any], login: Any
) -> None:
    response = login(users["alice"]).post(
        "/crisis/new/", {"kind": "other", "title": "x", "owner": users["bob"].pk}
    )
    assert {"risk_level", "owner"} <= set(response.context["form"].errors)
    assert not Crisis.objects.exists()
