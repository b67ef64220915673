"""Admins edit the service desk's numbers: SLA policies, the working calendar, bays, KPI targets."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from guanxi.core.actions import ActionError
from guanxi.core.models import Event
from guanxi.service import actions
from guanxi.service.calendar import WorkingCalendar
from guanxi.service.models import CalendarDay, ServiceBay, ServiceTarget, SlaPolicy

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def test_an_admin_adds_a_working_hours_policy_that_new_tickets_get(
    users: dict[str, Any], login: Any, make_ticket: Any, bob_customer: Any
) -> None:
    client = login(users["alice"])
    response = client.post("/service/config/sla-policies/add/", {
        "name": "维修（工作时间）", "ticket_type": "repair", "priority": "", "value_class": "",
        "first_response_hours": "4", "resolution_hours": "16", "clock": "working",
        "warn_before_minutes": "60", "active": "on",
    })  # fmt: skip
    assert response.status_code == 302
    policy = SlaPolicy.objects.get(name="维修（工作时间）")
    assert Event.objects.filter(verb="sla_policy.created", object_id=policy.pk).exists()
    # Friday 17:00 + 4 working hours: 1 h on Friday, 3 h on Monday morning.
    ticket = make_ticket("carol", bob_customer, ticket_type="repair",
                         received_at=datetime(2026, 11, 20, 17, tzinfo=SH))  # fmt: skip
    assert ticket.sla_policy == policy
    assert ticket.first_response_due == datetime(2026, 11, 23, 12, tzinfo=SH)


def test_the_policy_form_names_the_field_it_refuses(users: dict[str, Any], login: Any) -> None:
    client = login(users["alice"])
    response = client.post("/service/config/sla-policies/add/", {
        "name": "坏策略", "first_response_hours": "0", "resolution_hours": "abc", "clock": "calendar",
        "warn_before_minutes": "60",
    })  # fmt: skip
    assert response.status_code == 200
    form = response.context["form"]
    assert "first_response_hours" in form.errors and "resolution_hours" in form.errors
    assert not SlaPolicy.objects.filter(name="坏策略").exists()


def test_resolution_may_not_be_sooner_than_the_first_response(
    users: dict[str, Any], login: Any
) -> None:
    client = login(users["alice"])
    response = client.post("/service/config/sla-policies/add/", {
        "name": "倒置", "first_response_hours": "48", "resolution_hours": "24", "clock": "calendar",
        "warn_before_minutes": "60",
    })  # fmt: skip
    assert list(response.context["form"].errors) == ["resolution_hours"]


def test_a_deactivated_policy_no_longer_matches_new_tickets(
    users: dict[str, Any], login: Any, make_ticket: Any, bob_customer: Any
) -> None:
    inquiry = SlaPolicy.objects.get(ticket_type="inquiry")
    client = login(users["alice"])
    assert client.post(f"/service/config/sla-policies/{inquiry.pk}/deactivate/").status_code == 302
    inquiry.refresh_from_db()
    assert not inquiry.active
    assert make_ticket("carol", bob_customer).sla_policy.name == "默认"
    with pytest.raises(ActionError):
        actions.deactivate_sla_policy(inquiry, by=users["alice"])


@pytest.mark.parametrize("role", ["erin", "dave", "bob", "carol", "mona", "frank"])
def test_only_admins_reach_the_configuration(role: str, users: dict[str, Any], login: Any) -> None:
    client = login(users[role])
    policy = SlaPolicy.objects.first()
    assert client.get("/service/config/sla-policies/").status_code == 403
    assert client.get(f"/service/config/sla-policies/{policy.pk}/edit/").status_code == 404
    before = Event.objects.count()
    response = client.post(f"/service/config/sla-policies/{policy.pk}/edit/",
                           {"name": "篡改", "first_response_hours": "1", "resolution_hours": "1",
                            "clock": "calendar", "warn_before_minutes": "1"})  # fmt: skip
    assert response.status_code == 404
    assert client.post("/service/config/calendar/reseed/", {"year": "2026"}).status_code == 403
    assert Event.objects.count() == before
    with pytest.raises(ActionError):
        actions.save_service_bay(None, {"name": "越权", "daily_capacity": 1, "active": True},
                                 by=users[role])  # fmt: skip


def test_the_year_view_lists_spring_festival_and_its_make_up_saturdays(
    users: dict[str, Any], login: Any
) -> None:
    response = login(users["alice"]).get("/service/config/calendar/?year=2026")
    page = response.content.decode()
    assert "2026-02-14" in page and "2026-02-28" in page and "春节" in page
    assert response.context["workdays"] >= 2 and response.context["holidays"] >= 30


def test_a_company_holiday_added_on_the_screen_stops_the_working_clock(
    users: dict[str, Any], login: Any
) -> None:
    client = login(users["alice"])
    response = client.post("/service/config/calendar/add/",
                           {"day": "2026-11-23", "kind": "holiday", "name": "公司假日"})  # fmt: skip
    assert response.status_code == 302
    cal = WorkingCalendar.current()
    assert not cal.is_workday(date(2026, 11, 23))
    day = CalendarDay.objects.get(day=date(2026, 11, 23))
    client.post(f"/service/config/calendar/{day.pk}/edit/",
                {"day": "2026-11-23", "kind": "workday", "name": "公司假日改上班"})  # fmt: skip
    assert WorkingCalendar.current().is_workday(date(2026, 11, 23))
    client.post(f"/service/config/calendar/{day.pk}/delete/")
    assert not CalendarDay.objects.filter(day=date(2026, 11, 23)).exists()
    verbs = set(Event.objects.filter(object_type="calendarday").values_list("verb", flat=True))
    assert verbs == {"calendar_day.created", "calendar_day.changed", "calendar_day.deleted"}


def test_a_date_already_in_the_calendar_is_refused_on_the_day_field(
    users: dict[str, Any], login: Any
) -> None:
    response = login(users["alice"]).post(
        "/service/config/calendar/add/", {"day": "2026-10-01", "kind": "workday", "name": "x"}
    )
    assert response.status_code == 200 and "day" in response.context["form"].errors
    assert CalendarDay.objects.get(day=date(2026, 10, 1)).kind == "holiday"


def test_reseeding_a_year_puts_back_the_official_arrangement(
    users: dict[str, Any], login: Any
) -> None:
    CalendarDay.objects.filter(day=date(2026, 2, 14)).delete()
    CalendarDay.objects.create(day=date(2026, 11, 23), kind="holiday", name="公司假日")
    client = login(users["alice"])
    assert client.post("/service/config/calendar/reseed/", {"year": "2026"}).status_code == 302
    days = dict(CalendarDay.objects.filter(day__year=2026).values_list("day", "kind"))
    assert days[date(2026, 2, 14)] == "workday" and date(2026, 11, 23) not in days
    assert CalendarDay.objects.get(day=date(2026, 10, 1)).name == "国庆节"
    assert Event.objects.filter(verb="calendar.reseeded").count() == 1


def test_a_year_the_package_does_not_know_is_refused_and_left_alone(
    users: dict[str, Any],
) -> None:
    CalendarDay.objects.create(day=date(2031, 1, 1), kind="holiday", name="元旦")
    with pytest.raises(ActionError) as refused:
        actions.reseed_calendar_year(2031, by=users["alice"])
    assert refused.value.field == "year"
    assert CalendarDay.objects.filter(day__year=2031).count() == 1


def test_an_admin_adds_a_bay_and_maintenance_can_be_booked_in_it(
    users: dict[str, Any], login: Any, make_ticket: Any, bob_customer: Any
) -> None:
    client = login(users["alice"])
    client.post(
        "/service/config/bays/add/", {"name": "3号工位", "daily_capacity": "1", "active": "on"}
    )
    bay = ServiceBay.objects.get(name="3号工位")
    day = date.today() + timedelta(days=3)
    make_ticket("carol", bob_customer, ticket_type="maintenance", bay=bay, appointment_day=day)
    with pytest.raises(ActionError):
        make_ticket("carol", bob_customer, ticket_type="maintenance", bay=bay, appointment_day=day)
    response = client.post(
        f"/service/config/bays/{bay.pk}/edit/", {"name": "3号工位", "daily_capacity": "0"}
    )
    assert "daily_capacity" in response.context["form"].errors
    client.post(f"/service/config/bays/{bay.pk}/edit/", {"name": "3号工位", "daily_capacity": "2"})
    bay.refresh_from_db()
    assert bay.daily_capacity == 2 and not bay.active  # unticked "active" deactivates
    assert Event.objects.filter(verb="service_bay.changed", object_id=bay.pk).count() == 1


def test_an_edited_target_is_what_the_kpi_chart_draws(users: dict[str, Any], login: Any) -> None:
    from guanxi.service.queries import targets

    target = ServiceTarget.objects.get(code="satisfaction")
    client = login(users["alice"])
    response = client.post(
        f"/service/config/targets/{target.pk}/edit/", {"name": "满意度", "percent": "101"}
    )
    assert "percent" in response.context["form"].errors
    client.post(f"/service/config/targets/{target.pk}/edit/", {"name": "满意度", "percent": "85"})
    assert targets()["satisfaction"] == 85
    event = Event.objects.get(verb="service_target.changed")
    assert event.changes["percent"] == ["80.00", "85"]
