"""Seeded default categories (an admin renames, reorders or adds to them). Idempotent."""

from typing import Any

from django.db import migrations

DEFAULTS = [
    ("产品与使用", "产品功能、使用方法与常见问题"),
    ("保养与维修", "保养周期、预约、维修与配件"),
    ("订单与发票", "下单、付款、发票与退换"),
    ("账户与会员", "账户、积分与会员权益"),
    ("服务流程", "工单、投诉与服务规范（内部）"),
]


def seed(apps: Any, schema_editor: Any) -> None:
    Category = apps.get_model("knowledge", "Category")
    for position, (name, description) in enumerate(DEFAULTS, start=1):
        Category.objects.get_or_create(
            name=name,
            parent=None,
            defaults={"position": position * 10, "description": description},
        )


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search_index")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
