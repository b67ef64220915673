"""The 360 page explains the scores; overview, holdout check and recompute button by role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from guanxi.analytics.actions import recompute_value_assessment
from guanxi.analytics.models import AssessmentRun

from .test_value_assessment import base  # noqa: F401  (fixture)


def test_the_360_page_shows_scores_and_class_history(
    login: Callable[..., Any],
    users: dict[str, Any],
    base: dict[str, Any],  # noqa: F811
) -> None:
    recompute_value_assessment(by=users["alice"])
    page = login(users["bob"]).get(reverse("customers:detail", args=[base["loyal"].pk]))
    html = page.content.decode()
    assert 'id="customer-value"' in html and "R5" in html and "BG/NBD" in html
    assert 'id="value-class-history"' in html and "消费额居前且近期有购买" in html


def test_mallory_cannot_see_bobs_scores_through_the_360_page(
    login: Callable[..., Any],
    users: dict[str, Any],
    base: dict[str, Any],  # noqa: F811
) -> None:
    recompute_value_assessment(by=users["alice"])
    page = login(users["mallory"]).get(reverse("customers:detail", args=[base["loyal"].pk]))
    assert page.status_code == 404


def test_analysts_see_the_overview_and_holdout_check_reps_do_not(
    login: Callable[..., Any],
    users: dict[str, Any],
    base: dict[str, Any],  # noqa: F811
) -> None:
    recompute_value_assessment(by=users["alice"])
    frank = login(users["frank"])
    overview = frank.get(reverse("analytics:overview")).content.decode()
    assert "BG/NBD" in overview and 'id="recompute"' not in overview
    holdout = frank.get(reverse("analytics:holdout"))
    assert holdout.status_code == 200
    assert "echarts.min.js" in holdout.content.decode() or holdout.context["check"].error
    bob = login(users["bob"])
    assert bob.get(reverse("analytics:overview")).status_code == 404
    assert bob.get(reverse("analytics:holdout")).status_code == 404


def test_the_admin_button_recomputes_and_others_are_refused(
    login: Callable[..., Any],
    users: dict[str, Any],
    base: dict[str, Any],  # noqa: F811
) -> None:
    for name in ("frank", "bob", "dave"):
        response = login(users[name]).post(reverse("analytics:recompute"))
        assert response.status_code == 404
    assert AssessmentRun.objects.count() == 0
    response = login(users["alice"]).post(reverse("analytics:recompute"))
    assert response.status_code == 302
    run = AssessmentRun.objects.get()
    assert run.trigger == "manual" and run.triggered_by == users["alice"]
