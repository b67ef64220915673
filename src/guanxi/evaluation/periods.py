"""Evaluation periods: calendar presets (month, quarter, half-year, year) and custom ranges.

A period is a half-open range of local dates [start, end) in the display zone
(Asia/Shanghai), so 2026H1 is 2026-01-01 00:00 up to, not including,
2026-07-01 00:00 Beijing time. Every period knows its *previous comparable
period*: the calendar unit just before it (H1 → the previous year's H2, a year
→ the year before), or for a custom range the same number of days just before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from .choices import PeriodPreset


@dataclass(frozen=True)
class Period:
    """[start, end) in local dates; `unit` says how to step to the previous period."""

    start: date
    end: date
    label: str
    unit: str = "days"  # "month", "quarter", "half", "year" or "days"

    @property
    def start_at(self) -> datetime:
        return _local_midnight(self.start)

    @property
    def end_at(self) -> datetime:
        return _local_midnight(self.end)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> Period:
        """The comparable period just before this one."""
        months = {"month": 1, "quarter": 3, "half": 6, "year": 12}.get(self.unit)
        if months is None:
            length = self.end - self.start
            return custom(self.start - length, self.start)
        start = _add_months(self.start, -months)
        return _calendar(start, months, self.unit)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(settings.TIME_ZONE))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _calendar(start: date, months: int, unit: str) -> Period:
    end = _add_months(start, months)
    if unit == "year":
        label = f"{start.year}年"
    elif unit == "half":
        label = f"{start.year}年{'上' if start.month == 1 else '下'}半年"
    elif unit == "quarter":
        label = f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    else:
        label = f"{start.year}年{start.month}月"
    return Period(start, end, label, unit)


def month(year: int, number: int) -> Period:
    return _calendar(date(year, number, 1), 1, "month")


def quarter(year: int, number: int) -> Period:
    return _calendar(date(year, 3 * (number - 1) + 1, 1), 3, "quarter")


def half_year(year: int, half: int) -> Period:
    """half 1 = 上半年 (H1, January–June), 2 = 下半年 (H2, July–December)."""
    return _calendar(date(year, 1 if half == 1 else 7, 1), 6, "half")


def year(number: int) -> Period:
    return _calendar(date(number, 1, 1), 12, "year")


def custom(start: date, end: date) -> Period:
    """A free range; `end` is exclusive (the form's inclusive end date + 1 day)."""
    last = end - timedelta(days=1)
    return Period(start, end, f"{start:%Y-%m-%d} 至 {last:%Y-%m-%d}", "days")


def preset(name: str, *, today: date | None = None, year_number: int | None = None) -> Period:
    """A named preset relative to today (or, for H1/H2/year, of `year_number`)."""
    today = today or timezone.localdate()
    number = year_number or today.year
    if name == PeriodPreset.THIS_MONTH:
        return month(today.year, today.month)
    if name == PeriodPreset.LAST_MONTH:
        return month(today.year, today.month).previous()
    if name == PeriodPreset.THIS_QUARTER:
        return quarter(today.year, (today.month - 1) // 3 + 1)
    if name == PeriodPreset.LAST_QUARTER:
        return quarter(today.year, (today.month - 1) // 3 + 1).previous()
    if name == PeriodPreset.H1:
        return half_year(number, 1)
    if name == PeriodPreset.H2:
        return half_year(number, 2)
    if name == PeriodPreset.YEAR:
        return year(number)
    raise ValueError(f"unknown period preset {name!r}")
