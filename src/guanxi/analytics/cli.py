"""`guanxi analytics …`: recompute the value assessment; fit CLV models on any transaction file."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    import numpy as np

app = typer.Typer(help="Customer value: RFM, value classes, CLV.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

STEP_LABELS = {
    "aggregate": "汇总购买 aggregating purchases",
    "rfm": "RFM 评分 scoring RFM",
    "clv": "拟合 CLV 模型 fitting CLV",
    "classes": "价值分类 classifying",
    "write": "写入评分 writing scores",
    "done": "完成 done",
}


def fail(message: str) -> None:
    err.print(f"[red]错误 / error:[/red] {message}")
    raise typer.Exit(1)


@app.command()
def recompute() -> None:
    """Recompute RFM, CLV and value classes of every customer now (as the nightly job does)."""
    from guanxi.cli import migrate, setup_django

    setup_django()
    migrate()
    from guanxi.analytics.actions import recompute_value_assessment
    from guanxi.analytics.choices import RunTrigger

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(STEP_LABELS["aggregate"], total=5)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=STEP_LABELS.get(step, step), completed=done, total=total)

        run = recompute_value_assessment(by=None, trigger=RunTrigger.CLI, progress=progress)
    console.print(
        f"{run.customers:,} customers · {run.changes:,} class changes · "
        + " ".join(f"{k} {v:,}" for k, v in sorted(run.class_counts.items()))
    )
    if run.error:
        console.print(f"[yellow]CLV not fitted:[/yellow] {run.error}")


def read_transactions(
    path: Path, customer_col: str, date_col: str, amount_col: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns of a CSV file; errors name the file, the row and the column at fault."""
    import numpy as np

    if not path.is_file():
        fail(f"{path}: no such file")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in (customer_col, date_col, amount_col) if c not in header]
        if missing:
            fail(
                f"{path}: missing column(s) {', '.join(missing)}; the file has {', '.join(header)}"
            )
        customers: list[str] = []
        days: list[np.datetime64] = []
        amounts: list[float] = []
        for line, row in enumerate(reader, start=2):
            try:
                days.append(parse_day(row[date_col]))
            except ValueError:
                fail(f"{path}:{line}: {date_col}={row[date_col]!r} is not a date (YYYY-MM-DD)")
            try:
                amounts.append(float(row[amount_col]))
            except ValueError:
                fail(f"{path}:{line}: {amount_col}={row[amount_col]!r} is not a number")
            customers.append(row[customer_col])
    if not customers:
        fail(f"{path}: no transactions")
    return np.array(customers), np.array(days, dtype="datetime64[D]"), np.array(amounts)


def parse_day(text: str) -> np.datetime64:
    import numpy as np

    text = text.strip()
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return np.datetime64(text[:10], "D")


@app.command()
def clv(
    transactions: Annotated[Path, typer.Option(help="CSV file, one transaction per row.")],
    customer_col: Annotated[str, typer.Option(help="Column with the customer id.")],
    date_col: Annotated[str, typer.Option(help="Column with the date (YYYY-MM-DD or YYYYMMDD).")],
    amount_col: Annotated[str, typer.Option(help="Column with the amount.")],
    calibration_end: Annotated[str, typer.Option(help="Last day of the calibration period.")],
    horizon_weeks: Annotated[float, typer.Option(help="Prediction horizon in weeks.")] = 52.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Fit BG/NBD and Gamma-Gamma on a transaction file and print parameters and predictions."""
    from guanxi.analytics import clv as model

    try:
        end = parse_day(calibration_end)
    except ValueError:
        fail(f"--calibration-end {calibration_end!r} is not a date (YYYY-MM-DD)")
    customers, days, amounts = read_transactions(transactions, customer_col, date_col, amount_col)
    summary = model.summarise_transactions(customers, days, amounts, end)
    try:
        bgnbd = model.fit_bgnbd(summary.x, summary.t_x, summary.T)
        gamma_gamma = model.fit_gamma_gamma(summary.x, summary.mean_value)
    except model.FitError as exc:
        fail(str(exc))
    alive = model.probability_alive(bgnbd, summary.x, summary.t_x, summary.T)
    expected = model.expected_purchases(bgnbd, horizon_weeks, summary.x, summary.t_x, summary.T)
    has_holdout = bool(days.max() > end)
    result: dict[str, Any] = {
        "customers": int(summary.x.size),
        "repeat_buyers": int((summary.x > 0).sum()),
        "calibration_end": str(end),
        "bgnbd": bgnbd.as_dict(),
        "gamma_gamma": gamma_gamma.as_dict(),
        "horizon_weeks": horizon_weeks,
        "expected_purchases_total": float(expected.sum()),
        "mean_p_alive": float(alive.mean()),
        "population_mean_spend": gamma_gamma.p * gamma_gamma.gamma / (gamma_gamma.q - 1)
        if gamma_gamma.q > 1
        else None,
    }
    if has_holdout:
        holdout_weeks = float((days.max() - end).astype(int)) / 7
        predicted = model.expected_purchases(
            bgnbd, holdout_weeks, summary.x, summary.t_x, summary.T
        )
        result["holdout"] = {
            "weeks": holdout_weeks,
            "actual_repeat_purchases": float(summary.holdout.sum()),
            "predicted_repeat_purchases": float(predicted.sum()),
        }
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table(title="BG/NBD + Gamma-Gamma")
    table.add_column("parameter")
    table.add_column("value", justify="right")
    for name, value in [*bgnbd.as_dict().items(), *gamma_gamma.as_dict().items()]:
        table.add_row(name, f"{value:,.4f}" if isinstance(value, float) else f"{value:,}")
    console.print(table)
    summary_table = Table(title="Predictions")
    summary_table.add_column("measure")
    summary_table.add_column("value", justify="right")
    for name, value in result.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            summary_table.add_row(name, f"{value:,.3f}")
    for name, value in result.get("holdout", {}).items():
        summary_table.add_row(f"holdout {name}", f"{value:,.3f}")
    console.print(summary_table)


@app.command("churn-train")
def churn_train(
    horizon_days: Annotated[
        int, typer.Option(help="Days without a purchase after the cutoff that count as churn.")
    ] = 180,
    cutoff: Annotated[
        str | None, typer.Option(help="Cutoff day YYYY-MM-DD (default: horizon days ago).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the stratified split and the trees.")] = 0,
    activate: Annotated[
        bool, typer.Option(help="Use the model in the churn score from the next recompute.")
    ] = True,
) -> None:
    """Train the churn classifier on this company's history; print holdout AUC and calibration."""
    from guanxi.cli import migrate, setup_django

    setup_django()
    migrate()
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from guanxi.analytics.actions import train_churn_model
    from guanxi.core.actions import ActionError

    when = None
    if cutoff:
        try:
            day = datetime.strptime(cutoff, "%Y-%m-%d").date()
        except ValueError:
            fail(f"--cutoff {cutoff!r} is not a date (YYYY-MM-DD)")
        when = datetime.combine(day, time(), ZoneInfo(settings.TIME_ZONE))
    try:
        run = train_churn_model(
            by=None, cutoff=when, horizon_days=horizon_days, seed=seed, activate=activate
        )
    except ActionError as exc:
        fail(exc.message)
    if run.error:
        fail(f"not trained: {run.error}")
    console.print(
        f"{run.rows:,} customers · {run.positives:,} churned · AUC {run.auc:.4f} · "
        f"Brier {run.brier:.4f} · {run.seconds:.1f} s · active {run.active}"
    )
    table = Table(title="Calibration (holdout)")
    for name in ("predicted", "observed", "count"):
        table.add_column(name, justify="right")
    for row in run.calibration:
        table.add_row(f"{row['predicted']:.3f}", f"{row['observed']:.3f}", str(row["count"]))
    console.print(table)
