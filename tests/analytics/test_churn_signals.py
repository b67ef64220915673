"""Each churn warning signal fires on the history that should raise it and not otherwise;
the points of the reasons are stored and add up to the score; the settings move the score."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from guanxi.analytics.actions import recompute_value_assessment, update_assessment_config
from guanxi.analytics.models import ChurnScore
from guanxi.core.models import Event

from .churn_history import clock, complain, purchase, rate, regulars  # noqa: F401  (fixtures)


def churn_of(customer: Any) -> ChurnScore:
    return ChurnScore.objects.get(customer=customer)


def test_every_customer_gets_a_churn_score_in_the_same_run_and_one_event(
    users: dict[str, Any],
    make_customer: Callable[..., Any],
    regulars: list[Any],  # noqa: F811
) -> None:
    prospect = make_customer("bob", name="刘洋")
    events_before = Event.objects.count()
    run = recompute_value_assessment(by=users["alice"])
    assert ChurnScore.objects.count() == run.customers == 13
    assert set(ChurnScore.objects.values_list("run_id", flat=True)) == {run.pk}
    assert Event.objects.count() == events_before + 1
    assert "churn_signals" in run.seconds and "churn_write" in run.seconds
    # A prospect who never bought and was just created has nothing to warn about.
    assert churn_of(prospect).risk == 0 and churn_of(prospect).reasons == []


def test_a_buyer_gone_quiet_has_a_low_p_alive_and_the_signal_fires(
    users: dict[str, Any],
    make_customer: Callable[..., Any],
    purchase: Callable[..., Any],  # noqa: F811
    regulars: list[Any],  # noqa: F811
) -> None:
    gone = make_customer("bob", name="沉寂客户")
    for days in range(700, 400, -10):  # thirty purchases, then nothing for 400 days
        purchase(gone, days, 100)
    recompute_value_assessment(by=users["alice"])
    score = churn_of(gone)
    assert score.p_alive is not None and score.p_alive < 0.5
    assert score.not_alive_points > 0
    assert "not_alive" in [code for code, _label, _points in score.reasons]
    steady = churn_of(regulars[0])
    assert steady.p_alive is not None and steady.p_alive >= 0.5
    assert steady.not_alive_points == 0


def test_falling_frequency_fires_without_falling_amount_and_the_other_way_round(
    users: dict[str, Any],
    make_customer: Callable[..., Any],
    purchase: Callable[..., Any],  # noqa: F811
) -> None:
    fewer = make_customer("bob", name="少买")
    for days in (170, 150, 130, 110):  # four orders in the window before the last 90 days
        purchase(fewer, days, 100)
    purchase(fewer, 20, 400)  # one order now, the same amount
    cheaper = make_customer("bob", name="少花")
    for days in (160, 120):
        purchase(cheaper, days, 500)
    for days in (60, 20):
        purchase(cheaper, days, 100)
    steady = make_customer("bob", name="平稳")
    for days in (160, 120, 60, 20):
        purchase(steady, days, 100)
    recompute_value_assessment(by=users["alice"])

    fewer_score = churn_of(fewer)
    assert (fewer_score.recent_orders, fewer_score.previous_orders) == (1, 4)
    assert fewer_score.frequency_points > 0 and fewer_score.amount_points == 0
    cheaper_score = churn_of(cheaper)
    assert (cheaper_score.recent_amount, cheaper_score.previous_amount) == (200, 1000)
    assert cheaper_score.amount_points > 0 and cheaper_score.frequency_points == 0
    steady_score = churn_of(steady)
    assert steady_score.frequency_points == 0 and steady_score.amount_points == 0


def test_a_recent_complaint_fires_an_old_one_does_not(
    users: dict[str, Any],
    make_customer: Callable[..., Any],
    purchase: Callable[..., Any],  # noqa: F811
    complain: Callable[..., Any],  # noqa: F811
) -> None:
    angry = make_customer("bob", name="投诉客户")
    calm = make_customer("bob", name="旧投诉客户")
    for customer in (angry, calm):
        purchase(customer, 5)
    complain(angry, 10)
    complain(angry, 30)
    complain(calm, 200)  # outside the 90-day window
    recompute_value_assessment(by=users["alice"])
    assert churn_of(angry).complaints == 2 and churn_of(angry).complaints_points > 0
    assert churn_of(calm).complaints == 0 and churn_of(calm).complaints_points == 0


def test_low_satisfaction_fires_and_high_satisfaction_does_not(
    users: dict[str, Any],
    make_customer: Callable[..., Any],
    purchase: Callable[..., Any],  # noqa: F811
    rate: Callable[..., Any],  # noqa: F811
) -> None:
    unhappy = make_customer("bob", name="不满意")
    happy = make_customer("bob", name="满意")
    for customer in (unhappy, happy):
        purchase(customer, 5)
    rate(unhappy, 1)
    rate(unhappy, 2)
    rate(happy, 5)
    recompute_value_assessment(by=users["alice"])
    assert churn_of(unhappy).csat == pytest.approx(1.5)
    assert churn_of(unhappy).satisfaction_points > 0
    assert churn_of(happy).csat == pytest.approx(5.0)
    assert churn_of(happy).satisfaction_points == 0


def test_overdue_contact_fires_by_value_class_and_a_done_task_counts_as_a_touch(
    users: dict[str, Any],
    make_customer: Callable[..., Any],
    purchase: Callable[..., Any],  # noqa: F811
) -> None:
    from guanxi.engagement.actions import complete_task, create_win_back_task

    quiet = make_customer("bob", name="久未联系")
    touched = make_customer("bob", name="刚联系过")
    recent = make_customer("bob", name="刚买过")
    for customer in (quiet, touched):
        purchase(customer, 60)
    purchase(recent, 2)
    task, _created = create_win_back_task(touched, by=users["bob"])
    complete_task(task, by=users["bob"], outcome="电话回访，客户下月续订")
    recompute_value_assessment(by=users["alice"])

    quiet_score = churn_of(quiet)
    # The seeded frequencies (SPEC §4: high-value weekly, general monthly) by class.
    due = {"high": 7, "potential": 14, "general": 30, "churned": 90}
    assert quiet_score.contact_due_days == due[quiet_score.customer.value_class]
    assert quiet_score.days_since_contact == 60 and quiet_score.contact_points > 0
    assert churn_of(touched).days_since_contact == 0
    assert churn_of(touched).contact_points == 0
    assert churn_of(recent).contact_points == 0


def test_reasons_are_stored_largest_first_and_add_up_to_the_score(
    users: dict[str, Any],
    make_customer: Callable[..., Any],
    purchase: Callable[..., Any],  # noqa: F811
    complain: Callable[..., Any],  # noqa: F811
) -> None:
    customer = make_customer("bob", name="多重信号")
    for days in (170, 150, 130, 110):
        purchase(customer, days, 300)
    complain(customer, 3)
    recompute_value_assessment(by=users["alice"])
    score = churn_of(customer)
    codes = [code for code, _label, _points in score.reasons]
    assert {"frequency", "amount", "complaints"} <= set(codes)
    # The complaint three days ago was a touch: contact is not overdue.
    assert "contact" not in codes and score.days_since_contact == 3
    points = [p for _code, _label, p in score.reasons]
    assert points == sorted(points, reverse=True)
    assert abs(sum(points) - score.risk) <= 1
    assert score.level in ("high", "medium", "low")


def test_changing_the_settings_changes_the_score(
    users: dict[str, Any],
    make_customer: Callable[..., Any],
    purchase: Callable[..., Any],  # noqa: F811
    complain: Callable[..., Any],  # noqa: F811
) -> None:
    customer = make_customer("bob", name="投诉客户")
    purchase(customer, 1)
    complain(customer, 5)
    recompute_value_assessment(by=users["alice"])
    before = churn_of(customer)
    assert before.complaints_points > 0 and before.level == "low"

    update_assessment_config(
        {"churn_weight_complaints": 100, "churn_medium_from": 10, "churn_high_from": 40},
        by=users["alice"],
    )
    recompute_value_assessment(by=users["alice"])
    louder = churn_of(customer)
    assert louder.risk > before.risk and louder.level != "low"

    update_assessment_config({"churn_weight_complaints": 0}, by=users["alice"])
    recompute_value_assessment(by=users["alice"])
    silent = churn_of(customer)
    assert silent.complaints_points == 0 and silent.risk < before.risk


def test_a_later_run_replaces_the_scores_and_drops_merged_customers(
    users: dict[str, Any],
    make_customer: Callable[..., Any],
    purchase: Callable[..., Any],  # noqa: F811
    clock: Any,  # noqa: F811
) -> None:
    keep = make_customer("bob", name="保留")
    purchase(keep, 3)
    first = recompute_value_assessment(by=users["alice"])
    second = recompute_value_assessment(by=users["alice"], now=clock + timedelta(days=200))
    score = churn_of(keep)
    assert score.run_id == second.pk != first.pk
    assert score.days_since_contact >= 200
    assert ChurnScore.objects.count() == 1


def test_scores_written_in_small_chunks_are_the_same_as_in_one(
    users: dict[str, Any],
    regulars: list[Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from guanxi.analytics import churn

    recompute_value_assessment(by=users["alice"])
    whole = sorted(ChurnScore.objects.values_list("customer_id", "risk", "contact_points"))
    monkeypatch.setattr(churn, "CHUNK", 5)  # 12 customers: chunks of 5, 5 and 2
    recompute_value_assessment(by=users["alice"])
    chunked = sorted(ChurnScore.objects.values_list("customer_id", "risk", "contact_points"))
    assert len(chunked) == 12 and chunked == whole
