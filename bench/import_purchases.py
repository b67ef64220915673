"""Import N purchase lines (orders of 1–3 lines) and compare with a raw insert of the same rows.

    GUANXI_DATA_DIR=/tmp/gx-bench .venv/bin/python bench/import_purchases.py --rows 20000

Setup (not timed): 2,000 customers through the customer import and one product.
Baseline: the orders and lines the import wrote, read back and inserted raw into
empty twins of the two tables in one transaction (executemany / COPY), in the
same run. Purchases validate every row with PurchaseForm / PurchaseLineForm and
roll totals into the customers, so this ratio is expected far above customers'.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ORDER_COLUMNS = ("id", "number", "customer_id", "ordered_at", "channel", "total_amount", "notes",
                 "created_by_id", "created_at")  # fmt: skip
LINE_COLUMNS = ("order_id", "product_id", "quantity", "unit_price", "amount")


def raw_twin_insert(tables: list[tuple[Any, tuple[str, ...]]]) -> float:
    """Seconds to insert what the import wrote to each table, read back, into an empty
    twin of it in one transaction per table (PostgreSQL: LIKE … INCLUDING ALL, so with
    its indexes; SQLite: the CREATE TABLE alone): the same-run baseline."""
    from django.db import connection, transaction

    from guanxi.customers.imports import runner

    raw = 0.0
    for model, columns in tables:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")
            data = cursor.fetchall()
            cursor.execute(f"DROP TABLE IF EXISTS bench_{table}")
            if connection.vendor == "postgresql":
                cursor.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING ALL)")
            else:
                cursor.execute(f"SELECT sql FROM sqlite_master WHERE name = '{table}'")
                sql = cursor.fetchone()[0].replace(f'"{table}"', f"bench_{table}", 1)
                cursor.execute(sql)
        begin = time.perf_counter()
        with transaction.atomic():
            runner.insert_rows(f"bench_{table}", columns, data)
        raw += time.perf_counter() - begin
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE bench_{table}")
    return raw


def rows_argument() -> int:
    """--rows, then Django set up for this process's data dir / database."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    django.setup()
    return args.rows


def customers_to_attach_to(tmp: Path, count: int = 2000) -> Any:
    """Migrate, an admin, and `count` customers (phones 139xxxxxxxx) through the customer
    import, for files whose rows name their customer (not timed); returns the admin."""
    from django.core.management import call_command
    from tests.imports.files import customer_rows, write_csv

    from guanxi.core.models import User
    from guanxi.customers.imports import runner

    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": "admin"})
    customers = write_csv(tmp / "bench-attach-customers.csv", customer_rows(count, seed=3))
    runner.run_batch(runner.start_batch(customers, user=user), user=user)
    return user


def main() -> None:
    rows_count = rows_argument()
    from django.db import connection
    from tests.imports.files import write_table

    from guanxi.customers.imports import runner
    from guanxi.sales.models import Order, OrderLine, Product

    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    user = customers_to_attach_to(tmp)
    Product.objects.get_or_create(
        code="DSL-0",
        defaults={"name": "0号柴油", "category": "fuel", "unit": "t", "list_price": 100},
    )
    rng = random.Random(11)
    rows: list[list[str]] = []
    n = 0
    while len(rows) < rows_count:
        phone = f"139{rng.randrange(2000):08d}"
        for i in range(rng.randint(1, 3)):
            rows.append([phone, f"B{n:08d}", "2026-03-01 10:00", "DSL-0", str(i + 1), "100"])
        n += 1
    header = ["客户手机", "订单号", "下单时间", "产品编码", "数量", "单价"]
    file = write_table(tmp / f"bench-purchases-{rows_count}.csv", header, rows[:rows_count])

    started = time.perf_counter()
    batch = runner.start_batch(file, user=user, kind="purchases")
    batch = runner.run_batch(batch, user=user)
    import_s = time.perf_counter() - started

    raw = raw_twin_insert([(Order, ORDER_COLUMNS), (OrderLine, LINE_COLUMNS)])
    print(f"database: {connection.vendor}; lines in file: {rows_count}; orders created: "
          f"{batch.created_count}; rejected lines: {batch.rejected_count}")  # fmt: skip
    print(f"import: {import_s:.1f} s = {rows_count / import_s:,.0f} lines/s")
    print(f"raw insert of the same orders and lines: {raw:.2f} s")
    print(f"ratio import / raw: {import_s / raw:.1f}x")
    print(f"load average at the end: {' '.join(open('/proc/loadavg').read().split()[:3])}")


if __name__ == "__main__":
    main()
