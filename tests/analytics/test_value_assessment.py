"""Recomputing the value assessment: RFM, CLV, value classes with history, one event per run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from guanxi.analytics.actions import recompute_value_assessment, update_assessment_config
from guanxi.analytics.models import AssessmentConfig, CustomerScore, ValueClassChange
from guanxi.core.actions import ActionError
from guanxi.core.models import Event

from .conftest import NOW


@pytest.fixture
def base(make_customer: Callable[..., Any], buy: Callable[..., Any]) -> dict[str, Any]:
    """A loyal big spender, a lapsed buyer, a new buyer, a prospect and five regulars."""
    people = {
        "loyal": make_customer("bob", name="张伟"),
        "lapsed": make_customer("bob", name="李娜"),
        "new": make_customer("bob", name="王芳"),
        "prospect": make_customer("bob", name="刘洋"),
    }
    for days in (400, 300, 200, 100, 10):
        buy(people["loyal"], days, 5000)
    for days in (800, 700):
        buy(people["lapsed"], days, 300)
    buy(people["new"], 20, 100)
    for n in range(5):
        people[f"regular{n}"] = regular = make_customer("mallory", name=f"陈{n}")
        for days in (250 + n, 150 + n, 60 + n):
            buy(regular, days, 200)
    return people


def test_it_scores_every_customer_once_and_explains_the_class(
    users: dict[str, Any], base: dict[str, Any]
) -> None:
    run = recompute_value_assessment(by=users["alice"], now=NOW)
    assert run.customers == 9 and CustomerScore.objects.count() == 9
    loyal = CustomerScore.objects.get(customer=base["loyal"])
    assert (loyal.frequency, loyal.recency_days, loyal.monetary) == (5, 10, 25000)
    assert loyal.r_score == 5 and loyal.m_score == 5
    assert (loyal.value_class, loyal.rule) == ("high", "top_monetary")
    assert loyal.p_alive is not None and 0 < loyal.p_alive <= 1
    assert loyal.clv is not None and loyal.clv > 0
    lapsed = CustomerScore.objects.get(customer=base["lapsed"])
    assert (lapsed.value_class, lapsed.rule) == ("churned", "inactive")
    new = CustomerScore.objects.get(customer=base["new"])
    assert (new.value_class, new.rule) == ("potential", "new_buyer")
    prospect = CustomerScore.objects.get(customer=base["prospect"])
    assert (prospect.value_class, prospect.rule, prospect.r_score) == ("general", "no_purchase", 0)
    assert prospect.recency_days is None and prospect.clv is None
    total = sum(s.contribution for s in CustomerScore.objects.all())
    assert total == pytest.approx(1.0)
    assert run.bgnbd["r"] > 0 and run.gamma_gamma["p"] > 0


def test_class_moves_become_history_rows_and_one_summary_event(
    users: dict[str, Any], base: dict[str, Any]
) -> None:
    events_before = Event.objects.count()
    run = recompute_value_assessment(by=users["alice"], now=NOW)
    base["loyal"].refresh_from_db()
    assert base["loyal"].value_class == "high"
    move = ValueClassChange.objects.get(customer=base["loyal"])
    assert (move.from_class, move.to_class, move.rule) == ("general", "high", "top_monetary")
    assert move.frequency == 5 and move.monetary == 25000 and move.recency_days == 10
    assert ValueClassChange.objects.count() == run.changes >= 3
    assert Event.objects.count() == events_before + 1
    event = Event.objects.latest("id")
    assert event.verb == "analytics.recomputed" and event.changes["class_changes"] == run.changes
    # Nothing moved since: a second run writes no history, still one event.
    again = recompute_value_assessment(by=users["alice"], now=NOW)
    assert again.changes == 0 and ValueClassChange.objects.count() == run.changes
    assert CustomerScore.objects.count() == 9
    assert Event.objects.count() == events_before + 2


def test_an_admin_edited_threshold_moves_customers(
    users: dict[str, Any], base: dict[str, Any]
) -> None:
    recompute_value_assessment(by=users["alice"], now=NOW)
    update_assessment_config({"churn_inactive_days": 1000, "churn_p_alive": 0.0}, by=users["alice"])
    assert Event.objects.filter(verb="analytics.config_changed").count() == 1
    recompute_value_assessment(by=users["alice"], now=NOW)
    lapsed = CustomerScore.objects.get(customer=base["lapsed"])
    assert lapsed.value_class != "churned"
    assert ValueClassChange.objects.filter(customer=base["lapsed"]).count() == 2


def test_rfm_bins_follow_the_configured_number(users: dict[str, Any], base: dict[str, Any]) -> None:
    update_assessment_config({"rfm_bins": 3}, by=users["alice"])
    recompute_value_assessment(by=users["alice"], now=NOW)
    scores = {s.r_score for s in CustomerScore.objects.exclude(frequency=0)}
    assert scores <= {1, 2, 3} and 3 in scores


def test_only_admins_recompute_or_edit_the_rules(
    users: dict[str, Any], base: dict[str, Any]
) -> None:
    for name in ("bob", "dave", "frank", "mona"):
        with pytest.raises(ActionError):
            recompute_value_assessment(by=users[name], now=NOW)
        with pytest.raises(ActionError):
            update_assessment_config({"rfm_bins": 4}, by=users[name])
    assert CustomerScore.objects.count() == 0
    assert AssessmentConfig.current().rfm_bins == 5


def test_merged_customers_are_not_scored(users: dict[str, Any], base: dict[str, Any]) -> None:
    from guanxi.customers.models import Customer

    recompute_value_assessment(by=users["alice"], now=NOW)
    Customer.objects.filter(pk=base["regular0"].pk).update(merged_into=base["regular1"])
    recompute_value_assessment(by=users["alice"], now=NOW)
    assert not CustomerScore.objects.filter(customer=base["regular0"]).exists()
    assert CustomerScore.objects.count() == 8


def test_a_base_without_repeat_buyers_still_gets_rfm_and_classes(
    users: dict[str, Any], make_customer: Callable[..., Any], buy: Callable[..., Any]
) -> None:
    buy(make_customer("bob"), 30, 100)
    make_customer("bob")
    run = recompute_value_assessment(by=None, now=NOW)
    assert run.bgnbd == {} and run.error
    assert CustomerScore.objects.filter(clv__isnull=True).count() == 2
    # The only buyer is the top spender of this base, and bought recently.
    assert CustomerScore.objects.filter(value_class="high").count() == 1


def test_a_manual_class_edit_is_the_origin_of_the_next_move(
    users: dict[str, Any], base: dict[str, Any]
) -> None:
    from guanxi.customers.models import Customer

    recompute_value_assessment(by=users["alice"], now=NOW)
    Customer.objects.filter(pk=base["loyal"].pk).update(value_class="churned")
    run = recompute_value_assessment(by=users["alice"], now=NOW)
    assert run.changes == 1
    move = ValueClassChange.objects.filter(customer=base["loyal"]).latest("id")
    assert (move.from_class, move.to_class, move.run_id) == ("churned", "high", run.pk)
    assert move.p_alive is not None and move.clv is not None and move.monetary == 25000
    base["loyal"].refresh_from_db()
    assert base["loyal"].value_class == "high"
    # The others did not move and got no history row in this run.
    assert ValueClassChange.objects.filter(run_id=run.pk).count() == 1
