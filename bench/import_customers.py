"""Import N customers from a CSV and compare with a raw bulk insert of the same rows.

    GUANXI_DATA_DIR=/tmp/gx-bench .venv/bin/python bench/import_customers.py --rows 1000000
    GUANXI_DATABASE_URL=postgres://… .venv/bin/python bench/import_customers.py --rows 1000000

Baseline: the rows the import wrote, read back as tuples, inserted again into an
empty copy of the table in one transaction (executemany on SQLite, COPY on
PostgreSQL) — the cost of the writes alone, so the ratio is what validation,
encryption, pinyin, duplicate checks and bookkeeping add.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from tests.imports.files import customer_rows, write_csv

    from guanxi.core.models import User
    from guanxi.customers.imports import runner
    from guanxi.customers.models import Customer
    from guanxi.demo.batches import CUSTOMER_COLUMNS
    from guanxi.imports.models import ImportBatch

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:  # a clean slate for repeatable figures
        for table in ("imports_importedrecord", "imports_importrejection", "customers_address"):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("DELETE FROM imports_importbatch")
        cursor.execute("DELETE FROM customers_customer_tags")
        cursor.execute("DELETE FROM customers_stagechange")
        cursor.execute("DELETE FROM customers_customer")
    user, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": "admin"})
    file = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-import-{args.rows}.csv"
    if not file.exists():
        write_csv(file, customer_rows(args.rows, seed=7))

    started, cpu_started = time.perf_counter(), time.process_time()
    children_started = resource.getrusage(resource.RUSAGE_CHILDREN)
    batch = runner.start_batch(file, user=user)
    bulk = runner.bulk_mode(batch)
    opened = time.perf_counter()
    if args.profile:
        import cProfile

        cProfile.runctx(
            "runner.run_batch(batch, user=user, workers=args.workers)",
            globals(), locals(), sort="cumulative", filename="/tmp/import.prof",
        )  # fmt: skip
    else:
        runner.run_batch(batch, user=user, workers=args.workers)
    done, cpu_done = time.perf_counter(), time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    children_cpu = (children.ru_utime - children_started.ru_utime) + (
        children.ru_stime - children_started.ru_stime
    )
    batch = ImportBatch.objects.get(pk=batch.pk)
    imported = batch.created_count

    # Baseline: the same rows, raw, into an empty twin of the table.
    table = Customer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_customer_copy")
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE bench_customer_copy (LIKE {table} INCLUDING ALL)")
        else:
            cursor.execute(f"SELECT sql FROM sqlite_master WHERE name = '{table}'")
            cursor.execute(cursor.fetchone()[0].replace(f'"{table}"', "bench_customer_copy", 1))
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name=%s AND sql IS NOT NULL",
                [table],
            )
            for (sql,) in cursor.fetchall():
                name = sql.split('"')[1]
                cursor.execute(
                    sql.replace(f'"{name}"', f'"bench_{name}"').replace(
                        f'"{table}"', "bench_customer_copy"
                    )
                )
    # Read back in slices (a million rows of 41 columns would not fit in memory at
    # once) and time only the inserts, all in one transaction.
    raw = raw_cpu = 0.0
    select = f"SELECT {', '.join(CUSTOMER_COLUMNS)} FROM {table} WHERE id > %s ORDER BY id"
    with transaction.atomic():
        last = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(select + " LIMIT 50000", [last])
                rows = cursor.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            raw_start, cpu_start = time.perf_counter(), time.process_time()
            runner.insert_rows("bench_customer_copy", CUSTOMER_COLUMNS, rows)
            raw += time.perf_counter() - raw_start
            raw_cpu += time.process_time() - cpu_start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_customer_copy")

    import_s = done - started
    print(f"database: {connection.vendor}; rows in file: {args.rows}; imported: {imported}; "
          f"workers: {args.workers}; bulk mode: {bulk}")  # fmt: skip
    print(f"open (sha256, encoding, count): {opened - started:.1f} s")
    print(f"import: {import_s:.1f} s = {args.rows / import_s:,.0f} rows/s")
    print(f"raw bulk insert of the same rows: {raw:.1f} s = {imported / raw:,.0f} rows/s")
    print(f"ratio import / raw: {import_s / raw:.1f}x")
    # CPU seconds of this process: on a machine shared with other jobs, less noisy than
    # wall time. SQLite works inside this process, so its ratio is comparable; on
    # PostgreSQL the server's share is not counted (wall time is the figure there).
    cpu = cpu_done - cpu_started
    print(f"cpu: import {cpu:.1f} s = {args.rows / cpu:,.0f} rows/cpu-s, raw {raw_cpu:.1f} s "
          f"= {imported / max(raw_cpu, 1e-9):,.0f} rows/cpu-s, ratio {cpu / max(raw_cpu, 1e-9):.1f}x")  # fmt: skip
    print(f"cpu of the preparing worker processes: {children_cpu:.1f} s")
    print(f"load average at the end: {' '.join(open('/proc/loadavg').read().split()[:3])}")


if __name__ == "__main__":
    main()
