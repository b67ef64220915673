"""Seed industries and sales regions with the defaults the manuals use; admins edit them."""

from django.db import migrations

INDUSTRIES = [
    ("upstream", "石油天然气开采"),
    ("pipeline", "油气管道运输"),
    ("refining", "石油炼化"),
    ("gas_distribution", "城市燃气"),
    ("fuel_retail", "成品油零售"),
    ("logistics", "物流运输"),
    ("manufacturing", "制造业"),
    ("chemicals", "化工"),
    ("power", "电力热力"),
    ("construction", "建筑施工"),
    ("automotive", "汽车"),
    ("retail", "批发零售"),
    ("it", "信息技术"),
    ("finance", "金融"),
    ("public", "政府及公共事业"),
    ("agriculture", "农林牧渔"),
    ("other", "其他"),
]

# Sales regions as Chinese companies usually draw them, by GB/T 2260 province prefix.
REGIONS = [
    ("north", "华北", ["11", "12", "13", "14", "15"]),
    ("northeast", "东北", ["21", "22", "23"]),
    ("east", "华东", ["31", "32", "33", "34", "35", "36", "37"]),
    ("central", "华中", ["41", "42", "43"]),
    ("south", "华南", ["44", "45", "46"]),
    ("southwest", "西南", ["50", "51", "52", "53", "54"]),
    ("northwest", "西北", ["61", "62", "63", "64", "65"]),
]


def seed(apps, schema_editor):
    Industry = apps.get_model("customers", "Industry")
    Region = apps.get_model("core", "Region")
    for code, name in INDUSTRIES:
        Industry.objects.get_or_create(code=code, defaults={"name": name})
    for code, name, prefixes in REGIONS:
        Region.objects.get_or_create(
            code=code, defaults={"name": name, "province_prefixes": prefixes}
        )


def unseed(apps, schema_editor):
    apps.get_model("customers", "Industry").objects.filter(
        code__in=[c for c, _ in INDUSTRIES]
    ).delete()
    apps.get_model("core", "Region").objects.filter(code__in=[c for c, _, _ in REGIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_prefix_search_indexes"), ("core", "0003_event_append_only")]
    operations = [migrations.RunPython(seed, unseed)]
