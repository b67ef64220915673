"""KPI targets: admins edit them through the action, bad input gets form errors, teams override."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.core.actions import ActionError
from guanxi.core.models import Event
from guanxi.evaluation.actions import save_kpi_target
from guanxi.evaluation.forms import KpiTargetForm
from guanxi.evaluation.models import KpiTarget
from guanxi.evaluation.targets import targets_for


def test_the_seeded_targets_include_the_service_desks_and_the_house_defaults(db: None) -> None:
    company = targets_for()
    assert company["satisfaction"].value == 80.0
    assert company["resolution_rate"].value == 90.0
    assert company["churn_rate"].direction == "lte"
    assert company["repeat_purchase_rate"].value == 30.0


def test_an_admin_adds_a_target_on_the_page_and_it_is_an_event(
    login: Any, users: dict[str, Any]
) -> None:
    client = login(users["alice"])
    team = users["bob"].team
    response = client.post(
        "/evaluation/targets/",
        {"kpi": "satisfaction", "team": team.pk, "value": "85", "direction": "gte"},
    )
    assert response.status_code == 302
    target = KpiTarget.objects.get(kpi="satisfaction", team=team)
    assert float(target.value) == 85.0
    assert Event.objects.filter(verb="evaluation.target_saved", object_id=target.pk).exists()
    # The team's own target wins over the service desk's company-wide 80 %.
    assert targets_for(team.pk)["satisfaction"].value == 85.0
    assert targets_for()["satisfaction"].value == 80.0


def test_an_admin_changes_an_existing_target(login: Any, users: dict[str, Any]) -> None:
    target = KpiTarget.objects.get(kpi="churn_rate", team__isnull=True)
    response = login(users["alice"]).post(
        "/evaluation/targets/",
        {
            "target_id": target.pk,
            "kpi": "churn_rate",
            "team": "",
            "value": "12.5",
            "direction": "lte",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert float(target.value) == 12.5


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kpi": "churn_rate", "value": "150", "direction": "lte"}, "value", "0 到 100"),
        ({"kpi": "satisfaction", "value": "85", "direction": "gte"}, "team", "服务目标"),
        ({"kpi": "no_such_kpi", "value": "1", "direction": "gte"}, "kpi", ""),
        ({"kpi": "revenue", "value": "-1", "direction": "gte"}, "value", "负数"),
        ({"kpi": "churn_rate", "value": "10", "direction": "lte"}, "__all__", ""),  # seeded already
    ],
)
def test_bad_targets_are_refused_with_a_field_error(
    login: Any, users: dict[str, Any], data: dict[str, str], field: str, message: str
) -> None:
    before = KpiTarget.objects.count()
    response = login(users["alice"]).post("/evaluation/targets/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert KpiTarget.objects.count() == before


def test_only_admins_reach_the_targets_page(login: Any, users: dict[str, Any]) -> None:
    for name in ("dave", "erin", "bob", "frank"):
        assert login(users[name]).get("/evaluation/targets/").status_code == 404
        response = login(users[name]).post(
            "/evaluation/targets/", {"kpi": "churn_rate", "value": "1", "direction": "lte"}
        )
        assert response.status_code == 404


def test_the_action_refuses_a_non_admin_even_with_valid_data(users: dict[str, Any]) -> None:
    form = KpiTargetForm({"kpi": "revenue", "value": "100000", "direction": "gte"})
    assert form.is_valid(), form.errors
    with pytest.raises(ActionError):
        save_kpi_target(form.cleaned_data, by=users["dave"])


def test_an_admin_deletes_a_target(login: Any, users: dict[str, Any]) -> None:
    target = KpiTarget.objects.get(kpi="complaint_rate", team__isnull=True)
    login(users["alice"]).post("/evaluation/targets/", {"target_id": target.pk, "delete": "1"})
    assert not KpiTarget.objects.filter(pk=target.pk).exists()
    assert Event.objects.filter(verb="evaluation.target_deleted").count() == 1
