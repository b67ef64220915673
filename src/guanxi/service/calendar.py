"""Working-time arithmetic on China's official calendar (调休 included).

A day is a working day when it is Monday–Friday and not a public holiday, or when
it is a make-up working day (调休上班, usually a Saturday or Sunday next to a long
holiday). The exceptions live in `CalendarDay`; the hours of a working day in
`WorkingHours`. Both are read once into a `WorkingCalendar`, so a scan of many
tickets does no per-ticket query.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Max

from .choices import DayKind

# Far enough for any SLA (a year of holidays in a row would be a data error).
MAX_DAYS = 800

# `chinese-calendar` names its holidays in English; the table keeps Chinese names.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}  # fmt: skip


def holiday_name(package_name: object) -> str:
    return HOLIDAY_NAMES.get(str(package_name), str(package_name))[:32]


# Per process: {"calendar": (fingerprint, WorkingCalendar)}; see WorkingCalendar.current.
_CACHE: dict[str, tuple[object, WorkingCalendar]] = {}


@dataclass(frozen=True)
class WorkingCalendar:
    starts: time = time(9)
    ends: time = time(18)
    lunch_starts: time | None = time(12)
    lunch_ends: time | None = time(13)
    exceptions: Mapping[date, str] = field(default_factory=dict)
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo(settings.TIME_ZONE))

    @classmethod
    def load(cls) -> WorkingCalendar:
        from .models import CalendarDay, WorkingHours

        hours = WorkingHours.objects.order_by("id").first()
        exceptions = dict(CalendarDay.objects.values_list("day", "kind"))
        if hours is None:
            return cls(exceptions=exceptions)
        return cls(
            starts=hours.starts,
            ends=hours.ends,
            lunch_starts=hours.lunch_starts,
            lunch_ends=hours.lunch_ends,
            exceptions=exceptions,
        )

    @classmethod
    def current(cls) -> WorkingCalendar:
        """The calendar as the database holds it now, from memory unless it changed.

        Loading reads every holiday row (≈1,000 since 2004) on each ticket create;
        the fingerprint is one aggregate over the table and the one hours row.
        Safe across processes: an edit in another process changes the
        fingerprint (row count, newest `updated_at`, the hours themselves).
        """
        from .models import CalendarDay, WorkingHours

        stamp = CalendarDay.objects.aggregate(n=Count("id"), last=Max("updated_at"))
        hours = WorkingHours.objects.order_by("id").values_list(
            "starts", "ends", "lunch_starts", "lunch_ends"
        )
        key = (stamp["n"], stamp["last"], tuple(hours[:1]))
        cached = _CACHE.get("calendar")
        if cached is not None and cached[0] == key:
            return cached[1]
        calendar = cls.load()
        _CACHE["calendar"] = (key, calendar)
        return calendar

    def is_workday(self, day: date) -> bool:
        kind = self.exceptions.get(day)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.WORKDAY:
            return True
        return day.weekday() < 5

    def periods(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working stretches of one day, as aware datetimes (empty on a day off)."""
        if not self.is_workday(day):
            return []

        def at(t: time) -> datetime:
            return datetime.combine(day, t, tzinfo=self.zone)

        if self.lunch_starts and self.lunch_ends and self.starts < self.lunch_starts:
            return [(at(self.starts), at(self.lunch_starts)), (at(self.lunch_ends), at(self.ends))]
        return [(at(self.starts), at(self.ends))]

    def _days_from(
        self, moment: datetime
    ) -> Iterator[tuple[date, list[tuple[datetime, datetime]]]]:
        first = moment.astimezone(self.zone).date()
        for offset in range(MAX_DAYS):
            day = first + timedelta(days=offset)
            yield day, self.periods(day)
        raise ValueError("no working time within MAX_DAYS; check the holiday table")

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment `seconds` of working time after `start`.

        A target that is used up exactly at the end of a stretch is due then
        (18:00), not at the start of the next one.
        """
        remaining = timedelta(seconds=seconds)
        if remaining <= timedelta(0):
            return start
        for _day, periods in self._days_from(start):
            for begin, end in periods:
                if end <= start:
                    continue
                begin = max(begin, start)
                if begin + remaining <= end:
                    return begin + remaining
                remaining -= end - begin
        raise AssertionError("unreachable")

    def between(self, start: datetime, stop: datetime) -> float:
        """Seconds of working time in [start, stop)."""
        if stop <= start:
            return 0.0
        total = timedelta(0)
        last_day = stop.astimezone(self.zone).date()
        for day, periods in self._days_from(start):
            if day > last_day:
                return total.total_seconds()
            for begin, end in periods:
                overlap = min(end, stop) - max(begin, start)
                if overlap > timedelta(0):
                    total += overlap
        raise AssertionError("unreachable")
