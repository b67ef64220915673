"""Seed the KPI targets that are not the service desk's.

The manuals give satisfaction ≥ 80 % and resolution rate ≥ 90 %; those are
`service.ServiceTarget` rows and are read from there. The manuals give no number
for the rest, so these are house defaults an admin is expected to adjust
(docs/architecture.md lists them).
"""

from django.db import migrations

TARGETS = [
    # kpi, value, direction
    ("repeat_purchase_rate", 30, "gte"),
    ("retention_rate", 85, "gte"),
    ("churn_rate", 15, "lte"),
    ("complaint_rate", 1, "lte"),
    ("first_response_rate", 95, "gte"),
    ("revenue_top20_share", 80, "lte"),
]


def seed(apps, schema_editor):
    KpiTarget = apps.get_model("evaluation", "KpiTarget")
    for kpi, value, direction in TARGETS:
        KpiTarget.objects.get_or_create(
            kpi=kpi, team=None, defaults={"value": value, "direction": direction}
        )


def unseed(apps, schema_editor):
    apps.get_model("evaluation", "KpiTarget").objects.filter(
        team__isnull=True, kpi__in=[t[0] for t in TARGETS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
