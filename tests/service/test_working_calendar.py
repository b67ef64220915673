"""Due times on the official calendar: Spring Festival 2026, National Day 2026, 调休 Saturdays.

The dates are the State Council's 2026 arrangement as shipped in `chinese-calendar`
(checked: 春节 2月15日–23日 with 2月14日(六)、2月28日(六) 上班; 国庆 10月1日–7日 with
9月20日(日)、10月10日(六) 上班), seeded into the editable table by migration.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from guanxi.service.calendar import WorkingCalendar
from guanxi.service.models import CalendarDay

SH = ZoneInfo("Asia/Shanghai")
HOUR = 3600.0


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def cal(db: None) -> WorkingCalendar:
    return WorkingCalendar.load()


def test_the_seeded_table_holds_the_2026_arrangement(db: None) -> None:
    days = dict(CalendarDay.objects.filter(day__year=2026).values_list("day", "kind"))
    assert all(days[date(2026, 2, d)] == "holiday" for d in range(15, 24))
    assert days[date(2026, 2, 14)] == days[date(2026, 2, 28)] == "workday"
    assert all(days[date(2026, 10, d)] == "holiday" for d in range(1, 8))
    assert days[date(2026, 9, 20)] == days[date(2026, 10, 10)] == "workday"


def test_friday_evening_before_spring_festival_runs_into_the_make_up_saturday(
    cal: WorkingCalendar,
) -> None:
    # Fri 17:00–18:00 is one hour; Sat 14 Feb is a 调休 working day: 3 h before lunch, 4 after.
    assert cal.add(at(2026, 2, 13, 17), 8 * HOUR) == at(2026, 2, 14, 17)


def test_spring_festival_holidays_stop_the_working_clock(cal: WorkingCalendar) -> None:
    # Sat 14 Feb 16:00–18:00 = 2 h, then nothing until Tue 24 Feb: 3 h + 3 h.
    assert cal.add(at(2026, 2, 14, 16), 8 * HOUR) == at(2026, 2, 24, 16)
    assert cal.between(at(2026, 2, 14, 16), at(2026, 2, 24, 16)) == 8 * HOUR


def test_national_day_week_is_skipped(cal: WorkingCalendar) -> None:
    # Wed 30 Sep 17:30 → half an hour, Oct 1–7 off, Thu 8 Oct 8 h, Fri 9 Oct 7.5 h.
    assert cal.add(at(2026, 9, 30, 17, 30), 16 * HOUR) == at(2026, 10, 9, 17, 30)


def test_a_target_used_up_at_lunch_is_due_at_noon_on_the_make_up_saturday(
    cal: WorkingCalendar,
) -> None:
    # Fri 9 Oct 17:00 + 4 h: one hour on Friday, three on 调休 Saturday 10 Oct morning.
    assert cal.add(at(2026, 10, 9, 17), 4 * HOUR) == at(2026, 10, 10, 12)
    assert cal.is_workday(date(2026, 10, 10)) and not cal.is_workday(date(2026, 10, 17))


def test_a_sunday_make_up_day_counts_before_national_day(cal: WorkingCalendar) -> None:
    # Sat 19 Sep 10:00 is a normal day off; Sun 20 Sep is a working day.
    assert cal.add(at(2026, 9, 19, 10), 2 * HOUR) == at(2026, 9, 20, 11)


def test_an_admin_edit_of_the_table_changes_the_clock(db: None) -> None:
    CalendarDay.objects.create(day=date(2026, 11, 23), kind="holiday", name="公司假日")
    cal = WorkingCalendar.load()
    assert cal.add(at(2026, 11, 23, 9), 1 * HOUR) == at(2026, 11, 24, 10)


def test_the_cached_calendar_reloads_after_an_edit_and_not_before(db: None) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = WorkingCalendar.current()
    with CaptureQueriesContext(connection) as queries:
        assert WorkingCalendar.current() is first
    assert len(queries) == 2  # the fingerprint only, not the ≈1,000 rows
    CalendarDay.objects.create(day=date(2026, 11, 23), kind="holiday", name="公司假日")
    assert not WorkingCalendar.current().is_workday(date(2026, 11, 23))
    from guanxi.core.actions import add_user
    from guanxi.service.actions import save_calendar_day

    admin = add_user("root", "Guanxi-Test-2026!", role="admin", by=None)
    row = CalendarDay.objects.get(day=date(2026, 11, 23))
    # Same row count: the edit's newer `updated_at` is what the fingerprint notices.
    save_calendar_day(row, {"day": row.day, "kind": "workday", "name": "补班"}, by=admin)
    assert WorkingCalendar.current().is_workday(date(2026, 11, 23))
