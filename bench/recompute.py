"""Full value-assessment recompute (RFM, CLV fit and scoring, classes, bulk writes).

Usage (a 1M-customer database made by bench/generate.sh, or a copy of it):
    GUANXI_DATA_DIR=/tmp/gx-bench-analytics .venv/bin/python bench/recompute.py [--runs 2]
    GUANXI_DATA_DIR=/tmp/gx-bench-postgres \
      GUANXI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanxi_bench \
      .venv/bin/python bench/recompute.py
Prints one JSON line per run: wall seconds, seconds per phase, peak RSS, and as
the baseline of the same run the time of one bare `SELECT COUNT(*)` scan of
the orders (the floor any recompute that reads every purchase has to pay).
The first run on a database that never had scores inserts every row and moves
many classes; later runs update in place.
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

django.setup()
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from guanxi.analytics.actions import recompute_value_assessment  # noqa: E402
from guanxi.analytics.choices import RunTrigger  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    call_command("migrate", interactive=False, verbosity=0)
    for index in range(args.runs):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*), SUM(total_amount) FROM sales_order")
            orders = cursor.fetchone()[0]
        scan = time.perf_counter() - start
        start = time.perf_counter()
        run = recompute_value_assessment(by=None, trigger=RunTrigger.CLI)
        wall = time.perf_counter() - start
        print(
            json.dumps(
                {
                    "run": index + 1,
                    "vendor": connection.vendor,
                    "customers": run.customers,
                    "orders": orders,
                    "class_changes": run.changes,
                    "wall_s": round(wall, 2),
                    "baseline_order_scan_s": round(scan, 2),
                    "ratio_to_scan": round(wall / scan, 1),
                    "phases_s": run.seconds,
                    "peak_rss_mb": round(
                        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                    ),
                    "bgnbd": run.bgnbd,
                    "gamma_gamma": run.gamma_gamma,
                    "cores": os.cpu_count(),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
