"""Reading import files: CSV in any common Chinese encoding, and .xlsx.

Every cell comes out as text, so one set of coercions (mapping.py) serves both
formats. The file's sha256 is its identity: the same file imported again
resumes or is recognised as done.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from guanxi.exports.cells import unsafe_cells

CSV_FIELD_LIMIT = 1 << 20


class FileError(ValueError):
    """The file cannot be read as a table; the message is for the user."""


@dataclass(frozen=True)
class FileInfo:
    sha256: str
    encoding: str  # "utf-8-sig", "gb18030" or "xlsx"


def inspect(path: Path) -> FileInfo:
    """One pass over the bytes: the sha256, and whether the text is valid UTF-8.

    A file that is not UTF-8 all the way through is read as GB18030, the superset
    of GBK and GB2312 that Chinese Excel writes; trying on a sample only would
    fail a million-row import at its last line.
    """
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    with open(path, "rb") as fh:
        head = fh.read(4)
        digest.update(head)
        chunk = head
        while chunk:
            if is_utf8:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
            chunk = fh.read(1 << 20)
            digest.update(chunk)
        if is_utf8:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                is_utf8 = False
    if head.startswith(b"PK\x03\x04"):
        return FileInfo(digest.hexdigest(), "xlsx")
    encoding = "utf-8-sig" if is_utf8 else "gb18030"
    return FileInfo(digest.hexdigest(), encoding)


def cell_text(value: object) -> str:
    """An Excel cell as the text a user typed: 13800138000, not 13800138000.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == 0:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_rows(path: Path, info: FileInfo) -> tuple[list[str], Iterator[list[str]]]:
    """The header and an iterator over the data rows (each a list of text cells).

    A cell our own reports and exports guarded against formulas (`'=…`, `'-…`;
    exports/cells.py) comes back as it was before the guard, so a fixed report
    re-imports its values, not the guard.
    """
    if info.encoding == "xlsx":
        return _read_xlsx(path)
    return _read_csv(path, info.encoding)


def _read_csv(path: Path, encoding: str) -> tuple[list[str], Iterator[list[str]]]:
    csv.field_size_limit(CSV_FIELD_LIMIT)
    fh = open(path, encoding=encoding, newline="")  # noqa: SIM115 — closed by the iterator
    sample = fh.read(64 * 1024)
    fh.seek(0)
    reader = csv.reader(fh, _dialect(sample))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        fh.close()
        raise FileError("文件是空的。") from None

    def rows() -> Iterator[list[str]]:
        with fh:
            for row in reader:
                if any(row):
                    yield unsafe_cells(row)

    return header, rows()


def _dialect(sample: str) -> type[csv.Dialect]:
    """The sample's delimiter, with the quoting every spreadsheet writes ("…", "" inside).

    Only the delimiter is trusted to the sniffer: two cells of a row that start
    with ' (a report's formula guard: '-李四,…,'+1号楼) make it take ' for the
    quote character and read the cells between them as one quoted field.
    """
    try:
        sniffed = csv.Sniffer().sniff(sample, ",\t;|")
    except csv.Error:
        return csv.excel

    class Sniffed(csv.excel):
        delimiter = sniffed.delimiter
        skipinitialspace = sniffed.skipinitialspace

    return Sniffed


def _read_xlsx(path: Path) -> tuple[list[str], Iterator[list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FileError(f"无法读取 Excel 文件：{exc}") from exc
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        header = [cell_text(v) for v in next(values)]
    except StopIteration:
        book.close()
        raise FileError("文件是空的。") from None

    def rows() -> Iterator[list[str]]:
        try:
            for row in values:
                cells = [cell_text(v) for v in row]
                if any(cells):
                    yield unsafe_cells(cells)
        finally:
            book.close()

    return header, rows()
