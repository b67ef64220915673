"""PostgreSQL needs pattern-ops indexes for LIKE 'prefix%' under a non-C collation.

SQLite answers prefixes with range scans on the ordinary indexes of 0001 (see
customers.search.prefix_q), so this migration does nothing there.
"""

from django.db import migrations

INDEXES = [
    ("cust_name_like", "customers_customer", "name"),
    ("cust_pinyin_like", "customers_customer", "pinyin"),
    ("cust_initials_like", "customers_customer", "initials"),
    ("contact_name_like", "customers_contact", "name"),
    ("contact_pinyin_like", "customers_contact", "pinyin"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column} varchar_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
