"""KPI and evaluation-report endpoints: /api/v1/kpis, /api/v1/evaluation/report(.xlsx|.pdf).

Filters are query parameters validated by the same forms as the pages; a bad
value answers 422 naming the field. Everything is computed over
`Customer.objects.restrict(user, "view")`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from guanxi.core.api import ApiError, actor, form_error, require

from . import actions
from .excel import report_workbook
from .forms import KpiFilterForm, ReportForm
from .pdf import ReportFontMissing, report_pdf
from .queries import Report, dashboard, dashboard_data, evaluation_report
from .report_rows import line_cells

router = Router(tags=["evaluation"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class KpiQuery(Schema):
    period: str | None = None
    year: int | None = None
    start: date | None = None
    end: date | None = None
    team: int | None = None
    region: int | None = None
    industry: int | None = None
    size: str | None = None
    value_class: str | None = None


class ReportQuery(Schema):
    period: str | None = None
    year: int | None = None


def _form_input(query: Schema) -> dict[str, Any]:
    return {k: str(v) for k, v in query.dict().items() if v is not None}


@router.get("/kpis", response=dict[str, Any])
def kpis(request: HttpRequest, filters: Query[KpiQuery]) -> dict[str, Any]:
    """The dashboard's KPIs, distributions, CLV histogram and Lorenz curve for the filters."""
    user = actor(request)
    require(user, "view")
    form = KpiFilterForm(_form_input(filters) or {"period": "this_month"})
    if not form.is_valid():
        raise form_error(form)
    return dashboard_data(dashboard(user, form.to_filter()))


def _report(request: HttpRequest, query: ReportQuery) -> Report:
    user = actor(request)
    require(user, "view")
    form = ReportForm(_form_input(query))
    if not form.is_valid():
        raise form_error(form)
    return evaluation_report(user, form.to_period())


def _lines(lines: list[Any]) -> list[dict[str, Any]]:
    keys = ("name", "unit", "value", "previous", "change", "change_pct", "target", "met")
    return [
        {"key": line.kpi.key, **dict(zip(keys, line_cells(line), strict=True)), "met": line.met}
        for line in lines
    ]


@router.get("/evaluation/report", response=dict[str, Any])
def report(request: HttpRequest, query: Query[ReportQuery]) -> dict[str, Any]:
    """The evaluation report as JSON: overall, by team and by account owner, with the previous period."""
    result = _report(request, query)
    return {
        "period": result.label,
        "previous_period": result.previous.label,
        "overall": _lines(result.overall),
        "by_team": [{"id": g.key, "name": g.name, "kpis": _lines(g.lines)} for g in result.by_team],
        "by_person": [
            {"id": g.key, "name": g.name, "kpis": _lines(g.lines)} for g in result.by_person
        ],
    }


@router.get("/evaluation/report.xlsx")
def report_xlsx(request: HttpRequest, query: Query[ReportQuery]) -> HttpResponse:
    result = _report(request, query)
    actions.record_report_download(actor(request), result.label, "xlsx")
    response = HttpResponse(report_workbook(result), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="evaluation.xlsx"'
    return response


@router.get("/evaluation/report.pdf")
def report_pdf_file(request: HttpRequest, query: Query[ReportQuery]) -> HttpResponse:
    result = _report(request, query)
    try:
        body = report_pdf(result)
    except ReportFontMissing as exc:
        raise ApiError(503, "font_missing", str(exc)) from None
    actions.record_report_download(actor(request), result.label, "pdf")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="evaluation.pdf"'
    return response
