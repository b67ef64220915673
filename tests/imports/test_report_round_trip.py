"""A rejected-rows report, fixed and imported again, brings back the values, not their guard."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from guanxi.customers.imports import runner
from guanxi.customers.models import Customer
from guanxi.exports.cells import safe_cell, unsafe_cell

from .files import customer_rows, write_csv, write_table

FIXED_PHONE = "13900000099"


def _download(user: Any, batch_pk: int, file_format: str, tmp_path: Path) -> list[list[str]]:
    """The report as the user downloads it from the result page, read back as rows."""
    client = Client()
    client.force_login(user)
    response = client.get(f"/imports/{batch_pk}/errors.{file_format}")
    body = b"".join(response.streaming_content)
    if file_format == "csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    from openpyxl import load_workbook

    path = tmp_path / "report.xlsx"
    path.write_bytes(body)
    sheet = load_workbook(path, read_only=True).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_fixed_report_re_imports_the_values_that_looked_like_formulas(
    users: dict[str, Any], tmp_path: Path, file_format: str
) -> None:
    bob = users["bob"]
    rows = customer_rows(2)
    rows[0][0], rows[0][1], rows[0][5] = "-李四", "12345", "+1号楼"  # a bad phone: rejected
    first = runner.start_batch(write_csv(tmp_path / "c.csv", rows), user=bob)
    runner.run_batch(first, user=bob)
    header, rejected = _download(bob, first.pk, file_format, tmp_path)[:2]
    assert rejected[0] == "'-李四" and rejected[5] == "'+1号楼", "the report guards formulas"

    rejected[1] = FIXED_PHONE  # what the user fixes before importing the report again
    fixed = write_table(tmp_path / f"fixed.{file_format}", header, [rejected])
    # The CSV report's two guarded cells once made the reader take ' for a quote character.
    again = runner.run_batch(runner.start_batch(fixed, user=bob), user=bob)
    assert (again.created_count, again.rejected_count) == (1, 0)
    customer = Customer.objects.get(name__endswith="李四")
    assert customer.name == "-李四" and customer.addresses.get().detail == "+1号楼"


def test_a_cell_that_merely_starts_with_an_apostrophe_is_imported_as_it_is(
    users: dict[str, Any], tmp_path: Path
) -> None:
    bob = users["bob"]
    rows = customer_rows(1)
    rows[0][0], rows[0][5] = "'t Hooft", "'A座"
    batch = runner.start_batch(write_csv(tmp_path / "c.csv", rows), user=bob)
    assert runner.run_batch(batch, user=bob).created_count == 1
    customer = Customer.objects.get()
    assert customer.name == "'t Hooft" and customer.addresses.get().detail == "'A座"


@pytest.mark.parametrize(
    "value", ["-李四", "=HYPERLINK(1)", "+86", "@me", "\tx", "\ry", "李四", ""]
)
def test_unsafe_cell_undoes_safe_cell(value: str) -> None:
    assert unsafe_cell(safe_cell(value)) == value


def test_unsafe_cell_takes_exactly_one_guard_and_only_before_a_formula_start() -> None:
    assert unsafe_cell("'李四") == "'李四" and unsafe_cell("'t Hooft") == "'t Hooft"
    assert unsafe_cell("''-1") == "''-1" and unsafe_cell("'=1") == "=1" and unsafe_cell("'") == "'"
