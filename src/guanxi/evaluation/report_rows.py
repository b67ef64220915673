"""The evaluation report as rows of cells, shared by the Excel and PDF writers and the page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from .queries import GroupLines, KpiLine, Report


def headers(group_title: str | None = None) -> list[str]:
    cols = [
        _("指标"),
        _("单位"),
        _("本期"),
        _("上期"),
        _("变化"),
        _("变化率（%）"),
        _("目标"),
        _("达标"),
    ]
    return [group_title, *cols] if group_title else cols


def met_text(met: bool | None) -> str:
    if met is None:
        return "—"
    return _("是") if met else _("否")


def line_cells(line: KpiLine) -> list[Any]:
    """Numbers stay numbers (None for 暂无数据) so Excel can format and sum them."""
    target = f"{line.target.sign} {line.target.value:g}" if line.target else ""
    return [
        str(line.kpi.name),
        str(line.kpi.unit),
        line.value,
        line.previous_value,
        line.change,
        line.change_pct,
        target,
        met_text(line.met),
    ]


def overall_rows(report: Report) -> Iterator[list[Any]]:
    for line in report.overall:
        yield line_cells(line)


def group_rows(groups: list[GroupLines]) -> Iterator[list[Any]]:
    for group in groups:
        for line in group.lines:
            if line.kpi.available:
                yield [group.name, *line_cells(line)]


def notes(report: Report) -> list[str]:
    """The 暂无数据 KPIs and why, printed under the tables."""
    return [
        f"{line.kpi.name}：{line.kpi.note}" for line in report.overall if not line.kpi.available
    ]
