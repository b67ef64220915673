"""Killing `guanxi import purchases` or `guanxi import contacts` at a random moment and
running it again ends with exactly the file's records: no order or contact twice, none
lost, customer totals moved once each."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.core.test_cli import PASSWORD, cli_env, django_eval, guanxi, guanxi_command

from .files import customer_rows, write_csv, write_table

CUSTOMERS = 200
ORDERS = 4_000
HEADER = ["客户手机", "订单号", "下单时间", "产品编码", "数量", "单价"]

SETUP = """
import json
from guanxi.sales.models import Product
Product.objects.create(code="DSL-0", name="0号柴油", category="fuel", unit="t", list_price=100)
print(json.dumps(1))
"""
COUNT = """
import json
from django.db.models import Sum
from guanxi.customers.models import Customer
from guanxi.imports.models import ImportBatch, ImportRejection, ImportedRecord
from guanxi.sales.models import Order, OrderLine
b = ImportBatch.objects.get(kind="purchases")
totals = Customer.objects.aggregate(n=Sum("purchase_count"), amount=Sum("total_amount"))
print(json.dumps({
    "orders": Order.objects.count(),
    "distinct_numbers": Order.objects.values("number").distinct().count(),
    "lines": OrderLine.objects.count(),
    "amount": str(OrderLine.objects.aggregate(s=Sum("amount"))["s"]),
    "purchase_count": totals["n"], "customer_amount": str(totals["amount"]),
    "records": ImportedRecord.objects.filter(batch=b).count(),
    "rejections": sorted(ImportRejection.objects.filter(batch=b).values_list("row_number", flat=True)),
    "rows_done": b.rows_done, "status": b.status, "created": b.created_count,
}))
"""


def _purchase_rows(seed: int) -> tuple[list[list[str]], list[int], int, int]:
    """Orders of 1–3 adjacent lines; every 50th order has a bad quantity on its last line."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    bad_rows: list[int] = []
    good_lines = good_amount = 0
    for n in range(ORDERS):
        phone = f"139{rng.randrange(CUSTOMERS):08d}"
        lines = rng.randint(1, 3)
        bad = n % 50 == 49
        for i in range(lines):
            qty = "0" if bad and i == lines - 1 else str(i + 1)
            rows.append([phone, f"SO{n:06d}", "2026-03-01 10:00", "DSL-0", qty, "100"])
        if bad:
            bad_rows.extend(range(len(rows) - lines + 1, len(rows) + 1))
        else:
            good_lines += lines
            good_amount += sum(100 * (i + 1) for i in range(lines))
    return rows, bad_rows, good_lines, good_amount


def test_a_killed_purchases_import_resumes_to_exactly_the_orders_of_the_file(
    tmp_path: Path,
) -> None:
    # Given alice's install with 200 customers and one product
    data_dir, env = _install_with_customers(tmp_path, chunk_rows=150)
    django_eval(data_dir, SETUP)
    rows, bad_rows, good_lines, good_amount = _purchase_rows(seed=random.randrange(1000))
    file = write_table(tmp_path / "orders.csv", HEADER, rows, encoding="gb18030")
    command = [*guanxi_command(), "import", "purchases", str(file), "--as", "alice"]

    # When the import is killed (SIGKILL) at a random point after it started writing,
    # and run again
    interrupted = _kill_and_rerun(command, env, data_dir, "purchases", COUNT, max_delay=0.5)

    # Then every valid order is there once, and every line of a bad order is reported once
    state = django_eval(data_dir, COUNT)
    good_orders = ORDERS - ORDERS // 50
    assert state["status"] == "done" and state["rows_done"] == len(rows)
    assert state["orders"] == state["distinct_numbers"] == state["created"] == good_orders
    assert state["purchase_count"] == good_orders
    assert state["lines"] == state["records"] == good_lines
    assert float(state["amount"]) == float(state["customer_amount"]) == good_amount
    assert state["rejections"] == bad_rows
    assert 0 < interrupted["rows_done"] < len(rows)  # type: ignore[operator]


CONTACTS = 3_000
CONTACT_COUNT = """
import json
from guanxi.customers.models import Contact
from guanxi.imports.models import ImportBatch, ImportRejection, ImportedRecord
b = ImportBatch.objects.get(kind="contacts")
print(json.dumps({
    "contacts": Contact.objects.count(),
    "distinct": Contact.objects.values("customer_id", "phone_bidx").distinct().count(),
    "distinct_ids": len(set(ImportedRecord.objects.filter(batch=b).values_list("object_id", flat=True))),
    "primaries": Contact.objects.filter(is_primary=True).count(),
    "primary_customers": Contact.objects.filter(is_primary=True).values("customer_id").distinct().count(),
    "records": ImportedRecord.objects.filter(batch=b).count(),
    "rejections": sorted(ImportRejection.objects.filter(batch=b).values_list("row_number", flat=True)),
    "rows_done": b.rows_done, "status": b.status, "created": b.created_count,
}))
"""


def test_a_killed_contacts_import_resumes_to_exactly_the_contacts_of_the_file(
    tmp_path: Path,
) -> None:
    # Given alice's install with 200 customers and a file of 3,000 contacts, one in 97
    # with a bad phone, every 10th marked primary
    data_dir, env = _install_with_customers(tmp_path, chunk_rows=100)
    rng = random.Random()
    rows = [
        [f"139{rng.randrange(CUSTOMERS):08d}", f"联系人{n}",
         "12345" if n % 97 == 96 else f"137{n:08d}", "是" if n % 10 == 0 else ""]
        for n in range(CONTACTS)
    ]  # fmt: skip
    bad_rows = [n + 1 for n in range(CONTACTS) if n % 97 == 96]
    file = write_table(
        tmp_path / "contacts.csv", ["客户手机", "联系人", "手机", "主要联系人"], rows
    )
    command = [*guanxi_command(), "import", "contacts", str(file), "--as", "alice"]

    # When the import is killed (SIGKILL) at a random point after it started writing
    # (the whole file takes well under a second), and run again
    interrupted = _kill_and_rerun(command, env, data_dir, "contacts", CONTACT_COUNT, max_delay=0.15)

    # Then every valid contact is there once, and one primary contact per customer at most
    state = django_eval(data_dir, CONTACT_COUNT)
    good = CONTACTS - len(bad_rows)
    assert state["status"] == "done" and state["rows_done"] == CONTACTS
    assert state["contacts"] == state["distinct"] == state["created"] == good
    assert state["records"] == state["distinct_ids"] == good
    assert state["primaries"] == state["primary_customers"]
    assert state["rejections"] == bad_rows
    assert 0 < interrupted["rows_done"] < CONTACTS  # type: ignore[operator]


def _install_with_customers(tmp_path: Path, chunk_rows: int) -> tuple[Path, dict[str, str]]:
    """A fresh install (data dir, CLI environment) where alice, an admin, imported
    CUSTOMERS customers with phones 139000000nn."""
    data_dir = tmp_path / "data"
    added = guanxi(data_dir, "user", "add", "alice", "--role", "admin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    customers = write_csv(tmp_path / "customers.csv", customer_rows(CUSTOMERS))
    env = cli_env(data_dir, GUANXI_IMPORT_CHUNK_ROWS=str(chunk_rows))
    loaded = subprocess.run(
        [*guanxi_command(), "import", "customers", str(customers), "--as", "alice"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    return data_dir, env


def _kill_and_rerun(
    command: list[str], env: dict[str, str], data_dir: Path, kind: str, count: str,
    max_delay: float,
) -> Any:  # fmt: skip
    """SIGKILL the import once it has committed a chunk and up to `max_delay` s later,
    then run it again to the end; returns `count`'s state as the kill left it."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _rows_done(data_dir, kind) == 0:
        time.sleep(0.02)
    time.sleep(random.uniform(0.0, max_delay))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    interrupted = django_eval(data_dir, count)
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    return interrupted


def _rows_done(data_dir: Path, kind: str) -> int:
    """rows_done of the batch of `kind` (0 until it exists)."""
    import sqlite3

    try:
        with sqlite3.connect(data_dir / "guanxi.sqlite3", timeout=5) as db:
            row = db.execute(
                "SELECT rows_done FROM imports_importbatch WHERE kind = ?", [kind]
            ).fetchone()
    except sqlite3.OperationalError:
        return 0
    return row[0] if row else 0
