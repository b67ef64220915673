"""The bulk score writes leave the score tables with all their indexes and the new rows
only (SQLite drops the secondary indexes for the load and builds them again)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from guanxi.analytics.actions import recompute_value_assessment
from guanxi.analytics.models import ChurnScore, CustomerScore

from .churn_history import clock, purchase, regulars  # noqa: F401  (fixtures)

TABLES = ["analytics_customerscore", "analytics_churnscore"]


def indexes() -> dict[str, set[str]]:
    with connection.cursor() as cursor:
        return {
            table: {
                name
                for name, info in connection.introspection.get_constraints(cursor, table).items()
                if info["index"]
            }
            for table in TABLES
        }


def test_a_recompute_keeps_every_index_of_the_score_tables(
    users: dict[str, Any],
    regulars: list[Any],  # noqa: F811
) -> None:
    before = indexes()
    assert "churn_risk_order" in before["analytics_churnscore"]
    run = recompute_value_assessment(by=users["alice"])
    recompute_value_assessment(by=users["alice"])
    assert indexes() == before
    assert CustomerScore.objects.count() == ChurnScore.objects.count() == run.customers == 12
    # The risk-order index answers the warning list's order as before.
    ordered = list(ChurnScore.objects.order_by("-risk", "customer").values_list("risk", flat=True))
    assert ordered == sorted(ordered, reverse=True)


def test_a_failed_run_rolls_back_the_rows_and_the_indexes(
    users: dict[str, Any],
    regulars: list[Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from guanxi.analytics import churn

    first = recompute_value_assessment(by=users["alice"])
    before = indexes()

    def broken(*_args: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(churn, "score_rows", broken)
    with pytest.raises(RuntimeError), transaction.atomic():
        recompute_value_assessment(by=users["alice"])
    assert indexes() == before
    assert set(ChurnScore.objects.values_list("run_id", flat=True)) == {first.pk}
    assert set(CustomerScore.objects.values_list("run_id", flat=True)) == {first.pk}
