"""Writes of the churn work: training the classifier (and switching which model scores).

Kept beside actions.py rather than in it because the value recompute there is
a separate line of work; actions.py re-exports these names, so callers still
find every analytics write under `guanxi.analytics.actions`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from guanxi.core import events
from guanxi.core.actions import ActionError
from guanxi.core.models import User

from . import churn_model
from .models import MODEL_READERS, AssessmentConfig, ChurnModelRun

DEFAULT_HORIZON_DAYS = 180


def _check_model_reader(by: User | None) -> None:
    # The system (CLI on the server) runs as None; people must be admins or analysts.
    if by is not None and by.role not in MODEL_READERS:
        raise ActionError("只有管理员和分析员可以训练流失模型", code="forbidden")


def train_churn_model(
    *,
    by: User | None,
    cutoff: datetime | None = None,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    seed: int = 0,
    activate: bool = True,
) -> ChurnModelRun:
    """Train the classifier on our own history and record the run (one event).

    The cutoff defaults to `horizon_days` before now, so every label is known:
    churned = bought by the cutoff and not within the horizon after it. A run
    that cannot train (too little history) is recorded with its error and
    does not replace the active model.
    """
    _check_model_reader(by)
    if horizon_days < 1:
        raise ActionError("观察期至少 1 天", code="invalid", field="horizon_days")
    now = timezone.now()
    cutoff = cutoff or now - timedelta(days=horizon_days)
    if cutoff + timedelta(days=horizon_days) > now:
        raise ActionError(
            "截止时间加观察期不能晚于现在：标签尚不可知", code="invalid", field="cutoff"
        )
    config = AssessmentConfig.current()
    features, label = churn_model.history_training_set(cutoff, horizon_days, config)
    run = ChurnModelRun(
        trained_by=by if by is not None and by.pk else None,
        trained_at=now,
        cutoff=cutoff,
        horizon_days=horizon_days,
        algorithm=churn_model.ALGORITHM,
        rows=int(label.size),
        positives=int(label.sum()),
        features=list(features.columns),
    )
    try:
        trained = churn_model.train_classifier(features, label, seed=seed)
    except churn_model.TrainingError as exc:
        run.error = str(exc)
        trained = None
    with transaction.atomic():
        run.save()
        if trained is not None:
            run.auc, run.brier = trained.auc, trained.brier
            run.calibration, run.seconds = trained.calibration, round(trained.seconds, 3)
            run.model_file = churn_model.save(trained, f"churn-{run.pk}.joblib")
            run.active = activate
            if activate:
                ChurnModelRun.objects.exclude(pk=run.pk).filter(active=True).update(active=False)
            run.save()
        events.record(
            by,
            "analytics.churn_model_trained",
            run,
            summary=f"流失模型：{run.rows} 位客户，AUC {run.auc:.3f}"
            if run.auc is not None
            else f"流失模型未训练：{run.error}",
            changes={
                "rows": run.rows,
                "positives": run.positives,
                "auc": run.auc,
                "brier": run.brier,
                "cutoff": cutoff.isoformat(),
                "horizon_days": horizon_days,
                "active": run.active,
            },
        )
    return run
