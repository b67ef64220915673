"""Full value-assessment recompute (RFM, CLV fit and scoring, classes, bulk writes).

Usage (a 1M-customer database made by bench/generate.sh, or a copy of it):
    GUANXI_DATA_DIR=/tmp/gx-bench-analytics .venv/bin/python bench/recompute.py [--runs 2]
    GUANXI_DATA_DIR=/tmp/gx-bench-postgres \
      GUANXI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanxi_bench \
      .venv/bin/python bench/recompute.py
Prints one JSON line per run: wall seconds, CPU seconds of this process
(on SQLite that includes the database engine; PostgreSQL's server CPU is not
counted), seconds per phase, peak RSS, load average before/after, and as the
baseline of the same run the time of one bare `SELECT COUNT(*)` scan of the
orders (the floor any recompute that reads every purchase has to pay). The
first run on a database that never had scores moves many classes; later runs
move none. Then one line with the CLV fit times on this database's summary:
all buyers, and the fixed-seed sample the recompute fits on (`--fit-runs 0`
skips it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
import django  # noqa: E402
import numpy as np  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from guanxi.analytics import clv  # noqa: E402
from guanxi.analytics.actions import recompute_value_assessment  # noqa: E402
from guanxi.analytics.assessment import FIT_SAMPLE, model_inputs  # noqa: E402
from guanxi.analytics.choices import RunTrigger  # noqa: E402
from guanxi.analytics.models import AssessmentConfig  # noqa: E402
from guanxi.analytics.rfm import load_purchases  # noqa: E402


def load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fit_times(repeat: int) -> dict[str, object]:
    """Best-of-`repeat` BG/NBD and Gamma-Gamma fit seconds on all buyers and on the sample."""
    now = timezone.now()
    purchases = load_purchases(now, AssessmentConfig.current().rising_window_days)
    x, t_x, T = model_inputs(purchases, now)
    spend = np.divide(
        purchases.amount, purchases.days, out=np.zeros(purchases.size), where=purchases.days > 0
    )
    buyers = np.flatnonzero(purchases.count > 0)
    sample = np.sort(np.random.default_rng(0).choice(buyers, min(FIT_SAMPLE, buyers.size), False))
    out: dict[str, object] = {"buyers": int(buyers.size), "sample": int(sample.size)}
    for name, rows in (("all", buyers), ("sample", sample)):
        for model, fit in (
            ("bgnbd", lambda r=rows: clv.fit_bgnbd(x[r], t_x[r], T[r])),
            ("gamma_gamma", lambda r=rows: clv.fit_gamma_gamma(x[r], spend[r])),
        ):
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                params = fit()
                times.append(time.perf_counter() - start)
            out[f"{model}_{name}_s"] = round(min(times), 3)
            out[f"{model}_{name}"] = params.as_dict()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--fit-runs", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", interactive=False, verbosity=0)
    for index in range(args.runs):
        load_before = load()
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*), SUM(total_amount) FROM sales_order")
            orders = cursor.fetchone()[0]
        scan = time.perf_counter() - start
        start, cpu_start = time.perf_counter(), cpu()
        run = recompute_value_assessment(by=None, trigger=RunTrigger.CLI)
        wall, cpu_s = time.perf_counter() - start, cpu() - cpu_start
        print(
            json.dumps(
                {
                    "run": index + 1,
                    "vendor": connection.vendor,
                    "customers": run.customers,
                    "orders": orders,
                    "class_changes": run.changes,
                    "wall_s": round(wall, 2),
                    "cpu_s": round(cpu_s, 2),
                    "baseline_order_scan_s": round(scan, 2),
                    "ratio_to_scan": round(wall / scan, 1),
                    "phases_s": run.seconds,
                    "peak_rss_mb": round(
                        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                    ),
                    "bgnbd": run.bgnbd,
                    "gamma_gamma": run.gamma_gamma,
                    "cores": os.cpu_count(),
                    "load_before": load_before,
                    "load_after": load(),
                }
            ),
            flush=True,
        )
    if args.fit_runs:
        load_before = load()
        fits = fit_times(args.fit_runs)
        fits.update(vendor=connection.vendor, load_before=load_before, load_after=load())
        print(json.dumps(fits), flush=True)


if __name__ == "__main__":
    sys.exit(main())
