"""Seed the one AssessmentConfig row with the documented defaults (docs/architecture.md)."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("analytics", "AssessmentConfig").objects.get_or_create(pk=1)


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("analytics", "AssessmentConfig").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
