"""KPI dashboard, evaluation report (page, Excel, PDF) and the targets page."""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guanxi.core.actions import ActionError
from guanxi.core.choices import Role
from guanxi.core.models import User
from guanxi.core.permissions import can

from . import actions
from .choices import PeriodPreset, ReportPeriod
from .excel import report_workbook
from .forms import KpiFilterForm, KpiTargetForm, ReportForm
from .kpis import KPIS
from .models import KpiTarget
from .pdf import ReportFontMissing, report_pdf
from .queries import Dashboard, Report, dashboard, dashboard_data, evaluation_report, filter_choices
from .report_rows import group_rows, headers, line_cells, overall_rows
from .targets import targets_for
from .templatetags.kpi_format import kpi_change, kpi_value

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _reader(request: HttpRequest) -> User:
    """Any role that reads customers; what it sees is narrowed by restrict()."""
    user: User = request.user  # type: ignore[assignment]
    if not can(user, "view"):
        raise Http404
    return user


def _filters(request: HttpRequest) -> tuple[KpiFilterForm, Any]:
    form = KpiFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.to_filter()
    fallback = KpiFilterForm({"period": PeriodPreset.THIS_MONTH})
    fallback.is_valid()
    return form, fallback.to_filter()


def _drill_url(base_params: dict[str, Any], extra: dict[str, Any] | None) -> str | None:
    if extra is None:
        return None
    return reverse("customers:list") + "?" + urlencode({**base_params, **extra})


def _chart_data(board: Dashboard) -> dict[str, Any]:
    data = dashboard_data(board)
    base_params = board.filters.customer_params()
    for slices in data["distributions"].values():
        for item in slices:
            item["url"] = _drill_url(base_params, item.pop("drill"))
    data["names"] = board.dimension_names
    data["labels"] = {
        "current": board.filters.period.label,
        "previous": board.previous.label,
        "target": _("目标"),
        "this_period": _("本期"),
        "last_period": _("上期"),
        "customers": _("客户数"),
        "lorenz_x": _("客户累计占比（%）"),
        "lorenz_y": _("销售额累计占比（%）"),
        "equality": _("完全均匀"),
        "lorenz": _("洛伦兹曲线"),
    }
    return data


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form, filters = _filters(request)
    board = dashboard(user, filters)
    data = _chart_data(board)
    return render(
        request,
        "evaluation/dashboard.html",
        {
            "form": form,
            "board": board,
            "chart": data,
            "customer_list_url": _drill_url(filters.customer_params(), {}),
            "query": request.GET.urlencode(),
            "presets": PeriodPreset.choices,
            **filter_choices(user),
        },
    )


CSV_TABLES = ("kpis", "value_class", "stage", "industry", "region", "size", "clv")


@login_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    """One table of the dashboard as CSV (UTF-8 with BOM, so Excel opens the Chinese right)."""
    user = _reader(request)
    table = request.GET.get("table", "kpis")
    if table not in CSV_TABLES:
        raise Http404
    _form, filters = _filters(request)
    board = dashboard(user, filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kpi-{table}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    if table == "kpis":
        writer.writerow([_("期间"), *headers()])
        for line in board.lines:
            writer.writerow(
                [filters.period.label, *["" if v is None else v for v in line_cells(line)]]
            )
    elif table == "clv":
        writer.writerow([_("CLV 区间（元）"), _("客户数")])
        writer.writerows([s.label, s.count] for s in board.clv)
    else:
        writer.writerow([board.dimension_names[table], _("客户数")])
        writer.writerows([s.label, s.count] for s in board.distributions[table])
    actions.record_report_download(user, f"KPI {table} {filters.period.label}", "csv")
    return response


# --- evaluation report ----------------------------------------------------------------------


def _report(request: HttpRequest) -> tuple[ReportForm, Report | None]:
    user = _reader(request)
    form = ReportForm(request.GET or None)
    if not form.is_bound or not form.is_valid():
        return form, None
    return form, evaluation_report(user, form.to_period())


@login_required
def report_view(request: HttpRequest) -> HttpResponse:
    form, report = _report(request)
    context: dict[str, Any] = {"form": form, "report": report, "periods": ReportPeriod.choices}
    if report is not None:
        context.update(
            {
                "query": request.GET.urlencode(),
                "overall": _display(overall_rows(report), 1),
                "team_rows": _display(group_rows(report.by_team), 2),
                "person_rows": _display(group_rows(report.by_person), 2),
                "headers": headers(),
                "team_headers": headers(_("团队")),
                "person_headers": headers(_("客户经理")),
            }
        )
    return render(request, "evaluation/report.html", context)


def _display(rows: Any, unit_at: int) -> list[list[str]]:
    """Report rows with their numbers written the Chinese way for the page (¥1,650.00, 75.00%)."""
    shown = []
    for row in rows:
        unit = row[unit_at]
        value, previous, change, change_pct = row[unit_at + 1 : unit_at + 5]
        shown.append(
            [
                *row[: unit_at + 1],
                kpi_value(value, unit),
                kpi_value(previous, unit),
                kpi_change(change, unit),
                "—" if change_pct is None else f"{change_pct:+.1f}%",
                *row[unit_at + 5 :],
            ]
        )
    return shown


def _download(request: HttpRequest, file_format: str) -> HttpResponse:
    form, report = _report(request)
    if report is None:
        messages.error(request, _("请选择评估期间和年份。"))
        return redirect("evaluation:report")
    if file_format == "xlsx":
        body, content_type = report_workbook(report), XLSX
    else:
        try:
            body, content_type = report_pdf(report), "application/pdf"
        except ReportFontMissing as exc:
            messages.error(request, str(exc))
            return redirect(reverse("evaluation:report") + "?" + request.GET.urlencode())
    actions.record_report_download(request.user, report.label, file_format)  # type: ignore[arg-type]
    response = HttpResponse(body, content_type=content_type)
    name = f"evaluation-{report.period.start:%Y%m}-{report.period.last_day:%Y%m}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def report_xlsx(request: HttpRequest) -> HttpResponse:
    return _download(request, "xlsx")


@login_required
def report_pdf_view(request: HttpRequest) -> HttpResponse:
    return _download(request, "pdf")


# --- targets (admins) ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def targets_view(request: HttpRequest) -> HttpResponse:
    """The targets an admin edits; other roles see the targets in effect on the dashboard only."""
    user: User = request.user  # type: ignore[assignment]
    if user.role != Role.ADMIN:
        raise Http404
    editing = None
    form = KpiTargetForm()
    if request.method == "POST":
        pk = request.POST.get("target_id", "")
        editing = KpiTarget.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
        try:
            if request.POST.get("delete") and editing is not None:
                actions.delete_kpi_target(editing, by=user)
                messages.success(request, _("已删除目标。"))
                return redirect("evaluation:targets")
            form = KpiTargetForm(request.POST, instance=editing)
            if form.is_valid():
                actions.save_kpi_target(form.cleaned_data, by=user, target=editing)
                messages.success(request, _("目标已保存。"))
                return redirect("evaluation:targets")
        except ActionError as exc:
            form.add_error(exc.field, exc.message)
    elif request.GET.get("edit", "").isdigit():
        editing = KpiTarget.objects.filter(pk=int(request.GET["edit"])).first()
        form = KpiTargetForm(instance=editing)
    company = targets_for()
    return render(
        request,
        "evaluation/targets.html",
        {
            "form": form,
            "editing": editing,
            "rows": KpiTarget.objects.select_related("team"),
            "kpis": KPIS,
            "service_targets": [(KPIS[k].name, company[k]) for k in ("resolution_rate", "satisfaction") if k in company],
        },
    )  # fmt: skip
