"""Seed the manuals' SLA numbers, the KPI targets, a 09:00–18:00 day and the official calendar.

The holiday and 调休 rows come from the `chinese-calendar` package as it stands
when the migration runs; admins correct or add a year afterwards in the table.
"""

from datetime import time

from django.db import migrations

POLICIES = [
    # name, type, first response / handling hours, resolution hours
    ("咨询：24 小时内首次答复", "inquiry", 24, 72),
    ("投诉：48 小时内首次处理意见", "complaint", 48, 168),
    ("默认", "", 24, 120),
]
TARGETS = [
    ("resolution_rate", "解决率", 90),
    ("satisfaction", "满意度", 80),
    ("sla_attainment", "SLA 达成率", 90),
]
HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}  # fmt: skip


def seed(apps, schema_editor):
    import chinese_calendar

    SlaPolicy = apps.get_model("service", "SlaPolicy")
    ServiceTarget = apps.get_model("service", "ServiceTarget")
    WorkingHours = apps.get_model("service", "WorkingHours")
    CalendarDay = apps.get_model("service", "CalendarDay")
    for name, kind, first, resolve in POLICIES:
        SlaPolicy.objects.get_or_create(
            name=name,
            defaults={
                "ticket_type": kind,
                "first_response_hours": first,
                "resolution_hours": resolve,
            },
        )
    for code, name, percent in TARGETS:
        ServiceTarget.objects.get_or_create(code=code, defaults={"name": name, "percent": percent})
    if not WorkingHours.objects.exists():
        WorkingHours.objects.create(
            starts=time(9), ends=time(18), lunch_starts=time(12), lunch_ends=time(13)
        )
    rows = [
        CalendarDay(day=day, kind="holiday", name=HOLIDAY_NAMES.get(str(name), str(name))[:32])
        for day, name in chinese_calendar.holidays.items()
    ] + [
        CalendarDay(day=day, kind="workday", name=HOLIDAY_NAMES.get(str(name), str(name))[:32])
        for day, name in chinese_calendar.workdays.items()
    ]
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)


def unseed(apps, schema_editor):
    apps.get_model("service", "CalendarDay").objects.all().delete()
    apps.get_model("service", "WorkingHours").objects.all().delete()
    apps.get_model("service", "ServiceTarget").objects.all().delete()
    apps.get_model("service", "SlaPolicy").objects.filter(
        name__in=[p[0] for p in POLICIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
