"""KPI values the Chinese way: ¥1,650.00, 75.00%, 1,234 户; no value is shown as 暂无数据 or —."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from guanxi.core.templatetags.guanxi_format import yuan

register = template.Library()


@register.filter
def kpi_value(value: float | None, unit: Any = "") -> str:
    if value is None:
        return "—"
    unit = str(unit)
    if unit == _("元"):
        return yuan(value)
    if unit == "%":
        return f"{value:,.2f}%"
    if float(value).is_integer():
        return f"{int(value):,} {unit}".strip()
    return f"{value:,.2f} {unit}".strip()


@register.filter
def kpi_change(value: float | None, unit: Any = "") -> str:
    """+1.50 个百分点 for rates (a difference of percentages is not a percentage)."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    if str(unit) == "%":
        return _("%(v)s 个百分点") % {"v": f"{sign}{value:,.2f}"}
    if str(unit) == _("元"):
        return f"{sign}{yuan(value)}"
    return f"{sign}{value:,.2f}"


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None
