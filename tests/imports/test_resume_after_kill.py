"""Killing `guanxi import customers` at a random moment and running it again loses nothing
and duplicates nothing: chunks commit whole, with the batch's progress in the same
transaction."""

from __future__ import annotations

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
