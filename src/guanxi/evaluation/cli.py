"""`guanxi evaluation report …`: write a half-year or annual evaluation report to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="监督与评估: KPI evaluation reports.", no_args_is_help=True)
err = Console(stderr=True)


@app.command()
def report(
    file: Annotated[Path, typer.Argument(help="Output file: .xlsx or .pdf")],
    as_user: Annotated[
        str,
        typer.Option(
            "--as", envvar="GUANXI_USER", help="Login whose scope the report covers ($GUANXI_USER)."
        ),
    ],
    period: Annotated[str, typer.Option(help="h1, h2 or year")] = "h1",
    year: Annotated[int, typer.Option(help="Calendar year")] = 0,
) -> None:
    """Compute every KPI for the period and the previous one, by team and person, and save it."""
    from guanxi.cli import _acting_user, fail, migrate, setup_django

    setup_django()
    migrate()
    from django.utils import timezone

    from guanxi.evaluation import actions
    from guanxi.evaluation.excel import report_workbook
    from guanxi.evaluation.forms import ReportForm
    from guanxi.evaluation.pdf import ReportFontMissing, report_pdf
    from guanxi.evaluation.queries import evaluation_report

    suffix = file.suffix.lower()
    if suffix not in (".xlsx", ".pdf"):
        fail("the output file must end in .xlsx or .pdf")
    form = ReportForm({"period": period, "year": year or timezone.localdate().year})
    if not form.is_valid():
        fail("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    user = _acting_user(as_user)
    result = evaluation_report(user, form.to_period())
    try:
        body = report_workbook(result) if suffix == ".xlsx" else report_pdf(result)
    except ReportFontMissing as exc:
        fail(str(exc))
    file.write_bytes(body)
    actions.record_report_download(user, result.label, suffix.lstrip("."))
    err.print(f"{result.label} → {file} ({len(body):,} bytes)")
