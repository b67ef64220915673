"""Killing `guanxi import customers` at a random moment and running it again loses nothing
and duplicates nothing: chunks commit whole, with the batch's progress in the same
transaction; a bulk load (one transaction, indexes rebuilt) rolls back whole."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from tests.core.test_cli import PASSWORD, cli_env, django_eval, guanxi, guanxi_command

from .files import customer_rows, write_csv

ROWS = 20_000
BAD_EVERY = 97

COUNT = """
import json
from guanxi.customers.models import Customer
from guanxi.imports.models import ImportBatch, ImportRejection, ImportedRecord
b = ImportBatch.objects.get()
print(json.dumps({
    "customers": Customer.objects.count(),
    "distinct_phones": Customer.objects.values("phone_bidx").distinct().count(),
    "records": ImportedRecord.objects.count(),
    "rejections": sorted(ImportRejection.objects.values_list("row_number", flat=True)),
    "rows_done": b.rows_done, "status": b.status, "created": b.created_count,
}))
"""


def test_a_killed_import_resumes_to_exactly_the_rows_of_the_file(tmp_path: Path) -> None:
    # Given alice's fresh install and a file of 20,000 customers, one in 97 with a bad phone
    data_dir = tmp_path / "data"
    added = guanxi(data_dir, "user", "add", "alice", "--role", "admin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    file = write_csv(tmp_path / "customers.csv", customer_rows(ROWS, bad_every=BAD_EVERY))
    env = cli_env(data_dir, GUANXI_IMPORT_CHUNK_ROWS="700")
    command = [*guanxi_command(), "import", "customers", str(file), "--as", "alice"]

    # When the import is killed (SIGKILL, no cleanup) at a random point after it started writing
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rng = random.Random()
    deadline = time.monotonic() + 120
    wait = rng.uniform(0.0, 0.4)
    while time.monotonic() < deadline and _rows_done(data_dir) == 0:
        time.sleep(0.02)
    time.sleep(wait)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    interrupted = django_eval(data_dir, COUNT)

    # And run again
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr

    # Then every valid row is there once, every bad row is reported once
    state = django_eval(data_dir, COUNT)
    bad = ROWS // BAD_EVERY
    assert state["status"] == "done"
    assert state["customers"] == state["distinct_phones"] == state["records"] == ROWS - bad
    assert state["created"] == ROWS - bad
    assert state["rejections"] == [n for n in range(1, ROWS + 1) if n % BAD_EVERY == 0]
    assert state["rows_done"] == ROWS
    # (and the kill really interrupted it, after some chunks and before the last)
    assert 0 < interrupted["rows_done"] < ROWS  # type: ignore[operator]


def _rows_done(data_dir: Path) -> int:
    """Read progress straight from the SQLite file: a CLI round trip would take a second."""
    try:
        with sqlite3.connect(data_dir / "guanxi.sqlite3", timeout=5) as db:
            row = db.execute("SELECT rows_done FROM imports_importbatch").fetchone()
    except sqlite3.OperationalError:  # the table does not exist yet
        return 0
    return row[0] if row else 0


INDEXES = """
from django.db import connection
with connection.cursor() as c:
    c.execute("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
    print(__import__("json").dumps([r[0] for r in c.fetchall()]))
"""


def test_a_killed_bulk_load_rolls_back_whole_and_runs_again_to_exactly_the_file(
    tmp_path: Path,
) -> None:
    # Given a fresh install whose bulk mode starts at 1,000 rows, and the same file
    data_dir = tmp_path / "data"
    added = guanxi(data_dir, "user", "add", "alice", "--role", "admin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    indexes = django_eval(data_dir, INDEXES)
    file = write_csv(tmp_path / "customers.csv", customer_rows(ROWS, bad_every=BAD_EVERY))
    env = cli_env(data_dir, GUANXI_IMPORT_CHUNK_ROWS="700", GUANXI_IMPORT_BULK_ROWS="1000")
    command = [*guanxi_command(), "import", "customers", str(file), "--as", "alice"]

    # When the load is killed at a random point after it published written rows
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    published = data_dir / "imports" / "batch-1.progress.json"
    deadline = time.monotonic() + 120
    wait = random.Random().uniform(0.0, 0.3)
    while time.monotonic() < deadline and _published_rows(published) == 0:
        time.sleep(0.02)
    seen = _published_rows(published)
    time.sleep(wait)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    # Then nothing of it was committed, and every index is there
    interrupted = django_eval(data_dir, COUNT)
    assert 0 < seen < ROWS
    assert (interrupted["customers"], interrupted["records"], interrupted["rows_done"]) == (0, 0, 0)
    assert django_eval(data_dir, INDEXES) == indexes

    # And running it again ends with exactly the file's rows
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    state = django_eval(data_dir, COUNT)
    bad = ROWS // BAD_EVERY
    assert state["status"] == "done" and state["rows_done"] == ROWS
    assert state["customers"] == state["distinct_phones"] == state["records"] == ROWS - bad
    assert state["rejections"] == [n for n in range(1, ROWS + 1) if n % BAD_EVERY == 0]
    assert django_eval(data_dir, INDEXES) == indexes
    assert not published.exists()


def _published_rows(path: Path) -> int:
    try:
        return int(json.loads(path.read_text(encoding="utf-8"))["rows_done"])
    except (FileNotFoundError, ValueError):
        return 0
