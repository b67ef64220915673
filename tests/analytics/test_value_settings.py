"""Admins edit the value-class rules on a page; bad values are refused field by field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from guanxi.analytics.forms import VALUE_CONFIG_FIELDS
from guanxi.analytics.models import AssessmentConfig
from guanxi.core.models import Event

URL = reverse("analytics:value_settings")


def current_values() -> dict[str, Any]:
    config = AssessmentConfig.current()
    return {name: getattr(config, name) for name in VALUE_CONFIG_FIELDS}


def test_only_admins_reach_the_value_rules(
    login: Callable[..., Any], users: dict[str, Any]
) -> None:
    for name in ("frank", "erin", "dave", "bob", "carol", "mona"):
        assert login(users[name]).get(URL).status_code == 404, name
        assert login(users[name]).post(URL, {**current_values(), "rfm_bins": 4}).status_code == 404
    assert AssessmentConfig.current().rfm_bins == 5
    assert login(users["alice"]).get(URL).status_code == 200


def test_it_refuses_out_of_range_and_overlapping_rules_and_changes_nothing(
    login: Callable[..., Any], users: dict[str, Any]
) -> None:
    alice = login(users["alice"])
    before = current_values()
    bins = alice.post(URL, {**before, "rfm_bins": 1})
    assert bins.status_code == 200 and "rfm_bins" in bins.context["form"].errors
    share = alice.post(URL, {**before, "high_top_share": 1.5})
    assert "high_top_share" in share.context["form"].errors
    overlap = alice.post(URL, {**before, "high_recent_days": 400, "churn_inactive_days": 365})
    assert "high_recent_days" in overlap.context["form"].errors
    assert current_values() == before
    assert not Event.objects.filter(verb="analytics.config_changed").exists()


def test_a_saved_rule_is_recorded_with_its_before_and_after(
    login: Callable[..., Any], users: dict[str, Any]
) -> None:
    alice = login(users["alice"])
    saved = alice.post(URL, {**current_values(), "rfm_bins": 4, "churn_inactive_days": 300})
    assert saved.status_code == 302
    config = AssessmentConfig.current()
    assert (config.rfm_bins, config.churn_inactive_days) == (4, 300)
    event = Event.objects.get(verb="analytics.config_changed")
    assert event.actor == users["alice"]
    assert event.changes["rfm_bins"] == [5, 4]
    assert event.changes["churn_inactive_days"] == [365, 300]
    # the churn signals' settings were not on this page and kept their values
    assert config.churn_weight_not_alive == 30
