"""The evaluation report as an Excel workbook: one formatted sheet per breakdown, Chinese headers."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import report_rows
from .queries import Report

HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
NUMBER_FORMAT = "#,##0.00"
PERCENT_CHANGE_FORMAT = "0.0"


def _sheet(
    ws: Worksheet, title: str, header: list[str], rows: list[list[Any]], first_number_col: int
) -> None:
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        ws.append(["—" if v is None and i < first_number_col else v for i, v in enumerate(row)])
    for row in ws.iter_rows(min_row=3, min_col=first_number_col + 1, max_col=first_number_col + 4):
        for index, cell in enumerate(row):
            cell.number_format = PERCENT_CHANGE_FORMAT if index == 3 else NUMBER_FORMAT
    ws.freeze_panes = "A3"
    for index, text in enumerate(header, start=1):
        # CJK characters are about two columns wide.
        width = max(len(str(text)) * 2, 10)
        ws.column_dimensions[get_column_letter(index)].width = min(width + 4, 40)
    ws.column_dimensions["A"].width = 26


def report_workbook(report: Report) -> bytes:
    title = _("%(label)s 客户管理评估报告（对比 %(previous)s）") % {
        "label": report.label,
        "previous": report.previous.label,
    }
    wb = Workbook()
    overview = wb.active
    overview.title = _("总览")
    _sheet(overview, title, report_rows.headers(), list(report_rows.overall_rows(report)), 2)
    for note in report_rows.notes(report):
        overview.append([note])
    teams = wb.create_sheet(_("按团队"))
    _sheet(
        teams,
        title,
        report_rows.headers(_("团队")),
        list(report_rows.group_rows(report.by_team)),
        3,
    )
    people = wb.create_sheet(_("按客户经理"))
    _sheet(
        people,
        title,
        report_rows.headers(_("客户经理")),
        list(report_rows.group_rows(report.by_person)),
        3,
    )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
