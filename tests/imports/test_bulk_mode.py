"""Bulk mode (SQLite): one transaction with the indexes rebuilt, the same outcome as chunks.

And the preparing worker process: it hands back the same rows, and the rows it
skipped as duplicates are reported with their original cells.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from guanxi.core import crypto
from guanxi.customers.imports import report, runner
from guanxi.customers.models import Address, Customer
from guanxi.imports import live
from guanxi.imports.models import ImportedRecord

from .files import customer_rows, write_csv

sqlite_only = pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="bulk mode is SQLite's; PostgreSQL loads with COPY"
)


def _indexes() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN (%s, %s)",
            [Customer._meta.db_table, Address._meta.db_table],
        )
        return set(cursor.fetchall())


def _cache_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        return int(cursor.fetchone()[0])


def _file_with_duplicates(tmp_path: Path) -> tuple[Path, list[list[str]]]:
    """120 rows: every 10th has a bad phone, rows 61 and 115 repeat rows 3 and 102."""
    rows = customer_rows(120, bad_every=10)
    rows[60] = list(rows[2])  # row 61 = row 3: in another chunk of 25
    rows[114] = list(rows[101])  # row 115 = row 102, same chunk (101–125)
    return write_csv(tmp_path / "c.csv", rows), rows


def _outcome(batch: Any) -> dict[str, Any]:
    return {
        "counts": (batch.created_count, batch.skipped_count, batch.rejected_count),
        "status": batch.status,
        "rows_done": batch.rows_done,
        "customers": Customer.objects.count(),
        "addresses": Address.objects.count(),
        "records": ImportedRecord.objects.filter(batch=batch).count(),
        "report": sorted(tuple(line) for line in list(report.report_rows(batch))[1:]),
    }


@sqlite_only
@pytest.mark.parametrize("bulk_rows", [0, 10])  # 0: chunked, 10: bulk
def test_bulk_mode_writes_what_chunks_write_and_keeps_every_index(
    users: dict[str, Any], tmp_path: Path, settings: Any, make_customer: Any, bulk_rows: int
) -> None:
    # Given an existing customer with the phone of file row 5, and a file with bad rows
    # and duplicates within and across chunks
    settings.GUANXI_IMPORT_BULK_ROWS = bulk_rows
    alice = users["alice"]
    make_customer(owner="alice", name="老客户", phone="+8613900000004")
    file, rows = _file_with_duplicates(tmp_path)
    before = _indexes()
    batch = runner.start_batch(file, user=alice)
    assert runner.bulk_mode(batch) is bool(bulk_rows)

    # When alice imports it in chunks of 25
    batch = runner.run_batch(batch, user=alice, chunk_rows=25)

    # Then 12 bad rows are rejected, 3 duplicates skipped (existing, across, within chunks)
    outcome = _outcome(batch)
    assert outcome["counts"] == (105, 3, 12) and outcome["status"] == "done"
    assert outcome["rows_done"] == 120
    assert outcome["customers"] == 106 and outcome["addresses"] == 105
    assert outcome["records"] == 105
    skipped = {line[1]: line[-1] for line in outcome["report"] if "重复" in line[-1]}
    assert skipped == {
        rows[4][1]: "与已有客户重复，已跳过。",
        rows[60][1]: "与已有客户重复，已跳过。",  # row 3 was written by an earlier chunk
        rows[114][1]: "与文件第 102 行重复。",
    }
    # And the indexes are all back, and the published progress is gone
    assert _indexes() == before
    assert not list(Path(settings.GUANXI_IMPORT_DIR).glob("*.progress.json"))
    # And the phone search (by its index) finds an imported customer
    found = Customer.objects.filter(phone_bidx=crypto.blind_index("+86" + rows[7][1], "phone"))
    assert list(found.values_list("name", flat=True)) == [rows[7][0]]


@sqlite_only
def test_a_failing_bulk_load_leaves_nothing_and_every_index(
    users: dict[str, Any],
    tmp_path: Path,
    settings: Any,
    records_fail_after: Callable[[int], None],
) -> None:
    settings.GUANXI_IMPORT_BULK_ROWS = 10
    alice = users["alice"]
    before = _indexes()
    batch = runner.start_batch(write_csv(tmp_path / "c.csv", customer_rows(60)), user=alice)
    records_fail_after(40)
    cache = _cache_size()
    with pytest.raises(RuntimeError):
        runner.run_batch(batch, user=alice, chunk_rows=20)
    batch.refresh_from_db()
    assert (batch.rows_done, batch.status, Customer.objects.count()) == (0, "failed", 0)
    assert _indexes() == before
    assert _cache_size() == cache  # the load's 1 GiB page cache is given back


@pytest.mark.parametrize("workers", [0, 1])
def test_a_worker_process_prepares_the_same_rows(
    users: dict[str, Any], tmp_path: Path, settings: Any, make_customer: Any, workers: int
) -> None:
    # On both databases: the pool path is not SQLite's alone.
    settings.GUANXI_IMPORT_BULK_ROWS = 0
    alice = users["alice"]
    make_customer(owner="alice", name="老客户", phone="+8613900000004")
    file, rows = _file_with_duplicates(tmp_path)
    batch = runner.run_batch(
        runner.start_batch(file, user=alice), user=alice, chunk_rows=25, workers=workers
    )
    outcome = _outcome(batch)
    assert outcome["counts"] == (105, 3, 12)
    # The skipped rows' cells come from the writer's copy of the chunk, unchanged.
    skipped = [line for line in outcome["report"] if "重复" in line[-1]]
    assert sorted(line[:-1] for line in skipped) == sorted(tuple(rows[n]) for n in (4, 60, 114))


def test_the_progress_page_shows_a_bulk_load_published_from_outside_its_transaction(
    users: dict[str, Any], tmp_path: Path, client: Client
) -> None:
    alice = users["alice"]
    batch = runner.start_batch(write_csv(tmp_path / "c.csv", customer_rows(10)), user=alice)
    batch.status = "running"
    batch.save(update_fields=["status"])
    client.force_login(alice)
    url = reverse("imports:progress", args=[batch.pk])
    assert "0 / 10" in client.get(url).content.decode()

    shown = runner.ImportBatch.objects.get(pk=batch.pk)
    shown.rows_done, shown.created_count = 10, 9
    live.publish(shown, live.INDEXING, (3, 17))
    page = client.get(url).content.decode()
    assert "10 / 10" in page and "新增 9" in page and "3 / 17" in page

    live.clear(batch.pk)
    assert "0 / 10" in client.get(url).content.decode()


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="SQLite's planner does not need statistics here"
)
def test_postgres_statistics_follow_an_import_that_grows_the_table(
    users: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given statistics first taken at 20 rows, then at every doubling
    monkeypatch.setattr(runner.PlannerStatistics, "FIRST", 20)

    def planned_rows() -> float:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE relname = %s", [Customer._meta.db_table]
            )
            return float(cursor.fetchone()[0])

    # (ANALYZE writes pg_class in place, so an earlier test's count survives its
    # rollback: count the empty table first.)
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{Customer._meta.db_table}"')
    assert planned_rows() == 0
    alice = users["alice"]
    batch = runner.start_batch(write_csv(tmp_path / "c.csv", customer_rows(70)), user=alice)

    # When 70 rows are imported in chunks of 10
    runner.run_batch(batch, user=alice, chunk_rows=10)

    # Then the planner last counted the table at 40 rows (20, 40; 80 not reached)
    assert planned_rows() == 40
