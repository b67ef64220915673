"""The rejected-row report: the file's own columns plus 错误原因, ready to fix and re-import."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from guanxi.exports.cells import safe_cell
from guanxi.imports.models import ImportBatch

from .runner import header_of

REASON_HEADER = "错误原因"


def report_rows(batch: ImportBatch) -> Iterator[list[str]]:
    header = header_of(batch)
    yield [*header, REASON_HEADER]
    rejected = batch.rejections.order_by("row_number").values_list("values", "reason")
    for values, reason in rejected.iterator(2000):
        cells = list(values) + [""] * (len(header) - len(values))
        yield [*(safe_cell(c) for c in cells[: len(header)]), reason]


def report_csv_lines(batch: ImportBatch) -> Iterator[str]:
    """UTF-8 with BOM, so Excel on Chinese Windows opens it without mojibake."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for row in report_rows(batch):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def write_report(batch: ImportBatch, path: Path) -> int:
    """Write the report as .xlsx or .csv (by suffix); returns the rejected rows written."""
    count = -1
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("错误行")
        for row in report_rows(batch):
            sheet.append(row)
            count += 1
        book.save(path)
        return count
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for line in report_csv_lines(batch):
            fh.write(line)
    return batch.rejections.count()
