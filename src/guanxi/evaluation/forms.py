"""Validation of the dashboard filters, the report choice and KPI targets (UI and API alike)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import Region, Team
from guanxi.customers.choices import ValueClass
from guanxi.customers.models import Industry

from . import periods
from .base import KpiFilter
from .choices import Direction, PeriodPreset, ReportPeriod, SizeBand
from .kpis import KPIS
from .models import KpiTarget
from .targets import SERVICE_TARGET_CODES

# A custom range longer than this is refused: the previous comparable period
# doubles it, and the charts are about evaluation periods, not the whole history.
MAX_CUSTOM_DAYS = 3 * 366
YEARS = (2000, 2100)


class KpiFilterForm(forms.Form):
    """period preset (+ year for H1/H2/year, start/end for custom), team, region, industry, segment."""

    period = forms.ChoiceField(
        label=_("期间"),
        choices=PeriodPreset.choices,
        required=False,
        initial=PeriodPreset.THIS_MONTH,
    )
    year = forms.IntegerField(
        label=_("年份"), required=False, min_value=YEARS[0], max_value=YEARS[1]
    )
    start = forms.DateField(label=_("开始日期"), required=False)
    end = forms.DateField(label=_("结束日期"), required=False)
    team = forms.ModelChoiceField(label=_("团队"), queryset=Team.objects.all(), required=False)
    region = forms.ModelChoiceField(label=_("区域"), queryset=Region.objects.all(), required=False)
    industry = forms.ModelChoiceField(
        label=_("行业"), queryset=Industry.objects.all(), required=False
    )
    size = forms.ChoiceField(
        label=_("规模"), choices=[("", "—"), *SizeBand.choices], required=False
    )
    value_class = forms.ChoiceField(
        label=_("价值分类"), choices=[("", "—"), *ValueClass.choices], required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        preset = data.get("period") or PeriodPreset.THIS_MONTH
        data["period"] = preset
        if preset == PeriodPreset.CUSTOM:
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", _("自定义期间需要开始日期。"))
            if not end:
                self.add_error("end", _("自定义期间需要结束日期。"))
            if start and end and end < start:
                self.add_error("end", _("结束日期不能早于开始日期。"))
            elif start and end and (end - start).days >= MAX_CUSTOM_DAYS:
                self.add_error("end", _("自定义期间不能超过三年。"))
        return data

    def to_filter(self, today: date | None = None) -> KpiFilter:
        data = self.cleaned_data
        preset = data["period"]
        if preset == PeriodPreset.CUSTOM:
            period = periods.custom(data["start"], data["end"] + timedelta(days=1))
        else:
            period = periods.preset(preset, today=today, year_number=data.get("year"))
        return KpiFilter(
            period=period,
            team_id=data["team"].pk if data.get("team") else None,
            region_id=data["region"].pk if data.get("region") else None,
            industry_id=data["industry"].pk if data.get("industry") else None,
            size=data.get("size") or "",
            value_class=data.get("value_class") or "",
        )


class ReportForm(forms.Form):
    """An evaluation report covers a half-year or a year (SPEC §12)."""

    period = forms.ChoiceField(label=_("期间"), choices=ReportPeriod.choices, initial="h1")
    year = forms.IntegerField(label=_("年份"), min_value=YEARS[0], max_value=YEARS[1])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    def to_period(self) -> periods.Period:
        kind, number = self.cleaned_data["period"], self.cleaned_data["year"]
        if kind == ReportPeriod.YEAR:
            return periods.year(number)
        return periods.half_year(number, 1 if kind == ReportPeriod.H1 else 2)


def _kpi_choices() -> list[tuple[str, Any]]:
    return [(key, k.name) for key, k in KPIS.items()]


class KpiTargetForm(forms.ModelForm):  # type: ignore[type-arg]
    """One target; validation only (the action writes it)."""

    kpi = forms.ChoiceField(label=_("指标"), choices=_kpi_choices)
    direction = forms.ChoiceField(label=_("方向"), choices=Direction.choices)

    class Meta:
        model = KpiTarget
        fields = ["kpi", "team", "value", "direction"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kpi, value, team = data.get("kpi"), data.get("value"), data.get("team")
        if kpi in SERVICE_TARGET_CODES and team is None:
            self.add_error(
                "team",
                _("此指标的全公司目标由服务目标设定（服务 › 指标目标）；这里只能为团队单独设定。"),
            )
        if value is not None and KPIS.get(kpi or "") and KPIS[str(kpi)].unit == "%":
            if not 0 <= value <= 100:
                self.add_error("value", _("百分比目标必须在 0 到 100 之间。"))
        if value is not None and value < 0:
            self.add_error("value", _("目标值不能为负数。"))
        return data
