"""The supervised churn classifier: generic training with holdout AUC and calibration,
features from the company's own history at a cutoff, and scoring with the active model.

`train_classifier(features, label)` knows nothing of Guanxi: the IBM Telco
benchmark (bench/churn_wa.py, tests) and our own history go through the same
function. Gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier)
take numeric and categorical columns and missing values as they are, so the
history features need no imputation (a customer without survey answers has a
missing CSAT, which is information, not zero).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import pandas as pd

    from .churn_signals import ChurnSignals
    from .rfm import Purchases

ALGORITHM = "hist_gradient_boosting"
CALIBRATION_BINS = 10
DAY = 86_400.0
# Fewer than this many customers of either class and a holdout AUC means nothing.
MIN_PER_CLASS = 20
EARLY_STOPPING_ROWS = 1000


class TrainingError(Exception):
    """The history cannot train a classifier (too few customers of a class…)."""


@dataclass
class TrainedClassifier:
    pipeline: Any
    features: list[str]
    rows: int
    positives: int
    auc: float
    brier: float
    calibration: list[dict[str, float]]  # per bin: mean predicted, observed rate, count
    seconds: float
    holdout_rows: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def make_classifier(seed: int, rows: int) -> Any:
    """Slow-learning, shallow, regularised boosting: churn tables are small and noisy.

    These settings were chosen on IBM Telco (bench/churn_wa.py) against the
    library defaults (AUC 0.832 → 0.845 on the same split) and are not tuned to
    any one company.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        categorical_features="from_dtype",
        learning_rate=0.05,
        max_iter=300,
        max_leaf_nodes=15,
        # 40 customers a leaf on thousands; small histories must still split.
        min_samples_leaf=min(40, max(5, rows // 100)),
        l2_regularization=1.0,
        # Early stopping holds out 10 % to pick the number of trees; a few
        # hundred customers cannot spare that, and fit all 300 trees instead.
        early_stopping=rows >= EARLY_STOPPING_ROWS,
        random_state=seed,
    )


def prepare(features: pd.DataFrame) -> pd.DataFrame:
    """Text columns become categories (the trees split on them natively)."""
    frame = features.copy()
    for name in frame.columns:
        if frame[name].dtype == object:
            frame[name] = frame[name].astype("category")
    return frame


def calibration_table(
    label: NDArray[Any], probability: NDArray[np.float64], bins: int = CALIBRATION_BINS
) -> list[dict[str, float]]:
    """Reliability bins of equal count: mean predicted probability vs observed churn rate."""
    order = np.argsort(probability, kind="stable")
    table = []
    for part in np.array_split(order, min(bins, max(order.size, 1))):
        if part.size == 0:
            continue
        table.append(
            {
                "predicted": round(float(probability[part].mean()), 4),
                "observed": round(float(np.asarray(label)[part].mean()), 4),
                "count": int(part.size),
            }
        )
    return table


def train_classifier(
    features: pd.DataFrame, label: NDArray[Any], *, seed: int = 0, test_size: float = 0.25
) -> TrainedClassifier:
    """Fit on a stratified split and report holdout AUC, Brier score and calibration.

    The returned pipeline is the one fitted on the training part, so the
    reported metrics describe exactly the model that will score customers.
    """
    from sklearn.metrics import brier_score_loss, roc_auc_score
    from sklearn.model_selection import train_test_split

    y = np.asarray(label).astype(np.int64)
    positives = int(y.sum())
    if min(positives, y.size - positives) < MIN_PER_CLASS:
        raise TrainingError(
            f"每类至少需要 {MIN_PER_CLASS} 位客户（流失 {positives}，未流失 {y.size - positives}）"
        )
    # A column with no value at all (no survey answered yet) teaches nothing and
    # the binning cannot cut it; the stored feature list records what was used.
    frame = prepare(features)
    frame = frame.loc[:, frame.notna().any().to_numpy()]
    started = time.perf_counter()
    x_train, x_test, y_train, y_test = train_test_split(
        frame, y, test_size=test_size, stratify=y, random_state=seed
    )
    model = make_classifier(seed, int(y_train.size))
    model.fit(x_train, y_train)
    probability = model.predict_proba(x_test)[:, 1]
    return TrainedClassifier(
        pipeline=model,
        features=list(frame.columns),
        rows=int(y.size),
        positives=positives,
        auc=float(roc_auc_score(y_test, probability)),
        brier=float(brier_score_loss(y_test, probability)),
        calibration=calibration_table(y_test, probability),
        seconds=time.perf_counter() - started,
        holdout_rows=int(y_test.size),
    )


# --- features from our own history -------------------------------------------------------

HISTORY_FEATURES = [
    "recency_days", "orders", "purchase_days", "monetary", "average_order", "tenure_days",
    "recent_orders", "previous_orders", "recent_amount", "previous_amount", "order_trend",
    "amount_trend", "complaints", "csat", "days_since_touch",
]  # fmt: skip


def history_features(
    purchases: Purchases, signals: ChurnSignals, days_since: NDArray[np.float64], now: datetime
) -> pd.DataFrame:
    """One row per customer of what the company knew at `now` (nothing after it)."""
    import pandas as pd

    now_s = now.timestamp()
    buyers = purchases.count > 0
    count = np.where(buyers, purchases.count, 1.0)
    columns = {
        "recency_days": np.where(buyers, (now_s - purchases.last_at) / DAY, np.nan),
        "orders": purchases.count,
        "purchase_days": purchases.days,
        "monetary": purchases.amount,
        "average_order": np.where(buyers, purchases.amount / count, 0.0),
        "tenure_days": np.where(buyers, (now_s - purchases.first_at) / DAY, np.nan),
        "recent_orders": signals.recent_orders,
        "previous_orders": signals.previous_orders,
        "recent_amount": signals.recent_amount,
        "previous_amount": signals.previous_amount,
        # +1 keeps the ratio defined for customers without a previous window.
        "order_trend": (signals.recent_orders + 1) / (signals.previous_orders + 1),
        "amount_trend": (signals.recent_amount + 1) / (signals.previous_amount + 1),
        "complaints": signals.complaints,
        "csat": signals.csat,
        "days_since_touch": days_since,
    }
    return pd.DataFrame(columns, columns=HISTORY_FEATURES)


def bought_between(start: datetime, end: datetime) -> NDArray[np.int64]:
    """Ids of customers with an order in (start, end] — one DISTINCT query."""
    from django.db import connection

    from .churn_signals import db_time

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT customer_id FROM sales_order WHERE ordered_at > %s AND ordered_at <= %s",
            [db_time(start), db_time(end)],
        )
        return np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)


def history_training_set(
    cutoff: datetime, horizon_days: int, config: Any
) -> tuple[pd.DataFrame, NDArray[np.int64]]:
    """Features of every customer who had bought by `cutoff`; label 1 = no purchase within
    `horizon_days` after it (the company's own definition of churned)."""
    from .churn import align, days_since_touch
    from .churn_signals import load_signals
    from .rfm import load_purchases

    purchases = load_purchases(cutoff, config.rising_window_days)
    signals = align(
        load_signals(
            cutoff,
            trend_days=config.churn_trend_days,
            complaint_days=config.churn_complaint_days,
            csat_days=config.churn_csat_days,
        ),
        purchases.customer_id,
    )
    since = days_since_touch(signals, purchases.last_at, cutoff)
    frame = history_features(purchases, signals, since, cutoff)
    buyers = purchases.count > 0
    returned = np.isin(
        purchases.customer_id, bought_between(cutoff, cutoff + timedelta(days=horizon_days))
    )
    label = (~returned).astype(np.int64)
    return frame[buyers].reset_index(drop=True), label[buyers]


# --- the stored model ---------------------------------------------------------------------


def model_dir() -> Path:
    from django.conf import settings

    path = Path(settings.DATA_DIR) / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save(trained: TrainedClassifier, name: str) -> str:
    """Write the fitted model under the data directory; returns its name relative to it."""
    import joblib

    target = model_dir() / name
    joblib.dump({"model": trained.pipeline, "features": trained.features}, target)
    return f"models/{name}"


def load(relative: str) -> dict[str, Any] | None:
    import joblib
    from django.conf import settings

    path = Path(settings.DATA_DIR) / relative
    if not relative or not path.is_file():
        return None
    # Only files this module wrote under the data directory are ever loaded.
    return joblib.load(path)  # type: ignore[no-any-return]


def score_with_active_model(
    purchases: Purchases, signals: ChurnSignals, days_since: NDArray[np.float64], now: datetime
) -> NDArray[np.float64] | None:
    """Churn probability of every customer from the active model, or None without one.

    Customers who never bought are outside what the model was trained on; they
    get no probability (nan).
    """
    from .models import ChurnModelRun

    run = ChurnModelRun.objects.filter(active=True, error="").order_by("-trained_at", "-id").first()
    stored = load(run.model_file) if run is not None else None
    if stored is None:
        return None
    frame = history_features(purchases, signals, days_since, now)[stored["features"]]
    out = np.full(purchases.size, np.nan)
    buyers = purchases.count > 0
    if buyers.any():
        out[buyers] = stored["model"].predict_proba(frame[buyers])[:, 1]
    return out
