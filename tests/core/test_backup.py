"""Backups taken while the app keeps writing restore to an identical, consistent database.

Everything runs through the real `guanxi` CLI in subprocesses, each installation
with its own data dir (SQLite file and key file) — and, on PostgreSQL, its own
database, created and dropped here — so the writer, the backup and the restore
are separate processes exactly as in production.

The PostgreSQL variant runs when the suite itself runs on PostgreSQL
(GUANXI_DATABASE_URL=postgres://…); the SQLite one always runs.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.core.test_cli import cli_env, guanxi

PASSWORD = "Guanxi-Backup-2026!"
SUITE_DATABASE_URL = os.environ.get("GUANXI_DATABASE_URL", "")
ON_POSTGRES = SUITE_DATABASE_URL.startswith(("postgres://", "postgresql://"))

# Keeps creating customers (with encrypted phones) and two-line purchases through
# the actions until told to stop; prints how many it committed.
WRITER = r"""
import sys, time
from decimal import Decimal
from pathlib import Path
import django
django.setup()
from guanxi.core.models import User
from guanxi.customers.actions import create_customer
from guanxi.customers.forms import CustomerForm
from guanxi.sales.actions import create_product, record_purchase

stop, ready, tag = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
alice = User.objects.get(username="alice")
diesel = create_product({"code": f"DSL-{tag}", "name": "0号柴油", "category": "fuel",
                         "unit": "t", "list_price": "7800.00", "active": True}, by=alice)
deadline = time.monotonic() + 120
n = 0
while not stop.exists() and time.monotonic() < deadline:
    n += 1
    form = CustomerForm(data={
        "kind": "person", "name": f"王{tag}{n}", "phone": f"139{n:08d}",
        "source_channel": "internal", "collected_at": "2026-01-05 10:00",
        "value_class": "general", "stage": "awareness",
        "province_code": "110000", "city_code": "110000", "district_code": "110105",
    })
    assert form.is_valid(), form.errors.as_json()
    customer = create_customer(form.cleaned_data, by=alice)
    record_purchase(customer, {}, [
        {"product": diesel, "quantity": Decimal("2.5"), "unit_price": Decimal("7800.00")},
        {"product": diesel, "quantity": Decimal(n % 7 + 1), "unit_price": Decimal("7612.35")},
    ], by=alice)
    if n == 20:
        ready.touch()
print(n)
"""

# Reads a restored installation back: checksums taken the way backups take them,
# orders whose total differs from their lines, and every phone decrypted.
INSPECT = r"""
import json
from django.db import connection
from django.db.models import F, Sum
from guanxi.core.backup import current_checksums
from guanxi.customers.models import Customer
from guanxi.sales.models import Order

integrity = "ok"
if connection.vendor == "sqlite":
    with connection.cursor() as cur:
        integrity = cur.execute("PRAGMA integrity_check").fetchone()[0]
phones = [c.phone for c in Customer.objects.all()]
print(json.dumps({
    "integrity": integrity,
    "checksums": current_checksums(),
    "orders": Order.objects.count(),
    "inconsistent_orders": Order.objects.annotate(lines_sum=Sum("lines__amount"))
        .exclude(total_amount=F("lines_sum")).count(),
    "phones": phones,
}))
"""


@dataclass
class Installation:
    """A Guanxi install: its data dir and the database it is configured for."""

    data_dir: Path
    database_url: str | None

    def env(self) -> dict[str, str]:
        extra = {"GUANXI_DATABASE_URL": self.database_url} if self.database_url else {}
        return cli_env(self.data_dir, **extra)

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return guanxi(self.data_dir, *args, stdin=stdin, env=self.env())

    def inspect(self) -> dict[str, object]:
        result = self.run("manage", "shell", "-c", INSPECT)
        assert result.returncode == 0, result.stderr
        data: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
        return data


def _postgres_url(dbname: str) -> str:
    parts = urlsplit(SUITE_DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(_postgres_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(params=["sqlite", "postgresql"])
def make_install(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """Factory of empty installations on the vendor under test (PostgreSQL: own databases)."""
    if request.param == "postgresql" and not ON_POSTGRES:
        pytest.skip("set GUANXI_DATABASE_URL=postgres://… to run the PostgreSQL variant")
    created: list[str] = []

    def make(name: str) -> Installation:
        url = None
        if request.param == "postgresql":
            dbname = f"guanxi_bk_{name}_{secrets.token_hex(4)}"
            _admin_sql(f"CREATE DATABASE {dbname}")
            created.append(dbname)
            url = _postgres_url(dbname)
        return Installation(tmp_path / name, url)

    yield make
    for dbname in created:
        _admin_sql(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")


def _with_admin(install: Installation) -> Installation:
    result = install.run("user", "add", "alice", "--role", "admin", stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    return install


def _manifest(archive: Path) -> dict[str, object]:
    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        data: dict[str, object] = json.load(member)
        return data


def _wait_for(path: Path, writer: subprocess.Popen[str], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert writer.poll() is None, writer.communicate()
        assert time.monotonic() < deadline, "the writer never got going"
        time.sleep(0.05)


def test_a_backup_taken_while_writes_run_restores_to_an_identical_consistent_database(
    make_install: object, tmp_path: Path
) -> None:
    source = _with_admin(make_install("source"))  # type: ignore[operator]
    stop, ready = tmp_path / "stop", tmp_path / "ready"
    archive = tmp_path / "backups" / "guanxi.tar.gz"
    archive.parent.mkdir()

    # Given a writer committing customers and purchases as fast as it can,
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop), str(ready), "s"],
        env=source.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for(ready, writer)
        # when a backup is taken in the middle of it,
        backed_up = source.run("backup", str(archive))
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert backed_up.returncode == 0, backed_up.stderr
    written = int(out.strip())
    manifest = _manifest(archive)
    tables = manifest["tables"]
    assert isinstance(tables, dict)
    in_backup = tables["customers_customer"]["rows"]
    # (the backup caught the writer mid-way: some of its rows, not all of them)
    assert 20 <= in_backup < written
    # (each customer and its purchase are two transactions: at most one is cut apart)
    orders = tables["sales_order"]["rows"]
    assert orders in (in_backup - 1, in_backup)

    # then a fresh installation restored from it holds exactly the backed-up rows,
    target = make_install("restored")  # type: ignore[operator]
    restored = target.run("restore", str(archive), "--yes")
    assert restored.returncode == 0, restored.stderr
    state = target.inspect()
    assert state["integrity"] == "ok"
    assert state["checksums"] == tables
    # every order's total is the sum of its lines (no half-written purchase),
    assert state["orders"] == orders
    assert state["inconsistent_orders"] == 0
    # and the encrypted phones decrypt with the restored key file.
    phones = state["phones"]
    assert isinstance(phones, list) and len(phones) == in_backup
    assert all(phone.startswith("+86139") for phone in phones), phones[:3]


@pytest.mark.parametrize("damage", ["truncated", "flipped bytes"])
def test_a_damaged_archive_is_refused_and_the_current_database_is_untouched(
    make_install: object, tmp_path: Path, damage: str
) -> None:
    install = _with_admin(make_install("live"))  # type: ignore[operator]
    archive = tmp_path / "guanxi.tar.gz"
    assert install.run("backup", str(archive)).returncode == 0
    # the live database moves on after the backup, so a restore would be visible
    install.run("user", "add", "bob", "--role", "rep", stdin=PASSWORD + "\n")
    before = install.inspect()
    data = bytearray(archive.read_bytes())
    if damage == "truncated":
        del data[len(data) // 2 :]
    else:
        middle = len(data) // 2
        data[middle : middle + 16] = bytes(b ^ 0xFF for b in data[middle : middle + 16])
    archive.write_bytes(bytes(data))

    result = install.run("restore", str(archive), "--yes")

    assert result.returncode == 1
    assert "damaged" in result.stderr
    assert install.inspect() == before


def test_a_backup_of_one_vendor_is_refused_by_the_other(tmp_path: Path) -> None:
    if not ON_POSTGRES:
        pytest.skip("needs PostgreSQL")
    sqlite_install = _with_admin(Installation(tmp_path / "lite", None))
    archive = tmp_path / "lite.tar.gz"
    assert sqlite_install.run("backup", str(archive)).returncode == 0
    dbname = f"guanxi_bk_pg_{secrets.token_hex(4)}"
    _admin_sql(f"CREATE DATABASE {dbname}")
    try:
        pg_install = Installation(tmp_path / "pg", _postgres_url(dbname))

        result = pg_install.run("restore", str(archive), "--yes")

        assert result.returncode == 1
        assert "sqlite" in result.stderr and "postgresql" in result.stderr
    finally:
        _admin_sql(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
