"""Seed the one settings row with the defaults (admins edit them afterwards)."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    DedupSettings = apps.get_model("dedup", "DedupSettings")
    if not DedupSettings.objects.exists():
        DedupSettings.objects.create(warn_threshold=0.5, review_threshold=0.5, max_block=300)


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("dedup", "DedupSettings").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("dedup", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
