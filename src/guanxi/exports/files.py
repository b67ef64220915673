"""Rows → CSV text chunks (for streaming) or an .xlsx file (openpyxl write-only)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO


def csv_chunks(rows: Iterable[list[str]], rows_per_chunk: int = 500) -> Iterator[str]:
    """UTF-8 text with a BOM first, so Excel on Chinese Windows reads it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for n, row in enumerate(rows, 1):
        writer.writerow(row)
        if n % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def write_xlsx(
    rows: Iterable[list[str]],
    target: Path | IO[bytes],
    title: str,
    note: tuple[str, str] | None = None,
) -> int:
    """Write rows to a workbook without holding them in memory; returns data rows written.

    `note` (sheet title, text) adds a second sheet, e.g. that the row cap cut the list:
    the first sheet stays pure data, so it imports back.
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    count = -1
    for row in rows:
        sheet.append(row)
        count += 1
    if note is not None:
        book.create_sheet(note[0]).append([note[1]])
    book.save(target)
    return max(count, 0)


def write_csv(rows: Iterable[list[str]], path: Path) -> int:
    """Write rows as CSV; returns data rows written."""
    counted = _Counted(rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for chunk in csv_chunks(counted):
            fh.write(chunk)
    return max(counted.count - 1, 0)


class _Counted:
    def __init__(self, rows: Iterable[list[str]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[list[str]]:
        for row in self.rows:
            self.count += 1
            yield row
