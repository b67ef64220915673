"""Time of the KPI dashboard's computations at a million customers (issue 4).

Runs in-process against the database GUANXI_DATA_DIR / GUANXI_DATABASE_URL point
at (one filled by bench/generate.sh; apply `guanxi manage migrate evaluation`
to a COPY first). For each of admin (every customer), a regional manager and a
manager it times every KPI function (overall figure), the distributions, the
whole dashboard, and the half-year evaluation report with its team and person
breakdowns. The baseline in the same run is one `SELECT COUNT(*)` over the
orders table, the cheapest full read of the data the KPIs aggregate.

    GUANXI_DEBUG=0 GUANXI_DATA_DIR=/tmp/gx-bench-eval .venv/bin/python bench/evaluation_kpis.py
    … --distributions-only      (the five customer distributions alone)
    … --role=regional_manager   (one role only; repeatable)

Writes bench/out/evaluation-kpis-<vendor>.json and prints a Markdown table.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
os.environ.setdefault("GUANXI_DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from guanxi.core.models import User  # noqa: E402
from guanxi.evaluation import periods  # noqa: E402
from guanxi.evaluation.base import KpiFilter, kpi_base  # noqa: E402
from guanxi.evaluation.distributions import DIMENSIONS, clv_histogram, distribution  # noqa: E402
from guanxi.evaluation.kpis import KPIS, lorenz_curve  # noqa: E402
from guanxi.evaluation.queries import dashboard, evaluation_report  # noqa: E402
from guanxi.sales.models import Order  # noqa: E402


def timed(func: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process). SQLite runs in-process, so its CPU
    time shows the work itself while wall time also shows waiting for a shared CPU."""
    started, cpu = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - started, time.process_time() - cpu


def measure(
    role: str, user: User, half: periods.Period, baseline: tuple[float, float]
) -> list[dict[str, Any]]:
    """Time every KPI, distribution, the dashboard and the report for one user; print the rows."""
    base = kpi_base(user, KpiFilter(half))
    customers = base.customers.count()
    rows: list[tuple[str, tuple[float, float]]] = []
    only_distributions = "--distributions-only" in sys.argv
    for key, definition in KPIS.items():
        if only_distributions:
            break
        if definition.compute is not None:
            fresh = kpi_base(user, KpiFilter(half))  # no cache shared between KPIs
            rows.append((f"kpi {key}", timed(lambda d=definition, b=fresh: d.compute(b, None))))
    for dimension in DIMENSIONS:
        rows.append((f"distribution {dimension}", timed(lambda d=dimension: distribution(base, d))))
    if only_distributions:
        return _print(role, customers, rows, baseline)
    rows.append(("clv histogram", timed(lambda: clv_histogram(base))))
    rows.append(("lorenz curve", timed(lambda: lorenz_curve(kpi_base(user, KpiFilter(half))))))
    rows.append(
        (
            "whole dashboard (this + previous period)",
            timed(lambda: dashboard(user, KpiFilter(half))),
        )
    )
    if role != "admin" or "--with-admin-report" in sys.argv:
        report = "half-year report (overall, by team, by person)"
        rows.append((report, timed(lambda: evaluation_report(user, half))))
    return _print(role, customers, rows, baseline)


def _print(
    role: str, customers: int, rows: list[tuple[str, tuple[float, float]]], baseline: Any
) -> list[dict[str, Any]]:
    for what, (wall, cpu) in rows:
        print(
            f"| {role} | {customers:,} | {what} | {wall:.2f} | {cpu:.2f} | {cpu / baseline[1]:.1f} |"
        )
        sys.stdout.flush()
    return [
        {"role": role, "customers": customers, "what": w, "wall_s": t[0], "cpu_s": t[1]}
        for w, t in rows
    ]


def main() -> None:
    vendor = connection.vendor
    last = Order.objects.aggregate(last=Max("ordered_at"))["last"] or timezone.now()
    year = timezone.localtime(last).year
    half = periods.half_year(year, 1)  # a complete half-year with a previous one before it
    users = {
        "admin": User.objects.filter(role="admin").first(),
        "regional_manager": User.objects.filter(role="regional_manager").first(),
        "manager": User.objects.filter(role="manager").first(),
    }
    results: dict[str, Any] = {"vendor": vendor, "period": half.label, "rows": []}
    with connection.cursor() as cursor:
        baseline = timed(lambda: cursor.execute("SELECT COUNT(*) FROM sales_order").fetchall())
    results["baseline_count_orders"] = {"wall_s": baseline[0], "cpu_s": baseline[1]}
    print(
        f"# {vendor}, period {half.label}; baseline COUNT(*) orders: "
        f"{baseline[0]:.2f} s wall, {baseline[1]:.2f} s CPU"
    )
    print("| role | customers | what | wall s | CPU s | CPU × baseline |")
    print("|---|---:|---|---:|---:|---:|")
    wanted = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--role=")]
    for role, user in users.items():
        if user is not None and (not wanted or role in wanted):
            results["rows"] += measure(role, user, half, baseline)
            sys.stdout.flush()
    suffix = "-distributions" if "--distributions-only" in sys.argv else ""
    suffix += "".join(f"-{a[7:]}" for a in sys.argv if a.startswith("--role="))
    out = Path(__file__).parent / "out" / f"evaluation-kpis-{vendor}{suffix}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
