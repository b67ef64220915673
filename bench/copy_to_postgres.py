"""Copy the tables the value recompute reads from a SQLite bench database into PostgreSQL.

    GUANXI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanxi_speed \
      .venv/bin/python bench/copy_to_postgres.py /tmp/gx-bench-analytics/guanxi.sqlite3

Faster than generating the PostgreSQL bench database again (`bench/generate.sh
postgres` took ~30 min): the target is migrated by Django, then customers and
orders (the same generator output, row for row) go in by COPY with foreign-key
triggers off (`session_replication_role = replica`: users, regions and order
lines are not copied), and the tables are ANALYZEd. Tables that are empty in
the source are left alone.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

TABLES = ["customers_customer", "sales_order"]
BATCH = 20_000


def copy_table(source: sqlite3.Connection, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
            [table],
        )
        target = dict(cursor.fetchall())
    present = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
    columns = [c for c in present if c in target]
    boolean = {i for i, c in enumerate(columns) if target[c] == "boolean"}
    names = ", ".join(f'"{c}"' for c in columns)
    rows = source.execute(f"SELECT {names} FROM {table}")
    copied = 0
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            while batch := rows.fetchmany(BATCH):
                for row in batch:
                    if boolean:
                        row = tuple(
                            (bool(v) if v is not None else None) if i in boolean else v
                            for i, v in enumerate(row)
                        )
                    copy.write_row(row)
                copied += len(batch)
        cursor.execute(f"ANALYZE {table}")
    return copied


def main() -> None:
    source = sqlite3.connect(sys.argv[1])
    call_command("migrate", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET TIME ZONE 'UTC'")  # SQLite holds UTC text without an offset
    for table in TABLES:
        start = time.perf_counter()
        copied = copy_table(source, table)
        print(f"{table}: {copied} rows in {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
